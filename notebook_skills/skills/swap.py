"""Atomic renames for bundle swaps (contract §2).

On Linux `renameat2(RENAME_EXCHANGE)` swaps the staged bundle and the live
one in a single step, so an agent reading the skills dir never sees the skill
missing; `RENAME_NOREPLACE` installs a new skill without ever replacing
something that appeared at the target meanwhile.  Elsewhere (or on a
filesystem that refuses the flags) the swap falls back to two renames through
a backup entry, which the transaction journals so recovery can undo it.
"""

from __future__ import annotations

import ctypes
import errno
import os

RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2
_AT_FDCWD = -100

# Tests switch this off to exercise the two-rename fallback.
USE_RENAMEAT2 = True


def _load():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError, TypeError):  # no libc to load (e.g. Windows)
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_renameat2 = _load()


def _call(src, dst, flags: int) -> bool:
    """True when done; False when this system cannot do it (use the fallback)."""
    if not USE_RENAMEAT2 or _renameat2 is None:
        return False
    res = _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags)
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), os.fspath(dst))


def exchange(a, b) -> bool:
    """Atomically swap two existing paths; False if unsupported here."""
    return _call(a, b, RENAME_EXCHANGE)


def rename_noreplace(src, dst) -> None:
    """Rename src to dst; FileExistsError if anything is at dst."""
    if _call(src, dst, RENAME_NOREPLACE):
        return
    # Fallback: check-then-rename.  The skill lock keeps our own writers out;
    # os.rename of a dir onto a non-empty dir fails anyway.
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, "File exists", os.fspath(dst))
    os.rename(src, dst)
