"""JSON from outside (request bodies, GitHub answers) with a nesting bound.

``json.loads`` recurses once per level: ``[`` x 100000 ends in a RecursionError
deep in the parser.  A linear scan measures the nesting first, so hostile
input is refused cheaply and the parser only sees shallow documents.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BRACKETS = re.compile(rb'[\[\]{}"\\]')


class TooDeep(ValueError):
    """The document nests arrays/objects deeper than allowed."""


def depth(raw: bytes, stop_after: int = 1 << 30) -> int:
    """Deepest [ / { nesting outside strings (a linear scan, no recursion)."""
    level = deepest = 0
    in_string = False
    escaped_at = -1  # position of the character a backslash escapes
    for m in _BRACKETS.finditer(raw):
        ch, pos = m.group(), m.start()
        if in_string:
            if pos == escaped_at:
                continue
            if ch == b"\\":
                escaped_at = pos + 1
            elif ch == b'"':
                in_string = False
            continue
        if ch == b'"':
            in_string = True
        elif ch in (b"[", b"{"):
            level += 1
            deepest = max(deepest, level)
            if deepest > stop_after:
                break
        elif ch in (b"]", b"}"):
            level -= 1
    return deepest


def loads_bounded(raw: bytes | str, max_depth: int) -> Any:
    """json.loads, refusing documents nested deeper than ``max_depth`` (TooDeep)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if depth(data, max_depth) > max_depth:
        raise TooDeep(f"nested more than {max_depth} levels")
    try:
        return json.loads(raw)
    except RecursionError:
        raise TooDeep(f"nested more than {max_depth} levels") from None
