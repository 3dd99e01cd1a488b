"""Typed GitHub errors.

Each subclasses a domain error so the HTTP layer maps it to a status code
without knowing about GitHub.  Messages are user-facing: never put a token in.
"""

from ..errors import Invalid, NotFound, UpstreamError


class HostNotAllowed(Invalid):
    """A URL (given or redirected to) is outside the host allowlist."""


class BadGitHubURL(Invalid):
    """A URL that is not one of the accepted GitHub forms."""


class GitHubNotFound(NotFound):
    """Repository, ref or object unknown (or private without a token)."""


class RefNotFound(GitHubNotFound):
    """The repository answered but has no such branch, tag or commit."""


class GitHubUnavailable(UpstreamError):
    """Network failure, timeout, 5xx, 401 or an unexpected status."""


class RateLimited(GitHubUnavailable):
    """GitHub's rate limit is exhausted; the message names the reset time."""


class RepositoryMoved(GitHubUnavailable):
    """The API answered 301 for a renamed or transferred repository, to a host outside
    the allowlist (a move inside it is followed, see client.py)."""


class ArchiveError(UpstreamError):
    """The downloaded archive is not gzip, truncated or a corrupt tar."""


class ArchiveTooLarge(Invalid):
    """An archive or skill exceeds a configured size or member cap."""
