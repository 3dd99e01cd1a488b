"""SkillManager: the domain core for skills on disk (no tornado here).

Public methods are coroutines; blocking disk work runs in a worker thread so a
server's event loop never stalls. Errors are the typed ones in ``errors.py``.
GitHub operations (preview, import, sync) live in ``upstream.py`` and are
reached through the same object.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Optional

from ..errors import Forbidden, Invalid, NotFound
from ..oserrors import guard_os_errors
from . import bundle_file
from .frontmatter import check_description, parse_skill_md, replace_body, set_frontmatter_keys, skill_md_template
from .locks import SkillLocks
from .models import Skill, SkillDetail
from .names import validate_name, validate_scope
from .reader import SkillReader
from .fsutil import remove_tree_quietly
from .store import SKILL_MD, ScopeStore

log = logging.getLogger(__name__)

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
    ) -> None:
        self.stores = {
            "user": ScopeStore("user", Path(user_dir)),
            "project": ScopeStore("project", Path(project_dir)),
        }
        self.github = github
        self.allow_github_import = allow_github_import
        self.sync_concurrency = max(1, int(sync_concurrency))
        self.max_skill_bytes = int(max_skill_mb * 1024 * 1024)
        # Discovery unpacks a whole repo subtree, so it is bounded by the archive cap.
        self.max_extract_bytes = int(max_archive_mb * 1024 * 1024)
        self.locks = SkillLocks()
        # skills_management_policy = "force-off": every route refuses (see handlers).
        self.management_off = False
        self.reader = SkillReader(allowlist=getattr(github, "allowlist", None))
        from .upstream import Upstream  # late: upstream imports this module's helpers

        self.upstream = Upstream(self)

    # ---- housekeeping ---------------------------------------------------

    def recover(self) -> list[str]:
        """Finish or undo whatever a crash left in the bookkeeping dirs."""
        notes: list[str] = []
        for store in self.stores.values():
            notes.extend(store.recover())
        for note in notes:
            log.warning("notebook-skills recovery: %s", note)
        return notes

    async def aclose(self) -> None:
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
        for store in self.stores.values():
            for name in store.list_names():
                try:
                    skills.append(self.reader.summary(store, name))
                except (FileNotFoundError, NotFound):
                    continue  # deleted while listing
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
            store.create_dir(name)
            try:
                store.write_skill_md(name, text)
            except BaseException:
                # create_dir made an empty folder; require() in delete() would not see it
                remove_tree_quietly(store.skill_dir(name))
                raise

        async with self.locks.hold((store.scope, name)):
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
        async with self.locks.hold((store.scope, name)):
            await asyncio.to_thread(self._update_sync, store, name, description, body, tracks_upstream)
        return await self.get_skill(scope, name)

    def _update_sync(self, store, name, description, body, tracks_upstream) -> None:
        store.require(name)
        text = store.read_skill_md(name)
        fm = parse_skill_md(text).frontmatter
        if fm.get("managed_source") and (description is not None or body is not None):
            raise Forbidden(f"'{name}' is a managed skill and is read-only.")
        updates: dict = {}
        if description is not None:
            updates["description"] = check_description(description)
        if tracks_upstream is True and fm.get("tracks_upstream") is not True:
            if fm.get("managed_source"):
                raise Invalid(f"'{name}' is a managed skill; managed skills cannot track upstream.")
            if not fm.get("source"):
                raise Invalid(f"'{name}' has no GitHub source, so there is nothing to track.")
            updates["tracks_upstream"] = True
            # The SHA recorded at import (bookkeeping) says what the bundle holds;
            # without it, leave tracking_ref unset so the next sync downloads.
            ref = store.read_meta(name).ref
            updates["tracking_ref"] = ref
        elif tracks_upstream is False:
            updates["tracks_upstream"] = None
            updates["tracking_ref"] = None
        # The final SKILL.md is built and validated before anything is written.
        new_text = set_frontmatter_keys(text, updates) if updates else text
        if body is not None:
            new_text = replace_body(new_text, body)
        parse_skill_md(new_text)
        if tracks_upstream is False and fm.get("tracking_ref"):
            meta = store.read_meta(name)
            meta.ref = str(fm["tracking_ref"])
            store.write_meta(name, meta)
        if new_text != text:
            store.write_skill_md(name, new_text)

    async def delete_skill(self, scope: str, name: str) -> None:
        store = self.store(scope)
        validate_name(name)
        async with self.locks.hold((store.scope, name)):
            await asyncio.to_thread(self._delete_sync, store, name)

    def _delete_sync(self, store: ScopeStore, name: str) -> None:
        store.require(name)
        self._refuse_managed(store, name)
        store.delete(name)

    async def rename_skill(self, scope: str, name: str, new_name: str) -> SkillDetail:
        store = self.store(scope)
        validate_name(name)
        validate_name(new_name)
        if new_name == name:
            return await self.get_skill(scope, name)
        async with self.locks.hold((store.scope, name), (store.scope, new_name)):
            await asyncio.to_thread(self._rename_sync, store, name, new_name)
        return await self.get_skill(scope, new_name)

    def _rename_sync(self, store: ScopeStore, name: str, new_name: str) -> None:
        store.require(name)
        self._refuse_managed(store, name)
        # The new SKILL.md is built (and validated) before anything moves, so a
        # frontmatter that cannot be edited fails with the skill untouched.
        text = store.read_skill_md(name)
        fm = parse_skill_md(text).frontmatter
        new_text = set_frontmatter_keys(text, {"name": new_name}) if fm.get("name") != new_name else None
        if new_text is not None:
            # Keep the bookkeeping hash in step: 'name' is not a product key,
            # so a rename by the product must not look like a local edit.
            meta = store.read_meta(name)
            was_clean = meta.content_sha256 == self.reader.current_hash(store.skill_dir(name))
        store.rename(name, new_name)
        if new_text is not None:
            store.write_skill_md(new_name, new_text)
            if was_clean and meta.content_sha256:
                meta.content_sha256 = self.reader.current_hash(store.skill_dir(new_name))
                store.write_meta(new_name, meta)

    def _refuse_managed(self, store: ScopeStore, name: str) -> None:
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
            path = store.resolve_rel(name, rel)
            is_skill_md = path == store.skill_dir(name) / SKILL_MD
            # Read what is there only when needed: a binary file may be replaced blind.
            need_current = path.is_file() and (expected_hash is not None or is_skill_md)
            try:
                current = store.read_text_file(name, rel) if need_current else None
            except Invalid:
                current = None  # not readable as text: nothing to compare or keep
            bundle_file.check_unchanged(current, expected_hash, rel)
            text = content
            if is_skill_md:
                parse_skill_md(text)  # refuse to save a SKILL.md agents could not read
                text = bundle_file.keep_product_keys(current or "", text)
            store.write_text_file(name, rel, text)
            model = bundle_file.file_model(path, rel, text)
            del model["content"]
            return model

        async with self.locks.hold((store.scope, name)):
            model = await asyncio.to_thread(write)
        return await self.get_skill(scope, name), model

    async def delete_file(self, scope: str, name: str, rel: str) -> None:
        store = self.store(scope)
        validate_name(name)

        def delete() -> None:
            store.require(name)
            self._refuse_managed(store, name)
            store.delete_file(name, rel)

        async with self.locks.hold((store.scope, name)):
            await asyncio.to_thread(delete)

    # ---- GitHub (delegated) ----------------------------------------------

    async def preview_import(self, url: str):
        return await self.upstream.preview(url)

    async def import_from_github(self, url, scope, name=None, tracks_upstream=False, overwrite=False):
        return await self.upstream.import_one(url, scope, name=name, tracks_upstream=tracks_upstream, overwrite=overwrite)

    async def import_paths(self, url, scope, paths, tracks_upstream=False, overwrite=False):
        return await self.upstream.import_many(url, scope, paths, tracks_upstream=tracks_upstream, overwrite=overwrite)

    async def sync_tracking_skill(self, scope: str, name: str, force: bool = False):
        return await self.upstream.sync(scope, name, force=force)

    async def sync_all_tracking(self) -> list[dict]:
        return await self.upstream.sync_all()
