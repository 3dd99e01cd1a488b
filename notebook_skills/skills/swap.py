"""Atomic bundle replacement and crash recovery (contract §2).

Layout under `<scope>/.notebook-skills/`: `staging/<name>.<token>/` (a new
bundle being built), `backup/<name>.<token>` (the old bundle during the two
renames of a swap), `trash/<name>.<token>` (a deleted bundle being removed).
Bookkeeping lives on the scope's filesystem, so every `rename` is atomic.

Swap = rename old → backup, rename staged → target, remove backup.  After a
crash, the target is either absent (put the backup back: old bundle) or
present (drop the backup: new bundle) — never a mix.
"""

from __future__ import annotations

import os
from pathlib import Path

from .fsutil import remove_tree, remove_tree_quietly, token
from .names import is_valid_name

STAGING, BACKUP, TRASH, TMP = "staging", "backup", "trash", "tmp"


def park(bookkeeping: Path, area: str, name: str) -> Path:
    """A fresh, unused path `bookkeeping/area/<name>.<token>` (parent created)."""
    parent = bookkeeping / area
    parent.mkdir(parents=True, exist_ok=True)
    return parent / f"{name}.{token()}"


def swap_in(bookkeeping: Path, target: Path, name: str, staged: Path) -> None:
    if not os.path.lexists(target):
        os.rename(staged, target)
        return
    backup = park(bookkeeping, BACKUP, name)
    os.rename(target, backup)
    try:
        os.rename(staged, target)
    except BaseException:
        os.rename(backup, target)  # put the old bundle back before reporting
        raise
    remove_tree_quietly(backup)  # a leftover is cleaned by recover()


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except FileNotFoundError:
        return []


def recover(bookkeeping: Path, root: Path) -> list[str]:
    """Finish or undo whatever a crash interrupted; return what was done."""
    notes: list[str] = []
    for area in (STAGING, TRASH, TMP):
        for leftover in _entries(bookkeeping / area):
            if remove_tree_quietly(leftover):
                notes.append(f"removed leftover {area} entry {leftover.name}")
            else:
                notes.append(f"could not remove leftover {area} entry {leftover.name}")
    for backup in _entries(bookkeeping / BACKUP):
        name = backup.name.rsplit(".", 1)[0]
        target = root / name
        if not is_valid_name(name):
            remove_tree_quietly(backup)
            notes.append(f"removed unexpected backup {backup.name}")
        elif not os.path.lexists(target):
            os.rename(backup, target)
            notes.append(f"restored skill '{name}' from an interrupted update")
        else:
            try:
                remove_tree(backup)
                notes.append(f"removed the old copy of skill '{name}' left by an interrupted update")
            except OSError as err:
                notes.append(f"could not remove backup {backup.name}: {err.strerror}")
    return notes
