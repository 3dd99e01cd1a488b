"""Audit: every status code of contract §4, on every route that can answer it.

``CONTRACT`` lists (route, status) pairs read off the contract; ``CASES`` holds
one request per pair (at least), and ``test_matrix_covers_the_contract`` fails
when a pair has no case.  Each case runs against a fresh server and a fresh
"world": a tracking skill imported from the fake GitHub, a local skill and a
managed skill, written straight to disk so any config can be used.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pytest

from notebook_skills.skills.hashing import content_sha256
from notebook_skills.skills.store import ScopeStore

from .helpers import call, skill_md

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

C = "skills"
ONE = "skills/{scope}/{name}"
RENAME = ONE + "/rename"
FILES = ONE + "/files"
SYNC = ONE + "/sync"
PREVIEW = "skills/import/preview"
IMPORT = "skills/import"
SYNC_ALL = "skills/sync-all-tracking"

# 403 is possible everywhere (skills_management_policy = "force-off").
CONTRACT = {
    ("GET", C): {200, 403},
    ("POST", C): {201, 400, 403, 409},
    ("GET", ONE): {200, 400, 403, 404},
    ("PUT", ONE): {200, 400, 403, 404},
    ("DELETE", ONE): {204, 400, 403, 404},
    ("POST", RENAME): {200, 400, 403, 404, 409},
    ("GET", FILES): {200, 400, 403, 404},
    ("PUT", FILES): {200, 400, 403, 404},
    ("DELETE", FILES): {204, 400, 403, 404},
    ("POST", PREVIEW): {200, 400, 403, 404, 502},
    ("POST", IMPORT): {200, 201, 400, 403, 404, 409, 502},
    ("POST", SYNC): {200, 400, 403, 404, 409, 410, 502},
    ("POST", SYNC_ALL): {200, 403},
}

OFF = {"skills_management_policy": "force-off"}
NO_IMPORT = {"allow_github_skill_import": False}


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@dataclass
class Case:
    method: str
    route: str
    status: int
    why: str
    path: Optional[str] = None  # concrete path; default: route with user/local-one
    body: Any = None
    params: Optional[dict] = None
    config: dict = field(default_factory=dict)
    prep: Optional[Callable] = None  # (fake, world) -> None, after the world exists
    says: str = ""  # fragment of the error message, lower case

    @property
    def id(self) -> str:
        return f"{self.method} {self.route} {self.status} {self.why}"

    def url(self) -> str:
        return self.path or self.route.format(scope="user", name="local-one")


CSV = "skills/user/csv-helper"
ORG = "skills/user/org-style"
GHOST = "skills/user/ghost"


def csv_url(fake, path="skills/csv-helper"):
    return f"{fake.url}/acme/data-skills/tree/main/{path}"


def _import(body_extra=None, url=None):
    def body(fake):
        return {"url": url or csv_url(fake), "scope": "project", **(body_extra or {})}

    return body


CASES = [
    # -- GET/POST skills
    Case("GET", C, 200, "list"),
    Case("GET", C, 403, "force-off", config=OFF, says="turned off"),
    Case("POST", C, 201, "create", body={"scope": "user", "name": "new-one", "description": "New."}),
    Case("POST", C, 400, "bad name", body={"scope": "user", "name": "New One", "description": "x"}, says="invalid skill name"),
    Case("POST", C, 400, "unknown scope", body={"scope": "team", "name": "new-one", "description": "x"}, says="scope"),
    Case("POST", C, 400, "no description", body={"scope": "user", "name": "new-one", "description": " "}, says="description"),
    Case("POST", C, 409, "exists", body={"scope": "user", "name": "local-one", "description": "x"}, says="already exists"),
    Case("POST", C, 403, "force-off", body={"scope": "user", "name": "new-one", "description": "x"}, config=OFF),
    # -- one skill
    Case("GET", ONE, 200, "get"),
    Case("GET", ONE, 404, "missing", path=GHOST, says="ghost"),
    Case("GET", ONE, 400, "unknown scope", path="skills/team/local-one", says="scope"),
    Case("GET", ONE, 400, "bad name", path="skills/user/Bad_Name", says="invalid skill name"),
    Case("GET", ONE, 403, "force-off", config=OFF),
    Case("PUT", ONE, 200, "edit", body={"description": "Edited."}),
    Case("PUT", ONE, 404, "missing", path=GHOST, body={"description": "x"}),
    Case("PUT", ONE, 400, "track without source", body={"tracks_upstream": True}, says="source"),
    Case("PUT", ONE, 400, "track a managed skill", path=ORG, body={"tracks_upstream": True}, says="managed"),
    Case("PUT", ONE, 400, "bad body", body={"description": 5}),
    Case("PUT", ONE, 403, "managed edit", path=ORG, body={"description": "x"}, says="managed"),
    Case("PUT", ONE, 403, "tracking toggle, import off", path=CSV, body={"tracks_upstream": False}, config=NO_IMPORT),
    Case("PUT", ONE, 403, "force-off", body={"description": "x"}, config=OFF),
    Case("DELETE", ONE, 204, "delete"),
    Case("DELETE", ONE, 404, "missing", path=GHOST),
    Case("DELETE", ONE, 400, "unknown scope", path="skills/team/local-one"),
    Case("DELETE", ONE, 403, "managed", path=ORG, says="managed"),
    Case("DELETE", ONE, 403, "force-off", config=OFF),
    # -- rename
    Case("POST", RENAME, 200, "rename", body={"new_name": "local-two"}),
    Case("POST", RENAME, 400, "bad new name", body={"new_name": "Local Two"}),
    Case("POST", RENAME, 404, "missing", path=GHOST + "/rename", body={"new_name": "spirit"}),
    Case("POST", RENAME, 409, "target exists", body={"new_name": "csv-helper"}, says="already exists"),
    Case("POST", RENAME, 403, "managed", path=ORG + "/rename", body={"new_name": "mine"}, says="managed"),
    Case("POST", RENAME, 403, "force-off", body={"new_name": "local-two"}, config=OFF),
    # -- files
    Case("GET", FILES, 200, "read", params={"path": "SKILL.md"}),
    Case("GET", FILES, 400, "no path"),
    Case("GET", FILES, 400, "traversal", params={"path": "../csv-helper/SKILL.md"}),
    Case("GET", FILES, 404, "missing skill", path=GHOST + "/files", params={"path": "SKILL.md"}, says="ghost"),
    Case("GET", FILES, 404, "missing file", params={"path": "nope.md"}, says="nope.md"),
    Case("GET", FILES, 403, "force-off", params={"path": "SKILL.md"}, config=OFF),
    Case("PUT", FILES, 200, "write", params={"path": "notes.md"}, body={"content": "hi\n"}),
    Case("PUT", FILES, 400, "traversal", params={"path": "../x.md"}, body={"content": "x"}),
    Case("PUT", FILES, 400, "broken SKILL.md", params={"path": "SKILL.md"}, body={"content": "---\nname: [x\n---\n"}),
    Case("PUT", FILES, 404, "missing skill", path=GHOST + "/files", params={"path": "a.md"}, body={"content": "x"}),
    Case("PUT", FILES, 403, "managed", path=ORG + "/files", params={"path": "a.md"}, body={"content": "x"}),
    Case("PUT", FILES, 403, "force-off", params={"path": "a.md"}, body={"content": "x"}, config=OFF),
    Case("DELETE", FILES, 204, "delete", path=CSV + "/files", params={"path": "scripts/read.py"}),
    Case("DELETE", FILES, 400, "SKILL.md", params={"path": "SKILL.md"}, says="skill.md"),
    Case("DELETE", FILES, 404, "missing skill", path=GHOST + "/files", params={"path": "a.md"}),
    Case("DELETE", FILES, 404, "missing file", params={"path": "a.md"}),
    Case("DELETE", FILES, 403, "managed", path=ORG + "/files", params={"path": "notes.md"}),
    Case("DELETE", FILES, 403, "force-off", params={"path": "a.md"}, config=OFF),
    # -- preview
    Case("POST", PREVIEW, 200, "repo", body=lambda fake: {"url": f"{fake.url}/acme/data-skills"}),
    Case("POST", PREVIEW, 400, "bad url", body={"url": "ftp://example.com/x"}),
    Case("POST", PREVIEW, 400, "host not allowed", body={"url": "https://gitlab.com/acme/x"}, says="not allowed"),
    Case("POST", PREVIEW, 404, "unknown repo", body=lambda fake: {"url": f"{fake.url}/acme/nothing"}),
    Case("POST", PREVIEW, 403, "import off", body={"url": "acme/data-skills"}, config=NO_IMPORT, says="disabled"),
    Case("POST", PREVIEW, 403, "force-off", body={"url": "acme/data-skills"}, config=OFF),
    Case("POST", PREVIEW, 502, "5xx", body={"url": "acme/data-skills"}, prep=lambda fake, w: fake.fail("repo", 503),
         says="503"),
    Case("POST", PREVIEW, 502, "rate limit 429 retry-after", body={"url": "acme/data-skills/skills/csv-helper"},
         prep=lambda fake, w: fake.rate_limit("commits", reset_at=0, retry_after=120), says="rate limit"),
    # -- import
    Case("POST", IMPORT, 201, "created", body=_import()),
    Case("POST", IMPORT, 200, "overwrite", body=lambda fake: {"url": csv_url(fake), "scope": "user", "overwrite": True}),
    Case("POST", IMPORT, 409, "exists", body=lambda fake: {"url": csv_url(fake), "scope": "user"}, says="already exists"),
    Case("POST", IMPORT, 400, "unknown scope", body=lambda fake: {"url": csv_url(fake), "scope": "team"}),
    Case("POST", IMPORT, 400, "bad url", body={"url": "not a url", "scope": "user"}, says="github"),
    Case("POST", IMPORT, 400, "http", body=lambda fake: {"url": csv_url(fake).replace("https:", "http:"), "scope": "user"},
         says="https"),
    Case("POST", IMPORT, 400, "bad name", body=_import({"name": "Bad Name"})),
    Case("POST", IMPORT, 400, "no SKILL.md there", body=_import(url="acme/data-skills/docs"), says="skill.md"),
    Case("POST", IMPORT, 403, "overwrite a managed skill",
         body=lambda fake: {"url": csv_url(fake), "scope": "user", "name": "org-style", "overwrite": True}, says="managed"),
    Case("POST", IMPORT, 404, "unknown path", body=_import(url="acme/data-skills/skills/nope")),
    Case("POST", IMPORT, 404, "unknown repo", body={"url": "acme/nothing", "scope": "user"}),
    Case("POST", IMPORT, 403, "import off", body={"url": "acme/data-skills", "scope": "user"}, config=NO_IMPORT),
    Case("POST", IMPORT, 403, "force-off", body={"url": "acme/data-skills", "scope": "user"}, config=OFF),
    Case("POST", IMPORT, 502, "5xx on archive", body=_import(), prep=lambda fake, w: fake.fail("codeload", 500)),
    Case("POST", IMPORT, 502, "rate limit 403", body=_import(),
         prep=lambda fake, w: fake.rate_limit("commits", reset_at=1_900_000_000), says="2030-03-17"),
    Case("POST", IMPORT, 502, "timeout", body=_import(), config={"request_timeout": 0.3},
         prep=lambda fake, w: setattr(fake, "latency", 1.5), says="timed out"),
    Case("POST", IMPORT, 502, "network down", body={"url": "acme/data-skills/skills/csv-helper", "scope": "user"},
         config={"github_api_url": "https://localhost:{closed}/api/v3"}, says="could not fetch"),
    # -- sync
    Case("POST", SYNC, 200, "unchanged", path=CSV + "/sync"),
    Case("POST", SYNC, 200, "forced", path=CSV + "/sync", body={"force": True}),
    Case("POST", SYNC, 400, "not tracking", says="does not track"),
    Case("POST", SYNC, 400, "managed", path=ORG + "/sync", says="managed"),
    Case("POST", SYNC, 400, "bad body", path=CSV + "/sync", body={"force": "maybe"}),
    Case("POST", SYNC, 404, "missing", path=GHOST + "/sync"),
    Case("POST", SYNC, 409, "locally modified", path=CSV + "/sync",
         prep=lambda fake, w: (w["user"] / "csv-helper" / "mine.md").write_text("x"), says="local changes"),
    Case("POST", SYNC, 410, "upstream path gone", path=CSV + "/sync",
         prep=lambda fake, w: fake.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": None,
                                                                  "skills/csv-helper/scripts/read.py": None}),
         says="kept"),
    Case("POST", SYNC, 410, "repo gone", path=CSV + "/sync", prep=lambda fake, w: fake.delete_repo("acme", "data-skills")),
    Case("POST", SYNC, 502, "5xx on probe", path=CSV + "/sync", prep=lambda fake, w: fake.fail("commits", 500)),
    Case("POST", SYNC, 502, "rate limit 429", path=CSV + "/sync",
         prep=lambda fake, w: fake.rate_limit("commits", reset_at=0, retry_after=30), says="resets at"),
    Case("POST", SYNC, 502, "timeout", path=CSV + "/sync", config={"request_timeout": 0.3},
         prep=lambda fake, w: setattr(fake, "latency", 1.5), says="timed out"),
    Case("POST", SYNC, 502, "network down", path=CSV + "/sync",
         config={"github_api_url": "https://localhost:{closed}/api/v3"}, says="could not fetch"),
    Case("POST", SYNC, 403, "import off", path=CSV + "/sync", config=NO_IMPORT),
    Case("POST", SYNC, 403, "force-off", path=CSV + "/sync", config=OFF),
    # -- sync-all
    Case("POST", SYNC_ALL, 200, "all"),
    Case("POST", SYNC_ALL, 403, "import off", config=NO_IMPORT),
    Case("POST", SYNC_ALL, 403, "force-off", config=OFF),
]


def test_matrix_covers_the_contract():
    have: dict = {}
    for case in CASES:
        have.setdefault((case.method, case.route), set()).add(case.status)
    missing = {key: sorted(want - have.get(key, set())) for key, want in CONTRACT.items()}
    assert {k: v for k, v in missing.items() if v} == {}
    extra = {key: sorted(got - CONTRACT.get(key, set())) for key, got in have.items()}
    assert {k: v for k, v in extra.items() if v} == {}


@pytest.fixture
def skills_config(case):
    config = dict(case.config)
    if "{closed}" in config.get("github_api_url", ""):
        config["github_api_url"] = config["github_api_url"].format(closed=closed_port())
    return config


@pytest.fixture
def world(fake_github, skills_dirs):
    """On disk, without the API: a tracking import, a local skill, a managed skill."""
    sha = fake_github.add_repo(
        "acme",
        "data-skills",
        {
            "docs/README.md": "# not a skill\n",
            "skills/csv-helper/SKILL.md": skill_md("csv-helper", "Reads CSV files."),
            "skills/csv-helper/scripts/read.py": "import csv\n",
        },
    )
    user = ScopeStore("user", skills_dirs["user"])
    csv = user.root / "csv-helper"
    (csv / "scripts").mkdir(parents=True)
    source = csv_url(fake_github)
    (csv / "SKILL.md").write_text(
        skill_md("csv-helper", "Reads CSV files.", extra=f"source: {source}\ntracks_upstream: true\ntracking_ref: {sha}\n")
    )
    (csv / "scripts" / "read.py").write_text("import csv\n")
    # A legacy meta file (first-wave bookkeeping): migrated into a record when first read.
    (user.bookkeeping / "meta").mkdir(parents=True)
    (user.bookkeeping / "meta" / "csv-helper.json").write_text(
        json.dumps({"content_sha256": content_sha256(csv), "orphaned": False, "ref": sha})
    )
    (user.root / "local-one").mkdir()
    (user.root / "local-one" / "SKILL.md").write_text(skill_md("local-one", "A local skill."))
    (user.root / "org-style").mkdir()
    (user.root / "org-style" / "SKILL.md").write_text(
        skill_md("org-style", "Org style.", extra=f"managed_source: https://example.com/m.json\nmanaged_ref: {'b' * 40}\n")
    )
    (user.root / "org-style" / "notes.md").write_text("managed notes\n")
    return {"sha": sha, "user": user.root}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
async def test_status(case, world, jp_fetch, fake_github):
    if case.prep:
        case.prep(fake_github, world)
    body = case.body(fake_github) if callable(case.body) else case.body
    status, data = await call(jp_fetch, case.method, case.url(), body, params=case.params)
    assert status == case.status, data
    if status >= 400:
        assert isinstance(data, dict) and data["message"], data
        assert set(data) == ({"message", "reason"} if status == 409 else {"message"}), data
        assert case.says in data["message"].lower(), data
