"""The committed OpenAPI description is the generated one, and it covers every route."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tornado.web import RequestHandler

from notebook_skills import openapi
from notebook_skills.handlers.routes import ROUTES

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def test_committed_description_is_up_to_date():
    assert COMMITTED.read_text() == openapi.dumps(), (
        "docs/openapi.json is stale: run `python -m notebook_skills.openapi > docs/openapi.json`"
    )


def test_every_route_and_verb_is_described():
    spec = openapi.build()
    described = {(path, verb) for path, item in spec["paths"].items() for verb in item if verb != "parameters"}
    served = set()
    for pattern, handler in ROUTES:
        path = "/notebook-skills/" + openapi._GROUP.sub(lambda g: "{" + g.group(1) + "}", pattern)
        for verb in ("get", "post", "put", "delete", "patch"):
            if getattr(handler, verb) is not getattr(RequestHandler, verb):
                served.add((path, verb))
    assert described == served
    # every operation documents the errors every route can answer, as JSON {message}
    for path, verb in described:
        responses = spec["paths"][path][verb]["responses"]
        assert {"401", "403"} <= set(responses), (path, verb)
        assert responses["403"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_route_documents_the_disk_errors():
    """Every route touches the disk: each documents 409 (permission denied, a file where a
    folder should be...), and every one that writes — anything but GET: skills, records,
    the preview's archive cache — documents 507 (disk full) too."""
    spec = openapi.build()
    for path, item in spec["paths"].items():
        for verb, op in item.items():
            if verb == "parameters":
                continue
            documented = set(op["responses"])
            assert "409" in documented, (verb, path)
            if verb != "get":
                assert "507" in documented, (verb, path)
    preview = spec["paths"]["/notebook-skills/skills/import/preview"]["post"]["responses"]
    assert {"409", "507", "502"} <= set(preview)


def test_request_bodies_come_from_the_wire_models():
    spec = openapi.build()
    body = spec["paths"]["/notebook-skills/skills/import"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/ImportBody"}
    schema = spec["components"]["schemas"]["ImportBody"]
    # extra="forbid" on the model becomes additionalProperties: false
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"url", "scope"}
    assert schema["properties"]["scope"]["enum"] == ["user", "project"]


def test_an_undescribed_route_is_an_error(monkeypatch):
    class NewHandler(RequestHandler):
        async def post(self):
            pass

    monkeypatch.setattr(openapi, "ROUTES", [*ROUTES, ("skills/brand-new", NewHandler)])
    with pytest.raises(KeyError, match="POST /notebook-skills/skills/brand-new"):
        openapi.build()


def test_generator_cli_prints_the_committed_description():
    out = subprocess.run([sys.executable, "-m", "notebook_skills.openapi"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["openapi"] == "3.1.0"
    assert out.stdout == COMMITTED.read_text()

