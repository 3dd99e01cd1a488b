"""The short-lived source cache: archives by (host, repo, SHA), previewed pins, bounds."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from notebook_skills.errors import Conflict
from notebook_skills.github import GitHubClient
from notebook_skills.sources.cache import CACHE_DIR, SourceCache

from .helpers import skill_md


@pytest.fixture
def client(fake_github, jp_asyncio_loop):
    c = GitHubClient(github_url=fake_github.url, github_api_url=fake_github.api_url, timeout=10)
    yield c
    jp_asyncio_loop.run_until_complete(c.aclose())


def make(client, tmp_path, **kw):
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    return SourceCache(client, lambda create: tmp, **{"max_bytes": 10 << 20, **kw}), tmp / CACHE_DIR


async def test_one_download_per_commit_shared_by_concurrent_callers(client, fake_github, tmp_path):
    sha = fake_github.add_repo("acme", "r", {"s/SKILL.md": skill_md("s")})
    cache, folder = make(client, tmp_path)
    paths = await asyncio.gather(*(cache.archive("acme", "r", sha) for _ in range(4)))
    assert len(set(paths)) == 1 and paths[0].parent == folder
    again = await cache.archive("ACME", "R", sha)  # owner/repo case does not matter
    assert again == paths[0]
    assert len(fake_github.requests_to("tarball")) == 1 and cache.downloads == 1
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]


async def test_expired_archives_are_fetched_again_and_pruned(client, fake_github, tmp_path):
    a = fake_github.add_repo("acme", "a", {"s/SKILL.md": skill_md("s")})
    b = fake_github.add_repo("acme", "b", {"s/SKILL.md": skill_md("s")})
    cache, folder = make(client, tmp_path, max_age=60)
    first = await cache.archive("acme", "a", a)
    old = time.time() - 120
    os.utime(first, (old, old))
    second = await cache.archive("acme", "b", b)  # its prune drops the expired one
    assert not first.exists() and second.exists()
    assert (await cache.archive("acme", "a", a)).exists()
    assert len(fake_github.requests_to("tarball")) == 3


async def test_size_cap_drops_the_oldest(client, fake_github, tmp_path):
    shas = [fake_github.add_repo("acme", f"r{i}", {"s/SKILL.md": skill_md("s"), "blob": os.urandom(4000)})
            for i in range(3)]
    cache, folder = make(client, tmp_path, max_bytes=9000)
    paths = []
    for i, sha in enumerate(shas):
        paths.append(await cache.archive("acme", f"r{i}", sha))
        t = time.time() - 10 + i
        os.utime(paths[-1], (t, t))
    cache.prune()
    assert [p.exists() for p in paths] == [False, True, True]


async def test_pins_are_fresh_for_max_age_only(client, tmp_path):
    cache, folder = make(client, tmp_path, max_age=60)
    sha = "a" * 40
    assert cache.pinned("o", "r", "main") is None
    cache.pin("o", "r", "main", sha, '"etag"')
    assert cache.pinned("O", "R", "main") == (sha, '"etag"')
    assert cache.pinned("o", "r", "dev") is None
    (pin,) = folder.glob("*.pin")
    old = time.time() - 120
    os.utime(pin, (old, old))
    assert cache.pinned("o", "r", "main") is None
    pin.write_text("not json")
    os.utime(pin, None)
    assert cache.pinned("o", "r", "main") is None


async def test_a_linked_cache_dir_is_never_used(client, fake_github, tmp_path):
    sha = fake_github.add_repo("acme", "r", {"s/SKILL.md": skill_md("s")})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache, folder = make(client, tmp_path)
    os.symlink(elsewhere, folder)
    cache.pin("o", "r", "main", "a" * 40)
    assert cache.pinned("o", "r", "main") is None
    with pytest.raises(Conflict):
        await cache.archive("acme", "r", sha)
    assert list(elsewhere.iterdir()) == []
    assert fake_github.requests == []


async def test_default_branches_are_kept_like_pins(client, tmp_path):
    cache, folder = make(client, tmp_path, max_age=60)
    assert cache.branch("o", "r") is None
    cache.remember_branch("o", "r", "trunk")
    cache.pin("o", "r", "main", "a" * 40)
    assert cache.branch("O", "R") == "trunk" and cache.branch("o", "other") is None
    assert cache.pinned("o", "r", "main") == ("a" * 40, None)  # separate entries
    (entry,) = folder.glob("*.branch")
    old = time.time() - 120
    os.utime(entry, (old, old))
    assert cache.branch("o", "r") is None
    cache.prune()
    assert not entry.exists()


async def test_no_usable_bookkeeping_means_no_cache(client, fake_github, tmp_path):
    sha = fake_github.add_repo("acme", "r", {"s/SKILL.md": skill_md("s")})
    cache = SourceCache(client, lambda create: None, max_bytes=10 << 20)
    cache.pin("o", "r", "main", "a" * 40)
    cache.remember_branch("o", "r", "main")
    assert cache.pinned("o", "r", "main") is None and cache.branch("o", "r") is None
    assert await cache.cached("acme", "r", sha) is None
    with pytest.raises(Conflict):
        await cache.archive("acme", "r", sha)
    assert fake_github.requests == []
