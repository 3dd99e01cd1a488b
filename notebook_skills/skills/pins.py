"""Following a marketplace's pin (contract §7).

A skill imported from a marketplace plugin that is pinned by ``sha`` only has
no branch of its own to track: its record says ``via: marketplace {url,
plugin}``.  Before Sync or Check plan such a skill, the marketplace's
``marketplace.json`` is re-read (a conditional request: a 304 when nothing
changed) and the skill's origin moves to the plugin's current pin; the engine
then does the rest as for any skill.  A plugin that left the marketplace marks
the skill orphaned and never deletes it.

The last answer (ETag and body) lives in the user scope's bookkeeping, so the
conditional request survives a restart.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Optional

from ..errors import Gone, Invalid
from ..github import NOT_MODIFIED
from ..sources.marketplace import MARKETPLACE_JSON, MAX_BYTES, Marketplace, PluginSpec, parse_marketplace
from ..sources.preview import join
from .fsutil import atomic_write, read_bounded
from .record import InstallRecord, Origin, ViaMarketplace

STATE_DIR = "marketplaces"


class PluginGone(Gone):
    """The plugin a skill follows is no longer in its marketplace."""


class MarketplacePins:
    def __init__(self, manager) -> None:
        self.m = manager

    @property
    def github(self):
        return self.m.github

    def _state_path(self, url: str) -> Path:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]
        # area(): inside bookkeeping, never through a link
        return self.m.stores["user"].area(STATE_DIR, create=False) / f"{key}.json"

    def _load(self, url: str) -> tuple[Optional[str], Optional[bytes]]:
        try:
            raw = read_bounded(self._state_path(url), 2 * MAX_BYTES, "marketplace state")
            state = json.loads(raw.decode("utf-8"))
            if state.get("url") != url:
                return None, None
            return state.get("etag"), base64.b64decode(state["body"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, Invalid):
            return None, None  # a missing or damaged state file only costs a full read

    def _save(self, url: str, etag: Optional[str], body: bytes) -> None:
        self.m.stores["user"].area(STATE_DIR)  # created (with bookkeeping and its .gitignore) when missing
        path = self._state_path(url)
        state = {"url": url, "etag": etag, "body": base64.b64encode(body).decode("ascii")}
        atomic_write(path, json.dumps(state).encode("utf-8"))

    async def read(self, url: str) -> Marketplace:
        """The marketplace at ``url`` now: one conditional request."""
        from .sourcing import marketplace_folder_url  # late: sourcing imports the manager's helpers

        loc = self.github.parse_url(marketplace_folder_url(url))
        ref = loc.ref or await self.github.default_branch(loc.owner, loc.repo)
        etag, body = await self.m.run_io(self._load, url)
        answer = await self.github.file(
            loc.owner, loc.repo, join(loc.path, MARKETPLACE_JSON), ref,
            etag=etag if body is not None else None, cap=MAX_BYTES,
        )
        if answer is NOT_MODIFIED:
            raw = body
        else:
            raw = answer.data
            await self.m.run_io(self._save, url, answer.etag, raw)

        def repo_of_url(u: str):
            sub = self.github.parse_url(u)
            return sub.owner, sub.repo, (sub.path or sub.ref or None)

        return parse_marketplace(raw, base=loc.path, repo_of_url=repo_of_url)

    async def follow(self, record: InstallRecord, name: str, memo: Optional[dict] = None) -> Origin:
        """The origin ``record`` (``via`` marketplace) should be synced from now.

        ``memo`` (one per batch) reads each marketplace once for many skills.
        Raises PluginGone when the plugin left the marketplace (the caller marks
        the skill orphaned).
        """
        via = record.via
        assert isinstance(via, ViaMarketplace)
        memo = {} if memo is None else memo
        if via.url not in memo:
            memo[via.url] = await self.read(via.url)
        market: Marketplace = memo[via.url]
        spec = market.plugin(via.plugin)
        if spec is None or not spec.external:
            why = market.error_for(via.plugin) or f"plugin '{via.plugin}' is no longer in the marketplace"
            raise PluginGone(f"The upstream of '{name}' is gone ({why}). The installed skill was kept.")
        return await self._origin(record.origin, spec)

    async def _origin(self, old: Optional[Origin], spec: PluginSpec) -> Origin:
        ref = spec.sha or spec.ref or await self.github.default_branch(spec.owner, spec.repo)
        host = self.m.github_host
        path = old.path if old is not None else spec.root
        return Origin(host=host, owner=spec.owner, repo=spec.repo, ref=ref, path=path)
