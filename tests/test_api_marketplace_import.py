"""Imports pinned to what was previewed, and what a preview costs and says, over
HTTPS against the fake GitHub: the previewed SHAs named back by the client,
default branches cached with the pins, same-name collisions on plugin expand,
and a broken user scope that leaves project imports and syncs working."""

from __future__ import annotations

import json
import shutil

from .fakegithub.marketplaces import GPU, MARKETPLACE, REPORTS, VIZ, bump_pin, edit_plugin, seed_marketplace
from .helpers import call, skill_md

MARKET = "/".join(MARKETPLACE)
CSV, CHART, WEEKLY = "data-tools:plugins/data-tools/skills/csv-profile", "viz:skills/chart-review", "reports:skills/weekly-report"


async def preview(jp_fetch, url, plugin=None, sha=None):
    body = {"url": url, **({"plugin": plugin} if plugin else {}), **({"sha": sha} if sha else {})}
    return await call(jp_fetch, "POST", "skills/import/preview", body)


async def import_(jp_fetch, **body):
    return await call(jp_fetch, "POST", "skills/import", body)


def drop_source_cache(dirs):
    for scope in ("user", "project"):
        shutil.rmtree(dirs[scope] / ".notebook-skills" / "source-cache", ignore_errors=True)


def record(dirs, name, scope):
    return json.loads((dirs[scope] / ".notebook-skills" / "records" / f"{name}.json").read_text())


# ---- import pinned to what was previewed ----------------------------------------


async def test_two_imports_from_one_preview_install_the_previewed_commits(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    status, shown = await preview(jp_fetch, url)
    assert status == 200, shown
    sha = shown["source"]["sha"]
    status, viz = await preview(jp_fetch, url, plugin="viz", sha=sha)
    assert status == 200, viz
    viz_sha = viz["plugins"][0]["source"]["sha"]
    assert viz_sha == heads["viz"]
    # upstream moves after the preview: the marketplace's own skill, the plugin's branch, the curator's pin
    fake_github.commit(*MARKETPLACE, {"plugins/data-tools/skills/csv-profile/SKILL.md": skill_md("csv-profile", "Moved on.")})
    fake_github.commit(*VIZ, {"skills/chart-review/SKILL.md": skill_md("chart-review", "Moved on too.")})
    bump_pin(fake_github, "reports", fake_github.commit(*REPORTS, {"skills/weekly-report/SKILL.md": skill_md("weekly-report", "New.")}))

    body = {"url": url, "paths": [CSV, CHART, WEEKLY], "tracks_upstream": True, "sha": sha,
            "plugin_shas": {"viz": viz_sha, "reports": heads["reports"]}}
    for scope in ("user", "project"):
        drop_source_cache(skills_dirs)  # long after the preview: the cache only ever spared downloads
        status, data = await import_(jp_fetch, scope=scope, **body)
        assert status == 201 and data["errors"] == [], data
        root = skills_dirs[scope]
        csv = (root / "csv-profile" / "SKILL.md").read_text()
        assert "Profile a CSV file." in csv and f"tracking_ref: {heads['market']}" in csv
        chart = (root / "chart-review" / "SKILL.md").read_text()
        assert "Review a chart" in chart and f"tracking_ref: {heads['viz']}" in chart
        weekly = (root / "weekly-report" / "SKILL.md").read_text()
        assert "Draft the weekly status report." in weekly and f"tracking_ref: {heads['reports']}" in weekly
        rec = record(skills_dirs, "chart-review", scope)
        assert rec["origin"]["ref"] == "main" and rec["commit"] == heads["viz"]  # tracks its branch from there

    # the same call without the SHAs, once the preview's pins are gone, installs what is there now
    drop_source_cache(skills_dirs)
    status, data = await import_(jp_fetch, url=url, scope="user", paths=[CSV], overwrite=True)
    assert status == 201 and data["errors"] == [], data
    assert "Moved on." in (skills_dirs["user"] / "csv-profile" / "SKILL.md").read_text()


async def test_single_skill_import_named_by_sha(jp_fetch, fake_github, skills_dirs):
    first = fake_github.add_repo("acme", "one", {"skills/a/SKILL.md": skill_md("a", "As previewed.")})
    url = f"{fake_github.url}/acme/one/tree/main/skills/a"
    status, data = await preview(jp_fetch, url)
    assert status == 200 and data["source"]["sha"] == first
    fake_github.commit("acme", "one", {"skills/a/SKILL.md": skill_md("a", "Pushed after the preview.")})
    for scope in ("user", "project"):
        status, data = await import_(jp_fetch, url=url, scope=scope, sha=first, tracks_upstream=True)
        assert status == 201, data
        md = (skills_dirs[scope] / "a" / "SKILL.md").read_text()
        assert "As previewed." in md and f"tracking_ref: {first}" in md


async def test_plugin_expand_at_the_previewed_marketplace_commit(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    status, shown = await preview(jp_fetch, url)
    newer = fake_github.commit(*REPORTS, {"skills/weekly-report/SKILL.md": skill_md("weekly-report", "New.")})
    bump_pin(fake_github, "reports", newer)
    status, data = await preview(jp_fetch, url, plugin="reports", sha=shown["source"]["sha"])
    assert status == 200, data
    assert data["source"]["sha"] == heads["market"] and data["plugins"][0]["source"]["sha"] == heads["reports"]
    by_id = {c["id"]: c for c in data["skills"]}
    assert by_id[WEEKLY]["description"] == "Draft the weekly status report."


async def test_previewed_shas_are_validated_strictly(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    fake_github.clear_log()
    for bad in ("abc", heads["market"].upper(), heads["market"] + "0", 42):
        status, data = await import_(jp_fetch, url=url, scope="user", paths=[CSV], sha=bad)
        assert status == 400 and "sha" in data["message"], (bad, data)
        status, data = await preview(jp_fetch, url, sha=bad)
        assert status == 400 and "sha" in data["message"], (bad, data)
    status, data = await import_(jp_fetch, url=url, scope="user", plugin_shas={"viz": heads["viz"]})
    assert status == 400 and "'paths'" in data["message"], data
    status, data = await import_(jp_fetch, url=url, scope="user", paths=[CHART], plugin_shas={"viz": "nope"})
    assert status == 400 and "plugin_shas" in data["message"], data
    assert fake_github.requests == []  # refused before GitHub is asked

    for plugin_shas, words in (({"data-tools": heads["viz"]}, "not an external plugin"),
                               ({"nope": heads["viz"]}, "not an external plugin"),
                               ({"reports": heads["viz"]}, "preview again")):
        status, data = await import_(jp_fetch, url=url, scope="user", paths=[CSV, WEEKLY], sha=heads["market"],
                                     plugin_shas=plugin_shas)
        assert status == 400 and words in data["message"], data
    assert not [p for p in skills_dirs["user"].iterdir() if not p.name.startswith(".")]

    status, data = await import_(jp_fetch, url=url, scope="user", paths=[CSV], sha="0" * 40)
    assert status == 404 and "acme/plugin-market@0000000" in data["message"], data
    assert not (skills_dirs["user"] / "csv-profile").exists()


# ---- what a preview costs and says ---------------------------------------------------


async def test_expanding_plugins_costs_no_repeated_default_branch_lookup(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    edit_plugin(fake_github, "viz", source={"source": "github", "repo": "/".join(VIZ)})  # neither ref nor sha
    url = f"{fake_github.url}/{MARKET}"
    fake_github.clear_log()
    status, shown = await preview(jp_fetch, url)
    assert status == 200 and fake_github.counts()["repo"] == 1  # the marketplace's default branch
    fake_github.clear_log()
    status, data = await preview(jp_fetch, url, plugin="doc-tools")
    assert status == 200 and fake_github.requests == []  # all from the preview's cache
    for expected in ({"repo": 1, "head": 1, "tarball": 1, "codeload": 1}, {"head": 1}):
        fake_github.clear_log()
        status, data = await preview(jp_fetch, url, plugin="viz")  # viz's own default branch: looked up once
        assert status == 200 and data["plugins"][0]["skills"], data
        assert fake_github.counts() == expected, fake_github.requests
    fake_github.clear_log()
    status, data = await import_(jp_fetch, url=url, scope="user", paths=[CHART])
    assert status == 201, data
    assert "repo" not in fake_github.counts(), fake_github.requests


async def test_preview_says_what_is_installed_already(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    status, data = await import_(jp_fetch, url=url, scope="user", paths=[CSV, CHART])
    assert status == 201, data
    status, data = await preview(jp_fetch, url)
    by_id = {c["id"]: c for c in data["skills"]}
    assert by_id[CSV]["exists"] == {"user": True, "project": False}
    assert by_id["data-tools:plugins/data-tools/skills/plot-house"]["exists"] == {"user": False, "project": False}
    status, data = await preview(jp_fetch, url, plugin="viz")
    by_id = {c["id"]: c for c in data["skills"]}
    assert by_id[CHART]["exists"] == {"user": True, "project": False}
    assert by_id["viz:skills/colour-check"]["exists"] == {"user": False, "project": False}


async def test_expanded_plugin_candidates_are_checked_for_name_collisions(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    # viz now ships a skill named like a local plugin's, and two folders with one name
    fake_github.commit(*VIZ, {"skills/csv-profile/SKILL.md": skill_md("csv-profile", "Another CSV profiler."),
                              "extra/colour-check/SKILL.md": skill_md("colour-check", "A second one."),
                              })
    edit_plugin(fake_github, "viz", skills=["./skills", "./extra"])
    # and a loose skill of the marketplace is named like a local plugin's
    fake_github.commit(*MARKETPLACE, {"extras/doc-lint/SKILL.md": skill_md("doc-lint", "Loose.")})
    url = f"{fake_github.url}/{MARKET}"
    status, data = await preview(jp_fetch, url, plugin="viz")
    assert status == 200, data
    by_id = {c["id"]: c for c in data["skills"]}
    assert any(f"'{CSV}'" in p and "installs as 'csv-profile'" in p for p in by_id["viz:skills/csv-profile"]["problems"])
    assert any("'viz:extra/colour-check'" in p for p in by_id["viz:skills/colour-check"]["problems"])
    assert any("'viz:skills/colour-check'" in p for p in by_id["viz:extra/colour-check"]["problems"])
    assert by_id[CHART]["problems"] == []
    # a local plugin on its own is checked against the whole preview, as in the full answer
    status, data = await preview(jp_fetch, url, plugin="doc-tools")
    (doc,) = data["skills"]
    assert any("'extras/doc-lint'" in p for p in doc["problems"]), doc
    status, full = await preview(jp_fetch, url)
    (same,) = [c for c in full["skills"] if c["id"] == doc["id"]]
    assert same["problems"] == doc["problems"]


# ---- one broken scope never breaks the other ----------------------------------------


async def test_broken_user_bookkeeping_leaves_project_imports_and_syncs_working(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    skills_dirs["user"].mkdir(parents=True)
    blocker = skills_dirs["user"] / ".notebook-skills"
    blocker.write_text("not a folder")
    url = f"{fake_github.url}/{MARKET}"
    status, shown = await preview(jp_fetch, url)
    assert status == 200, shown
    status, data = await preview(jp_fetch, url, plugin="gpu")
    assert status == 200, data
    status, data = await import_(jp_fetch, url=url, scope="project", paths=[CSV, WEEKLY, "gpu:skills/local-ai-use"],
                                 tracks_upstream=True, sha=shown["source"]["sha"])
    assert status == 201 and data["errors"] == [], data
    project = skills_dirs["project"]
    assert (project / "csv-profile" / "profile.py").read_text() == "print('profile')\n"
    assert "Draft the weekly status report." in (project / "weekly-report" / "SKILL.md").read_text()
    assert (project / "local-ai-use" / "SKILL.md").is_file()
    status, data = await import_(jp_fetch, url=f"{fake_github.url}/{'/'.join(GPU)}/tree/main/skills/gpu-profiling",
                                 scope="project")
    assert status == 201 and (project / "gpu-profiling" / "SKILL.md").is_file(), data

    newer = fake_github.commit(*REPORTS, {"skills/weekly-report/SKILL.md": skill_md("weekly-report", "v2.")})
    bump_pin(fake_github, "reports", newer)
    status, data = await call(jp_fetch, "POST", "skills/project/weekly-report/sync", {})
    assert status == 200 and data == {"updated": True, "ref": newer}, data
    fake_github.commit(*MARKETPLACE, {"plugins/data-tools/skills/csv-profile/SKILL.md": skill_md("csv-profile", "v2.")})
    status, data = await call(jp_fetch, "POST", "skills/sync-all-tracking", {})
    assert status == 200, data
    results = {r["name"]: r for r in data["results"] if r["scope"] == "project"}
    assert results["csv-profile"]["updated"] is True, data
    assert "v2." in (project / "csv-profile" / "SKILL.md").read_text()
    assert blocker.read_text() == "not a folder"  # never touched
    assert heads["market"] != results["csv-profile"]["ref"]
