"""content_sha256 of a bundle (contract §3): detects local edits."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import Invalid
from .frontmatter import strip_product_keys
from .fsutil import bundle_files

SKILL_MD = "SKILL.md"


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _skill_md_digest(path: Path) -> str:
    raw = path.read_bytes()
    try:
        # Product keys (source, tracking_ref, ...) are stamped by us: not an edit.
        raw = strip_product_keys(raw.decode("utf-8")).encode("utf-8")
    except (Invalid, UnicodeDecodeError):
        pass  # unparseable: hash it as it is
    return hashlib.sha256(raw).hexdigest()


def content_sha256(skill_dir: Path) -> str:
    skill_dir = Path(skill_dir)
    total = hashlib.sha256()
    for rel in bundle_files(skill_dir):
        path = skill_dir / rel
        digest = _skill_md_digest(path) if rel == SKILL_MD else _file_digest(path)
        total.update(f"{rel}\0{digest}\n".encode("utf-8", "surrogateescape"))
    return total.hexdigest()
