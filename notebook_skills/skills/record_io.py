"""Adapter: read and write InstallRecords for the sync engine.

STOPGAP for the `store` branch (issue 6 parts 1-4), which owns persisting the
record inside its transactional write path.  Until that lands the engine uses
this small adapter: one JSON file per skill at
`<scope>/.notebook-skills/records/<name>.json`, written atomically, tied to the
skill folder's identity (`folder_id`) so a folder re-created by hand does not
inherit the record.  Replace the three functions with the store's API.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

from pydantic import ValidationError

from ..errors import Invalid
from .fsutil import atomic_write, read_bounded
from .names import validate_name
from .record import InstallRecord
from .store import ScopeStore

_MAX_RECORD_BYTES = 256 * 1024


def _path(store: ScopeStore, name: str) -> Path:
    return store.bookkeeping / "records" / f"{validate_name(name)}.json"


def folder_id(path: Path) -> Optional[str]:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}"


def load_record(store: ScopeStore, name: str) -> Optional[InstallRecord]:
    """The skill's record, or None (absent, unreadable, newer version, other folder)."""
    try:
        raw = read_bounded(_path(store, name), _MAX_RECORD_BYTES, "install record")
        record = InstallRecord.model_validate(json.loads(raw.decode("utf-8")))
    except (OSError, ValueError, ValidationError, Invalid):
        return None
    if record.folder_id and record.folder_id != folder_id(store.skill_dir(name)):
        return None  # the folder was replaced by hand: a different skill
    return record


def save_record(store: ScopeStore, name: str, record: InstallRecord) -> None:
    """Write the record atomically (call after the bundle is in place)."""
    record.folder_id = folder_id(store.skill_dir(name))
    path = _path(store, name)
    store.tmp_dir()  # makes the bookkeeping dir (and its .gitignore) when missing
    path.parent.mkdir(exist_ok=True)
    atomic_write(path, record.model_dump_json(indent=2).encode("utf-8"))
