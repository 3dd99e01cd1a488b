"""REST routes (contract §4). Handlers only translate HTTP <-> SkillManager."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from tornado import web

from ..errors import Invalid
from ..skills.models import (
    CreateSkillBody,
    FileBody,
    ImportBody,
    PreviewBody,
    RenameBody,
    SyncBody,
    UpdateSkillBody,
)
from .base import SkillsHandler
from .body import query_text

NAMESPACE = "notebook-skills"


class SkillsCollectionHandler(SkillsHandler):
    @web.authenticated
    @authorized
    async def get(self):
        manager = self.manager
        skills = await manager.list_skills()
        self.send_json(
            {
                "skills": [s.model_dump(mode="json") for s in skills],
                "policy": manager.policy(),
                "scopes": manager.scope_dirs(),
                # The configured GitHub web base, so the UI's hints name the right host.
                "github_url": manager.github.github_url if manager.github is not None else None,
            }
        )

    @web.authenticated
    @authorized
    async def post(self):
        body = self.body(CreateSkillBody)
        skill = await self.manager.create_skill(body.scope, body.name, body.description, body.body)
        self.send_json({"skill": skill.model_dump(mode="json")}, status=201)


class SkillHandler(SkillsHandler):
    @web.authenticated
    @authorized
    async def get(self, scope, name):
        skill = await self.manager.get_skill(scope, name)
        self.send_json({"skill": skill.model_dump(mode="json")})

    @web.authenticated
    @authorized
    async def put(self, scope, name):
        body = self.body(UpdateSkillBody)
        skill = await self.manager.update_skill(
            scope, name, description=body.description, body=body.body, tracks_upstream=body.tracks_upstream
        )
        self.send_json({"skill": skill.model_dump(mode="json")})

    @web.authenticated
    @authorized
    async def delete(self, scope, name):
        await self.manager.delete_skill(scope, name)
        self.set_status(204)
        self.finish()


class RenameHandler(SkillsHandler):
    @web.authenticated
    @authorized
    async def post(self, scope, name):
        body = self.body(RenameBody)
        skill = await self.manager.rename_skill(scope, name, body.new_name)
        self.send_json({"skill": skill.model_dump(mode="json")})


class FilesHandler(SkillsHandler):
    def _path(self) -> str:
        path = query_text(self.request.query_arguments, "path")
        if not path:
            raise Invalid("The 'path' query parameter is required, e.g. ?path=SKILL.md")
        return path

    @web.authenticated
    @authorized
    async def get(self, scope, name):
        path = self._path()
        self.send_json(await self.manager.read_file(scope, name, path))

    @web.authenticated
    @authorized
    async def put(self, scope, name):
        path = self._path()
        body = self.body(FileBody)
        skill, model = await self.manager.write_file(scope, name, path, body.content, expected_hash=body.hash)
        self.send_json({**model, "skill": skill.model_dump(mode="json")})

    @web.authenticated
    @authorized
    async def delete(self, scope, name):
        await self.manager.delete_file(scope, name, self._path())
        self.set_status(204)
        self.finish()


class PreviewHandler(SkillsHandler):
    @web.authenticated
    @authorized
    async def post(self):
        body = self.body(PreviewBody)
        preview = await self.manager.preview_import(body.url, body.plugin, body.sha)
        self.send_json(preview)


class ImportHandler(SkillsHandler):
    @web.authenticated
    @authorized
    async def post(self):
        body = self.body(ImportBody)
        manager = self.manager
        if body.paths is not None:
            skills, errors = await manager.import_paths(
                body.url, body.scope, body.paths, name=body.name, tracks_upstream=body.tracks_upstream,
                overwrite=body.overwrite, sha=body.sha, plugin_shas=body.plugin_shas,
            )
            self.send_json(
                {"skills": [s.model_dump(mode="json") for s in skills], "errors": errors},
                status=201 if skills else 200,
            )
            return
        skill, created = await manager.import_from_github(
            body.url, body.scope, name=body.name, tracks_upstream=body.tracks_upstream, overwrite=body.overwrite,
            sha=body.sha,
        )
        self.send_json({"skill": skill.model_dump(mode="json")}, status=201 if created else 200)


class SyncHandler(SkillsHandler):
    @web.authenticated
    @authorized
    async def post(self, scope, name):
        body = self.body(SyncBody)
        result = await self.manager.sync_tracking_skill(scope, name, force=body.force)
        self.send_json(result)


class SyncAllHandler(SkillsHandler):
    @web.authenticated
    @authorized
    async def post(self):
        results = await self.manager.sync_all_tracking()
        self.send_json({"results": results})


class CheckHandler(SkillsHandler):
    """Probe only: is there an update upstream? Never downloads (contract §4/§6)."""

    @web.authenticated
    @authorized
    async def post(self, scope, name):
        self.send_json(await self.manager.check_skill(scope, name))


class CheckAllHandler(SkillsHandler):
    @web.authenticated
    @authorized
    async def post(self):
        self.send_json({"results": await self.manager.check_all()})


_SKILL = r"skills/(?P<scope>[^/]+)/(?P<name>[^/]+)"

# Literal sub-routes first: tornado matches in order, and the {scope}/{name}
# catch-all would otherwise shadow "import/preview" or ".../sync".
ROUTES = [
    ("skills", SkillsCollectionHandler),
    ("skills/import/preview", PreviewHandler),
    ("skills/import", ImportHandler),
    ("skills/sync-all-tracking", SyncAllHandler),
    ("skills/check-all", CheckAllHandler),
    (_SKILL + "/sync", SyncHandler),
    (_SKILL + "/check", CheckHandler),
    (_SKILL + "/rename", RenameHandler),
    (_SKILL + "/files", FilesHandler),
    (_SKILL, SkillHandler),
]


def build_handlers() -> list[tuple[str, type]]:
    """Patterns relative to base_url (ExtensionApp prepends it)."""
    return [(url_path_join("/", NAMESPACE, path) + "/?$", handler) for path, handler in ROUTES]
