"""Turn a skill folder on disk into its wire model (Skill / SkillDetail).

Blocking file I/O: the manager calls these from a worker thread.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from ..errors import Invalid
from .frontmatter import SkillDocument, parse_skill_md
from .hashing import content_sha256
from .models import Skill, SkillDetail
from .names import NAME_RE
from .sourcecheck import source_problem
from .store import ScopeStore

_NAME = re.compile(NAME_RE)
_MAX_DESCRIPTION = 1024


def _signature(skill_dir: Path) -> tuple:
    """Cheap fingerprint (paths, sizes, mtimes) so unchanged bundles skip re-hashing."""
    entries = []
    for dirpath, dirnames, filenames in os.walk(skill_dir):
        dirnames.sort()
        for fn in sorted(filenames):
            p = os.path.join(dirpath, fn)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            # inode + ctime: a swapped-in bundle is new files even if sizes and mtimes match
            entries.append((p, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_mode))
    return tuple(entries)


class SkillReader:
    """Reads skills; caches content hashes keyed by the bundle's stat signature."""

    def __init__(self, allowlist=None) -> None:
        self.allowlist = allowlist  # hosts a `source` may name (None: github.com's)
        self._hashes: dict[Path, tuple[tuple, str]] = {}
        self._lock = threading.Lock()

    def current_hash(self, skill_dir: Path) -> str:
        sig = _signature(skill_dir)
        with self._lock:
            cached = self._hashes.get(skill_dir)
        if cached and cached[0] == sig:
            return cached[1]
        digest = content_sha256(skill_dir)
        with self._lock:
            self._hashes[skill_dir] = (sig, digest)
        return digest

    def document(self, store: ScopeStore, name: str) -> SkillDocument:
        return parse_skill_md(store.read_skill_md(name))

    def summary(self, store: ScopeStore, name: str) -> Skill:
        return self._build(store, name, Skill)

    def detail(self, store: ScopeStore, name: str) -> SkillDetail:
        skill = self._build(store, name, SkillDetail)
        skill.files = store.list_files(name)
        return skill

    def invalid_folder(self, store: ScopeStore, folder: str) -> Skill:
        """A list entry for a folder agents ignore because of its name."""
        shown = folder.encode("utf-8", "replace").decode("utf-8")[:200]
        return Skill(
            name=shown,
            scope=store.scope,
            problems=[
                f"folder name '{shown}' is not a valid skill name (lowercase letters, digits and "
                "single hyphens, at most 64 characters): agents ignore it; rename the folder on disk"
            ],
        )

    def _build(self, store: ScopeStore, name: str, model: type[Skill]):
        problems: list[str] = []
        try:
            doc = self.document(store, name)
            fm, body = doc.frontmatter, doc.body
        except Invalid as err:
            # One broken SKILL.md must not hide the rest of the list.
            fm, body = {}, ""
            problems.append(f"SKILL.md cannot be read: {err.message}")
        fm_name = fm.get("name")
        if fm_name is None and not problems:
            problems.append("SKILL.md has no 'name' in its frontmatter")
        elif fm_name is not None and str(fm_name) != name:
            problems.append(f"frontmatter name '{fm_name}' differs from the folder name '{name}'")
        description = fm.get("description")
        if not description and not problems:
            problems.append("SKILL.md has no 'description' in its frontmatter")
        description = "" if description is None else str(description)
        if len(description) > _MAX_DESCRIPTION:
            problems.append(f"description is longer than {_MAX_DESCRIPTION} characters")
        bad_source = source_problem(fm.get("source"), self.allowlist)
        if bad_source:
            problems.append(bad_source)
        meta = store.read_meta(name)
        locally_modified = False
        if meta.content_sha256:
            locally_modified = self.current_hash(store.skill_dir(name)) != meta.content_sha256
        managed_source = _opt_str(fm.get("managed_source"))
        fields = dict(
            name=name,
            scope=store.scope,
            description=description,
            source=_opt_str(fm.get("source")),
            tracks_upstream=fm.get("tracks_upstream") is True,
            tracking_ref=_opt_str(fm.get("tracking_ref")),
            managed=bool(managed_source),
            managed_source=managed_source,
            managed_ref=_opt_str(fm.get("managed_ref")),
            locally_modified=locally_modified,
            orphaned=meta.orphaned,
            problems=problems,
        )
        if model is SkillDetail:
            fields.update(body=body, frontmatter=fm)
        return model(**fields)


def _opt_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
