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
from notebook_skills.skills.store import ScopeStore

from .helpers import call
from .test_txn_crash import run_worker
from .txn_worker import COMMITS

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
    assert checked == 13  # every verb of every route in contract §4
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
    """What a kill -9 mid-update leaves, made by a real process before the server starts.

    user: skill 's' at v1, then an update to v2 killed between the two renames of
    the fallback swap (old bundle in backup/, target missing) with a download work
    dir in tmp/.  project: an update killed after the exchange, before its record
    was committed (new bundle in place, old record).
    """
    user, project = skills_dirs["user"], skills_dirs["project"]
    for root, flags, step in ((user, ["--fallback", "--hold-archive"], "half_swapped"), (project, [], "swapped")):
        assert run_worker(root, "v1") == 0
        assert run_worker(root, "v2", *flags, crash=step) == 137
    assert not (user / "s").exists()
    return ScopeStore("user", user), ScopeStore("project", project)


class TestStartupRecovery:
    @pytest.fixture
    def jp_server_config(self, jp_server_config, crash_state):
        return jp_server_config

    async def test_server_start_recovers_and_cleans(self, jp_fetch, skills_dirs, crash_state):
        user, project = crash_state
        status, data = await call(jp_fetch, "GET", "skills/user/s")
        assert status == 200, data
        skill = data["skill"]
        assert skill["description"] == "Skill v1."
        assert skill["files"] == ["SKILL.md", "old-only.txt"]
        assert skill["locally_modified"] is False and skill["tracking_ref"] == COMMITS["v1"]
        status, data = await call(jp_fetch, "GET", "skills/project/s")
        assert status == 200 and data["skill"]["description"] == "Skill v2."
        assert data["skill"]["tracking_ref"] == COMMITS["v2"] and data["skill"]["locally_modified"] is False
        assert data["skill"]["revert_ref"] == COMMITS["v1"]
        for store in (user, project):
            for area in ("staging", "tmp", "trash", "backup", "journal"):
                folder = store.bookkeeping / area
                assert not folder.exists() or list(folder.iterdir()) == [], (store.scope, area)
        status, data = await call(jp_fetch, "GET", "skills")
        assert sorted((s["scope"], s["name"]) for s in data["skills"]) == [("project", "s"), ("user", "s")]
