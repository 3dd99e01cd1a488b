"""A record shipped by a cloned repository cannot steer a delete or a sync (issue 6).

`previous.folder` names the generation to remove when the skill is deleted or
synced again.  Only a folder name the product creates (`<name>.<owner>.<token>`)
counts; anything else (`..`, `.`, `../x`, an absolute path) is no generation,
logged, and removes nothing.
"""

from __future__ import annotations

import json
import logging

import pytest

from notebook_skills.skills import txn
from notebook_skills.skills.record import Generation, InstallRecord
from notebook_skills.skills.store import ScopeStore

from .helpers import tree_digest

SKILL = "---\nname: {name}\ndescription: {desc}\n---\nbody\n"


@pytest.fixture
def store(tmp_path):
    return ScopeStore("project", tmp_path / "skills")


IDS = ["dotdot", "dot", "up-records", "up-skill", "up-locks", "absolute", "entry-then-up"]


def put(store, name: str, desc: str, expect) -> None:
    staging = store.new_staging(name)
    (staging / "SKILL.md").write_text(SKILL.format(name=name, desc=desc))
    txn.install(store, name, staging, InstallRecord(), expect)


def hostile_values(tmp_path) -> list[str]:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "precious.txt").write_text("not the product's")
    return ["..", ".", "../records", "../../b", "../locks", str(outside), "b.0123456789abcdef.0123456789abcdef/../.."]


def tamper(store, name: str, folder: str) -> None:
    path = store.bookkeeping / "records" / f"{name}.json"
    data = json.loads(path.read_text())
    data["previous"] = {"folder": folder, "tracking": False}
    path.write_text(json.dumps(data))


def snapshot(store, tmp_path) -> dict:
    book = store.bookkeeping
    return {
        "gitignore": (book / ".gitignore").read_text(),
        "records": sorted(p.name for p in (book / "records").iterdir()),
        "locks": (book / "locks").is_dir(),
        "b": tree_digest(store.skill_dir("b")),
        "outside": tree_digest(tmp_path / "outside"),
    }


@pytest.mark.parametrize("index", range(7), ids=IDS)
def test_a_hostile_previous_folder_is_no_generation_and_delete_removes_only_the_skill(store, tmp_path, index, caplog):
    folder = hostile_values(tmp_path)[index]
    put(store, "a", "A.", txn.NEW)
    put(store, "b", "B.", txn.NEW)
    tamper(store, "a", folder)
    before = snapshot(store, tmp_path)
    with caplog.at_level(logging.WARNING):
        assert store.records.read("a").previous is None  # read as no generation...
    assert "ignoring the previous generation" in caplog.text  # ...and said so in the log
    txn.delete(store, "a")
    assert not store.skill_dir("a").exists()
    after = snapshot(store, tmp_path)
    before["records"].remove("a.json")
    assert after == before


@pytest.mark.parametrize("index", range(7), ids=IDS)
def test_a_hostile_previous_folder_is_not_dropped_by_the_next_sync(store, tmp_path, index):
    folder = hostile_values(tmp_path)[index]
    put(store, "a", "A.", txn.NEW)
    put(store, "b", "B.", txn.NEW)
    tamper(store, "a", folder)
    before = snapshot(store, tmp_path)
    put(store, "a", "A2.", txn.ANY)  # replaces a: keeps its old bundle, drops no other folder
    assert "A2." in (store.skill_dir("a") / "SKILL.md").read_text()
    assert snapshot(store, tmp_path) == before
    previous = store.records.read("a").previous
    assert previous is not None and (store.bookkeeping / "generations" / previous.folder / "SKILL.md").is_file()


def test_a_real_generation_is_still_removed_with_its_skill(store):
    put(store, "a", "A.", txn.NEW)
    put(store, "a", "A2.", txn.ANY)
    generations = store.bookkeeping / "generations"
    folder = store.records.read("a").previous.folder
    assert [p.name for p in generations.iterdir()] == [folder]
    txn.delete(store, "a")
    assert list(generations.iterdir()) == []


def test_the_generation_model_takes_only_product_made_names():
    assert Generation(folder="csv-helper.0123456789abcdef.fedcba9876543210").folder.startswith("csv-helper.")
    for bad in ("..", ".", "../x", "/etc", "a.0123456789abcdef", "A.0123456789abcdef.0123456789abcdef"):
        with pytest.raises(ValueError):
            Generation(folder=bad)
