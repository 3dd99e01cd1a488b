"""Hostile archives, a loop that never stalls, and concurrent operations on one skill.

Everything goes through the real routes, the real GitHub client and TLS.
"""

from __future__ import annotations

import asyncio
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from notebook_skills.github import archive
from notebook_skills.skills import applier, upstream

from .archives import skill_entries, snapshot, special_files, tarball
from .helpers import call, skill_md, tree_digest

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

OWNER, REPO, PATH = "acme", "evil", "skills/evil"
MD_V1 = skill_md("evil", "Looks harmless.")
MD_V2 = skill_md("evil", "Looks harmless, v2.")


@pytest.fixture
def skills_config():
    # small caps so the oversize cases stay small; every genuine archive here is a few KB
    return {"max_skill_mb": 1, "max_archive_mb": 2}


# ---- the hostile archives ------------------------------------------------------------


@dataclass
class Evil:
    id: str
    extra: Callable[[str, Path], list]  # (top folder, tmp_path) -> extra members
    import_status: int
    sync_status: int
    says: dict = field(default_factory=dict)  # op -> fragment of the message (lower case)
    files: tuple = ("SKILL.md",)  # bundle after a successful import/sync
    keep_skill_md: bool = True
    raw: Callable[[bytes], bytes] | None = None  # post-process the finished archive


def _rel_up(tmp_path: Path, name: str) -> str:
    return "../" * 16 + str(tmp_path / name).lstrip("/")


@pytest.fixture(autouse=True)
def _small_member_cap(monkeypatch):
    """The member cap is the same code at 200 as at 10,000, and creating 10,000
    files under a busy CI would take longer than a request may."""
    monkeypatch.setattr(archive, "MAX_MEMBERS", 200)


def _members(n: int, top: str) -> list:
    # inside the skill folder: the member cap counts only what would be installed
    return [(f"{top}/{PATH}/filler/f{i}", "file", b"") for i in range(n)]


EVIL = [
    Evil(
        "dotdot",
        lambda top, tmp: [
            (f"{top}/{PATH}/{_rel_up(tmp, 'pwned-dotdot')}", "file", b"pwned"),
            (f"{top}/{PATH}/../../../pwned-up", "file", b"pwned"),
            (f"../{top}/{PATH}/lead.md", "file", b"pwned"),
            (f"{top}/{PATH}/ok.md", "file", b"fine"),
        ],
        201, 200, files=("SKILL.md", "ok.md"),
    ),
    Evil(
        "absolute",
        lambda top, tmp: [
            (str(tmp / "pwned-abs"), "file", b"pwned"),
            (f"/{top}/{PATH}/abs.md", "file", b"pwned"),
        ],
        201, 200,
    ),
    Evil(
        "symlinks",
        lambda top, tmp: [
            (f"{top}/{PATH}/link", "symlink", str(tmp / "outside")),
            (f"{top}/{PATH}/link/pwned.txt", "file", b"lands in a real folder inside the bundle"),
            (f"{top}/{PATH}/passwd", "symlink", "/etc/passwd"),
            (f"{top}/{PATH}/up", "symlink", "../../../.."),
            (f"{top}/{PATH}/up/pwned-through-link", "file", b"pwned"),
        ],
        201, 200, files=("SKILL.md", "link/pwned.txt", "up/pwned-through-link"),
    ),
    Evil(
        "symlink-skill-md",
        lambda top, tmp: [
            (f"{top}/README.md", "file", MD_V2.encode()),
            (f"{top}/{PATH}/SKILL.md", "symlink", "../../README.md"),
        ],
        400, 400, keep_skill_md=False, says={"import": "no skill.md", "sync": "link or special file"},
    ),
    Evil(
        "hardlinks",
        lambda top, tmp: [
            (f"{top}/{PATH}/hl-passwd", "hardlink", "/etc/passwd"),
            (f"{top}/{PATH}/hl-skill", "hardlink", f"{top}/{PATH}/SKILL.md"),
            (f"{top}/{PATH}/hl-out", "hardlink", str(tmp / "outside" / "x")),
        ],
        201, 200,
    ),
    Evil(
        "devices-and-fifos",
        lambda top, tmp: [
            (f"{top}/{PATH}/null", "chr", (1, 3)),
            (f"{top}/{PATH}/disk", "blk", (8, 0)),
            (f"{top}/{PATH}/pipe", "fifo", None),
        ],
        201, 200,
    ),
    Evil(
        # 1.5 MB of zeros: a tiny archive, but over max_skill_mb=1 once unpacked
        "oversize-skill",
        lambda top, tmp: [(f"{top}/{PATH}/big.bin", "file", bytes(1536 * 1024))],
        400, 400, says={"import": "max_skill_mb", "sync": "max_skill_mb"},
    ),
    Evil(
        # 3 MB of zeros: a gzip bomb past even the extraction cap of an import
        "gzip-bomb",
        lambda top, tmp: [(f"{top}/{PATH}/bomb.bin", "file", bytes(3 * 1024 * 1024))],
        400, 400, says={"import": "max_archive_mb", "sync": "max_skill_mb"},
    ),
    Evil(
        # 40 MB of zeros OUTSIDE the skill folder: a 40 KB download that no per-skill cap
        # sees; the decompressed-bytes cap (8 x max_archive_mb = 16 MB) stops it
        "gzip-bomb-elsewhere",
        lambda top, tmp: [(f"{top}/other/zeros.bin", "file", bytes(40 * 1024 * 1024))],
        400, 400, says={"import": "decompressed size cap", "sync": "decompressed size cap"},
    ),
    Evil(
        # incompressible: the download itself is over max_archive_mb=2
        "oversize-archive",
        lambda top, tmp: [(f"{top}/other/noise.bin", "file", os.urandom(int(2.5 * 1024 * 1024)))],
        400, 400, says={"import": "max_archive_mb", "sync": "max_archive_mb"},
    ),
    Evil(
        "too-many-members",  # the cap is lowered to 200 for these tests (see _small_member_cap)
        lambda top, tmp: _members(201, top),
        400, 400, says={"import": "member cap", "sync": "member cap"},
    ),
    Evil("not-gzip", lambda top, tmp: [], 502, 502, raw=lambda data: b"PK\x03\x04 this is a zip, not a tarball" * 8,
         says={"import": "corrupt", "sync": "corrupt"}),
    Evil("plain-tar", lambda top, tmp: [], 502, 502, raw=lambda data: __import__("gzip").decompress(data),
         says={"import": "corrupt", "sync": "corrupt"}),
    Evil("truncated", lambda top, tmp: [], 502, 502, raw=lambda data: data[: len(data) // 2],
         says={"import": "corrupt", "sync": "corrupt"}),
    Evil("empty", lambda top, tmp: [], 502, 502, raw=lambda data: b"", says={"import": "corrupt", "sync": "corrupt"}),
]


def build(case: Evil, sha: str, md: str, tmp_path: Path) -> bytes:
    top = f"{OWNER}-{REPO}-{sha[:7]}"
    entries = skill_entries(top, PATH, md)
    if not case.keep_skill_md:
        entries = [e for e in entries if not e[0].endswith("/SKILL.md")]
    entries += case.extra(top, tmp_path)
    data = tarball(entries, sha=sha)
    return case.raw(data) if case.raw else data


def prepare(tmp_path: Path, skills_dirs: dict) -> set:
    (tmp_path / "outside").mkdir(exist_ok=True)
    for d in skills_dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    return snapshot(tmp_path, skills_dirs.values())


def assert_contained(tmp_path: Path, skills_dirs: dict, before: set) -> None:
    # nothing appeared (or vanished) anywhere outside the two skills dirs...
    assert snapshot(tmp_path, skills_dirs.values()) == before
    assert list((tmp_path / "outside").iterdir()) == []
    for d in skills_dirs.values():
        # ...no link, device or fifo inside them...
        assert special_files(d) == []
        # ...and no staging, download or backup leftovers
        book = d / ".notebook-skills"
        for area in ("staging", "tmp", "backup", "trash"):
            assert list((book / area).glob("*")) == [] if (book / area).is_dir() else True, area
    assert not any(p.name.startswith("pwned") for p in tmp_path.rglob("*") if p.parent == tmp_path)


def installed_files(folder: Path) -> tuple:
    return tuple(sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()))


def import_url(fake) -> str:
    return f"{fake.url}/{OWNER}/{REPO}/tree/main/{PATH}"


@pytest.mark.parametrize("case", EVIL, ids=lambda c: c.id)
async def test_hostile_archive_on_import(case, jp_fetch, fake_github, skills_dirs, tmp_path):
    sha = fake_github.add_repo(OWNER, REPO, {"README.md": "# evil\n", f"{PATH}/SKILL.md": MD_V1})
    fake_github.set_archive(OWNER, REPO, sha, build(case, sha, MD_V1, tmp_path))
    before = prepare(tmp_path, skills_dirs)
    body = {"url": import_url(fake_github), "scope": "user", "tracks_upstream": True}
    status, data = await call(jp_fetch, "POST", "skills/import", body)
    assert status == case.import_status, data
    folder = skills_dirs["user"] / "evil"
    if status >= 400:
        assert case.says["import"] in data["message"].lower(), data
        assert not folder.exists()
    else:
        assert installed_files(folder) == case.files
        assert data["skill"]["tracking_ref"] == sha and data["skill"]["locally_modified"] is False
    assert_contained(tmp_path, skills_dirs, before)


@pytest.mark.parametrize("case", EVIL, ids=lambda c: c.id)
async def test_hostile_archive_on_sync(case, jp_fetch, fake_github, skills_dirs, tmp_path):
    fake_github.add_repo(OWNER, REPO, {"README.md": "# evil\n", f"{PATH}/SKILL.md": MD_V1})
    status, _ = await call(jp_fetch, "POST", "skills/import", {"url": import_url(fake_github), "scope": "user", "tracks_upstream": True})
    assert status == 201
    new_sha = fake_github.commit(OWNER, REPO, {f"{PATH}/SKILL.md": MD_V2})
    fake_github.set_archive(OWNER, REPO, new_sha, build(case, new_sha, MD_V2, tmp_path))
    folder = skills_dirs["user"] / "evil"
    digest = tree_digest(folder)
    before = prepare(tmp_path, skills_dirs)
    status, data = await call(jp_fetch, "POST", "skills/user/evil/sync")
    assert status == case.sync_status, data
    if status >= 400:
        assert case.says["sync"] in data["message"].lower(), data
        assert tree_digest(folder) == digest  # never-delete: byte-identical
    else:
        assert data == {"updated": True, "ref": new_sha}
        assert installed_files(folder) == case.files
        assert "Looks harmless, v2." in (folder / "SKILL.md").read_text()
    assert_contained(tmp_path, skills_dirs, before)
    status, data = await call(jp_fetch, "GET", "skills/user/evil")
    assert status == 200  # the skill is still there and readable


# ---- the event loop never stalls ---------------------------------------------------


def seed(fake):
    return fake.add_repo(
        "acme",
        "data-skills",
        {
            "skills/csv-helper/SKILL.md": skill_md("csv-helper", "Reads CSV files."),
            "skills/csv-helper/scripts/read.py": "import csv\n",
        },
    )


CSV_URL = "acme/data-skills/skills/csv-helper"


async def _wait_for(predicate, what: str) -> None:
    for _ in range(2000):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_slow_github_does_not_block_other_requests(jp_fetch, fake_github):
    seed(fake_github)
    fake_github.latency = 1.0
    task = asyncio.ensure_future(call(jp_fetch, "POST", "skills/import", {"url": CSV_URL, "scope": "user"}))
    await _wait_for(lambda: len(fake_github.requests) > 0, "the import to reach GitHub")
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200 and data["skills"] == []
    assert not task.done(), "GET skills waited for the import"
    status, data = await task
    assert status == 201, data


@pytest.mark.parametrize("op", ["import", "sync"])
async def test_extraction_runs_off_the_event_loop(op, jp_fetch, fake_github, monkeypatch):
    """While an extraction is held inside its worker, the server keeps answering.

    If extraction ran on the loop, the GET below could not be served until the
    gate opened, i.e. after the operation finished: ordering, not timing.
    """
    seed(fake_github)
    if op == "sync":
        status, _ = await call(jp_fetch, "POST", "skills/import", {"url": CSV_URL, "scope": "user", "tracks_upstream": True})
        assert status == 201
        fake_github.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "v2")})
    entered, gate = threading.Event(), threading.Event()

    def holding(real):
        def held(*args, **kwargs):
            entered.set()
            gate.wait(30)
            return real(*args, **kwargs)

        return held

    monkeypatch.setattr(upstream, "extract_subtree", holding(upstream.extract_subtree))
    # the sync engine's one-pass extraction
    monkeypatch.setattr(applier, "extract_subtrees", holding(applier.extract_subtrees))
    if op == "import":
        request = call(jp_fetch, "POST", "skills/import", {"url": CSV_URL, "scope": "user"})
    else:
        request = call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    task = asyncio.ensure_future(request)
    try:
        await _wait_for(entered.is_set, "the extraction to start")
        status, _ = await call(jp_fetch, "GET", "skills")
        assert status == 200
        assert not task.done()
    finally:
        gate.set()
    status, data = await task
    assert status in (200, 201), data


# ---- different operations on one skill at once ------------------------------------


V1_FILES = ("SKILL.md", "scripts/read.py")
V2_FILES = ("SKILL.md", "scripts/write.py")


async def _tracked_with_pending_update(jp_fetch, fake):
    seed(fake)
    status, _ = await call(jp_fetch, "POST", "skills/import", {"url": CSV_URL, "scope": "user", "tracks_upstream": True})
    assert status == 201
    return fake.commit(
        "acme",
        "data-skills",
        {
            "skills/csv-helper/SKILL.md": skill_md("csv-helper", "Reads CSV files, v2."),
            "skills/csv-helper/scripts/read.py": None,
            "skills/csv-helper/scripts/write.py": "import csv  # v2\n",
        },
    )


def assert_whole_bundle(folder: Path) -> str:
    """One complete version, never a mix; returns which."""
    files = installed_files(folder)
    text = (folder / "SKILL.md").read_text()
    if "v2." in text:
        assert files == V2_FILES, files
        return "v2"
    assert files == V1_FILES, files
    return "v1"


def assert_no_bookkeeping_leftovers(root: Path) -> None:
    for area in ("staging", "tmp", "backup", "trash"):
        folder = root / ".notebook-skills" / area
        assert not folder.is_dir() or list(folder.iterdir()) == [], area


async def _race(jp_fetch, fake, first, second, sync_first: bool):
    """Start both; with sync_first the sync is already inside GitHub when the other
    begins (network I/O never holds the skill's lock, so the other may finish
    first); otherwise both start together and the server decides the order.
    Either way the outcome must be one whole state."""
    fake.latency = 0.2
    fake.clear_log()
    if sync_first:
        t1 = asyncio.ensure_future(first())
        await _wait_for(lambda: len(fake.requests) > 0, "the sync to reach GitHub")
        t2 = asyncio.ensure_future(second())
        return await t1, await t2
    t2 = asyncio.ensure_future(second())
    t1 = asyncio.ensure_future(first())
    return await t1, await t2


async def _sync_racing(jp_fetch, fake, other, sync_first: bool, new_sha: str):
    """Race a sync of csv-helper against ``other``; True when the sync went first."""
    (status, data), other_result = await _race(
        jp_fetch, fake, lambda: call(jp_fetch, "POST", "skills/user/csv-helper/sync"), other, sync_first
    )
    if status == 200:
        assert data == {"updated": True, "ref": new_sha}
        return True, other_result
    # The other operation swapped first: 'csv-helper' vanished meanwhile, a 404 (never a 500).
    assert status == 404, data
    return False, other_result


@pytest.mark.parametrize("sync_first", [True, False], ids=["sync-first", "together"])
async def test_sync_and_delete_race(sync_first, jp_fetch, fake_github, skills_dirs):
    new_sha = await _tracked_with_pending_update(jp_fetch, fake_github)
    delete = lambda: call(jp_fetch, "DELETE", "skills/user/csv-helper")  # noqa: E731
    _, (del_status, _) = await _sync_racing(jp_fetch, fake_github, delete, sync_first, new_sha)
    assert del_status == 204
    assert [p.name for p in skills_dirs["user"].iterdir()] == [".notebook-skills"]
    assert_no_bookkeeping_leftovers(skills_dirs["user"])
    status, data = await call(jp_fetch, "GET", "skills")
    assert data["skills"] == []


@pytest.mark.parametrize("sync_first", [True, False], ids=["sync-first", "together"])
async def test_sync_and_rename_race(sync_first, jp_fetch, fake_github, skills_dirs):
    new_sha = await _tracked_with_pending_update(jp_fetch, fake_github)
    rename = lambda: call(jp_fetch, "POST", "skills/user/csv-helper/rename", {"new_name": "csv-tools"})  # noqa: E731
    synced, (ren_status, ren_data) = await _sync_racing(jp_fetch, fake_github, rename, sync_first, new_sha)
    assert ren_status == 200, ren_data
    user = skills_dirs["user"]
    assert not (user / "csv-helper").exists()
    assert assert_whole_bundle(user / "csv-tools") == ("v2" if synced else "v1")
    assert_no_bookkeeping_leftovers(user)
    status, data = await call(jp_fetch, "GET", "skills/user/csv-tools")
    assert status == 200
    assert data["skill"]["locally_modified"] is False and data["skill"]["problems"] == []


async def test_sync_all_and_delete_race(jp_fetch, fake_github, skills_dirs):
    await _tracked_with_pending_update(jp_fetch, fake_github)
    (all_status, all_data), (del_status, _) = await _race(
        jp_fetch,
        fake_github,
        lambda: call(jp_fetch, "POST", "skills/sync-all-tracking"),
        lambda: call(jp_fetch, "DELETE", "skills/user/csv-helper"),
        True,
    )
    assert all_status == 200 and del_status == 204
    assert len(all_data["results"]) == 1
    assert not (skills_dirs["user"] / "csv-helper").exists()
    assert_no_bookkeeping_leftovers(skills_dirs["user"])
