"""Marketplaces and multi-skill sources over HTTPS against the fake GitHub:
cheap previews (request counts asserted), plugin resolution at its pin, and
imports pinned to what was previewed."""

from __future__ import annotations

import json

from notebook_skills.sources.marketplace import MARKETPLACE_JSON

from .archives import tarball
from .fakegithub.marketplaces import GPU, MARKETPLACE, REPORTS, VIZ, huge_marketplace_bytes, seed_many, seed_marketplace
from .helpers import call, skill_md

MARKET = "/".join(MARKETPLACE)


def counts(fake) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in fake.requests:
        out[r.endpoint] = out.get(r.endpoint, 0) + 1
    return out


async def preview(jp_fetch, url, plugin=None):
    body = {"url": url} if plugin is None else {"url": url, "plugin": plugin}
    return await call(jp_fetch, "POST", "skills/import/preview", body)


async def test_marketplace_preview_is_one_read(jp_fetch, fake_github):
    heads = seed_marketplace(fake_github)
    fake_github.clear_log()
    status, data = await preview(jp_fetch, f"{fake_github.url}/{MARKET}")
    assert status == 200, data
    assert data["source"] == {"kind": "marketplace", "owner": "acme", "repo": "plugin-market", "ref": "main", "sha": heads["market"]}
    # one default-branch lookup, one commit resolution, one archive (API + its redirect); no external repo contacted
    assert counts(fake_github) == {"repo": 1, "head": 1, "tarball": 1, "codeload": 1}
    assert all("/acme/plugin-market" in r.path for r in fake_github.requests)

    plugins = {p["name"]: p for p in data["plugins"]}
    assert set(plugins) == {"data-tools", "doc-tools", "lab-essentials", "viz", "reports", "gpu"}
    assert plugins["data-tools"]["skills"] == [
        "data-tools:plugins/data-tools/skills/csv-profile", "data-tools:plugins/data-tools/skills/plot-house"]
    assert plugins["doc-tools"]["skills"] == ["doc-tools:plugins/doc-tools/skills/doc-lint"]
    assert plugins["lab-essentials"]["skills"] == ["lab-essentials:skills/notebook-tidy", "lab-essentials:skills/query-review"]
    for ext in ("viz", "reports", "gpu"):
        assert plugins[ext]["skills"] is None
    assert plugins["reports"]["source"] == {"kind": "url", "owner": "partner", "repo": "report-skills", "path": None,
                                            "ref": None, "sha": heads["reports"]}
    assert plugins["gpu"]["source"] == {"kind": "git-subdir", "owner": "chipco", "repo": "skills", "path": "skills",
                                        "ref": "main", "sha": heads["gpu"]}
    assert plugins["data-tools"]["source"] == {"kind": "local", "owner": None, "repo": None,
                                               "path": "plugins/data-tools", "ref": None, "sha": None}

    by_id = {c["id"]: c for c in data["skills"]}
    csv = by_id["data-tools:plugins/data-tools/skills/csv-profile"]
    assert csv["path"] == "plugins/data-tools/skills/csv-profile" and csv["plugin"] == "data-tools"
    assert csv["url"] == f"{fake_github.url}/{MARKET}/tree/main/plugins/data-tools/skills/csv-profile"
    assert csv["files"] == ["SKILL.md", "profile.py"] and csv["name"] == "csv-profile"
    # a skill no plugin lists is still a candidate, never dropped
    assert by_id["template"]["plugin"] is None and by_id["template"]["name"] == "template-skill"

    errors = {e["plugin"]: e["message"] for e in data["errors"]}
    assert set(errors) == {"npm-thing", "gitlab-thing", "broken", "#10"}
    assert "not supported" in errors["npm-thing"] and "gitlab.com" in errors["gitlab-thing"]


async def test_three_hundred_plugins_cost_the_same(jp_fetch, fake_github):
    seed_many(fake_github, 300, local=20)
    fake_github.clear_log()
    status, data = await preview(jp_fetch, f"{fake_github.url}/big/market/tree/main")
    assert status == 200, data
    assert len(data["plugins"]) == 300 and len(data["skills"]) == 20
    assert sum(p["skills"] is None for p in data["plugins"]) == 280
    # a ref in the URL: no default-branch lookup; still constant, whatever the plugin count
    assert counts(fake_github) == {"head": 1, "tarball": 1, "codeload": 1}


async def test_external_plugin_resolved_at_its_ref(jp_fetch, fake_github):
    heads = seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    await preview(jp_fetch, url)
    fake_github.clear_log()
    status, data = await preview(jp_fetch, url, plugin="viz")
    assert status == 200, data
    (viz,) = data["plugins"]
    assert viz["skills"] == ["viz:skills/chart-review", "viz:skills/colour-check"]
    assert viz["source"]["sha"] == heads["viz"] and viz["source"]["ref"] == "main"
    chart = data["skills"][0]
    assert chart["url"] == f"{fake_github.url}/{'/'.join(VIZ)}/tree/main/skills/chart-review"
    # the marketplace itself comes from the preview's cache: only the plugin's repo is contacted
    assert {r.path.split("/repos/")[-1].split("/tarball")[0].split("/commits")[0]
            for r in fake_github.requests if r.endpoint != "codeload"} <= {"acme/plugin-market", "partner/viz-skills"}
    assert counts(fake_github).get("tarball") == 1  # the plugin's archive only


async def test_git_subdir_plugin_resolved_at_its_sha_with_skills_array(jp_fetch, fake_github):
    heads = seed_marketplace(fake_github)
    fake_github.commit(*GPU, {"skills/local-ai-use/SKILL.md": skill_md("local-ai-use", "Newer, not pinned.")})
    status, data = await preview(jp_fetch, f"{fake_github.url}/{MARKET}", plugin="gpu")
    assert status == 200, data
    assert [c["id"] for c in data["skills"]] == ["gpu:skills/local-ai-use", "gpu:skills/gpu-profiling"]
    local = data["skills"][0]
    assert local["description"] == "Run models on the local accelerator."  # the pinned commit, not the branch head
    assert local["url"] == f"{fake_github.url}/{'/'.join(GPU)}/tree/{heads['gpu']}/skills/local-ai-use"
    assert data["plugins"][0]["source"]["sha"] == heads["gpu"]


async def test_refused_and_unknown_plugins(jp_fetch, fake_github):
    seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    fake_github.clear_log()
    status, data = await preview(jp_fetch, url, plugin="npm-thing")
    assert status == 200 and data["skills"] == [] and "not supported" in data["errors"][0]["message"]
    assert not any("npm" in r.path or "gitlab" in r.host for r in fake_github.requests)
    status, data = await preview(jp_fetch, url, plugin="nope")
    assert status == 404 and "nope" in data["message"]
    status, data = await preview(jp_fetch, f"{fake_github.url}/{'/'.join(VIZ)}", plugin="x")
    assert status == 400 and "marketplace" in data["message"]


async def test_missing_external_repo_is_a_plugin_error(jp_fetch, fake_github):
    seed_marketplace(fake_github)
    fake_github.delete_repo(*VIZ)
    status, data = await preview(jp_fetch, f"{fake_github.url}/{MARKET}", plugin="viz")
    assert status == 200, data
    assert data["plugins"][0]["error"] and data["errors"][0]["plugin"] == "viz"


async def test_blob_and_folder_urls_name_the_marketplace(jp_fetch, fake_github):
    heads = seed_marketplace(fake_github)
    for url in (f"{fake_github.url}/{MARKET}/blob/main/{MARKETPLACE_JSON}", f"{fake_github.url}/{MARKET}/tree/main",
                f"{MARKET}/.claude-plugin/marketplace.json"):
        status, data = await preview(jp_fetch, url)
        assert status == 200 and data["source"]["kind"] == "marketplace", (url, data)
        assert data["source"]["sha"] == heads["market"]
    # a marketplace in a sub-folder: relative sources resolve from that folder
    doc = {"name": "nested", "plugins": [{"name": "inner", "source": "./p"}, {"name": "outer", "source": "../elsewhere"}]}
    fake_github.add_repo("acme", "nested", {
        "market/.claude-plugin/marketplace.json": json.dumps(doc),
        "market/p/skills/one/SKILL.md": skill_md("one"),
        "elsewhere/skills/two/SKILL.md": skill_md("two"),
    })
    status, data = await preview(jp_fetch, f"{fake_github.url}/acme/nested/blob/main/market/{MARKETPLACE_JSON}")
    assert status == 200, data
    assert [c["id"] for c in data["skills"]] == ["inner:market/p/skills/one"]
    assert "outside the marketplace folder" in data["errors"][0]["message"]


async def test_oversized_marketplace_json_is_an_error_and_the_repo_still_previews(jp_fetch, fake_github):
    fake_github.add_repo("acme", "huge", {MARKETPLACE_JSON: huge_marketplace_bytes(), "skills/a/SKILL.md": skill_md("a")})
    status, data = await preview(jp_fetch, f"{fake_github.url}/acme/huge")
    assert status == 200, data
    assert data["source"]["kind"] == "repo" and [c["id"] for c in data["skills"]] == ["skills/a"]
    assert data["errors"][0]["path"] == MARKETPLACE_JSON and "limit" in data["errors"][0]["message"]


async def test_import_from_three_plugins_one_download_each_pinned(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    await preview(jp_fetch, url)
    await preview(jp_fetch, url, plugin="viz")
    await preview(jp_fetch, url, plugin="gpu")
    # upstream moves after the preview: the import must install what was previewed
    fake_github.commit(*MARKETPLACE, {"plugins/data-tools/skills/csv-profile/SKILL.md": skill_md("csv-profile", "Moved on.")})
    fake_github.commit(*VIZ, {"skills/chart-review/SKILL.md": skill_md("chart-review", "Moved on too.")})
    fake_github.clear_log()
    ids = ["data-tools:plugins/data-tools/skills/csv-profile", "viz:skills/chart-review", "gpu:skills/local-ai-use",
           "lab-essentials:skills/notebook-tidy"]
    status, data = await call(jp_fetch, "POST", "skills/import",
                              {"url": url, "scope": "user", "paths": ids, "tracks_upstream": True})
    assert status == 201, data
    assert data["errors"] == []
    assert [s["name"] for s in data["skills"]] == ["csv-profile", "chart-review", "local-ai-use", "notebook-tidy"]
    assert counts(fake_github).get("tarball", 0) == 0, fake_github.requests  # every archive came from the preview
    user = skills_dirs["user"]
    csv = (user / "csv-profile" / "SKILL.md").read_text()
    assert "Profile a CSV file." in csv and "Moved on" not in csv
    assert (user / "csv-profile" / "profile.py").read_text() == "print('profile')\n"
    assert f"source: {fake_github.url}/{MARKET}/tree/main/plugins/data-tools/skills/csv-profile" in csv
    assert f"tracking_ref: {heads['market']}" in csv
    chart = (user / "chart-review" / "SKILL.md").read_text()
    assert "Moved on" not in chart and f"tracking_ref: {heads['viz']}" in chart
    assert f"source: {fake_github.url}/{'/'.join(VIZ)}/tree/main/skills/chart-review" in chart
    gpu = (user / "local-ai-use" / "SKILL.md").read_text()
    assert f"source: {fake_github.url}/{'/'.join(GPU)}/tree/main/skills/local-ai-use" in gpu
    assert f"tracking_ref: {heads['gpu']}" in gpu


async def test_import_sha_only_plugin_without_preview(jp_fetch, fake_github, skills_dirs):
    heads = seed_marketplace(fake_github)
    fake_github.clear_log()
    status, data = await call(jp_fetch, "POST", "skills/import", {
        "url": f"{fake_github.url}/{MARKET}", "scope": "project", "paths": ["reports:skills/weekly-report"]})
    assert status == 201, data
    md = (skills_dirs["project"] / "weekly-report" / "SKILL.md").read_text()
    assert f"source: {fake_github.url}/{'/'.join(REPORTS)}/tree/{heads['reports']}/skills/weekly-report" in md
    assert (skills_dirs["project"] / "weekly-report" / "template.md").is_file()
    assert counts(fake_github)["tarball"] == 2  # the marketplace and the plugin, once each


async def test_import_errors_are_per_id(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    ids = ["npm-thing:x", "nope:y", "viz:skills/missing", "data-tools:plugins/doc-tools/skills/doc-lint", "template"]
    status, data = await call(jp_fetch, "POST", "skills/import",
                              {"url": f"{fake_github.url}/{MARKET}", "scope": "user", "paths": ids})
    assert status == 201, data
    assert [s["name"] for s in data["skills"]] == ["template-skill"]
    errors = {e["path"]: e["message"] for e in data["errors"]}
    assert set(errors) == set(ids[:4])
    assert "not supported" in errors["npm-thing:x"] and "no skill at" in errors["viz:skills/missing"].lower()
    assert sorted(p.name for p in skills_dirs["user"].iterdir() if not p.name.startswith(".")) == ["template-skill"]


async def test_plain_repo_ids_urls_collisions_and_unsupported_files(jp_fetch, fake_github, skills_dirs):
    sha = fake_github.add_repo("acme", "dupes", {"a/tool/SKILL.md": skill_md("tool"), "b/tool/SKILL.md": skill_md("tool"),
                                                "c/SKILL.md": skill_md("c")})
    top = f"acme-dupes-{sha[:7]}"
    fake_github.set_archive("acme", "dupes", sha, tarball([
        (f"{top}/", "dir", None), (f"{top}/a/tool/SKILL.md", "file", skill_md("tool").encode()),
        (f"{top}/b/tool/SKILL.md", "file", skill_md("tool").encode()), (f"{top}/c/SKILL.md", "file", skill_md("c").encode()),
        (f"{top}/c/escape", "symlink", "../../../etc/passwd")], sha=sha))
    status, data = await preview(jp_fetch, f"{fake_github.url}/acme/dupes")
    assert status == 200, data
    by_id = {c["id"]: c for c in data["skills"]}
    assert set(by_id) == {"a/tool", "b/tool", "c"}
    assert all(c["id"] == c["path"] for c in data["skills"])
    assert by_id["c"]["url"] == f"{fake_github.url}/acme/dupes/tree/main/c"
    assert any("'b/tool'" in p for p in by_id["a/tool"]["problems"])
    assert any("'a/tool'" in p for p in by_id["b/tool"]["problems"])
    assert by_id["c"]["problems"] == ["'escape' is a link, a special file or an unsafe path and will not be installed"]
    status, data = await call(jp_fetch, "POST", "skills/import",
                              {"url": f"{fake_github.url}/acme/dupes", "scope": "user", "paths": ["a/tool", "b/tool"]})
    assert status == 201 and [s["path"] if "path" in s else s["name"] for s in data["skills"]] == ["tool"]
    assert data["errors"][0]["path"] == "b/tool" and "another name" in data["errors"][0]["message"]


async def test_single_import_installs_the_previewed_commit(jp_fetch, fake_github, skills_dirs):
    first = fake_github.add_repo("acme", "one", {"skills/a/SKILL.md": skill_md("a", "As previewed.")})
    url = f"{fake_github.url}/acme/one/tree/main/skills/a"
    status, data = await preview(jp_fetch, url)
    assert status == 200 and data["source"]["sha"] == first
    fake_github.commit("acme", "one", {"skills/a/SKILL.md": skill_md("a", "Pushed after the preview.")})
    fake_github.clear_log()
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "tracks_upstream": True})
    assert status == 201, data
    md = (skills_dirs["user"] / "a" / "SKILL.md").read_text()
    assert "As previewed." in md and f"tracking_ref: {first}" in md
    assert fake_github.requests_to("tarball") == [] and fake_github.requests_to("head") == []
    # a new preview sees the push, and the next import installs that
    status, data = await preview(jp_fetch, url)
    assert data["skills"][0]["description"] == "Pushed after the preview."
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "project"})
    assert status == 201 and "Pushed after the preview." in (skills_dirs["project"] / "a" / "SKILL.md").read_text()


async def test_local_plugin_preview_comes_from_the_cached_archive(jp_fetch, fake_github):
    seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    await preview(jp_fetch, url)
    fake_github.clear_log()
    status, data = await preview(jp_fetch, url, plugin="doc-tools")
    assert status == 200, data
    assert [p["name"] for p in data["plugins"]] == ["doc-tools"]
    assert [c["id"] for c in data["skills"]] == ["doc-tools:plugins/doc-tools/skills/doc-lint"]
    assert fake_github.requests_to("tarball") == [] and fake_github.requests_to("head") == []


async def test_too_many_ids_is_a_clear_400(jp_fetch, fake_github):
    seed_marketplace(fake_github)
    fake_github.clear_log()
    status, data = await call(jp_fetch, "POST", "skills/import",
                              {"url": f"{fake_github.url}/{MARKET}", "scope": "user", "paths": ["x"] * 501})
    assert status == 400 and "at most 500" in data["message"]
    assert fake_github.requests == []


async def test_linked_marketplace_json_is_an_error_not_followed(jp_fetch, fake_github):
    sha = fake_github.add_repo("acme", "linked", {"skills/a/SKILL.md": skill_md("a")})
    top = f"acme-linked-{sha[:7]}"
    fake_github.set_archive("acme", "linked", sha, tarball([
        (f"{top}/", "dir", None), (f"{top}/skills/a/SKILL.md", "file", skill_md("a").encode()),
        (f"{top}/.claude-plugin/", "dir", None),
        (f"{top}/.claude-plugin/marketplace.json", "symlink", "/etc/passwd")], sha=sha))
    status, data = await preview(jp_fetch, f"{fake_github.url}/acme/linked")
    assert status == 200, data
    assert data["source"]["kind"] == "repo" and [c["id"] for c in data["skills"]] == ["skills/a"]
    assert data["errors"][0]["path"] == MARKETPLACE_JSON and "link" in data["errors"][0]["message"]


async def test_github_failing_mid_import_reports_each_id(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    ids = ["data-tools:plugins/data-tools/skills/csv-profile", "data-tools:plugins/data-tools/skills/plot-house"]
    await preview(jp_fetch, url)
    fake_github.fail("trees", 503)  # the import's one git/trees request fails
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "paths": ids})
    assert status == 502 and "503" in data["message"], data
    assert not (skills_dirs["user"] / "csv-profile").exists()


async def test_rate_limit_mid_import_keeps_what_was_installed(jp_fetch, fake_github, skills_dirs):
    seed_marketplace(fake_github)
    url = f"{fake_github.url}/{MARKET}"
    await preview(jp_fetch, url)
    await preview(jp_fetch, url, plugin="viz")
    fake_github.clear_log()
    # the default branch comes from the preview's cache; the marketplace's git/trees passes
    fake_github.rate_limit_after(1, reset_at=2_000_000_000)
    ids = ["data-tools:plugins/data-tools/skills/csv-profile", "viz:skills/chart-review", "viz:skills/colour-check"]
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "paths": ids})
    assert status == 201, data
    assert [s["name"] for s in data["skills"]] == ["csv-profile"]
    errors = {e["path"]: e["message"] for e in data["errors"]}
    assert "rate limit" in errors[ids[1]] and errors[ids[2]].startswith("Not imported:")
    assert [r.endpoint for r in fake_github.requests] == ["trees", "trees"]  # nothing asked after the rate limit
    assert not (skills_dirs["user"] / "chart-review").exists()
