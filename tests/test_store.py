"""ScopeStore + txn: listing, traversal safety, records, atomic swap and recovery (contract §2)."""

import json
import os

import pytest

from notebook_skills.errors import Conflict, Invalid, NotFound
from notebook_skills.skills import recovery, swap, txn
from notebook_skills.skills.hashing import content_sha256
from notebook_skills.skills.record import InstallRecord
from notebook_skills.skills.store import ScopeStore

SKILL = "---\nname: {name}\ndescription: d\n---\nbody\n"


@pytest.fixture
def store(tmp_path):
    return ScopeStore("user", tmp_path / "skills")


def make_skill(store, name, files=None):
    store.skill_dir(name).mkdir(parents=True)
    (store.skill_dir(name) / "SKILL.md").write_text(SKILL.format(name=name))  # seeding, not the code under test
    for rel, content in (files or {}).items():
        store.write_text_file(name, rel, content)
    return store.skill_dir(name)


def bundle(path):
    """{relative path: bytes} of everything under path."""
    out = {}
    for dirpath, _, files in os.walk(path):
        for f in files:
            full = os.path.join(dirpath, f)
            out[os.path.relpath(full, path)] = open(full, "rb").read()
    return out


# -- listing ---------------------------------------------------------------------


def test_list_names(store):
    assert store.list_names() == []  # root missing
    make_skill(store, "b-skill")
    make_skill(store, "a-skill")
    (store.root / "no-skill-md").mkdir()
    (store.root / "Bad_Name").mkdir()
    (store.root / "Bad_Name" / "SKILL.md").write_text("x")
    (store.root / ".hidden").mkdir()
    (store.root / ".hidden" / "SKILL.md").write_text("x")
    (store.root / "file-not-dir").write_text("x")
    store.new_staging("c-skill")  # creates the bookkeeping dir
    assert store.list_names() == ["a-skill", "b-skill"]
    assert store.exists("a-skill") and not store.exists("no-skill-md")
    with pytest.raises(NotFound, match="No user skill named 'zzz'"):
        store.require("zzz")
    with pytest.raises(Invalid):
        store.skill_dir("../etc")


# -- files -----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["edit", "save"])
def test_skill_md_round_trip_keeps_bytes(store, how):
    """SKILL.md written the two ways the product does (an update: txn.edit; the editor's
    save: txn.write_file) keeps a BOM and CRLF, and leaves no temp file behind."""
    make_skill(store, "s")
    text = "\ufeff---\r\nname: s\r\n---\r\nbody\r\n"
    if how == "edit":
        txn.edit(store, "s", text, None)
    else:
        assert txn.write_file(store, "s", "SKILL.md", text) == text  # no record: no product keys to stamp
    assert store.read_skill_md("s") == text
    assert (store.skill_dir("s") / "SKILL.md").read_bytes() == text.encode("utf-8")
    assert os.listdir(store.skill_dir("s")) == ["SKILL.md"]
    assert not os.listdir(store.bookkeeping / "tmp")


def test_skill_md_limits(store):
    make_skill(store, "s")
    before = (store.skill_dir("s") / "SKILL.md").read_bytes()
    with pytest.raises(Invalid, match="1 MiB"):
        store.write_text_file("s", "SKILL.md", "x" * (1024 * 1024 + 1))
    assert (store.skill_dir("s") / "SKILL.md").read_bytes() == before
    (store.skill_dir("s") / "SKILL.md").write_bytes(b"x" * (1024 * 1024 + 1))
    with pytest.raises(Invalid, match="1 MiB"):
        store.read_skill_md("s")
    with pytest.raises(NotFound):
        store.write_text_file("missing", "SKILL.md", "x")
    assert not store.skill_dir("missing").exists()


def test_text_files(store):
    make_skill(store, "s", {"scripts/run.py": "print(1)\n", "a.md": "A\r\n"})
    assert store.list_files("s") == ["SKILL.md", "a.md", "scripts/run.py"]
    assert store.read_text_file("s", "a.md") == "A\r\n"
    (store.skill_dir("s") / "bin.dat").write_bytes(b"\x00\x01\xff")
    with pytest.raises(Invalid, match="not a UTF-8 text file"):
        store.read_text_file("s", "bin.dat")
    (store.skill_dir("s") / "big.txt").write_bytes(b"a" * (1024 * 1024 + 1))
    with pytest.raises(Invalid, match="larger"):
        store.read_text_file("s", "big.txt")
    with pytest.raises(NotFound):
        store.read_text_file("s", "nope.txt")
    with pytest.raises(NotFound):
        store.read_text_file("other", "a.md")
    with pytest.raises(Invalid, match="folder"):
        store.write_text_file("s", "scripts", "x")
    with pytest.raises(Invalid, match="parent is a file"):
        store.write_text_file("s", "a.md/x", "x")


def test_write_keeps_file_mode(store):
    make_skill(store, "s", {"run.sh": "echo 1\n"})
    path = store.skill_dir("s") / "run.sh"
    path.chmod(0o755)
    store.write_text_file("s", "run.sh", "echo 2\n")
    assert path.stat().st_mode & 0o777 == 0o755
    assert path.read_text() == "echo 2\n"


def test_delete_file(store):
    make_skill(store, "s", {"a/b/c.txt": "x", "a/keep.txt": "y"})
    txn.delete_file(store, "s", "a/b/c.txt")
    assert store.list_files("s") == ["SKILL.md", "a/keep.txt"]
    assert not (store.skill_dir("s") / "a" / "b").exists()
    txn.delete_file(store, "s", "a/keep.txt")
    assert not (store.skill_dir("s") / "a").exists() and store.skill_dir("s").is_dir()
    with pytest.raises(Invalid, match="SKILL.md cannot be deleted"):
        txn.delete_file(store, "s", "SKILL.md")
    with pytest.raises(NotFound):
        txn.delete_file(store, "s", "a/keep.txt")


def test_list_files_skips_symlinks(store, tmp_path):
    make_skill(store, "s", {"real.txt": "x"})
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret").write_text("s")
    os.symlink(tmp_path / "outside", store.skill_dir("s") / "link-dir")
    os.symlink(tmp_path / "outside" / "secret", store.skill_dir("s") / "link-file")
    assert store.list_files("s") == ["SKILL.md", "real.txt"]


@pytest.mark.parametrize(
    "rel",
    ["", "../x", "/etc/passwd", "a/../../x", "a/./b", "a//b", "a/", "..", "a\\..\\x", "a\0b",
     ".notebook-skills/meta/s.json", "a/.notebook-skills/x"],
)
def test_traversal_rejected(store, rel):
    make_skill(store, "s")
    for call in (
        lambda: store.resolve_rel("s", rel),
        lambda: store.read_text_file("s", rel),
        lambda: store.write_text_file("s", rel, "x"),
        lambda: txn.delete_file(store, "s", rel),
    ):
        with pytest.raises(Invalid):
            call()


def test_symlinked_paths_rejected(store, tmp_path):
    make_skill(store, "s")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    os.symlink(outside, store.skill_dir("s") / "escape")
    os.symlink(outside / "secret.txt", store.skill_dir("s") / "file-link")
    for rel in ("escape/secret.txt", "escape/new.txt", "file-link"):
        with pytest.raises(Invalid, match="symbolic link"):
            store.read_text_file("s", rel)
        with pytest.raises(Invalid, match="symbolic link"):
            store.write_text_file("s", rel, "pwned")
        with pytest.raises(Invalid, match="symbolic link"):
            txn.delete_file(store, "s", rel)
    assert (outside / "secret.txt").read_text() == "secret"
    assert sorted(os.listdir(outside)) == ["secret.txt"]


# -- records, delete, rename ------------------------------------------------------


def test_delete_and_rename_move_the_record(store):
    make_skill(store, "old", {"x.txt": "x"})
    store.records.write("old", InstallRecord(content_sha256=content_sha256(store.skill_dir("old")), orphaned=True))
    make_skill(store, "taken")
    with pytest.raises(Conflict) as err:
        txn.rename(store, "old", "taken", content_sha256)
    assert err.value.reason == "exists"
    with pytest.raises(NotFound):
        txn.rename(store, "missing", "new", content_sha256)
    txn.rename(store, "old", "new", content_sha256)
    assert store.list_names() == ["new", "taken"]
    moved = store.records.read("new")
    assert moved.orphaned is True
    # the product rewrote `name`: not a local edit
    assert moved.content_sha256 == content_sha256(store.skill_dir("new"))
    assert "name: new\n" in store.read_skill_md("new")
    assert store.records.read_raw("old") is None
    txn.delete(store, "new")
    assert store.list_names() == ["taken"]
    assert store.records.read_raw("new") is None
    assert os.listdir(store.bookkeeping / "trash") == []
    with pytest.raises(NotFound):
        txn.delete(store, "new")


def test_rename_is_all_or_nothing(store):
    make_skill(store, "a")
    (store.skill_dir("a") / "SKILL.md").write_text("---\nname: [broken\n---\n")
    store.records.write("a", InstallRecord(content_sha256="x"))
    with pytest.raises(Invalid):
        txn.rename(store, "a", "b", content_sha256)
    assert store.list_names() == ["a"] and not store.skill_dir("b").exists()
    assert store.records.read("a").content_sha256 == "x" and store.records.read_raw("b") is None
    # a plain file at the new name is never replaced
    make_skill(store, "c")
    (store.root / "d").write_text("my notes")
    with pytest.raises(Conflict):
        txn.rename(store, "c", "d", content_sha256)
    assert (store.root / "d").read_text() == "my notes" and store.exists("c")


def test_record_of_a_recreated_folder_is_not_inherited(store):
    make_skill(store, "s")
    store.records.write("s", InstallRecord(content_sha256="abc", orphaned=True))
    assert store.records.read("s").orphaned is True
    os.rename(store.skill_dir("s"), store.root / "elsewhere")  # removed by hand...
    make_skill(store, "s")  # ...and a new folder made under the same name
    assert store.records.read("s") is None
    notes = recovery.recover(store)
    assert any("dropped the record of 's'" in n for n in notes)
    assert store.records.read_raw("s") is None


def test_records_tolerate_corruption_and_legacy_meta_migrates_once(store):
    make_skill(store, "s")
    assert store.records.read("s") is None
    store.records.write("s", InstallRecord(content_sha256="h"))
    path = store.bookkeeping / "records" / "s.json"
    for bad in ("{not json", '{"version": 99}', '{"content_sha256": 5}'):
        path.write_text(bad)
        assert store.records.read("s") is None
    path.unlink()
    legacy = store.bookkeeping / "meta" / "s.json"
    legacy.parent.mkdir()
    legacy.write_text(json.dumps({"content_sha256": "h2", "orphaned": True, "ref": "a" * 40}))
    record = store.records.read("s")
    assert (record.content_sha256, record.orphaned, record.commit) == ("h2", True, "a" * 40)
    assert not legacy.exists() and path.exists()
    assert store.records.read("s") == record


def test_bookkeeping_is_git_ignored(store):
    store.tmp_dir()
    assert (store.bookkeeping / ".gitignore").read_text() == "*\n"
    assert store.tmp_dir().is_dir()


# -- staging and swap -----------------------------------------------------------------


def stage(store, name, files):
    staged = store.new_staging(name)
    for rel, content in files.items():
        (staged / rel).parent.mkdir(parents=True, exist_ok=True)
        (staged / rel).write_bytes(content)
    return staged


OLD = {"SKILL.md": b"old skill", "old-only.txt": b"o", "shared.txt": b"old"}
NEW = {"SKILL.md": b"new skill", "new-only.txt": b"n", "shared.txt": b"new"}


def test_install_new_and_replace_keeps_one_generation(store, swap_mode):
    assert txn.install(store, "s", stage(store, "s", OLD), InstallRecord(commit="a" * 40), txn.NEW) is False
    assert bundle(store.skill_dir("s")) == OLD
    assert txn.install(store, "s", stage(store, "s", NEW), InstallRecord(commit="b" * 40), txn.ANY) is True
    assert bundle(store.skill_dir("s")) == NEW
    record = store.records.read("s")
    assert record.commit == "b" * 40 and record.previous.commit == "a" * 40
    generations = store.bookkeeping / "generations"
    assert os.listdir(generations) == [record.previous.folder]
    assert bundle(generations / record.previous.folder) == OLD
    txn.install(store, "s", stage(store, "s", OLD), InstallRecord(), txn.ANY)
    assert len(os.listdir(generations)) == 1  # one generation only
    for area in ("staging", "backup", "journal"):
        assert os.listdir(store.bookkeeping / area) == [], area


def test_install_never_clobbers(store, swap_mode):
    make_skill(store, "s")
    with pytest.raises(Conflict) as err:
        txn.install(store, "s", stage(store, "s", NEW), InstallRecord(), txn.NEW)
    assert err.value.reason == "exists"
    (store.root / "draft").mkdir()
    (store.root / "draft" / "notes.md").write_text("mine")
    (store.root / "plain").write_text("a file")
    os.symlink(store.skill_dir("s"), store.root / "link")
    for name in ("draft", "plain", "link"):
        for expect in (txn.NEW, txn.ANY):
            with pytest.raises(Conflict, match="not a skill"):
                txn.install(store, name, stage(store, name, NEW), InstallRecord(), expect)
    assert (store.root / "draft" / "notes.md").read_text() == "mine"
    assert (store.root / "plain").read_text() == "a file" and (store.root / "link").is_symlink()


def test_install_rechecks_the_digest_under_the_lock(store, swap_mode):
    make_skill(store, "s")
    seen = content_sha256(store.skill_dir("s"))
    (store.skill_dir("s") / "edit.md").write_text("made after the check")
    with pytest.raises(Conflict) as err:
        txn.install(store, "s", stage(store, "s", NEW), InstallRecord(), txn.seen(seen))
    assert err.value.reason == "changed_on_disk"
    assert (store.skill_dir("s") / "edit.md").read_text() == "made after the check"
    txn.delete(store, "s")
    with pytest.raises(NotFound):
        txn.install(store, "s", stage(store, "s", NEW), InstallRecord(), txn.seen(seen))


def test_two_rename_fallback_keeps_old_when_second_rename_fails(store, monkeypatch):
    monkeypatch.setattr(swap, "USE_RENAMEAT2", False)
    txn.install(store, "s", stage(store, "s", OLD), InstallRecord(), txn.NEW)
    staged = stage(store, "s", NEW)
    real_rename, calls = os.rename, []

    def flaky_rename(src, dst):  # the OS fails the staged → target rename
        calls.append((src, dst))
        if len(calls) == 2:
            raise OSError("simulated failure")
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", flaky_rename)
    with pytest.raises(OSError, match="simulated"):
        txn.install(store, "s", staged, InstallRecord(), txn.ANY)
    monkeypatch.undo()
    assert bundle(store.skill_dir("s")) == OLD
    assert os.listdir(store.bookkeeping / "backup") == []
    assert os.listdir(store.bookkeeping / "journal") == []
    store.discard(staged)
    assert not staged.exists()


def test_install_refuses_foreign_dirs(store, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(ValueError):
        txn.install(store, "s", elsewhere, InstallRecord(), txn.NEW)
    with pytest.raises(ValueError):
        store.discard(elsewhere)
    assert elsewhere.exists()


def test_delete_symlinked_skill_removes_only_the_link(store, tmp_path):
    real = tmp_path / "real-skill"
    real.mkdir()
    (real / "SKILL.md").write_text(SKILL.format(name="linked"))
    store.root.mkdir(parents=True)
    os.symlink(real, store.root / "linked")
    assert store.list_names() == ["linked"]
    txn.delete(store, "linked")
    assert store.list_names() == [] and (real / "SKILL.md").exists()


# -- recovery ---------------------------------------------------------------------------


def test_recover_nothing(store):
    assert recovery.recover(store) == []
    store.tmp_dir()
    assert recovery.recover(store) == []


def test_recover_leaves_a_live_owner_alone_and_cleans_a_dead_one(store):
    txn.install(store, "s", stage(store, "s", OLD), InstallRecord(), txn.NEW)
    other = ScopeStore("user", store.root)  # another process on the same home
    live = stage(other, "s", {"SKILL.md": b"half"})
    archive = other.mkdtemp("archives")
    assert recovery.recover(ScopeStore("user", store.root)) == []
    assert live.exists() and archive.exists()
    other.close()  # its owner is gone (as after kill -9: the OS drops the lock)
    notes = recovery.recover(ScopeStore("user", store.root))
    assert len(notes) == 2 and not live.exists() and not archive.exists()
    assert bundle(store.skill_dir("s")) == OLD


def test_recover_touches_only_names_it_creates(store):
    make_skill(store, "s")
    odd = store.area("staging") / "not-ours"
    odd.mkdir()
    legacy = store.area("backup") / "s.0123abcd"
    legacy.mkdir()
    assert recovery.recover(store) == []
    assert odd.exists() and legacy.exists()


@pytest.mark.parametrize("area", [None, "tmp", "staging", "trash", "locks", "journal"])
def test_recovery_never_follows_a_linked_bookkeeping_area(store, tmp_path, area):
    data = tmp_path / "data"
    (data / "s.0123456789abcdef.x").mkdir(parents=True)  # looks like an entry of a dead owner
    (data / "s.0123456789abcdef.x" / "precious.csv").write_text("1,2,3")
    (data / "precious.txt").write_text("keep")
    make_skill(store, "s")
    # a clone that ships only the hostile link: no bookkeeping of ours yet
    assert not os.path.lexists(store.bookkeeping)
    if area is None:
        os.symlink(data, store.bookkeeping)
    else:
        store.bookkeeping.mkdir()
        os.symlink(data, store.bookkeeping / area)
    notes = recovery.recover(store)
    assert notes and all("refused" in n for n in notes)
    assert sorted(os.listdir(data)) == ["precious.txt", "s.0123456789abcdef.x"]
    assert (data / "s.0123456789abcdef.x" / "precious.csv").read_text() == "1,2,3"
    # and writes refuse to use it too
    with pytest.raises(Conflict):
        for name in ("tmp", "staging", "trash", "locks", "journal"):
            store.area(name)


def test_deep_trees_are_removed_without_recursion(store):
    make_skill(store, "s")
    deep = stage(store, "s", {"SKILL.md": b"x"})
    path = str(deep)
    for _ in range(1200):  # os.makedirs itself would recurse
        path = os.path.join(path, "d")
        os.mkdir(path)
    store.close()  # the owner dies; a fresh start cleans the 1,200-level staging entry
    notes = recovery.recover(ScopeStore("user", store.root))
    assert notes == [f"removed leftover staging entry {deep.name}"]
    assert not deep.exists()


@pytest.mark.allow_traceback  # a corrupt journal is logged with its traceback on purpose (recovery.py)
def test_an_unsettled_journal_keeps_its_skills_entries(store):
    make_skill(store, "s")
    other = ScopeStore("user", store.root)
    staged = stage(other, "s", {"SKILL.md": b"maybe the only copy"})
    (other.area("journal") / f"s.{other.owner}.json").write_text("{broken")
    other.close()
    notes = recovery.recover(ScopeStore("user", store.root))
    assert any("could not recover journal" in n for n in notes), notes
    assert (staged / "SKILL.md").read_bytes() == b"maybe the only copy"
    assert store.exists("s")
