"""The sync planner: what to ask GitHub, and what its answers mean (contract §6).

Pure logic, no I/O.  Skills are grouped by (host, owner, repo, ref) of their
recorded origin; each group costs one head request.  A skill's folder changed
when its git tree SHA at the new head differs from the tree SHA recorded at
install/sync: content-addressed, so a commit elsewhere in the repository, or a
revert back to the installed content, is not an update.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

from ..errors import SkillsError
from .record import InstallRecord, Origin
from .store import ScopeStore

# folder states at the head
ABSENT = "absent"  # the repository answered and the folder is not there
UNKNOWN = "unknown"  # no usable tree (truncated, or nothing recorded): probe the folder


@dataclasses.dataclass
class Target:
    """One tracking skill in a batch."""

    store: ScopeStore
    name: str
    origin: Origin
    record: Optional[InstallRecord]  # None: never recorded (adoption needed)
    tracking_ref: Optional[str]  # frontmatter value, used only for adoption
    digest: Optional[str]  # content digest of the live bundle when planned
    force: bool = False

    @property
    def scope(self) -> str:
        return self.store.scope

    @property
    def locally_modified(self) -> Optional[bool]:
        """True/False against the record; None when there is no record to compare with."""
        if self.record is None or not self.record.content_sha256:
            return None
        return self.digest != self.record.content_sha256


@dataclasses.dataclass
class Outcome:
    """What happened to one skill: reported through the progress callback."""

    scope: str
    name: str
    updated: Optional[bool] = None  # sync: True when a new bundle was swapped in
    ref: Optional[str] = None  # sync: installed commit afterwards; check: upstream head
    current_ref: Optional[str] = None  # check: installed commit
    update_available: Optional[bool] = None
    error: Optional[SkillsError] = None

    def as_sync(self) -> dict:
        key = {"scope": self.scope, "name": self.name}
        if self.error is not None:
            # the 409 reason too, so the UI can offer "Overwrite local changes…"
            reason = {"reason": self.error.reason} if self.error.reason else {}
            return {**key, "error": self.error.message, **reason}
        return {**key, "updated": bool(self.updated), "ref": self.ref}

    def as_check(self) -> dict:
        key = {"scope": self.scope, "name": self.name}
        if self.error is not None:
            return {**key, "error": self.error.message}
        return {**key, "update_available": bool(self.update_available), "ref": self.ref}


def group(targets: list[Target]) -> dict[tuple[str, str, str, str], list[Target]]:
    groups: dict[tuple[str, str, str, str], list[Target]] = {}
    for target in targets:
        groups.setdefault(target.origin.key(), []).append(target)
    return groups


def group_etag(members: list[Target]) -> tuple[Optional[str], Optional[str]]:
    """(etag, head) to send as If-None-Match: only when every member saw the same head."""
    seen = {
        (t.record.last_check.etag, t.record.last_check.head)
        for t in members
        if t.record is not None
    }
    if len(seen) != 1 or any(t.record is None for t in members):
        return None, None
    etag, head = seen.pop()
    return (etag, head) if etag and head else (None, None)


def known_folder_tree(target: Target, head: str) -> Optional[str]:
    """The folder's tree SHA at ``head`` when the last check already saw that head."""
    last = target.record.last_check if target.record else None
    if last is not None and last.head == head and last.tree:
        return last.tree
    return None


def folder_state(tree, path: str) -> str:
    """Tree SHA of ``path`` in a fetched tree, ABSENT, or UNKNOWN (truncated)."""
    if tree is None or tree.truncated:
        return UNKNOWN
    sha = tree.folder(path)
    return sha if sha else ABSENT


def needs_tree(target: Target, head: str) -> bool:
    return known_folder_tree(target, head) is None
