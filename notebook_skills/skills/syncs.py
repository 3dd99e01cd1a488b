"""What the manager exposes: sync, sync-all, check and check-all over the engine.

Turns skills on disk into engine targets (one worker-thread hop for a batch;
frontmatter parsed again only when SKILL.md changed) and engine outcomes into
the REST answers of contract §4.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Optional

from ..errors import Invalid, NotFound, SkillsError
from ..github import RateLimited
from ..oserrors import translate
from .engine import Progress, SyncEngine
from .planner import Outcome, Target


class SyncService:
    """What the manager exposes: sync / sync-all / check / check-all over the engine."""

    def __init__(self, manager) -> None:
        self.m = manager
        self.engine = SyncEngine(manager)
        # one sync of a skill at a time in this process: a second request waits and
        # then sees the first one's record (no second download)
        self._slots: dict[tuple[str, str], asyncio.Lock] = {}
        self._fm_cache: dict[Path, tuple[tuple, dict]] = {}

    def _frontmatter(self, store, name: str) -> dict:
        """SKILL.md frontmatter, parsed again only when the file changed (stat signature:
        any write changes ctime), so a periodic sync-all of unchanged skills parses nothing."""
        path = store.skill_dir(name) / "SKILL.md"
        try:
            st = os.stat(path, follow_symlinks=False)
            sig = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        except OSError:
            sig = None
        cached = self._fm_cache.get(path)
        if sig is not None and cached is not None and cached[0] == sig:
            return cached[1]
        fm = self.m.reader.document(store, name).frontmatter
        if sig is not None:
            self._fm_cache[path] = (sig, fm)
        return fm

    def _read(self, store, name: str, *, batch: bool = False):
        """Blocking: (frontmatter, record) of a tracking skill.

        Single skill: NotFound / Invalid when it cannot be synced.  Batch: None
        for skills that are not tracking (they are not part of the batch).  The
        content digest is not computed here: only a skill that changed upstream
        needs it (`SyncEngine._digest`), which keeps an unchanged sync-all cheap.
        """
        if not batch:
            store.require(name)  # NotFound if absent
        fm = self._frontmatter(store, name)
        record = store.records.read(name)
        if record is not None:  # the record owns the state; frontmatter only for record-less skills
            managed = bool(record.managed_source or fm.get("managed_source"))
            tracking = record.tracking and record.origin is not None
        else:
            managed, tracking = bool(fm.get("managed_source")), fm.get("tracks_upstream") is True
        if batch and (managed or not tracking):
            return None
        if managed:
            raise Invalid(f"'{name}' is a managed skill: it is updated from the organisation manifest, not by Sync.")
        if not tracking:
            raise Invalid(f"'{name}' does not track upstream. Turn on Track upstream first.")
        return fm, record

    async def _finish(self, store, name: str, read, force: bool, memo=None) -> Target:
        """``memo`` (pins.PinMemo, one per batch): GitHub reads made before the engine runs."""
        fm, record = read
        if record is not None and record.origin is not None:
            origin = record.origin
            if record.via.kind == "marketplace":  # follows the marketplace's pin (pins.py)
                origin = await self._follow_pin(store, name, record, memo)
        else:
            record = None
            if memo is not None:
                memo.guard()  # rate limited earlier in this batch: ask nothing more
            origin = await self._origin_from_source(name, _text(fm.get("source")))
        return Target(store=store, name=name, origin=origin, record=record,
                      tracking_ref=_text(fm.get("tracking_ref")), digest=None, force=force)

    async def target(self, scope: str, name: str, *, force: bool = False) -> Target:
        from .names import validate_name

        store = self.m.store(scope)
        validate_name(name)
        return await self._finish(store, name, await self.m.run_io(self._read, store, name), force)

    async def _follow_pin(self, store, name: str, record, memo):
        """The origin a sha-only marketplace skill syncs from now: the plugin's current
        pin (one conditional marketplace.json read per marketplace and batch)."""
        from .pins import PluginGone

        try:
            return await self.m.pins.follow(record, name, store, memo)
        except PluginGone:
            gone = Target(store=store, name=name, origin=record.origin, record=record, tracking_ref=None, digest=None)
            await self.engine.apply.note_check(gone, orphaned=True)  # kept, marked orphaned
            raise

    async def _origin_from_source(self, name: str, source: Optional[str]):
        """A skill without a record (adoption): its `source` is parsed this once."""
        from .record import Origin

        if not source:
            raise Invalid(f"'{name}' has no GitHub source to sync from.")
        loc = self.m.github.parse_url(source)
        ref = loc.ref or await self.m.github.default_branch(loc.owner, loc.repo)
        # a ref with '/' cannot be told from the path by parsing: the engine confirms the
        # split with the head request it makes anyway (and tries longer refs if needed)
        return Origin(host=self.m.github_host, owner=loc.owner, repo=loc.repo, ref=ref, path=loc.path,
                      guessed=loc.ambiguous)

    async def sync(self, scope: str, name: str, *, force: bool = False):
        from .models import SyncResult

        self.m.require_github()
        key = (self.m.store(scope).key, name)  # equal user/project dirs: one skill, one slot
        slot = self._slots.setdefault(key, asyncio.Lock())
        async with slot:
            target = await self.target(scope, name, force=force)
            (outcome,) = await self.engine.run([target], mode="sync")
        if outcome.error is not None:
            raise outcome.error
        return SyncResult(updated=bool(outcome.updated), ref=outcome.ref)

    async def check(self, scope: str, name: str) -> dict:
        self.m.require_github()
        target = await self.target(scope, name)
        (outcome,) = await self.engine.run([target], mode="check")
        if outcome.error is not None:
            raise outcome.error
        return {"update_available": bool(outcome.update_available), "ref": outcome.ref, "current_ref": outcome.current_ref}

    async def _targets(self, progress: Optional[Progress]):
        """(targets, failed outcomes, rate limit met or None) for every tracking skill of
        both scopes, read in one worker-thread hop; marketplaces followed once each."""
        from .pins import PinMemo

        def read_all():
            found = []
            for store in self.m.unique_stores():  # one folder, one scope: listed once
                for name in store.list_names():
                    try:
                        read = self._read(store, name, batch=True)
                    except (FileNotFoundError, NotFound):
                        continue  # deleted while listing
                    except SkillsError as err:  # e.g. a SKILL.md that is not UTF-8
                        found.append((store, name, err))
                        continue
                    except OSError as err:  # e.g. an unreadable SKILL.md: that skill fails, the batch goes on
                        found.append((store, name, translate(err, name) or SkillsError(
                            f"SKILL.md of '{name}' cannot be read ({err.strerror or type(err).__name__})")))
                        continue
                    if read is not None:
                        found.append((store, name, read))
            return found

        targets, failed = [], []
        memo = PinMemo()  # each marketplace read once per batch, errors included (pins.py)
        for store, name, read in await self.m.run_io(read_all):
            try:
                if isinstance(read, SkillsError):
                    raise read
                targets.append(await self._finish(store, name, read, False, memo))
            except SkillsError as err:
                if isinstance(err, RateLimited) and memo.limited is None:
                    memo.limited = err
                outcome = Outcome(scope=store.scope, name=name, error=err)
                failed.append(outcome)
                if progress is not None:
                    progress(outcome)
        return targets, failed, memo.limited

    async def sync_all(self, progress: Optional[Progress] = None) -> list[dict]:
        self.m.require_github()
        targets, failed, limited = await self._targets(progress)
        # a rate limit met while following pins trips the engine's breaker: the rest report it untouched
        outcomes = await self.engine.run(targets, mode="sync", progress=progress, limited=limited)
        return [o.as_sync() for o in outcomes + failed]

    async def check_all(self, progress: Optional[Progress] = None) -> list[dict]:
        self.m.require_github()
        targets, failed, limited = await self._targets(progress)
        outcomes = await self.engine.run(targets, mode="check", progress=progress, limited=limited)
        return [o.as_check() for o in outcomes + failed]


def _text(value) -> Optional[str]:
    return None if value is None or value == "" else str(value)
