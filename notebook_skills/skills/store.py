"""One scope directory of skills and its bookkeeping (contract §2).

Blocking filesystem code: the manager calls it from a worker thread.  Every
path a caller names is checked by `resolve_rel` (no traversal, no symlinks).
Bookkeeping areas are reached only through `area()`, which refuses a link or
anything that does not resolve inside the scope root (a cloned repository
controls `<project>/.claude/skills`, symlinks included).  Writes that change
a skill go through `txn.py`.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterable, Optional, TypeVar

from ..errors import EXISTS, NOT_WRITABLE, Conflict, Invalid, NotFound, SkillsError
from .bundlecheck import NAME_MAX
from .frontmatter import MAX_SKILL_MD_BYTES
from .fsutil import atomic_write, bundle_files, read_bounded, remove_tree_quietly, token
from .locks import file_lock
from .names import is_entry_name, is_valid_name, validate_name
from .records import Records

T = TypeVar("T")
BOOKKEEPING = ".notebook-skills"
SKILL_MD = "SKILL.md"
MAX_TEXT_FILE_BYTES = 1024 * 1024
MAX_REL_PATH = 1024  # characters of a file path inside a bundle
STAGING, BACKUP, TRASH, TMP, LOCKS = "staging", "backup", "trash", "tmp", "locks"


class UnsafeBookkeeping(Conflict):
    """A bookkeeping dir or area is a link or lies outside the scope root."""

    def __init__(self, message: str, reason: str = NOT_WRITABLE):
        super().__init__(message, reason)


class ScopeStore:
    def __init__(self, scope: str, root: Path, origin_parser=None):
        self.scope = scope
        self.root = Path(root)
        self.bookkeeping = self.root / BOOKKEEPING
        # Scopes are identified by real path: equal user/project dirs are one scope.
        self.key = os.path.realpath(self.root)
        self.records = Records(self, origin_parser)
        # Entries this store creates in bookkeeping carry `owner`; the owner
        # lock is held while the store lives (see locks.py).
        self.owner = token()
        self._owner_lock = None
        self._owner_mutex = threading.Lock()
        self._name_max: int | None = None

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

    def refuse_link(self, name: str) -> None:
        """Writes never go through a skill folder that is a link (`~/.claude/skills/x ->
        elsewhere/x`): listed and readable, but changed only where it lives. Checked
        before anything is touched, so the refusal changes nothing."""
        if os.path.islink(self.skill_dir(name)):
            raise Conflict(
                f"'{name}' is a link to a skill folder; notebook-skills never writes through links. "
                "Change the folder it points to, or delete the link.",
                reason=EXISTS,
            )

    # -- files ----------------------------------------------------------------
    def resolve_rel(self, name: str, rel: str) -> Path:
        """Path of a bundle file; rejects anything that could leave the bundle."""
        base = self.skill_dir(name)
        if not isinstance(rel, str) or not rel:
            raise Invalid("A file path inside the skill is required")
        if len(rel) > MAX_REL_PATH:
            raise Invalid(f"The file path is too long ({len(rel)} characters; at most {MAX_REL_PATH}).")
        if "\\" in rel or "\0" in rel or rel.startswith("/"):
            raise Invalid(f"Invalid file path '{rel[:200]}': use a relative path with '/'")
        parts = rel.split("/")
        if any(p in ("", ".", "..", BOOKKEEPING) for p in parts):
            raise Invalid(f"Invalid file path '{rel[:200]}': no empty, '.', '..' or bookkeeping parts")
        self._check_name_lengths(parts)
        path = base
        for part in parts:
            path = path / part
            if path.is_symlink():
                raise Invalid(f"Invalid file path '{rel[:200]}': it goes through a symbolic link")
        return path

    def name_max(self) -> int:
        """The filesystem's limit on one file or folder name, in bytes."""
        if self._name_max is None:
            probe = self.root
            while not probe.exists() and probe.parent != probe:
                probe = probe.parent
            try:
                self._name_max = int(os.pathconf(probe, "PC_NAME_MAX"))
            except (OSError, ValueError, AttributeError):  # no pathconf (Windows) or no answer
                self._name_max = NAME_MAX
        return self._name_max

    def _check_name_lengths(self, parts: list[str]) -> None:
        """Refuse a name the filesystem cannot hold before anything is created."""
        limit = self.name_max()
        for part in parts:
            try:
                size = len(os.fsencode(part))
            except UnicodeEncodeError:
                raise Invalid(f"Invalid file path: '{part[:60]}' is not valid text") from None
            if size > limit:
                raise Invalid(
                    f"A file or folder name is too long for the file system: '{part[:60]}…' "
                    f"({size} bytes; the limit is {limit})."
                )

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

    def write_text_file(self, name: str, rel: str, content: str) -> None:
        """Write one text file of a bundle atomically (temp file in bookkeeping).

        Missing parent folders are created, and removed again if the write
        fails: a failed write leaves the bundle as it was.
        """
        base = self.require(name)
        path = self.resolve_rel(name, rel)
        try:
            data = content.encode("utf-8")
        except (AttributeError, UnicodeEncodeError):
            raise Invalid(f"Content of '{rel}' must be valid text") from None
        if len(data) > MAX_TEXT_FILE_BYTES:
            raise Invalid(f"'{rel}' is larger than 1 MiB")
        if path.is_dir():
            raise Invalid(f"'{rel}' is a folder")
        temp = self.temp_path(name)  # bookkeeping first: a refused area creates nothing in the bundle
        made = self._make_parents(base, path, rel)
        try:
            atomic_write(path, data, temp)  # temp files never inside the bundle
        except BaseException:
            _remove_made(made)
            raise

    @staticmethod
    def _make_parents(base: Path, path: Path, rel: str) -> list[Path]:
        """Create the missing folders between the bundle and ``path``; return them."""
        made: list[Path] = []
        folder = base
        try:
            for part in path.relative_to(base).parts[:-1]:
                folder = folder / part
                if os.path.lexists(folder):
                    if not folder.is_dir():
                        raise Invalid(f"Cannot create '{rel}': a parent is a file")
                    continue
                os.mkdir(folder)
                made.append(folder)
        except BaseException:
            _remove_made(made)
            raise
        return made

    def file_to_delete(self, name: str, rel: str) -> Path:
        """A bundle file that may be deleted (never SKILL.md)."""
        if rel == SKILL_MD:
            raise Invalid("SKILL.md cannot be deleted; delete the skill instead")
        return self._existing_file(name, rel)

    # -- bookkeeping ------------------------------------------------------------
    def check_bookkeeping(self) -> Path:
        """The bookkeeping dir, if it is a real folder inside the scope root."""
        book = self.bookkeeping
        try:
            st = os.lstat(book)
        except FileNotFoundError:
            return book
        if stat.S_ISREG(st.st_mode):  # in the way, like any file where a folder is needed (oserrors)
            raise UnsafeBookkeeping(f"'{book}' is a file where a folder is needed; move it away and try again.",
                                    reason=EXISTS)
        if not stat.S_ISDIR(st.st_mode) or os.path.realpath(book) != os.path.join(self.key, BOOKKEEPING):
            raise UnsafeBookkeeping(
                f"{book} is a link or not a folder inside {self.root}; notebook-skills refuses to use it. "
                "Remove it to let notebook-skills manage this scope."
            )
        return book

    def area(self, name: str, *, create: bool = True) -> Path:
        """`<bookkeeping>/<name>`, refusing links; created (with the dir) when asked."""
        book = self.check_bookkeeping()
        path = book / name
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if create:
                self._make_bookkeeping()
                try:
                    os.mkdir(path)
                except FileExistsError:
                    pass
                return self.area(name, create=False)
            return path
        if stat.S_ISREG(st.st_mode):
            raise UnsafeBookkeeping(f"'{path}' is a file where a folder is needed; move it away and try again.",
                                    reason=EXISTS)
        if not stat.S_ISDIR(st.st_mode) or os.path.realpath(path) != os.path.join(self.key, BOOKKEEPING, name):
            raise UnsafeBookkeeping(
                f"{path} is a link or not a folder; notebook-skills refuses to use it. Remove it and try again."
            )
        return path

    def _make_bookkeeping(self) -> None:
        if not os.path.lexists(self.bookkeeping):
            self.bookkeeping.mkdir(parents=True, exist_ok=True)
            # Keep project-scope bookkeeping out of the user's git status.
            atomic_write(self.bookkeeping / ".gitignore", b"*\n")
        self.check_bookkeeping()

    def lock_path(self, name: str) -> Path:
        """Lock file of a skill (`<name>.lock`) or a special lock (`.scope`, `.owner.<t>`)."""
        return self.area(LOCKS) / f"{name}.lock"

    def ensure_owner(self) -> str:
        """Take this store's owner lock (once); entries named with `owner` are then ours."""
        with self._owner_mutex:
            if self._owner_lock is None:
                lock = file_lock(self.lock_path(f".owner.{self.owner}"))
                lock.acquire(blocking=False)  # a fresh random token: nobody else has it
                self._owner_lock = lock
        return self.owner

    def close(self) -> None:
        with self._owner_mutex:
            if self._owner_lock is not None:
                self._owner_lock.release()
                self._owner_lock = None
                try:
                    self.lock_path(f".owner.{self.owner}").unlink(missing_ok=True)
                except (OSError, SkillsError):
                    pass  # bookkeeping became a file or a link meanwhile: shutting down never fails on it

    def park(self, area: str, name: str) -> Path:
        """A fresh unused path `<area>/<name>.<owner>.<token>` (not created)."""
        owner = self.ensure_owner()
        return self.area(area) / f"{validate_name(name)}.{owner}.{token()}"

    def entry_path(self, area: str, value: object, name: Optional[str] = None) -> Optional[Path]:
        """`<bookkeeping>/<area>/<value>` when ``value`` (read from a journal or a record,
        which a cloned repository controls) is an entry name the product creates
        (`park`), of skill ``name`` when given; else None.  Never '..', '.', a path or an
        absolute path, so nothing outside the area can be reached through it."""
        if not is_entry_name(value) or (name is not None and not str(value).startswith(name + ".")):
            return None
        return self.bookkeeping / area / str(value)

    def new_staging(self, name: str) -> Path:
        path = self.park(STAGING, name)
        path.mkdir()
        return path

    def discard(self, path: Path) -> None:
        path = Path(path)
        if self.bookkeeping not in path.parents:
            raise ValueError(f"refusing to discard {path}: not in {self.bookkeeping}")
        remove_tree_quietly(path)

    def temp_path(self, name: str) -> Path:
        """A fresh path for a temp file of skill ``name`` (not created).

        It lives in bookkeeping (`tmp/<name>.<owner>.<token>`), so it never
        shows up inside a bundle, its name fits any name limit, and a recovery
        after a crash removes it.
        """
        return self.park(TMP, name)

    def tmp_dir(self) -> Path:
        self.ensure_owner()
        return self.area(TMP)

    def mkdtemp(self, kind: str) -> Path:
        """A private work dir `tmp/<kind>.<owner>.<random>` (downloads, extraction)."""
        return Path(tempfile.mkdtemp(prefix=f"{kind}.{self.ensure_owner()}.", dir=self.tmp_dir()))


def first_usable(stores: Iterable[ScopeStore], use: Callable[[ScopeStore], T]) -> Optional[tuple[ScopeStore, T]]:
    """The first store ``use`` (a use of its bookkeeping) succeeds on, and what it
    returned; None when it fails on all.  A scope whose bookkeeping cannot be used
    (unsafe, unwritable) is passed over, so one broken scope never breaks the other."""
    for store in stores:
        try:
            return store, use(store)
        except (SkillsError, OSError):
            continue
    return None


def _remove_made(made: list[Path]) -> None:
    """Remove the folders a failed write created, deepest first; stop at the first that
    will not go (not empty any more: someone else wrote into it)."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            break


def entry_owner(entry: str) -> str | None:
    """Owner token of a bookkeeping entry named `<name>.<owner>.<token>`, else None."""
    parts = entry.split(".")
    if len(parts) != 3 or not parts[0] or not parts[2]:
        return None
    owner = parts[1]
    if len(owner) != 16 or any(c not in "0123456789abcdef" for c in owner):
        return None
    return owner
