"""Hand-built hostile tarballs for the hardening tests.

``tarball(entries)`` writes members exactly as given (no path clean-up), so a
test can aim at every trick an attacker has: ``..``, absolute paths, links,
devices, fifos, bombs and member floods.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from pathlib import Path
from typing import Iterable, Optional

EPOCH = 1_700_000_000

# (member name, kind, payload): payload is bytes for "file", the link target
# for "symlink"/"hardlink", (major, minor) for "chr"/"blk", None otherwise.
Entry = tuple


def tarball(entries: Iterable[Entry], *, compress: bool = True, sha: Optional[str] = None) -> bytes:
    raw = io.BytesIO()
    pax = {"comment": sha} if sha else {}
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT, pax_headers=pax) as tf:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            info.mtime = EPOCH
            info.mode = 0o644
            data = None
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif kind in ("file", "exec"):
                data = payload
                info.size = len(payload)
                info.mode = 0o775 if kind == "exec" else 0o644
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, payload
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, payload
            elif kind in ("chr", "blk"):
                info.type = tarfile.CHRTYPE if kind == "chr" else tarfile.BLKTYPE
                info.devmajor, info.devminor = payload
            elif kind == "fifo":
                info.type = tarfile.FIFOTYPE
            else:
                raise ValueError(kind)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    data = raw.getvalue()
    return gzip.compress(data, mtime=0) if compress else data


def skill_entries(top: str, path: str, skill_md: str) -> list[Entry]:
    """The harmless part: top folder, the skill folders and a regular SKILL.md."""
    out: list[Entry] = [(f"{top}/", "dir", None)]
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        out.append((f"{top}/{'/'.join(parts[:i])}/", "dir", None))
    out.append((f"{top}/{path}/SKILL.md", "file", skill_md.encode()))
    return out


def snapshot(root: Path, skip: Iterable[Path]) -> set[tuple[str, int]]:
    """Every path under root (links not followed) with its file type, minus ``skip`` subtrees."""
    skip = [Path(p) for p in skip]
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            if any(p == s or s in p.parents for s in skip):
                continue
            out.add((str(p.relative_to(root)), stat.S_IFMT(os.lstat(p).st_mode)))
    return out


def special_files(root: Path) -> list[str]:
    """Anything under root that is not a regular file or a real directory."""
    bad = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            mode = os.lstat(p).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                bad.append(str(p))
            elif stat.S_ISREG(mode) and os.lstat(p).st_nlink != 1:
                bad.append(f"{p} (hard-linked)")
    return bad
