"""ScopeStore: listing, traversal safety, atomic swap and crash recovery (contract §2)."""

import os

import pytest

from notebook_skills.errors import Conflict, Invalid, NotFound
from notebook_skills.skills.store import ScopeStore, SkillMeta

SKILL = "---\nname: {name}\ndescription: d\n---\nbody\n"


@pytest.fixture
def store(tmp_path):
    return ScopeStore("user", tmp_path / "skills")


def make_skill(store, name, files=None):
    store.create_dir(name)
    store.write_skill_md(name, SKILL.format(name=name))
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


def test_skill_md_round_trip_keeps_bytes(store):
    make_skill(store, "s")
    text = "\ufeff---\r\nname: s\r\n---\r\nbody\r\n"
    store.write_skill_md("s", text)
    assert store.read_skill_md("s") == text
    assert (store.skill_dir("s") / "SKILL.md").read_bytes() == text.encode("utf-8")
    assert not [p for p in os.listdir(store.skill_dir("s")) if p.endswith(".tmp")]


def test_write_skill_md_limits(store):
    make_skill(store, "s")
    with pytest.raises(Invalid):
        store.write_skill_md("s", "x" * (1024 * 1024 + 1))
    (store.skill_dir("s") / "SKILL.md").write_bytes(b"x" * (1024 * 1024 + 1))
    with pytest.raises(Invalid, match="1 MiB"):
        store.read_skill_md("s")
    with pytest.raises(NotFound):
        store.write_skill_md("missing", "x")


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
    store.delete_file("s", "a/b/c.txt")
    assert store.list_files("s") == ["SKILL.md", "a/keep.txt"]
    assert not (store.skill_dir("s") / "a" / "b").exists()
    store.delete_file("s", "a/keep.txt")
    assert not (store.skill_dir("s") / "a").exists() and store.skill_dir("s").is_dir()
    with pytest.raises(Invalid, match="SKILL.md cannot be deleted"):
        store.delete_file("s", "SKILL.md")
    with pytest.raises(NotFound):
        store.delete_file("s", "a/keep.txt")


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
        lambda: store.delete_file("s", rel),
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
            store.delete_file("s", rel)
    assert (outside / "secret.txt").read_text() == "secret"
    assert sorted(os.listdir(outside)) == ["secret.txt"]


# -- create / delete / rename / meta ----------------------------------------------------


def test_create_delete_rename_and_meta(store):
    make_skill(store, "old", {"x.txt": "x"})
    with pytest.raises(Conflict):
        store.create_dir("old")
    store.write_meta("old", SkillMeta(content_sha256="abc", orphaned=True, ref="f" * 40))
    assert store.read_meta("old") == SkillMeta(content_sha256="abc", orphaned=True, ref="f" * 40)
    make_skill(store, "taken")
    with pytest.raises(Conflict):
        store.rename("old", "taken")
    with pytest.raises(NotFound):
        store.rename("missing", "new")
    store.rename("old", "new")
    assert store.list_names() == ["new", "taken"]
    assert store.read_meta("new").content_sha256 == "abc"
    assert store.read_meta("old") == SkillMeta()
    store.delete("new")
    assert store.list_names() == ["taken"]
    assert store.read_meta("new") == SkillMeta()
    assert os.listdir(store.bookkeeping / "trash") == []
    with pytest.raises(NotFound):
        store.delete("new")


def test_meta_tolerates_corruption_and_unknown_keys(store):
    assert store.read_meta("s") == SkillMeta()
    store.write_meta("s", SkillMeta(content_sha256="h"))
    path = store.bookkeeping / "meta" / "s.json"
    path.write_text('{"content_sha256": "h2", "orphaned": true, "future": 1}')
    assert store.read_meta("s") == SkillMeta(content_sha256="h2", orphaned=True)
    path.write_text("{not json")
    assert store.read_meta("s") == SkillMeta()
    path.write_text('{"content_sha256": 5, "orphaned": "yes"}')
    assert store.read_meta("s") == SkillMeta()
    store.delete_meta("s")
    store.delete_meta("s")
    assert not path.exists()


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


def test_swap_in_new_and_replace(store):
    store.swap_in("s", stage(store, "s", OLD))
    assert bundle(store.skill_dir("s")) == OLD
    store.swap_in("s", stage(store, "s", NEW))
    assert bundle(store.skill_dir("s")) == NEW
    assert os.listdir(store.bookkeeping / "staging") == []
    assert os.listdir(store.bookkeeping / "backup") == []


def test_swap_in_keeps_old_when_second_rename_fails(store, monkeypatch):
    store.swap_in("s", stage(store, "s", OLD))
    staged = stage(store, "s", NEW)
    real_rename, calls = os.rename, []

    def flaky_rename(src, dst):  # simulate the OS failing the staged → target rename
        calls.append((src, dst))
        if len(calls) == 2:
            raise OSError("simulated failure")
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", flaky_rename)
    with pytest.raises(OSError, match="simulated"):
        store.swap_in("s", staged)
    monkeypatch.undo()
    assert bundle(store.skill_dir("s")) == OLD
    assert os.listdir(store.bookkeeping / "backup") == []
    store.discard(staged)
    assert not staged.exists()


def test_swap_in_refuses_foreign_dirs(store, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(ValueError):
        store.swap_in("s", elsewhere)
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
    store.delete("linked")
    assert store.list_names() == [] and (real / "SKILL.md").exists()


# -- recovery after crashes at each step ---------------------------------------------------


def test_recover_nothing(store):
    assert store.recover() == []
    store.tmp_dir()
    assert store.recover() == []


def test_recover_crash_while_staging(store):
    """Crash before the swap: old bundle intact, staging leftover removed."""
    store.swap_in("s", stage(store, "s", OLD))
    stage(store, "s", {"SKILL.md": b"half"})
    (store.tmp_dir() / "archive.tar.gz").write_bytes(b"partial")
    notes = store.recover()
    assert notes and all(n.startswith("user: ") for n in notes)
    assert bundle(store.skill_dir("s")) == OLD
    assert os.listdir(store.bookkeeping / "staging") == []
    assert os.listdir(store.bookkeeping / "tmp") == []


def test_recover_crash_between_renames(store):
    """Crash after target → backup, before staged → target: old bundle comes back."""
    store.swap_in("s", stage(store, "s", OLD))
    stage(store, "s", NEW)
    (store.bookkeeping / "backup").mkdir()
    os.rename(store.skill_dir("s"), store.bookkeeping / "backup" / "s.0123abcd")
    assert store.list_names() == []
    notes = store.recover()
    assert any("restored skill 's'" in n for n in notes)
    assert bundle(store.skill_dir("s")) == OLD
    assert os.listdir(store.bookkeeping / "backup") == []
    assert os.listdir(store.bookkeeping / "staging") == []


def test_recover_crash_after_swap(store):
    """Crash after staged → target, before the backup was removed: new bundle stays."""
    store.swap_in("s", stage(store, "s", OLD))
    staged = stage(store, "s", NEW)
    (store.bookkeeping / "backup").mkdir()
    os.rename(store.skill_dir("s"), store.bookkeeping / "backup" / "s.0123abcd")
    os.rename(staged, store.skill_dir("s"))
    notes = store.recover()
    assert any("removed the old copy of skill 's'" in n for n in notes)
    assert bundle(store.skill_dir("s")) == NEW
    assert os.listdir(store.bookkeeping / "backup") == []


def test_recover_crash_during_delete(store):
    """Crash mid-delete: the skill is already invisible; trash is finished off."""
    make_skill(store, "s", {"a.txt": "x"})
    trash = store.bookkeeping / "trash"
    trash.mkdir(parents=True)
    os.rename(store.skill_dir("s"), trash / "s.0123abcd")
    assert store.list_names() == []
    store.recover()
    assert os.listdir(trash) == []


def test_swap_with_failure_then_recover_is_consistent(store, monkeypatch):
    """Every single failing rename in swap_in + recover gives exactly OLD or NEW."""
    for failing_call in (1, 2, 3):
        store.swap_in("s", stage(store, "s", OLD))
        staged = stage(store, "s", NEW)
        real_rename, calls = os.rename, []

        # bound now: each iteration's crash counts its own calls
        def crash(src, dst, calls=calls, failing_call=failing_call, real_rename=real_rename):
            calls.append(1)
            if len(calls) == failing_call:
                raise OSError("simulated crash")
            return real_rename(src, dst)

        monkeypatch.setattr(os, "rename", crash)
        try:
            store.swap_in("s", staged)
        except OSError:
            pass
        monkeypatch.undo()
        store.recover()
        assert bundle(store.skill_dir("s")) in (OLD, NEW)
        store.delete("s")
