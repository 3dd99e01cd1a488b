"""Every write of the store is all or nothing on a hostile disk (issues 6 and 7).

Real failures, no mocks: an immutable folder or file (`chattr +i`) and a tiny
tmpfs filled to a chosen number of free pages, so a write fails at each step in
turn — including between the swap (or the SKILL.md write) and the record commit.
A failure answers "nothing was changed", and that must be true: SKILL.md, the
record, the folder name, the journal and the bundle's files are what they were.
"""

from __future__ import annotations

import errno
import json
import os

import pytest

from notebook_skills.skills import txn
from notebook_skills.skills.record import InstallRecord
from notebook_skills.skills.store import ScopeStore

from .disk_fixtures import ROOT, fill, mount_tmpfs, unmount
from .helpers import call, skill_md, tree_digest
from .test_api_github import import_skill, seed

pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

BIG_BODY = "A long skill.\n" * 800  # SKILL.md of ~11 KiB: three pages to prepare


def state(user, name: str) -> dict:
    """What a failed write must leave alone."""
    book = user / ".notebook-skills"
    record = book / "records" / f"{name}.json"
    return {
        "bundle": tree_digest(user / name),
        "record": record.read_bytes() if record.exists() else None,
        "skills": sorted(p.name for p in user.iterdir() if not p.name.startswith(".")),
        "records": sorted(os.listdir(book / "records")),
    }


def no_leftovers(user) -> None:
    book = user / ".notebook-skills"
    for area in ("journal", "tmp", "staging", "trash"):
        folder = book / area
        assert not folder.exists() or [p for p in folder.rglob("*") if not p.is_dir()] == [], area


# ---- the tracking toggle, description, body, file delete ------------------------------------


async def test_an_immutable_folder_refuses_every_edit_and_nothing_changes(jp_fetch, fake_github, skills_dirs, immutable):
    seed(fake_github)
    status, data = await import_skill(jp_fetch, fake_github)
    assert status == 201, data
    ref, user = data["skill"]["tracking_ref"], skills_dirs["user"]
    folder = user / "csv-helper"
    before = state(user, "csv-helper")
    immutable(folder)
    immutable(folder / "scripts")
    for body in ({"tracks_upstream": False}, {"description": "New words."}, {"body": "New body."},
                 {"description": "Both.", "tracks_upstream": False}):
        status, data = await call(jp_fetch, "PUT", "skills/user/csv-helper", body)
        assert status == 409, (body, data)
        assert "Permission denied" in data["message"] and "nothing was changed" in data["message"], data
        assert state(user, "csv-helper") == before, body
    status, data = await call(jp_fetch, "DELETE", "skills/user/csv-helper/files", params={"path": "scripts/read.py"})
    assert status == 409 and "Permission denied" in data["message"], data
    assert state(user, "csv-helper") == before
    no_leftovers(user)
    _, data = await call(jp_fetch, "GET", "skills/user/csv-helper")
    assert data["skill"]["tracks_upstream"] is True and data["skill"]["tracking_ref"] == ref
    assert data["skill"]["description"] == "Reads CSV files."


async def import_big(jp_fetch, fake):
    fake.add_repo("acme", "big", {"skills/big/SKILL.md": skill_md("big", "Big.", body=BIG_BODY)})
    url = f"{fake.url}/acme/big/tree/main/skills/big"
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "tracks_upstream": True})
    assert status == 201, data


@pytest.mark.parametrize("free_pages", range(7))
async def test_disk_full_at_each_step_of_the_tracking_toggle(jp_fetch, fake_github, tiny_user_disk, free_pages):
    """0-2 pages: the new SKILL.md cannot be prepared; 3: no room for the journal;
    4: SKILL.md is written, the record commit fails and SKILL.md is put back; then it fits."""
    await import_big(jp_fetch, fake_github)
    user = tiny_user_disk
    before = state(user, "big")
    fill(user, free_pages)
    status, data = await call(jp_fetch, "PUT", "skills/user/big", {"tracks_upstream": False})
    record = json.loads((user / ".notebook-skills" / "records" / "big.json").read_text())
    text = (user / "big" / "SKILL.md").read_text()
    if status == 507:
        assert data["message"].startswith("Disk full while writing skill 'big'; nothing was changed"), data
        assert state(user, "big") == before
        assert record["tracking"] is True and "tracks_upstream: true\n" in text
    else:
        assert status == 200 and free_pages >= 5, data  # it fits: both changed together
        assert record["tracking"] is False and "tracks_upstream" not in text and "tracking_ref" not in text
    no_leftovers(user)


# ---- rename ----------------------------------------------------------------------------


async def test_rename_onto_an_immutable_skill_md_is_undone(jp_fetch, fake_github, skills_dirs, immutable):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    user = skills_dirs["user"]
    before = state(user, "csv-helper")
    immutable(user / "csv-helper" / "SKILL.md")
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/rename", {"new_name": "csv-tools"})
    assert status == 409 and "nothing was changed" in data["message"], data
    assert state(user, "csv-helper") == before  # old name, old record, no temp file in the bundle
    assert not (user / "csv-tools").exists()
    no_leftovers(user)
    status, data = await call(jp_fetch, "GET", "skills/user/csv-helper")
    assert status == 200 and data["skill"]["locally_modified"] is False


@pytest.mark.parametrize("free_pages", range(7))
async def test_disk_full_at_each_step_of_a_rename(jp_fetch, fake_github, tiny_user_disk, free_pages):
    """0-2 pages: no room to prepare SKILL.md; 3: no journal; 4: the folder moved and
    SKILL.md is in place, the record cannot be written: both are moved back."""
    await import_big(jp_fetch, fake_github)
    user = tiny_user_disk
    before = state(user, "big")
    fill(user, free_pages)
    status, data = await call(jp_fetch, "POST", "skills/user/big/rename", {"new_name": "bigger"})
    if status == 507:
        assert "nothing was changed" in data["message"], data
        assert state(user, "big") == before and not (user / "bigger").exists()
    else:
        assert status == 200 and free_pages >= 5, data
        assert not (user / "big").exists() and "name: bigger\n" in (user / "bigger" / "SKILL.md").read_text()
        assert sorted(os.listdir(user / ".notebook-skills" / "records")) == ["bigger.json"]
    no_leftovers(user)


# ---- file paths the filesystem cannot hold ---------------------------------------------------


async def test_a_refused_file_path_creates_no_folder(jp_fetch, skills_dirs):
    status, data = await call(jp_fetch, "POST", "skills", {"scope": "user", "name": "notes", "description": "N."})
    assert status == 201, data
    folder = skills_dirs["user"] / "notes"
    for rel in ("d/" + "b" * 256, "d/e/" + "c" * 300 + ".md", "f" * 256 + "/x.md"):
        status, data = await call(jp_fetch, "PUT", "skills/user/notes/files", {"content": "x"}, params={"path": rel})
        assert status == 400 and "too long" in data["message"], (rel, data)
        assert sorted(os.listdir(folder)) == ["SKILL.md"], rel
    status, data = await call(jp_fetch, "PUT", "skills/user/notes/files", {"content": "x"}, params={"path": "a/" * 600 + "b"})
    assert status == 400 and data["message"].startswith("The file path is too long"), data
    assert sorted(os.listdir(folder)) == ["SKILL.md"]


async def test_disk_full_on_a_nested_file_removes_the_folders_it_made(jp_fetch, tiny_user_disk):
    status, data = await call(jp_fetch, "POST", "skills", {"scope": "user", "name": "notes", "description": "N."})
    assert status == 201, data
    before = tree_digest(tiny_user_disk / "notes")
    fill(tiny_user_disk)
    status, data = await call(jp_fetch, "PUT", "skills/user/notes/files", {"content": "x" * 20000},
                              params={"path": "deep/er/big.md"})
    assert status == 507, data
    assert tree_digest(tiny_user_disk / "notes") == before  # no deep/ left behind
    no_leftovers(tiny_user_disk)


# ---- between the swap and the record commit (store level) -------------------------------------


def stage(store, name: str, version: str):
    staged = store.new_staging(name)
    (staged / "SKILL.md").write_text(skill_md(name, f"Version {version}."))
    (staged / f"{version}.txt").write_text(version)
    return staged


def put(store, name: str, version: str, expect, staged=None) -> None:
    staged = staged or stage(store, name, version)
    try:
        txn.install(store, name, staged, InstallRecord(commit=version * 40), expect)
    finally:
        store.discard(staged)


def check_untouched(store, before) -> None:
    folder = store.skill_dir("s")
    assert tree_digest(folder) == before["bundle"] and "Version b." in (folder / "SKILL.md").read_text()
    assert (store.bookkeeping / "records" / "s.json").read_bytes() == before["record"]
    assert store.records.read("s").commit == "b" * 40  # and it still describes this folder
    assert tree_digest(store.bookkeeping / "generations") == before["generations"]
    for area in ("journal", "backup", "staging"):
        assert os.listdir(store.bookkeeping / area) == [], area


def prepared(store) -> dict:
    put(store, "s", "a", txn.NEW)
    put(store, "s", "b", txn.ANY)  # every area exists and there is a generation
    return {"bundle": tree_digest(store.skill_dir("s")),
            "record": (store.bookkeeping / "records" / "s.json").read_bytes(),
            "generations": tree_digest(store.bookkeeping / "generations"),
            "ctime": os.stat(store.skill_dir("s")).st_ctime_ns}


def test_a_refused_record_commit_puts_the_old_bundle_back(tmp_path, swap_mode, immutable):
    store = ScopeStore("user", tmp_path / "skills")
    before = prepared(store)
    immutable(store.bookkeeping / "records")
    with pytest.raises(PermissionError):
        put(store, "s", "c", txn.ANY)
    check_untouched(store, before)
    # the bundle did move (its ctime changed): the failure came after the swap, which was undone
    assert os.stat(store.skill_dir("s")).st_ctime_ns != before["ctime"]


@pytest.fixture
def tiny_store(tmp_path):
    if not ROOT:
        pytest.skip("mounting a tmpfs needs root")
    root = tmp_path / "skills"
    mount_tmpfs(root)
    yield ScopeStore("user", root)
    unmount(root)


def test_disk_full_between_the_swap_and_the_record_commit(tiny_store, swap_mode):
    """One free page: the journal takes it, the swap needs none, the record commit
    finds none — the old bundle and record are put back."""
    before = prepared(tiny_store)
    staged = stage(tiny_store, "s", "c")
    fill(tiny_store.root, 1)
    with pytest.raises(OSError) as err:
        put(tiny_store, "s", "c", txn.ANY, staged)
    assert err.value.errno == errno.ENOSPC
    check_untouched(tiny_store, before)
    assert os.stat(tiny_store.skill_dir("s")).st_ctime_ns != before["ctime"]  # it got as far as the swap
