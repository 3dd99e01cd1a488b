"""OpenAPI 3.1 description of the REST API (contract §4), generated, never hand-edited.

Paths come from the route table (``handlers.routes.ROUTES``), payload schemas from the pydantic
wire models (``skills.models``), so a changed model changes the description. What the code
cannot tell (summary, which statuses an operation can answer, the envelope around a model)
lives in ``OPERATIONS`` below; a route or verb without an entry there is an error, so a new
route cannot ship undocumented (``tests/test_openapi.py``).

Regenerate the committed copy after changing a route or a model:

    python -m notebook_skills.openapi > docs/openapi.json
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from .handlers.routes import NAMESPACE, ROUTES
from .skills import models as m
from .skills.names import MAX_NAME_LEN, NAME_RE, SCOPES

# ---- envelopes: the JSON objects the handlers wrap around the wire models ----------------


class Error(BaseModel):
    """Every error answer (jupyter_server's own errors share the shape)."""

    message: str
    reason: Optional[str] = Field(
        None,
        description=(
            "Machine reason of a 409 (every 409 has one): locally_modified, busy, exists, pending, "
            "changed_on_disk or not_writable. "
            "jupyter_server's own errors may put an HTTP reason phrase here."
        ),
    )


class Policy(BaseModel):
    allow_github_skill_import: bool
    skills_management_policy: Literal["user-choice", "force-off"]


class SkillList(BaseModel):
    skills: list[m.Skill]
    policy: Policy
    scopes: dict[str, str] = Field(description="Skills directory of each scope (user, project).")
    github_url: Optional[str] = Field(description="The configured GitHub web base (null without GitHub).")


class SkillAnswer(BaseModel):
    skill: m.SkillDetail


class ImportFailure(BaseModel):
    path: str
    message: str


class ImportManyAnswer(BaseModel):
    skills: list[m.SkillDetail]
    errors: list[ImportFailure]


class FileStamp(BaseModel):
    """The version stamp a contents drive keeps; PUT sends `hash` back as its precondition."""

    path: str
    hash: str = Field(description="sha256 of the file's UTF-8 text")
    hash_algorithm: Literal["sha256"]
    last_modified: str = Field(description="ISO 8601 UTC modification time")


class FileContent(FileStamp):
    content: str


class FileWritten(FileStamp):
    skill: m.SkillDetail


class SyncAllUpdated(BaseModel):
    scope: m.Scope
    name: str
    updated: bool
    ref: str


class SyncAllFailed(BaseModel):
    scope: m.Scope
    name: str
    error: str
    reason: Optional[str] = Field(None, description="The 409 reason when there is one, e.g. locally_modified")


class SyncAllAnswer(BaseModel):
    results: list[Union[SyncAllUpdated, SyncAllFailed]]


class CheckAnswer(BaseModel):
    update_available: bool
    ref: Optional[str] = None
    current_ref: Optional[str] = None


class CheckAllChecked(BaseModel):
    scope: m.Scope
    name: str
    update_available: bool
    ref: Optional[str] = None


class CheckAllAnswer(BaseModel):
    results: list[Union[CheckAllChecked, SyncAllFailed]]


# ---- operations ------------------------------------------------------------------------

# Statuses any operation can answer: 401 no or bad token, 403 policy (force-off, kill switch).
COMMON = (401, 403)
# Every route touches the disk: a read can meet a permission error or a file where a folder
# should be (409); anything that writes (records and caches included) can also meet a full
# disk (507). tests/test_openapi.py checks both for every operation.
DISK_READ = (409,)
DISK = (409, 507)
WRITES = (400, *DISK)  # bad input; exists/busy/modified/not writable; disk full
GITHUB = (502,)
NO_CONTENT = None


@dataclass(frozen=True)
class Op:
    summary: str
    ok: dict[int, Optional[type[BaseModel]]]
    errors: tuple[int, ...] = ()
    body: Optional[type[BaseModel]] = None
    body_required: bool = True
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A request that works against `make demo`'s sample repositories; the fuzz run starts
    # from these, so it reaches real imports and syncs, not only validation errors.
    example: Optional[dict[str, Any]] = None


FILE_PATH = {
    "path": {"type": "string", "minLength": 1, "description": "Bundle-relative file path", "examples": ["SKILL.md"]}
}

# keyed by (handler class name, HTTP verb)
OPERATIONS: dict[tuple[str, str], Op] = {
    ("SkillsCollectionHandler", "get"): Op("List the skills of both scopes", {200: SkillList}, DISK_READ),
    ("SkillsCollectionHandler", "post"): Op(
        "Create a blank skill", {201: SkillAnswer}, (*WRITES,), body=m.CreateSkillBody,
        example={"scope": "user", "name": "csv-notes", "description": "Notes on CSV files.", "body": "# Notes\n"},
    ),
    ("PreviewHandler", "post"): Op(
        # the archive is cached in bookkeeping: a bookkeeping path that is a file (409), a full disk (507)
        "Preview what a GitHub URL holds", {200: m.Preview}, (400, 404, *DISK, *GITHUB), body=m.PreviewBody,
        example={"url": "acme/data-skills"},
    ),
    ("ImportHandler", "post"): Op(
        "Import one skill (or several with `paths`) from GitHub",
        {200: Union[SkillAnswer, ImportManyAnswer], 201: Union[SkillAnswer, ImportManyAnswer]},
        (404, *WRITES, *GITHUB),
        body=m.ImportBody,
        example={"url": "acme/data-skills/skills/csv-helper", "scope": "user", "tracks_upstream": True},
    ),
    # per-skill failures are in the results; listing the skills or writing records can fail as a whole
    ("SyncAllHandler", "post"): Op("Sync every tracking skill", {200: SyncAllAnswer}, DISK),
    ("CheckAllHandler", "post"): Op("Check every tracking skill for an update (probe only)", {200: CheckAllAnswer},
                                    DISK),
    ("CheckHandler", "post"): Op(
        "Check one tracking skill for an update (probe only, never downloads)",
        {200: CheckAnswer},
        (400, 404, *DISK, 410, *GITHUB),  # the answer is remembered in the install record
    ),
    ("SyncHandler", "post"): Op(
        "Sync one tracking skill with its upstream",
        {200: m.SyncResult},
        (404, 410, *WRITES, *GITHUB),
        body=m.SyncBody,
        body_required=False,
        example={"force": False},
    ),
    ("RenameHandler", "post"): Op("Rename a skill", {200: SkillAnswer}, (404, *WRITES), body=m.RenameBody, example={"new_name": "csv-tools"}
    ),
    ("FilesHandler", "get"): Op("Read a text file of a bundle", {200: FileContent}, (400, 404, *DISK_READ),
                                query=FILE_PATH),
    ("FilesHandler", "put"): Op(
        "Write a text file of a bundle", {200: FileWritten}, (404, *WRITES), body=m.FileBody, query=FILE_PATH,
        example={"content": "Notes\n"},
    ),
    ("FilesHandler", "delete"): Op(
        "Delete a file of a bundle (never SKILL.md)", {204: NO_CONTENT}, (404, *WRITES), query=FILE_PATH
    ),
    ("SkillHandler", "get"): Op("A skill with its body, frontmatter and files", {200: SkillAnswer},
                                (400, 404, *DISK_READ)),
    ("SkillHandler", "put"): Op(
        "Update description, body or tracking", {200: SkillAnswer}, (404, *WRITES, *GITHUB), body=m.UpdateSkillBody,
        example={"description": "Profile CSV files.", "tracks_upstream": False},
    ),
    ("SkillHandler", "delete"): Op("Delete a skill", {204: NO_CONTENT}, (404, *WRITES)),
}

VERBS = ("get", "post", "put", "delete", "patch")

_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")

PATH_PARAMS: dict[str, dict[str, Any]] = {
    "scope": {"type": "string", "enum": list(SCOPES), "examples": ["user"]},
    "name": {"type": "string", "pattern": NAME_RE, "maxLength": MAX_NAME_LEN, "examples": ["csv-helper"]},
}


def _verbs(handler: type) -> list[str]:
    """The verbs a handler class itself implements (not tornado's stubs)."""
    from tornado.web import RequestHandler

    return [v for v in VERBS if getattr(handler, v) is not getattr(RequestHandler, v)]


def _ref(model: Any, defs: dict[tuple[Any, str], dict], mode: str) -> dict:
    return defs[(model, mode)]


def _models_used() -> list[tuple[Any, str]]:
    wanted: list[tuple[Any, str]] = [(Error, "serialization")]
    for op in OPERATIONS.values():
        if op.body is not None:
            wanted.append((op.body, "validation"))
        for model in op.ok.values():
            for one in getattr(model, "__args__", (model,)):
                if one is not None:
                    wanted.append((one, "serialization"))
    return list(dict.fromkeys(wanted))


def _content(model: Any, defs, mode: str = "serialization") -> dict:
    members = getattr(model, "__args__", None)
    schema = {"anyOf": [_ref(x, defs, mode) for x in members]} if members else _ref(model, defs, mode)
    return {"application/json": {"schema": schema}}


def build() -> dict[str, Any]:
    defs, top = models_json_schema(_models_used(), ref_template="#/components/schemas/{model}")
    paths: dict[str, Any] = {}
    seen: set[tuple[str, str]] = set()
    for pattern, handler in ROUTES:
        params = _GROUP.findall(pattern)
        path = "/" + NAMESPACE + "/" + _GROUP.sub(lambda g: "{" + g.group(1) + "}", pattern)
        item: dict[str, Any] = {}
        if params:
            item["parameters"] = [
                {"name": p, "in": "path", "required": True, "schema": PATH_PARAMS[p]} for p in params
            ]
        for verb in _verbs(handler):
            key = (handler.__name__, verb)
            if key not in OPERATIONS:
                raise KeyError(f"{verb.upper()} {path} ({handler.__name__}) is not described: add it to OPERATIONS")
            seen.add(key)
            op = OPERATIONS[key]
            responses: dict[str, Any] = {}
            for status, model in op.ok.items():
                answer: dict[str, Any] = {"description": "No content" if model is None else "Success"}
                if model is not None:
                    answer["content"] = _content(model, defs)
                responses[str(status)] = answer
            for status in sorted({*COMMON, *op.errors}):
                responses[str(status)] = {"description": _ERROR_TEXT[status], "content": _content(Error, defs)}
            operation: dict[str, Any] = {
                "operationId": f"{handler.__name__.removesuffix('Handler')}_{verb}",
                "summary": op.summary,
                "responses": responses,
            }
            if op.query:
                operation["parameters"] = [
                    {"name": q, "in": "query", "required": True, "schema": schema} for q, schema in op.query.items()
                ]
            if op.body is not None:
                content = _content(op.body, defs, "validation")
                if op.example is not None:
                    content["application/json"]["example"] = op.example
                operation["requestBody"] = {"required": op.body_required, "content": content}
            item[verb] = operation
        paths[path] = item
    stale = set(OPERATIONS) - seen
    if stale:
        raise KeyError(f"OPERATIONS describes handlers that no route serves: {sorted(stale)}")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "notebook-skills",
            "version": _version(),
            "description": (
                "REST API of the notebook-skills Jupyter server extension, under the server's base_url. "
                "Every route needs an authenticated user (token or cookie); non-GET requests also need "
                "the XSRF cookie/header unless a token is sent. Errors are JSON `{message, reason?}`."
            ),
        },
        "servers": [{"url": "/", "description": "the Jupyter server's base_url"}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "Authorization",
                          "description": "`token <jupyter server token>`"},
            },
        },
    }


_ERROR_TEXT = {
    400: "Invalid input (bad URL or name, host not allowed, no SKILL.md there, not tracking, ...)",
    401: "Not authenticated",
    403: "Refused by policy (GitHub import off, managed skill, management force-off)",
    404: "No such skill, file or upstream object",
    409: "Exists, locally modified, busy, pending, changed on disk, or not writable (see `reason`)",
    410: "The upstream path is gone (bundle kept, skill marked orphaned)",
    502: "GitHub failed (network, 5xx, timeout, rate limit, bad answer)",
    507: "Disk full; nothing was changed",
}


def _version() -> str:
    # The description follows the API, not each release: pin it so the committed file only
    # changes when a route or a model does.
    return "1"


def dumps() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(dumps())
