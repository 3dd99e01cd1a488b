"""The per-repository sync engine and bounded GitHub transport (issue 6 parts 5-6).

Everything runs against the fake GitHub over TLS; request counts come from the
fake's own log, state from the files and records on disk.
"""

from __future__ import annotations

import json
import time

import pytest

from notebook_skills.errors import Conflict, UpstreamError
from notebook_skills.github import GitHubClient, TokenProvider
from notebook_skills.skills.hashing import content_sha256
from notebook_skills.skills.manager import SkillManager
from notebook_skills.skills.fsutil import atomic_write

from .helpers import skill_md, tree_digest


def load_record(store, name):
    return store.records.read(name)


def make_manager(fake, tmp_path, *, timeout=10, concurrency=3, token=None):
    github = GitHubClient(
        github_url=fake.url,
        github_api_url=fake.api_url,
        timeout=timeout,
        token_provider=TokenProvider({"GITHUB_TOKEN": token} if token else {}, gh_command=()),
    )
    return SkillManager(user_dir=tmp_path / "user", project_dir=tmp_path / "project", github=github,
                        sync_concurrency=concurrency)


@pytest.fixture
def manager(fake_github, tmp_path, jp_asyncio_loop):
    m = make_manager(fake_github, tmp_path)
    yield m
    jp_asyncio_loop.run_until_complete(m.aclose())


def url(fake, repo, path, ref="main"):
    return f"{fake.url}/acme/{repo}/tree/{ref}/{path}"


async def track(m, fake, repo, path, scope="user", ref="main"):
    detail, _ = await m.import_from_github(url(fake, repo, path, ref), scope, tracks_upstream=True)
    return detail


def seed_repo(fake, repo, names, extra=None):
    files = {f"skills/{n}/SKILL.md": skill_md(n, f"Skill {n}.") for n in names}
    files.update({f"skills/{n}/ref.md": f"# {n}\n" for n in names})
    files.update(extra or {})
    return fake.add_repo("acme", repo, files)


# ---- import records the extracted commit ---------------------------------


async def test_push_during_the_download_is_not_recorded(manager, fake_github, tmp_path):
    sha0 = seed_repo(fake_github, "r", ["a"])
    pushed = []
    fake_github.on_request("tarball", lambda: pushed.append(
        fake_github.commit("acme", "r", {"skills/a/SKILL.md": skill_md("a", "Pushed meanwhile.")})))
    detail = await track(manager, fake_github, "r", "skills/a")
    assert pushed, "the hook must have pushed while the archive was requested"
    assert detail.tracking_ref == sha0 and detail.description == "Skill a."
    record = load_record(manager.stores["user"], "a")
    assert record.commit == sha0
    assert record.tree == fake_github.tree_sha("acme", "r", "skills/a", sha0)
    # the push is an update that the next sync applies
    result = await manager.sync_tracking_skill("user", "a")
    assert result.updated is True and result.ref == pushed[0]
    assert "Pushed meanwhile." in (tmp_path / "user" / "a" / "SKILL.md").read_text()


async def test_default_branch_with_a_slash_round_trips(manager, fake_github, tmp_path):
    fake_github.add_repo("acme", "rel", {"skills/a/SKILL.md": skill_md("a", "v1")}, default_branch="release/v1")
    detail, _ = await manager.import_from_github("acme/rel/skills/a", "user", tracks_upstream=True)
    assert detail.source.endswith("/acme/rel/tree/release/v1/skills/a")
    assert load_record(manager.stores["user"], "a").origin.ref == "release/v1"
    fake_github.clear_log()
    result = await manager.sync_tracking_skill("user", "a")
    assert result.updated is False
    assert (await manager.get_skill("user", "a")).orphaned is False
    assert [r.path for r in fake_github.requests_to("head")] == ["/api/v3/repos/acme/rel/commits/release%2Fv1"]
    sha = fake_github.commit("acme", "rel", {"skills/a/SKILL.md": skill_md("a", "v2")}, branch="release/v1")
    result = await manager.sync_tracking_skill("user", "a")
    assert result.updated is True and result.ref == sha
    assert (await manager.get_skill("user", "a")).description == "v2"


# ---- change detection -------------------------------------------------------


async def test_commit_elsewhere_and_revert_are_not_updates(manager, fake_github, tmp_path):
    seed_repo(fake_github, "r", ["a", "b"])
    await track(manager, fake_github, "r", "skills/a")
    before = tree_digest(tmp_path / "user" / "a")
    fake_github.commit("acme", "r", {"skills/b/SKILL.md": skill_md("b", "b changed")})
    fake_github.clear_log()
    assert (await manager.sync_tracking_skill("user", "a")).updated is False
    assert fake_github.counts() == {"head": 1, "trees": 1}  # no archive for a commit elsewhere
    original = fake_github.read("acme", "r", "skills/a/SKILL.md")
    fake_github.commit("acme", "r", {"skills/a/SKILL.md": skill_md("a", "changed")})
    fake_github.commit("acme", "r", {"skills/a/SKILL.md": original})  # reverted
    fake_github.clear_log()
    result = await manager.sync_tracking_skill("user", "a")
    assert result.updated is False
    assert fake_github.requests_to("tarball") == []
    assert tree_digest(tmp_path / "user" / "a") == before


async def test_sync_all_request_counts(fake_github, tmp_path):
    m = make_manager(fake_github, tmp_path)
    repos = {f"r{i}": [f"s{i}-{j}" for j in range(3)] for i in range(3)}
    for repo, names in repos.items():
        seed_repo(fake_github, repo, names)
        await m.import_paths(f"{fake_github.url}/acme/{repo}", "user", [f"skills/{n}" for n in names],
                             tracks_upstream=True)
    fake_github.clear_log()
    results = await m.sync_all_tracking()
    assert all(r["updated"] is False for r in results) and len(results) == 9
    assert fake_github.counts() == {"head": 3}  # one conditional head request per repository
    assert all(r.headers.get("if-none-match") for r in fake_github.requests_to("head"))
    for repo, names in repos.items():
        fake_github.commit("acme", repo, {f"skills/{n}/SKILL.md": skill_md(n, "v2") for n in names})
    fake_github.clear_log()
    seen = []
    results = await m.sync_all_tracking(progress=lambda o: seen.append((o.name, o.updated)))
    assert all(r["updated"] is True for r in results)
    assert sorted(seen) == sorted((n, True) for names in repos.values() for n in names)
    # per repository: head + trees + tarball (302) + codeload, shared by its 3 skills
    assert fake_github.counts() == {"head": 3, "trees": 3, "tarball": 3, "codeload": 3}
    assert (tmp_path / "user" / "s1-2" / "SKILL.md").read_text().count("v2") == 1
    await m.aclose()


async def test_truncated_tree_falls_back_to_the_folder_probe(manager, fake_github, tmp_path):
    seed_repo(fake_github, "r", ["a", "b"])
    await track(manager, fake_github, "r", "skills/a")
    fake_github.truncate_trees = True
    fake_github.commit("acme", "r", {"skills/b/SKILL.md": skill_md("b", "b changed")})
    fake_github.clear_log()
    assert (await manager.sync_tracking_skill("user", "a")).updated is False
    assert fake_github.requests_to("tarball") == []
    sha = fake_github.commit("acme", "r", {"skills/a/SKILL.md": skill_md("a", "a changed")})
    result = await manager.sync_tracking_skill("user", "a")
    assert result.updated is True and result.ref == sha
    assert (await manager.get_skill("user", "a")).description == "a changed"


async def test_check_and_check_all_probe_only(manager, fake_github, tmp_path):
    seed_repo(fake_github, "r", ["a", "b"])
    await track(manager, fake_github, "r", "skills/a")
    await track(manager, fake_github, "r", "skills/b")
    sha0 = load_record(manager.stores["user"], "a").commit
    sha = fake_github.commit("acme", "r", {"skills/a/SKILL.md": skill_md("a", "new")})
    fake_github.clear_log()
    results = {r["name"]: r for r in await manager.check_all()}
    assert results["a"] == {"scope": "user", "name": "a", "update_available": True, "ref": sha}
    assert results["b"]["update_available"] is False
    assert fake_github.counts() == {"head": 1, "trees": 1}
    assert load_record(manager.stores["user"], "a").last_check.update_available is True
    assert (await manager.get_skill("user", "a")).description == "Skill a."  # nothing downloaded
    fake_github.clear_log()
    answer = await manager.check_skill("user", "a")
    assert answer == {"update_available": True, "ref": sha, "current_ref": sha0}
    assert fake_github.counts() == {"head": 1}  # 304: the last check's folder trees still hold


# ---- rate limits and deadlines --------------------------------------------


@pytest.mark.parametrize(
    "retry_after", [None, 600], ids=["403-remaining-0", "429-retry-after"]  # GitHub's two answers
)
async def test_rate_limit_mid_batch_trips_the_breaker(fake_github, tmp_path, retry_after):
    m = make_manager(fake_github, tmp_path, concurrency=1)
    for repo in ("r1", "r2", "r3"):
        seed_repo(fake_github, repo, [f"{repo}-a", f"{repo}-b"])
        await m.import_paths(f"{fake_github.url}/acme/{repo}", "user", [f"skills/{repo}-a", f"skills/{repo}-b"],
                             tracks_upstream=True)
        fake_github.commit("acme", repo, {f"skills/{repo}-a/SKILL.md": skill_md(f"{repo}-a", "v2"),
                                          f"skills/{repo}-b/SKILL.md": skill_md(f"{repo}-b", "v2")})
    before = {n: tree_digest(tmp_path / "user" / n) for n in ("r2-a", "r2-b", "r3-a", "r3-b")}
    fake_github.clear_log()
    # r1 costs exactly 4 requests
    fake_github.rate_limit_after(4, reset_at=1_900_000_000, retry_after=retry_after)
    started = time.time()
    results = {r["name"]: r for r in await m.sync_all_tracking()}
    assert results["r1-a"]["updated"] is True and results["r1-b"]["updated"] is True
    if retry_after is None:  # 403 with X-RateLimit-Remaining: 0 and the reset epoch
        resets = ["2030-03-17T"]
    else:  # 429 with Retry-After: reset = now + 600 s (either second the batch ran in)
        resets = {time.strftime("%Y-%m-%dT%H:%M", time.gmtime(t + retry_after)) for t in (started, time.time())}
    for name in before:
        error = results[name]["error"]
        assert error.startswith("GitHub API rate limit exceeded; resets at "), error
        assert any(reset in error for reset in resets), (error, resets)
        assert tree_digest(tmp_path / "user" / name) == before[name]
    # r1: head, trees, tarball, codeload; r2: its head (limited); r3: nothing at all
    assert [r.endpoint for r in fake_github.requests] == ["head", "trees", "tarball", "codeload", "head"]
    await m.aclose()


async def test_trickling_upstream_fails_within_the_deadline(fake_github, tmp_path):
    m = make_manager(fake_github, tmp_path, timeout=1)
    seed_repo(fake_github, "r", ["a"])
    await track(m, fake_github, "r", "skills/a")
    fake_github.commit("acme", "r", {"skills/a/SKILL.md": skill_md("a", "v2")})
    before = tree_digest(tmp_path / "user" / "a")
    fake_github.trickle("head", 0.5)  # 40 bytes at 2 bytes/s: 20 s if nothing stops it
    started = time.monotonic()
    with pytest.raises(UpstreamError, match="Timed out"):
        await m.sync_tracking_skill("user", "a")
    assert time.monotonic() - started < 4
    assert tree_digest(tmp_path / "user" / "a") == before
    assert list((tmp_path / "user" / ".notebook-skills").glob("staging/*")) == []
    await m.aclose()


async def test_oversized_json_answer_is_refused(manager, fake_github):
    seed_repo(fake_github, "r", ["a"], extra={f"docs/f{i}.md": "x" for i in range(300)})
    manager.github.max_json_bytes = 16 * 1024
    with pytest.raises(UpstreamError, match="larger than 16 KB"):
        await manager.import_from_github(url(fake_github, "r", "skills/a"), "user")
    assert not (manager.stores["user"].root / "a").exists()


async def test_three_file_skill_in_a_12000_file_repository(manager, fake_github, tmp_path):
    extra = {f"vendor/pkg{i // 100}/f{i}.txt": f"{i}\n" for i in range(12_000)}
    extra["skills/tiny/helper.py"] = "print('hi')\n"
    seed_repo(fake_github, "mono", ["tiny"], extra=extra)
    detail, _ = await manager.import_from_github(url(fake_github, "mono", "skills/tiny"), "user")
    assert sorted(detail.files) == ["SKILL.md", "helper.py", "ref.md"]


# ---- local edits and adoption --------------------------------------------


async def test_local_edit_is_kept_when_upstream_is_unchanged(manager, fake_github, tmp_path):
    seed_repo(fake_github, "r", ["a", "b"])
    await track(manager, fake_github, "r", "skills/a")
    mine = tmp_path / "user" / "a" / "mine.md"
    mine.write_text("my notes\n")
    fake_github.commit("acme", "r", {"skills/b/SKILL.md": skill_md("b", "elsewhere")})
    result = await manager.sync_tracking_skill("user", "a")
    assert result.updated is False and mine.read_text() == "my notes\n"
    fake_github.commit("acme", "r", {"skills/a/SKILL.md": skill_md("a", "upstream v2")})
    with pytest.raises(Conflict) as err:
        await manager.sync_tracking_skill("user", "a")
    assert err.value.reason == "locally_modified" and mine.exists()
    result = await manager.sync_tracking_skill("user", "a", force=True)
    assert result.updated is True and not mine.exists()
    assert (await manager.get_skill("user", "a")).description == "upstream v2"


def write_unrecorded(fake, root, name, sha, *, repo="r", edit=None):
    """A tracking skill as notebook-intelligence (or a git clone) leaves it: frontmatter, no record."""
    folder = root / name
    (folder).mkdir(parents=True)
    source = f"{fake.url}/acme/{repo}/tree/main/skills/{name}"
    (folder / "SKILL.md").write_text(
        skill_md(name, f"Skill {name}.", extra=f"source: {source}\ntracks_upstream: true\ntracking_ref: {sha}\n"))
    (folder / "ref.md").write_text(edit or f"# {name}\n")
    return folder


async def test_adoption_of_an_unrecorded_tracking_skill(manager, fake_github, tmp_path):
    sha = seed_repo(fake_github, "r", ["a", "b", "c"])
    root = tmp_path / "user"
    write_unrecorded(fake_github, root, "a", sha)
    write_unrecorded(fake_github, root, "b", sha, edit="# my edit\n")
    write_unrecorded(fake_github, root, "c", sha, edit="# my edit\n")
    store = manager.stores["user"]
    assert load_record(store, "a") is None
    # identical to upstream at tracking_ref: adopted, nothing replaced
    before = tree_digest(root / "a")
    result = await manager.sync_tracking_skill("user", "a")
    assert result.updated is False and tree_digest(root / "a") == before
    record = load_record(store, "a")
    assert record.commit == sha and record.tree == fake_github.tree_sha("acme", "r", "skills/a")
    assert record.content_sha256 == content_sha256(root / "a")
    # edited: 409 and kept
    with pytest.raises(Conflict) as err:
        await manager.sync_tracking_skill("user", "b")
    assert err.value.reason == "locally_modified"
    assert str(err.value).endswith("the local files were kept.") and "force" not in str(err.value)
    assert (root / "b" / "ref.md").read_text() == "# my edit\n" and load_record(store, "b") is None
    # force: replaced by upstream and recorded
    result = await manager.sync_tracking_skill("user", "c", force=True)
    assert result.updated is True
    assert (root / "c" / "ref.md").read_text() == "# c\n"
    assert load_record(store, "c").commit == sha
    # adopted skill now follows upstream like any other
    sha2 = fake_github.commit("acme", "r", {"skills/a/ref.md": "# a v2\n"})
    assert (await manager.sync_tracking_skill("user", "a")).ref == sha2
    assert (root / "a" / "ref.md").read_text() == "# a v2\n"


async def test_edit_during_download_is_never_lost(manager, fake_github, tmp_path):
    seed_repo(fake_github, "r", ["a"])
    await track(manager, fake_github, "r", "skills/a")
    fake_github.commit("acme", "r", {"skills/a/SKILL.md": skill_md("a", "v2")})
    mine = tmp_path / "user" / "a" / "ref.md"
    fake_github.on_request("codeload", lambda: mine.write_text("edited while downloading\n"))
    with pytest.raises(Conflict) as err:
        await manager.sync_tracking_skill("user", "a")
    assert err.value.reason == "changed_on_disk"
    assert mine.read_text() == "edited while downloading\n"


async def test_legacy_meta_only_skill_is_adopted_too(manager, fake_github, tmp_path):
    sha = seed_repo(fake_github, "r", ["a"])
    folder = write_unrecorded(fake_github, tmp_path / "user", "a", sha)
    # a first-release meta file (meta/<name>.json), migrated into a record when read
    meta = {"content_sha256": content_sha256(folder), "orphaned": False, "ref": sha}
    atomic_write(manager.stores["user"].area("meta") / "a.json", json.dumps(meta).encode("utf-8"))
    results = await manager.sync_all_tracking()
    assert results == [{"scope": "user", "name": "a", "updated": False, "ref": sha}]
    assert load_record(manager.stores["user"], "a").commit == sha
