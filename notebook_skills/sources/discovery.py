"""Discovery rules: which folders of a repository or folder are skills (contract §7).

A skill is any folder holding a regular ``SKILL.md``, at any depth.  ``.git``
and dot-folders are skipped, except ``.claude`` and ``.claude-plugin`` (where
Claude Code projects and plugins keep theirs).  The walk is iterative (a deep
hostile tree cannot exhaust the stack), never follows a symbolic link and is
bounded in the number of folders it visits.

Blocking file I/O: callers run it in a worker thread.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Optional

from ..errors import Invalid, SkillsError
from ..github import archive
from ..skills.bundlecheck import name_clashes, not_installed
from ..skills.frontmatter import parse_skill_md
from ..skills.names import derive_name, is_valid_name

SKILL_MD = "SKILL.md"
KEPT_DOT_DIRS = frozenset({".claude", ".claude-plugin"})
MAX_FOLDERS = 50_000  # folders visited by one discovery walk
_MAX_SKILL_MD_READ = 1024 * 1024


def _skipped_dir(name: str) -> bool:
    return name == ".git" or (name.startswith(".") and name not in KEPT_DOT_DIRS)


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


def find_skill_folders(root: Path, *, max_folders: int = MAX_FOLDERS) -> list[str]:
    """Folders under ``root`` holding a regular SKILL.md: posix paths relative to
    ``root`` ('' = root itself), sorted by code point."""
    found: list[str] = []
    stack = [""]
    visited = 0
    while stack:
        rel = stack.pop()
        visited += 1
        if visited > max_folders:
            raise Invalid(f"More than {max_folders} folders to search for skills; import a sub-folder instead.")
        try:
            entries = list(os.scandir(root / rel if rel else root))
        except (NotADirectoryError, FileNotFoundError, PermissionError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not _skipped_dir(entry.name):
                    stack.append(_join(rel, entry.name))
            elif entry.name == SKILL_MD and entry.is_file(follow_symlinks=False):
                found.append(rel)
    return sorted(found)


def list_bundle(folder: Path) -> tuple[list[str], list[str]]:
    """(regular files, entries that will not be installed) under ``folder``.

    The second list holds links and special files (FIFOs, sockets, devices):
    they are never copied, so a preview names them instead of dropping them
    silently.  Iterative and link-safe, like ``find_skill_folders``.
    """
    files: list[str] = []
    odd: list[str] = []
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            entries = list(os.scandir(folder / rel if rel else folder))
        except (NotADirectoryError, FileNotFoundError, PermissionError):
            continue
        for entry in entries:
            path = _join(rel, entry.name)
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                stack.append(path)
            elif stat.S_ISREG(mode):
                files.append(path)
            else:
                odd.append(path)
    return sorted(files), sorted(odd)


def count_members(folder: Path, stop: int) -> int:
    """Entries below ``folder`` (files, folders, links...), counted up to ``stop + 1``:
    what the member cap of an archive counts inside a skill folder."""
    count = 0
    stack = [folder]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except (NotADirectoryError, FileNotFoundError, PermissionError):
            continue
        for entry in entries:
            count += 1
            if count > stop:
                return count
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return count


def over_member_cap(folder: Path) -> Optional[str]:
    """The per-skill member cap's message when ``folder`` holds more (else None).

    Discovery unpacks a whole repository under a larger cap (``source_members``);
    each skill folder found must still fit the per-skill one to be installed."""
    cap = archive.MAX_MEMBERS
    if cap and count_members(folder, cap) > cap:
        return archive.SKILL_MEMBERS.format(n=cap)
    return None


def source_members(owner: str, repo: str, path: str = "", *, n: int) -> str:
    """The discovery member cap's error: what it counts, and ``n``, the cap."""
    where = f"{owner}/{repo}" + (f" folder '{path}'" if path else "")
    return (f"{where} has more than {n} files and folders to search for skills (discovery cap); "
            "import a skill by its folder URL (.../tree/<ref>/<path>) instead")


@dataclass
class Found:
    """One discovered skill folder, described for a preview."""

    rel: str  # folder relative to the searched root ('' = the root)
    name: str  # the name it installs as
    description: str
    files: list[str]
    problems: list[str] = field(default_factory=list)


def _frontmatter(folder: Path) -> dict:
    """The parsed frontmatter of ``folder``'s SKILL.md (SkillsError when it cannot be parsed)."""
    with open(folder / SKILL_MD, "rb") as fh:
        raw = fh.read(_MAX_SKILL_MD_READ + 1)
    if len(raw) > _MAX_SKILL_MD_READ:
        raise Invalid("SKILL.md is larger than 1 MiB")
    return parse_skill_md(raw).frontmatter


def _derived_name(frontmatter: dict, rel: str, fallback_names: Iterable[Optional[str]]) -> str:
    given = frontmatter.get("name")
    folder_name = PurePosixPath(rel).name if rel else None
    return derive_name(None if given is None else str(given), folder_name, *fallback_names)


def install_name(root: Path, rel: str, *, fallback_names: Iterable[Optional[str]] = ()) -> str:
    """The name skill folder ``rel`` installs as (``describe``'s ``name``), reading only
    its SKILL.md: the frontmatter name, else the folder's, else ``fallback_names``.
    Raises as ``describe`` does when SKILL.md cannot be read or parsed."""
    return _derived_name(_frontmatter(root / rel if rel else root), rel, fallback_names)


def describe(
    root: Path,
    rel: str,
    *,
    fallback_names: Iterable[Optional[str]] = (),
    max_skill_bytes: int = 0,
    skipped: Iterable[str] = (),
) -> Found:
    """Read one skill folder: its install name, description, files and problems.

    ``fallback_names`` are tried after the frontmatter name (folder, repo...);
    ``skipped`` lists paths (relative to ``root``) the extraction refused, so
    the ones inside this folder are reported too.  Raises SkillsError when
    SKILL.md cannot be parsed.
    """
    folder = root / rel if rel else root
    fm = _frontmatter(folder)
    given = fm.get("name")
    name = _derived_name(fm, rel, fallback_names)
    files, odd = list_bundle(folder)
    problems: list[str] = []
    if given is not None and not is_valid_name(str(given)):
        problems.append(f"frontmatter name '{str(given)[:80]}' is not a valid skill name; it installs as '{name}'")
    description = fm.get("description")
    if not isinstance(description, str) or not description.strip():
        problems.append("SKILL.md has no description")
        description = ""
    size = sum(_size(folder / f) for f in files)
    if max_skill_bytes and size > max_skill_bytes:
        problems.append(f"larger than the {max_skill_bytes / (1024 * 1024):g} MB skill limit (max_skill_mb)")
    too_many = over_member_cap(folder)
    if too_many:
        problems.append(f"{too_many}: it cannot be imported")
    # what the extraction refused plus anything odd found on disk (a local folder)
    problems.extend(not_installed(sorted({*skipped, *(_join(rel, o) for o in odd)}), rel))
    return Found(rel=rel, name=name, description=description, files=files, problems=problems)


def _size(path: Path) -> int:
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0


def describe_all(root: Path, rels: Iterable[str], **kwargs) -> tuple[list[Found], list[tuple[str, str]]]:
    """``describe`` every folder; a broken SKILL.md becomes an (rel, message) error."""
    found: list[Found] = []
    errors: list[tuple[str, str]] = []
    for rel in rels:
        try:
            found.append(describe(root, rel, **kwargs))
        except SkillsError as err:
            errors.append((rel, f"{rel or '.'}/SKILL.md: {err.message}"))
        except (OSError, UnicodeDecodeError) as err:
            errors.append((rel, f"{rel or '.'}/SKILL.md could not be read ({type(err).__name__})"))
    return found, errors


def flag_collisions(candidates: list, others: Iterable = ()) -> None:
    """Give every candidate that shares its install name with another a problem
    note naming the others (importing both needs a ``name`` for one of them).

    ``others`` are candidates shown already (a marketplace preview's, when one
    plugin is resolved later): clashes with them are noted on ``candidates`` only.
    Works on any objects with ``id``, ``name`` and ``problems``.
    """
    names = {cand.id: cand.name for cand in others}
    names.update((cand.id, cand.name) for cand in candidates)
    clashes = name_clashes(names)
    for cand in candidates:
        cand.problems.extend(clashes.get(cand.id, []))
