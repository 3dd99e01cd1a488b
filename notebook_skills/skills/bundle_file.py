"""One bundle file as an editor sees it: text plus a version stamp.

The JupyterLab contents drive reads a file with its stamp (sha256 of the bytes
and the modification time) and sends the hash back when it saves.  A save whose
precondition no longer holds (the file changed on disk since it was read) is
refused with 409 ``changed_on_disk`` before anything is written, so an edit made
in a terminal or by a sync is never silently replaced by a stale buffer.

The product's frontmatter keys belong to the server: on every SKILL.md save they
are rendered again from the install record (``txn.write_file``), so an old buffer
cannot roll back ``tracking_ref`` (or turn tracking on or off) behind its back.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from ..errors import CHANGED_ON_DISK, Conflict


def text_hash(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def last_modified(path: Path) -> str:
    """ISO 8601 UTC mtime, the format JupyterLab's contents models carry."""
    mtime = os.stat(path, follow_symlinks=False).st_mtime
    return datetime.fromtimestamp(mtime, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def file_model(path: Path, rel: str, content: str) -> dict:
    return {
        "path": rel,
        "content": content,
        "hash": text_hash(content),
        "hash_algorithm": "sha256",
        "last_modified": last_modified(path),
    }


def check_unchanged(current: Optional[str], expected_hash: Optional[str], rel: str) -> None:
    """Refuse a write when the file is no longer what the client last read.

    ``current`` is the text on disk now (None: the file does not exist);
    ``expected_hash`` None means the client sent no precondition.
    """
    if expected_hash is None:
        return
    if current is None or text_hash(current) != expected_hash:
        raise Conflict(
            f"'{rel}' changed on disk since it was opened; nothing was saved. "
            "Reload it (Revert) or save again to overwrite the version on disk.",
            reason=CHANGED_ON_DISK,
        )
