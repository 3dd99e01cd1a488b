"""Following the curator's pin when things go wrong or move, over HTTPS against the
fake GitHub: a rate-limited marketplace read stops the batch, an unusable
marketplace.json is a 502 that changes nothing, a moved plugin is followed, and a
marketplace previewed at a commit SHA is followed on its default branch."""

from __future__ import annotations

import json

from .fakegithub.marketplaces import MARKETPLACE, REPORTS, VIZ, bump_pin, edit_plugin, seed_marketplace
from .helpers import call, skill_md, tree_digest

MARKET = "/".join(MARKETPLACE)
WEEKLY, MONTHLY = "reports:skills/weekly-report", "reports:skills/monthly-report"
MARKET_JSON = ".claude-plugin/marketplace.json"


async def import_ids(jp_fetch, fake, ids, scope="user", url=None):
    status, data = await call(jp_fetch, "POST", "skills/import", {
        "url": url or f"{fake.url}/{MARKET}", "scope": scope, "paths": ids, "tracks_upstream": True})
    assert status == 201 and not data["errors"], data
    return data


def record(dirs, name, scope="user"):
    return json.loads((dirs[scope] / ".notebook-skills" / "records" / f"{name}.json").read_text())


def disk(dirs, names, scope="user"):
    """Every skill folder and install record: equal means nothing was touched."""
    root = dirs[scope]
    return {n: (tree_digest(root / n), (root / ".notebook-skills" / "records" / f"{n}.json").read_bytes())
            for n in names}


async def sync(jp_fetch, name, scope="user"):
    return await call(jp_fetch, "POST", f"skills/{scope}/{name}/sync", {})


async def listed(jp_fetch, name):
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200, data
    (skill,) = [s for s in data["skills"] if s["name"] == name]
    return skill


# ---- item: a rate-limited marketplace read stops the batch ---------------------


async def test_rate_limited_marketplace_stops_sync_all_and_check_all(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, [WEEKLY, MONTHLY, "viz:skills/chart-review"])
    # upstream has something new for every skill: without the rate limit each would update
    newer = fake_github.commit(*REPORTS, {"skills/weekly-report/SKILL.md": skill_md("weekly-report", "v2."),
                                          "skills/monthly-report/SKILL.md": skill_md("monthly-report", "v2.")})
    bump_pin(fake_github, "reports", newer)
    fake_github.commit(*VIZ, {"skills/chart-review/SKILL.md": skill_md("chart-review", "v2.")})
    names = ["weekly-report", "monthly-report", "chart-review"]
    before = disk(skills_dirs, names)
    fake_github.rate_limit("contents", reset_at=2_000_000_000)

    for route in ("skills/sync-all-tracking", "skills/check-all"):
        fake_github.clear_log()
        status, data = await call(jp_fetch, "POST", route, {})
        assert status == 200, data
        results = {r["name"]: r for r in data["results"]}
        assert set(results) == set(names)
        for name in names:
            assert "rate limit" in results[name]["error"].lower() and "2033" in results[name]["error"], results
        # the marketplace was asked once for both skills that follow it; then the breaker
        # stopped everything: no head request for chart-review's repository, no download
        assert fake_github.counts() == {"contents": 1}, fake_github.requests
        assert disk(skills_dirs, names) == before

    # a single sync says the same and changes nothing either
    fake_github.clear_log()
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 502 and "rate limit" in data["message"].lower(), data
    assert fake_github.counts() == {"contents": 1}
    assert disk(skills_dirs, names) == before
    assert (await listed(jp_fetch, "weekly-report"))["orphaned"] is False


async def test_a_failing_marketplace_is_asked_once_per_batch(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, [WEEKLY, MONTHLY])
    fake_github.fail("contents", 503)
    fake_github.clear_log()
    status, data = await call(jp_fetch, "POST", "skills/sync-all-tracking", {})
    assert status == 200, data
    assert all("503" in r["error"] for r in data["results"]) and len(data["results"]) == 2
    assert fake_github.counts() == {"contents": 1}


# ---- item: an unusable marketplace.json is a 502 and changes nothing ------------


async def test_malformed_marketplace_json_after_import_is_a_502(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, [WEEKLY])
    before = disk(skills_dirs, ["weekly-report"])
    good = fake_github.read(*MARKETPLACE, MARKET_JSON)
    fake_github.commit(*MARKETPLACE, {MARKET_JSON: b"{ this is not JSON"})
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 502, data
    msg = data["message"]
    assert f"{MARKET}/blob/main/{MARKET_JSON}" in msg and "'reports'" in msg and "not valid JSON" in msg, msg
    assert disk(skills_dirs, ["weekly-report"]) == before
    assert (await listed(jp_fetch, "weekly-report"))["orphaned"] is False

    # the file is JSON again but the plugin's own entry is malformed: still 502, not "gone"
    doc = json.loads(good)
    entry = next(e for e in doc["plugins"] if e["name"] == "reports")
    entry["source"]["sha"] = "not-a-sha"
    fake_github.commit(*MARKETPLACE, {MARKET_JSON: json.dumps(doc)})
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 502, data
    assert "plugin 'reports'" in data["message"] and MARKET in data["message"] and "sha" in data["message"], data
    status, checked = await call(jp_fetch, "POST", "skills/user/weekly-report/check", {})
    assert status == 502, checked
    assert disk(skills_dirs, ["weekly-report"]) == before
    assert (await listed(jp_fetch, "weekly-report"))["orphaned"] is False


# ---- item: a plugin the curator moves is followed --------------------------------


async def test_plugin_moved_to_another_folder_is_followed(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, [WEEKLY])
    # the plugin now lives in reports-plugin/ of its repository, with a new description
    moved = fake_github.commit(*REPORTS, {
        "skills/weekly-report/SKILL.md": None, "skills/weekly-report/template.md": None,
        "reports-plugin/skills/weekly-report/SKILL.md": skill_md("weekly-report", "Moved and improved."),
        "reports-plugin/skills/weekly-report/template.md": "# Week {n}\n",
    })
    edit_plugin(fake_github, "reports", source={
        "source": "git-subdir", "url": f"{fake_github.url}/{'/'.join(REPORTS)}.git", "path": "reports-plugin",
        "sha": moved})
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 200 and data == {"updated": True, "ref": moved}, data
    md = (skills_dirs["user"] / "weekly-report" / "SKILL.md").read_text()
    assert "Moved and improved." in md
    assert f"source: {fake_github.url}/{'/'.join(REPORTS)}/tree/{moved}/reports-plugin/skills/weekly-report" in md
    rec = record(skills_dirs, "weekly-report")
    assert rec["origin"]["path"] == "reports-plugin/skills/weekly-report" and rec["orphaned"] is False
    assert rec["via"]["path"] == "skills/weekly-report"

    # the skill folder removed from the plugin: orphaned, the bundle kept
    before = tree_digest(skills_dirs["user"] / "weekly-report")
    gone = fake_github.commit(*REPORTS, {"reports-plugin/skills/weekly-report/SKILL.md": None,
                                         "reports-plugin/skills/weekly-report/template.md": None})
    bump_pin(fake_github, "reports", gone)
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 410, data
    assert tree_digest(skills_dirs["user"] / "weekly-report") == before
    assert (await listed(jp_fetch, "weekly-report"))["orphaned"] is True


async def test_plugin_moved_to_another_repository_is_followed(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, [WEEKLY])
    files = {"skills/weekly-report/SKILL.md": fake_github.read(*REPORTS, "skills/weekly-report/SKILL.md"),
             "skills/weekly-report/template.md": "# Week {n}\n"}
    copy = fake_github.add_repo("newco", "reports", files)
    edit_plugin(fake_github, "reports", source={"source": "github", "repo": "newco/reports", "sha": copy})
    fake_github.clear_log()
    status, data = await sync(jp_fetch, "weekly-report")
    # the same content in its new home: not an update, and not "gone" either
    assert status == 200 and data["updated"] is False, data
    assert {r.path.split("/repos/")[1].split("/")[1] for r in fake_github.requests_to("head")} == {"reports"}
    assert all("/newco/" in r.path for r in fake_github.requests_to("head"))
    assert (await listed(jp_fetch, "weekly-report"))["orphaned"] is False

    newer = fake_github.commit("newco", "reports", {"skills/weekly-report/SKILL.md": skill_md("weekly-report", "New home.")})
    bump_pin(fake_github, "reports", newer)
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 200 and data == {"updated": True, "ref": newer}, data
    md = (skills_dirs["user"] / "weekly-report" / "SKILL.md").read_text()
    assert "New home." in md and f"source: {fake_github.url}/newco/reports/tree/{newer}/skills/weekly-report" in md


async def test_plugin_moved_into_the_marketplace_repository_is_followed(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, [WEEKLY])
    fake_github.commit(*MARKETPLACE, {"plugins/reports/skills/weekly-report/SKILL.md": skill_md("weekly-report", "In-house."),
                                      "plugins/reports/skills/weekly-report/template.md": "# Week {n}\n"})
    head = edit_plugin(fake_github, "reports", source="./plugins/reports")
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 200 and data == {"updated": True, "ref": head}, data
    md = (skills_dirs["user"] / "weekly-report" / "SKILL.md").read_text()
    assert "In-house." in md and f"source: {fake_github.url}/{MARKET}/tree/main/plugins/reports/skills/weekly-report" in md
    assert record(skills_dirs, "weekly-report")["via"]["kind"] == "marketplace"  # still follows the curator


async def test_skill_no_longer_listed_by_its_plugin_is_orphaned(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, [WEEKLY])
    before = tree_digest(skills_dirs["user"] / "weekly-report")
    edit_plugin(fake_github, "reports", skills=["./skills/monthly-report"])  # the folder is still in the repo
    fake_github.clear_log()
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 410 and "no longer lists 'skills/weekly-report'" in data["message"], data
    assert fake_github.counts() == {"contents": 1}  # decided from the marketplace alone
    assert tree_digest(skills_dirs["user"] / "weekly-report") == before
    assert (await listed(jp_fetch, "weekly-report"))["orphaned"] is True


async def test_record_without_via_path_keeps_its_folder(jp_fetch, fake_github, skills_dirs):
    """Records written before `via.path` existed still follow the pin at their recorded folder."""
    seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, [WEEKLY])
    path = skills_dirs["user"] / ".notebook-skills" / "records" / "weekly-report.json"
    rec = json.loads(path.read_text())
    del rec["via"]["path"]
    path.write_text(json.dumps(rec))
    newer = fake_github.commit(*REPORTS, {"skills/weekly-report/SKILL.md": skill_md("weekly-report", "v2.")})
    bump_pin(fake_github, "reports", newer)
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 200 and data == {"updated": True, "ref": newer}, data
    assert "v2." in (skills_dirs["user"] / "weekly-report" / "SKILL.md").read_text()


# ---- item: a marketplace previewed at a commit SHA ----------------------------------


async def test_marketplace_at_a_sha_is_followed_on_its_default_branch(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}/tree/{heads['market']}"
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": url})
    assert status == 200 and data["source"]["ref"] == heads["market"], data
    await import_ids(jp_fetch, fake_github, [WEEKLY], url=url)
    rec = record(skills_dirs, "weekly-report")
    # a SHA never moves: the pin is followed on the marketplace's default branch
    assert rec["via"]["url"] == f"{fake_github.url}/{MARKET}/blob/main/{MARKET_JSON}"
    newer = fake_github.commit(*REPORTS, {"skills/weekly-report/SKILL.md": skill_md("weekly-report", "Bumped.")})
    bump_pin(fake_github, "reports", newer)
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 200 and data == {"updated": True, "ref": newer}, data
    assert "Bumped." in (skills_dirs["user"] / "weekly-report" / "SKILL.md").read_text()
