"""GitHub access for notebook-skills: URL parsing, allowlist, tokens, client, archives.

Knows nothing about skills; errors subclass the domain errors so the HTTP
layer maps them to status codes.
"""

from .allowlist import HostAllowlist
from .archive import ExtractResult, extract_subtree
from .client import NOT_MODIFIED, GitHubClient, Head, Tree
from .errors import (
    ArchiveError,
    ArchiveTooLarge,
    BadGitHubURL,
    GitHubNotFound,
    GitHubUnavailable,
    HostNotAllowed,
    RateLimited,
    RefNotFound,
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
    "Head",
    "NOT_MODIFIED",
    "RateLimited",
    "RefNotFound",
    "Tree",
    "TokenProvider",
    "extract_subtree",
    "parse_github_url",
]
