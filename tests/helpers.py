"""Small shared helpers for the notebook-skills tests."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Optional


def skill_md(name: str, description: str = "Helps with things.", body: str = "# Title\n\nDo the thing.\n", extra: str = "") -> str:
    return f"---\nname: {name}\ndescription: {description}\n{extra}---\n{body}"


def tree_digest(root: Path) -> str:
    """Digest of every file (path, bytes, mode) under root: equal means untouched."""
    h = hashlib.sha256()
    if not root.exists():
        return "missing"
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            p = Path(dirpath, fn)
            h.update(str(p.relative_to(root)).encode() + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


async def call(jp_fetch, method: str, path: str, body: Any = None, params: Optional[dict] = None, headers=None):
    """Call a notebook-skills route; return (status, parsed JSON or None)."""
    kwargs: dict = {"method": method, "raise_error": False}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    elif method in ("POST", "PUT"):
        kwargs["body"] = ""
    if headers is not None:
        kwargs["headers"] = headers
    parts = ["notebook-skills", *path.split("/")]
    resp = await jp_fetch(*parts, params=params, **kwargs)
    data = json.loads(resp.body) if resp.body else None
    return resp.code, data
