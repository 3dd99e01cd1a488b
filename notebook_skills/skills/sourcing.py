"""Preview and multi-skill import of GitHub sources: repositories, folders and
Claude Code plugin marketplaces (contract §4, §7).

Cheap by construction: a preview costs one ref resolution and one archive of
the source; external marketplace plugins are listed unresolved and resolved
one at a time on request.  What a preview resolved (ref → SHA) and downloaded
is kept briefly in a ``SourceCache`` so the import that follows installs that
exact commit without downloading it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import time
import os
import re
import stat
from pathlib import Path
from typing import AsyncIterator, Optional

from ..errors import Conflict, Invalid, NotFound, SkillsError, UpstreamError
from ..github import GitHubLocation, RefNotFound, extract_subtree
from ..sources.cache import SourceCache
from ..sources.marketplace import MARKETPLACE_JSON, MAX_BYTES, Marketplace, MarketplaceError, PluginSpec, parse_marketplace
from ..sources.discovery import describe
from ..sources.preview import (
    Context,
    Tree,
    join,
    marketplace_preview,
    plain_preview,
    plugin_model,
    resolved_plugin,
    split_id,
)
from .bundlecheck import not_installed
from .upstream import ArchiveFetcher
from .fsutil import remove_tree_quietly
from .models import Preview, PreviewError, SkillDetail, Source
from .names import validate_name
from .record import InstallRecord, LastCheck, Origin, ViaDirect, ViaMarketplace

MAX_IDS = 500  # candidate ids in one import call

# blob/<ref>/<dir>/.claude-plugin/marketplace.json (or tree/.../.claude-plugin) → the marketplace folder
_MARKET_SUFFIX = re.compile(r"/\.claude-plugin(?:/marketplace\.json)?/?$")
_BLOB = re.compile(r"/blob/")


def marketplace_folder_url(url: str) -> str:
    """A URL naming marketplace.json (or its .claude-plugin folder) → its marketplace folder."""
    text = url.strip()
    head, _, tail = text.partition("?")
    if not _MARKET_SUFFIX.search(head):
        return text
    head = _MARKET_SUFFIX.sub("", head)
    return _BLOB.sub("/tree/", head, count=1)


@dataclasses.dataclass
class Opened:
    loc: GitHubLocation
    tree: Tree
    kind: str  # skill | repo | marketplace
    market: Optional[Marketplace] = None
    market_error: Optional[str] = None
    op: Optional["_Op"] = None  # trees opened later share its downloads and clean-up

    def source(self) -> Source:
        return Source(kind=self.kind, owner=self.loc.owner, repo=self.loc.repo, ref=self.tree.ref, sha=self.tree.sha)

    def market_url(self, web: str) -> str:
        """Canonical URL of this marketplace's marketplace.json (what ``via`` records)."""
        path = join(self.loc.path, MARKETPLACE_JSON)
        return f"{web.rstrip('/')}/{self.loc.owner}/{self.loc.repo}/blob/{self.tree.ref}/{path}"


# How an operation treats the preview cache: a preview resolves afresh and fills
# it; resolving one plugin of a previewed marketplace reuses the marketplace's pin;
# an import takes each pin once (and the previewed archive) and adds nothing.
FRESH, REUSE, TAKE = "fresh", "reuse", "take"


@dataclasses.dataclass
class _Op:
    stack: contextlib.AsyncExitStack
    mode: str
    fetcher: Optional[ArchiveFetcher] = None  # imports: downloads that are not cached


@dataclasses.dataclass
class Selected:
    """One skill chosen for import: where it is on disk and where it comes from."""

    cid: str
    tree: Tree
    path: str
    plugin: Optional[PluginSpec] = None
    market_url: Optional[str] = None

    @property
    def follows_marketplace(self) -> bool:
        """Pinned by sha only: tracking follows the marketplace's pin (contract §7)."""
        p = self.plugin
        return bool(p and p.external and p.sha and not p.ref)


class Sourcing:
    def __init__(self, manager) -> None:
        self.m = manager
        cap = max(4 * manager.max_extract_bytes, 256 * 1024 * 1024) if manager.max_extract_bytes else 1 << 30
        # in the user scope's bookkeeping, next to (not inside) tmp: tmp holds only what one
        # operation leaves behind on failure, the cache outlives operations by design
        self.cache = SourceCache(manager.github, lambda: manager.stores["user"].tmp_dir().parent, max_bytes=cap)

    @property
    def github(self):
        return self.m.github

    def context(self) -> Context:
        stores = self.m.stores
        return Context(
            web=self.github.github_url,
            exists=lambda name: {scope: st.exists(name) for scope, st in stores.items()},
            max_skill_bytes=self.m.max_skill_bytes,
        )

    # ---- resolving and extracting -----------------------------------------

    async def _commit(self, owner: str, repo: str, ref: str, mode: str) -> tuple[str, Optional[str]]:
        """(commit, ETag) of ``ref``: the one a recent preview saw (REUSE, TAKE:
        so the import installs what was previewed), else the head now (FRESH)."""
        if mode != FRESH:
            pinned = await self.m.run_io(self.cache.pinned, owner, repo, ref, mode == TAKE)
            if pinned is not None:
                return pinned
        try:
            head = await self.github.head(owner, repo, ref)
        except RefNotFound:
            raise NotFound(f"There is no '{ref}' in {owner}/{repo}.") from None
        if mode != TAKE:
            await self.m.run_io(self.cache.pin, owner, repo, ref, head.sha, head.etag)
        return head.sha, head.etag

    async def commit(self, owner: str, repo: str, ref: str) -> tuple[str, Optional[str]]:
        """(commit, ETag) an import of ``ref`` installs: what a recent preview showed, else the head."""
        return await self._commit(owner, repo, ref, TAKE)

    async def cached_archive(self, owner: str, repo: str, sha: str) -> Optional[Path]:
        """The archive a recent preview downloaded, if still cached."""
        return await self.cache.cached(owner, repo, sha)

    async def _archive(self, owner: str, repo: str, sha: str, op: _Op) -> Path:
        if op.mode != TAKE:
            return await self.cache.archive(owner, repo, sha)
        cached = await self.cache.cached(owner, repo, sha)
        if cached is not None:
            return cached
        if op.fetcher is None:  # an import without a preview leaves nothing behind
            op.fetcher = ArchiveFetcher(self.github, self.m.stores["user"])
            op.stack.callback(op.fetcher.close)
        return await op.fetcher.get(owner, repo, sha)

    async def _extract(self, owner: str, repo: str, ref: str, sha: str, base: str, op: _Op) -> Tree:
        archive = await self._archive(owner, repo, sha, op)
        work = await asyncio.to_thread(self.m.stores["user"].mkdtemp, "source")  # recovery knows it
        op.stack.push_async_callback(asyncio.to_thread, remove_tree_quietly, work)
        dest = work / base if base else work
        await asyncio.to_thread(dest.mkdir, parents=True, exist_ok=True)
        result = await self.m.run_extract(
            functools.partial(
                extract_subtree, archive, base, dest, max_bytes=self.m.max_extract_bytes,
                limit_name="max_archive_mb", max_scan_bytes=self.m.max_scan_bytes,
            )
        )
        if base and not result.files and not result.skipped:
            raise NotFound(f"There is no '{base}' at {sha[:7]} in {owner}/{repo}.")
        return Tree(owner, repo, ref, sha, work, base, [join(base, s) for s in result.skipped])

    @contextlib.asynccontextmanager
    async def _open(self, url: str, mode: str) -> AsyncIterator[Opened]:
        self.m.require_github()
        if not isinstance(url, str) or not url.strip():
            raise Invalid("Enter a GitHub URL or owner/repo.")
        loc = self.github.parse_url(marketplace_folder_url(url))
        ref = loc.ref or await self.github.default_branch(loc.owner, loc.repo)
        sha, etag = await self._commit(loc.owner, loc.repo, ref, mode)
        async with contextlib.AsyncExitStack() as stack:
            op = _Op(stack, mode)
            tree = await self._extract(loc.owner, loc.repo, ref, sha, loc.path, op)
            tree.etag = etag
            opened = await asyncio.to_thread(self._classify, loc, tree)
            opened.op = op
            yield opened

    def _classify(self, loc: GitHubLocation, tree: Tree) -> Opened:
        base = tree.root / loc.path if loc.path else tree.root
        if join(loc.path, MARKETPLACE_JSON) in tree.skipped:
            msg = f"{MARKETPLACE_JSON} is a link or special file, which is never read; its plugins were not read"
            return Opened(loc, tree, "repo", market_error=msg)
        raw = _read_regular(base / MARKETPLACE_JSON, MAX_BYTES)
        if raw is not None:
            try:
                market = parse_marketplace(raw, base=loc.path, repo_of_url=self._repo_of_url)
                return Opened(loc, tree, "marketplace", market=market)
            except MarketplaceError as err:
                return Opened(loc, tree, "repo", market_error=err.message)
        kind = "skill" if _is_regular(base / "SKILL.md") else "repo"
        return Opened(loc, tree, kind)

    def _repo_of_url(self, url: str) -> tuple[str, str, Optional[str]]:
        loc = self.github.parse_url(url)
        return loc.owner, loc.repo, (loc.path or loc.ref or None)

    async def _plugin_tree(self, spec: PluginSpec, op: _Op) -> Tree:
        """Extract an external plugin at its pin: sha, else ref, else the default branch."""
        etag = None
        if spec.sha:
            # sha wins over ref for what is installed; a named ref is still what the skill tracks
            ref, sha = spec.ref or spec.sha, spec.sha
        else:
            ref = spec.ref or await self.github.default_branch(spec.owner, spec.repo)
            # a plugin preview resolves it afresh; an import takes what that preview saw
            sha, etag = await self._commit(spec.owner, spec.repo, ref, TAKE if op.mode == TAKE else FRESH)
        tree = await self._extract(spec.owner, spec.repo, ref, sha, spec.root, op)
        tree.pin, tree.etag = spec.sha, etag
        return tree

    # ---- preview -------------------------------------------------------------

    async def preview(self, url: str, plugin: Optional[str] = None) -> Preview:
        ctx = self.context()
        async with self._open(url, FRESH if plugin is None else REUSE) as o:
            if plugin is not None:
                return await self._preview_plugin(o, plugin, ctx)
            return await asyncio.to_thread(self._preview_sync, o, ctx)

    def _preview_sync(self, o: Opened, ctx: Context) -> Preview:
        if o.market is not None:
            cands, plugins, errors = marketplace_preview(o.tree, o.market, ctx)
            return Preview(source=o.source(), skills=cands, plugins=plugins, errors=errors)
        cands, errors = plain_preview(o.tree, ctx)
        if o.market_error:
            errors.insert(0, PreviewError(path=join(o.loc.path, MARKETPLACE_JSON), message=o.market_error))
        if not cands and not errors:
            errors.append(PreviewError(path=o.loc.path or None, message="No SKILL.md found there."))
        return Preview(source=o.source(), skills=cands, errors=errors)

    async def _preview_plugin(self, o: Opened, name: str, ctx: Context) -> Preview:
        if o.market is None:
            raise Invalid("'plugin' only applies to a marketplace; this source has no .claude-plugin/marketplace.json.")
        spec = o.market.plugin(name)
        if spec is None:
            refused = o.market.error_for(name)
            if refused is None:
                raise NotFound(f"The marketplace has no plugin named '{name[:100]}'.")
            errors = [PreviewError(plugin=name, message=refused)]
            return Preview(source=o.source(), skills=[], errors=errors)
        if not spec.external:
            cands, plugins, errors = await asyncio.to_thread(marketplace_preview, o.tree, o.market, ctx, only=name)
            return Preview(source=o.source(), skills=cands, plugins=plugins, errors=errors)
        try:
            tree = await self._plugin_tree(spec, o.op)
        except (Invalid, NotFound) as err:
            msg = f"plugin '{name}': {err.message}"
            return Preview(source=o.source(), skills=[], plugins=[plugin_model(spec, skills=[], error=msg)],
                           errors=[PreviewError(plugin=name, message=msg)])
        found = await asyncio.to_thread(tree.found, spec.root)
        cands, model, errors = await asyncio.to_thread(resolved_plugin, tree, spec, ctx, found, sha=tree.sha)
        return Preview(source=o.source(), skills=cands, plugins=[model], errors=errors)

    # ---- import by candidate ids -----------------------------------------

    async def select(self, o: Opened, ids: list[str]) -> tuple[list[Selected], list[dict]]:
        """Map candidate ids to skill folders, opening each external plugin once."""
        chosen: list[Selected] = []
        errors: list[dict] = []
        local_found = await asyncio.to_thread(o.tree.found)
        trees: dict[str, Tree] = {}
        for cid in ids:
            plugin, path = split_id(str(cid))
            try:
                if plugin is None or o.market is None:
                    if plugin is not None:
                        raise Invalid(f"No plugin '{plugin}' here: this source is not a marketplace.")
                    if path not in local_found:
                        raise Invalid(f"No skill at '{path}' in this source.")
                    chosen.append(Selected(cid, o.tree, path))
                    continue
                spec = o.market.plugin(plugin)
                if spec is None:
                    raise Invalid(o.market.error_for(plugin) or f"The marketplace has no plugin named '{plugin}'.")
                if spec.external and plugin not in trees:
                    trees[plugin] = await self._plugin_tree(spec, o.op)
                tree = trees.get(plugin, o.tree)
                found = await asyncio.to_thread(tree.found, spec.root) if spec.external else local_found
                if path not in spec.skill_folders(found):
                    raise Invalid(f"Plugin '{plugin}' has no skill at '{path}'.")
                chosen.append(Selected(cid, tree, path, spec, o.market_url(self.github.github_url)))
            except SkillsError as err:
                if isinstance(err, UpstreamError):
                    raise  # GitHub is failing: stop, nothing was installed yet
                errors.append({"path": cid, "message": err.message})
        return chosen, errors

    async def import_ids(self, url: str, scope: str, ids: list[str], *, tracks_upstream: Optional[bool],
                         overwrite: bool, name: Optional[str] = None):
        """Install the candidates ``ids`` of ``url``'s preview: each source's
        archive is downloaded (or taken from the preview's cache) once.  ``name``
        renames the one skill of a single id (a marketplace import keeps its ``via``)."""
        store = self.m.store(scope)
        if not ids:
            raise Invalid("'paths' must name at least one skill from the preview.")
        if len(ids) > MAX_IDS:
            raise Invalid(f"'paths' names {len(ids)} skills; import at most {MAX_IDS} in one call.")
        if name is not None:
            if len(ids) != 1:
                raise Invalid(
                    f"'name' renames one skill, but 'paths' names {len(ids)}; "
                    "import the renamed skill on its own (one id in 'paths')."
                )
            validate_name(name)
        installed: list[SkillDetail] = []
        async with self._open(url, TAKE) as o:
            chosen, errors = await self.select(o, ids)
            names: dict[str, str] = {}
            trees: dict[tuple[str, str, str], object] = {}
            failing: Optional[UpstreamError] = None
            for sel in chosen:
                if failing is not None:  # GitHub is failing (rate limit...): do not hammer it
                    errors.append({"path": sel.cid, "message": f"Not imported: {failing.message}"})
                    continue
                try:
                    installed.append(await self._install(store, sel, tracks_upstream, overwrite, names, trees, name))
                except UpstreamError as err:
                    failing = err
                    errors.append({"path": sel.cid, "message": err.message})
                except SkillsError as err:
                    errors.append({"path": sel.cid, "message": err.message})
        if failing is not None and not installed:
            raise failing  # nothing changed: a plain 502
        return installed, errors

    async def _git_tree(self, tree: Tree, trees: dict):
        """Folder tree SHAs of ``tree``'s commit (one request per repository and
        commit per import), so the first Sync compares like with like."""
        key = (tree.owner.lower(), tree.repo.lower(), tree.sha)
        if key not in trees:
            trees[key] = await self.github.tree(tree.owner, tree.repo, tree.sha)
        return trees[key]

    def _record(self, sel: Selected, git_tree) -> InstallRecord:
        """What the install knows; `tracking` is settled under the lock (upstream._stage_install)."""
        t = sel.tree
        folder_tree = git_tree.folder(sel.path) if not git_tree.truncated else None
        via = (
            ViaMarketplace(url=sel.market_url, plugin=sel.plugin.name)
            if sel.follows_marketplace and sel.market_url
            else ViaDirect()
        )
        return InstallRecord(
            origin=Origin(host=self.m.github_host, owner=t.owner, repo=t.repo, ref=t.ref, path=sel.path),
            via=via,
            commit=t.sha,
            tree=folder_tree,
            # the head answer's ETag only when `sha` is what `ref` pointed at (not a sha pin)
            last_check=LastCheck(head=t.sha, etag=t.etag, tree=folder_tree, update_available=False,
                                 checked_at=time.time()),
        )

    async def _install(self, store, sel: Selected, tracks: Optional[bool], overwrite: bool, names: dict,
                       trees: dict, rename: Optional[str] = None) -> SkillDetail:
        found = await asyncio.to_thread(describe, sel.tree.root, sel.path, fallback_names=(sel.tree.repo,))
        name = rename or found.name
        if name in names:
            raise Conflict(
                f"'{sel.cid}' would install as '{name}', like '{names[name]}' just did; "
                "import it on its own with another name.",
                reason="exists",
            )
        folder = sel.tree.root / sel.path if sel.path else sel.tree.root
        # the record owns origin and via; `source` and the tracking keys are stamped from it (txn)
        record = self._record(sel, await self._git_tree(sel.tree, trees))
        detail, _ = await self.m.upstream.install_folder(store, name, folder, record, tracks, overwrite)
        names[name] = sel.cid  # claimed once installed: a failed one leaves the name free
        detail.problems.extend(not_installed(sel.tree.skipped, sel.path))  # never dropped silently
        return detail


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_regular(path: Path, limit: int) -> Optional[bytes]:
    """Up to ``limit + 1`` bytes of a regular file (never through a link); None if absent."""
    if not _is_regular(path):
        return None
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        return fh.read(limit + 1)
