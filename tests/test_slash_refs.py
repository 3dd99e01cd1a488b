"""A ref containing '/' (`release/v1`) wherever a URL has to be read back (issue 6).

`tree/release/v1/skills/a` parses as ref `release` + path `v1/skills/a`; only
GitHub can tell.  A legacy meta skill, a skill without a record (notebook-
intelligence, a cloned project) and a preview's candidate `url` are all read
with the ref GitHub knows: synced, never marked *Upstream gone* on a guess.
"""

from __future__ import annotations

import json

import pytest

from notebook_skills.errors import NotFound
from notebook_skills.skills.fsutil import atomic_write
from notebook_skills.skills.hashing import content_sha256

from .helpers import call, skill_md, tree_digest
from .test_sync_engine import load_record, make_manager

pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

BRANCH = "release/v1"


@pytest.fixture
def manager(fake_github, tmp_path, jp_asyncio_loop):
    m = make_manager(fake_github, tmp_path)
    yield m
    jp_asyncio_loop.run_until_complete(m.aclose())


def seed(fake) -> str:
    return fake.add_repo("acme", "rel", {f"skills/{n}/SKILL.md": skill_md(n, f"{n.upper()}.") for n in ("a", "b")},
                         default_branch=BRANCH)


def write_tracking(fake, root, name: str, sha: str, ref: str = BRANCH):
    """A tracking skill as the first release or notebook-intelligence left it: frontmatter only."""
    folder = root / name
    folder.mkdir(parents=True)
    source = f"{fake.url}/acme/rel/tree/{ref}/skills/{name}"
    folder.joinpath("SKILL.md").write_text(
        skill_md(name, f"{name.upper()}.", extra=f"source: {source}\ntracks_upstream: true\ntracking_ref: {sha}\n"))
    return folder


def push(fake, name: str) -> str:
    return fake.commit("acme", "rel", {f"skills/{name}/SKILL.md": skill_md(name, f"{name.upper()} v2.")})


async def test_a_legacy_meta_skill_on_a_slash_branch_syncs(manager, fake_github, tmp_path):
    sha = seed(fake_github)
    store = manager.stores["user"]
    folder = write_tracking(fake_github, tmp_path / "user", "a", sha)
    meta = {"content_sha256": content_sha256(folder), "orphaned": False, "ref": sha}
    atomic_write(store.area("meta") / "a.json", json.dumps(meta).encode("utf-8"))
    new = push(fake_github, "a")

    result = await manager.sync_tracking_skill("user", "a")
    assert result.updated is True and result.ref == new
    assert "A v2." in folder.joinpath("SKILL.md").read_text()
    record = load_record(store, "a")
    assert (record.origin.ref, record.origin.path, record.origin.guessed) == (BRANCH, "skills/a", False)
    assert record.orphaned is False and record.commit == new
    # the `source` written from the record is the same URL
    assert f"/acme/rel/tree/{BRANCH}/skills/a\n" in folder.joinpath("SKILL.md").read_text()


async def test_a_check_confirms_the_ref_of_a_legacy_skill_once(manager, fake_github, tmp_path):
    sha = seed(fake_github)
    store = manager.stores["user"]
    folder = write_tracking(fake_github, tmp_path / "user", "a", sha)
    meta = {"content_sha256": content_sha256(folder), "orphaned": False, "ref": sha}
    atomic_write(store.area("meta") / "a.json", json.dumps(meta).encode("utf-8"))
    answer = await manager.check_skill("user", "a")
    assert (answer["ref"], answer["current_ref"]) == (sha, sha)
    record = load_record(store, "a")
    assert (record.origin.ref, record.origin.path, record.origin.guessed) == (BRANCH, "skills/a", False)
    fake_github.clear_log()
    await manager.check_skill("user", "a")  # confirmed: no guess to read again
    assert [r.path for r in fake_github.requests_to("head")] == ["/api/v3/repos/acme/rel/commits/release%2Fv1"]


async def test_a_skill_without_a_record_on_a_slash_branch_is_adopted_then_synced(manager, fake_github, tmp_path):
    sha = seed(fake_github)
    folder = write_tracking(fake_github, tmp_path / "user", "b", sha)
    store = manager.stores["user"]
    results = await manager.sync_all_tracking()
    assert results == [{"scope": "user", "name": "b", "updated": False, "ref": sha}]  # adopted: identical upstream
    record = load_record(store, "b")
    assert (record.origin.ref, record.origin.path, record.orphaned) == (BRANCH, "skills/b", False)
    new = push(fake_github, "b")
    result = await manager.sync_tracking_skill("user", "b")
    assert result.updated is True and result.ref == new
    assert "B v2." in folder.joinpath("SKILL.md").read_text()


async def test_a_guessed_ref_github_does_not_know_is_not_upstream_gone(manager, fake_github, tmp_path):
    sha = seed(fake_github)
    root = tmp_path / "user"
    write_tracking(fake_github, root, "a", sha, ref="gone/branch")
    store = manager.stores["user"]
    meta = {"content_sha256": content_sha256(root / "a"), "orphaned": False, "ref": sha}
    atomic_write(store.area("meta") / "a.json", json.dumps(meta).encode("utf-8"))
    write_tracking(fake_github, root, "b", sha, ref="gone/branch")  # and one without a record
    before = [tree_digest(root / "a"), tree_digest(root / "b")]
    for name in ("a", "b"):
        with pytest.raises(NotFound, match="There is no 'gone' in acme/rel, nor a longer branch or tag"):
            await manager.sync_tracking_skill("user", name)
        assert (await manager.get_skill("user", name)).orphaned is False
    assert load_record(store, "a").orphaned is False and load_record(store, "a").origin.guessed is True
    assert [tree_digest(root / "a"), tree_digest(root / "b")] == before


async def test_a_candidate_url_on_a_slash_branch_imports_that_skill(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": f"{fake_github.url}/acme/rel"})
    assert status == 200, data
    cand = {c["id"]: c for c in data["skills"]}["skills/a"]
    assert cand["url"] == f"{fake_github.url}/acme/rel/tree/{BRANCH}/skills/a"
    # the candidate's own URL: previewed and imported as exactly that skill, tracking release/v1
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": cand["url"]})
    assert status == 200 and [c["path"] for c in data["skills"]] == ["skills/a"] and data["source"]["ref"] == BRANCH
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": cand["url"], "scope": "user",
                                                                   "tracks_upstream": True})
    assert status == 201, data
    assert data["skill"]["source"] == cand["url"]
    folder = skills_dirs["user"] / "a"
    assert sorted(p.name for p in skills_dirs["user"].iterdir() if not p.name.startswith(".")) == ["a"]
    new = push(fake_github, "a")
    status, data = await call(jp_fetch, "POST", "skills/user/a/sync")
    assert status == 200 and data == {"updated": True, "ref": new}, data
    assert "A v2." in folder.joinpath("SKILL.md").read_text()
    # a blob/ URL of the SKILL.md reads the same way
    status, data = await call(jp_fetch, "POST", "skills/import", {
        "url": f"{fake_github.url}/acme/rel/blob/{BRANCH}/skills/b/SKILL.md", "scope": "project"})
    assert status == 201 and data["skill"]["source"].endswith(f"/tree/{BRANCH}/skills/b"), data
    assert (skills_dirs["project"] / "b" / "SKILL.md").is_file()


async def test_a_marketplace_on_a_slash_branch_is_followed_by_sync(jp_fetch, fake_github, skills_dirs):
    ext = fake_github.add_repo("partner", "ext", {"skills/s/SKILL.md": skill_md("s", "S.")})

    def market(sha: str) -> str:
        return json.dumps({"name": "m", "owner": {"name": "Acme"}, "plugins": [
            {"name": "ext", "source": {"source": "github", "repo": "partner/ext", "sha": sha}}]})

    fake_github.add_repo("acme", "market", {".claude-plugin/marketplace.json": market(ext)}, default_branch=BRANCH)
    url = f"{fake_github.url}/acme/market"
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "paths": ["ext:skills/s"],
                                                                   "tracks_upstream": True})
    assert status == 201 and not data["errors"], data
    assert data["skills"][0]["marketplace"]["url"] == f"{url}/blob/{BRANCH}/.claude-plugin/marketplace.json"
    new = fake_github.commit("partner", "ext", {"skills/s/SKILL.md": skill_md("s", "S v2.")})
    fake_github.commit("acme", "market", {".claude-plugin/marketplace.json": market(new)})  # the curator bumps the pin
    status, data = await call(jp_fetch, "POST", "skills/user/s/sync")
    assert status == 200 and data == {"updated": True, "ref": new}, data
    assert "S v2." in (skills_dirs["user"] / "s" / "SKILL.md").read_text()
