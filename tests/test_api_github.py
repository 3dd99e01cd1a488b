"""Import, preview, sync and sync-all over HTTPS against the fake GitHub."""

from __future__ import annotations

import asyncio
import re

import pytest

from .helpers import call, skill_md, tree_digest

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

SHA_RE = re.compile(r"^[0-9a-f]{40}$")


def seed(fake, owner="acme", repo="data-skills"):
    return fake.add_repo(
        owner,
        repo,
        {
            "README.md": "# Data skills\n",
            "skills/csv-helper/SKILL.md": skill_md("csv-helper", "Reads CSV files.", extra="license: MIT\n"),
            "skills/csv-helper/scripts/read.py": "import pandas\n",
            "skills/plot-style/SKILL.md": skill_md("plot-style", "House plot style."),
        },
    )


async def import_skill(jp_fetch, fake, path="skills/csv-helper", tracks=True, **extra):
    url = f"{fake.url}/acme/data-skills/tree/main/{path}"
    return await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "tracks_upstream": tracks, **extra})


# ---- preview ------------------------------------------------------------------


async def test_preview_repo_lists_every_skill(jp_fetch, fake_github):
    sha = seed(fake_github)
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": f"{fake_github.url}/acme/data-skills"})
    assert status == 200, data
    assert data["source"] == {"kind": "repo", "owner": "acme", "repo": "data-skills", "ref": "main", "sha": sha}
    by_path = {c["path"]: c for c in data["skills"]}
    assert set(by_path) == {"skills/csv-helper", "skills/plot-style"}
    csv = by_path["skills/csv-helper"]
    assert csv["name"] == "csv-helper" and csv["description"] == "Reads CSV files."
    assert csv["files"] == ["SKILL.md", "scripts/read.py"]
    assert csv["exists"] == {"user": False, "project": False}
    assert data["errors"] == []


async def test_preview_blob_url_and_shorthand(jp_fetch, fake_github):
    seed(fake_github)
    blob = f"{fake_github.url}/acme/data-skills/blob/main/skills/plot-style/SKILL.md"
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": blob})
    assert status == 200 and data["source"]["kind"] == "skill"
    assert [c["name"] for c in data["skills"]] == ["plot-style"]
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": "acme/data-skills/skills/csv-helper"})
    assert status == 200 and [c["path"] for c in data["skills"]] == ["skills/csv-helper"]


async def test_preview_reports_unparseable_skill_in_errors(jp_fetch, fake_github):
    fake_github.add_repo("acme", "mixed", {"a/SKILL.md": skill_md("a"), "b/SKILL.md": "---\nname: [b\n---\n"})
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": f"{fake_github.url}/acme/mixed"})
    assert status == 200
    assert [c["name"] for c in data["skills"]] == ["a"]
    assert data["errors"] and data["errors"][0]["path"] == "b"


@pytest.mark.parametrize(
    "url, status, fragment",
    [
        ("not a url at all", 400, "github"),
        ("https://gitlab.com/acme/data-skills", 400, "not allowed"),
        ("http://localhost/acme/data-skills", 400, "https"),
        ("https://user@github.com/acme/data-skills", 400, ""),
    ],
)
async def test_preview_rejects_bad_urls(jp_fetch, fake_github, url, status, fragment):
    got, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": url})
    assert got == status, data
    assert fragment.lower() in data["message"].lower()
    assert fake_github.requests == []


async def test_preview_unknown_repo_is_404(jp_fetch, fake_github):
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": f"{fake_github.url}/acme/nothing"})
    assert status == 404, data


async def test_rate_limit_is_502_with_reset_time(jp_fetch, fake_github):
    seed(fake_github)
    fake_github.rate_limit("head", reset_at=1_900_000_000)
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": f"{fake_github.url}/acme/data-skills/tree/main/skills/csv-helper"})
    assert status == 502
    assert "rate limit" in data["message"].lower()
    assert "2030-03-17" in data["message"]


# ---- import -------------------------------------------------------------------


async def test_import_with_tracking_stamps_source_and_sha(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    status, data = await import_skill(jp_fetch, fake_github)
    assert status == 201, data
    skill = data["skill"]
    assert skill["tracks_upstream"] is True and SHA_RE.match(skill["tracking_ref"])
    assert skill["source"] == f"{fake_github.url}/acme/data-skills/tree/main/skills/csv-helper"
    assert skill["locally_modified"] is False
    text = (skills_dirs["user"] / "csv-helper" / "SKILL.md").read_text()
    assert "license: MIT\n" in text
    assert f"tracking_ref: {skill['tracking_ref']}\n" in text
    assert (skills_dirs["user"] / "csv-helper" / "scripts" / "read.py").read_text() == "import pandas\n"
    tarballs = fake_github.requests_to("tarball")
    assert tarballs and all(SHA_RE.match(r.path.rsplit("/", 1)[-1]) for r in tarballs)


async def test_import_without_tracking_has_source_only(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    status, data = await import_skill(jp_fetch, fake_github, tracks=False)
    assert status == 201
    assert data["skill"]["tracks_upstream"] is False and data["skill"]["tracking_ref"] is None
    text = (skills_dirs["user"] / "csv-helper" / "SKILL.md").read_text()
    assert "tracks_upstream" not in text and "source: " in text


async def test_import_name_override_and_conflict(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    status, data = await import_skill(jp_fetch, fake_github, name="my-csv")
    assert status == 201 and data["skill"]["frontmatter"]["name"] == "my-csv"
    status, data = await import_skill(jp_fetch, fake_github, name="my-csv")
    assert status == 409
    folder = skills_dirs["user"] / "my-csv"
    pristine = tree_digest(folder)
    (folder / "notes.md").write_text("local scribbles\n")
    (folder / "scripts" / "read.py").write_text("edited\n")
    status, data = await import_skill(jp_fetch, fake_github, name="my-csv", overwrite=True)
    assert status == 200 and data["skill"]["locally_modified"] is False
    assert tree_digest(folder) == pristine  # overwrite really replaced the bundle


async def test_import_repo_with_several_skills_needs_a_choice(jp_fetch, fake_github):
    seed(fake_github)
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": f"{fake_github.url}/acme/data-skills", "scope": "user"})
    assert status == 400 and "2 skills" in data["message"]
    status, data = await call(
        jp_fetch,
        "POST",
        "skills/import",
        {"url": f"{fake_github.url}/acme/data-skills", "scope": "project", "paths": ["skills/csv-helper", "skills/nope"]},
    )
    assert status == 201
    assert [s["name"] for s in data["skills"]] == ["csv-helper"]
    assert data["errors"][0]["path"] == "skills/nope"


async def test_import_path_without_skill_md_is_400(jp_fetch, fake_github):
    fake_github.add_repo("acme", "docs", {"guide/README.md": "# nothing\n"})
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": f"{fake_github.url}/acme/docs/tree/main/guide", "scope": "user"})
    assert status == 400 and "SKILL.md" in data["message"]


# ---- sync ---------------------------------------------------------------------


async def test_unchanged_sync_downloads_nothing_and_writes_nothing(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    _, data = await import_skill(jp_fetch, fake_github)
    folder = skills_dirs["user"] / "csv-helper"
    before, mtime = tree_digest(folder), (folder / "SKILL.md").stat().st_mtime_ns
    fake_github.commit("acme", "data-skills", {"README.md": "# changed elsewhere\n"})
    fake_github.clear_log()
    status, result = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert status == 200
    assert result == {"updated": False, "ref": data["skill"]["tracking_ref"]}
    assert fake_github.requests_to("tarball") == [] and fake_github.requests_to("codeload") == []
    assert tree_digest(folder) == before and (folder / "SKILL.md").stat().st_mtime_ns == mtime


async def test_sync_applies_upstream_change_by_sha(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    new_sha = fake_github.commit(
        "acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "Reads CSV files, fast."), "skills/csv-helper/scripts/read.py": None}
    )
    fake_github.clear_log()
    status, result = await call(jp_fetch, "POST", "skills/user/csv-helper/sync", {})
    assert status == 200 and result == {"updated": True, "ref": new_sha}
    assert [r.path.rsplit("/", 1)[-1] for r in fake_github.requests_to("tarball")] == [new_sha]
    folder = skills_dirs["user"] / "csv-helper"
    assert not (folder / "scripts").exists()
    status, data = await call(jp_fetch, "GET", "skills/user/csv-helper")
    assert data["skill"]["description"] == "Reads CSV files, fast."
    assert data["skill"]["tracking_ref"] == new_sha and data["skill"]["locally_modified"] is False


async def test_sync_local_edit_needs_force(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    folder = skills_dirs["user"] / "csv-helper"
    (folder / "notes.md").write_text("mine\n")
    status, data = await call(jp_fetch, "GET", "skills/user/csv-helper")
    assert data["skill"]["locally_modified"] is True
    fake_github.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "v2")})
    before = tree_digest(folder)
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert status == 409 and data["reason"] == "locally_modified"
    # plain words, not API wording ("Sync with force")
    assert data["message"] == (
        "'csv-helper' has local changes and upstream changed too; the local changes were kept "
        "and the update was not applied.")
    assert tree_digest(folder) == before
    status, result = await call(jp_fetch, "POST", "skills/user/csv-helper/sync", {"force": True})
    assert status == 200 and result["updated"] is True
    assert not (folder / "notes.md").exists()


async def test_sync_errors(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github, tracks=False)
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert status == 400 and "track" in data["message"].lower()
    status, _ = await call(jp_fetch, "POST", "skills/user/ghost/sync")
    assert status == 404
    status, _ = await call(jp_fetch, "POST", "skills/user/csv-helper/sync", {"force": "maybe"})
    assert status == 400


@pytest.mark.parametrize("fault", ["probe-500", "archive-500", "codeload-500", "truncated", "rate-limit", "foreign-redirect"])
async def test_failed_sync_never_touches_the_bundle(jp_fetch, fake_github, skills_dirs, fault):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    fake_github.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "v2")})
    folder = skills_dirs["user"] / "csv-helper"
    before = tree_digest(folder)
    {
        "probe-500": lambda: fake_github.fail("head", 500),
        "archive-500": lambda: fake_github.fail("tarball", 503),
        "codeload-500": lambda: fake_github.fail("codeload", 500),
        "truncated": lambda: setattr(fake_github, "truncate_archives", True),
        "rate-limit": lambda: fake_github.rate_limit("tarball", reset_at=1_900_000_000, retry_after=60),
        "foreign-redirect": lambda: setattr(fake_github, "redirect_foreign", True),
    }[fault]()
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert status == 502, data  # every one of these is GitHub's doing
    assert {
        "probe-500": "GitHub error 500",
        "archive-500": "GitHub error 503",
        "codeload-500": "GitHub error 500",
        "truncated": "corrupt or truncated",
        "rate-limit": "rate limit exceeded",
        "foreign-redirect": "a host that is not allowed",
    }[fault] in data["message"], data
    assert tree_digest(folder) == before
    leftovers = list((skills_dirs["user"] / ".notebook-skills").glob("staging/*"))
    assert leftovers == []
    if fault == "foreign-redirect":
        assert not [r for r in fake_github.requests if r.host.startswith("127.0.0.1")]


@pytest.mark.parametrize("removal", ["path", "branch"])
async def test_upstream_removal_is_410_and_keeps_the_skill(jp_fetch, fake_github, skills_dirs, removal):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    folder = skills_dirs["user"] / "csv-helper"
    before = tree_digest(folder)
    if removal == "path":
        fake_github.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": None, "skills/csv-helper/scripts/read.py": None})
    else:  # the repository still answers, the branch the skill follows is gone
        with fake_github._lock:
            del fake_github._repo("acme", "data-skills").branches["main"]
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert status == 410 and "kept" in data["message"]
    assert tree_digest(folder) == before
    status, data = await call(jp_fetch, "GET", "skills/user/csv-helper")
    assert data["skill"]["orphaned"] is True


async def test_missing_or_private_repo_without_token_is_404_and_marks_nothing(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    folder = skills_dirs["user"] / "csv-helper"
    before = tree_digest(folder)
    fake_github.delete_repo("acme", "data-skills")  # what a private repository looks like without a token
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert status == 404, data
    # quoted word for word in README (step 4), docs/skills.md and docs/admin.md
    assert data["message"] == "The head of acme/data-skills@main was not found, or it is private: configure a token (GITHUB_TOKEN)"
    status, data = await call(jp_fetch, "POST", "skills/sync-all-tracking")
    assert data["results"] == [{"scope": "user", "name": "csv-helper", "error": (
        "The head of acme/data-skills@main was not found, or it is private: configure a token (GITHUB_TOKEN)")}]
    assert tree_digest(folder) == before
    status, data = await call(jp_fetch, "GET", "skills/user/csv-helper")
    assert data["skill"]["orphaned"] is False


async def test_concurrent_syncs_of_one_skill_do_not_interleave(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    new_sha = fake_github.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "v2")})
    fake_github.latency = 0.05
    fake_github.clear_log()
    results = await asyncio.gather(*(call(jp_fetch, "POST", "skills/user/csv-helper/sync") for _ in range(3)))
    assert all(status == 200 for status, _ in results)
    assert sorted(r["updated"] for _, r in results) == [False, False, True]
    assert {r["ref"] for _, r in results} == {new_sha}
    assert len(fake_github.requests_to("tarball")) == 1
    assert "v2" in (skills_dirs["user"] / "csv-helper" / "SKILL.md").read_text()


async def test_sync_all_isolates_failures_and_downloads_each_archive_once(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    fake_github.add_repo("acme", "broken", {"s/SKILL.md": skill_md("broken-one")})
    await import_skill(jp_fetch, fake_github, path="skills/csv-helper")
    await import_skill(jp_fetch, fake_github, path="skills/plot-style")
    await call(jp_fetch, "POST", "skills/import", {"url": f"{fake_github.url}/acme/broken/tree/main/s", "scope": "project", "tracks_upstream": True})
    await import_skill(jp_fetch, fake_github, path="skills/csv-helper", tracks=False, name="untracked")
    new_sha = fake_github.commit(
        "acme",
        "data-skills",
        {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "v2"), "skills/plot-style/SKILL.md": skill_md("plot-style", "v2")},
    )
    fake_github.delete_repo("acme", "broken")
    fake_github.clear_log()
    status, data = await call(jp_fetch, "POST", "skills/sync-all-tracking")
    assert status == 200
    by_name = {r["name"]: r for r in data["results"]}
    assert set(by_name) == {"csv-helper", "plot-style", "broken-one"}
    assert by_name["csv-helper"] == {"scope": "user", "name": "csv-helper", "updated": True, "ref": new_sha}
    assert by_name["plot-style"]["updated"] is True
    assert "error" in by_name["broken-one"] and by_name["broken-one"]["scope"] == "project"
    assert len(fake_github.requests_to("tarball")) == 1


async def test_sync_all_names_the_409_reason_of_a_locally_modified_skill(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    folder = skills_dirs["user"] / "csv-helper"
    (folder / "notes.md").write_text("mine\n")
    fake_github.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "v2")})
    before = tree_digest(folder)
    status, data = await call(jp_fetch, "POST", "skills/sync-all-tracking")
    assert status == 200
    [result] = data["results"]
    assert result["reason"] == "locally_modified" and "local changes" in result["error"]
    assert "force" not in result["error"] and "were kept" in result["error"]
    assert tree_digest(folder) == before


async def test_tracking_toggle(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    _, data = await import_skill(jp_fetch, fake_github, tracks=False)
    status, data = await call(jp_fetch, "PUT", "skills/user/csv-helper", {"tracks_upstream": True})
    assert status == 200 and data["skill"]["tracks_upstream"] is True
    assert SHA_RE.match(data["skill"]["tracking_ref"])
    fake_github.clear_log()
    status, result = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert result["updated"] is False and fake_github.requests_to("tarball") == []
    status, data = await call(jp_fetch, "PUT", "skills/user/csv-helper", {"tracks_upstream": None, "description": "Mine now."})
    assert data["skill"]["tracks_upstream"] is True
    status, data = await call(jp_fetch, "PUT", "skills/user/csv-helper", {"tracks_upstream": False})
    assert status == 200 and data["skill"]["tracks_upstream"] is False and data["skill"]["tracking_ref"] is None
    text = (skills_dirs["user"] / "csv-helper" / "SKILL.md").read_text()
    assert "tracks_upstream" not in text and "tracking_ref" not in text and "source:" in text


async def test_token_never_leaks(jp_fetch, fake_github, skills_dirs, monkeypatch, caplog):
    secret = "ghp_" + "S3cr3t" * 6
    monkeypatch.setenv("GH_ENTERPRISE_TOKEN", secret)  # the fake is a GitHub Enterprise host
    seed(fake_github)
    fake_github.require_token = secret
    status, data = await import_skill(jp_fetch, fake_github)
    assert status == 201
    auth = {r.headers.get("authorization") for r in fake_github.requests_to("head") + fake_github.requests_to("trees")}
    assert auth == {f"Bearer {secret}"}
    assert all("authorization" not in r.headers for r in fake_github.requests_to("codeload"))
    fake_github.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "v2")})
    fake_github.fail("codeload", 500)
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert status == 502 and secret not in data["message"]
    assert secret not in caplog.text
    for path in skills_dirs["user"].rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes()
