"""Tracking the curator's pin over HTTPS against the fake GitHub: sha-only plugins
follow marketplace.json (conditional reads), ref plugins track their own ref,
a plugin removed from the marketplace orphans the skill and keeps it."""

from __future__ import annotations

import json

from .fakegithub.marketplaces import MARKETPLACE, REPORTS, VIZ, bump_pin, remove_plugin, seed_marketplace
from .helpers import call, skill_md

MARKET = "/".join(MARKETPLACE)
REPORT_IDS = ["reports:skills/weekly-report", "reports:skills/monthly-report"]


async def import_ids(jp_fetch, fake, ids, scope="user"):
    status, data = await call(jp_fetch, "POST", "skills/import",
                              {"url": f"{fake.url}/{MARKET}", "scope": scope, "paths": ids, "tracks_upstream": True})
    assert status == 201 and not data["errors"], data
    return data


def record(dirs, name, scope="user"):
    return json.loads((dirs[scope] / ".notebook-skills" / "records" / f"{name}.json").read_text())


async def sync(jp_fetch, name, scope="user"):
    return await call(jp_fetch, "POST", f"skills/{scope}/{name}/sync", {})


async def test_sha_only_plugin_follows_the_marketplace_pin(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, REPORT_IDS[:1])
    rec = record(skills_dirs, "weekly-report")
    assert rec["via"] == {"kind": "marketplace", "plugin": "reports", "path": "skills/weekly-report",
                          "url": f"{fake_github.url}/{MARKET}/blob/main/.claude-plugin/marketplace.json"}
    assert rec["origin"]["ref"] == heads["reports"] and rec["commit"] == heads["reports"]
    status, data = await call(jp_fetch, "GET", "skills/user/weekly-report")
    assert status == 200 and data["skill"]["marketplace"] == {"url": rec["via"]["url"], "plugin": "reports"}, data

    # upstream moves, the curator does not: nothing to do
    newer = fake_github.commit(*REPORTS, {"skills/weekly-report/SKILL.md": skill_md("weekly-report", "v2 of the report.")})
    fake_github.clear_log()
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 200 and data == {"updated": False, "ref": heads["reports"]}, data
    assert fake_github.counts().get("tarball", 0) == 0
    (read,) = fake_github.requests_to("contents")
    assert read.path.endswith("/contents/.claude-plugin/marketplace.json") and read.query["ref"] == "main"

    # the curator bumps the pin: Sync moves to it
    bump_pin(fake_github, "reports", newer)
    fake_github.clear_log()
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 200 and data == {"updated": True, "ref": newer}, data
    (read,) = fake_github.requests_to("contents")
    assert read.headers.get("if-none-match")  # conditional on the last answer
    md = (skills_dirs["user"] / "weekly-report" / "SKILL.md").read_text()
    assert "v2 of the report." in md and f"tracking_ref: {newer}" in md
    assert f"source: {fake_github.url}/{'/'.join(REPORTS)}/tree/{newer}/skills/weekly-report" in md
    assert record(skills_dirs, "weekly-report")["via"]["kind"] == "marketplace"

    # nothing changed since: one 304 and the head check, no download
    fake_github.clear_log()
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 200 and data == {"updated": False, "ref": newer}, data
    (read,) = fake_github.requests_to("contents")
    assert read.headers.get("if-none-match") and read.status == 304
    (head,) = fake_github.requests_to("head")
    assert head.status == 304  # the head is conditional on the last answer too
    assert fake_github.counts() == {"contents": 1, "head": 1}


async def test_removed_plugin_orphans_and_keeps_the_skill(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, REPORT_IDS[:1])
    before = (skills_dirs["user"] / "weekly-report" / "SKILL.md").read_bytes()
    remove_plugin(fake_github, "reports")
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 410 and "no longer in the marketplace" in data["message"], data
    assert (skills_dirs["user"] / "weekly-report" / "SKILL.md").read_bytes() == before
    status, listing = await call(jp_fetch, "GET", "skills")
    (skill,) = [s for s in listing["skills"] if s["name"] == "weekly-report"]
    assert skill["orphaned"] is True


async def test_ref_plugin_tracks_its_own_repository(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, ["viz:skills/chart-review"])
    assert record(skills_dirs, "chart-review")["via"] == {"kind": "direct"}
    status, data = await call(jp_fetch, "GET", "skills/user/chart-review")
    assert status == 200 and data["skill"]["marketplace"] is None, data
    newer = fake_github.commit(*VIZ, {"skills/chart-review/SKILL.md": skill_md("chart-review", "Check the baseline.")})
    fake_github.clear_log()
    status, data = await sync(jp_fetch, "chart-review")
    assert status == 200 and data == {"updated": True, "ref": newer}, data
    assert fake_github.requests_to("contents") == []  # the marketplace is not consulted
    assert "Check the baseline." in (skills_dirs["user"] / "chart-review" / "SKILL.md").read_text()


async def test_sync_all_reads_each_marketplace_once(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, REPORT_IDS)
    newer = fake_github.commit(*REPORTS, {"skills/monthly-report/SKILL.md": skill_md("monthly-report", "v2.")})
    bump_pin(fake_github, "reports", newer)
    fake_github.clear_log()
    status, data = await call(jp_fetch, "POST", "skills/sync-all-tracking", {})
    assert status == 200, data
    results = {r["name"]: r for r in data["results"]}
    assert results["monthly-report"]["updated"] is True and results["monthly-report"]["ref"] == newer
    # weekly-report's folder is the same at the new pin: not an update, no new bundle
    assert results["weekly-report"]["updated"] is False
    assert len(fake_github.requests_to("contents")) == 1
    assert fake_github.counts()["tarball"] == 1
    assert "v2." in (skills_dirs["user"] / "monthly-report" / "SKILL.md").read_text()
    assert heads["reports"] != newer


async def test_check_sees_a_pin_bump_without_downloading(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, REPORT_IDS[:1])
    status, data = await call(jp_fetch, "POST", "skills/user/weekly-report/check", {})
    assert status == 200 and data["update_available"] is False, data
    newer = fake_github.commit(*REPORTS, {"skills/weekly-report/SKILL.md": skill_md("weekly-report", "v3.")})
    bump_pin(fake_github, "reports", newer)
    fake_github.clear_log()
    status, data = await call(jp_fetch, "POST", "skills/user/weekly-report/check", {})
    assert status == 200, data
    assert data == {"update_available": True, "ref": newer, "current_ref": heads["reports"]}
    assert fake_github.requests_to("tarball") == []
    assert "v3." not in (skills_dirs["user"] / "weekly-report" / "SKILL.md").read_text()


async def test_damaged_marketplace_state_costs_one_full_read(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    await import_ids(jp_fetch, fake_github, REPORT_IDS[:1])
    assert (await sync(jp_fetch, "weekly-report"))[0] == 200
    (state,) = (skills_dirs["user"] / ".notebook-skills" / "marketplaces").glob("*.json")
    state.write_text('{"url": "x", "etag": "\\"bogus\\"", "body": "!!"}')
    fake_github.clear_log()
    status, data = await sync(jp_fetch, "weekly-report")
    assert status == 200 and data == {"updated": False, "ref": heads["reports"]}, data
    (read,) = fake_github.requests_to("contents")
    assert "if-none-match" not in read.headers  # unusable state: asked unconditionally
    assert json.loads(state.read_text())["url"].endswith("/.claude-plugin/marketplace.json")
