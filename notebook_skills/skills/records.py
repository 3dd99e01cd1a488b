"""Install records on disk: `<scope>/.notebook-skills/records/<name>.json`.

A record describes one skill *folder*, identified by `folder_id` (inode of
the folder, plus its birth time where the system reports one).  A folder
deleted by hand and re-created under the same name is another skill: its old
record is ignored (and dropped by the next write or recovery), never
inherited.  The device is not part of the identity, and a folder whose
identity changed but whose content still has the recorded digest is the same
skill (a remount, an NFS home seen from another server, a restore from a
backup): its record is re-bound to the new identity, never dropped.  The product's frontmatter keys are
written from a record by `frontmatter_keys`, the only place that renders them.

Legacy `meta/<name>.json` files (content digest, orphaned flag, commit) are
turned into a record once, the first time a skill without a record is read.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import stat
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional
from urllib.parse import urlsplit

from pydantic import ValidationError

from ..errors import EXISTS, NOT_WRITABLE, Conflict, SkillsError
from ..github.answers import is_sha

from .frontmatter import PRODUCT_KEYS, parse_skill_md
from .fsutil import atomic_write, read_bounded, token
from .hashing import content_sha256
from .locks import try_lock
from .record import InstallRecord, Origin
from .swap import rename_noreplace

if TYPE_CHECKING:
    from .store import ScopeStore

log = logging.getLogger(__name__)

RECORDS, LEGACY_META = "records", "meta"
_MAX_RECORD_BYTES = 256 * 1024

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

    The inode, plus the birth time where the system reports it: a folder
    deleted and re-created may get the same inode number back.  Not the
    device: it changes with a remount (NFS homes on JupyterHub), which must not
    turn every skill into a stranger.
    """
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    birth = _birth(path)
    return f"{st.st_ino}" + (f":{birth}" if birth else "")


def _id_parts(value: str) -> tuple[str, Optional[str]]:
    """(inode, birth) of a folder id; ids written before 0.3 led with the device."""
    parts = value.split(":")
    birth = parts[-1] if len(parts) > 1 and "." in parts[-1] else None
    return (parts[-2] if birth else parts[-1]), birth


def same_folder(recorded: Optional[str], current: Optional[str]) -> bool:
    """Whether two folder ids name the same folder (a missing birth time matches any)."""
    if not recorded or not current:
        return False
    (ino_a, birth_a), (ino_b, birth_b) = _id_parts(recorded), _id_parts(current)
    return ino_a == ino_b and (birth_a is None or birth_b is None or birth_a == birth_b)


def holds(path, fid: Optional[str], digest: Optional[str]) -> bool:
    """Whether the folder at ``path`` is the one with id ``fid`` or, when its
    identity changed (remount, restore), has content digest ``digest``."""
    current = folder_id(path)
    if current is None:
        return False
    if same_folder(fid, current):
        return True
    return bool(digest) and content_sha256(path) == digest


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
        self._strangers: set = set()  # (name, recorded id, current id, digest) that did not match

    def source_url(self, origin: Origin) -> str:
        return source_url(origin, self.web_url)

    def frontmatter_keys(self, record: InstallRecord) -> dict:
        return frontmatter_keys(record, self.web_url)

    def path(self, name: str) -> Path:
        return self.store.area(RECORDS, create=False) / f"{name}.json"

    def writable_path(self, name: str) -> Path:
        """`records/<name>.json` if a write may replace or remove it: absent or a regular
        file, never a link or a folder.  Writers check it before they move anything, so
        a refusal changes nothing (the records area itself is checked by `path`)."""
        path = self.path(name)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return path
        if stat.S_ISREG(st.st_mode):
            return path
        if stat.S_ISDIR(st.st_mode):
            raise Conflict(f"'{path}' is a folder where a file was expected; nothing was changed. Move it away "
                           "and try again.", reason=EXISTS)
        raise Conflict(f"{path} is a link or not a file; notebook-skills refuses to use it and nothing was changed. "
                       "Remove it and try again.", reason=NOT_WRITABLE)

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
        if record.folder_id is not None and not same_folder(record.folder_id, current):
            return self.rebind(name, record, current)
        return record

    def rebind(self, name: str, record: InstallRecord, current: str) -> Optional[InstallRecord]:
        """A record whose folder identity changed: the same skill if the content
        still has the recorded digest (re-bound, and saved when nobody is
        writing the skill), else another folder (None: never inherited)."""
        key = (name, record.folder_id, current, record.content_sha256)
        if key in self._strangers:
            return None
        if not record.content_sha256 or content_sha256(self.store.root / name) != record.content_sha256:
            if len(self._strangers) > 1000:
                self._strangers.clear()
            self._strangers.add(key)
            return None
        record.folder_id = current
        try:
            lock = try_lock(self.store.lock_path(name))
        except (OSError, SkillsError):
            lock = None
        if lock is not None:  # else a writer holds it and writes a record itself
            try:
                self.write(name, record)
                log.info("notebook-skills: re-bound the record of %s/%s to its folder", self.store.scope, name)
            except (OSError, SkillsError) as err:
                log.warning("notebook-skills: could not re-bind the record of %s/%s: %s", self.store.scope, name, err)
            finally:
                lock.release()
        return record

    # -- writing (callers hold the skill lock) ----------------------------------

    def write(self, name: str, record: InstallRecord) -> None:
        if record.folder_id is None:
            record.folder_id = folder_id(self.store.root / name)
        folder = self.store.area(RECORDS)
        atomic_write(folder / f"{name}.json", _dump(record), self.store.temp_path(name))  # fsyncs the folder
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
        commit = ref if is_sha(ref) else None
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
