"""One unreadable skill never sinks the list or a batch (issues 6, 7).

A file the server cannot read (mode 0) makes that skill's entry say so — a
`problems` entry, `locally_modified: null` — while the list shows every other
skill; an unreadable SKILL.md fails that skill alone in Sync tracking skills and
Check all, and the others are checked and updated.

Real EACCES, no mocks: a real `jupyter server` process.  Root reads anything
through CAP_DAC_OVERRIDE, so when the tests run as root the server runs under
`setpriv` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from its bounding
set: still root, but file modes apply to it as to any user.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .helpers import skill_md, tree_digest
from .live_server import LiveServer

DROP = "-dac_override,-dac_read_search"


def without_dac_override() -> tuple[str, ...]:
    if os.geteuid() != 0:
        return ()  # an ordinary user cannot read a mode-0 file anyway
    setpriv = shutil.which("setpriv")  # util-linux, present wherever the tests run as root (Debian CI)
    assert setpriv, "setpriv (util-linux) is needed to drop CAP_DAC_OVERRIDE for this test"
    return (setpriv, f"--bounding-set={DROP}", f"--inh-caps={DROP}")


def rest(server: LiveServer, method: str, path: str, body=None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{server.url}/notebook-skills/{path}", data=data, method=method,
                                 headers={**server.headers, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


@pytest.fixture
def server(fake_github, tmp_path):
    live = LiveServer(tmp_path, fake_github.url, fake_github.api_url, Path(os.environ["SSL_CERT_FILE"]),
                      prefix=without_dac_override()).start()
    try:
        yield live
    finally:
        live.stop()
    log = live.log()
    assert "Traceback (most recent call last)" not in log, log[-4000:]


def seed_and_import(fake, server) -> Path:
    fake.add_repo("acme", "r", {
        f"skills/{n}/SKILL.md": skill_md(n, f"{n.upper()}.") for n in ("a", "b", "c")
    } | {"skills/b/data.txt": "numbers\n"})
    for n in ("a", "b", "c"):
        url = f"{fake.url}/acme/r/tree/main/skills/{n}"
        status, data = rest(server, "POST", "skills/import", {"url": url, "scope": "user", "tracks_upstream": True})
        assert status == 201, data
    return server.home / ".claude" / "skills"


def test_an_unreadable_file_is_that_skills_problem_and_the_list_shows_every_skill(fake_github, server):
    user = seed_and_import(fake_github, server)
    (user / "b" / "data.txt").chmod(0)
    (user / "a" / "SKILL.md").chmod(0)
    status, data = rest(server, "GET", "skills")
    assert status == 200, data
    skills = {s["name"]: s for s in data["skills"]}
    assert sorted(skills) == ["a", "b", "c"]
    assert skills["b"]["locally_modified"] is None
    assert any("cannot be read" in p and "Permission denied" in p for p in skills["b"]["problems"]), skills["b"]
    assert skills["b"]["description"] == "B."  # its SKILL.md is readable: everything else is shown
    assert any("SKILL.md cannot be read" in p for p in skills["a"]["problems"]), skills["a"]
    assert skills["c"]["problems"] == [] and skills["c"]["locally_modified"] is False
    status, data = rest(server, "GET", "skills/user/b")
    assert status == 200 and data["skill"]["locally_modified"] is None, data
    assert "data.txt" in data["skill"]["files"]


def test_an_unreadable_skill_md_fails_that_skill_only_in_check_all_and_sync_all(fake_github, server):
    user = seed_and_import(fake_github, server)
    new = fake_github.commit("acme", "r", {"skills/a/SKILL.md": skill_md("a", "A2."),
                                           "skills/c/SKILL.md": skill_md("c", "C2.")})
    (user / "a" / "SKILL.md").chmod(0)
    before_a, before_b = tree_digest(user / "a"), tree_digest(user / "b")

    status, data = rest(server, "POST", "skills/check-all")
    assert status == 200, data
    results = {r["name"]: r for r in data["results"]}
    assert "Permission denied" in results["a"]["error"], results
    assert results["b"]["update_available"] is False and results["c"]["update_available"] is True, results

    status, data = rest(server, "POST", "skills/sync-all-tracking")
    assert status == 200, data
    results = {r["name"]: r for r in data["results"]}
    assert "Permission denied" in results["a"]["error"], results
    assert results["b"]["updated"] is False
    assert results["c"] == {"scope": "user", "name": "c", "updated": True, "ref": new}
    # c was updated on disk; a and b are untouched
    assert "description: C2." in (user / "c" / "SKILL.md").read_text()
    assert tree_digest(user / "a") == before_a and tree_digest(user / "b") == before_b
