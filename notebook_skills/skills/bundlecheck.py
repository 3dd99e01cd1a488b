"""What an extracted source holds that will not be installed, and name clashes.

Links, devices, fifos and paths that would escape are never materialized
(github/archive.py); they are listed here so the preview and the import answer
say so instead of dropping them silently.  Two candidates of one source that
derive the same install name are flagged on both.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable


def not_installed(skipped: Iterable[str], rel: str) -> list[str]:
    """Problems for the members of candidate folder ``rel`` that were skipped."""
    prefix = f"{rel}/" if rel else ""
    found = sorted(s[len(prefix):] for s in skipped if s.startswith(prefix) and s != prefix)
    return [f"'{name[:200]}' is a link, a special file or an unsafe path and will not be installed" for name in found]


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

