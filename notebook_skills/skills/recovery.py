"""Startup recovery that cannot hurt (contract §2).

Runs under the scope lock and only ever touches:

- entries whose names the product creates (`<name>.<owner>.<token>` in
  staging/, backup/, trash/, generations/; `<kind>.<owner>.<random>` in tmp/;
  `journal/<name>.<owner>.json`; `records/<name>.json`),
- whose owner lock is free (the process that made them is gone: a second
  server starting never cleans up the first one's staging mid-sync),
- never following a link: a bookkeeping dir or area that is a link or not
  inside the scope root is refused with a log line and left alone.

Half-done transactions are finished or undone by comparing what the journal
recorded with what is on disk: folder identities, and content digests where an
identity changed (a remount or a restore gives a folder a new inode).  Every entry is
isolated: an exception is logged and recovery moves on; it never stops the
extension from loading.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Callable, Optional

import filelock

from ..errors import SkillsError

from . import edits, txn
from .fsutil import read_bounded, remove_tree
from .hashing import content_sha256
from .locks import file_lock, try_lock
from .names import is_valid_name
from .record import InstallRecord
from .records import RECORDS, folder_id, holds, same_folder
from .store import BACKUP, LOCKS, STAGING, TMP, TRASH, ScopeStore, UnsafeBookkeeping, entry_owner

log = logging.getLogger(__name__)

SCOPE_LOCK_WAIT = 10.0


class _Owners:
    """Which owners are gone; their locks are held until recovery ends."""

    def __init__(self, store: ScopeStore) -> None:
        self.store = store
        self._dead: dict[str, object] = {}
        self._alive: set[str] = set()

    def dead(self, owner: Optional[str]) -> bool:
        if owner is None or owner in self._alive:
            return False
        if owner in self._dead:
            return True
        lock = try_lock(self.store.lock_path(f".owner.{owner}"))
        if lock is None:
            self._alive.add(owner)
            return False
        self._dead[owner] = lock
        return True

    def release(self) -> None:
        for owner, lock in self._dead.items():
            try:
                self.store.lock_path(f".owner.{owner}").unlink(missing_ok=True)
            except OSError:
                pass
            lock.release()


def _entries(store: ScopeStore, area: str, notes: list[str]) -> list[str]:
    path = store.bookkeeping / area
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return []
    if not stat.S_ISDIR(st.st_mode) or os.path.realpath(path) != os.path.join(store.key, store.bookkeeping.name, area):
        notes.append(f"refused {path}: a link or not a folder inside the scope (left alone)")
        return []
    return sorted(os.listdir(path))


def _isolated(notes: list[str], what: str, fn: Callable[[], Optional[str]]) -> None:
    try:
        note = fn()
        if note:
            notes.append(note)
    except Exception as err:  # noqa: BLE001 - one bad entry never stops the rest
        log.exception("notebook-skills recovery: %s failed", what)
        notes.append(f"could not recover {what}: {err}")


def recover(store: ScopeStore) -> list[str]:
    notes: list[str] = []
    try:
        book = store.check_bookkeeping()
        if not os.path.lexists(book):
            return []
        _entries(store, LOCKS, notes)  # refuse a linked locks area before opening any lock in it
        if notes:
            return notes
        scope_lock = file_lock(store.lock_path(".scope"))
        scope_lock.acquire(timeout=SCOPE_LOCK_WAIT)
    except UnsafeBookkeeping as err:
        return [f"refused: {err.message}"]
    except filelock.Timeout:
        return ["skipped: another process is recovering this scope"]
    except OSError as err:
        return [f"skipped: {err}"]
    owners = _Owners(store)
    try:
        _recover_locked(store, owners, notes)
    finally:
        owners.release()
        scope_lock.release()
    return notes


def _recover_locked(store: ScopeStore, owners: _Owners, notes: list[str]) -> None:
    for entry in _entries(store, txn.JOURNAL, notes):
        _isolated(notes, f"journal {entry}", lambda e=entry: _journal(store, owners, e))
    # A skill whose journal is still there (its writer is alive, or finishing it
    # failed) keeps every entry: one of them may hold its only copy.
    unsettled = {e.split(".", 1)[0] for e in _entries(store, txn.JOURNAL, [])}
    for area in (STAGING, TMP, TRASH, BACKUP):
        for entry in _entries(store, area, notes):
            if area != TMP and entry.split(".", 1)[0] in unsettled:
                continue
            _isolated(notes, f"{area} entry {entry}", lambda a=area, e=entry: _leftover(store, owners, a, e))
    referenced = set()
    for entry in _entries(store, RECORDS, notes):
        _isolated(notes, f"record {entry}", lambda e=entry: _record(store, e, referenced))
    for entry in _entries(store, txn.GENERATIONS, notes):
        if entry not in referenced:
            _isolated(notes, f"generation {entry}", lambda e=entry: _leftover(store, owners, txn.GENERATIONS, e))
    for entry in _entries(store, LOCKS, notes):
        if entry.startswith(".owner.") and entry.endswith(".lock"):
            owners.dead(entry[len(".owner."):-len(".lock")])  # released (and removed) at the end


def _leftover(store: ScopeStore, owners: _Owners, area: str, entry: str) -> Optional[str]:
    if not owners.dead(entry_owner(entry)):
        return None  # not ours to judge, or its owner is still at work
    path = store.bookkeeping / area / entry
    name = entry.split(".", 1)[0]
    if area == BACKUP and is_valid_name(name) and not os.path.lexists(store.skill_dir(name)):
        # An old bundle parked by a swap whose journal is gone, and nothing in its
        # place: putting it back loses nothing.
        os.rename(path, store.skill_dir(name))
        return f"restored '{name}' from an interrupted update"
    remove_tree(path)
    return f"removed leftover {area} entry {entry}"


def _record(store: ScopeStore, entry: str, referenced: set) -> Optional[str]:
    if not entry.endswith(".json") or not is_valid_name(entry[:-5]):
        return None
    name = entry[:-5]
    record = store.records.read_raw(name)
    if record is not None and record.previous is not None:
        referenced.add(record.previous.folder)  # validated: an entry name the product creates
    current = folder_id(store.root / name)
    if record is None or (current is not None and (record.folder_id is None or same_folder(record.folder_id, current))):
        return None  # unreadable (maybe a newer version): left alone
    lock = try_lock(store.lock_path(name))
    if lock is None:
        return None  # a writer is at work on it
    try:
        if current is not None and record.content_sha256 and content_sha256(store.root / name) == record.content_sha256:
            # the same content under a new identity (a remount, a restore): the same skill
            record.folder_id = current
            store.records.write(name, record)
            return f"re-bound the record of '{name}' to its folder (its identity changed, its content did not)"
        if record.previous is not None:
            referenced.discard(record.previous.folder)
        store.records.delete(name)
    finally:
        lock.release()
    return f"dropped the record of '{name}': its folder was removed or replaced by hand"


def _journal(store: ScopeStore, owners: _Owners, entry: str, *, locked: bool = False) -> Optional[str]:
    if not entry.endswith(".json"):
        return None
    name, _, owner = entry[:-5].partition(".")  # journal/<name>.<owner>.json
    if owner != store.owner or not locked:
        if not owners.dead(entry_owner(f"{name}.{owner}.j")):
            return None
    path = store.bookkeeping / txn.JOURNAL / entry
    if not is_valid_name(name) or not stat.S_ISREG(os.lstat(path).st_mode):
        return None
    lock = None if locked else try_lock(store.lock_path(name))
    if lock is None and not locked:
        return None
    try:
        data = json.loads(read_bounded(path, 1 << 20, "journal"))
        if not isinstance(data, dict) or data.get("name") != name:
            raise ValueError("malformed journal")
        op = data.get("op")
        if op == "rename":
            if not is_valid_name(data.get("new")):
                raise ValueError("malformed rename journal")
            note = edits.recover_rename(store, data)
        elif op == "edit":
            note = edits.recover_edit(store, data)
        else:
            note = _install(store, data)
        path.unlink()
        return note
    finally:
        if lock is not None:
            lock.release()


def settle_journals(store: ScopeStore, name: str) -> None:
    """Journals of one skill, for a writer that holds its lock (see txn.settle):
    its own, and a rename's that moves another skill to this name."""
    folder = store.bookkeeping / txn.JOURNAL
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return
        entries = os.listdir(store.area(txn.JOURNAL, create=False))
    except FileNotFoundError:
        return
    mine = [e for e in entries if e.startswith(name + ".")]
    mine += [e for e in entries if not e.startswith(name + ".") and _renames_to(folder / e, name)]
    if not mine:
        return
    owners = _Owners(store)
    notes: list[str] = []
    try:
        for entry in mine:
            _isolated(notes, f"journal {entry}", lambda e=entry: _journal(store, owners, e, locked=True))
    finally:
        owners.release()
    for note in notes:
        log.warning("notebook-skills: %s: %s", store.scope, note)


def _renames_to(path: Path, name: str) -> bool:
    try:
        if not path.name.endswith(".json") or not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        data = json.loads(read_bounded(path, 1 << 20, "journal"))
    except (OSError, ValueError, SkillsError):
        return False
    return isinstance(data, dict) and data.get("op") == "rename" and data.get("new") == name


def _install(store: ScopeStore, data: dict) -> str:
    name = data["name"]
    target = store.skill_dir(name)
    # journal-named entries, only if their names are ones we create for this skill
    staged = store.entry_path(STAGING, data.get("staged"), name)
    backup = store.entry_path(BACKUP, data.get("backup"), name)
    new_id, old_id = data.get("new_id"), data.get("old_id")
    record = InstallRecord.model_validate(data["record"])
    new_digest, old_digest = record.content_sha256, data.get("old_digest")
    if _is_new(target, new_id, old_id, new_digest, old_digest):
        record.folder_id = folder_id(target)
        store.records.write(name, record)
        old_at = None
        for candidate in (staged, backup):
            if candidate is not None and old_id and holds(candidate, old_id, old_digest):
                old_at = candidate
        gen = store.entry_path(txn.GENERATIONS, data.get("generation"), name)
        data = {**data, "generation": gen.name if gen else None}
        txn.finish_install(store, data, old_at)
        return f"finished the interrupted update of '{name}' (new bundle and its record)"
    if folder_id(target) is None and backup is not None and old_id and holds(backup, old_id, old_digest):
        os.rename(backup, target)
        note = f"restored '{name}' from an interrupted update (old bundle and record)"
    else:
        note = f"rolled back an interrupted update of '{name}' (old bundle and record kept)"
    if staged is not None and new_id and holds(staged, new_id, new_digest):
        remove_tree(staged)
    return note


def _is_new(target: Path, new_id, old_id, new_digest, old_digest) -> bool:
    """Whether the swap happened: the new folder is at the target.  By identity
    first; when neither identity matches (a remount since), by content digest."""
    current = folder_id(target)
    if current is None:
        return False
    if same_folder(new_id, current):
        return True
    if same_folder(old_id, current):
        return False
    digest = content_sha256(target) if new_digest else None
    return digest is not None and digest == new_digest and digest != old_digest
