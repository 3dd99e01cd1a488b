"""Admin policy: allow_github_skill_import and skills_management_policy."""

from __future__ import annotations

import pytest

from .helpers import call, skill_md

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")


def tracked_skill(skills_dirs, fake_url):
    folder = skills_dirs["user"] / "csv-helper"
    folder.mkdir(parents=True)
    extra = f"source: {fake_url}/acme/data-skills/tree/main/skills/csv-helper\ntracks_upstream: true\ntracking_ref: {'a' * 40}\n"
    (folder / "SKILL.md").write_text(skill_md("csv-helper", extra=extra))
    return folder


class TestImportDisabled:
    @pytest.fixture
    def skills_config(self):
        return {"allow_github_skill_import": False}

    async def test_every_github_route_is_403_and_nothing_reaches_github(self, jp_fetch, fake_github, skills_dirs):
        tracked_skill(skills_dirs, fake_github.url)
        url = f"{fake_github.url}/acme/data-skills"
        for path, body in [
            ("skills/import/preview", {"url": url}),
            ("skills/import", {"url": url, "scope": "user"}),
            ("skills/user/csv-helper/sync", {}),
            ("skills/sync-all-tracking", None),
        ]:
            status, data = await call(jp_fetch, "POST", path, body)
            assert status == 403, path
            assert "disabled" in data["message"]
        status, _ = await call(jp_fetch, "PUT", "skills/user/csv-helper", {"tracks_upstream": False})
        assert status == 403
        assert fake_github.requests == []

    async def test_other_edits_still_work(self, jp_fetch, fake_github, skills_dirs):
        tracked_skill(skills_dirs, fake_github.url)
        status, data = await call(jp_fetch, "PUT", "skills/user/csv-helper", {"description": "Still editable."})
        assert status == 200 and data["skill"]["tracks_upstream"] is True
        status, data = await call(jp_fetch, "GET", "skills")
        assert data["policy"]["allow_github_skill_import"] is False


class TestEnvOverride:
    @pytest.fixture
    def skills_config(self, monkeypatch):
        monkeypatch.setenv("NOTEBOOK_SKILLS_ALLOW_GITHUB_IMPORT", "off")
        return {}

    async def test_env_var_turns_import_off(self, jp_fetch, fake_github):
        status, data = await call(jp_fetch, "GET", "skills")
        assert data["policy"]["allow_github_skill_import"] is False
        status, _ = await call(jp_fetch, "POST", "skills/import/preview", {"url": "acme/x"})
        assert status == 403


class TestManagementForceOff:
    @pytest.fixture
    def skills_config(self):
        return {"skills_management_policy": "force-off"}

    @pytest.mark.parametrize(
        "method, path",
        [
            ("GET", "skills"),
            ("POST", "skills"),
            ("GET", "skills/user/csv-helper"),
            ("PUT", "skills/user/csv-helper"),
            ("DELETE", "skills/user/csv-helper"),
            ("POST", "skills/user/csv-helper/rename"),
            ("GET", "skills/user/csv-helper/files"),
            ("POST", "skills/import/preview"),
            ("POST", "skills/import"),
            ("POST", "skills/user/csv-helper/sync"),
            ("POST", "skills/sync-all-tracking"),
        ],
    )
    async def test_every_route_is_403(self, jp_fetch, fake_github, method, path):
        body = {} if method in ("POST", "PUT") else None
        status, data = await call(jp_fetch, method, path, body)
        assert status == 403 and "turned off" in data["message"]
        assert fake_github.requests == []
