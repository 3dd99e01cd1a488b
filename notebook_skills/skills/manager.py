"""SkillManager: the domain core for skills on disk (no tornado here).

Public methods are coroutines; blocking disk work runs in a worker thread so a
server's event loop never stalls. Errors are the typed ones in ``errors.py``.
GitHub operations (preview, import, sync) live in ``upstream.py`` and are
reached through the same object.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

from urllib.parse import urlsplit

from ..errors import Forbidden, Invalid, NotFound, SkillsError
from ..oserrors import guard_os_errors
from . import bundle_file, recovery, txn
from .frontmatter import check_description, parse_skill_md, replace_body, set_frontmatter_keys, skill_md_template
from .locks import SkillLocks
from .models import Skill, SkillDetail
from .names import validate_name, validate_scope
from .reader import SkillReader
from .record import InstallRecord, Origin
from .store import SKILL_MD, ScopeStore, first_usable

log = logging.getLogger(__name__)

EXTRACT_WORKERS = 2
SCAN_FACTOR = 8
DEFAULT_ARCHIVE_MB = 100


def unpacked_cap(max_archive_mb: float, max_unpacked_mb: Optional[float] = None) -> int:
    """Decompressed bytes read from one archive (inside the skill folder or not), so a
    gzip bomb elsewhere in the repository stops early: ``max_unpacked_mb`` when set
    (0 = no cap), else SCAN_FACTOR x the archive cap.  Lifting the archive cap
    (``max_archive_mb = 0``) keeps this one at its default: the two are independent."""
    if max_unpacked_mb is not None:
        return int(max_unpacked_mb * 1024 * 1024)
    return int((max_archive_mb or DEFAULT_ARCHIVE_MB) * 1024 * 1024) * SCAN_FACTOR
GITHUB_DISABLED = "GitHub skill import is disabled by your administrator (allow_github_skill_import)."


@guard_os_errors  # disk full, read-only, ... -> typed errors (507/409/400)
class SkillManager:
    def __init__(
        self,
        *,
        user_dir: Path,
        project_dir: Path,
        github=None,
        allow_github_import: bool = True,
        sync_concurrency: int = 3,
        max_skill_mb: float = 20,
        max_archive_mb: float = 100,
        max_unpacked_mb: Optional[float] = None,
    ) -> None:
        user = ScopeStore("user", Path(user_dir), self._origin_from_source)
        project = ScopeStore("project", Path(project_dir), self._origin_from_source)
        if project.key == user.key:
            # One directory, one scope: listed, locked and synced once, reported as
            # "user"; project routes reach the same store.
            project = user
        self.stores = {"user": user, "project": project}
        for store in self.unique_stores():
            store.records.web_url = github.github_url if github is not None else None
        self.github = github
        self.allow_github_import = allow_github_import
        self.sync_concurrency = max(1, int(sync_concurrency))
        self.max_skill_bytes = int(max_skill_mb * 1024 * 1024)
        # Discovery unpacks a whole repo subtree, so it is bounded by the archive cap (0 =
        # none) and, whatever that is, by the decompressed-bytes cap (max_scan_bytes).
        self.max_extract_bytes = int(max_archive_mb * 1024 * 1024)
        self.max_scan_bytes = unpacked_cap(max_archive_mb, max_unpacked_mb)
        # Extraction is CPU- and disk-heavy: its own small pool, so a big archive
        # never starves the default pool every request's disk work uses.
        self._extract_pool = ThreadPoolExecutor(max_workers=EXTRACT_WORKERS, thread_name_prefix="notebook-skills-extract")
        self.locks = SkillLocks(resolve=self.store)
        # skills_management_policy = "force-off": every route refuses (see handlers).
        self.management_off = False
        self.reader = SkillReader(allowlist=getattr(github, "allowlist", None))
        from .upstream import Upstream  # late: upstream imports this module's helpers

        self.upstream = Upstream(self)
        from .sourcing import Sourcing

        self.sourcing = Sourcing(self)
        from .pins import MarketplacePins

        self.pins = MarketplacePins(self)
        from .syncs import SyncService

        self.syncs = SyncService(self)

    async def run_extract(self, fn, *args):
        """Run blocking archive work in the bounded extraction pool."""
        return await asyncio.get_running_loop().run_in_executor(self._extract_pool, fn, *args)

    async def run_io(self, fn, *args):
        """Run short blocking disk work in the default worker threads."""
        return await asyncio.to_thread(fn, *args)

    # ---- housekeeping ---------------------------------------------------

    def unique_stores(self) -> list[ScopeStore]:
        return list({id(store): store for store in self.stores.values()}.values())

    def usable_store(self, use=ScopeStore.tmp_dir) -> Optional[ScopeStore]:
        """The first scope (user, then project) whose bookkeeping ``use`` works on; None if none."""
        found = first_usable(self.unique_stores(), use)
        return found[0] if found else None

    def recover(self) -> list[str]:
        """Finish or undo whatever a crash left in the bookkeeping dirs (never raises)."""
        notes: list[str] = []
        for store in self.unique_stores():
            try:
                notes.extend(f"{store.scope}: {note}" for note in recovery.recover(store))
            except Exception:  # noqa: BLE001 - recovery must never stop the extension loading
                log.exception("notebook-skills recovery of %s failed", store.root)
        for note in notes:
            log.warning("notebook-skills recovery: %s", note)
        return notes

    def _origin_from_source(self, source: str, ref: Optional[str]) -> Optional[Origin]:
        """Parse a frontmatter `source` once (legacy migration, adopting a skill)."""
        if self.github is None:
            return None
        try:
            loc = self.github.parse_url(source)
        except SkillsError:
            return None
        if not (ref or loc.ref):
            return None
        return Origin(host=self.github_host, owner=loc.owner, repo=loc.repo, ref=ref or loc.ref, path=loc.path,
                      guessed=ref is None and loc.ambiguous)  # confirmed by the first Sync or check

    @property
    def github_host(self) -> str:
        return urlsplit(self.github.github_url).netloc

    async def aclose(self) -> None:
        self._extract_pool.shutdown(wait=False, cancel_futures=True)
        for store in self.unique_stores():
            store.close()
        if self.github is not None:
            await self.github.aclose()

    def policy(self) -> dict:
        return {
            "allow_github_skill_import": self.allow_github_import,
            "skills_management_policy": "force-off" if self.management_off else "user-choice",
        }

    def scope_dirs(self) -> dict[str, str]:
        return {scope: str(store.root) for scope, store in self.stores.items()}

    def store(self, scope: object) -> ScopeStore:
        return self.stores[validate_scope(scope)]

    def require_github(self) -> None:
        if not self.allow_github_import or self.github is None:
            raise Forbidden(GITHUB_DISABLED)

    # ---- read -----------------------------------------------------------

    async def list_skills(self) -> list[Skill]:
        return await asyncio.to_thread(self._list_sync)

    def _list_sync(self) -> list[Skill]:
        skills: list[Skill] = []
        for store in self.unique_stores():
            for name in store.list_names():
                try:
                    skills.append(self.reader.summary(store, name))
                except (FileNotFoundError, NotFound):
                    continue  # deleted while listing
                except (OSError, SkillsError) as err:  # one unreadable skill never hides the rest
                    skills.append(self.reader.broken(store, name, err))
            for folder in store.list_invalid_folders():
                skills.append(self.reader.invalid_folder(store, folder))
        return skills

    async def list_tracking_skills(self) -> list[Skill]:
        return [s for s in await self.list_skills() if s.tracks_upstream and not s.managed]

    async def get_skill(self, scope: str, name: str) -> SkillDetail:
        store = self.store(scope)
        validate_name(name)

        def read() -> SkillDetail:
            store.require(name)
            return self.reader.detail(store, name)

        return await asyncio.to_thread(read)

    # ---- create / update / delete ----------------------------------------

    async def create_skill(self, scope: str, name: str, description: str, body: str = "") -> SkillDetail:
        store = self.store(scope)
        validate_name(name)
        if not description.strip():
            raise Invalid("A description is required: agents use it to decide when to load the skill.")
        text = skill_md_template(name, description, body)
        parse_skill_md(text)  # fails early on an unrepresentable description

        def create() -> None:
            txn.check_target(store, name, txn.NEW)
            staging = store.new_staging(name)
            try:
                (staging / SKILL_MD).write_text(text, encoding="utf-8")
                txn.install(store, name, staging, InstallRecord(), txn.NEW)
            finally:
                store.discard(staging)

        async with self.locks.hold((store, name)):
            await asyncio.to_thread(create)
            return await self.get_skill(scope, name)

    async def update_skill(
        self,
        scope: str,
        name: str,
        *,
        description: Optional[str] = None,
        body: Optional[str] = None,
        tracks_upstream: Optional[bool] = None,
    ) -> SkillDetail:
        store = self.store(scope)
        validate_name(name)
        if tracks_upstream is not None:
            self.require_github()
        async with self.locks.hold((store, name)):
            await asyncio.to_thread(self._update_sync, store, name, description, body, tracks_upstream)
            return await self.get_skill(scope, name)

    def _update_sync(self, store, name, description, body, tracks_upstream) -> None:
        store.require(name)
        text = store.read_skill_md(name)
        fm = parse_skill_md(text).frontmatter
        record = store.records.read(name)
        managed = bool(fm.get("managed_source") or (record and record.managed_source))
        if managed and (description is not None or body is not None):
            raise Forbidden(f"'{name}' is a managed skill and is read-only.")
        updates: dict = {}
        if description is not None:
            updates["description"] = check_description(description)
        new_record = None
        if tracks_upstream is not None:
            new_record, keys = self._tracking_change(store, name, fm, record, tracks_upstream, managed)
            updates.update(keys)
        # The final SKILL.md is built and validated before anything is written.
        new_text = set_frontmatter_keys(text, updates) if updates else text
        if body is not None:
            new_text = replace_body(new_text, body)
        parse_skill_md(new_text)
        # One transaction: SKILL.md and the record change together or not at all.
        txn.edit(store, name, new_text if new_text != text else None, new_record, before=text)

    def _tracking_change(self, store, name, fm, record, on: bool, managed: bool) -> tuple:
        """(new record or None, frontmatter keys): tracking lives in the record and the
        product keys are rendered from it; raises before anything is written."""
        if on and managed:
            raise Invalid(f"'{name}' is a managed skill; managed skills cannot track upstream.")
        if record is None:
            source = fm.get("source")
            origin = self._origin_from_source(source, None) if isinstance(source, str) else None
            if origin is None:
                if on:
                    raise Invalid(f"'{name}' has no GitHub source, so there is nothing to track.")
                return None, {"tracks_upstream": None, "tracking_ref": None}  # not ours to describe
            if not on:
                return None, {"tracks_upstream": None, "tracking_ref": None}
            # Adopted with no known commit: the next sync decides what is installed.
            record = InstallRecord(origin=origin)
        elif on and record.origin is None:
            raise Invalid(f"'{name}' has no GitHub source, so there is nothing to track.")
        record = record.model_copy(update={"tracking": on})
        keys = store.records.frontmatter_keys(record)
        return record, {k: keys[k] for k in ("source", "tracks_upstream", "tracking_ref")}

    async def delete_skill(self, scope: str, name: str) -> None:
        store = self.store(scope)
        validate_name(name)
        async with self.locks.hold((store, name)):
            await asyncio.to_thread(self._delete_sync, store, name)

    def _delete_sync(self, store: ScopeStore, name: str) -> None:
        store.require(name)
        self._refuse_managed(store, name)
        txn.delete(store, name)

    async def rename_skill(self, scope: str, name: str, new_name: str) -> SkillDetail:
        store = self.store(scope)
        validate_name(name)
        validate_name(new_name)
        if new_name == name:
            return await self.get_skill(scope, name)
        async with self.locks.hold((store, name), (store, new_name)):
            await asyncio.to_thread(self._rename_sync, store, name, new_name)
            return await self.get_skill(scope, new_name)

    def _rename_sync(self, store: ScopeStore, name: str, new_name: str) -> None:
        store.require(name)
        self._refuse_managed(store, name)
        txn.rename(store, name, new_name, self.reader.current_hash)

    def _refuse_managed(self, store: ScopeStore, name: str) -> None:
        record = store.records.read(name)
        if record is not None and record.managed_source:
            raise Forbidden(f"'{name}' is a managed skill and is read-only.")
        try:
            fm = parse_skill_md(store.read_skill_md(name)).frontmatter
        except Invalid:
            return  # a broken SKILL.md is not managed; let the user fix or delete it
        if fm.get("managed_source"):
            raise Forbidden(f"'{name}' is a managed skill and is read-only.")

    # ---- bundle files ----------------------------------------------------

    async def read_file(self, scope: str, name: str, rel: str) -> dict:
        """``{path, content, hash, hash_algorithm, last_modified}`` (see bundle_file)."""
        store = self.store(scope)
        validate_name(name)

        def read() -> dict:
            store.require(name)
            content = store.read_text_file(name, rel)
            return bundle_file.file_model(store.resolve_rel(name, rel), rel, content)

        return await asyncio.to_thread(read)

    async def write_file(
        self, scope: str, name: str, rel: str, content: str, expected_hash: Optional[str] = None
    ) -> tuple[SkillDetail, dict]:
        """Write a bundle file; ``expected_hash`` is the hash the client last read
        (409 ``changed_on_disk`` when the file no longer has it). Returns the skill
        and the written file's model without its content."""
        store = self.store(scope)
        validate_name(name)

        def write() -> dict:
            store.require(name)
            self._refuse_managed(store, name)
            text = txn.write_file(store, name, rel, content, expected_hash)
            model = bundle_file.file_model(store.resolve_rel(name, rel), rel, text)
            del model["content"]
            return model

        async with self.locks.hold((store, name)):
            model = await asyncio.to_thread(write)
            return await self.get_skill(scope, name), model

    async def delete_file(self, scope: str, name: str, rel: str) -> None:
        store = self.store(scope)
        validate_name(name)

        def delete() -> None:
            store.require(name)
            self._refuse_managed(store, name)
            txn.delete_file(store, name, rel)

        async with self.locks.hold((store, name)):
            await asyncio.to_thread(delete)

    # ---- GitHub (delegated) ----------------------------------------------

    # A preview or an import is one operation: its GitHub requests share one deadline
    # (github/client.py OPERATION_DEADLINE_FACTOR x request_timeout).

    async def preview_import(self, url: str, plugin: Optional[str] = None, sha: Optional[str] = None):
        async with self._github_operation("preview"):
            return await self.sourcing.preview(url, plugin, sha)

    async def import_from_github(self, url, scope, name=None, tracks_upstream=None, overwrite=False, sha=None):
        async with self._github_operation("import"):
            return await self.upstream.import_one(url, scope, name=name, tracks_upstream=tracks_upstream,
                                                  overwrite=overwrite, sha=sha)

    async def import_paths(self, url, scope, paths, name=None, tracks_upstream=None, overwrite=False, sha=None,
                           plugin_shas=None):
        async with self._github_operation("import"):
            return await self.sourcing.import_ids(url, scope, paths, name=name, tracks_upstream=tracks_upstream,
                                                  overwrite=overwrite, sha=sha, plugin_shas=plugin_shas)

    def _github_operation(self, label: str):
        return self.github.operation(label) if self.github is not None else contextlib.nullcontext()

    async def sync_tracking_skill(self, scope: str, name: str, force: bool = False):
        return await self.syncs.sync(scope, name, force=force)

    async def sync_all_tracking(self, progress=None) -> list[dict]:
        return await self.syncs.sync_all(progress)

    async def check_skill(self, scope: str, name: str) -> dict:
        return await self.syncs.check(scope, name)

    async def check_all(self, progress=None) -> list[dict]:
        return await self.syncs.check_all(progress)
