"""Disk side of the sync engine: extract, stamp, re-check under the lock, swap, record.

The bundle is extracted and stamped (from its new record, `txn.stamp_skill_md`)
in staging *before* the skill's write lock is taken; under the lock the live
record is re-checked and `txn.install` re-checks the content digest the plan
saw (`txn.seen`), then journals, swaps and commits the record (docs/store.md).
The record is written from what was actually extracted (the head commit and
its folder tree SHA).  Records are changed only through `txn`.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Optional

from ..errors import CHANGED_ON_DISK, Conflict, Gone, Invalid, SkillsError
from ..github.archive import extract_subtrees
from ..oserrors import translate
from . import txn
from .hashing import content_sha256
from .planner import Target
from .record import InstallRecord, LastCheck
from .store import SKILL_MD

log = logging.getLogger(__name__)

# An unchanged answer is not written back (a write is an fsync per skill); the
# record's checked_at is refreshed when older than this.
CHECKED_AT_REFRESH = 3600


def _confirms(live: InstallRecord, origin) -> bool:
    """Whether ``origin`` confirms the guessed origin of ``live`` (the same URL, read
    with the ref GitHub knows), so it replaces it in the record."""
    old = live.origin
    if old is None or not old.guessed or origin is None or origin.guessed:
        return False
    same_repo = (old.host.lower(), old.owner.lower(), old.repo.lower()) == (
        origin.host.lower(), origin.owner.lower(), origin.repo.lower())
    return same_repo and "/".join(p for p in (old.ref, old.path) if p) == "/".join(
        p for p in (origin.ref, origin.path) if p)


def _same_answer(live: InstallRecord, check: Optional[LastCheck], orphaned: Optional[bool], origin=None) -> bool:
    if orphaned is not None and live.orphaned != orphaned:
        return False
    if _confirms(live, origin):
        return False
    if check is None:
        return True
    old = live.last_check
    fresh = old.checked_at is not None and check.checked_at is not None and check.checked_at - old.checked_at < CHECKED_AT_REFRESH
    return fresh and (old.head, old.etag, old.tree, old.update_available) == (
        check.head, check.etag, check.tree, check.update_available)


def synced_record(t: Target, head: str) -> InstallRecord:
    """The record a sync to ``head`` installs (tree, digest and check filled in later)."""
    record = (t.record or InstallRecord(origin=t.origin)).model_copy(deep=True)
    record.origin, record.tracking, record.orphaned, record.commit = t.origin, True, False, head
    return record


class Applier:
    def __init__(self, manager) -> None:
        self.m = manager

    async def stage_many(self, targets: list[Target], archive: Path, head: str) -> dict[int, object]:
        """Extract every target's folder from ``archive`` in one pass and stamp it.

        Returns {id(target): (staging, digest) or the SkillsError for that skill}.
        """
        return await self.m.run_extract(self._stage_many, targets, archive, head)

    def _stage_many(self, targets: list[Target], archive: Path, head: str) -> dict[int, object]:
        """Blocking: one extraction pass, then each target staged on its own. Anything a
        target's content causes, expected or not, is that target's outcome (its staging
        discarded); the other skills of the batch go on."""
        by_path: dict[str, list[Target]] = {}
        for t in targets:
            by_path.setdefault(t.origin.path, []).append(t)
        dests: dict[str, Path] = {}
        try:
            for path, ts in by_path.items():
                dests[path] = ts[0].store.new_staging(ts[0].name)
            extracted = extract_subtrees(archive, dests, max_bytes=self.m.max_skill_bytes,
                                         max_scan_bytes=self.m.max_scan_bytes)
        except BaseException:
            for path, dest in dests.items():
                by_path[path][0].store.discard(dest)
            raise
        out: dict[int, object] = {}
        for path, ts in by_path.items():
            first = dests[path]
            # the same folder installed twice (user and project): a copy in each scope's staging,
            # made before the first one is stamped
            stagings: list[Optional[Path]] = [first]
            for t in ts[1:]:
                try:
                    stagings.append(self._copy_staging(t, first))
                except Exception as exc:  # noqa: BLE001 - that target's failure only
                    stagings.append(None)
                    out[id(t)] = _as_error(t, exc)
            for t, staging in zip(ts, stagings, strict=True):
                if staging is None:
                    continue
                try:
                    out[id(t)] = (staging, self._finish_stage(t, staging, extracted[path], head))
                except Exception as exc:  # noqa: BLE001 - isolate: one broken skill never sinks the batch
                    t.store.discard(staging)
                    out[id(t)] = _as_error(t, exc)
        return out

    @staticmethod
    def _copy_staging(t: Target, source: Path) -> Path:
        staging = t.store.new_staging(t.name)
        try:
            shutil.copytree(source, staging, dirs_exist_ok=True, symlinks=True)
        except BaseException:
            t.store.discard(staging)
            raise
        return staging

    def _finish_stage(self, t: Target, staging: Path, extracted, head: str) -> str:
        if isinstance(extracted, Exception):
            raise extracted
        if SKILL_MD in extracted.skipped:
            raise Invalid(
                "The upstream SKILL.md is a link or special file, which is never installed. The installed skill was kept."
            )
        if not (staging / SKILL_MD).is_file():
            raise Gone(f"'{t.origin.path or '/'}' no longer holds a SKILL.md. The installed skill was kept.")
        try:
            txn.stamp_skill_md(t.store, staging, t.name, synced_record(t, head))
            return content_sha256(staging)
        except Invalid as err:
            raise Invalid(f"The upstream SKILL.md is invalid ({err.message}). The installed skill was kept.") from None

    async def commit(self, t: Target, staging: Path, digest: str, head: str, folder_tree: Optional[str], check: LastCheck) -> bool:
        """Swap a staged bundle in (commit ``head``); False when it equals what is installed."""
        store, name = t.store, t.name
        try:
            compared_by_tree = folder_tree is not None and t.record is not None and t.record.tree is not None
            if not compared_by_tree and t.record is not None and digest == t.record.content_sha256:
                # no tree SHAs to compare: the content is what is installed (e.g. a revert)
                await self.note_check(t, last_check=check.model_copy(update={"update_available": False}), orphaned=False)
                return False
            record = synced_record(t, head)
            record.tree, record.content_sha256 = folder_tree, digest
            record.last_check = check.model_copy(update={"update_available": False})
            async with self.m.locks.hold((store, name)):
                await self.m.run_io(self._swap_locked, t, staging, record)
            return True
        finally:
            await self.m.run_io(store.discard, staging)

    def _recheck_record(self, t: Target) -> None:
        """Under the lock: the live record must still be the one the plan read
        (another server may have synced this skill meanwhile)."""
        txn.settle(t.store, t.name)  # a half-done step of a dead writer first
        live = t.store.records.read(t.name)
        before = t.record.commit if t.record is not None and t.record.content_sha256 else None
        if live is not None and before is not None and live.commit != before:
            raise Conflict(f"'{t.name}' was updated meanwhile; nothing was replaced.", reason=CHANGED_ON_DISK)

    def _recheck(self, t: Target) -> None:
        """Under the lock: the live bundle (digest) and record must be what the plan saw."""
        txn.check_target(t.store, t.name, txn.seen(t.digest))
        self._recheck_record(t)

    def _swap_locked(self, t: Target, staging: Path, record: InstallRecord) -> None:
        self._recheck_record(t)
        # txn.install re-checks the digest the plan saw (409 changed_on_disk, edit kept),
        # then journals, swaps, commits the record and keeps the previous generation.
        txn.install(t.store, t.name, staging, record, txn.seen(t.digest))

    async def adopt(self, t: Target, record: InstallRecord) -> None:
        """Write the record of a skill found identical to its upstream."""

        def write() -> None:
            self._recheck(t)
            txn.write_record(t.store, t.name, record)

        async with self.m.locks.hold((t.store, t.name)):
            await self.m.run_io(write)

    async def note_check(self, t: Target, *, last_check: Optional[LastCheck] = None, orphaned: Optional[bool] = None) -> None:
        """Remember what a probe saw (head, ETag, folder tree) and the orphaned flag."""
        store, name = t.store, t.name
        if t.record is not None and _same_answer(t.record, last_check, orphaned, t.origin):
            return  # the record read for this run already says so: no lock, no read, no write

        def write() -> None:
            live = store.records.read(name)
            if live is None or (t.record is not None and live.commit != t.record.commit):
                return  # gone or re-synced meanwhile: this answer is stale
            if _same_answer(live, last_check, orphaned, t.origin):
                return  # nothing new: skip the fsync'd write (checked_at refreshes hourly)
            if last_check is not None:
                live.last_check = last_check
            if orphaned is not None:
                live.orphaned = orphaned
            if _confirms(live, t.origin):  # `source` renders the same: SKILL.md does not change
                live.origin = t.origin
            txn.write_record(store, name, live)

        async with self.m.locks.hold((store, name)):
            await self.m.run_io(write)


def unexpected(t: Target, exc: Exception) -> SkillsError:
    """A disk failure as its typed error (disk full, read-only...); anything else is logged."""
    if isinstance(exc, OSError):
        err = translate(exc, t.name)
        if err is not None:
            return err
    log.error("sync of %s/%s failed", t.scope, t.name, exc_info=exc)
    return SkillsError("Unexpected error; see the Jupyter server log.")


def _as_error(t: Target, exc: Exception) -> SkillsError:
    return exc if isinstance(exc, SkillsError) else unexpected(t, exc)
