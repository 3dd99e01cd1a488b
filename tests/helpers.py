"""Small shared helpers for the notebook-skills tests."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any, Optional


def skill_md(name: str, description: str = "Helps with things.", body: str = "# Title\n\nDo the thing.\n", extra: str = "") -> str:
    return f"---\nname: {name}\ndescription: {description}\n{extra}---\n{body}"


def tree_digest(root: Path) -> str:
    """Digest of everything under root: every folder, file and link by path and mode,
    with file bytes and link targets (links are never followed).  Equal means untouched."""
    h = hashlib.sha256()
    if not os.path.lexists(root):
        return "missing"
    stack = [Path(root)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            path = Path(entry.path)
            st = os.lstat(path)
            h.update(f"{path.relative_to(root)}\0{st.st_mode:o}\0".encode())
            if stat.S_ISDIR(st.st_mode):
                stack.append(path)
            elif stat.S_ISLNK(st.st_mode):
                h.update(os.readlink(path).encode() + b"\0")
            elif stat.S_ISREG(st.st_mode):
                h.update(path.read_bytes() + b"\0")
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
