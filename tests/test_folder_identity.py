"""A record belongs to a folder (issue 6 §1, §3): identified without the device, and
re-bound — never dropped — when the folder's identity changed but its content did not
(a remount of an NFS home, a restore from a backup)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from notebook_skills.skills import recovery, txn
from notebook_skills.skills.hashing import content_sha256
from notebook_skills.skills.reader import SkillReader
from notebook_skills.skills.record import InstallRecord, Origin
from notebook_skills.skills.records import folder_id, same_folder
from notebook_skills.skills.store import ScopeStore

from .helpers import skill_md

ORIGIN = Origin(host="github.example", owner="acme", repo="skills", ref="main", path="s")


@pytest.fixture
def store(tmp_path):
    s = ScopeStore("user", tmp_path / "skills")
    yield s
    s.close()


def install(store, version: str) -> None:
    staged = store.new_staging("s")
    (staged / "SKILL.md").write_text(skill_md("s", f"Version {version}."))
    (staged / "data.txt").write_text(version)
    record = InstallRecord(origin=ORIGIN, commit=version * 40, tracking=True)
    txn.stamp_skill_md(store, staged, "s", record)
    record.content_sha256 = content_sha256(staged)
    try:
        txn.install(store, "s", staged, record, txn.ANY)
    finally:
        store.discard(staged)


def restore(folder, edit: str | None = None) -> None:
    """Copy the folder away and back, as a restore from a backup does: a new inode."""
    copy = folder.parent / ".restore"
    shutil.copytree(folder, copy)
    shutil.rmtree(folder)
    if edit is not None:
        (copy / "data.txt").write_text(edit)
    os.rename(copy, folder)


def stored(store) -> dict:
    return json.loads((store.bookkeeping / "records" / "s.json").read_text())


def test_the_folder_id_leaves_the_device_out(store):
    install(store, "a")
    folder = store.skill_dir("s")
    st = os.lstat(folder)
    assert folder_id(folder).split(":")[0] == str(st.st_ino)
    assert stored(store)["folder_id"] == folder_id(folder)
    # ids written by earlier releases led with the device: the same folder still
    assert same_folder(f"{st.st_dev}:{folder_id(folder)}", folder_id(folder))
    assert same_folder(f"{st.st_dev + 1}:{folder_id(folder)}", folder_id(folder))
    assert not same_folder(f"{st.st_dev}:{st.st_ino + 1}", folder_id(folder))


def test_a_record_written_with_the_device_is_still_read(store):
    install(store, "a")
    folder = store.skill_dir("s")
    old_style = dict(stored(store), folder_id=f"{os.lstat(folder).st_dev}:{folder_id(folder)}")
    (store.bookkeeping / "records" / "s.json").write_text(json.dumps(old_style))
    assert store.records.read("s").commit == "a" * 40
    assert recovery.recover(store) == []
    assert stored(store)["commit"] == "a" * 40


def test_a_restored_folder_keeps_its_record_and_revert_generation(store):
    install(store, "a")
    install(store, "b")
    folder = store.skill_dir("s")
    generation = store.bookkeeping / "generations" / store.records.read("s").previous.folder
    old_id = folder_id(folder)
    restore(folder)
    assert folder_id(folder) != old_id
    notes = recovery.recover(store)
    assert notes == ["re-bound the record of 's' to its folder (its identity changed, its content did not)"]
    record = store.records.read("s")
    assert record is not None and record.commit == "b" * 40 and record.previous.commit == "a" * 40
    assert stored(store)["folder_id"] == folder_id(folder)  # saved, not only in memory
    assert generation.is_dir()  # revert still has something to go back to
    summary = SkillReader().summary(store, "s")
    assert (summary.tracking_ref, summary.revert_ref, summary.locally_modified) == ("b" * 40, "a" * 40, False)


def test_reading_re_binds_without_a_restart(store):
    install(store, "a")
    restore(store.skill_dir("s"))
    assert store.records.read("s").commit == "a" * 40
    assert stored(store)["folder_id"] == folder_id(store.skill_dir("s"))


def test_a_restored_folder_with_other_content_is_a_stranger(store):
    install(store, "a")
    install(store, "b")
    restore(store.skill_dir("s"), edit="edited while away")
    assert store.records.read("s") is None  # never inherited
    store.close()  # the next start: its generation is nobody's now
    notes = recovery.recover(ScopeStore("user", store.root))
    assert notes[0] == "dropped the record of 's': its folder was removed or replaced by hand"
    assert not (store.bookkeeping / "records" / "s.json").exists()
    assert os.listdir(store.bookkeeping / "generations") == []
