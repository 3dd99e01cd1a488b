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


def skill_md_digest(raw: bytes) -> str:
    try:
        # Product keys (source, tracking_ref, ...) are stamped by us: not an edit.
        raw = strip_product_keys(raw.decode("utf-8")).encode("utf-8")
    except (Invalid, UnicodeDecodeError):
        pass  # unparseable: hash it as it is
    return hashlib.sha256(raw).hexdigest()


def content_sha256(skill_dir: Path, skill_md: bytes | None = None) -> str:
    """The bundle's digest; ``skill_md`` stands in for SKILL.md's bytes when given
    (the digest a bundle will have once an edit prepared in bookkeeping is in place)."""
    skill_dir = Path(skill_dir)
    total = hashlib.sha256()
    for rel in bundle_files(skill_dir):
        path = skill_dir / rel
        if rel == SKILL_MD:
            digest = skill_md_digest(path.read_bytes() if skill_md is None else skill_md)
        else:
            digest = _file_digest(path)
        total.update(f"{rel}\0{digest}\n".encode("utf-8", "surrogateescape"))
    return total.hexdigest()
