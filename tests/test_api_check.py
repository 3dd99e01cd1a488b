"""POST skills/{scope}/{name}/check and POST skills/check-all (contract §4): probe only."""

from __future__ import annotations

from .helpers import call, skill_md, tree_digest
from .test_api_github import import_skill, seed


async def test_check_reports_update_without_downloading(jp_fetch, fake_github, skills_dirs):
    sha0 = seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    folder = skills_dirs["user"] / "csv-helper"
    before = tree_digest(folder)
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/check")
    assert status == 200 and data == {"update_available": False, "ref": sha0, "current_ref": sha0}
    sha1 = fake_github.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "v2")})
    fake_github.clear_log()
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/check")
    assert status == 200 and data == {"update_available": True, "ref": sha1, "current_ref": sha0}
    assert fake_github.counts() == {"head": 1, "trees": 1}
    assert tree_digest(folder) == before


async def test_check_all_one_head_request_per_repository(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github, path="skills/csv-helper")
    await import_skill(jp_fetch, fake_github, path="skills/plot-style")
    fake_github.commit("acme", "data-skills", {"skills/plot-style/SKILL.md": skill_md("plot-style", "v2")})
    fake_github.clear_log()
    status, data = await call(jp_fetch, "POST", "skills/check-all")
    assert status == 200
    by_name = {r["name"]: r["update_available"] for r in data["results"]}
    assert by_name == {"csv-helper": False, "plot-style": True}
    assert fake_github.counts() == {"head": 1, "trees": 1}


async def test_check_of_a_non_tracking_skill_is_400(jp_fetch, fake_github):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github, tracks=False)
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/check")
    assert status == 400 and "does not track" in data["message"]


async def test_sync_conflict_carries_the_reason(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    (skills_dirs["user"] / "csv-helper" / "mine.md").write_text("mine\n")
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert status == 200 and data["updated"] is False  # upstream unchanged: edits kept, no 409
    fake_github.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "v2")})
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert status == 409 and data["reason"] == "locally_modified"
    assert (skills_dirs["user"] / "csv-helper" / "mine.md").read_text() == "mine\n"
