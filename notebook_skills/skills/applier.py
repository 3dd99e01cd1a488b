"""Disk side of the sync engine: extract, stamp, re-check under the lock, swap, record.

The bundle is extracted and stamped in staging *before* the skill's write lock
is taken; under the lock the live bundle is re-checked (content digest and
record as the plan saw them) and only then swapped.  The record is written
from what was actually extracted (the head commit and its folder tree SHA).

When the `store` branch's transactional write path lands, `_swap_locked`
becomes a call into it (it adds fsync, the journal and cross-process locks).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

from ..errors import Conflict, Gone, Invalid, SkillsError
from ..github.archive import extract_subtrees
from .frontmatter import PRODUCT_KEYS, parse_skill_md, set_frontmatter_keys
from .hashing import content_sha256
from .planner import Target
from .record import InstallRecord, LastCheck
from .record_io import load_record, save_record
from .store import SKILL_MD, SkillMeta

CHANGED_ON_DISK = "changed_on_disk"
# An unchanged answer is not written back (a write is an fsync per skill); the
# record's checked_at is refreshed when older than this.
CHECKED_AT_REFRESH = 3600


def _same_answer(live: InstallRecord, check: Optional[LastCheck], orphaned: Optional[bool]) -> bool:
    if orphaned is not None and live.orphaned != orphaned:
        return False
    if check is None:
        return True
    old = live.last_check
    fresh = old.checked_at is not None and check.checked_at is not None and check.checked_at - old.checked_at < CHECKED_AT_REFRESH
    return fresh and (old.head, old.etag, old.tree, old.update_available) == (
        check.head, check.etag, check.tree, check.update_available)


def stamp_bundle(folder: Path, name: str, stamp: dict) -> str:
    """Write the product keys (and `name` when installed under another) into SKILL.md;
    return the bundle's content digest."""
    md = folder / SKILL_MD
    raw = md.read_bytes()
    doc = parse_skill_md(raw)
    updates = dict(stamp)
    if doc.frontmatter.get("name") is None or str(doc.frontmatter.get("name")) != name:
        updates["name"] = name
    md.write_bytes(set_frontmatter_keys(raw.decode("utf-8"), updates).encode("utf-8"))
    return content_sha256(folder)


def tracking_stamp(source: str, commit: str) -> dict:
    stamp: dict = {key: None for key in PRODUCT_KEYS}
    stamp.update(source=source, tracks_upstream=True, tracking_ref=commit)
    return stamp


class Applier:
    def __init__(self, manager) -> None:
        self.m = manager

    def _source(self, t: Target) -> str:
        o = t.origin
        base = f"{self.m.github.github_url}/{o.owner}/{o.repo}/tree/{o.ref}"
        return f"{base}/{o.path}" if o.path else base

    async def stage_many(self, targets: list[Target], archive: Path, head: str) -> dict[int, object]:
        """Extract every target's folder from ``archive`` in one pass and stamp it.

        Returns {id(target): (staging, digest) or the SkillsError for that skill}.
        """
        return await self.m.run_extract(self._stage_many, targets, archive, head)

    def _stage_many(self, targets: list[Target], archive: Path, head: str) -> dict[int, object]:
        by_path: dict[str, list[Target]] = {}
        for t in targets:
            by_path.setdefault(t.origin.path, []).append(t)
        dests = {path: ts[0].store.new_staging(ts[0].name) for path, ts in by_path.items()}
        extracted = extract_subtrees(archive, dests, max_bytes=self.m.max_skill_bytes, max_scan_bytes=self.m.max_scan_bytes)
        out: dict[int, object] = {}
        for path, ts in by_path.items():
            first = dests[path]
            # the same folder installed twice (user and project): a copy in each scope's staging
            stagings = [first] + [self._copy_staging(t, first) for t in ts[1:]]
            for t, staging in zip(ts, stagings):
                try:
                    out[id(t)] = (staging, self._finish_stage(t, staging, extracted[path], head))
                except SkillsError as err:
                    t.store.discard(staging)
                    out[id(t)] = err
        return out

    @staticmethod
    def _copy_staging(t: Target, source: Path) -> Path:
        staging = t.store.new_staging(t.name)
        shutil.copytree(source, staging, dirs_exist_ok=True, symlinks=True)
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
            return stamp_bundle(staging, t.name, tracking_stamp(self._source(t), head))
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
            record = (t.record or InstallRecord(origin=t.origin)).model_copy(deep=True)
            record.origin, record.tracking, record.orphaned = t.origin, True, False
            record.commit, record.tree, record.content_sha256 = head, folder_tree, digest
            record.last_check = check.model_copy(update={"update_available": False})
            async with self.m.locks.hold((store.scope, name)):
                await self.m.run_io(self._swap_locked, t, staging, digest, record)
            return True
        finally:
            await self.m.run_io(store.discard, staging)

    def _recheck(self, t: Target) -> None:
        """Under the lock: the live bundle and record must be what the plan saw."""
        store, name = t.store, t.name
        store.require(name)
        current = self.m.reader.current_hash(store.skill_dir(name))
        if current != t.digest:
            raise Conflict(f"'{name}' changed on disk while Sync was downloading; nothing was replaced.", reason=CHANGED_ON_DISK)
        live = load_record(store, name)
        before = t.record.commit if t.record is not None and t.record.content_sha256 else None
        if live is not None and before is not None and live.commit != before:
            raise Conflict(f"'{name}' was updated meanwhile; nothing was replaced.", reason=CHANGED_ON_DISK)

    def _swap_locked(self, t: Target, staging: Path, digest: str, record: InstallRecord) -> None:
        self._recheck(t)
        store, name = t.store, t.name
        store.swap_in(name, staging)
        store.write_meta(name, SkillMeta(content_sha256=digest, orphaned=False, ref=record.commit))
        save_record(store, name, record)

    async def adopt(self, t: Target, record: InstallRecord) -> None:
        """Write the record of a skill found identical to its upstream."""

        def write() -> None:
            self._recheck(t)
            meta = t.store.read_meta(t.name)
            meta.content_sha256, meta.ref = record.content_sha256, record.commit
            t.store.write_meta(t.name, meta)
            save_record(t.store, t.name, record)

        async with self.m.locks.hold((t.store.scope, t.name)):
            await self.m.run_io(write)

    async def note_check(self, t: Target, *, last_check: Optional[LastCheck] = None, orphaned: Optional[bool] = None) -> None:
        """Remember what a probe saw (head, ETag, folder tree) and the orphaned flag."""
        store, name = t.store, t.name
        if t.record is not None and _same_answer(t.record, last_check, orphaned):
            return  # the record read for this run already says so: no lock, no read, no write

        def write() -> None:
            live = load_record(store, name)
            if live is None or (t.record is not None and live.commit != t.record.commit):
                return  # gone or re-synced meanwhile: this answer is stale
            if _same_answer(live, last_check, orphaned):
                return  # nothing new: skip the fsync'd write (checked_at refreshes hourly)
            if last_check is not None:
                live.last_check = last_check
            if orphaned is not None:
                live.orphaned = orphaned
                meta = store.read_meta(name)
                if meta.orphaned != orphaned:
                    meta.orphaned = orphaned
                    store.write_meta(name, meta)
            save_record(store, name, live)

        async with self.m.locks.hold((store.scope, name)):
            await self.m.run_io(write)
