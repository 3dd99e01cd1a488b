"""GitHub-facing skill operations: preview, import, sync and sync-all.

Every path that replaces a bundle stages the complete new bundle in the scope's
bookkeeping dir and swaps it in with ``rename``; any failure before the swap
leaves the installed bundle untouched.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path, PurePosixPath
from typing import AsyncIterator, Optional

from ..errors import Conflict, Gone, Invalid, NotFound, SkillsError
from ..github import GitHubLocation, GitHubNotFound, extract_subtree
from ..oserrors import guard_os_errors
from . import txn
from .bundlecheck import name_clashes, not_installed
from .frontmatter import parse_skill_md
from .hashing import content_sha256
from .models import Candidate, Preview, PreviewError, SkillDetail, Source, SyncResult
from .fsutil import bundle_files, copy_bundle, remove_tree_quietly, walk_nofollow
from .names import derive_name, validate_name
from .record import InstallRecord, LastCheck, Origin
from .store import SKILL_MD, ScopeStore

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

    def repo_path(self, rel: str) -> str:
        return str(PurePosixPath(self.loc.path, rel)) if rel else self.loc.path

    def skill_name(self, rel: str, frontmatter: dict) -> str:
        """Install name: frontmatter name, else the folder, else the repo."""
        return derive_name(_str(frontmatter.get("name")), PurePosixPath(self.repo_path(rel)).name or None, self.loc.repo)


def _mkdtemp(store: ScopeStore, prefix: str) -> Path:
    return store.mkdtemp(prefix.rstrip("-"))


def _unpack(archive: Path, subpath: str, work: Path, max_bytes: int) -> tuple[str, list[str], list[str]]:
    """Extract the URL's folder and find its skills: (kind, candidate folders, skipped members)."""
    skipped = extract_subtree(archive, subpath, work, max_bytes=max_bytes, limit_name="max_archive_mb").skipped
    if (work / SKILL_MD).is_file():
        return "skill", [""], skipped
    found = []
    for dirpath, dirnames, filenames in walk_nofollow(work):  # iterative: deep trees are fine
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        if SKILL_MD in filenames:
            found.append(Path(dirpath).relative_to(work).as_posix())
    return "repo", found, skipped


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
    async def _resolve(self, url: str, store: ScopeStore) -> AsyncIterator[Resolved]:
        self.m.require_github()
        if not isinstance(url, str) or not url.strip():
            raise Invalid("Enter a GitHub URL or owner/repo.")
        loc = self.github.parse_url(url.strip())
        ref = loc.ref or await self.github.default_branch(loc.owner, loc.repo)
        sha = await self.github.probe(loc.owner, loc.repo, ref, loc.path)
        if sha is None:
            where = f"'{loc.path}'" if loc.path else "anything"
            raise NotFound(f"There is no {where} on '{ref}' in {loc.owner}/{loc.repo}.")
        fetcher = ArchiveFetcher(self.github, store)
        work = await asyncio.to_thread(_mkdtemp, store, "import-")
        try:
            archive = await fetcher.get(loc.owner, loc.repo, sha)
            kind, candidates, skipped = await asyncio.to_thread(_unpack, archive, loc.path, work, self.m.max_extract_bytes)
            yield Resolved(loc=loc, ref=ref, sha=sha, work=work, kind=kind, candidates=candidates, skipped=skipped)
        finally:
            fetcher.close()
            await asyncio.to_thread(remove_tree_quietly, work)

    # ---- preview -----------------------------------------------------------

    async def preview(self, url: str) -> Preview:
        store = self.m.stores["user"]
        async with self._resolve(url, store) as res:
            return await asyncio.to_thread(self._preview_sync, res)

    def _preview_sync(self, res: Resolved) -> Preview:
        skills: list[Candidate] = []
        errors: list[PreviewError] = []
        for rel in res.candidates:
            folder = res.work / rel
            path = res.repo_path(rel)
            try:
                fm = parse_skill_md((folder / SKILL_MD).read_bytes()).frontmatter
                name = res.skill_name(rel, fm)
            except SkillsError as err:
                errors.append(PreviewError(path=path or None, message=f"{path or '.'}/SKILL.md: {err.message}"))
                continue
            problems = []
            if fm.get("name") is not None and str(fm.get("name")) != name:
                problems.append(f"frontmatter name '{fm.get('name')}' is not a valid skill name; it installs as '{name}'")
            if not fm.get("description"):
                problems.append("SKILL.md has no description")
            if self.m.max_skill_bytes and _size(folder) > self.m.max_skill_bytes:
                problems.append(f"larger than the {_mb(self.m.max_skill_bytes)} skill limit (max_skill_mb)")
            problems.extend(not_installed(res.skipped, rel))
            skills.append(
                Candidate(
                    path=path,
                    name=name,
                    description=_str(fm.get("description")) or "",
                    files=bundle_files(folder),
                    exists={scope: st.exists(name) for scope, st in self.m.stores.items()},
                    problems=problems,
                )
            )
        clashes = name_clashes({c.path: c.name for c in skills})
        for candidate in skills:
            candidate.problems.extend(clashes.get(candidate.path, []))
        if not res.candidates:
            errors.append(PreviewError(path=res.loc.path or None, message="No SKILL.md found there."))
        source = Source(kind=res.kind, owner=res.loc.owner, repo=res.loc.repo, ref=res.ref, sha=res.sha)
        return Preview(source=source, skills=skills, errors=errors)

    # ---- import ------------------------------------------------------------

    async def import_one(self, url, scope, *, name=None, tracks_upstream=None, overwrite=False):
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

    async def import_many(self, url, scope, paths, *, tracks_upstream=None, overwrite=False):
        store = self.m.store(scope)
        if not paths:
            raise Invalid("'paths' must name at least one skill folder from the preview.")
        installed, errors = [], []
        async with self._resolve(url, store) as res:
            by_path = {res.repo_path(c): c for c in res.candidates}
            claimed: dict[str, str] = {}  # install name -> path that took it in this request
            for path in paths:
                rel = by_path.get(str(path).strip("/"))
                if rel is None:
                    errors.append({"path": path, "message": f"No skill at '{path}' in this source."})
                    continue
                try:
                    final = await asyncio.to_thread(_candidate_name, res, rel)
                    if final in claimed:
                        raise Conflict(
                            f"'{path}' would install as '{final}', like '{claimed[final]}' just did; "
                            "import it on its own with another name.",
                            reason="exists",
                        )
                    detail, _ = await self._install(res, rel, store, None, tracks_upstream, overwrite)
                    claimed[final] = path
                    installed.append(detail)
                except SkillsError as err:
                    errors.append({"path": path, "message": err.message})
        return installed, errors

    async def _install(self, res: Resolved, rel: str, store: ScopeStore, name, tracks_upstream, overwrite):
        folder = res.work / rel
        path = res.repo_path(rel)
        raw = await asyncio.to_thread((folder / SKILL_MD).read_bytes)
        final = name or res.skill_name(rel, parse_skill_md(raw).frontmatter)
        commit = res.sha
        if rel:
            # The folder's newest commit *at the extracted commit* (not on the branch,
            # which may have moved since): same content, comparable by a later sync.
            commit = await self.github.probe(res.loc.owner, res.loc.repo, res.sha, path) or res.sha
        record = InstallRecord(
            origin=Origin(host=self.m.github_host, owner=res.loc.owner, repo=res.loc.repo, ref=res.ref, path=path),
            commit=commit,
        )
        if self.m.max_skill_bytes and await asyncio.to_thread(_size, folder) > self.m.max_skill_bytes:
            raise Invalid(f"The skill is larger than max_skill_mb ({_mb(self.m.max_skill_bytes)}).")
        staging = await asyncio.to_thread(_stage_copy, store, final, folder)
        try:
            async with self.m.locks.hold((store, final)):
                created = await asyncio.to_thread(
                    self._stage_install, store, final, staging, record, tracks_upstream, overwrite
                )
                detail: SkillDetail = await self.m.get_skill(store.scope, final)
        finally:
            await asyncio.to_thread(store.discard, staging)
        detail.problems.extend(not_installed(res.skipped, rel))  # never dropped silently
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

    # ---- sync --------------------------------------------------------------

    async def sync(self, scope: str, name: str, *, force: bool = False, fetcher: ArchiveFetcher | None = None) -> SyncResult:
        self.m.require_github()
        store = self.m.store(scope)
        validate_name(name)
        # Syncs of one skill in this process run one after the other (the second
        # then finds nothing to do); this gate is not the skill lock, so edits and
        # other writers are never held up by a download.
        gate = self._gates.setdefault((store.key, name), asyncio.Lock())
        async with gate:
            return await self._sync_locked(store, name, force, fetcher)

    async def _sync_locked(self, store: ScopeStore, name: str, force: bool, fetcher) -> SyncResult:
        """Check, download, then lock → re-check → swap (network I/O never under the lock)."""
        skill = await asyncio.to_thread(self.m.reader.summary, store, name)  # NotFound if absent
        if skill.managed:
            raise Invalid(f"'{name}' is a managed skill: it is updated from the organisation manifest, not by Sync.")
        if not skill.tracks_upstream:
            raise Invalid(f"'{name}' does not track upstream. Turn on Track upstream first.")
        if not skill.source:
            raise Invalid(f"'{name}' has no GitHub source to sync from.")
        if skill.locally_modified is None and not force:
            raise Conflict(
                f"'{name}' has no install record, so local changes cannot be ruled out. Sync with force to replace it.",
                reason="locally_modified",
            )
        if skill.locally_modified and not force:
            raise Conflict(f"'{name}' has local changes that Sync would overwrite. Sync with force to replace them.",
                           reason="locally_modified")
        record = await asyncio.to_thread(store.records.read, name)
        origin = record.origin if record is not None else None
        if origin is None:
            origin = self.m._origin_from_source(skill.source, None)  # adopting a record-less skill, once
            if origin is None:
                raise Invalid(f"'{name}' has no GitHub source to sync from.")
        seen = await asyncio.to_thread(self.m.reader.current_hash, store.skill_dir(name))
        where = f"{origin.owner}/{origin.repo}"
        ref = origin.ref
        try:
            sha = await self.github.probe(origin.owner, origin.repo, ref, origin.path)
        except GitHubNotFound:
            await self._set_orphaned(store, name, True)
            raise Gone(f"The upstream of '{name}' ({where}) no longer exists on GitHub. The installed skill was kept.") from None
        if sha is None:
            await self._set_orphaned(store, name, True)
            raise Gone(f"'{origin.path}' no longer exists on '{ref}' in {where}. The installed skill was kept.")
        if sha == skill.tracking_ref and not skill.locally_modified and record is not None:
            if skill.orphaned:
                await self._set_orphaned(store, name, False)
            return SyncResult(updated=False, ref=sha)
        own = fetcher is None
        fetcher = fetcher or ArchiveFetcher(self.github, store)
        try:
            archive = await fetcher.get(origin.owner, origin.repo, sha)
            new = InstallRecord(origin=origin, commit=sha, tracking=True)
            if record is not None:
                new = record.model_copy(update={"commit": sha, "tree": None, "tracking": True, "orphaned": False,
                                                "last_check": LastCheck(update_available=False, checked_at=time.time())})
            staging = await asyncio.to_thread(self._extract_sync, store, name, archive, origin)
            try:
                async with self.m.locks.hold((store, name)):
                    await asyncio.to_thread(self._stage_sync, store, name, staging, new, seen)
            finally:
                await asyncio.to_thread(store.discard, staging)
        finally:
            if own:
                fetcher.close()
        return SyncResult(updated=True, ref=sha)

    def _extract_sync(self, store: ScopeStore, name: str, archive: Path, origin: Origin) -> Path:
        """Unpack the skill's folder into a fresh staging entry (no lock needed: it is ours)."""
        staging = store.new_staging(name)
        try:
            extracted = extract_subtree(archive, origin.path, staging, max_bytes=self.m.max_skill_bytes)
            if SKILL_MD in extracted.skipped:
                raise Invalid(
                    "The upstream SKILL.md is a link or special file, which is never installed. "
                    "The installed skill was kept."
                )
        except BaseException:
            store.discard(staging)
            raise
        return staging

    def _stage_sync(self, store: ScopeStore, name: str, staging: Path, record: InstallRecord, seen: str) -> None:
        """Under the skill lock: the content must still be what was checked, then swap."""
        if not (staging / SKILL_MD).is_file():
            self._set_orphaned_locked(store, name, True)
            where = record.origin.path if record.origin else ""
            raise Gone(f"'{where or '/'}' on '{record.origin.ref if record.origin else ''}' no longer holds a SKILL.md. "
                       "The installed skill was kept.")
        try:
            self._finish_staging(store, name, staging, record, txn.seen(seen))
        except Invalid as err:
            raise Invalid(f"The upstream SKILL.md is invalid ({err.message}). The installed skill was kept.") from None

    async def _set_orphaned(self, store: ScopeStore, name: str, orphaned: bool) -> None:
        async with self.m.locks.hold((store, name)):
            await asyncio.to_thread(self._set_orphaned_locked, store, name, orphaned)

    def _set_orphaned_locked(self, store: ScopeStore, name: str, orphaned: bool) -> None:
        record = store.records.read(name)
        if record is not None and record.orphaned != orphaned and store.exists(name):
            record.orphaned = orphaned
            txn.write_record(store, name, record)

    async def sync_all(self) -> list[dict]:
        self.m.require_github()
        skills = await self.m.list_tracking_skills()
        gate = asyncio.Semaphore(self.m.sync_concurrency)
        fetcher = ArchiveFetcher(self.github, self.m.stores["user"])

        async def one(skill) -> dict:
            key = {"scope": skill.scope, "name": skill.name}
            async with gate:
                try:
                    result = await self.sync(skill.scope, skill.name, fetcher=fetcher)
                    return {**key, "updated": result.updated, "ref": result.ref}
                except SkillsError as err:
                    # The 409 reason too, so the UI can offer "overwrite local changes".
                    return {**key, "error": err.message, **({"reason": err.reason} if err.reason else {})}
                except Exception:  # isolate: one broken skill never sinks the batch
                    log.exception("sync of %s/%s failed", skill.scope, skill.name)
                    return {**key, "error": "Unexpected error; see the Jupyter server log."}

        try:
            return list(await asyncio.gather(*(one(s) for s in skills)))
        finally:
            fetcher.close()


def _candidate_name(res: Resolved, rel: str) -> str:
    return res.skill_name(rel, parse_skill_md((res.work / rel / SKILL_MD).read_bytes()).frontmatter)


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
