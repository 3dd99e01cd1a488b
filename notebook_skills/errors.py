"""Typed errors of the domain core.

The core raises these; the HTTP layer maps each class to one status code in a
single place (``handlers/base.py``).  Messages are shown to users verbatim, so
they must say what went wrong and never contain secrets.
"""


class SkillsError(Exception):
    """Base class: ``str(err)`` is the user-facing message."""

    def __init__(self, message: str, *, reason: str | None = None):
        super().__init__(message)
        self.message = message
        self.reason = reason  # machine-readable (contract §4), e.g. "locally_modified"


class Invalid(SkillsError):
    """Bad input: malformed URL, name, payload, or an impossible request (400)."""


class Forbidden(SkillsError):
    """Refused by policy: GitHub import disabled, managed skill, ... (403)."""


class NotFound(SkillsError):
    """No such skill, file or upstream object (404)."""


class Conflict(SkillsError):
    """Exists already, locally modified, or busy (409).

    ``reason`` is the machine-readable cause (contract §4): "locally_modified",
    "busy", "exists", "pending" or "changed_on_disk" (a write whose
    precondition no longer held under the lock).
    """

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


class Gone(SkillsError):
    """The upstream path a tracking skill follows no longer exists (410)."""


class UpstreamError(SkillsError):
    """GitHub failed: network, 5xx, timeout, rate limit, bad archive (502)."""


class InsufficientStorage(SkillsError):
    """The disk (or quota) filled up mid-write; the write was rolled back (507)."""
