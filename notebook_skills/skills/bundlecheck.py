"""What an extracted source holds that will not be installed, and name clashes.

Links, devices, fifos, paths that would escape, names that are not UTF-8 and
names too long for the file system are never materialized (github/archive.py);
they are listed here so the preview and the import answer
say so instead of dropping them silently.  Two candidates of one source that
derive the same install name are flagged on both.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Iterable

NAME_MAX = 255  # bytes per file or folder name on Linux, macOS and Windows (the store assumes it when pathconf cannot say)


def not_installed(skipped: Iterable[str], rel: str) -> list[str]:
    """Problems for the members of candidate folder ``rel`` that were skipped."""
    prefix = f"{rel}/" if rel else ""
    found = sorted(s[len(prefix):] for s in skipped if s.startswith(prefix) and s != prefix)
    return [f"'{_shown(name)}' {_why(name)} and will not be installed" for name in found]


def _why(name: str) -> str:
    """Why a member was not installed, as far as its name tells (archive.py skips it)."""
    raw = os.fsencode(name)  # tarfile's surrogateescape gives back the archive's bytes
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "has a name that is not valid UTF-8"
    if any(len(part) > NAME_MAX for part in raw.split(b"/")):
        return f"has a name longer than the file system allows ({NAME_MAX} bytes)"
    return "is a link, a special file or an unsafe path"


def _shown(name: str) -> str:
    """Printable and bounded: undecodable bytes as \\xNN escapes."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= 200 else text[:199] + "…"


def name_clashes(names: dict[str, str]) -> dict[str, list[str]]:
    """{candidate id: problem} for candidates (id -> install name) sharing a name."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for cid, name in names.items():
        by_name[name].append(cid)
    problems: dict[str, list[str]] = {}
    for name, ids in by_name.items():
        if len(ids) > 1:
            for cid in ids:
                others = ", ".join(f"'{o or '.'}'" for o in ids if o != cid)
                problems[cid] = [
                    f"installs as '{name}' like {others}: import them one at a time and give one of them another name"
                ]
    return problems

