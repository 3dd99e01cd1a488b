"""The one write path for bundles and records (contract §2).

Callers hold the skill lock (`locks.SkillLocks.hold`) around every function
here and do all network I/O before taking it.  A bundle replacement is:

1. re-check the target under the lock (`Expect`): nothing that is not the skill
   being replaced is ever touched, and the content digest the caller saw must
   still be there (else 409 `changed_on_disk`, nothing replaced);
2. fsync the staged bundle's files and folders;
3. journal the step (`journal/<name>.<owner>.json`: new record, folder ids);
4. swap atomically (`renameat2(RENAME_EXCHANGE)`, else two journaled renames);
5. commit the record;
6. keep the replaced bundle as the previous generation (`generations/`, one);
7. fsync the parents, drop the journal.

A crash at any point leaves the old or the new bundle, and `recovery.py`
finishes or undoes the journaled step so the record matches the bundle.

In-place changes of a live skill (the tracking toggle, description and body
updates, file saves and deletes, rename) are in `edits.py` and reached from
here: they follow the same steps (prepare in bookkeeping → journal → write →
commit the record, undone on failure), so a failure changes nothing.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import CHANGED_ON_DISK, EXISTS, Conflict, NotFound
from . import swap
from .frontmatter import parse_skill_md, set_frontmatter_keys
from .fsutil import atomic_write, fsync_path, fsync_tree, remove_tree_quietly
from .hashing import content_sha256
from .journal import CRASH_ENV, GENERATIONS, JOURNAL, crash_point, is_skill_folder, settle
from .journal import write_journal as _write_journal
from .record import Generation, InstallRecord
from .records import RECORDS, folder_id, holds
from .store import BACKUP, SKILL_MD, STAGING, TRASH, ScopeStore, UnsafeBookkeeping

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Expect:
    """What must be at the target when the swap happens."""

    absent_ok: bool = True  # no skill there yet is fine (a new install)
    replace_ok: bool = False  # an existing skill may be replaced
    digest: Optional[str] = None  # ...only if its content still has this digest


NEW = Expect(absent_ok=True, replace_ok=False)
ANY = Expect(absent_ok=True, replace_ok=True)


def seen(digest: Optional[str]) -> Expect:
    """Replace the existing skill only if it still holds what the caller checked."""
    return Expect(absent_ok=False, replace_ok=True, digest=digest)


def check_target(store: ScopeStore, name: str, expect: Expect) -> bool:
    """Raise unless the target matches `expect`; True when a skill is there."""
    target = store.skill_dir(name)
    if not os.path.lexists(target):
        if not expect.absent_ok:
            raise NotFound(f"No {store.scope} skill named '{name}' (it was removed meanwhile).")
        return False
    if not is_skill_folder(target):
        raise Conflict(
            f"'{name}' in the {store.scope} skills folder is not a skill (a file, a link or a folder "
            "without SKILL.md). It was left untouched; move it away or choose another name.",
            reason=EXISTS,
        )
    if not expect.replace_ok:
        raise Conflict(
            f"A {store.scope} skill named '{name}' already exists. Choose another name or overwrite it.",
            reason=EXISTS,
        )
    if expect.digest is not None and content_sha256(target) != expect.digest:
        raise Conflict(
            f"'{name}' changed on disk while the update was prepared; nothing was replaced. Try again.",
            reason=CHANGED_ON_DISK,
        )
    return True


def stamp_skill_md(store: ScopeStore, folder: Path, name: str, record: InstallRecord) -> None:
    """Write the product keys (and `name`) of SKILL.md in `folder` from the record."""
    md = folder / SKILL_MD
    raw = md.read_bytes()
    doc = parse_skill_md(raw)  # Invalid (never UnicodeDecodeError) for text that is not UTF-8
    text = raw.decode("utf-8")
    updates = store.records.frontmatter_keys(record)
    fm_name = doc.frontmatter.get("name")
    if fm_name is None or str(fm_name) != name:
        updates["name"] = name
    new = set_frontmatter_keys(text, updates)
    if new != text:
        atomic_write(md, new.encode("utf-8"), store.temp_path(name))  # temp files stay in bookkeeping


def install(store: ScopeStore, name: str, staged: Path, record: InstallRecord, expect: Expect) -> bool:
    """Swap a complete staged bundle in at `name` and commit its record.

    `staged` must be a staging entry of this store; it is consumed (or left
    for the caller to discard on error).  Returns True when a skill was
    replaced, False for a new install.
    """
    staged = Path(staged)
    if staged.parent != store.area(STAGING) or not staged.is_dir():
        raise ValueError(f"{staged} is not a staging dir of {store.bookkeeping}")
    target = store.skill_dir(name)
    store.root.mkdir(parents=True, exist_ok=True)
    settle(store, name)
    replacing = check_target(store, name, expect)
    store.area(RECORDS)  # a refused records area (a link) fails here, before anything moves
    store.records.writable_path(name)  # ...and a record path that is a folder or a link
    fsync_tree(staged)
    crash_point("staged")
    record.folder_id = folder_id(staged)
    old_id = folder_id(target) if replacing else None
    old_record = store.records.read(name) if replacing else None
    generation = backup = None
    drop = None
    if replacing:
        generation = store.park(GENERATIONS, name)
        backup = store.park(BACKUP, name)
        record.previous = Generation(
            commit=old_record.commit if old_record else None,
            tree=old_record.tree if old_record else None,
            content_sha256=old_record.content_sha256 if old_record else None,
            tracking=old_record.tracking if old_record else False,
            folder=generation.name,
        )
        if old_record is not None and old_record.previous is not None:
            drop = old_record.previous.folder
    entry = {
        "op": "install",
        "name": name,
        "new_id": record.folder_id,
        "old_id": old_id,
        "old_digest": old_record.content_sha256 if old_record else None,
        "staged": staged.name,
        "backup": backup.name if backup else None,
        "generation": generation.name if generation else None,
        "drop_generation": drop,
        "record": record.model_dump(mode="json"),
    }
    journal = _write_journal(store, name, entry)
    crash_point("journaled")
    try:
        old_at = _swap(store, target, staged, backup, replacing)
    except BaseException:
        journal.unlink(missing_ok=True)
        raise
    crash_point("swapped")
    try:
        store.records.write(name, record)
    except BaseException:
        _undo_swap(target, staged, old_at)  # e.g. disk full: the old bundle and record stay
        journal.unlink(missing_ok=True)
        raise
    crash_point("committed")
    finish_install(store, entry, old_at)
    journal.unlink(missing_ok=True)
    return replacing


def _swap(store: ScopeStore, target: Path, staged: Path, backup: Optional[Path], replacing: bool) -> Optional[Path]:
    """Put staged at target; return where the old bundle now is (None: there was none)."""
    if not replacing:
        try:
            swap.rename_noreplace(staged, target)
        except FileExistsError:
            raise Conflict(f"Something named '{target.name}' appeared in the {store.scope} skills folder meanwhile; "
                           "nothing was replaced.", reason=EXISTS) from None
        return None
    try:
        if swap.exchange(staged, target):
            return staged  # the old bundle now sits where the staged one was
    except FileNotFoundError:
        raise NotFound(f"No {store.scope} skill named '{target.name}' (it was removed meanwhile).") from None
    os.rename(target, backup)
    crash_point("half_swapped")
    try:
        os.rename(staged, target)
    except BaseException:
        os.rename(backup, target)  # put the old bundle back before reporting
        raise
    return backup


def _undo_swap(target: Path, staged: Path, old_at: Optional[Path]) -> None:
    if old_at is None:
        os.rename(target, staged)
    elif old_at == staged:
        if not swap.exchange(staged, target):
            raise RuntimeError("cannot undo an exchange")
    else:
        os.rename(target, staged)
        os.rename(old_at, target)


def finish_install(store: ScopeStore, entry: dict, old_at: Optional[Path]) -> None:
    """After the record is committed: keep the old bundle as the one previous generation."""
    if old_at is not None and entry.get("generation"):
        generations = store.area(GENERATIONS)
        if holds(old_at, entry.get("old_id"), entry.get("old_digest")):
            os.rename(old_at, generations / entry["generation"])
        # else: not the bundle we replaced; never delete what we cannot identify
        drop = entry.get("drop_generation")
        dropped = store.entry_path(GENERATIONS, drop) if drop != entry["generation"] else None
        if dropped is not None:  # only an entry name the product creates: never '..' or a path
            remove_tree_quietly(generations / dropped.name)
        fsync_path(generations, directory=True)
    fsync_path(store.root, directory=True)


# -- delete and rename ---------------------------------------------------------------


def delete(store: ScopeStore, name: str) -> None:
    """Remove a skill: out of sight in one rename, then its record, then the files."""
    settle(store, name)
    target = store.skill_dir(name)
    if not os.path.lexists(target) or not (target / SKILL_MD).is_file():
        raise NotFound(f"No {store.scope} skill named '{name}'")
    store.records.writable_path(name)  # a refused record path (a link, a folder) fails before the folder moves
    record = store.records.read_raw(name)
    trash = store.park(TRASH, name)
    os.rename(target, trash)  # a link is moved as a link: its target is never touched
    crash_point("swapped")
    store.records.delete(name)
    fsync_path(store.root, directory=True)
    remove_tree_quietly(trash)  # recovery finishes it otherwise
    generation = store.entry_path(GENERATIONS, record.previous.folder) if record and record.previous else None
    if generation is not None:  # only an entry name the product creates (record.py validates it too)
        try:
            remove_tree_quietly(store.area(GENERATIONS, create=False) / generation.name)
        except UnsafeBookkeeping as err:  # a linked area is never entered; recovery reports it
            log.warning("notebook-skills: %s", err.message)


def write_record(store: ScopeStore, name: str, record: InstallRecord) -> None:
    """Commit a changed record whose frontmatter keys do not change (orphaned flag,
    last check, adoption); a change that restamps SKILL.md goes through `edit`."""
    settle(store, name)
    store.records.write(name, record)


# In-place changes of a live skill: same journal, same recovery (see edits.py).
from .edits import delete_file, edit, rename, stamped_text, write_file  # noqa: E402

__all__ = ["ANY", "CRASH_ENV", "GENERATIONS", "JOURNAL", "NEW", "Expect", "check_target", "crash_point", "delete",
           "delete_file", "edit", "install", "is_skill_folder", "rename", "seen", "settle", "stamp_skill_md",
           "stamped_text", "write_file", "write_record"]
