"""Extract one folder of a GitHub tarball, safely.

Synchronous and blocking: callers run it in a thread.  Only regular files and
directories are materialized; every member path is re-derived and confined to
``dest``; tarfile's ``data`` filter is consulted as a second opinion.
"""

from __future__ import annotations

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
_FILE_MODE = 0o644
_EXEC_MODE = 0o755
_DIR_MODE = 0o755
MAX_DEPTH = 64  # path components below the skill folder; deeper is hostile


@dataclass
class ExtractResult:
    files: list[str] = field(default_factory=list)  # posix, relative to dest, sorted
    skipped: list[str] = field(default_factory=list)  # links, devices, escaping paths...
    total_bytes: int = 0


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
    max_members: int = 10000,
    limit_name: str = "max_skill_mb",
) -> ExtractResult:
    """Extract the members under ``subpath`` (after the top folder) into ``dest``.

    ``max_bytes`` caps the sum of extracted file sizes, ``max_members`` the
    members scanned (0 = no cap for either); ``limit_name`` is the setting the
    size cap comes from, named in the error.  Raises ArchiveTooLarge or
    ArchiveError; on error ``dest`` is emptied again.
    """
    dest = Path(dest)
    if not dest.is_dir() or any(dest.iterdir()):
        raise ValueError(f"extraction target must be an existing empty directory: {dest}")
    sub = _parts(subpath) if subpath.strip("/") else []
    if sub is None:
        raise ValueError(f"invalid subpath: {subpath!r}")
    root = dest.resolve()
    result = ExtractResult()
    try:
        _extract(Path(archive), sub, root, result, max_bytes, max_members, limit_name)
    except (ArchiveTooLarge, ArchiveError):
        _empty(root)
        raise
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        _empty(root)
        raise ArchiveError(f"The downloaded archive is corrupt or truncated ({type(exc).__name__})") from None
    result.files.sort()
    result.skipped.sort()
    return result


def _extract(
    archive: Path, sub: list[str], root: Path, result: ExtractResult, max_bytes: int, max_members: int, limit_name: str
) -> None:
    too_large = f"The unpacked content exceeds {limit_name} ({_limit_mb(max_bytes)})"
    # r:gz streams through GzipFile (no whole-archive buffering) and, unlike r|gz,
    # raises EOFError on a truncated stream instead of ending silently
    with tarfile.open(archive, mode="r:gz") as tf:
        top: str | None = None
        for count, member in enumerate(tf, 1):
            if max_members and count > max_members:
                raise ArchiveTooLarge(f"The archive has more than {max_members} members (member cap)")
            parts = _parts(member.name)
            if parts is None:
                result.skipped.append(member.name)
                continue
            top = top or parts[0]
            if parts[0] != top:  # GitHub tarballs have exactly one top folder
                result.skipped.append(member.name)
                continue
            rel = parts[1:]
            if rel[: len(sub)] != sub or len(rel) == len(sub):
                continue  # outside the subtree, or the subtree folder itself
            rel = rel[len(sub):]
            relname = "/".join(rel)
            if len(rel) > MAX_DEPTH:
                raise ArchiveTooLarge(
                    f"The archive holds a path more than {MAX_DEPTH} folders deep ({relname[:120]}…); it is not a skill"
                )
            if member.isdir():
                if _mkdirs(root, rel) is None:
                    result.skipped.append(relname)
                continue
            if not member.isfile():  # symlinks, hardlinks, devices, fifos
                result.skipped.append(relname)
                continue
            try:  # second opinion from the stdlib's own extraction policy
                tarfile.data_filter(member.replace(name=relname, deep=False), str(root))
            except tarfile.FilterError:
                result.skipped.append(relname)
                continue
            if max_bytes and result.total_bytes + member.size > max_bytes:
                raise ArchiveTooLarge(too_large)
            parent = _mkdirs(root, rel[:-1])
            target = (parent / rel[-1]) if parent is not None else None
            if target is None or not target.resolve().is_relative_to(root):
                result.skipped.append(relname)
                continue
            budget = max_bytes - result.total_bytes if max_bytes else None
            written = _write(tf, member, target, budget, too_large)
            if written is None:
                result.skipped.append(relname)
                continue
            result.files.append(relname)
            result.total_bytes += written
        # read to the end so gzip verifies its CRC over everything we extracted
        while tf.fileobj.read(_CHUNK):
            pass
