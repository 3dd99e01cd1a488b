"""Install records on disk: `<scope>/.notebook-skills/records/<name>.json`.

A record describes one skill *folder*, identified by `folder_id` (device and
inode of the folder).  A folder deleted by hand and re-created under the same
name is another skill: its old record is ignored (and dropped by the next
write or recovery), never inherited.  The product's frontmatter keys are
written from a record by `frontmatter_keys`, the only place that renders them.

Legacy `meta/<name>.json` files (content digest, orphaned flag, commit) are
turned into a record once, the first time a skill without a record is read.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import re
import stat
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional
from urllib.parse import urlsplit

from pydantic import ValidationError

from ..errors import SkillsError

from .frontmatter import PRODUCT_KEYS, parse_skill_md
from .fsutil import atomic_write, fsync_path, read_bounded, token
from .record import InstallRecord, Origin
from .swap import rename_noreplace

if TYPE_CHECKING:
    from .store import ScopeStore

log = logging.getLogger(__name__)

RECORDS, LEGACY_META = "records", "meta"
_MAX_RECORD_BYTES = 256 * 1024
_SHA = re.compile(r"[0-9a-f]{40}")

# Turns a frontmatter `source` URL into an Origin (set by the manager, which
# knows the GitHub host).  Used once per skill: migrating a legacy meta file or
# turning tracking on for a skill that has no record yet.
OriginParser = Callable[[str, Optional[str]], Optional[Origin]]


def _load_statx():
    try:
        fn = ctypes.CDLL(None, use_errno=True).statx
    except (OSError, AttributeError, TypeError):  # no libc to load (e.g. Windows)
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
    fn.restype = ctypes.c_int
    return fn


_statx = _load_statx()
_AT_FDCWD, _AT_SYMLINK_NOFOLLOW, _STATX_INO, _STATX_BTIME = -100, 0x100, 0x100, 0x800


def _birth(path) -> Optional[str]:
    """Creation time (Linux statx), which an inode number reused after a delete does not share."""
    if _statx is None:
        return None
    buf = ctypes.create_string_buffer(256)
    if _statx(_AT_FDCWD, os.fsencode(path), _AT_SYMLINK_NOFOLLOW, _STATX_INO | _STATX_BTIME, buf) != 0:
        return None
    mask = struct.unpack_from("I", buf, 0)[0]
    if not mask & _STATX_BTIME:
        return None
    sec, nsec = struct.unpack_from("qI", buf, 80)  # stx_btime
    return f"{sec}.{nsec:09d}"


def folder_id(path) -> Optional[str]:
    """Identity of a skill folder (not followed if it is a link); None if absent.

    Device and inode, plus the birth time where the system reports it: a
    folder deleted and re-created may get the same inode number back.
    """
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    birth = _birth(path)
    return f"{st.st_dev}:{st.st_ino}" + (f":{birth}" if birth else "")


def source_url(origin: Origin, web_url: Optional[str] = None) -> str:
    """Contract §3 `source`: {github_url}/{owner}/{repo}/tree/{ref}/{path}.

    `web_url` is the configured `github_url`; it is used as the base when it
    names the origin's host (so a port or path prefix is kept).
    """
    base = f"https://{origin.host}"
    if web_url:
        configured = urlsplit(web_url).hostname or ""
        if configured.lower() == origin.host.rsplit(":", 1)[0].lower():
            base = web_url.rstrip("/")
    base = f"{base}/{origin.owner}/{origin.repo}/tree/{origin.ref}"
    return f"{base}/{origin.path}" if origin.path else base


def frontmatter_keys(record: InstallRecord, web_url: Optional[str] = None) -> dict:
    """Every product frontmatter key, rendered from the record (None = remove)."""
    keys: dict = dict.fromkeys(PRODUCT_KEYS)
    if record.origin is not None:
        keys["source"] = source_url(record.origin, web_url)
        if record.tracking:
            keys["tracks_upstream"] = True
            keys["tracking_ref"] = record.commit
    if record.managed_source:
        keys["managed_source"] = record.managed_source
        keys["managed_ref"] = record.managed_ref
    return keys


class Records:
    def __init__(self, store: "ScopeStore", origin_parser: OriginParser | None = None,
                 web_url: Optional[str] = None) -> None:
        self.store = store
        self.origin_parser = origin_parser
        self.web_url = web_url  # the configured github_url: base of rendered `source` URLs

    def source_url(self, origin: Origin) -> str:
        return source_url(origin, self.web_url)

    def frontmatter_keys(self, record: InstallRecord) -> dict:
        return frontmatter_keys(record, self.web_url)

    def path(self, name: str) -> Path:
        return self.store.area(RECORDS, create=False) / f"{name}.json"

    # -- reading ---------------------------------------------------------------

    def read_raw(self, name: str) -> Optional[InstallRecord]:
        """The stored record whatever folder it describes; None if absent or unreadable."""
        try:
            path = self.path(name)
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return None
            return InstallRecord.model_validate_json(read_bounded(path, _MAX_RECORD_BYTES, "record"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, ValidationError, SkillsError) as err:
            # Unreadable, a newer version, or bookkeeping refused (a link): unknown skill.
            log.warning("notebook-skills: ignoring the record of %s/%s: %s", self.store.scope, name, err)
            return None

    def read(self, name: str) -> Optional[InstallRecord]:
        """The record of the skill folder now at `name`, or None (unknown skill)."""
        current = folder_id(self.store.root / name)
        if current is None:
            return None
        record = self.read_raw(name)
        if record is None:
            return self._migrate(name, current)
        if record.folder_id is not None and record.folder_id != current:
            return None  # a different folder now: never inherit
        return record

    # -- writing (callers hold the skill lock) ----------------------------------

    def write(self, name: str, record: InstallRecord) -> None:
        if record.folder_id is None:
            record.folder_id = folder_id(self.store.root / name)
        folder = self.store.area(RECORDS)
        atomic_write(folder / f"{name}.json", _dump(record))
        fsync_path(folder, directory=True)
        self._drop_legacy(name)

    def delete(self, name: str) -> None:
        try:
            self.path(name).unlink(missing_ok=True)
        except NotADirectoryError:
            pass
        self._drop_legacy(name)

    # -- legacy meta/*.json -----------------------------------------------------

    def _legacy_path(self, name: str) -> Path:
        return self.store.area(LEGACY_META, create=False) / f"{name}.json"

    def _drop_legacy(self, name: str) -> None:
        try:
            self._legacy_path(name).unlink(missing_ok=True)
        except (OSError, ValueError, SkillsError):
            pass

    def _migrate(self, name: str, current: str) -> Optional[InstallRecord]:
        try:
            legacy = self._legacy_path(name)
            if not stat.S_ISREG(os.lstat(legacy).st_mode):
                return None
            meta = json.loads(read_bounded(legacy, _MAX_RECORD_BYTES, "meta"))
        except (OSError, ValueError, SkillsError):
            return None
        if not isinstance(meta, dict):
            return None
        record = self._from_legacy(name, meta, current)
        try:
            folder = self.store.area(RECORDS)
            tmp = folder / f".{name}.{token()}.migrate"
            atomic_write(tmp, _dump(record))
            try:
                # No replace: a record written meanwhile by a transaction wins.
                rename_noreplace(tmp, folder / f"{name}.json")
            except FileExistsError:
                tmp.unlink(missing_ok=True)
                return self.read_raw(name)
            legacy.unlink(missing_ok=True)
        except (OSError, ValueError, SkillsError) as err:
            log.warning("notebook-skills: could not migrate %s/%s meta: %s", self.store.scope, name, err)
        return record

    def _from_legacy(self, name: str, meta: dict, current: str) -> InstallRecord:
        fm: dict = {}
        try:
            fm = parse_skill_md(read_bounded(self.store.root / name / "SKILL.md", 1 << 20, "SKILL.md")).frontmatter
        except Exception:  # noqa: BLE001 - a broken SKILL.md migrates without origin
            pass
        source = fm.get("source")
        origin = None
        if isinstance(source, str) and self.origin_parser is not None:
            origin = self.origin_parser(source, None)
        ref = meta.get("ref")
        commit = ref if isinstance(ref, str) and _SHA.fullmatch(ref) else None
        digest = meta.get("content_sha256")
        return InstallRecord(
            origin=origin,
            commit=commit,
            content_sha256=digest if isinstance(digest, str) else None,
            tracking=fm.get("tracks_upstream") is True and origin is not None,
            managed_source=_str(fm.get("managed_source")),
            orphaned=meta.get("orphaned") is True,
            folder_id=current,
        )


def _dump(record: InstallRecord) -> bytes:
    return json.dumps(record.model_dump(mode="json"), indent=2, sort_keys=True).encode("utf-8")


def _str(value: object) -> Optional[str]:
    return None if value is None or value == "" else str(value)
