"""The per-repository sync engine (contract §6): sync, sync-all and check.

One head request per (host, owner, repo, ref) group, conditional on the ETag
the last check saw; a moved head costs one `git/trees` per group, and each
skill's change is its folder's tree SHA against the one recorded at install.
Each (repo, commit) archive is downloaded once per batch.  A rate-limit answer
trips a breaker: every skill not yet asked reports it and nothing more is sent.

Network I/O never runs under a skill's write lock: the lock is taken only to
re-check the live bundle (digest and record unchanged since the plan) and swap.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import time
from pathlib import Path
from typing import Callable, Optional

from ..errors import LOCALLY_MODIFIED, Conflict, Gone, Invalid, NotFound, SkillsError
from ..github import NOT_MODIFIED, GitHubLocation, RateLimited, RefNotFound, extract_subtree
from . import adoption, planner
from .applier import Applier
from .applier import unexpected as _unexpected
from .fsutil import bundle_files
from .hashing import content_sha256
from .planner import ABSENT, UNKNOWN, Outcome, Target
from .record import InstallRecord, LastCheck
from .upstream import ArchiveFetcher

log = logging.getLogger(__name__)

Progress = Callable[[Outcome], None]


@dataclasses.dataclass
class _Pending:
    """A skill whose folder changed: applied with the rest of its group."""

    target: Target
    folder_tree: Optional[str]
    check: LastCheck


class _Batch:
    """Shared state of one run: archive cache, breaker, progress."""

    def __init__(self, engine: "SyncEngine", mode: str, progress: Optional[Progress]):
        self.mode = mode
        # in the user scope's bookkeeping, else the project's: one broken scope never stops the other
        self.fetcher = ArchiveFetcher(engine.github, *engine.m.unique_stores())
        self.limited: Optional[RateLimited] = None
        self._progress = progress

    async def call(self, coro_fn, *args):
        """One GitHub call, unless the breaker has tripped; a rate limit trips it."""
        if self.limited is not None:
            raise RateLimited(self.limited.message)
        try:
            return await coro_fn(*args)
        except RateLimited as err:
            self.limited = self.limited or err
            raise

    def report(self, outcome: Outcome) -> Outcome:
        if self._progress is not None:
            try:
                self._progress(outcome)
            except Exception:  # a broken listener must not sink the batch
                log.exception("sync progress callback failed")
        return outcome


def blob_sha(path: Path) -> str:
    """git's blob id of a local file, to compare with `git/trees` without a download."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class SyncEngine:
    def __init__(self, manager) -> None:
        self.m = manager
        self.apply = Applier(manager)

    @property
    def github(self):
        return self.m.github

    # ---- entry points --------------------------------------------------

    async def run(self, targets: list[Target], *, mode: str = "sync", progress: Optional[Progress] = None,
                  limited: Optional[RateLimited] = None) -> list[Outcome]:
        """Sync (mode "sync") or probe (mode "check") every target; one Outcome each.
        ``limited``: a rate limit met while planning (pins.py): the breaker starts tripped."""
        batch = _Batch(self, mode, progress)
        batch.limited = limited
        gate = asyncio.Semaphore(self.m.sync_concurrency)
        results: dict[int, Outcome] = {}

        async def one_group(members: list[Target]) -> None:
            async with gate:
                for target, outcome in zip(members, await self._group(members, batch), strict=True):
                    results[id(target)] = outcome

        try:
            await asyncio.gather(*(one_group(m) for m in planner.group(targets).values()))
        finally:
            batch.fetcher.close()
        return [results[id(t)] for t in targets]

    # ---- one repository group ---------------------------------------------

    async def _group(self, members: list[Target], batch: _Batch) -> list[Outcome]:
        """One repository group is one operation: its GitHub requests (head, tree,
        probes, archives) share one deadline derived from request_timeout."""
        o = members[0].origin
        async with self.github.operation(f"{batch.mode} of {o.owner}/{o.repo}@{o.ref}"):
            return await self._group_work(members, batch)

    async def _group_work(self, members: list[Target], batch: _Batch) -> list[Outcome]:
        origin = members[0].origin
        etag, etag_head = planner.group_etag(members)
        try:
            answer = await batch.call(self.github.head, origin.owner, origin.repo, origin.ref, etag)
        except RefNotFound:
            if any(t.origin.guessed for t in members):  # maybe a ref with '/': read the URL again
                return await self._reread_refs(members, batch)
            # the repository answered: the ref itself is gone, so is every folder on it
            return await asyncio.gather(*(self._orphan(t, batch, f"'{origin.ref}' no longer exists") for t in members))
        except SkillsError as err:  # repository missing or private, network, rate limit: nothing marked
            return [batch.report(self._failed(t, err)) for t in members]
        for t in members:
            if t.origin.guessed:  # GitHub knows the ref: the split parsed from the URL holds
                t.origin = t.origin.model_copy(update={"guessed": False})
        if answer is NOT_MODIFIED:
            head, etag = etag_head, etag
        else:
            head, etag = answer.sha, answer.etag
        tree = None
        if any(planner.needs_tree(t, head) for t in members):
            try:
                tree = await batch.call(self.github.tree, origin.owner, origin.repo, head)
            except SkillsError as err:
                return [batch.report(self._failed(t, err)) for t in members]
        decided = await asyncio.gather(*(self._member(t, head, etag, tree, batch) for t in members))
        pending = [d for d in decided if isinstance(d, _Pending)]
        applied = await self._apply_all(pending, head, batch) if pending else {}
        return [applied[id(d.target)] if isinstance(d, _Pending) else d for d in decided]

    async def _member(self, target: Target, head: str, etag, tree, batch: _Batch):
        try:
            outcome = await self._decide(target, head, etag, tree, batch)
            if isinstance(outcome, _Pending):
                return outcome  # reported once applied
        except SkillsError as err:
            outcome = self._failed(target, err)
        except Exception as exc:  # isolate: one broken skill never sinks the batch
            outcome = self._failed(target, _unexpected(target, exc))
        return batch.report(outcome)

    async def _apply_all(self, pending: list["_Pending"], head: str, batch: _Batch) -> dict[int, Outcome]:
        """One download and one extraction pass for every changed skill of a group."""
        o = pending[0].target.origin
        try:
            archive = await batch.call(batch.fetcher.get, o.owner, o.repo, head)
            staged = await self.apply.stage_many([p.target for p in pending], archive, head)
        except SkillsError as err:
            return {id(p.target): batch.report(self._failed(p.target, err)) for p in pending}
        except Exception as exc:  # noqa: BLE001 - the group's skills fail, the batch goes on
            return {id(p.target): batch.report(self._failed(p.target, _unexpected(p.target, exc))) for p in pending}

        async def finish(p: _Pending) -> Outcome:
            t = p.target
            try:
                result = staged[id(t)]
                if isinstance(result, Gone):
                    await self.apply.note_check(t, orphaned=True)
                if isinstance(result, Exception):
                    raise result
                updated = await self.apply.commit(t, *result, head, p.folder_tree, p.check)
                outcome = Outcome(t.scope, t.name, updated=updated, ref=head if updated else t.record.commit)
            except SkillsError as err:
                outcome = self._failed(t, err)
            except Exception as exc:
                outcome = self._failed(t, _unexpected(t, exc))
            return batch.report(outcome)

        outcomes = await asyncio.gather(*(finish(p) for p in pending))
        return {id(p.target): out for p, out in zip(pending, outcomes, strict=True)}

    async def _reread_refs(self, members: list[Target], batch: _Batch) -> list[Outcome]:
        """GitHub does not know the group's ref.  A member whose origin was parsed from a
        `source` URL (``guessed``) may name a ref with '/' (`tree/release/v1/x` parsed as
        ref `release`): the longer refs its URL allows are asked for (a few at most,
        shortest first) and it is synced as part of its real group.  Never marked *Upstream
        gone* on a guess; the other members' ref is gone."""
        origin = members[0].origin
        known: dict[str, object] = {}  # ref -> True (exists), False (unknown) or the error met
        regrouped: list[Target] = []
        out: dict[int, Outcome] = {}
        for t in members:
            o = t.origin
            if not o.guessed:
                out[id(t)] = await self._orphan(t, batch, f"'{origin.ref}' no longer exists")
                continue
            found: object = None
            for reading in GitHubLocation(o.owner, o.repo, o.ref, o.path).splits()[1:]:
                if reading.ref not in known:
                    try:
                        await batch.call(self.github.head, o.owner, o.repo, reading.ref)
                        known[reading.ref] = True
                    except RefNotFound:
                        known[reading.ref] = False
                    except SkillsError as err:
                        known[reading.ref] = err
                if known[reading.ref] is not False:
                    found = known[reading.ref] if isinstance(known[reading.ref], SkillsError) else reading
                    break
            if isinstance(found, GitHubLocation):
                t.origin = o.model_copy(update={"ref": found.ref, "path": found.path, "guessed": False})
                regrouped.append(t)
                continue
            err = found if isinstance(found, SkillsError) else NotFound(
                f"There is no '{o.ref}' in {o.owner}/{o.repo}, nor a longer branch or tag that its source URL "
                "names; the skill was kept and not marked Upstream gone.")
            out[id(t)] = batch.report(self._failed(t, err))
        for group in planner.group(regrouped).values():
            for t, outcome in zip(group, await self._group_work(group, batch), strict=True):
                out[id(t)] = outcome
        return [out[id(t)] for t in members]

    @staticmethod
    def _failed(target: Target, err: SkillsError) -> Outcome:
        return Outcome(scope=target.scope, name=target.name, error=err)

    async def _orphan(self, target: Target, batch: _Batch, why: str) -> Outcome:
        err = Gone(f"The upstream of '{target.name}' is gone ({why}). The installed skill was kept.")
        if target.record is not None:
            await self.apply.note_check(target, orphaned=True)
        return batch.report(self._failed(target, err))

    # ---- one skill -----------------------------------------------------------

    async def _digest(self, t: Target) -> str:
        """The live bundle's content digest, taken once per run (before any download,
        so the re-check under the lock catches an edit made during it)."""
        if t.digest is None:

            def digest() -> str:
                t.store.require(t.name)  # deleted or renamed meanwhile: 404, not "modified"
                return self.m.reader.current_hash(t.store.skill_dir(t.name))

            t.digest = await self.m.run_io(digest)
        return t.digest

    async def _decide(self, t: Target, head: str, etag, tree, batch: _Batch) -> Outcome:
        o = t.origin
        persisted = t.record is not None
        if t.record is None:
            t.record, persisted = await self._adopt(t, head, tree, batch)
        rec = t.record
        folder = planner.known_folder_tree(t, head) or planner.folder_state(tree, o.path)
        if folder == UNKNOWN:  # truncated tree or nothing recorded: probe the folder's commits
            newest = await batch.call(self.github.probe, o.owner, o.repo, head, o.path)
            if newest is None:
                folder = ABSENT
            else:
                base = rec.commit and await batch.call(self.github.probe, o.owner, o.repo, rec.commit, o.path)
                changed, folder_tree = newest != base, None
        if folder == ABSENT:
            return await self._orphan(t, batch, f"'{o.path or '/'}' is not on '{o.ref}' in {o.owner}/{o.repo}")
        if folder != UNKNOWN:
            changed, folder_tree = folder != rec.tree, folder
        check = LastCheck(head=head, etag=etag, tree=folder_tree, update_available=changed, checked_at=time.time())
        if batch.mode == "check":
            if persisted:
                await self.apply.note_check(t, last_check=check, orphaned=False)
            return Outcome(t.scope, t.name, ref=head, current_ref=rec.commit, update_available=changed)
        if not changed:
            await self.apply.note_check(t, last_check=check, orphaned=False)
            return Outcome(t.scope, t.name, updated=False, ref=rec.commit)
        await self._digest(t)
        if t.locally_modified is not False and not t.force:
            if persisted:
                await self.apply.note_check(t, last_check=check)
            raise Conflict(
                f"'{t.name}' has local changes and upstream changed too; the local changes were kept "
                "and the update was not applied.",
                reason=LOCALLY_MODIFIED,
            )
        return _Pending(t, folder_tree, check)  # downloaded and extracted with its group

    # ---- adoption of a tracking skill without a record -----------------------

    async def _adopt(self, t: Target, head: str, tree, batch: _Batch) -> tuple[InstallRecord, bool]:
        """Compare the local bundle with upstream at its `tracking_ref`.

        Files other than SKILL.md are compared by git blob SHA (from
        `git/trees`, no download); when they all match, SKILL.md is compared by
        the content digest rule (product keys removed) against the archive at
        `tracking_ref`, or as notebook-intelligence renders it (`adoption.py`).
        Identical → the record is written (adopted).  Different or unknown (a
        `tracking_ref` that is not a full commit SHA) → 409 `locally_modified`
        unless force, which replaces it with the head.
        """
        o = t.origin
        ref = adoption.commit_to_compare(t.tracking_ref, head, batch.mode)
        await self._digest(t)
        upstream = None
        if ref:
            if tree is not None and ref == head and not tree.truncated:
                upstream = tree
            else:
                try:
                    upstream = await batch.call(self.github.tree, o.owner, o.repo, ref)
                except RefNotFound:
                    upstream = None
        folder_tree = upstream.folder(o.path) if upstream is not None and not upstream.truncated else None
        candidate = InstallRecord(origin=o, commit=ref if upstream else None, tree=folder_tree, tracking=True)
        same = upstream is not None and await asyncio.to_thread(self._blobs_match, t, upstream)
        if same and batch.mode == "sync":
            same = await self._skill_md_matches(t, ref, batch)
        if batch.mode == "check":
            return candidate, False  # probe only: judge by trees, write nothing
        if same:
            candidate.content_sha256 = t.digest
            await self.apply.adopt(t, candidate)
            return candidate, True
        if t.force:
            return InstallRecord(origin=o, tracking=True), False  # no tree: replaced below
        raise Conflict(
            f"'{t.name}' has local changes: it differs from the upstream version it was installed from "
            "(or that version is unknown); the local files were kept.",
            reason=LOCALLY_MODIFIED,
        )

    def _blobs_match(self, t: Target, upstream) -> bool:
        folder = t.store.skill_dir(t.name)
        remote = upstream.blobs_under(t.origin.path)
        local = bundle_files(folder)
        if set(local) != set(remote):
            return False
        return all(rel == "SKILL.md" or blob_sha(folder / rel) == remote[rel] for rel in local)

    async def _skill_md_matches(self, t: Target, ref: str, batch: _Batch) -> bool:
        o = t.origin
        archive = await batch.call(batch.fetcher.get, o.owner, o.repo, ref)
        store = t.store

        def compare() -> bool:
            work = store.new_staging(t.name)
            try:
                extract_subtree(archive, o.path, work, max_bytes=self.m.max_skill_bytes,
                                max_scan_bytes=self.m.max_scan_bytes)
                local = store.skill_dir(t.name) / "SKILL.md"  # other files matched by blob SHA already
                return content_sha256(work) == t.digest or adoption.written_by_ni(
                    (work / "SKILL.md").read_bytes(), local.read_bytes(), t.name)
            except (Invalid, SkillsError):
                return False
            finally:
                store.discard(work)

        return await self.m.run_extract(compare)

