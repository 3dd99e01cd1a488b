"""The extension inside a real Jupyter Server: auth on every handler, the
`jupyter server extension list` check, and crash recovery at startup."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_server.serverapp import ServerWebApplication, _has_tornado_web_authenticated
from jupyter_server.utils import JupyterServerAuthWarning
from tornado import web

from notebook_skills.handlers import build_handlers
from notebook_skills.handlers.routes import NAMESPACE, ROUTES
from notebook_skills.skills.hashing import content_sha256
from notebook_skills.skills.store import ScopeStore, SkillMeta

from .helpers import call, skill_md

HANDLER_NAMES = {handler.__name__ for _, handler in ROUTES}
VERBS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


def implemented(handler: type[web.RequestHandler]) -> list[str]:
    """Verbs our code implements (APIHandler's own OPTIONS preflight is not ours)."""
    return [v for v in VERBS if getattr(handler, v.lower()).__module__.startswith("notebook_skills.")]


# ---- auth ------------------------------------------------------------------------------


def test_every_handler_method_is_authenticated():
    checked = 0
    for _, handler in ROUTES:
        for verb in implemented(handler):
            assert _has_tornado_web_authenticated(getattr(handler, verb.lower())), f"{verb} of {handler.__name__}"
            checked += 1
    assert checked == 15  # every verb of every route in contract §4
    # the server's own checker agrees (and does flag an undecorated method)
    for pattern, handler in build_handlers():
        assert ServerWebApplication._check_handler_auth(None, pattern, handler) == []

    class Naked(web.RequestHandler):
        async def get(self):
            pass

    assert ServerWebApplication._check_handler_auth(None, "x", Naked)


@pytest.fixture
def jp_server_config(jp_server_config, recwarn):
    """Depend on recwarn so warnings are recorded from before the server starts."""
    return jp_server_config


async def test_server_start_warns_about_no_notebook_skills_handler(jp_serverapp, recwarn):
    assert "notebook_skills" in jp_serverapp.extension_manager.extension_apps
    ours = []
    for w in recwarn.list:
        if issubclass(w.category, JupyterServerAuthWarning):
            text = str(w.message)
            if NAMESPACE in text or any(name in text for name in HANDLER_NAMES):
                ours.append(text)
    assert ours == []


def _concrete(pattern: str) -> str:
    path = pattern.split(NAMESPACE + "/", 1)[1]
    path = path.replace("(?P<scope>[^/]+)", "user").replace("(?P<name>[^/]+)", "some-skill")
    return re.sub(r"/\?\$$", "", path)


ROUTE_CALLS = [(verb, _concrete(pattern)) for pattern, handler in build_handlers() for verb in implemented(handler)]


@pytest.mark.parametrize("verb, path", ROUTE_CALLS, ids=[f"{v} {p}" for v, p in ROUTE_CALLS])
async def test_wrong_token_is_403_everywhere(verb, path, jp_fetch, fake_github, skills_dirs):
    body = {} if verb in ("POST", "PUT") else None
    status, data = await call(jp_fetch, verb, path, body, params={"path": "SKILL.md"}, headers={"Authorization": "token wrong"})
    assert status == 403, data
    assert fake_github.requests == []
    assert not skills_dirs["user"].exists() or list(skills_dirs["user"].glob("*/SKILL.md")) == []


# ---- installation ------------------------------------------------------------------------


def test_jupyter_server_extension_list_shows_it_enabled_and_ok(tmp_path):
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.exists():
        pytest.skip("no jupyter executable next to this interpreter")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "user-config")  # not the developer's ~/.jupyter
    proc = subprocess.run(
        [str(jupyter), "server", "extension", "list"], capture_output=True, text=True, env=env, timeout=120
    )
    out = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, out
    assert re.search(r"^\s*notebook_skills\s+enabled\s*$", out, re.M), out
    assert re.search(r"^\s*notebook_skills [\w.]+ OK\s*$", out, re.M), out


# ---- startup recovery --------------------------------------------------------------------


@pytest.fixture
def crash_state(skills_dirs):
    """What a crash mid-swap leaves, written before the server starts.

    user: 'csv-helper' sits in backup/ with its target missing (crash between
    the two renames), plus staging / tmp / trash leftovers.  project:
    'plot-style' was swapped in but its backup was not yet removed.
    """
    user = ScopeStore("user", skills_dirs["user"])
    book = user.bookkeeping
    backup = book / "backup" / "csv-helper.k3y9x2"
    (backup / "scripts").mkdir(parents=True)
    (backup / "SKILL.md").write_text(skill_md("csv-helper", "Reads CSV files."))
    (backup / "scripts" / "read.py").write_text("import csv\n")
    user.write_meta("csv-helper", SkillMeta(content_sha256=content_sha256(backup), ref="a" * 40))
    for area, name in (("staging", "csv-helper.s7a8b9"), ("tmp", "archives-x1y2"), ("trash", "old-one.t0t0t0")):
        (book / area / name).mkdir(parents=True)
        (book / area / name / "partial.bin").write_bytes(b"half a bundle")

    project = ScopeStore("project", skills_dirs["project"])
    (project.root / "plot-style").mkdir(parents=True)
    (project.root / "plot-style" / "SKILL.md").write_text(skill_md("plot-style", "New version."))
    old = project.bookkeeping / "backup" / "plot-style.o1d0ld"
    old.mkdir(parents=True)
    (old / "SKILL.md").write_text(skill_md("plot-style", "Old version."))
    return user, project


class TestStartupRecovery:
    @pytest.fixture
    def jp_server_config(self, jp_server_config, crash_state):
        return jp_server_config

    async def test_server_start_recovers_and_cleans(self, jp_fetch, skills_dirs, crash_state):
        user, project = crash_state
        status, data = await call(jp_fetch, "GET", "skills/user/csv-helper")
        assert status == 200, data
        skill = data["skill"]
        assert skill["description"] == "Reads CSV files."
        assert skill["files"] == ["SKILL.md", "scripts/read.py"]
        assert skill["locally_modified"] is False
        status, data = await call(jp_fetch, "GET", "skills/project/plot-style")
        assert status == 200 and data["skill"]["description"] == "New version."
        for store in (user, project):
            for area in ("staging", "tmp", "trash", "backup"):
                folder = store.bookkeeping / area
                assert not folder.exists() or list(folder.iterdir()) == [], (store.scope, area)
        status, data = await call(jp_fetch, "GET", "skills")
        assert sorted((s["scope"], s["name"]) for s in data["skills"]) == [("project", "plot-style"), ("user", "csv-helper")]
