"""One deadline per operation (issue 6 part 6): an import, a preview, or one repository
group of a sync/check batch gets OPERATION_DEADLINE_FACTOR x request_timeout for all of
its GitHub requests together.  Each request below answers within its own limit; only
their sum is too slow (the import: many trickled answers; the batch: a trickled archive,
within its own 10 x request_timeout but past its group's deadline).  The answer is the usual 502 "Timed out", nothing changes on disk.
"""

from __future__ import annotations

import json
import time

import pytest

from notebook_skills.errors import UpstreamError
from notebook_skills.github.client import OPERATION_DEADLINE_FACTOR

from .helpers import skill_md, tree_digest
from .test_sync_engine import make_manager, seed_repo, track

# The import: request_timeout 1 s, so the operation's deadline is 10 s.  A head answer is
# 40 bytes: trickled a byte every 3 ms it takes >= 0.12 s, far under request_timeout even
# on a loaded machine; 120 plugins ask for one head each, one after another: > 14 s.
TIMEOUT = 1.0
HEAD_BYTE = 0.003
PLUGINS = 120
# The batch: request_timeout 0.5 s, a group's deadline 5 s.
GROUP_TIMEOUT = 0.5


def seed_marketplace(fake, count: int) -> list[str]:
    """acme/market lists ``count`` git-subdir plugins of acme/many; returns candidate ids."""
    fake.add_repo("acme", "many", {f"p{i}/skills/s{i}/SKILL.md": skill_md(f"s{i}", f"Skill {i}.") for i in range(count)})
    plugins = [{"name": f"p{i}", "source": {"source": "git-subdir", "url": f"{fake.url}/acme/many.git",
                                            "path": f"p{i}", "ref": "main"}} for i in range(count)]
    doc = {"name": "many", "owner": {"name": "Acme"}, "plugins": plugins}
    fake.add_repo("acme", "market", {".claude-plugin/marketplace.json": json.dumps(doc)})
    return [f"p{i}:p{i}/skills/s{i}" for i in range(count)]


def assert_nothing_left(root) -> None:
    names = [p.name for p in root.iterdir()] if root.exists() else []
    assert [n for n in names if n != ".notebook-skills"] == [], names
    for area in ("staging", "tmp", "journal"):
        folder = root / ".notebook-skills" / area
        assert not folder.is_dir() or list(folder.iterdir()) == [], area


async def test_an_import_of_many_slow_answers_hits_its_deadline(fake_github, tmp_path):
    ids = seed_marketplace(fake_github, PLUGINS)
    m = make_manager(fake_github, tmp_path, timeout=TIMEOUT)
    try:
        fake_github.trickle("head", HEAD_BYTE)
        started = time.monotonic()
        with pytest.raises(UpstreamError) as info:
            await m.import_paths(f"{fake_github.url}/acme/market", "user", ids)
        took = time.monotonic() - started
    finally:
        await m.aclose()
    # the operation's deadline, not one request's: every head answered in time until then
    assert str(info.value).startswith("Timed out fetching the head of acme/many@main from "), info.value
    deadline = TIMEOUT * OPERATION_DEADLINE_FACTOR
    assert str(info.value).endswith(f"this import took longer than its deadline of {deadline:g} s "
                                    f"({OPERATION_DEADLINE_FACTOR} x request_timeout)"), info.value
    heads = fake_github.requests_to("head")
    assert len(heads) > 10, "many requests, each under request_timeout, made the import too slow"
    assert deadline - 0.1 <= took < deadline + 3
    assert_nothing_left(tmp_path / "user")


async def test_each_repository_group_of_a_batch_has_its_own_deadline(fake_github, tmp_path):
    m = make_manager(fake_github, tmp_path, timeout=GROUP_TIMEOUT, concurrency=1)
    deadline = GROUP_TIMEOUT * OPERATION_DEADLINE_FACTOR
    try:
        seed_repo(fake_github, "r1", ["a"])
        seed_repo(fake_github, "r2", ["b"])
        await track(m, fake_github, "r1", "skills/a")
        await track(m, fake_github, "r2", "skills/b")
        fake_github.commit("acme", "r1", {"skills/a/SKILL.md": skill_md("a", "v2")})
        before = tree_digest(tmp_path / "user" / "a")
        fake_github.clear_log()
        # r1's group: head, tree, then an archive that would take far longer; the archive's
        # own limit (10 x request_timeout from its start) comes after the group's deadline
        # (10 x request_timeout from the group's start)
        fake_github.trickle("codeload", 0.1)
        started = time.monotonic()
        results = {r["name"]: r for r in await m.sync_all_tracking()}
        took = time.monotonic() - started
    finally:
        await m.aclose()
    assert results["a"]["error"].startswith("Timed out fetching the archive of acme/r1@"), results["a"]
    assert results["a"]["error"].endswith(f"this sync of acme/r1@main took longer than its deadline of {deadline:g} s "
                                          f"({OPERATION_DEADLINE_FACTOR} x request_timeout)")
    assert tree_digest(tmp_path / "user" / "a") == before
    # r2's group started after r1's deadline had passed (one group at a time) and still
    # had its own: asked, unchanged, no error
    assert results["b"] == {"scope": "user", "name": "b", "updated": False, "ref": results["b"]["ref"]}
    order = [(r.endpoint, r.path.split("/")[3 if r.endpoint == "codeload" else 5]) for r in fake_github.requests]
    assert order == [("head", "r1"), ("trees", "r1"), ("tarball", "r1"), ("codeload", "r1"), ("head", "r2")], order
    assert deadline <= took < deadline + 3
    staging = tmp_path / "user" / ".notebook-skills" / "staging"
    assert not staging.is_dir() or list(staging.iterdir()) == []
