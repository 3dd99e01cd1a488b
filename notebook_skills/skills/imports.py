"""Import by candidate ids: several skills of one previewed source in one call
(contract §4 ``paths``, §7).

Each source's archive is downloaded once (or taken from the preview's cache).
When the caller names the commits the preview answered (``sha``: the source's
``source.sha``; ``plugin_shas``: each resolved plugin's ``source.sha``), exactly
those commits are installed, however long after the preview and however many
imports follow it; the cache only spares downloads.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Optional

from ..errors import EXISTS, Conflict, Invalid, SkillsError, UpstreamError
from ..github.answers import is_sha
from ..sources.discovery import install_name
from ..sources.marketplace import PluginSpec, relative
from ..sources.preview import Tree, split_id
from .bundlecheck import not_installed
from .models import SkillDetail
from .names import validate_name
from .record import InstallRecord, LastCheck, Origin, ViaDirect, ViaMarketplace
from .sourcing import TAKE, Opened

MAX_IDS = 500  # candidate ids in one import call


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


def check_plugin_shas(o: Opened, plugin_shas: dict) -> None:
    """Each named plugin must be an external plugin of this marketplace, and a plugin
    the marketplace pins by ``sha`` must be named with that same commit: anything
    else means the preview and this import disagree (400, before anything is installed)."""
    if not plugin_shas:
        return
    if o.market is None:
        raise Invalid("'plugin_shas' only applies to a marketplace; this source has no .claude-plugin/marketplace.json.")
    for name, sha in plugin_shas.items():
        spec = o.market.plugin(name)
        if spec is None or not spec.external:
            raise Invalid(f"'plugin_shas' names '{name[:100]}', which is not an external plugin of this marketplace "
                          f"at {o.tree.sha[:7]}.")
        if spec.sha and spec.sha != sha:
            raise Invalid(f"'plugin_shas' gives {sha[:7]} for plugin '{name}', which the marketplace at "
                          f"{o.tree.sha[:7]} pins to {spec.sha[:7]}; preview again.")


class IdImports:
    def __init__(self, sourcing) -> None:
        self.s = sourcing
        self.m = sourcing.m

    @property
    def github(self):
        return self.m.github

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
                    trees[plugin] = await self.s.plugin_tree(spec, o.op)
                tree = trees.get(plugin, o.tree)
                found = await asyncio.to_thread(tree.found, spec.root) if spec.external else local_found
                if path not in spec.skill_folders(found):
                    raise Invalid(f"Plugin '{plugin}' has no skill at '{path}'.")
                sel = Selected(cid, tree, path, spec)
                if sel.follows_marketplace:
                    sel.market_url = await self._via_url(o)
                chosen.append(sel)
            except SkillsError as err:
                if isinstance(err, UpstreamError):
                    raise  # GitHub is failing: stop, nothing was installed yet
                errors.append({"path": cid, "message": err.message})
        return chosen, errors

    async def _via_url(self, o: Opened) -> str:
        """The marketplace.json URL a skill following this marketplace's pins records.

        A marketplace opened at a commit SHA (``.../tree/<sha>``) is recorded on its
        default branch: a SHA never moves, so Sync would re-read a frozen file forever,
        while tracking means following the curator.  Any other ref is kept as given."""
        if o.via_url is None:
            ref = o.tree.ref
            if is_sha(ref):
                ref = await self.s.default_branch(o.loc.owner, o.loc.repo)
            o.via_url = o.market_url(self.github.github_url, ref)
        return o.via_url

    async def import_ids(self, url: str, scope: str, ids: list[str], *, tracks_upstream: Optional[bool],
                         overwrite: bool, sha: Optional[str] = None, plugin_shas: Optional[dict] = None,
                         name: Optional[str] = None):
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
        async with self.s.open(url, TAKE, scope=store.scope, sha=sha, plugin_shas=plugin_shas) as o:
            check_plugin_shas(o, plugin_shas or {})
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
            # the skill's folder relative to the plugin root: followed if the curator moves the plugin
            ViaMarketplace(url=sel.market_url, plugin=sel.plugin.name, path=relative(sel.path, sel.plugin.root))
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
        derived = await asyncio.to_thread(install_name, sel.tree.root, sel.path, fallback_names=(sel.tree.repo,))
        name = rename or derived
        if name in names:
            raise Conflict(
                f"'{sel.cid}' would install as '{name}', like '{names[name]}' just did; "
                "import it on its own with another name.",
                reason=EXISTS,
            )
        folder = sel.tree.root / sel.path if sel.path else sel.tree.root
        # the record owns origin and via; `source` and the tracking keys are stamped from it (txn)
        record = self._record(sel, await self._git_tree(sel.tree, trees))
        detail, _ = await self.m.upstream.install_folder(store, name, folder, record, tracks, overwrite)
        names[name] = sel.cid  # claimed once installed: a failed one leaves the name free
        detail.problems.extend(not_installed(sel.tree.skipped, sel.path))  # never dropped silently
        return detail
