"""Build a preview (candidates, plugins, errors) from an extracted source tree.

Blocking file I/O, no network: the caller downloads and extracts, then runs
these in a worker thread.  Every skill found is a candidate and everything
that could not be resolved is an error entry (contract §7): nothing is dropped
silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from ..skills.models import Candidate, Plugin, PluginSource, PreviewError
from .discovery import describe_all, find_skill_folders, flag_collisions
from .marketplace import Marketplace, PluginSpec

ID_SEP = ":"  # '<plugin>:<path>'; plugin names never contain ':'


def candidate_id(plugin: Optional[str], path: str) -> str:
    return f"{plugin}{ID_SEP}{path}" if plugin else path


def split_id(cid: str) -> tuple[Optional[str], str]:
    """(plugin or None, path) of a candidate id; a bare path has no plugin."""
    plugin, sep, path = cid.partition(ID_SEP)
    return (plugin, path.strip("/")) if sep else (None, cid.strip("/"))


def join(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


@dataclass
class Tree:
    """One commit of one repository, extracted under ``root`` at repo paths
    (``root/<base>`` holds the folder ``base`` of the repository)."""

    owner: str
    repo: str
    ref: str  # the ref a skill from here tracks (branch, tag, or the SHA when only that is named)
    sha: str  # the commit extracted
    root: Path
    base: str = ""
    skipped: list[str] = field(default_factory=list)  # repo paths the extraction refused
    pin: Optional[str] = None  # what candidate URLs name when it differs from `ref` (a plugin's sha)
    etag: Optional[str] = None  # of the head answer that resolved `ref` to `sha`, if any

    def found(self, under: str = "") -> list[str]:
        """Repo paths of every skill folder under ``under`` (default: the extracted base)."""
        start = under if under else self.base
        folder = self.root / start if start else self.root
        if not folder.is_dir() or folder.is_symlink():
            return []
        return [join(start, rel) for rel in find_skill_folders(folder)]

    def has(self, path: str) -> bool:
        folder = self.root / path if path else self.root
        return folder.is_dir() and not folder.is_symlink()

    def url(self, web: str, path: str, *, pinned: bool = False) -> str:
        """Tree URL of ``path``: at ``ref`` (the skill's ``source``), or with
        ``pinned`` at the pin its source names (a candidate's ``url``)."""
        ref = (self.pin or self.ref) if pinned else self.ref
        base = f"{web.rstrip('/')}/{self.owner}/{self.repo}/tree/{ref}"
        return f"{base}/{path}" if path else base


@dataclass
class Context:
    web: str  # github_url
    exists: Callable[[str], dict]  # name -> {scope: bool}
    max_skill_bytes: int = 0


def candidates(
    tree: Tree, folders: Iterable[str], ctx: Context, *, plugin: Optional[str] = None
) -> tuple[list[Candidate], list[PreviewError]]:
    """Describe each skill folder (repo paths) of ``tree`` as a candidate."""
    folders = list(folders)
    found, errors = describe_all(
        tree.root,
        folders,
        fallback_names=(tree.repo,),
        max_skill_bytes=ctx.max_skill_bytes,
        skipped=tree.skipped,
    )
    out = [
        Candidate(
            id=candidate_id(plugin, f.rel),
            path=f.rel,
            url=tree.url(ctx.web, f.rel, pinned=True),
            name=f.name,
            description=f.description,
            files=f.files,
            exists=ctx.exists(f.name),
            plugin=plugin,
            problems=f.problems,
        )
        for f in found
    ]
    errs = [PreviewError(plugin=plugin, path=rel or None, message=msg) for rel, msg in errors]
    return out, errs


def plugin_model(spec: PluginSpec, *, skills: Optional[list[str]], sha: Optional[str] = None, error=None) -> Plugin:
    return Plugin(
        name=spec.name,
        description=spec.description,
        source=PluginSource(
            kind=spec.kind,
            owner=spec.owner,
            repo=spec.repo,
            path=spec.root or None,
            ref=spec.ref,
            sha=sha or spec.sha,
        ),
        skills=skills,
        error=error,
    )


def local_plugin(tree: Tree, spec: PluginSpec, ctx: Context, found: list[str]):
    """(candidates, plugin model, errors) of a plugin in the marketplace's own repository."""
    inside = not tree.base or spec.root == tree.base or spec.root.startswith(tree.base + "/")
    if not inside:
        msg = f"plugin '{spec.name}': its folder '{spec.root}' is outside the marketplace folder '{tree.base}'"
        return [], plugin_model(spec, skills=[], error=msg), [PreviewError(plugin=spec.name, message=msg)]
    if not tree.has(spec.root):
        msg = f"plugin '{spec.name}': folder '{spec.root or '.'}' does not exist"
        return [], plugin_model(spec, skills=[], error=msg), [PreviewError(plugin=spec.name, message=msg)]
    return resolved_plugin(tree, spec, ctx, found, sha=None)


def resolved_plugin(tree: Tree, spec: PluginSpec, ctx: Context, found: list[str], *, sha: Optional[str]):
    """Candidates of one plugin whose repository is extracted in ``tree``."""
    folders = spec.skill_folders(found)
    cands, errors = candidates(tree, folders, ctx, plugin=spec.name)
    for path in spec.missing_skills(found):
        errors.append(PreviewError(plugin=spec.name, path=path, message=f"plugin '{spec.name}': no SKILL.md at '{path}'"))
    if not folders and spec.skills is None:
        errors.append(
            PreviewError(plugin=spec.name, path=spec.root or None,
                         message=f"plugin '{spec.name}': no skills in '{join(spec.root, 'skills') }/*/SKILL.md'")
        )
    model = plugin_model(spec, skills=[c.id for c in cands], sha=sha)
    return cands, model, errors


def marketplace_preview(tree: Tree, market: Marketplace, ctx: Context, *, only: Optional[str] = None):
    """(candidates, plugins, errors) of a marketplace: local plugins resolved,
    external ones listed with ``skills: None``; skills no local plugin claims
    are candidates too (``plugin: None``).  ``only`` limits the answer to one
    plugin, its same-name collisions still checked against the whole preview."""
    found = tree.found()
    cands: list[Candidate] = []
    plugins: list[Plugin] = []
    errors: list[PreviewError] = [PreviewError(plugin=e.plugin, message=e.message) for e in market.errors]
    claimed: set[str] = set()
    for spec in market.plugins:
        if spec.external:
            plugins.append(plugin_model(spec, skills=None))
            continue
        c, model, errs = local_plugin(tree, spec, ctx, found)
        cands += c
        plugins.append(model)
        errors += errs
        claimed.update(x.path for x in c)
    loose = [f for f in found if f not in claimed]
    c, errs = candidates(tree, loose, ctx)
    cands += c
    errors += errs
    flag_collisions(cands)
    if only is not None:
        cands = [c for c in cands if c.plugin == only]
        plugins = [p for p in plugins if p.name == only]
        errors = [e for e in errors if e.plugin == only]
    return cands, plugins, errors


def plain_preview(tree: Tree, ctx: Context):
    """(candidates, errors) of a repository or folder without a marketplace."""
    cands, errors = candidates(tree, tree.found(), ctx)
    flag_collisions(cands)
    return cands, errors
