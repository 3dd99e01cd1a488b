"""One mapping from operating-system failures to the typed domain errors.

The disk is hostile (contract §2): it fills up, turns read-only, refuses
permission, holds a file where a folder should be, or has a name limit.  The
core raises plain ``OSError``s from many places; instead of catching them at
each call, the manager's public coroutines are wrapped once
(``guard_os_errors``) so every such failure becomes a clear 4xx/507 answer
that names the skill or the path, and never a 500 with a traceback.

Writes that can fail this way are staged (temp file, staging dir), so when
one of these errors escapes, the live bundle is what it was before.
"""

from __future__ import annotations

import errno
import functools
import inspect
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Optional

from .errors import BUSY, CHANGED_ON_DISK, EXISTS, NOT_WRITABLE, Conflict, InsufficientStorage, Invalid, SkillsError

BOOKKEEPING = ".notebook-skills"
_PARKED_AREAS = ("staging", "backup", "trash", "generations", "pending")
_MAX_SHOWN = 300  # a path in a message: long enough to recognise, never megabytes

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_READ_ONLY = {errno.EROFS}
_DENIED = {errno.EACCES, errno.EPERM}
_IN_THE_WAY = {errno.ENOTDIR, errno.EEXIST, errno.ENOTEMPTY}
_BUSY = {errno.EBUSY, errno.ETXTBSY}


def shown(path: object) -> str:
    """A path as text for a message: decoded, printable, bounded."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def skill_of(path: object) -> Optional[str]:
    """The skill a bookkeeping or bundle path belongs to, when it says so."""
    if not path:
        return None
    parts = Path(os.fsdecode(path) if isinstance(path, bytes) else str(path)).parts
    if BOOKKEEPING in parts:
        i = parts.index(BOOKKEEPING)
        if i + 2 < len(parts) and parts[i + 1] in _PARKED_AREAS:
            return parts[i + 2].split(".", 1)[0] or None
    return None


def _outside_bookkeeping(path: object) -> object:
    """Our temp and staging names mean nothing to a user: name the scope folder."""
    parts = Path(os.fsdecode(path) if isinstance(path, bytes) else str(path)).parts
    if BOOKKEEPING in parts[:-1] and _is_internal(parts):
        return Path(*parts[: parts.index(BOOKKEEPING)])
    return path


def _is_internal(parts: tuple) -> bool:
    i = parts.index(BOOKKEEPING)
    return i + 1 < len(parts) and parts[i + 1] in (*_PARKED_AREAS, "tmp")


def _blocker(path: Path) -> Optional[Path]:
    """The nearest existing ancestor (or path itself) that is not a folder."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            # a link to a folder is a folder here (users link ~/.claude/skills)
            return None if candidate.is_dir() else candidate
    return None


_ERRNO_TEXT = re.compile(r"\[Errno (\d+)\]")


def _first_copy_error(err: shutil.Error) -> Optional[OSError]:
    """shutil.copytree folds each failure into text ``(src, dst, str(OSError))``;
    recover the first one's errno and path so it maps like any other."""
    failures = err.args[0] if err.args and isinstance(err.args[0], list) else []
    for failure in failures:
        if isinstance(failure, tuple) and len(failure) == 3:
            found = _ERRNO_TEXT.search(str(failure[2]))
            if found:
                return OSError(int(found.group(1)), os.strerror(int(found.group(1))), failure[1])
    return None


def translate(err: OSError, skill: Optional[str] = None) -> Optional[SkillsError]:
    """The domain error for ``err``, or None when it is not the disk's doing."""
    if isinstance(err, shutil.Error):
        first = _first_copy_error(err)
        return translate(first, skill) if first is not None else None
    code = err.errno
    path = err.filename
    if err.filename2 and skill_of(path) is None and path and BOOKKEEPING in Path(os.fsdecode(path)).parts:
        path = err.filename2  # a rename out of bookkeeping: the user knows the target
    what = f"skill '{skill}'" if skill else (f"skill '{skill_of(path)}'" if skill_of(path) else "the skill")
    where = shown(_outside_bookkeeping(path)) if path else "the skills folder"
    if code in _DISK_FULL:
        return InsufficientStorage(f"Disk full while writing {what}; nothing was changed. Free some space and try again.")
    if code in _READ_ONLY:
        return Conflict(f"'{where}' is on a read-only file system; nothing was changed.", reason=NOT_WRITABLE)
    if code in _DENIED:
        return Conflict(f"Permission denied on '{where}'; nothing was changed. Check the folder's owner and mode.",
                        reason=NOT_WRITABLE)
    if code == errno.ENAMETOOLONG:
        return Invalid(f"A file or folder name is too long for the file system: '{where}'.")
    if code == errno.ELOOP:
        return Conflict(f"'{where}' is a symbolic link; notebook-skills never writes through links.",
                        reason=NOT_WRITABLE)
    if code == errno.EISDIR:
        return Conflict(f"'{where}' is a folder where a file was expected.", reason=EXISTS)
    if code in _IN_THE_WAY:
        blocker = _blocker(Path(os.fsdecode(path))) if path else None
        if blocker is not None:
            return Conflict(f"'{shown(blocker)}' is a file where a folder is needed; move it away and try again.",
                            reason=EXISTS)
        return Conflict(f"'{where}' already exists or changed on disk while notebook-skills worked on it; try again.",
                        reason=CHANGED_ON_DISK)
    if code == errno.ENOENT:
        return Conflict(f"'{where}' disappeared while notebook-skills worked on it (changed on disk); try again.",
                        reason=CHANGED_ON_DISK)
    if code in _BUSY:
        return Conflict(f"'{where}' is busy; try again.", reason=BUSY)
    return None


@contextmanager
def disk_errors(skill: Optional[str] = None) -> Iterator[None]:
    """Re-raise OS failures inside the block as typed domain errors."""
    try:
        yield
    except OSError as err:
        mapped = translate(err, skill)
        if mapped is None:
            raise
        raise mapped from None


def _skill_arg(sig: inspect.Signature, args: tuple, kwargs: dict) -> Optional[str]:
    try:
        bound = sig.bind_partial(*args, **kwargs).arguments
    except TypeError:
        return None
    name = bound.get("name")
    return name if isinstance(name, str) else None


def guard_os_errors(cls: type) -> type:
    """Class decorator: every public coroutine method maps OS failures."""
    for attr, fn in list(vars(cls).items()):
        if attr.startswith("_") or not inspect.iscoroutinefunction(fn):
            continue
        setattr(cls, attr, _guarded(fn))
    return cls


def _guarded(fn):
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        with disk_errors(_skill_arg(sig, args, kwargs)):
            return await fn(*args, **kwargs)

    return wrapper


def scope_problems(roots: Iterable[tuple[str, Path]]) -> list[str]:
    """What makes a scope unusable before anything is written (checked at startup).

    A scope dir or its bookkeeping dir that is a file (or a link) cannot hold
    skills; the extension still loads, and requests on that scope answer 409.
    """
    problems = []
    for scope, root in roots:
        root = Path(root)
        blocker = _blocker(root)
        if blocker is not None:
            why = "it is a file" if blocker == root else f"'{shown(blocker)}' is a file"
            problems.append(f"{scope} skills folder '{shown(root)}' cannot be used: {why}, not a folder; move it away")
            continue
        book = root / BOOKKEEPING
        if os.path.lexists(book) and (book.is_symlink() or not book.is_dir()):
            problems.append(f"{scope} bookkeeping '{shown(book)}' is a file or link, not a folder; move it away")
    return problems
