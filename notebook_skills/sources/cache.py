"""A short-lived cache of downloaded archives and previewed pins.

A preview downloads a source's archive; the import that follows (usually
seconds later) should not download it again, nor repeat the lookups the
preview made.  So they live here, in ``<bookkeeping>/source-cache/``:

- archives keyed by (host, owner, repo, SHA): ``<key>.tar.gz``;
- pins keyed by (host, owner, repo, ref): ``<key>.pin`` holding the SHA a
  preview resolved ``ref`` to (what an import that names no SHA installs);
- default branches keyed by (host, owner, repo): ``<key>.branch``, so expanding
  a plugin of a previewed marketplace, or importing from it, asks no second time.

An optimisation only: an import that names the previewed SHAs installs them
whether or not they are still cached.

Entries older than ``max_age`` are ignored and removed; the archives' total
size is capped (oldest first).  A file vanishing under us (another process
cleaning up) only costs a download.  The cache dir is never followed through a
link: if it is anything but a real directory, the cache is simply not used.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import stat
import time
from pathlib import Path
from typing import Callable, Optional

from ..errors import NOT_WRITABLE, Conflict, SkillsError
from ..skills.fsutil import token, unlink_quietly

log = logging.getLogger(__name__)

CACHE_DIR = "source-cache"
MAX_AGE = 600.0  # seconds: long enough for preview → import, short enough to stay fresh
_SHA = re.compile(r"^[0-9a-f]{40}$")


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:40]


class SourceCache:
    def __init__(self, github, parent: Callable[[bool], Optional[Path]], *, max_bytes: int,
                 max_age: float = MAX_AGE) -> None:
        self.github = github
        # parent(create): the bookkeeping dir to cache in (None: none usable), made only
        # when `create` (a write); a read never creates anything on disk
        self._parent = parent
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._inflight: dict[str, asyncio.Future] = {}
        self.downloads = 0  # archives fetched from GitHub by this process (for tests/benchmarks)

    @property
    def host(self) -> str:
        return self.github.api_url.split("://", 1)[-1].split("/", 1)[0].lower()

    def _dir(self, create: bool = False) -> Optional[Path]:
        try:
            parent = self._parent(create)
        except (OSError, SkillsError):
            parent = None
        if parent is None:  # no usable bookkeeping: nothing is cached
            return None
        path = parent / CACHE_DIR
        if create:
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass
            except OSError as err:
                log.warning("notebook-skills: source cache unavailable (%s)", type(err).__name__)
                return None
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                log.warning("notebook-skills: %s is not a real directory; not caching there", path)
                return None
        except OSError:
            return None
        return path

    # ---- small entries: pins and default branches ------------------------------

    def _read_entry(self, name: str, take: bool = False) -> Optional[dict]:
        """The JSON object in entry ``name`` if still fresh; ``take`` removes it."""
        folder = self._dir()
        if folder is None:
            return None
        path = folder / name
        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or time.time() - st.st_mtime > self.max_age:
                return None
            with open(path, "rb") as fh:
                data = json.loads(fh.read(4096).decode("utf-8"))
            if take:
                os.unlink(path)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write_entry(self, name: str, data: dict) -> None:
        folder = self._dir(create=True)
        if folder is None:
            return
        tmp = folder / f".{name}.{token()}"
        try:
            with open(tmp, "xb") as fh:
                fh.write(json.dumps(data).encode("utf-8"))
            os.replace(tmp, folder / name)
        except OSError:
            unlink_quietly(tmp)

    def pinned(self, owner: str, repo: str, ref: str, take: bool = False) -> Optional[tuple[str, Optional[str]]]:
        """(SHA, ETag of that head answer) a recent preview resolved ``ref`` to, if still
        fresh; ``take`` removes it (an import uses a preview's pin once)."""
        data = self._read_entry(f"{_key(self.host, owner.lower(), repo.lower(), ref)}.pin", take)
        sha, etag = (data or {}).get("sha"), (data or {}).get("etag")
        if not isinstance(sha, str) or not _SHA.match(sha):
            return None
        return sha, etag if isinstance(etag, str) else None

    def pin(self, owner: str, repo: str, ref: str, sha: str, etag: Optional[str] = None) -> None:
        if _SHA.match(sha):
            self._write_entry(f"{_key(self.host, owner.lower(), repo.lower(), ref)}.pin", {"sha": sha, "etag": etag})

    def branch(self, owner: str, repo: str) -> Optional[str]:
        """The default branch a recent lookup found, if still fresh."""
        branch = (self._read_entry(f"{_key(self.host, owner.lower(), repo.lower())}.branch") or {}).get("branch")
        return branch if isinstance(branch, str) and 0 < len(branch) <= 255 else None

    def remember_branch(self, owner: str, repo: str, branch: str) -> None:
        self._write_entry(f"{_key(self.host, owner.lower(), repo.lower())}.branch", {"branch": branch})

    # ---- archives ----------------------------------------------------------

    async def archive(self, owner: str, repo: str, sha: str) -> Path:
        """Path of the archive of ``sha``: cached if fresh, else downloaded once
        (concurrent callers share the download)."""
        key = _key(self.host, owner.lower(), repo.lower(), sha)
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._get(key, owner, repo, sha))
            self._inflight[key] = task
            task.add_done_callback(lambda _t, k=key: self._inflight.pop(k, None))
        return await asyncio.shield(task)

    async def cached(self, owner: str, repo: str, sha: str) -> Optional[Path]:
        """The cached archive of ``sha`` if fresh (never downloads)."""
        folder = await asyncio.to_thread(self._dir)
        if folder is None:
            return None
        path = folder / f"{_key(self.host, owner.lower(), repo.lower(), sha)}.tar.gz"
        return path if await asyncio.to_thread(self._fresh, path) else None

    async def _get(self, key: str, owner: str, repo: str, sha: str) -> Path:
        folder = await asyncio.to_thread(self._dir, True)
        if folder is None:
            raise Conflict("The notebook-skills download area in bookkeeping is not a usable directory.",
                           reason=NOT_WRITABLE)
        dest = folder / f"{key}.tar.gz"
        if await asyncio.to_thread(self._fresh, dest):
            await asyncio.to_thread(self.prune, keep=dest)
            return dest
        part = folder / f".{key}.{token()}.part"
        try:
            await self.github.download_archive(owner, repo, sha, part)
            self.downloads += 1
            await asyncio.to_thread(os.replace, part, dest)
        finally:
            await asyncio.to_thread(unlink_quietly, part)
        await asyncio.to_thread(self.prune, keep=dest)
        return dest

    def _fresh(self, path: Path) -> bool:
        try:
            st = os.lstat(path)
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode) or time.time() - st.st_mtime > self.max_age:
            return False
        try:
            os.utime(path)  # in use again: keep it out of the next prune
        except OSError:
            return False
        return True

    def prune(self, keep: Optional[Path] = None) -> None:
        """Drop expired entries, then the oldest archives beyond ``max_bytes``."""
        folder = self._dir()
        if folder is None:
            return
        now = time.time()
        archives = []
        with os.scandir(folder) as it:
            entries = list(it)
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            expired = now - st.st_mtime > self.max_age
            if entry.name.startswith(".") and entry.name.endswith(".part"):
                expired = now - st.st_mtime > self.max_age * 6  # an in-flight download of another process
            if expired and Path(entry.path) != keep:
                unlink_quietly(Path(entry.path))
            elif entry.name.endswith(".tar.gz") and stat.S_ISREG(st.st_mode):
                archives.append((st.st_mtime, st.st_size, Path(entry.path)))
        total = sum(size for _, size, _ in archives)
        for _, size, path in sorted(archives, key=lambda a: a[0]):
            if total <= self.max_bytes:
                break
            if path != keep:
                unlink_quietly(path)
                total -= size
