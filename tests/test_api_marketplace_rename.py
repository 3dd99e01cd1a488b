"""One skill of a marketplace imported under another name: `name` with a single id in
`paths` keeps the marketplace bookkeeping (`via`), so the renamed skill still follows
the curator's pin; `name` with several ids is a clear 400 and changes nothing."""

from __future__ import annotations

import json

from .fakegithub.marketplaces import MARKETPLACE, REPORTS, bump_pin, seed_marketplace
from .helpers import call, skill_md

MARKET = "/".join(MARKETPLACE)
WEEKLY = "reports:skills/weekly-report"


def listed(folder):
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


def record(dirs, name, scope="user"):
    return json.loads((dirs[scope] / ".notebook-skills" / "records" / f"{name}.json").read_text())


async def test_one_id_with_a_name_installs_under_that_name_and_keeps_via(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    status, _ = await call(jp_fetch, "POST", "skills/import/preview", {"url": url, "plugin": "reports"})
    assert status == 200
    status, data = await call(jp_fetch, "POST", "skills/import", {
        "url": url, "scope": "user", "paths": [WEEKLY], "name": "team-weekly", "tracks_upstream": True})
    assert status == 201, data
    assert data["errors"] == [] and [s["name"] for s in data["skills"]] == ["team-weekly"]
    user = skills_dirs["user"]
    assert listed(user) == ["team-weekly"]
    md = (user / "team-weekly" / "SKILL.md").read_text()
    assert "Draft the weekly status report." in md
    assert (user / "team-weekly" / "template.md").read_text() == "# Week {n}\n"
    rec = record(skills_dirs, "team-weekly")
    assert rec["via"] == {"kind": "marketplace", "plugin": "reports", "path": "skills/weekly-report",
                          "url": f"{fake_github.url}/{MARKET}/blob/main/.claude-plugin/marketplace.json"}
    assert rec["commit"] == heads["reports"]
    status, data = await call(jp_fetch, "GET", "skills/user/team-weekly")
    assert data["skill"]["marketplace"] == {"url": rec["via"]["url"], "plugin": "reports"}

    # the renamed skill follows the curator's pin like any other
    newer = fake_github.commit(*REPORTS, {"skills/weekly-report/SKILL.md": skill_md("weekly-report", "Renamed v2.")})
    bump_pin(fake_github, "reports", newer)
    status, data = await call(jp_fetch, "POST", "skills/user/team-weekly/sync", {})
    assert status == 200 and data == {"updated": True, "ref": newer}, data
    assert "Renamed v2." in (user / "team-weekly" / "SKILL.md").read_text()
    assert listed(user) == ["team-weekly"]


async def test_a_name_with_several_ids_is_a_400_and_nothing_changes(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    status, data = await call(jp_fetch, "POST", "skills/import", {
        "url": f"{fake_github.url}/{MARKET}", "scope": "user", "name": "both",
        "paths": [WEEKLY, "reports:skills/monthly-report"]})
    assert status == 400, data
    assert "'name' renames one skill" in data["message"] and "names 2" in data["message"]
    assert listed(skills_dirs["user"]) == []


async def test_an_invalid_name_with_one_id_is_a_400(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    status, data = await call(jp_fetch, "POST", "skills/import", {
        "url": f"{fake_github.url}/{MARKET}", "scope": "user", "name": "Bad Name", "paths": [WEEKLY]})
    assert status == 400, data
    assert listed(skills_dirs["user"]) == []
