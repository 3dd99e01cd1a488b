"""kill -9 at every step of the write transaction, then recovery (contract §2).

A separate process (tests/txn_worker.py) replaces skill 's' v1 → v2 and dies at
a chosen step (NOTEBOOK_SKILLS_TEST_CRASH_AT); a fresh store's recovery must then
leave v1 or v2 — whole — with a record that matches it, and nothing else behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from notebook_skills.skills import recovery
from notebook_skills.skills.hashing import content_sha256
from notebook_skills.skills.store import ScopeStore
from notebook_skills.skills.txn import CRASH_ENV

from .txn_worker import COMMITS, files

ROOT = Path(__file__).resolve().parent.parent


def run_worker(root: Path, version: str, *flags: str, crash: str | None = None) -> int:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash:
        env[CRASH_ENV] = crash
    proc = subprocess.run(
        [sys.executable, "-m", "tests.txn_worker", str(root), "s", version, *flags],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    return proc.returncode


def installed(folder: Path) -> dict[str, str]:
    out = {}
    for dirpath, _, names in os.walk(folder):
        for n in names:
            p = Path(dirpath, n)
            out[str(p.relative_to(folder))] = p.read_text()
    return out


def version_of(folder: Path) -> str:
    got = installed(folder)
    for version in ("v1", "v2"):
        want = files("s", version)
        if set(got) == set(want) and all(got[k] == want[k] for k in want if k != "SKILL.md") \
                and f"# {version}\n" in got["SKILL.md"]:
            return version
    raise AssertionError(f"a mix of versions: {got}")


STEPS = [
    ("staged", ""),
    ("journaled", ""),
    ("swapped", ""),
    ("committed", ""),
    ("journaled", "--fallback"),
    ("half_swapped", "--fallback"),
    ("swapped", "--fallback"),
    ("committed", "--fallback"),
]


@pytest.mark.parametrize("step, flag", STEPS, ids=[f"{s}{f}" for s, f in STEPS])
def test_kill_at_each_step_then_recovery_matches_record(tmp_path, step, flag):
    root = tmp_path / "skills"
    assert run_worker(root, "v1") == 0
    flags = [flag] if flag else []
    assert run_worker(root, "v2", *flags, "--hold-archive", crash=step) == 137
    store = ScopeStore("user", root)
    notes = recovery.recover(store)
    assert notes, "the crash left something to recover"
    folder = root / "s"
    version = version_of(folder)
    if step in ("staged", "journaled", "half_swapped"):
        assert version == "v1"
    else:
        assert version == "v2"  # the swap happened: finished, not undone
    record = store.records.read("s")
    assert record is not None and record.commit == COMMITS[version]
    assert record.content_sha256 == content_sha256(folder)
    book = root / ".notebook-skills"
    for area in ("staging", "backup", "trash", "tmp", "journal"):
        assert not (book / area).exists() or os.listdir(book / area) == [], area
    gens = os.listdir(book / "generations") if (book / "generations").exists() else []
    if version == "v2":
        assert gens == [record.previous.folder]
        assert version_of(book / "generations" / gens[0]) == "v1"
    else:
        assert gens == []
    # the store works on: a second update goes through
    assert run_worker(root, "v2") == 0 and version_of(folder) == "v2"
    assert recovery.recover(ScopeStore("user", root)) == []


@pytest.mark.parametrize("step", ["journaled", "swapped"])
def test_the_next_write_settles_a_dead_writers_journal_first(tmp_path, step):
    """No restart in between: a later transaction on the skill finishes the old one first."""
    root = tmp_path / "skills"
    assert run_worker(root, "v1") == 0
    assert run_worker(root, "v2", crash=step) == 137
    assert run_worker(root, "v1") == 0
    store = ScopeStore("user", root)
    assert version_of(root / "s") == "v1"
    record = store.records.read("s")
    assert record.commit == COMMITS["v1"] and record.content_sha256 == content_sha256(root / "s")
    book = root / ".notebook-skills"
    assert os.listdir(book / "journal") == []
    gens = os.listdir(book / "generations")
    assert gens == [record.previous.folder]
    # the generation is what the interrupted update left in place: v2 if it got swapped in
    assert version_of(book / "generations" / gens[0]) == ("v2" if step == "swapped" else "v1")


def test_kill_during_rename_then_recovery_moves_the_record_too(tmp_path):
    root = tmp_path / "skills"
    assert run_worker(root, "v1") == 0
    env_run = lambda *args, crash=None: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "tests.txn_worker", str(root), *args], cwd=ROOT, timeout=60,
        env={**{k: v for k, v in os.environ.items() if k != CRASH_ENV}, **({CRASH_ENV: crash} if crash else {})},
    ).returncode
    assert env_run("s", "--rename", "t", crash="swapped") == 137
    store = ScopeStore("user", root)
    notes = recovery.recover(store)
    assert any("finished renaming 's' to 't'" in n for n in notes), notes
    assert not (root / "s").exists() and "name: t\n" in (root / "t" / "SKILL.md").read_text()
    record = store.records.read("t")
    assert record.commit == COMMITS["v1"] and record.content_sha256 == content_sha256(root / "t")
    assert store.records.read_raw("s") is None
    # delete killed after the folder left: the record is dropped, the files removed
    assert env_run("t", "--delete", crash="swapped") == 137
    notes = recovery.recover(ScopeStore("user", root))
    assert not (root / "t").exists() and store.records.read_raw("t") is None
    book = root / ".notebook-skills"
    for area in ("trash", "journal"):
        assert os.listdir(book / area) == [], area


def _restore(folder: Path) -> None:
    """A new inode for the same content, as a restore from a backup (or a remount) gives."""
    copy = folder.parent / ".restore"
    shutil.copytree(folder, copy)
    shutil.rmtree(folder)
    os.rename(copy, folder)


@pytest.mark.parametrize("step, version", [("journaled", "v1"), ("swapped", "v2")])
def test_recovery_compares_digests_when_the_folder_identity_changed(tmp_path, step, version):
    """Killed mid-update, then the folder got a new identity before the next start:
    recovery still tells the new bundle from the old one, by content digest."""
    root = tmp_path / "skills"
    assert run_worker(root, "v1") == 0
    assert run_worker(root, "v2", crash=step) == 137
    _restore(root / "s")
    store = ScopeStore("user", root)
    notes = recovery.recover(store)
    assert version_of(root / "s") == version
    record = store.records.read("s")
    assert record is not None and record.commit == COMMITS[version]
    assert record.content_sha256 == content_sha256(root / "s")
    if version == "v2":
        assert any("finished the interrupted update" in n for n in notes), notes
        assert version_of(root / ".notebook-skills" / "generations" / record.previous.folder) == "v1"
    assert os.listdir(root / ".notebook-skills" / "journal") == []


def test_an_interrupted_rename_is_finished_after_the_folder_identity_changed(tmp_path):
    root = tmp_path / "skills"
    assert run_worker(root, "v1") == 0
    env = {**{k: v for k, v in os.environ.items() if k != CRASH_ENV}, CRASH_ENV: "swapped"}
    proc = subprocess.run([sys.executable, "-m", "tests.txn_worker", str(root), "s", "--rename", "t"],
                          cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 137
    _restore(root / "t")
    store = ScopeStore("user", root)
    notes = recovery.recover(store)
    assert any("finished renaming 's' to 't'" in n for n in notes), notes
    record = store.records.read("t")
    assert record is not None and record.commit == COMMITS["v1"] and store.records.read_raw("s") is None


@pytest.mark.parametrize("step", ["journaled", "swapped", "committed"])
def test_kill_during_the_tracking_toggle_leaves_skill_md_and_record_agreeing(tmp_path, step):
    root = tmp_path / "skills"
    assert run_worker(root, "v1") == 0
    env = {**{k: v for k, v in os.environ.items() if k != CRASH_ENV}, CRASH_ENV: step}
    proc = subprocess.run([sys.executable, "-m", "tests.txn_worker", str(root), "s", "--untrack"],
                          cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 137
    store = ScopeStore("user", root)
    notes = recovery.recover(store)
    assert notes, "the crash left a journal"
    record = store.records.read("s")
    text = (root / "s" / "SKILL.md").read_text()
    changed = step != "journaled"  # once SKILL.md changed, the step is finished
    assert record.tracking is not changed and ("tracks_upstream: true\n" in text) is not changed
    assert record.content_sha256 == content_sha256(root / "s") and version_of(root / "s") == "v1"
    book = root / ".notebook-skills"
    for area in ("journal", "tmp", "staging"):
        assert os.listdir(book / area) == [], area
