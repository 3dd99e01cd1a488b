"""Extract one folder of a GitHub tarball, safely.

Synchronous and blocking: callers run it in a thread.  Only regular files and
directories are materialized; every member path is re-derived and confined to
``dest``; tarfile's ``data`` filter is consulted as a second opinion.
"""

from __future__ import annotations

import errno
import gzip
import os
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..skills.fsutil import remove_tree_quietly
from .errors import ArchiveError, ArchiveTooLarge

_CHUNK = 64 * 1024
# Modes as git knows them: 0755 for an executable member, else 0644; folders 0755.
# The process umask applies (a user with umask 077 gets private skills), and
# setuid/setgid/sticky bits from the archive are never kept.
_HEADER = 512  # every tar member costs at least one header block when decompressed
MAX_MEMBERS = 10000  # files and folders inside one skill folder (member cap)
# Files and folders of a whole repository (or the folder a URL names) unpacked to search
# it for skills: a monorepo with a small skill in it previews; the per-skill cap above is
# then applied to each skill folder found (sources/discovery.py, skills/upstream.py).
MAX_SOURCE_MEMBERS = 200_000
SKILL_MEMBERS = "The skill folder has more than {n} files and folders (member cap)"
_FILE_MODE = 0o644
_EXEC_MODE = 0o755
_DIR_MODE = 0o755
MAX_DEPTH = 64  # path components below the skill folder; deeper is hostile


@dataclass
class ExtractResult:
    files: list[str] = field(default_factory=list)  # posix, relative to dest, sorted
    skipped: list[str] = field(default_factory=list)  # links, devices, escaping paths...
    total_bytes: int = 0


def _is_utf8(name: str) -> bool:
    """tarfile decodes names with surrogateescape: bytes that are not UTF-8 become lone
    surrogates, which the file system would take but no JSON answer can name."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parts(name: str) -> list[str] | None:
    """Path components of a member name, or None when it could escape."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return parts


def _mkdirs(root: Path, rel: list[str]) -> Path | None:
    """Create root/rel… as real directories; None if something else is in the way."""
    cur = root
    for part in rel:
        cur = cur / part
        if cur.is_symlink():  # never created by us; refuse to follow one anyway
            return None
        if not cur.exists():
            os.mkdir(cur, _DIR_MODE)  # umask applies
        elif not cur.is_dir():
            return None
    return cur


def _write(tf: tarfile.TarFile, member: tarfile.TarInfo, target: Path, budget: int | None, too_large: str) -> int | None:
    """Copy one member's data; None when the target already exists (duplicate member)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    mode = _EXEC_MODE if member.mode & 0o111 else _FILE_MODE
    try:
        fd = os.open(target, flags, mode)  # umask applies
    except FileExistsError:
        return None
    written = 0
    with os.fdopen(fd, "wb") as out:
        src = tf.extractfile(member)
        if src is None:
            return 0
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if budget is not None and written > budget:
                raise ArchiveTooLarge(too_large)
            out.write(chunk)
    return written


def _empty(dest: Path) -> None:
    # leave dest as we found it (empty) so a failed extraction stages nothing
    for child in dest.iterdir():
        remove_tree_quietly(child)  # iterative, never follows a link


def _limit_mb(max_bytes: int) -> str:
    return f"{max_bytes / (1024 * 1024):g} MB"


def extract_subtree(
    archive: Path,
    subpath: str,
    dest: Path,
    *,
    max_bytes: int,
    max_members: int | None = None,
    limit_name: str = "max_skill_mb",
    max_scan_bytes: int = 0,
    members_message: str | None = None,
) -> ExtractResult:
    """Extract the members under ``subpath`` (after the top folder) into ``dest``.

    ``max_bytes`` caps the sum of extracted file sizes, ``max_members`` the
    members *inside* the subtree (a small skill in a huge monorepo imports);
    0 = no cap for either.  ``limit_name`` is the setting the size cap comes
    from, named in the error, and ``members_message`` is the member cap's error (default:
    SKILL_MEMBERS with the cap).  ``max_scan_bytes`` caps the decompressed bytes
    read overall, inside the subtree or not (an archive inflating to gigabytes
    elsewhere stops early).  Raises ArchiveTooLarge or ArchiveError; on error
    ``dest`` is emptied again.
    """
    outcome = extract_subtrees(archive, {subpath: dest}, max_bytes=max_bytes, max_members=max_members,
                               limit_name=limit_name, max_scan_bytes=max_scan_bytes,
                               members_message=members_message)[subpath]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def extract_subtrees(
    archive: Path,
    targets: dict[str, Path],
    *,
    max_bytes: int,
    max_members: int | None = None,
    limit_name: str = "max_skill_mb",
    max_scan_bytes: int = 0,
    members_message: str | None = None,
) -> dict[str, "ExtractResult | Exception"]:
    """Several subtrees of one archive in a single pass (one decompression).

    Caps apply per subtree, as in `extract_subtree`; a subtree that fails gets
    its exception (and an emptied ``dest``) without stopping the others, while
    a corrupt archive or the scan cap fails them all.
    """
    max_members = MAX_MEMBERS if max_members is None else max_members
    if members_message is None:
        members_message = SKILL_MEMBERS.format(n=max_members)
    states = []
    for subpath, dest in targets.items():
        dest = Path(dest)
        if not dest.is_dir() or any(dest.iterdir()):
            raise ValueError(f"extraction target must be an existing empty directory: {dest}")
        sub = _parts(subpath) if subpath.strip("/") else []
        if sub is None:
            raise ValueError(f"invalid subpath: {subpath!r}")
        states.append(_Target(subpath, sub, dest.resolve(), max_bytes, max_members, limit_name, members_message))
    try:
        _extract(Path(archive), states, max_scan_bytes)
    except (ArchiveTooLarge, ArchiveError) as exc:
        for st in states:
            st.fail(exc)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        err = ArchiveError(f"The downloaded archive is corrupt or truncated ({type(exc).__name__})")
        for st in states:
            st.fail(err)
    out: dict[str, ExtractResult | Exception] = {}
    for st in states:
        if st.error is None:
            st.result.files.sort()
            st.result.skipped.sort()
        out[st.subpath] = st.error or st.result
    return out


class _Target:
    """One subtree being extracted: its caps, counters and outcome."""

    def __init__(self, subpath: str, sub: list[str], root: Path, max_bytes: int, max_members: int, limit_name: str,
                 members_message: str):
        self.subpath, self.sub, self.root = subpath, sub, root
        self.max_bytes, self.max_members = max_bytes, max_members
        self.members_message = members_message
        self.too_large = f"The unpacked content exceeds {limit_name} ({_limit_mb(max_bytes)})"
        self.result = ExtractResult()
        self.inside = 0
        self.error: Exception | None = None

    def fail(self, exc: Exception) -> None:
        if self.error is None:
            self.error = exc
            _empty(self.root)  # leave dest as we found it: a failed extraction stages nothing

    def take(self, tf: tarfile.TarFile, member: tarfile.TarInfo, rel: list[str]) -> None:
        if self.error is not None or rel[: len(self.sub)] != self.sub or len(rel) == len(self.sub):
            return  # failed already, outside the subtree, or the subtree folder itself
        try:
            self._take(tf, member, rel[len(self.sub):])
        except ArchiveTooLarge as exc:
            self.fail(exc)

    def _take(self, tf: tarfile.TarFile, member: tarfile.TarInfo, rel: list[str]) -> None:
        result = self.result
        self.inside += 1
        if self.max_members and self.inside > self.max_members:
            raise ArchiveTooLarge(self.members_message)
        relname = "/".join(rel)
        if len(rel) > MAX_DEPTH:
            raise ArchiveTooLarge(
                f"The archive holds a path more than {MAX_DEPTH} folders deep ({relname[:120]}…); it is not a skill"
            )
        if not _is_utf8(relname):
            # installed, it would be a file the files API cannot name: listed, not written
            result.skipped.append(relname)
            return
        try:
            self._place(tf, member, rel, relname)
        except OSError as err:
            if err.errno != errno.ENAMETOOLONG:
                raise
            # one over-long name is that member's problem, not the whole repository's
            result.skipped.append(relname)

    def _place(self, tf: tarfile.TarFile, member: tarfile.TarInfo, rel: list[str], relname: str) -> None:
        result, root = self.result, self.root
        if member.isdir():
            if _mkdirs(root, rel) is None:
                result.skipped.append(relname)
            return
        if not member.isfile():  # symlinks, hardlinks, devices, fifos
            result.skipped.append(relname)
            return
        try:  # second opinion from the stdlib's own extraction policy
            tarfile.data_filter(member.replace(name=relname, deep=False), str(root))
        except tarfile.FilterError:
            result.skipped.append(relname)
            return
        if self.max_bytes and result.total_bytes + member.size > self.max_bytes:
            raise ArchiveTooLarge(self.too_large)
        parent = _mkdirs(root, rel[:-1])
        target = (parent / rel[-1]) if parent is not None else None
        if target is None or not target.resolve().is_relative_to(root):
            result.skipped.append(relname)
            return
        budget = self.max_bytes - result.total_bytes if self.max_bytes else None
        written = _write(tf, member, target, budget, self.too_large)
        if written is None:
            result.skipped.append(relname)
            return
        result.files.append(relname)
        result.total_bytes += written


def _extract(archive: Path, states: list[_Target], max_scan_bytes: int = 0) -> None:
    # r:gz streams through GzipFile (no whole-archive buffering) and, unlike r|gz,
    # raises EOFError on a truncated stream instead of ending silently
    with tarfile.open(archive, mode="r:gz") as tf:
        top: str | None = None
        scanned = 0
        for member in tf:
            scanned += _HEADER + member.size
            if max_scan_bytes and scanned > max_scan_bytes:
                raise ArchiveTooLarge(
                    f"The archive unpacks to more than {_limit_mb(max_scan_bytes)} (decompressed size cap, "
                    "max_unpacked_mb)"
                )
            parts = _parts(member.name)
            if parts is None:
                for st in states:
                    st.result.skipped.append(member.name)
                continue
            top = top or parts[0]
            if parts[0] != top:  # GitHub tarballs have exactly one top folder
                for st in states:
                    st.result.skipped.append(member.name)
                continue
            for st in states:
                st.take(tf, member, parts[1:])
        # read to the end so gzip verifies its CRC over everything we extracted
        while tf.fileobj.read(_CHUNK):
            pass
