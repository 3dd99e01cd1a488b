"""In-place changes of a live skill, through the write path of `txn.py`.

The tracking toggle, description and body updates, file saves and deletes, and
rename change a skill without replacing its bundle.  Each one, under the skill
lock and after settling what a dead writer left (`txn.settle`):

1. prepares everything that needs disk space in bookkeeping first (the new
   SKILL.md, a second name for the old one): a full disk fails here, before
   anything visible changed;
2. journals the step (`journal/<name>.<owner>.json`, with the digest of the
   new SKILL.md and the record to commit);
3. writes: renames only (the SKILL.md prepared in 1, the folder of a rename);
4. commits the record;

and undoes 3 when 3 or 4 fails (an immutable folder, a full disk), so the
answer "nothing was changed" is true.  After a crash, recovery finishes the
step when the new SKILL.md is in place (commits the record) and undoes it
otherwise (`recover_edit`, `recover_rename`).  Temp files live in
bookkeeping (`tmp/<name>.<owner>.<token>`), never inside a bundle.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import Optional

from ..errors import CHANGED_ON_DISK, EXISTS, Conflict, Invalid, NotFound
from . import bundle_file, swap
from .frontmatter import parse_skill_md, set_frontmatter_keys
from .fsutil import fsync_parent, fsync_path, unlink_quietly, write_new
from .hashing import content_sha256
from .record import InstallRecord
from .records import folder_id, holds
from .store import SKILL_MD, TMP, TRASH, ScopeStore
from .journal import crash_point, is_skill_folder, settle
from .journal import write_journal as _write_journal


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _prepare(store: ScopeStore, name: str, md: Path, new: bytes) -> tuple[Path, Path]:
    """(new SKILL.md, a second name of the live one) in bookkeeping; both durable."""
    prepared = store.temp_path(name)
    write_new(prepared, new, stat.S_IMODE(os.stat(md).st_mode))
    keep = store.temp_path(name)
    try:
        try:
            os.link(md, keep)  # costs no space: the old SKILL.md stays reachable for an undo
        except OSError:
            write_new(keep, md.read_bytes())  # no hard links here: a copy (before any change)
    except BaseException:
        unlink_quietly(prepared)
        raise
    return prepared, keep


def _changed_on_disk(name: str) -> Conflict:
    return Conflict(f"SKILL.md of '{name}' changed on disk meanwhile; nothing was changed. Try again.",
                    reason=CHANGED_ON_DISK)


# -- SKILL.md and the record -------------------------------------------------------------


def edit(store: ScopeStore, name: str, text: Optional[str], record: Optional[InstallRecord], *,
         before: Optional[str] = None) -> None:
    """Rewrite a live skill's SKILL.md and/or commit its record: all or nothing.

    ``text`` None keeps SKILL.md, ``record`` None keeps the record; ``before``
    is the SKILL.md text the caller built ``text`` from (409 `changed_on_disk`
    when the file no longer holds it).
    """
    store.refuse_link(name)
    settle(store, name)
    folder = store.skill_dir(name)
    if not is_skill_folder(folder):
        raise NotFound(f"No {store.scope} skill named '{name}'")
    md = folder / SKILL_MD
    old = md.read_bytes()
    if before is not None and old != before.encode("utf-8"):
        raise _changed_on_disk(name)
    new = None if text is None else text.encode("utf-8")
    if record is not None:
        store.records.writable_path(name)  # a refused record path (a link, a folder) fails before SKILL.md changes
    if new is None or new == old:
        if record is not None:
            store.records.write(name, record)  # one atomic write: nothing to undo
        return
    prepared, keep = _prepare(store, name, md, new)
    journal = None
    settled = False
    try:
        entry = {
            "op": "edit",
            "name": name,
            "folder_id": folder_id(folder),
            "md_sha256": _sha(new),
            "prepared": prepared.name,
            "keep": keep.name,
            "record": record.model_dump(mode="json") if record is not None else None,
        }
        journal = _write_journal(store, name, entry)
        crash_point("journaled")
        try:
            os.replace(prepared, md)
        except BaseException:
            settled = True  # nothing was written
            raise
        crash_point("swapped")
        try:
            fsync_parent(md)
            if record is not None:
                store.records.write(name, record)
        except BaseException:
            os.replace(keep, md)  # the old SKILL.md back: nothing was changed
            settled = True
            raise
        crash_point("committed")
        settled = True
    finally:
        unlink_quietly(prepared)
        unlink_quietly(keep)
        if settled and journal is not None:
            journal.unlink(missing_ok=True)  # else recovery (or the next writer) settles it


def recover_edit(store: ScopeStore, data: dict) -> str:
    """A journaled edit whose writer died: finish it if the new SKILL.md is in place."""
    name = data["name"]
    folder = store.skill_dir(name)
    record = InstallRecord.model_validate(data["record"]) if data.get("record") else None
    note = f"rolled back an interrupted edit of '{name}' (SKILL.md and record kept)"
    if holds(folder, data.get("folder_id"), record.content_sha256 if record else None):
        try:
            current = _sha((folder / SKILL_MD).read_bytes())
        except OSError:
            current = None
        if current == data.get("md_sha256") and record is not None:
            record.folder_id = folder_id(folder)
            store.records.write(name, record)
            note = f"finished an interrupted edit of '{name}' (SKILL.md and its record)"
    _drop_entries(store, name, data, ("prepared", "keep"))
    return note


def _drop_entries(store: ScopeStore, name: str, data: dict, keys: tuple[str, ...]) -> None:
    """Remove the temp files a journal names, only if they are ours for this skill."""
    for key in keys:
        path = store.entry_path(TMP, data.get(key), name)
        if path is not None and os.path.lexists(path) and not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)


def stamped_text(store: ScopeStore, text: str, record: Optional[InstallRecord]) -> str:
    """SKILL.md text with the product keys rendered from the record (no record: as given)."""
    if record is None:
        return text  # a skill we did not install: its keys are not ours to describe
    return set_frontmatter_keys(text, store.records.frontmatter_keys(record))


# -- bundle files -----------------------------------------------------------------------


def write_file(store: ScopeStore, name: str, rel: str, content: str, expected_hash: Optional[str] = None) -> str:
    """Save one bundle file in place (the editor's save); returns the text written.

    Under the skill lock, right before writing: finish a step a dead writer left,
    re-check the caller's precondition (the hash of the file as it last read it;
    409 `changed_on_disk`, nothing written), and for SKILL.md put the product keys
    back as the install record has them, so a stale buffer cannot roll back
    `tracking_ref` or switch tracking by hand.  One atomic replace from a temp
    file in bookkeeping: the record does not change, so there is nothing to journal.
    """
    store.refuse_link(name)
    settle(store, name)
    path = store.resolve_rel(name, rel)
    if expected_hash is not None:
        try:  # a binary file cannot match a text hash: None means "changed"
            current = store.read_text_file(name, rel) if path.is_file() else None
        except Invalid:
            current = None
        bundle_file.check_unchanged(current, expected_hash, rel)
    text = content
    if path == store.skill_dir(name) / SKILL_MD:
        parse_skill_md(text)  # refuse to save a SKILL.md agents could not read
        text = stamped_text(store, text, store.records.read(name))
    store.write_text_file(name, rel, text)
    return text


def delete_file(store: ScopeStore, name: str, rel: str) -> None:
    """Delete one bundle file: out of the bundle in one rename (into bookkeeping),
    so a refusal (an immutable folder) changes nothing; then empty folders go."""
    store.refuse_link(name)
    settle(store, name)
    store.require(name)
    path = store.file_to_delete(name, rel)
    trash = store.park(TRASH, name)
    try:
        os.rename(path, trash)
    except OSError as err:
        if err.errno != errno.EXDEV:  # the file is on another mount inside the bundle
            raise
        os.unlink(path)
        trash = None
    base, parent = store.skill_dir(name), path.parent
    while parent != base:  # drop folders the deletion left empty
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
    fsync_path(parent, directory=True)  # the nearest folder that is left
    if trash is not None:
        unlink_quietly(trash)  # else recovery removes it


# -- rename -------------------------------------------------------------------------------


def rename(store: ScopeStore, old: str, new: str, digest_of) -> None:
    """Move a skill and its record to a new name: all or nothing.

    The new SKILL.md (`name`, product keys) is prepared in bookkeeping before
    the folder moves; any failure after the move puts SKILL.md and the folder
    back.  `digest_of(folder)` gives the current content digest (the reader's cache).
    """
    store.refuse_link(old)
    settle(store, old)
    settle(store, new)
    src, dst = store.skill_dir(old), store.skill_dir(new)
    if not is_skill_folder(src):
        raise NotFound(f"No {store.scope} skill named '{old}'")
    if os.path.lexists(dst):
        raise Conflict(f"A {store.scope} skill named '{new}' already exists (or a file of that name).", reason=EXISTS)
    store.records.writable_path(old)  # a refused record path (a link, a folder) fails before anything moves
    store.records.writable_path(new)
    md = src / SKILL_MD
    old_bytes = md.read_bytes()
    text = old_bytes.decode("utf-8")
    record = store.records.read(old)
    updates: dict = {}
    if str(parse_skill_md(text).frontmatter.get("name")) != new:
        updates["name"] = new
    if record is not None and record.origin is not None:
        updates.update(store.records.frontmatter_keys(record))
    new_text = set_frontmatter_keys(text, updates) if updates else text
    parse_skill_md(new_text)  # validated before anything moves
    new_bytes = new_text.encode("utf-8")
    fid = folder_id(src)
    moved = None
    if record is not None:
        moved = record.model_copy(deep=True)
        moved.folder_id = fid
        if record.content_sha256 and digest_of(src) == record.content_sha256:
            # `name` is not a product key, but a rename by the product is not a local edit
            moved.content_sha256 = content_sha256(src, new_bytes)
    prepared = keep = journal = None
    if new_bytes != old_bytes:
        prepared, keep = _prepare(store, old, md, new_bytes)
    entry = {
        "op": "rename",
        "name": old,
        "new": new,
        "folder_id": fid,
        "md_sha256": _sha(new_bytes),
        "prepared": prepared.name if prepared else None,
        "keep": keep.name if keep else None,
        "record": moved.model_dump(mode="json") if moved is not None else None,
    }
    settled = False
    try:
        journal = _write_journal(store, old, entry)
        crash_point("journaled")
        try:
            swap.rename_noreplace(src, dst)
        except FileExistsError:
            settled = True
            raise Conflict(f"A {store.scope} skill named '{new}' already exists.", reason=EXISTS) from None
        except BaseException:
            settled = True
            raise
        crash_point("half_swapped")
        replaced = False
        try:
            if prepared is not None:
                os.replace(prepared, dst / SKILL_MD)
                replaced = True
            crash_point("swapped")
            if moved is not None:
                store.records.write(new, moved)
            store.records.delete(old)
            fsync_path(store.root, directory=True)
            crash_point("committed")
        except BaseException:
            _undo_rename(store, src, dst, keep if replaced else None, moved is not None)
            settled = True
            raise
        settled = True
    finally:
        unlink_quietly(prepared)
        unlink_quietly(keep)
        if settled and journal is not None:
            journal.unlink(missing_ok=True)


def _undo_rename(store: ScopeStore, src: Path, dst: Path, keep: Optional[Path], had_record: bool) -> None:
    """Put SKILL.md (``keep``: when it was replaced) and the folder back; the old
    record is removed last, so it is still there."""
    if keep is not None:
        os.replace(keep, dst / SKILL_MD)
    swap.rename_noreplace(dst, src)
    if had_record:
        store.records.delete(dst.name)  # the new name held no skill: its record cannot matter


def recover_rename(store: ScopeStore, data: dict) -> str:
    """A journaled rename whose writer died: finish it when the folder moved and
    its new SKILL.md is in place, else put the folder back under its old name."""
    old, new = data["name"], data["new"]
    src, dst = store.skill_dir(old), store.skill_dir(new)
    record = InstallRecord.model_validate(data["record"]) if data.get("record") else None
    note = f"rolled back renaming '{old}' to '{new}'"
    if holds(dst, data.get("folder_id"), record.content_sha256 if record else None):
        try:
            current = _sha((dst / SKILL_MD).read_bytes())
        except OSError:
            current = None
        if current == data.get("md_sha256"):
            if record is not None:
                record.folder_id = folder_id(dst)
                store.records.write(new, record)
            store.records.delete(old)
            note = f"finished renaming '{old}' to '{new}'"
        elif not os.path.lexists(src):
            swap.rename_noreplace(dst, src)  # the folder moved, its SKILL.md did not: move it back
    _drop_entries(store, old, data, ("prepared", "keep"))
    return note
