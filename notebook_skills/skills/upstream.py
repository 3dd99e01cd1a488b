"""Importing one skill from a GitHub URL, and the install step every import uses
(previews and multi-skill imports: ``sourcing.py``; Sync: ``engine.py``).

Every path that replaces a bundle stages the complete new bundle in the scope's
bookkeeping dir and swaps it in with ``rename``; any failure before the swap
leaves the installed bundle untouched.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import shutil
import stat
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path, PurePosixPath
from typing import AsyncIterator, Optional

from ..errors import Conflict, Invalid, NotFound
from ..github import GitHubLocation, Tree, extract_subtree
from ..github.allowlist import split_host
from ..oserrors import guard_os_errors
from .frontmatter import PRODUCT_KEYS, parse_skill_md, set_frontmatter_keys
from .hashing import content_sha256
from .models import SkillDetail
from .fsutil import bundle_files
from .bundlecheck import not_installed
from .names import derive_name, validate_name
from .record import InstallRecord, LastCheck, Origin
from .record_io import save_record
from .store import SKILL_MD, ScopeStore, SkillMeta

log = logging.getLogger(__name__)


class ArchiveFetcher:
    """Downloads each (owner, repo, sha) archive at most once per operation.

    Archives go to a temp dir in ``store``'s bookkeeping, made only when the
    first download starts (an all-unchanged sync-all creates nothing).
    """

    def __init__(self, github, store: ScopeStore) -> None:
        self.github = github
        self._store = store
        self._dir: Optional[Path] = None
        self._tasks: dict[tuple[str, str, str], asyncio.Future] = {}

    async def get(self, owner: str, repo: str, sha: str) -> Path:
        key = (owner.lower(), repo.lower(), sha)
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(self._download(owner, repo, sha, len(self._tasks)))
            self._tasks[key] = task
        # shield: one waiter being cancelled must not abort a download others share.
        return await asyncio.shield(task)

    async def _download(self, owner: str, repo: str, sha: str, index: int) -> Path:
        if self._dir is None:
            self._dir = await asyncio.to_thread(_mkdtemp, self._store, "archives-")
        dest = self._dir / f"{index}.tar.gz"
        await self.github.download_archive(owner, repo, sha, dest)
        return dest

    def close(self) -> None:
        for task in self._tasks.values():
            if task.done() and not task.cancelled():
                task.exception()  # mark retrieved; the error was reported to a caller
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


@dataclasses.dataclass
class Resolved:
    """A GitHub URL resolved to a commit and extracted into a work dir."""

    loc: GitHubLocation
    ref: str
    sha: str
    work: Path
    kind: str
    candidates: list[str]  # folders (relative to work, '' = work itself) holding SKILL.md
    skipped: list[str] = dataclasses.field(default_factory=list)  # links/special files not extracted
    tree: Optional[Tree] = None  # git tree of `sha`: folder tree SHAs for the record
    etag: Optional[str] = None  # of the head answer, for the next conditional check

    def repo_path(self, rel: str) -> str:
        return str(PurePosixPath(self.loc.path, rel)) if rel else self.loc.path

    def skill_name(self, rel: str, frontmatter: dict) -> str:
        """Install name: frontmatter name, else the folder, else the repo."""
        return derive_name(_str(frontmatter.get("name")), PurePosixPath(self.repo_path(rel)).name or None, self.loc.repo)


def _mkdtemp(store: ScopeStore, prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=store.tmp_dir()))


def _unpack(archive: Path, subpath: str, work: Path, max_bytes: int, max_scan: int) -> tuple[str, list[str], list[str]]:
    """Extract the URL's folder and find its skills: (kind, candidate folders, skipped members)."""
    skipped = extract_subtree(
        archive, subpath, work, max_bytes=max_bytes, limit_name="max_archive_mb", max_scan_bytes=max_scan
    ).skipped
    if (work / SKILL_MD).is_file():
        return "skill", [""], skipped
    found = []
    for dirpath, dirnames, filenames in os.walk(work):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        if SKILL_MD in filenames:
            found.append(Path(dirpath).relative_to(work).as_posix())
    return "repo", found, skipped


def _size(folder: Path) -> int:
    return sum((folder / rel).stat().st_size for rel in bundle_files(folder))


def _stamp(source: str, tracking_sha: Optional[str]) -> dict:
    """Product frontmatter keys for a fresh bundle: upstream's own copies are dropped."""
    stamp: dict = {key: None for key in PRODUCT_KEYS}
    stamp["source"] = source
    if tracking_sha:
        stamp.update(tracks_upstream=True, tracking_ref=tracking_sha)
    return stamp


@guard_os_errors
class Upstream:
    def __init__(self, manager) -> None:
        self.m = manager

    @property
    def github(self):
        return self.m.github

    # ---- resolving ---------------------------------------------------------

    @asynccontextmanager
    async def _resolve(self, url: str, store: ScopeStore) -> AsyncIterator[Resolved]:
        self.m.require_github()
        if not isinstance(url, str) or not url.strip():
            raise Invalid("Enter a GitHub URL or owner/repo.")
        loc = self.github.parse_url(url.strip())
        ref = loc.ref or await self.github.default_branch(loc.owner, loc.repo)
        # Resolve the ref to one commit and use it for everything: the archive, the
        # folder tree SHAs and the record (a push meanwhile is never recorded).  After
        # a preview it is the commit the preview showed, and its archive is reused.
        sha, etag = await self.m.sourcing.commit(loc.owner, loc.repo, ref)
        tree = await self.github.tree(loc.owner, loc.repo, sha)
        if loc.path and not tree.truncated and tree.folder(loc.path) is None:
            raise NotFound(f"There is no '{loc.path}' on '{ref}' in {loc.owner}/{loc.repo}.")
        fetcher = ArchiveFetcher(self.github, store)
        work = await asyncio.to_thread(_mkdtemp, store, "import-")
        try:
            # the archive a preview just downloaded, else a download of this operation
            archive = await self.m.sourcing.cached_archive(loc.owner, loc.repo, sha) or await fetcher.get(
                loc.owner, loc.repo, sha
            )
            kind, candidates, skipped = await self.m.run_extract(
                _unpack, archive, loc.path, work, self.m.max_extract_bytes, self.m.max_scan_bytes
            )
            yield Resolved(loc=loc, ref=ref, sha=sha, work=work, kind=kind, candidates=candidates, skipped=skipped,
                           tree=tree, etag=etag)
        finally:
            fetcher.close()
            await asyncio.to_thread(shutil.rmtree, work, True)

    # ---- import ------------------------------------------------------------

    async def import_one(self, url, scope, *, name=None, tracks_upstream=False, overwrite=False):
        store = self.m.store(scope)
        if name is not None:
            validate_name(name)
        async with self._resolve(url, store) as res:
            if not res.candidates:
                raise Invalid(f"No SKILL.md found at {url}.")
            if len(res.candidates) > 1:
                listed = ", ".join(res.repo_path(c) for c in res.candidates[:10])
                raise Invalid(
                    f"{url} holds {len(res.candidates)} skills ({listed}). "
                    "Import one by its folder URL (.../tree/<ref>/<path>)."
                )
            return await self._install(res, res.candidates[0], store, name, tracks_upstream, overwrite)

    async def _install(self, res: Resolved, rel: str, store: ScopeStore, name, tracks_upstream, overwrite):
        folder = res.work / rel
        path = res.repo_path(rel)
        raw = await asyncio.to_thread((folder / SKILL_MD).read_bytes)
        final = name or res.skill_name(rel, parse_skill_md(raw).frontmatter)
        sha = res.sha  # the extracted commit, never a later probe
        source = dataclasses.replace(res.loc, path=path).tree_url(self.github.github_url, res.ref)
        stamp = _stamp(source, sha if tracks_upstream else None)
        folder_tree = res.tree.folder(path) if res.tree is not None and not res.tree.truncated else None
        record = InstallRecord(
            origin=Origin(host=split_host(self.github.github_url)[0], owner=res.loc.owner, repo=res.loc.repo, ref=res.ref, path=path),
            commit=sha,
            tree=folder_tree,
            tracking=bool(tracks_upstream),
            last_check=LastCheck(head=sha, etag=res.etag, tree=folder_tree, update_available=False, checked_at=time.time()),
        )
        async with self.m.locks.hold((store.scope, final)):
            created = await asyncio.to_thread(self._stage_install, store, final, folder, stamp, overwrite, record)
        detail: SkillDetail = await self.m.get_skill(store.scope, final)
        detail.problems.extend(not_installed(res.skipped, rel))  # never dropped silently
        return detail, created

    def _stage_install(self, store: ScopeStore, name: str, folder: Path, stamp: dict, overwrite: bool, record: InstallRecord) -> bool:
        existed = store.exists(name)
        if existed:
            if not overwrite:
                raise Conflict(f"A {store.scope} skill named '{name}' already exists. Choose another name or overwrite it.")
            self.m._refuse_managed(store, name)
        if self.m.max_skill_bytes and _size(folder) > self.m.max_skill_bytes:
            raise Invalid(f"The skill is larger than max_skill_mb ({_mb(self.m.max_skill_bytes)}).")
        staging = store.new_staging(name)
        try:
            mode = stat.S_IMODE(staging.stat().st_mode)  # mkdir: 0777 minus the umask
            shutil.copytree(folder, staging, dirs_exist_ok=True)
            os.chmod(staging, mode)  # copytree copied the work dir's mkdtemp 0700 onto it
            self._finish_staging(store, name, staging, stamp, record)
        finally:
            store.discard(staging)
        return not existed

    def _finish_staging(self, store: ScopeStore, name: str, staging: Path, stamp: dict, record: InstallRecord) -> None:
        """Stamp SKILL.md, record the checksum and swap the staged bundle in."""
        md = staging / SKILL_MD
        raw = md.read_bytes()
        doc = parse_skill_md(raw)
        updates = dict(stamp)
        if _str(doc.frontmatter.get("name")) != name:
            updates["name"] = name
        text = raw.decode("utf-8")
        md.write_bytes(set_frontmatter_keys(text, updates).encode("utf-8"))
        digest = content_sha256(staging)
        store.swap_in(name, staging)
        store.write_meta(name, SkillMeta(content_sha256=digest, orphaned=False, ref=record.commit))
        record.content_sha256 = digest
        save_record(store, name, record)


def _mb(nbytes: int) -> str:
    return f"{nbytes / (1024 * 1024):g} MB"


def _str(value: object) -> Optional[str]:
    return None if value is None else str(value)
