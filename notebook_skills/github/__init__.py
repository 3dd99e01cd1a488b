"""GitHub access for notebook-skills: URL parsing, allowlist, tokens, client, archives.

Knows nothing about skills; errors subclass the domain errors so the HTTP
layer maps them to status codes.
"""

from .allowlist import HostAllowlist
from .archive import ExtractResult, extract_subtree
from .client import GitHubClient
from .errors import (
    ArchiveError,
    ArchiveTooLarge,
    BadGitHubURL,
    GitHubNotFound,
    GitHubUnavailable,
    HostNotAllowed,
    RateLimited,
)
from .tokens import TokenProvider
from .urls import GitHubLocation, parse_github_url

__all__ = [
    "ArchiveError",
    "ArchiveTooLarge",
    "BadGitHubURL",
    "ExtractResult",
    "GitHubClient",
    "GitHubLocation",
    "GitHubNotFound",
    "GitHubUnavailable",
    "HostAllowlist",
    "HostNotAllowed",
    "RateLimited",
    "TokenProvider",
    "extract_subtree",
    "parse_github_url",
]
