"""REST routes that do not touch GitHub: list, create, update, delete, rename, files."""

from __future__ import annotations

import pytest

from .helpers import call, skill_md

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")


async def create(jp_fetch, name="csv-helper", scope="user", description="Reads CSV files."):
    return await call(jp_fetch, "POST", "skills", {"scope": scope, "name": name, "description": description, "body": "Use pandas.\n"})


async def test_list_empty_reports_policy_and_scopes(jp_fetch, skills_dirs):
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200
    assert data["skills"] == []
    assert data["policy"] == {"allow_github_skill_import": True, "skills_management_policy": "user-choice"}
    assert data["scopes"] == {"user": str(skills_dirs["user"]), "project": str(skills_dirs["project"])}


async def test_create_get_and_list(jp_fetch, skills_dirs):
    status, data = await create(jp_fetch)
    assert status == 201
    skill = data["skill"]
    assert skill["name"] == "csv-helper" and skill["scope"] == "user"
    assert skill["description"] == "Reads CSV files."
    assert skill["files"] == ["SKILL.md"]
    assert skill["body"] == "Use pandas.\n"
    assert skill["tracks_upstream"] is False and skill["source"] is None
    assert (skills_dirs["user"] / "csv-helper" / "SKILL.md").is_file()
    status, data = await call(jp_fetch, "GET", "skills/user/csv-helper")
    assert status == 200 and data["skill"]["frontmatter"]["name"] == "csv-helper"
    status, data = await call(jp_fetch, "GET", "skills")
    assert [s["name"] for s in data["skills"]] == ["csv-helper"]
    assert "body" not in data["skills"][0]


@pytest.mark.parametrize(
    "payload, fragment",
    [
        ({"scope": "user", "name": "Bad_Name", "description": "x"}, "Invalid skill name"),
        ({"scope": "team", "name": "ok", "description": "x"}, "scope"),
        ({"scope": "user", "name": "ok", "description": "  "}, "description"),
        ({"scope": "user", "name": "ok"}, "description"),
        ({"scope": "user", "name": "ok", "description": "x", "colour": "red"}, "colour"),
        ({"scope": "user", "name": "a" * 65, "description": "x"}, "Invalid skill name"),
    ],
)
async def test_create_rejects_bad_input(jp_fetch, payload, fragment):
    status, data = await call(jp_fetch, "POST", "skills", payload)
    assert status == 400
    assert fragment in data["message"]


async def test_create_rejects_invalid_json(jp_fetch):
    resp = await jp_fetch("notebook-skills", "skills", method="POST", body="{not json", raise_error=False)
    assert resp.code == 400


async def test_create_existing_is_conflict(jp_fetch):
    await create(jp_fetch)
    status, data = await create(jp_fetch)
    assert status == 409 and "already exists" in data["message"]


async def test_unknown_skill_is_404_and_bad_name_400(jp_fetch):
    status, data = await call(jp_fetch, "GET", "skills/user/nope")
    assert status == 404 and "nope" in data["message"]
    status, _ = await call(jp_fetch, "GET", "skills/user/NOT_valid")
    assert status == 400
    status, _ = await call(jp_fetch, "GET", "skills/team/nope")
    assert status == 400


async def test_update_description_and_body_keeps_other_lines(jp_fetch, skills_dirs):
    folder = skills_dirs["user"] / "tidy"
    folder.mkdir(parents=True)
    original = skill_md("tidy", extra="license: MIT\n# keep me\nmetadata:\n  owner: data-team\n")
    (folder / "SKILL.md").write_text(original)
    status, data = await call(jp_fetch, "PUT", "skills/user/tidy", {"description": "Tidies data frames.", "body": "New body\n"})
    assert status == 200
    text = (folder / "SKILL.md").read_text()
    assert "description: Tidies data frames.\n" in text
    assert "license: MIT\n# keep me\nmetadata:\n  owner: data-team\n" in text
    assert text.endswith("---\nNew body\n")
    assert data["skill"]["body"] == "New body\n"


async def test_update_tracking_needs_a_source(jp_fetch):
    await create(jp_fetch)
    status, data = await call(jp_fetch, "PUT", "skills/user/csv-helper", {"tracks_upstream": True})
    assert status == 400 and "source" in data["message"]


async def test_update_tracking_refused_for_managed(jp_fetch, skills_dirs):
    folder = skills_dirs["user"] / "org-style"
    folder.mkdir(parents=True)
    extra = "source: https://github.com/acme/x/tree/main/s\nmanaged_source: https://example.org/manifest.json\nmanaged_ref: " + "a" * 40 + "\n"
    (folder / "SKILL.md").write_text(skill_md("org-style", extra=extra))
    status, data = await call(jp_fetch, "PUT", "skills/user/org-style", {"tracks_upstream": True})
    assert status == 400 and "managed" in data["message"]
    status, data = await call(jp_fetch, "PUT", "skills/user/org-style", {"description": "changed"})
    assert status == 403
    status, _ = await call(jp_fetch, "DELETE", "skills/user/org-style")
    assert status == 403
    status, _ = await call(jp_fetch, "PUT", "skills/user/org-style/files", {"content": "x"}, params={"path": "notes.md"})
    assert status == 403
    assert (folder / "SKILL.md").is_file()


async def test_delete(jp_fetch, skills_dirs):
    await create(jp_fetch)
    status, data = await call(jp_fetch, "DELETE", "skills/user/csv-helper")
    assert status == 204 and data is None
    assert not (skills_dirs["user"] / "csv-helper").exists()
    status, _ = await call(jp_fetch, "DELETE", "skills/user/csv-helper")
    assert status == 404


async def test_rename(jp_fetch, skills_dirs):
    await create(jp_fetch)
    await create(jp_fetch, name="other")
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/rename", {"new_name": "csv-tools"})
    assert status == 200 and data["skill"]["name"] == "csv-tools"
    assert data["skill"]["frontmatter"]["name"] == "csv-tools"
    assert not (skills_dirs["user"] / "csv-helper").exists()
    status, _ = await call(jp_fetch, "POST", "skills/user/csv-tools/rename", {"new_name": "other"})
    assert status == 409
    status, _ = await call(jp_fetch, "POST", "skills/user/csv-tools/rename", {"new_name": "No Spaces"})
    assert status == 400
    status, _ = await call(jp_fetch, "POST", "skills/user/ghost/rename", {"new_name": "spirit"})
    assert status == 404


async def test_files_roundtrip(jp_fetch, skills_dirs):
    await create(jp_fetch, scope="project")
    status, data = await call(jp_fetch, "PUT", "skills/project/csv-helper/files", {"content": "print('hi')\n"}, params={"path": "scripts/run.py"})
    assert status == 200 and "scripts/run.py" in data["skill"]["files"]
    assert (skills_dirs["project"] / "csv-helper" / "scripts" / "run.py").read_text() == "print('hi')\n"
    status, data = await call(jp_fetch, "GET", "skills/project/csv-helper/files", params={"path": "scripts/run.py"})
    assert status == 200 and data["path"] == "scripts/run.py" and data["content"] == "print('hi')\n"
    status, _ = await call(jp_fetch, "DELETE", "skills/project/csv-helper/files", params={"path": "scripts/run.py"})
    assert status == 204
    status, _ = await call(jp_fetch, "GET", "skills/project/csv-helper/files", params={"path": "scripts/run.py"})
    assert status == 404


@pytest.mark.parametrize("path", ["../escape.txt", "/etc/passwd", "a/../../x", "..", ".notebook-skills/meta"])
async def test_files_traversal_rejected(jp_fetch, skills_dirs, path):
    await create(jp_fetch)
    status, data = await call(jp_fetch, "PUT", "skills/user/csv-helper/files", {"content": "x"}, params={"path": path})
    assert status == 400, data
    assert not (skills_dirs["user"] / "escape.txt").exists()


async def test_files_skill_md_rules(jp_fetch):
    await create(jp_fetch)
    status, data = await call(jp_fetch, "DELETE", "skills/user/csv-helper/files", params={"path": "SKILL.md"})
    assert status == 400
    status, data = await call(jp_fetch, "PUT", "skills/user/csv-helper/files", {"content": "---\nname: [unclosed\n---\n"}, params={"path": "SKILL.md"})
    assert status == 400
    status, data = await call(jp_fetch, "GET", "skills/user/csv-helper/files")
    assert status == 400 and "path" in data["message"]


async def test_broken_skill_md_is_listed_with_a_problem(jp_fetch, skills_dirs):
    folder = skills_dirs["user"] / "broken"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text("---\nname: broken\ndescription: [oops\n---\n")
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200
    (skill,) = data["skills"]
    assert skill["name"] == "broken" and skill["problems"]


async def test_dot_dirs_are_not_skills(jp_fetch, skills_dirs):
    hidden = skills_dirs["user"] / ".hidden"
    hidden.mkdir(parents=True)
    (hidden / "SKILL.md").write_text(skill_md("hidden"))
    status, data = await call(jp_fetch, "GET", "skills")
    assert data["skills"] == []


async def test_unauthenticated_requests_are_refused(jp_fetch):
    status, _ = await call(jp_fetch, "GET", "skills", headers={"Authorization": "token wrong"})
    assert status in (401, 403)
    status, _ = await call(jp_fetch, "POST", "skills/sync-all-tracking", headers={"Authorization": "token wrong"})
    assert status in (401, 403)
