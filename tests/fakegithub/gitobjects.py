"""Git object IDs for the fake's flat {path: bytes} trees.

Real git hashing (``blob <len>\\0data``, trees of ``<mode> <name>\\0<20-byte id>``
entries in git's order), so a folder's tree SHA depends on its content only:
a revert gives back the old SHA, a change elsewhere leaves it alone — the
property the sync engine relies on.
"""

from __future__ import annotations

import hashlib


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def tree_entries(files: dict[str, bytes]) -> tuple[dict[str, str], dict[str, str]]:
    """(folder path -> tree SHA with "" = root, file path -> blob SHA)."""
    blobs = {path: blob_sha(data) for path, data in files.items()}
    children: dict[str, dict[str, tuple[str, str]]] = {"": {}}  # folder -> name -> (kind, path)
    for path in files:
        parts = path.split("/")
        for i in range(len(parts)):
            folder = "/".join(parts[:i])
            children.setdefault(folder, {})
            child = "/".join(parts[: i + 1])
            kind = "blob" if i == len(parts) - 1 else "tree"
            children[folder][parts[i]] = (kind, child)
    trees: dict[str, str] = {}
    # deepest folders first, so every subtree's id is known when its parent is hashed
    for folder in sorted(children, key=lambda f: -f.count("/") - (1 if f else 0)):
        entries = []
        for name, (kind, child) in children[folder].items():
            if kind == "blob":
                entries.append((name, b"100644", bytes.fromhex(blobs[child])))
            else:
                entries.append((name + "/", b"40000", bytes.fromhex(trees[child])))
        body = b"".join(mode + b" " + name.rstrip("/").encode() + b"\0" + oid for name, mode, oid in sorted(entries))
        trees[folder] = hashlib.sha1(b"tree %d\0" % len(body) + body).hexdigest()
    return trees, blobs
