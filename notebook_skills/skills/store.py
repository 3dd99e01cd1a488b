"""One scope directory of skills and its bookkeeping (contract §2).

Blocking filesystem code: the manager calls it from a worker thread.  Every
path a caller names is checked by `resolve_rel` (no traversal, no symlinks),
and bundle replacement goes through `swap.py` so it is atomic.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..errors import Conflict, Invalid, NotFound
from . import swap
from .frontmatter import MAX_SKILL_MD_BYTES
from .fsutil import atomic_write, bundle_files, read_bounded, remove_tree_quietly
from .names import is_valid_name, validate_name

BOOKKEEPING = ".notebook-skills"
SKILL_MD = "SKILL.md"
MAX_TEXT_FILE_BYTES = 1024 * 1024
_MAX_META_BYTES = 64 * 1024


@dataclass
class SkillMeta:
    content_sha256: str | None = None
    orphaned: bool = False
    ref: str | None = None  # commit SHA the installed content came from

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> "SkillMeta":
        if not isinstance(data, dict):
            return cls()
        meta = cls()
        for f in fields(cls):  # unknown keys ignored, wrong types fall back to defaults
            value = data.get(f.name)
            if f.name == "orphaned":
                meta.orphaned = value is True
            elif isinstance(value, str):
                setattr(meta, f.name, value)
        return meta


class ScopeStore:
    def __init__(self, scope: str, root: Path):
        self.scope = scope
        self.root = Path(root)
        self.bookkeeping = self.root / BOOKKEEPING

    # -- skills -------------------------------------------------------------
    def list_names(self) -> list[str]:
        try:
            entries = list(os.scandir(self.root))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(
            e.name for e in entries
            if is_valid_name(e.name) and e.is_dir() and os.path.isfile(os.path.join(e.path, SKILL_MD))
        )

    def list_invalid_folders(self) -> list[str]:
        """Folders holding a SKILL.md whose name is not a valid skill name.

        They are listed (with a problem) rather than hidden, so the user learns
        why agents ignore them; no route acts on them until they are renamed.
        """
        try:
            entries = list(os.scandir(self.root))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(
            e.name for e in entries
            if not e.name.startswith(".") and not is_valid_name(e.name)
            and e.is_dir(follow_symlinks=False) and os.path.isfile(os.path.join(e.path, SKILL_MD))
        )

    def skill_dir(self, name: str) -> Path:
        return self.root / validate_name(name)

    def exists(self, name: str) -> bool:
        """True for a skill: a folder holding SKILL.md (what list_names shows)."""
        path = self.skill_dir(name)
        return path.is_dir() and (path / SKILL_MD).is_file()

    def require(self, name: str) -> Path:
        if not self.exists(name):
            raise NotFound(f"No {self.scope} skill named '{name}'")
        return self.skill_dir(name)

    def create_dir(self, name: str) -> Path:
        path = self.skill_dir(name)
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(path)
        except FileExistsError:
            raise Conflict(f"A {self.scope} skill named '{name}' already exists") from None
        return path

    def delete(self, name: str) -> None:
        path = self.require(name)
        # Rename first: a crash mid-rmtree must not leave half a skill visible.
        trash = swap.park(self.bookkeeping, swap.TRASH, name)
        os.rename(path, trash)
        self.delete_meta(name)
        remove_tree_quietly(trash)  # recover() finishes it otherwise

    def rename(self, old: str, new: str) -> None:
        src = self.require(old)
        dst = self.skill_dir(new)
        if os.path.lexists(dst):
            raise Conflict(f"A {self.scope} skill named '{new}' already exists")
        os.rename(src, dst)
        old_meta, new_meta = self._meta_path(old), self._meta_path(new)
        if old_meta.exists():
            os.replace(old_meta, new_meta)
        else:
            new_meta.unlink(missing_ok=True)

    # -- files ----------------------------------------------------------------
    def resolve_rel(self, name: str, rel: str) -> Path:
        """Path of a bundle file; rejects anything that could leave the bundle."""
        base = self.skill_dir(name)
        if not isinstance(rel, str) or not rel or len(rel) > 1024:
            raise Invalid("A file path inside the skill is required")
        if "\\" in rel or "\0" in rel or rel.startswith("/"):
            raise Invalid(f"Invalid file path '{rel[:200]}': use a relative path with '/'")
        parts = rel.split("/")
        if any(p in ("", ".", "..", BOOKKEEPING) for p in parts):
            raise Invalid(f"Invalid file path '{rel[:200]}': no empty, '.', '..' or bookkeeping parts")
        path = base
        for part in parts:
            path = path / part
            if path.is_symlink():
                raise Invalid(f"Invalid file path '{rel[:200]}': it goes through a symbolic link")
        return path

    def _existing_file(self, name: str, rel: str) -> Path:
        self.require(name)
        path = self.resolve_rel(name, rel)
        if not path.is_file():
            raise NotFound(f"No file '{rel}' in {self.scope} skill '{name}'")
        return path

    def read_skill_md(self, name: str) -> str:
        path = self._existing_file(name, SKILL_MD)
        data = read_bounded(path, MAX_SKILL_MD_BYTES, "SKILL.md")
        try:
            return data.decode("utf-8")  # not utf-8-sig: a BOM is kept, as is CRLF
        except UnicodeDecodeError:
            raise Invalid(f"SKILL.md of {self.scope} skill '{name}' is not valid UTF-8 text") from None

    def write_skill_md(self, name: str, text: str) -> None:
        self.write_text_file(name, SKILL_MD, text, require_skill=False)

    def list_files(self, name: str) -> list[str]:
        return bundle_files(self.require(name))

    def read_text_file(self, name: str, rel: str) -> str:
        data = read_bounded(self._existing_file(name, rel), MAX_TEXT_FILE_BYTES, f"'{rel}'")
        try:
            if b"\0" in data:
                raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL byte")
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(f"'{rel}' is not a UTF-8 text file") from None

    def write_text_file(self, name: str, rel: str, content: str, *, require_skill: bool = True) -> None:
        base = self.require(name) if require_skill else self.skill_dir(name)
        if not base.is_dir():
            raise NotFound(f"No {self.scope} skill named '{name}'")
        path = self.resolve_rel(name, rel)
        try:
            data = content.encode("utf-8")
        except (AttributeError, UnicodeEncodeError):
            raise Invalid(f"Content of '{rel}' must be valid text") from None
        if len(data) > MAX_TEXT_FILE_BYTES:
            raise Invalid(f"'{rel}' is larger than 1 MiB")
        if path.is_dir():
            raise Invalid(f"'{rel}' is a folder")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise Invalid(f"Cannot create '{rel}': a parent is a file") from None
        atomic_write(path, data, tmp_dir=self.tmp_dir())  # temp files never inside the bundle

    def delete_file(self, name: str, rel: str) -> None:
        if rel == SKILL_MD:
            raise Invalid("SKILL.md cannot be deleted; delete the skill instead")
        path = self._existing_file(name, rel)
        path.unlink()
        base, parent = self.skill_dir(name), path.parent
        while parent != base:  # drop folders the deletion left empty
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    # -- staging + atomic swap --------------------------------------------------
    def new_staging(self, name: str) -> Path:
        path = swap.park(self._bookkeeping(), swap.STAGING, validate_name(name))
        path.mkdir()
        return path

    def discard(self, path: Path) -> None:
        path = Path(path)
        if self.bookkeeping not in path.parents:
            raise ValueError(f"refusing to discard {path}: not in {self.bookkeeping}")
        remove_tree_quietly(path)

    def swap_in(self, name: str, staged: Path) -> None:
        staged = Path(staged)
        if staged.parent != self.bookkeeping / swap.STAGING:
            raise ValueError(f"{staged} is not a staging dir of {self.bookkeeping}")
        self.root.mkdir(parents=True, exist_ok=True)
        swap.swap_in(self.bookkeeping, self.skill_dir(name), name, staged)

    def recover(self) -> list[str]:
        if not self.bookkeeping.is_dir():
            return []
        return [f"{self.scope}: {note}" for note in swap.recover(self.bookkeeping, self.root)]

    def tmp_dir(self) -> Path:
        path = self._bookkeeping() / swap.TMP
        path.mkdir(exist_ok=True)
        return path

    def _bookkeeping(self) -> Path:
        if not self.bookkeeping.is_dir():
            self.bookkeeping.mkdir(parents=True, exist_ok=True)
            # Keep project-scope bookkeeping out of the user's git status.
            (self.bookkeeping / ".gitignore").write_text("*\n", encoding="utf-8")
        return self.bookkeeping

    # -- meta -----------------------------------------------------------------
    def _meta_path(self, name: str) -> Path:
        return self.bookkeeping / "meta" / f"{validate_name(name)}.json"

    def read_meta(self, name: str) -> SkillMeta:
        try:
            raw = read_bounded(self._meta_path(name), _MAX_META_BYTES, "meta")
            return SkillMeta.from_dict(json.loads(raw.decode("utf-8")))
        except (OSError, ValueError, Invalid):
            return SkillMeta()

    def write_meta(self, name: str, meta: SkillMeta) -> None:
        path = self._meta_path(name)
        self._bookkeeping()
        path.parent.mkdir(exist_ok=True)
        atomic_write(path, json.dumps(meta.to_dict(), indent=2, sort_keys=True).encode("utf-8"))

    def delete_meta(self, name: str) -> None:
        self._meta_path(name).unlink(missing_ok=True)
