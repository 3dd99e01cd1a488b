"""Importing one skill from a GitHub URL, and the install step every import uses
(previews and multi-skill imports: ``sourcing.py``; Sync: ``engine.py``).

Import resolves the ref to one commit, extracts it, stages the complete new
bundle in the scope's bookkeeping dir and installs it through `txn.install`;
any failure before the swap leaves the installed bundle untouched.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path, PurePosixPath
from typing import AsyncIterator, Optional

from ..errors import Invalid, NotFound, SkillsError
from ..github import GitHubLocation, Tree, extract_subtree
from ..github import archive as archive_caps
from ..sources.discovery import find_skill_folders, over_member_cap, source_members
from ..oserrors import guard_os_errors
from . import txn
from .bundlecheck import not_installed
from .frontmatter import parse_skill_md
from .hashing import content_sha256
from .models import SkillDetail
from .fsutil import bundle_files, copy_bundle, remove_tree_quietly
from .names import derive_name, validate_name
from .record import InstallRecord, LastCheck, Origin
from .store import SKILL_MD, ScopeStore, first_usable

log = logging.getLogger(__name__)


class ArchiveFetcher:
    """Downloads each (owner, repo, sha) archive at most once per operation.

    Archives go to a temp dir in ``store``'s bookkeeping (else in the first
    ``fallbacks`` store whose bookkeeping is usable: a batch spanning both scopes
    keeps working when one scope is broken), made only when the first download
    starts (an all-unchanged sync-all creates nothing).
    """

    def __init__(self, github, store: ScopeStore, *fallbacks: ScopeStore) -> None:
        self.github = github
        self._stores = [store, *(f for f in fallbacks if f is not store)]
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
            self._dir = await asyncio.to_thread(self._mkdtemp)
        dest = self._dir / f"{index}.tar.gz"
        await self.github.download_archive(owner, repo, sha, dest)
        return dest

    def _mkdtemp(self) -> Path:
        # the first store whose bookkeeping takes it; none: the last one's error
        found = first_usable(self._stores[:-1], lambda store: _mkdtemp(store, "archives-"))
        return found[1] if found else _mkdtemp(self._stores[-1], "archives-")

    def close(self) -> None:
        for task in self._tasks.values():
            if task.done() and not task.cancelled():
                task.exception()  # mark retrieved; the error was reported to a caller
        if self._dir is not None:
            remove_tree_quietly(self._dir)


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
    return store.mkdtemp(prefix.rstrip("-"))


def _unpack(archive: Path, loc: GitHubLocation, work: Path, max_bytes: int,
            max_scan: int) -> tuple[str, list[str], list[str]]:
    """Extract the URL's folder and find its skills: (kind, candidate folders, skipped members).

    The same discovery rules and caps as a preview (sources/discovery.py): the folder is
    unpacked under the repository-wide member cap, and each skill found is held to the
    per-skill one when it is installed (`install_folder`)."""
    cap = archive_caps.MAX_SOURCE_MEMBERS
    skipped = extract_subtree(
        archive, loc.path, work, max_bytes=max_bytes, limit_name="max_archive_mb", max_scan_bytes=max_scan,
        max_members=cap, members_message=source_members(loc.owner, loc.repo, loc.path, n=cap),
    ).skipped
    if (work / SKILL_MD).is_file():
        return "skill", [""], skipped
    return "repo", find_skill_folders(work), skipped


def _size(folder: Path) -> int:
    return sum((folder / rel).stat().st_size for rel in bundle_files(folder))


@guard_os_errors
class Upstream:
    def __init__(self, manager) -> None:
        self.m = manager
        self._gates: dict[tuple[str, str], asyncio.Lock] = {}

    @property
    def github(self):
        return self.m.github

    # ---- resolving ---------------------------------------------------------

    @asynccontextmanager
    async def _resolve(self, url: str, store: ScopeStore, sha: Optional[str] = None) -> AsyncIterator[Resolved]:
        self.m.require_github()
        if not isinstance(url, str) or not url.strip():
            raise Invalid("Enter a GitHub URL or owner/repo.")
        # Resolve the ref to one commit and use it for everything: the archive, the
        # folder tree SHAs and the record (a push meanwhile is never recorded).  It is
        # `sha` when the caller names the commit its preview showed, else the one a
        # recent preview resolved, else the head; a previewed archive is reused.  A ref
        # with '/' (`tree/release/v1/skills/a`) is told from the path by asking GitHub.
        from .sourcing import TAKE

        loc, sha, etag = await self.m.sourcing.locate(self.github.parse_url(url.strip()), TAKE, sha)
        ref = loc.ref
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
                _unpack, archive, loc, work, self.m.max_extract_bytes, self.m.max_scan_bytes
            )
            yield Resolved(loc=loc, ref=ref, sha=sha, work=work, kind=kind, candidates=candidates, skipped=skipped,
                           tree=tree, etag=etag)
        finally:
            fetcher.close()
            await asyncio.to_thread(remove_tree_quietly, work)

    # ---- import ------------------------------------------------------------

    async def import_one(self, url, scope, *, name=None, tracks_upstream=None, overwrite=False, sha=None):
        store = self.m.store(scope)
        if name is not None:
            validate_name(name)
        async with self._resolve(url, store, sha) as res:
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
        # The extracted commit and its folder tree SHA (never a later probe): what a
        # sync compares against, and a first conditional check for the engine.
        folder_tree = res.tree.folder(path) if res.tree is not None and not res.tree.truncated else None
        record = InstallRecord(
            origin=Origin(host=self.m.github_host, owner=res.loc.owner, repo=res.loc.repo, ref=res.ref, path=path),
            commit=res.sha,
            tree=folder_tree,
            last_check=LastCheck(head=res.sha, etag=res.etag, tree=folder_tree, update_available=False,
                                 checked_at=time.time()),
        )
        detail, created = await self.install_folder(store, final, folder, record, tracks_upstream, overwrite)
        detail.problems.extend(not_installed(res.skipped, rel))  # never dropped silently
        return detail, created

    async def install_folder(self, store: ScopeStore, name: str, folder: Path, record: InstallRecord,
                             tracks_upstream: Optional[bool], overwrite: bool) -> tuple[SkillDetail, bool]:
        """Install an extracted skill ``folder`` as ``name`` (every import ends here):
        size cap, staging copy outside the lock, then stamp and `txn.install` under it."""
        too_many = await asyncio.to_thread(over_member_cap, folder)
        if too_many:
            raise Invalid(f"{too_many}.")
        if self.m.max_skill_bytes and await asyncio.to_thread(_size, folder) > self.m.max_skill_bytes:
            raise Invalid(f"The skill is larger than max_skill_mb ({_mb(self.m.max_skill_bytes)}).")
        staging = await asyncio.to_thread(_stage_copy, store, name, folder)
        try:
            async with self.m.locks.hold((store, name)):
                created = await asyncio.to_thread(
                    self._stage_install, store, name, staging, record, tracks_upstream, overwrite
                )
                detail: SkillDetail = await self.m.get_skill(store.scope, name)
        finally:
            await asyncio.to_thread(store.discard, staging)
        return detail, created

    def _stage_install(self, store: ScopeStore, name: str, staging: Path, record: InstallRecord,
                       tracks_upstream: Optional[bool], overwrite: bool) -> bool:
        """Under the skill lock: settle tracking and swap the staged bundle in.

        `record` carries what the caller knows (origin, commit, tree, last check);
        `tracks_upstream=None` keeps the replaced skill's tracking state (off for a new skill).
        """
        expect = txn.ANY if overwrite else txn.NEW
        existed = txn.check_target(store, name, expect)  # early, clear answer; install() re-checks
        tracking = bool(tracks_upstream)
        if existed:
            self.m._refuse_managed(store, name)
            if tracks_upstream is None:
                old = store.records.read(name)
                tracking = old.tracking if old is not None else _frontmatter_tracks(store, name)
        record.tracking = tracking
        self._finish_staging(store, name, staging, record, expect)
        return not existed

    def _finish_staging(self, store: ScopeStore, name: str, staging: Path, record: InstallRecord,
                        expect: txn.Expect) -> bool:
        """Stamp SKILL.md from the record, digest the bundle and commit it (txn.install)."""
        txn.stamp_skill_md(store, staging, name, record)
        record.content_sha256 = content_sha256(staging)
        return txn.install(store, name, staging, record, expect)


def _stage_copy(store: ScopeStore, name: str, folder: Path) -> Path:
    staging = store.new_staging(name)
    try:
        copy_bundle(folder, staging)
    except BaseException:
        store.discard(staging)
        raise
    return staging


def _frontmatter_tracks(store: ScopeStore, name: str) -> bool:
    try:
        return parse_skill_md(store.read_skill_md(name)).frontmatter.get("tracks_upstream") is True
    except SkillsError:
        return False


def _mb(nbytes: int) -> str:
    return f"{nbytes / (1024 * 1024):g} MB"


def _str(value: object) -> Optional[str]:
    return None if value is None else str(value)
