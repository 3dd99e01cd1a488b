"""What the GitHub client answers: plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


class _NotModified:
    """Sentinel: a conditional head request answered 304."""

    def __repr__(self) -> str:
        return "NOT_MODIFIED"


NOT_MODIFIED = _NotModified()


@dataclass(frozen=True)
class Head:
    sha: str
    etag: Optional[str]


@dataclass(frozen=True)
class FileAnswer:
    data: bytes
    etag: Optional[str]


@dataclass
class Tree:
    """A recursive git tree: folder path -> tree SHA, file path -> blob SHA."""

    sha: str  # the commit (or tree) it was asked for
    truncated: bool
    dirs: dict[str, str] = field(default_factory=dict)  # "" = the root tree
    blobs: dict[str, str] = field(default_factory=dict)

    def folder(self, path: str) -> Optional[str]:
        return self.dirs.get(path.strip("/"))

    def blobs_under(self, path: str) -> dict[str, str]:
        """Blob SHAs of the files in folder ``path``, keyed relative to it."""
        path = path.strip("/")
        if not path:
            return dict(self.blobs)
        prefix = path + "/"
        return {p[len(prefix):]: sha for p, sha in self.blobs.items() if p.startswith(prefix)}
