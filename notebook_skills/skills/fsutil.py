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


def walk_nofollow(root: Path):
    """Iterative (dirpath, dirnames, filenames) walk, top-down, never following links.

    No recursion, so a 1,200-level folder is fine; links and special files
    are reported in ``filenames`` (the caller lstat()s what it needs).
    """
    stack = [os.fspath(root)]
    while stack:
        top = stack.pop()
        try:
            with os.scandir(top) as it:
                entries = list(it)
        except (FileNotFoundError, NotADirectoryError):
            continue
        dirs, files = [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry.name)
        dirs.sort()
        files.sort()
        yield top, dirs, files
        stack.extend(os.path.join(top, d) for d in reversed(dirs))


def bundle_files(root: Path) -> list[str]:
    """Regular files under root as relative posix paths, sorted by code point.

    Symlinks (to files or dirs) are neither listed nor followed: a bundle is
    what is physically inside it.
    """
    found = []
    base = os.fspath(root)
    for dirpath, _dirnames, filenames in walk_nofollow(root):
        rel_dir = Path(os.path.relpath(dirpath, base))
        for fname in filenames:
            full = os.path.join(dirpath, fname)
            try:
                mode = os.lstat(full).st_mode
            except FileNotFoundError:
                continue
            if stat.S_ISREG(mode):
                found.append((rel_dir / fname).as_posix())
    return sorted(found)


def copy_bundle(src: Path, dst: Path) -> None:
    """Copy the regular files and folders of src into dst (which exists).

    Iterative; links and special files are not copied (they are never part
    of an installed bundle).
    """
    base = os.fspath(src)
    for dirpath, dirnames, filenames in walk_nofollow(src):
        rel = os.path.relpath(dirpath, base)
        target = os.path.join(dst, rel) if rel != "." else os.fspath(dst)
        for d in dirnames:
            os.mkdir(os.path.join(target, d))
        for fname in filenames:
            full = os.path.join(dirpath, fname)
            if stat.S_ISREG(os.lstat(full).st_mode):
                shutil.copy2(full, os.path.join(target, fname), follow_symlinks=False)


def fsync_path(path, *, directory: bool = False) -> None:
    if directory and not hasattr(os, "O_DIRECTORY"):
        return  # folders cannot be opened for fsync on this system (Windows)
    flags = os.O_RDONLY | (os.O_DIRECTORY if directory else 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every regular file and folder of a staged bundle (durable before the swap)."""
    for dirpath, _dirnames, filenames in walk_nofollow(root):
        for fname in filenames:
            full = os.path.join(dirpath, fname)
            if stat.S_ISREG(os.lstat(full).st_mode):
                fsync_path(full)
        fsync_path(dirpath, directory=True)


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        size = f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else f"{limit >> 10} KiB"
        raise Invalid(f"{what} is larger than {size}")
    return data


def unlink_quietly(path: Path | str | None) -> None:
    """Remove a file of ours if it is there (a clean-up on a failure path: nothing to
    report when it is already gone or cannot be removed); None is nothing to remove."""
    if path is not None:
        try:
            os.unlink(path)
        except OSError:
            pass


def write_new(path: Path, data: bytes, mode: int | None = None) -> None:
    """Create ``path`` (which must not exist) with ``data``, durable on return.

    Removed again if anything fails, so a full disk leaves nothing behind.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(path, mode)
    except BaseException:
        unlink_quietly(path)
        raise


def fsync_parent(path: Path) -> None:
    """Make a rename or unlink in ``path``'s folder durable.

    A folder that cannot be opened for fsync on this filesystem (some network
    or FUSE mounts answer EINVAL) is not an error: the change itself is done.
    """
    try:
        fsync_path(Path(path).parent, directory=True)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise


def atomic_write(path: Path, data: bytes, tmp: Path | None = None) -> None:
    """Write via a temp file, then os.replace, then fsync the folder.

    Readers see the old or the new file, never a torn one, and after return the
    new file survives a power cut.  An existing file's permissions (e.g. an
    executable helper script) are kept.  ``tmp`` is the temp file's path:
    bookkeeping callers give one there (same filesystem), so it never shows up
    inside a bundle and its name never exceeds the name limit of a long file
    name; without one it goes next to ``path``.
    """
    temp = Path(tmp) if tmp is not None else path.parent / f".{token()}.tmp"
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    write_new(temp, data, mode)
    try:
        try:
            os.replace(temp, path)
        except OSError as err:
            if err.errno != errno.EXDEV or tmp is None:
                raise
            # the bundle is on another filesystem (a mount inside the scope): write beside it
            os.unlink(temp)
            atomic_write(path, data)
            return
    except BaseException:
        unlink_quietly(temp)
        raise
    fsync_parent(path)


def remove_tree(path: Path) -> None:
    """Remove a dir tree, or just the link/file itself; never follows links.

    Iterative (post-order with an explicit stack): depth is bounded by
    PATH_MAX, not by Python's recursion limit.
    """
    path = os.fspath(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(path)
        return
    stack = [(path, False)]
    while stack:
        top, expanded = stack.pop()
        if expanded:
            os.rmdir(top)
            continue
        stack.append((top, True))
        with os.scandir(top) as it:
            entries = list(it)
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, False))
            else:
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    pass


def remove_tree_quietly(path: Path) -> bool:
    try:
        remove_tree(path)
        return True
    except OSError:
        return False
