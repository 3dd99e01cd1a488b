"""SkillManager used directly (no HTTP): the domain core's guarantees."""

from __future__ import annotations

import asyncio
import os

import pytest

from notebook_skills.errors import Conflict, Forbidden, Gone, Invalid, UpstreamError
from notebook_skills.github import GitHubClient
from notebook_skills.skills.locks import hold_sync
from notebook_skills.skills.manager import SkillManager
from notebook_skills.skills.store import ScopeStore
from notebook_skills.skills.upstream import ArchiveFetcher

from .helpers import skill_md, tree_digest


@pytest.fixture
def manager(fake_github, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    github = GitHubClient(github_url=fake_github.url, github_api_url=fake_github.api_url, timeout=10)
    return SkillManager(user_dir=tmp_path / "user", project_dir=tmp_path / "project", github=github)


def seed(fake):
    return fake.add_repo(
        "acme",
        "data-skills",
        {
            "skills/a/SKILL.md": skill_md("a", "Skill A."),
            "skills/b/SKILL.md": skill_md("b", "Skill B."),
        },
    )


async def test_import_sync_cycle(manager, fake_github, tmp_path):
    seed(fake_github)
    detail, created = await manager.import_from_github(f"{fake_github.url}/acme/data-skills/tree/main/skills/a", "user", tracks_upstream=True)
    assert created and detail.tracks_upstream
    result = await manager.sync_tracking_skill("user", "a")
    assert result.updated is False
    sha = fake_github.commit("acme", "data-skills", {"skills/a/extra.md": "more\n"})
    result = await manager.sync_tracking_skill("user", "a")
    assert result.updated is True and result.ref == sha
    assert (tmp_path / "user" / "a" / "extra.md").read_text() == "more\n"
    await manager.aclose()


async def test_archive_fetcher_downloads_once_under_concurrency(manager, fake_github, tmp_path):
    sha = seed(fake_github)
    fake_github.latency = 0.05
    fetcher = ArchiveFetcher(manager.github, manager.stores["user"])
    paths = await asyncio.gather(*(fetcher.get("acme", "data-skills", sha) for _ in range(5)))
    assert len(set(paths)) == 1 and paths[0].stat().st_size > 0
    assert len(fake_github.requests_to("tarball")) == 1
    fetcher.close()
    assert not paths[0].exists()
    await manager.aclose()


async def test_failed_extraction_keeps_old_bundle(manager, fake_github, tmp_path):
    seed(fake_github)
    await manager.import_from_github(f"{fake_github.url}/acme/data-skills/tree/main/skills/a", "user", tracks_upstream=True)
    sha = fake_github.commit("acme", "data-skills", {"skills/a/SKILL.md": skill_md("a", "v2")})
    fake_github.set_archive("acme", "data-skills", sha, b"this is not a gzip file")
    before = tree_digest(tmp_path / "user" / "a")
    with pytest.raises(UpstreamError):
        await manager.sync_tracking_skill("user", "a")
    assert tree_digest(tmp_path / "user" / "a") == before
    await manager.aclose()


async def test_policy_and_guards(manager, fake_github, tmp_path):
    seed(fake_github)
    await manager.create_skill("user", "local", "A local skill.")
    with pytest.raises(Invalid):
        await manager.sync_tracking_skill("user", "local")
    with pytest.raises(Invalid):
        await manager.update_skill("user", "local", tracks_upstream=True)
    with pytest.raises(Conflict):
        await manager.create_skill("user", "local", "Again.")
    manager.allow_github_import = False
    with pytest.raises(Forbidden):
        await manager.preview_import("acme/data-skills")
    assert fake_github.requests == []
    await manager.aclose()


async def test_orphaned_then_restored(manager, fake_github, tmp_path):
    seed(fake_github)
    await manager.import_from_github(f"{fake_github.url}/acme/data-skills/tree/main/skills/b", "project", tracks_upstream=True)
    fake_github.commit("acme", "data-skills", {"skills/b/SKILL.md": None})
    with pytest.raises(Gone):
        await manager.sync_tracking_skill("project", "b")
    assert (await manager.get_skill("project", "b")).orphaned is True
    fake_github.commit("acme", "data-skills", {"skills/b/SKILL.md": skill_md("b", "Back again.")})
    result = await manager.sync_tracking_skill("project", "b")
    assert result.updated is True
    detail = await manager.get_skill("project", "b")
    assert detail.orphaned is False and detail.description == "Back again."
    await manager.aclose()


async def test_a_1200_level_deep_skill_lists_and_deletes(manager, tmp_path):
    await manager.create_skill("user", "deep", "Very deep.")
    path = str(tmp_path / "user" / "deep")
    for _ in range(1200):  # os.makedirs itself would recurse
        path = os.path.join(path, "d")
        os.mkdir(path)
    with open(os.path.join(path, "leaf.txt"), "w") as fh:
        fh.write("bottom")
    [skill] = await manager.list_skills()
    assert skill.name == "deep" and skill.locally_modified is False
    detail = await manager.get_skill("user", "deep")
    assert detail.files[0] == "SKILL.md" and detail.files[1].endswith("/d/leaf.txt")
    await manager.delete_skill("user", "deep")
    assert not (tmp_path / "user" / "deep").exists()
    assert await manager.list_skills() == []
    await manager.aclose()


async def test_a_skill_locked_by_another_process_waits_then_answers_busy(manager, tmp_path):
    await manager.create_skill("user", "s", "Locked elsewhere.")
    store = manager.stores["user"]
    other = ScopeStore("user", store.root)  # another process: its own lock file handle
    manager.locks.wait = 0.3
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.ensure_future(ticker())
    try:
        with hold_sync(other, "s"):
            with pytest.raises(Conflict) as err:
                await manager.delete_skill("user", "s")
            assert err.value.reason == "busy"
        assert ticks >= 10  # the event loop kept running while the lock was awaited
    finally:
        task.cancel()
    assert (tmp_path / "user" / "s" / "SKILL.md").is_file()
    await manager.delete_skill("user", "s")  # free again
    await manager.aclose()


async def test_a_broken_scope_s_bookkeeping_falls_back_to_the_other(manager, fake_github, tmp_path):
    """Previews, the source cache and a batch's archives use the first scope whose
    bookkeeping works (user, then project); with none, each fails as it always did."""
    sha = seed(fake_github)
    user, project = manager.stores["user"], manager.stores["project"]
    user.root.mkdir(parents=True)
    user.bookkeeping.write_text("in the way")  # the user scope's bookkeeping cannot be used
    assert manager.usable_store() is project
    assert manager.sourcing.work_store() is project and manager.sourcing.work_store("user") is user
    assert manager.sourcing._cache_parent(True) == project.bookkeeping
    fetcher = ArchiveFetcher(manager.github, user, project)
    path = await fetcher.get("acme", "data-skills", sha)
    assert project.bookkeeping in path.parents and path.stat().st_size > 0
    fetcher.close()
    assert user.bookkeeping.read_text() == "in the way"

    project.root.mkdir(parents=True, exist_ok=True)
    for name in os.listdir(project.bookkeeping):  # now the project scope's is in the way too
        os.rename(project.bookkeeping / name, tmp_path / f"moved-{name}")
    project.bookkeeping.rmdir()
    project.bookkeeping.write_text("in the way too")
    assert manager.usable_store() is None
    assert manager.sourcing.work_store() is user  # the user scope's error is the one reported
    assert manager.sourcing._cache_parent(True) is None and manager.sourcing._cache_parent(False) is None
    fetcher = ArchiveFetcher(manager.github, user, project)
    with pytest.raises(Conflict, match="in the way|is a file") as err:
        await fetcher.get("acme", "data-skills", sha)
    assert str(project.bookkeeping) in err.value.message  # the last scope's error, as before
    fetcher.close()
    await manager.aclose()  # closing never fails on a bookkeeping path that became a file
    assert user.bookkeeping.read_text() == "in the way" and project.bookkeeping.read_text() == "in the way too"
