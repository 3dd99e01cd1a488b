"""Turn a skill folder on disk into its wire model (Skill / SkillDetail).

Blocking file I/O: the manager calls these from a worker thread.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from ..errors import Invalid, SkillsError
from .frontmatter import SkillDocument, parse_skill_md
from .fsutil import walk_nofollow
from .hashing import content_sha256
from .models import MarketplaceRef, Skill, SkillDetail
from .names import NAME_RE
from .sourcecheck import source_problem
from .store import ScopeStore

_NAME = re.compile(NAME_RE)
_MAX_DESCRIPTION = 1024


def _signature(skill_dir: Path) -> tuple:
    """Cheap fingerprint (paths, sizes, mtimes) so unchanged bundles skip re-hashing."""
    entries = []
    for dirpath, _dirnames, filenames in walk_nofollow(skill_dir):  # iterative: no depth limit
        for fn in filenames:
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
        try:
            skill.files = store.list_files(name)
        except OSError as err:  # an unreadable folder inside: shown, never a failed answer
            skill.problems.append(f"the skill's files cannot be listed ({_why(err)})")
        return skill

    def broken(self, store: ScopeStore, name: str, err: Exception) -> Skill:
        """A list entry for a skill that could not be read at all (the list goes on)."""
        return Skill(name=name, scope=store.scope, locally_modified=None,
                     problems=[f"the skill cannot be read ({_why(err)})"])

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
        except OSError as err:
            # e.g. a link a cloned repository ships to something unreadable: one skill's
            # problem, shown on that skill, never a failed list
            fm, body = {}, ""
            problems.append(f"SKILL.md cannot be read: {_why(err)}")
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
        record = store.records.read(name)
        managed_source = _opt_str(fm.get("managed_source"))
        if record is None:
            # Unknown skill (hand-made, cloned with the project, or tracked by another
            # tool): its frontmatter is all we have; edits cannot be told for a tracking one.
            tracking = fm.get("tracks_upstream") is True
            fields = dict(
                source=_opt_str(fm.get("source")),
                tracks_upstream=tracking,
                tracking_ref=_opt_str(fm.get("tracking_ref")) if tracking else None,
                locally_modified=None if tracking else False,
                orphaned=False,
                managed_source=managed_source,
                managed_ref=_opt_str(fm.get("managed_ref")),
            )
        else:
            locally_modified: bool | None = False
            if record.content_sha256:
                try:
                    locally_modified = self.current_hash(store.skill_dir(name)) != record.content_sha256
                except OSError as err:
                    # one unreadable file is this skill's problem, never a failed list
                    locally_modified = None
                    problems.append(f"the skill's files cannot be read ({_why(err)}): local edits cannot be told")
            elif record.origin is not None:
                locally_modified = None  # adopted without a digest: edits cannot be ruled out
            tracking = record.tracking and record.origin is not None
            managed_source = record.managed_source or managed_source
            fields = dict(
                source=store.records.source_url(record.origin) if record.origin else _opt_str(fm.get("source")),
                tracks_upstream=tracking,
                tracking_ref=record.commit if tracking else None,
                locally_modified=locally_modified,
                orphaned=record.orphaned,
                update_available=record.last_check.update_available,
                revert_ref=record.previous.commit if record.previous else None,
                managed_source=managed_source,
                managed_ref=record.managed_ref or _opt_str(fm.get("managed_ref")),
            )
        fields.update(
            name=name,
            scope=store.scope,
            description=description,
            managed=bool(managed_source),
            problems=problems,
        )
        if model is SkillDetail:
            fields.update(body=body, frontmatter=fm)
            via = getattr(record, "via", None)
            if getattr(via, "kind", None) == "marketplace":
                fields.update(marketplace=MarketplaceRef(url=via.url, plugin=via.plugin))
        return model(**fields)


def _opt_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _why(err: Exception) -> str:
    """What went wrong, for a `problems` entry: the typed message, or the OS's reason
    with the file it names."""
    if isinstance(err, SkillsError):
        return err.message
    if isinstance(err, OSError):
        what = err.strerror or type(err).__name__
        return f"{what}: {err.filename}" if err.filename else what
    return type(err).__name__
