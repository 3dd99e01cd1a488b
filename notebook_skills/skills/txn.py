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
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import Conflict, Invalid, NotFound
from . import bundle_file, swap
from .frontmatter import parse_skill_md, set_frontmatter_keys
from .fsutil import atomic_write, fsync_path, fsync_tree, remove_tree_quietly
from .hashing import content_sha256
from .record import Generation, InstallRecord
from .records import folder_id
from .store import BACKUP, SKILL_MD, STAGING, TRASH, ScopeStore

JOURNAL, GENERATIONS = "journal", "generations"

# Test-only: a step name at which the process dies as if killed (kill -9).
CRASH_ENV = "NOTEBOOK_SKILLS_TEST_CRASH_AT"


def crash_point(step: str) -> None:
    if os.environ.get(CRASH_ENV) == step:
        os._exit(137)


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


def is_skill_folder(path: Path) -> bool:
    """A real folder (not a link) holding SKILL.md: what we may replace."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode) and os.path.isfile(path / SKILL_MD)
    except OSError:
        return False


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
            reason="exists",
        )
    if not expect.replace_ok:
        raise Conflict(
            f"A {store.scope} skill named '{name}' already exists. Choose another name or overwrite it.",
            reason="exists",
        )
    if expect.digest is not None and content_sha256(target) != expect.digest:
        raise Conflict(
            f"'{name}' changed on disk while the update was prepared; nothing was replaced. Try again.",
            reason="changed_on_disk",
        )
    return True


def settle(store: ScopeStore, name: str) -> None:
    """Under the skill lock: finish any half-done step a dead writer (or an
    earlier failure of ours) journaled for this skill, before starting a new one."""
    from .recovery import settle_journals  # recovery builds on this module

    settle_journals(store, name)


def _journal_path(store: ScopeStore, name: str) -> Path:
    return store.area(JOURNAL) / f"{name}.{store.ensure_owner()}.json"


def _write_journal(store: ScopeStore, name: str, entry: dict) -> Path:
    path = _journal_path(store, name)
    atomic_write(path, json.dumps(entry, sort_keys=True).encode("utf-8"))
    fsync_path(path.parent, directory=True)
    return path


def stamp_skill_md(store: ScopeStore, folder: Path, name: str, record: InstallRecord) -> None:
    """Write the product keys (and `name`) of SKILL.md in `folder` from the record."""
    md = folder / SKILL_MD
    text = md.read_bytes().decode("utf-8")
    updates = store.records.frontmatter_keys(record)
    fm_name = parse_skill_md(text).frontmatter.get("name")
    if fm_name is None or str(fm_name) != name:
        updates["name"] = name
    new = set_frontmatter_keys(text, updates)
    if new != text:
        atomic_write(md, new.encode("utf-8"))


def stamped_text(store: ScopeStore, text: str, record: Optional[InstallRecord]) -> str:
    """SKILL.md text with the product keys rendered from the record (no record: as given)."""
    if record is None:
        return text  # a skill we did not install: its keys are not ours to describe
    return set_frontmatter_keys(text, store.records.frontmatter_keys(record))


def write_file(store: ScopeStore, name: str, rel: str, content: str, expected_hash: Optional[str] = None) -> str:
    """Save one bundle file in place (the editor's save); returns the text written.

    Under the skill lock, right before writing: finish a step a dead writer left,
    re-check the caller's precondition (the hash of the file as it last read it;
    409 `changed_on_disk`, nothing written), and for SKILL.md put the product keys
    back as the install record has them, so a stale buffer cannot roll back
    `tracking_ref` or switch tracking by hand.
    """
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
                           "nothing was replaced.", reason="exists") from None
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
        if folder_id(old_at) == entry.get("old_id"):
            os.rename(old_at, generations / entry["generation"])
        # else: not the bundle we replaced; never delete what we cannot identify
        drop = entry.get("drop_generation")
        if drop and drop != entry["generation"]:
            remove_tree_quietly(generations / os.path.basename(drop))
        fsync_path(generations, directory=True)
    fsync_path(store.root, directory=True)


# -- delete and rename ---------------------------------------------------------------


def delete(store: ScopeStore, name: str) -> None:
    """Remove a skill: out of sight in one rename, then its record, then the files."""
    settle(store, name)
    target = store.skill_dir(name)
    if not os.path.lexists(target) or not (target / SKILL_MD).is_file():
        raise NotFound(f"No {store.scope} skill named '{name}'")
    record = store.records.read_raw(name)
    trash = store.park(TRASH, name)
    os.rename(target, trash)  # a link is moved as a link: its target is never touched
    crash_point("swapped")
    store.records.delete(name)
    fsync_path(store.root, directory=True)
    remove_tree_quietly(trash)  # recovery finishes it otherwise
    if record is not None and record.previous is not None:
        remove_tree_quietly(store.area(GENERATIONS) / os.path.basename(record.previous.folder))


def rename(store: ScopeStore, old: str, new: str, digest_of) -> None:
    """Move a skill and its record to a new name: all or nothing.

    `digest_of(folder)` gives the current content digest (the reader's cache).
    """
    settle(store, old)
    settle(store, new)
    src, dst = store.skill_dir(old), store.skill_dir(new)
    if not is_skill_folder(src):
        if os.path.lexists(src) and (src / SKILL_MD).is_file():
            raise Conflict(f"'{old}' is a link to a skill folder; rename the folder it points to.", reason="exists")
        raise NotFound(f"No {store.scope} skill named '{old}'")
    if os.path.lexists(dst):
        raise Conflict(f"A {store.scope} skill named '{new}' already exists (or a file of that name).", reason="exists")
    # Validate the SKILL.md edit before anything moves: a failure leaves all as it was.
    text = (src / SKILL_MD).read_bytes().decode("utf-8")
    if str(parse_skill_md(text).frontmatter.get("name")) != new:
        parse_skill_md(set_frontmatter_keys(text, {"name": new}))  # the edit finish_rename makes
    record = store.records.read(old)
    was_clean = bool(record and record.content_sha256 and digest_of(src) == record.content_sha256)
    entry = {
        "op": "rename",
        "name": old,
        "new": new,
        "folder_id": folder_id(src),
        "record": record.model_dump(mode="json") if record else None,
        "was_clean": was_clean,
    }
    journal = _write_journal(store, old, entry)
    try:
        swap.rename_noreplace(src, dst)
    except FileExistsError:
        journal.unlink(missing_ok=True)
        raise Conflict(f"A {store.scope} skill named '{new}' already exists.", reason="exists") from None
    except BaseException:
        journal.unlink(missing_ok=True)
        raise
    crash_point("swapped")
    finish_rename(store, entry)
    journal.unlink(missing_ok=True)


def finish_rename(store: ScopeStore, entry: dict) -> None:
    """The folder moved: rewrite `name` (and product keys), move the record."""
    new, old = entry["new"], entry["name"]
    dst = store.skill_dir(new)
    record = InstallRecord.model_validate(entry["record"]) if entry.get("record") else None
    md = dst / SKILL_MD
    text = md.read_bytes().decode("utf-8")
    updates: dict = {}
    if str(parse_skill_md(text).frontmatter.get("name")) != new:
        updates["name"] = new
    if record is not None and record.origin is not None:
        updates.update(store.records.frontmatter_keys(record))
    new_text = set_frontmatter_keys(text, updates) if updates else text
    if new_text != text:
        atomic_write(md, new_text.encode("utf-8"))
    if record is not None:
        if entry.get("was_clean"):
            # `name` is not a product key: a rename by the product is not a local edit.
            record.content_sha256 = content_sha256(dst)
        record.folder_id = entry["folder_id"]
        store.records.write(new, record)
    store.records.delete(old)
    fsync_path(store.root, directory=True)


def write_record(store: ScopeStore, name: str, record: InstallRecord, *, restamp: bool = False) -> None:
    """Commit a changed record (tracking toggle, orphaned flag); restamp SKILL.md from it."""
    store.records.write(name, record)
    if restamp:
        stamp_skill_md(store, store.skill_dir(name), name, record)
