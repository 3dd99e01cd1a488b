"""Following a marketplace's pin (contract §7).

A skill imported from a marketplace plugin that is pinned by ``sha`` only has
no branch of its own to track: its record says ``via: marketplace {url,
plugin, path}``.  Before Sync or Check plan such a skill, the marketplace's
``marketplace.json`` is re-read (a conditional request: a 304 when nothing
changed) and the skill's origin moves to the plugin's current pin and place
(``path`` is the skill's folder relative to the plugin root, so a plugin the
curator moved to another folder or repository is followed there); the engine
then does the rest as for any skill.  A plugin that left the marketplace, or no
longer lists the skill, marks the skill orphaned and never deletes it; a
marketplace.json (or plugin entry) that became unusable is an upstream failure
(502) and changes nothing.

The last answer (ETag and body) lives in the skill's scope's bookkeeping, so the
conditional request survives a restart; it is an optimisation only.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
from pathlib import Path
from typing import Awaitable, Callable, Optional

from ..errors import Gone, Invalid, SkillsError, UpstreamError
from ..github import NOT_MODIFIED, GitHubNotFound, RateLimited
from ..sources.marketplace import (
    MARKETPLACE_JSON,
    MAX_BYTES,
    Marketplace,
    MarketplaceError,
    PluginSpec,
    normalize,
    parse_marketplace,
)
from ..sources.preview import join
from .fsutil import atomic_write, read_bounded
from .record import InstallRecord, Origin, ViaMarketplace

log = logging.getLogger(__name__)

STATE_DIR = "marketplaces"


class PluginGone(Gone):
    """The plugin a skill follows is no longer in its marketplace (or no longer lists the skill)."""


@dataclasses.dataclass
class MarketRead:
    """A marketplace as read now, and where it lives."""

    market: Marketplace
    owner: str
    repo: str
    ref: str
    base: str  # the marketplace folder in its repository


@dataclasses.dataclass
class PinMemo:
    """One batch's GitHub reads for following pins: each marketplace (and default
    branch) is asked at most once, its answer *or its error* remembered; after a
    rate limit nothing more is asked and ``limited`` tells the engine's breaker."""

    answers: dict = dataclasses.field(default_factory=dict)
    limited: Optional[RateLimited] = None

    def guard(self) -> None:
        if self.limited is not None:
            raise RateLimited(self.limited.message)

    async def once(self, key, fetch: Callable[[], Awaitable]):
        """The answer (or SkillsError) of ``fetch()`` for ``key``, asked only the first time."""
        if key not in self.answers:
            self.guard()
            try:
                self.answers[key] = await fetch()
            except SkillsError as err:
                self.answers[key] = err
                if isinstance(err, RateLimited) and self.limited is None:
                    self.limited = err
        return self.answers[key]


def _again(err: SkillsError) -> SkillsError:
    """A fresh copy of a remembered error (one per skill that meets it)."""
    return type(err)(err.message, err.reason)


class MarketplacePins:
    def __init__(self, manager) -> None:
        self.m = manager

    @property
    def github(self):
        return self.m.github

    def _state_path(self, url: str, store) -> Path:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]
        # area(): inside bookkeeping, never through a link
        return store.area(STATE_DIR, create=False) / f"{key}.json"

    def _load(self, url: str, store) -> tuple[Optional[str], Optional[bytes]]:
        try:
            raw = read_bounded(self._state_path(url, store), 2 * MAX_BYTES, "marketplace state")
            state = json.loads(raw.decode("utf-8"))
            if state.get("url") != url:
                return None, None
            return state.get("etag"), base64.b64decode(state["body"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, SkillsError):
            return None, None  # a missing, damaged or unusable state only costs a full read

    def _save(self, url: str, store, etag: Optional[str], body: bytes) -> None:
        try:
            store.area(STATE_DIR)  # created (with bookkeeping and its .gitignore) when missing
            state = {"url": url, "etag": etag, "body": base64.b64encode(body).decode("ascii")}
            atomic_write(self._state_path(url, store), json.dumps(state).encode("utf-8"))
        except (OSError, SkillsError) as err:  # only the next request's ETag is lost
            log.warning("notebook-skills: marketplace state not saved (%s)", getattr(err, "message", type(err).__name__))

    async def read(self, url: str, store) -> MarketRead:
        """The marketplace at ``url`` now: one conditional request."""
        from .sourcing import marketplace_folder_url  # late: sourcing imports the manager's helpers

        loc = self.github.parse_url(marketplace_folder_url(url))
        if loc.ref is None:
            loc = dataclasses.replace(loc, ref=await self.github.default_branch(loc.owner, loc.repo))
        etag, body = await self.m.run_io(self._load, url, store)
        # a ref with '/' (`blob/release/v1/.claude-plugin/...`) parses as ref `release`: the
        # longer readings are asked for only when GitHub has no file at the first one
        readings = loc.splits()
        first: Optional[GitHubNotFound] = None
        for reading in readings:
            try:
                answer = await self.github.file(
                    reading.owner, reading.repo, join(reading.path, MARKETPLACE_JSON), reading.ref,
                    etag=etag if body is not None else None, cap=MAX_BYTES,
                )
            except GitHubNotFound as err:
                first = first or err
                if reading is readings[-1]:
                    raise first from None
                continue
            loc = reading
            break
        ref = loc.ref
        if answer is NOT_MODIFIED:
            raw = body
        else:
            raw = answer.data
            await self.m.run_io(self._save, url, store, answer.etag, raw)

        def repo_of_url(u: str):
            sub = self.github.parse_url(u)
            return sub.owner, sub.repo, (sub.path or sub.ref or None)

        market = parse_marketplace(raw, base=loc.path, repo_of_url=repo_of_url)
        return MarketRead(market, loc.owner, loc.repo, ref, loc.path)

    async def follow(self, record: InstallRecord, name: str, store, memo: Optional[PinMemo] = None) -> Origin:
        """The origin ``record`` (``via`` marketplace) should be synced from now.

        ``memo`` (one per batch) reads each marketplace once for many skills.
        Raises PluginGone when the plugin left the marketplace or no longer
        lists the skill (the caller marks the skill orphaned), UpstreamError
        when marketplace.json or the plugin's entry cannot be used.
        """
        via = record.via
        assert isinstance(via, ViaMarketplace)
        memo = PinMemo() if memo is None else memo
        got = await memo.once(via.url, lambda: self.read(via.url, store))
        if isinstance(got, MarketplaceError):  # GitHub answered a file we cannot use: not the user's input
            raise UpstreamError(
                f"The marketplace {via.url} cannot be read ({got.message}), so plugin '{via.plugin}' "
                f"cannot be followed; '{name}' was not changed."
            )
        if isinstance(got, SkillsError):
            raise _again(got)
        spec = got.market.plugin(via.plugin)
        if spec is None:
            refused = got.market.error_for(via.plugin)
            if refused is not None:  # still listed, but in a form that cannot be used
                raise UpstreamError(
                    f"The marketplace {via.url} lists plugin '{via.plugin}' in a form that cannot be used "
                    f"({refused}); '{name}' was not changed."
                )
            why = f"plugin '{via.plugin}' is no longer in the marketplace"
            raise PluginGone(f"The upstream of '{name}' is gone ({why}). The installed skill was kept.")
        return await self._origin(record, name, spec, got, memo)

    async def _origin(self, record: InstallRecord, name: str, spec: PluginSpec, got: MarketRead,
                      memo: PinMemo) -> Origin:
        via = record.via
        if spec.external:
            owner, repo, ref = spec.owner, spec.repo, spec.sha or spec.ref
            if ref is None:
                key = ("default-branch", owner.lower(), repo.lower())
                branch = await memo.once(key, lambda: self.github.default_branch(owner, repo))
                if isinstance(branch, SkillsError):
                    raise _again(branch)
                ref = branch
        else:  # moved into the marketplace's own repository: its ref, like a local plugin's import
            inside = not got.base or spec.root == got.base or spec.root.startswith(got.base + "/")
            if not inside:
                raise PluginGone(f"The upstream of '{name}' is gone (plugin '{via.plugin}' moved outside the "
                                 "marketplace folder). The installed skill was kept.")
            owner, repo, ref = got.owner, got.repo, got.ref
        path = self._skill_path(record, spec)
        if path is None:
            shown = via.path if via.path is not None else record.origin.path if record.origin else ""
            raise PluginGone(f"The upstream of '{name}' is gone (plugin '{via.plugin}' no longer lists "
                             f"'{shown or '.'}'). The installed skill was kept.")
        return Origin(host=self.m.github_host, owner=owner, repo=repo, ref=ref, path=path)

    @staticmethod
    def _skill_path(record: InstallRecord, spec: PluginSpec) -> Optional[str]:
        """The skill's folder in the plugin's repository now, or None when the plugin
        no longer claims it.  Records without ``via.path`` (written before it existed)
        keep their recorded folder."""
        via = record.via
        if via.path is None:
            path = record.origin.path if record.origin is not None else ""
        else:
            try:
                path = normalize(via.path, spec.root)
            except Invalid:
                return None
        return path if spec.claims(path) else None
