"""The journal of the write path (`txn.py`, `edits.py`) and what both share.

A step that changes more than one thing on disk (a bundle and its record, a
folder and its SKILL.md) first writes `journal/<name>.<owner>.json` naming
what it is about to do; recovery (or the next writer of the skill, see
`settle`) finishes or undoes a step whose writer died.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from .fsutil import atomic_write
from .store import SKILL_MD, ScopeStore

JOURNAL, GENERATIONS = "journal", "generations"

# Test-only: a step name at which the process dies as if killed (kill -9).
CRASH_ENV = "NOTEBOOK_SKILLS_TEST_CRASH_AT"


def crash_point(step: str) -> None:
    if os.environ.get(CRASH_ENV) == step:
        os._exit(137)


def is_skill_folder(path: Path) -> bool:
    """A real folder (not a link) holding SKILL.md: what we may replace."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode) and os.path.isfile(path / SKILL_MD)
    except OSError:
        return False


def settle(store: ScopeStore, name: str) -> None:
    """Under the skill lock: finish any half-done step a dead writer (or an
    earlier failure of ours) journaled for this skill, before starting a new one."""
    from .recovery import settle_journals  # recovery builds on the write path

    settle_journals(store, name)


def journal_path(store: ScopeStore, name: str) -> Path:
    return store.area(JOURNAL) / f"{name}.{store.ensure_owner()}.json"


def write_journal(store: ScopeStore, name: str, entry: dict) -> Path:
    """Durable before the step starts (atomic_write fsyncs the file and journal/)."""
    path = journal_path(store, name)
    atomic_write(path, json.dumps(entry, sort_keys=True).encode("utf-8"), store.temp_path(name))
    return path
