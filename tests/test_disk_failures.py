"""A hostile disk: full, read-only, immutable, names too long, files where folders belong.

Real filesystems, no mocks: a tiny tmpfs (disk full, read-only remount) and
``chattr +i`` need root; those tests are skipped elsewhere.
"""

from __future__ import annotations

import asyncio
import errno
import subprocess

import pytest

from notebook_skills.oserrors import scope_problems, translate
from notebook_skills.skills.manager import SkillManager

from .disk_fixtures import ROOT, mount_tmpfs, unmount
from .disk_fixtures import fill as _fill
from .helpers import call, tree_digest

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")


async def _create(jp_fetch, name="notes", scope="user"):
    status, data = await call(jp_fetch, "POST", "skills", {"scope": scope, "name": name, "description": "Takes notes."})
    assert status == 201, data
    return data


async def test_disk_full_on_file_write_is_507_and_changes_nothing(jp_fetch, tiny_user_disk):
    await _create(jp_fetch)
    before = tree_digest(tiny_user_disk / "notes")
    _fill(tiny_user_disk)
    status, data = await call(jp_fetch, "PUT", "skills/user/notes/files", {"content": "x" * 20000}, params={"path": "big.md"})
    assert status == 507, data
    assert data["message"] == "Disk full while writing skill 'notes'; nothing was changed. Free some space and try again."
    status, data = await call(jp_fetch, "PUT", "skills/user/notes", {"body": "y" * 20000})
    assert status == 507 and "disk full" in data["message"].lower()
    assert tree_digest(tiny_user_disk / "notes") == before
    bookkeeping = tiny_user_disk / ".notebook-skills"
    leftovers = [p for p in tiny_user_disk.rglob("*") if p.is_file() and p.name != ".filler" and bookkeeping not in p.parents]
    assert leftovers == [tiny_user_disk / "notes" / "SKILL.md"]
    # no half-written temporary file survives in bookkeeping either
    assert not [p for area in ("tmp", "staging") for p in (bookkeeping / area).rglob("*") if p.is_file()]


async def test_disk_full_on_create_leaves_no_folder(jp_fetch, tiny_user_disk):
    _fill(tiny_user_disk)
    status, data = await call(jp_fetch, "POST", "skills", {"scope": "user", "name": "fresh", "description": "d", "body": "z" * 9000})
    assert status == 507, data
    assert "skill 'fresh'" in data["message"]
    assert not (tiny_user_disk / "fresh").exists()
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200 and data["skills"] == []


class TestReadOnlyFilesystem:
    """A running server holds its lock files open for writing, so its scope cannot be
    remounted read-only under it: the scope is prepared and made read-only first."""

    @pytest.fixture
    def ro_user_disk(self, skills_dirs):
        if not ROOT:
            pytest.skip("mounting a tmpfs needs root")
        where = skills_dirs["user"]
        mount_tmpfs(where, required=True)
        try:
            manager = SkillManager(user_dir=where, project_dir=skills_dirs["project"])
            asyncio.run(manager.create_skill("user", "notes", "Takes notes."))
            asyncio.run(manager.aclose())
            done = subprocess.run(["mount", "-o", "remount,ro", str(where)], capture_output=True)
            assert done.returncode == 0, done.stderr.decode()  # as root this must work: never a skip
            yield where
        finally:
            unmount(where)

    @pytest.fixture
    def jp_server_config(self, jp_server_config, ro_user_disk):
        return jp_server_config  # read-only before the server starts

    async def test_read_only_filesystem_is_409_naming_the_path(self, jp_fetch, ro_user_disk):
        before = tree_digest(ro_user_disk)
        status, data = await call(jp_fetch, "GET", "skills/user/notes")
        assert status == 200 and data["skill"]["description"] == "Takes notes."
        for method, path, body in [
            ("PUT", "skills/user/notes", {"description": "New words."}),
            ("PUT", "skills/user/notes", {"tracks_upstream": False}),
            ("PUT", "skills/user/notes/files", {"content": "hi"}),
            ("DELETE", "skills/user/notes", None),
            ("POST", "skills/user/notes/rename", {"new_name": "other"}),
            ("POST", "skills", {"scope": "user", "name": "more", "description": "d"}),
        ]:
            params = {"path": "new.md"} if path.endswith("/files") else None
            status, data = await call(jp_fetch, method, path, body, params=params)
            assert status == 409, (method, path, data)
            assert "read-only" in data["message"].lower() and str(ro_user_disk) in data["message"], (method, path, data)
            assert data["reason"] == "not_writable", (method, path, data)
        assert tree_digest(ro_user_disk) == before


async def test_permission_denied_is_409_naming_the_path(jp_fetch, skills_dirs, immutable):
    await _create(jp_fetch)
    folder = skills_dirs["user"] / "notes"
    before = tree_digest(folder)
    immutable(folder)
    status, data = await call(jp_fetch, "PUT", "skills/user/notes/files", {"content": "hi"}, params={"path": "new.md"})
    assert status == 409, data
    assert "Permission denied" in data["message"] and str(folder) in data["message"]
    assert data["reason"] == "not_writable"
    status, data = await call(jp_fetch, "PUT", "skills/user/notes", {"body": "changed"})
    assert status == 409 and str(folder) in data["message"] and data["reason"] == "not_writable"
    assert tree_digest(folder) == before


async def test_name_too_long_is_400(jp_fetch):
    await _create(jp_fetch)
    for rel in ("a" * 300 + ".md", "d/" + "b" * 256, "c" * 250 + ".md"):
        status, data = await call(jp_fetch, "PUT", "skills/user/notes/files", {"content": "x"}, params={"path": rel})
        if len(rel.split("/")[-1]) <= 255 and "/" not in rel:
            # fits the file system: the temp file must not push it over the limit
            assert status == 200, data
        else:
            assert status == 400, data
            assert "too long" in data["message"]


@pytest.mark.parametrize("blocker", ["folder", "link"])
async def test_a_record_path_that_is_not_a_file_refuses_delete_and_rename_before_anything_moves(
        blocker, jp_fetch, skills_dirs, tmp_path):
    await _create(jp_fetch)
    user = skills_dirs["user"]
    record = user / ".notebook-skills" / "records" / "notes.json"
    record.unlink()
    if blocker == "folder":
        record.mkdir()
        (record / "kept.txt").write_text("not ours")
    else:
        (tmp_path / "target.json").write_text("{}")
        record.symlink_to(tmp_path / "target.json")
    before, book_before = tree_digest(user / "notes"), tree_digest(record.parent)
    for method, path, body in (("DELETE", "skills/user/notes", None),
                               ("POST", "skills/user/notes/rename", {"new_name": "renamed"})):
        status, data = await call(jp_fetch, method, path, body)
        # the skill was not moved to trash (or renamed), and the record path is as it was
        assert tree_digest(user / "notes") == before and not (user / "renamed").exists(), (method, data)
        assert tree_digest(record.parent) == book_before
        trash = user / ".notebook-skills" / "trash"
        assert not trash.is_dir() or list(trash.iterdir()) == []
        assert status == 409, (method, data)
        assert data["reason"] == ("exists" if blocker == "folder" else "not_writable"), data
        assert str(record) in data["message"] and "nothing was changed" in data["message"], data
    assert (tmp_path / "target.json").read_text() == "{}" if blocker == "link" else True


@pytest.mark.parametrize("broken", ["project-scope", "project-bookkeeping", "project-locks-area"])
async def test_scope_or_bookkeeping_that_is_a_file(broken, jp_fetch, skills_dirs, caplog):
    project = skills_dirs["project"]
    if broken == "project-scope":
        project.parent.mkdir(parents=True)
        project.write_text("not a folder")
        blocker = project
    elif broken == "project-bookkeeping":
        project.mkdir(parents=True)
        blocker = project / ".notebook-skills"
        blocker.write_text("not a folder")
    else:
        (project / ".notebook-skills").mkdir(parents=True)
        blocker = project / ".notebook-skills" / "locks"
        blocker.write_text("not a folder")
    await _create(jp_fetch)  # the extension loaded; the user scope still works
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200 and [s["name"] for s in data["skills"]] == ["notes"]
    status, data = await call(jp_fetch, "POST", "skills", {"scope": "project", "name": "p", "description": "d"})
    assert status == 409, data
    assert not (project / "p").exists()
    assert f"'{blocker}' is a file where a folder is needed" in data["message"]
    assert data["reason"] == "exists", data  # as docs/admin.md says for every "is a file where a folder is needed"
    assert blocker.read_text() == "not a folder"


def test_scope_problems_are_found_at_startup(tmp_path):
    file_scope = tmp_path / "a" / "skills"
    file_scope.parent.mkdir()
    file_scope.write_text("x")
    book = tmp_path / "b" / "skills"
    book.mkdir(parents=True)
    (book / ".notebook-skills").write_text("x")
    ok = tmp_path / "c" / "skills"  # missing is fine: made on first write
    problems = scope_problems([("user", file_scope), ("project", book), ("user", ok)])
    assert len(problems) == 2
    assert str(file_scope) in problems[0] and "not a folder" in problems[0]
    assert str(book / ".notebook-skills") in problems[1]


async def test_startup_logs_a_scope_that_is_a_file(jp_configurable_serverapp, skills_dirs, capfd):
    skills_dirs["project"].parent.mkdir(parents=True)
    skills_dirs["project"].write_text("x")
    app = jp_configurable_serverapp()
    assert "notebook_skills" in app.extension_manager.extension_apps  # loaded all the same
    err = capfd.readouterr().err
    assert f"project skills folder '{skills_dirs['project']}' cannot be used: it is a file" in err
    assert "Traceback" not in err


def test_translate_leaves_other_errors_alone():
    assert translate(OSError(errno.EIO, "I/O error", "/x")) is None
    err = translate(OSError(errno.EDQUOT, "Disk quota exceeded", "/h/.notebook-skills/staging/abc.0123/f"))
    assert err is not None and "skill 'abc'" in err.message


@pytest.mark.parametrize("free_kib", [16, 150], ids=["while-unpacking", "while-staging"])
async def test_disk_full_on_import_is_507_and_installs_nothing(jp_fetch, fake_github, tiny_user_disk, free_kib):
    big = "x" * 100_000  # fits once in 150 KiB (unpacked), not twice (staged copy)
    fake_github.add_repo("acme", "kit", {"skills/tool/SKILL.md": "---\nname: tool\ndescription: T.\n---\n", "skills/tool/data.txt": big})
    with open(tiny_user_disk / ".filler", "wb", buffering=0) as fh:
        fh.write(b"\0" * (256 * 1024 - free_kib * 1024))
    url = f"{fake_github.url}/acme/kit/tree/main/skills/tool"
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
    assert status == 507, data
    assert data["message"].startswith("Disk full while writing") and "nothing was changed" in data["message"]
    assert not (tiny_user_disk / "tool").exists()
    book = tiny_user_disk / ".notebook-skills"
    # lock files (empty, reused) may stay; nothing staged, downloaded or recorded does
    leftovers = [p for p in book.rglob("*") if p.is_file() and p.name != ".gitignore" and p.parent != book / "locks"]
    assert leftovers == []


def test_messages_name_what_the_user_knows():
    temp = translate(OSError(errno.EROFS, "Read-only file system", "/h/skills/.notebook-skills/tmp/.0a1b.tmp"))
    assert temp.message == "'/h/skills' is on a read-only file system; nothing was changed."
    moved = OSError(errno.EACCES, "Permission denied", "/h/skills/.notebook-skills/tmp/.0a1b.tmp", None, "/h/skills/notes/a.md")
    assert "'/h/skills/notes/a.md'" in translate(moved).message
    staged = translate(OSError(errno.ENOSPC, "No space left on device", "/h/skills/.notebook-skills/staging/notes.0a1b/x"))
    assert staged.message.startswith("Disk full while writing skill 'notes'")
    assert translate(OSError(errno.ENAMETOOLONG, "File name too long", "/h/" + "n" * 400)).message.endswith("…'.")
