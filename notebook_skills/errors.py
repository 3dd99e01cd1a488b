"""Typed errors of the domain core.

The core raises these; the HTTP layer maps each class to one status code in a
single place (``handlers/base.py``).  Messages are shown to users verbatim, so
they must say what went wrong and never contain secrets.
"""

from __future__ import annotations


class SkillsError(Exception):
    """Base class: ``str(err)`` is the user-facing message."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.message = message
        # Machine-readable cause for clients to branch on (contract §4), e.g. a
        # 409's "changed_on_disk"; None when the status alone says enough.
        self.reason = reason


class Invalid(SkillsError):
    """Bad input: malformed URL, name, payload, or an impossible request (400)."""


class Forbidden(SkillsError):
    """Refused by policy: GitHub import disabled, managed skill, ... (403)."""


class NotFound(SkillsError):
    """No such skill, file or upstream object (404)."""


# The machine reasons a 409 carries (contract §4, plus NOT_WRITABLE): every Conflict
# names one, so a client can branch on it (tests/test_conflict_reasons.py checks).
LOCALLY_MODIFIED = "locally_modified"  # Sync without force: the bundle was edited
BUSY = "busy"  # another request or process holds the skill's lock
EXISTS = "exists"  # something (a skill, a file, a link) is in the way
PENDING = "pending"  # a staged update is waiting for review
CHANGED_ON_DISK = "changed_on_disk"  # a write whose precondition no longer held
NOT_WRITABLE = "not_writable"  # read-only file system, permission denied, unusable folder
CONFLICT_REASONS = (LOCALLY_MODIFIED, BUSY, EXISTS, PENDING, CHANGED_ON_DISK, NOT_WRITABLE)


class Conflict(SkillsError):
    """Exists already, locally modified, busy or not writable (409).

    ``reason`` is the machine-readable cause, one of ``CONFLICT_REASONS``
    (contract §4; ``not_writable`` is an addition). It is carried by the base
    class, so every typed error can name one; ``handlers/base.py`` sends it.
    """


class Gone(SkillsError):
    """The upstream path a tracking skill follows no longer exists (410)."""


class UpstreamError(SkillsError):
    """GitHub failed: network, 5xx, timeout, rate limit, bad archive (502)."""


class InsufficientStorage(SkillsError):
    """The disk (or quota) filled up mid-write; the write was rolled back (507)."""
