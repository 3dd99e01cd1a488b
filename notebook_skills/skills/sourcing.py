"""Preview of GitHub sources: repositories, folders and Claude Code plugin
marketplaces (contract §4, §7); multi-skill import builds on it (``imports.py``).

Cheap by construction: a preview costs one ref resolution and one archive of
the source; external marketplace plugins are listed unresolved and resolved
one at a time on request.  A preview answers the commits it resolved (the
source's ``sha`` and each resolved plugin's ``source.sha``); the import that
follows names them back, so it installs exactly what was previewed however
late it comes.  What a preview resolved (ref → SHA, default branch) and
downloaded is also kept briefly in a ``SourceCache``: an optimisation only
(no second download, no repeated lookups), and what an import without those
SHAs falls back to.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import os
import re
import stat
from pathlib import Path
from typing import AsyncIterator, Optional

from ..errors import Invalid, NotFound
from ..github import GitHubLocation, RefNotFound, extract_subtree
from ..sources.cache import SourceCache
from ..github import archive as archive_caps
from ..sources.discovery import flag_collisions, source_members
from ..sources.marketplace import MARKETPLACE_JSON, MAX_BYTES, Marketplace, MarketplaceError, PluginSpec, parse_marketplace
from ..sources.preview import (
    Context,
    Tree,
    join,
    marketplace_preview,
    plain_preview,
    plugin_model,
    resolved_plugin,
)
from .fsutil import remove_tree_quietly
from .models import Preview, PreviewError, Source
from .store import ScopeStore
from .upstream import ArchiveFetcher

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
    via_url: Optional[str] = None  # what `via` records for skills that follow this marketplace's pins

    def source(self) -> Source:
        return Source(kind=self.kind, owner=self.loc.owner, repo=self.loc.repo, ref=self.tree.ref, sha=self.tree.sha)

    def market_url(self, web: str, ref: str) -> str:
        """Canonical URL of this marketplace's marketplace.json at ``ref``."""
        path = join(self.loc.path, MARKETPLACE_JSON)
        return f"{web.rstrip('/')}/{self.loc.owner}/{self.loc.repo}/blob/{ref}/{path}"


# How an operation treats the preview cache: a preview resolves afresh and fills
# it; resolving one plugin of a previewed marketplace reuses the marketplace's pin;
# an import takes each pin once (and the previewed archive) and adds nothing.
FRESH, REUSE, TAKE = "fresh", "reuse", "take"


@dataclasses.dataclass
class _Op:
    stack: contextlib.AsyncExitStack
    mode: str
    store: object  # the scope store whose bookkeeping holds this operation's work dirs
    fetcher: Optional[ArchiveFetcher] = None  # imports: downloads that are not cached
    plugin_shas: dict = dataclasses.field(default_factory=dict)  # plugin name -> commit the preview showed


class Sourcing:
    def __init__(self, manager) -> None:
        self.m = manager
        cap = max(4 * manager.max_extract_bytes, 256 * 1024 * 1024) if manager.max_extract_bytes else 1 << 30
        # in bookkeeping, next to (not inside) tmp: tmp holds only what one operation
        # leaves behind on failure, the cache outlives operations by design
        self.cache = SourceCache(manager.github, self._cache_parent, max_bytes=cap)
        from .imports import IdImports  # late: it builds on this module

        self.ids = IdImports(self)

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

    # ---- where downloads and work dirs go ----------------------------------

    def work_store(self, scope: Optional[str] = None):
        """The store whose bookkeeping holds an operation's downloads and work dirs:
        an import's own scope; for a preview (no scope) the user scope, else the
        project scope when the user scope's bookkeeping cannot be used (so one broken
        scope never breaks the other)."""
        if scope is not None:
            return self.m.store(scope)
        return self.m.usable_store() or self.m.stores["user"]  # none usable: the user scope says why

    def _cache_parent(self, create: bool) -> Optional[Path]:
        """Bookkeeping dir holding the source cache: the user scope's, else the project
        scope's when the user scope's cannot be used; made (properly, with its
        .gitignore) only for a write."""
        store = self.m.usable_store(ScopeStore.tmp_dir if create else ScopeStore.check_bookkeeping)
        return store.bookkeeping if store is not None else None  # what tmp_dir().parent and check_bookkeeping() are

    # ---- resolving and extracting -----------------------------------------

    async def default_branch(self, owner: str, repo: str, mode: str = TAKE) -> str:
        """The default branch: the one a recent preview looked up (kept with its pins,
        so expanding a plugin or importing costs no repeated lookup), else asked now."""
        if mode != FRESH:
            cached = await self.m.run_io(self.cache.branch, owner, repo)
            if cached is not None:
                return cached
        branch = await self.github.default_branch(owner, repo)
        await self.m.run_io(self.cache.remember_branch, owner, repo, branch)
        return branch

    async def _commit(self, owner: str, repo: str, ref: str, mode: str) -> tuple[str, Optional[str]]:
        """(commit, ETag) of ``ref``: the one a recent preview saw (REUSE, TAKE:
        so the import installs what was previewed), else the head now (FRESH)."""
        try:
            return await self._ref_commit(owner, repo, ref, mode)
        except RefNotFound:
            raise NotFound(f"There is no '{ref}' in {owner}/{repo}.") from None

    async def _ref_commit(self, owner: str, repo: str, ref: str, mode: str, *,
                          take: bool = True) -> tuple[str, Optional[str]]:
        """``_commit`` raising RefNotFound for a ref GitHub does not know; ``take=False``
        leaves a cached pin for the import that follows (a check that the ref exists)."""
        if mode != FRESH:
            pinned = await self.m.run_io(self.cache.pinned, owner, repo, ref, mode == TAKE and take)
            if pinned is not None:
                return pinned
        head = await self.github.head(owner, repo, ref)
        if mode != TAKE:
            await self.m.run_io(self.cache.pin, owner, repo, ref, head.sha, head.etag)
        return head.sha, head.etag

    async def locate(self, loc: GitHubLocation, mode: str,
                     sha: Optional[str] = None) -> tuple[GitHubLocation, str, Optional[str]]:
        """(``loc`` with its ref, the commit to use, the head's ETag or None).

        The ref of a ``tree/`` URL may contain '/' (``tree/release/v1/skills/a``): the
        readings of ``loc.splits()`` are asked for shortest first, so the usual URL
        costs the one head request it always did and a longer ref a few more.  The
        commit is ``sha`` when given (the ref is still checked: it is what a tracking
        skill follows), else the ref's as ``mode`` says (``_commit``)."""
        if loc.ref is None:
            ref = await self.default_branch(loc.owner, loc.repo, mode)
            loc = dataclasses.replace(loc, ref=ref)
            if sha is not None:
                return loc, sha, None
            found, etag = await self._commit(loc.owner, loc.repo, ref, mode)
            return loc, found, etag
        readings = loc.splits()
        if sha is not None and len(readings) == 1:
            return loc, sha, None
        for reading in readings:
            try:
                found, etag = await self._ref_commit(loc.owner, loc.repo, reading.ref, mode, take=sha is None)
            except RefNotFound:
                continue
            return reading, sha or found, None if sha is not None and sha != found else etag
        raise NotFound(f"There is no '{loc.ref}' in {loc.owner}/{loc.repo}.")

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
            op.fetcher = ArchiveFetcher(self.github, op.store)
            op.stack.callback(op.fetcher.close)
        return await op.fetcher.get(owner, repo, sha)

    async def _extract(self, owner: str, repo: str, ref: str, sha: str, base: str, op: _Op) -> Tree:
        archive = await self._archive(owner, repo, sha, op)
        work = await asyncio.to_thread(op.store.mkdtemp, "source")  # recovery knows it
        op.stack.push_async_callback(asyncio.to_thread, remove_tree_quietly, work)
        dest = work / base if base else work
        await asyncio.to_thread(dest.mkdir, parents=True, exist_ok=True)
        cap = archive_caps.MAX_SOURCE_MEMBERS
        result = await self.m.run_extract(
            functools.partial(
                extract_subtree, archive, base, dest, max_bytes=self.m.max_extract_bytes,
                limit_name="max_archive_mb", max_scan_bytes=self.m.max_scan_bytes,
                # the whole tree is searched: a repository-wide cap (each skill found is held
                # to the per-skill one by describe / install_folder)
                max_members=cap, members_message=source_members(owner, repo, base, n=cap),
            )
        )
        if base and not result.files and not result.skipped:
            raise NotFound(f"There is no '{base}' at {sha[:7]} in {owner}/{repo}.")
        return Tree(owner, repo, ref, sha, work, base, [join(base, s) for s in result.skipped])

    @contextlib.asynccontextmanager
    async def open(self, url: str, mode: str, *, scope: Optional[str] = None, sha: Optional[str] = None,
                   plugin_shas: Optional[dict] = None) -> AsyncIterator[Opened]:
        """``url`` extracted at ``sha`` when given (what a preview answered), else at its
        ref's commit as ``mode`` says; work dirs in ``scope``'s bookkeeping (see work_store)."""
        self.m.require_github()
        if not isinstance(url, str) or not url.strip():
            raise Invalid("Enter a GitHub URL or owner/repo.")
        loc = self.github.parse_url(marketplace_folder_url(url))
        loc, sha, etag = await self.locate(loc, mode, sha)
        ref = loc.ref
        store = await asyncio.to_thread(self.work_store, scope)
        async with contextlib.AsyncExitStack() as stack:
            op = _Op(stack, mode, store, plugin_shas=dict(plugin_shas or {}))
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

    async def plugin_tree(self, spec: PluginSpec, op: _Op) -> Tree:
        """Extract an external plugin at its pin: sha, else the commit the preview
        showed (an import naming it), else ref, else the default branch."""
        etag = None
        shown = op.plugin_shas.get(spec.name)
        if spec.sha:
            # sha wins over ref for what is installed; a named ref is still what the skill tracks
            ref, sha = spec.ref or spec.sha, spec.sha
        else:
            ref = spec.ref or await self.default_branch(spec.owner, spec.repo, op.mode)
            if shown is not None:
                sha = shown
            else:
                # a plugin preview resolves it afresh; an import takes what that preview saw
                sha, etag = await self._commit(spec.owner, spec.repo, ref, TAKE if op.mode == TAKE else FRESH)
        tree = await self._extract(spec.owner, spec.repo, ref, sha, spec.root, op)
        tree.pin, tree.etag = spec.sha, etag
        return tree

    # ---- preview -------------------------------------------------------------

    async def preview(self, url: str, plugin: Optional[str] = None, sha: Optional[str] = None) -> Preview:
        ctx = self.context()
        async with self.open(url, FRESH if plugin is None else REUSE, sha=sha) as o:
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
            tree = await self.plugin_tree(spec, o.op)
        except (Invalid, NotFound) as err:
            msg = f"plugin '{name}': {err.message}"
            return Preview(source=o.source(), skills=[], plugins=[plugin_model(spec, skills=[], error=msg)],
                           errors=[PreviewError(plugin=name, message=msg)])
        cands, model, errors = await asyncio.to_thread(self._resolved, o, tree, spec, ctx)
        return Preview(source=o.source(), skills=cands, plugins=[model], errors=errors)

    async def import_ids(self, url: str, scope: str, ids: list[str], **options):
        """Install several candidates of ``url``'s preview (imports.py)."""
        return await self.ids.import_ids(url, scope, ids, **options)

    @staticmethod
    def _resolved(o: Opened, tree: Tree, spec: PluginSpec, ctx: Context):
        """An external plugin's candidates, checked for same-name collisions among
        themselves and against every candidate the marketplace preview already shows
        (its local plugins and loose skills), like those were against each other."""
        cands, model, errors = resolved_plugin(tree, spec, ctx, tree.found(spec.root), sha=tree.sha)
        shown, _, _ = marketplace_preview(o.tree, o.market, ctx)
        flag_collisions(cands, others=shown)
        return cands, model, errors


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
