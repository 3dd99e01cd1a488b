"""Small filesystem helpers shared by the store and the hasher."""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from pathlib import Path

from ..errors import Invalid


def token() -> str:
    return secrets.token_hex(8)


def bundle_files(root: Path) -> list[str]:
    """Regular files under root as relative posix paths, sorted by code point.

    Symlinks (to files or dirs) are neither listed nor followed: a bundle is
    what is physically inside it.
    """
    found = []
    for dirpath, _dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = Path(dirpath).relative_to(root)
        for fname in filenames:
            full = os.path.join(dirpath, fname)
            try:
                mode = os.lstat(full).st_mode
            except FileNotFoundError:
                continue
            if stat.S_ISREG(mode):
                found.append((rel_dir / fname).as_posix())
    return sorted(found)


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        size = f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else f"{limit >> 10} KiB"
        raise Invalid(f"{what} is larger than {size}")
    return data


def atomic_write(path: Path, data: bytes, tmp_dir: Path | None = None) -> None:
    """Write via a temp file, then os.replace.

    Readers see the old or the new file, never a torn one.  An existing
    file's permissions (e.g. an executable helper script) are kept.  The temp
    file lives in ``tmp_dir`` (bookkeeping, on the same filesystem) so it never
    shows up inside a bundle and its name never exceeds the name limit of a
    long file name; without one it goes next to ``path``.
    """
    folder = Path(tmp_dir) if tmp_dir is not None else path.parent
    tmp = folder / f".{token()}.tmp"
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        try:
            os.replace(tmp, path)
        except OSError as err:
            if err.errno != errno.EXDEV or tmp_dir is None:
                raise
            # the bundle is on another filesystem (a mount inside the scope): write beside it
            os.unlink(tmp)
            atomic_write(path, data)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def remove_tree(path: Path) -> None:
    """Remove a dir tree, or just the link/file itself; never follows links."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path)


def remove_tree_quietly(path: Path) -> bool:
    try:
        remove_tree(path)
        return True
    except OSError:
        return False
