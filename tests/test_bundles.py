"""Faithful bundles: modes kept, nothing dropped silently, no temp files in a bundle,
absurdly deep archives refused, and two candidates never install over each other."""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager

import pytest

from .archives import skill_entries, tarball
from .helpers import call, skill_md, tree_digest

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

OWNER, REPO, PATH = "acme", "kit", "skills/tool"
MD = skill_md("tool", "A tool.")


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def _serve(fake, extra) -> str:
    # the served members are part of the commit: on GitHub an archive is a function of
    # its SHA (and notebook-skills caches previewed archives by SHA)
    listing = "\n".join(name for name, _, _ in extra)
    sha = fake.add_repo(OWNER, REPO, {f"{PATH}/SKILL.md": MD, "MEMBERS.txt": listing})
    top = f"{OWNER}-{REPO}-{sha[:7]}"
    entries = skill_entries(top, PATH, MD) + [(f"{top}/{PATH}/{name}", kind, data) for name, kind, data in extra]
    fake.set_archive(OWNER, REPO, sha, tarball(entries, sha=sha))
    return f"{fake.url}/{OWNER}/{REPO}/tree/main/{PATH}"


BUNDLE = [
    ("scripts/", "dir", None),
    ("scripts/run.sh", "exec", b"#!/bin/sh\necho hi\n"),
    ("scripts/data.txt", "file", b"data\n"),
    ("link", "symlink", "../../etc/passwd"),
    ("scripts/pipe", "fifo", None),
]
NOT_INSTALLED = ["link", "scripts/pipe"]


@pytest.mark.parametrize("mask, exe, plain, folder", [(0o022, 0o755, 0o644, 0o755), (0o027, 0o750, 0o640, 0o750)])
async def test_modes_are_kept_and_the_umask_respected(jp_fetch, fake_github, skills_dirs, mask, exe, plain, folder):
    url = _serve(fake_github, BUNDLE)
    with umask(mask):
        status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
    assert status == 201, data
    skill = skills_dirs["user"] / "tool"
    assert _mode(skill) == folder  # never mkdtemp's 0700
    assert _mode(skill / "scripts") == folder
    assert _mode(skill / "scripts" / "run.sh") == exe
    assert _mode(skill / "scripts" / "data.txt") == plain
    assert _mode(skill / "SKILL.md") == plain


async def test_links_and_special_files_are_listed_not_dropped(jp_fetch, fake_github, skills_dirs):
    url = _serve(fake_github, BUNDLE)
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": url})
    assert status == 200, data
    [candidate] = data["skills"]
    for name in NOT_INSTALLED:
        assert any(f"'{name}' is a link" in p and "will not be installed" in p for p in candidate["problems"]), candidate
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
    assert status == 201
    for name in NOT_INSTALLED:
        assert any(f"'{name}' is a link" in p for p in data["skill"]["problems"]), data["skill"]["problems"]
    assert not os.path.lexists(skills_dirs["user"] / "tool" / "link")


async def test_archive_members_too_deep_are_refused(jp_fetch, fake_github, skills_dirs):
    deep = "/".join(["d"] * 65) + "/f.txt"
    url = _serve(fake_github, [(deep, "file", b"x")])
    for method, path, body in [("POST", "skills/import/preview", {"url": url}), ("POST", "skills/import", {"url": url, "scope": "user"})]:
        status, data = await call(jp_fetch, method, path, body)
        assert status == 400, data
        assert "more than 64 folders deep" in data["message"]
    assert not (skills_dirs["user"] / "tool").exists()
    ok = "/".join(["d"] * 63) + "/f.txt"
    fake_github.reset()
    url = _serve(fake_github, [(ok, "file", b"x")])
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
    assert status == 201 and ok in data["skill"]["files"]


async def test_file_writes_leave_no_temp_file_in_the_bundle(jp_fetch, skills_dirs, monkeypatch):
    """A spy on os.replace (behaviour unchanged) sees where each temp file lived."""
    bundle = skills_dirs["user"] / "notes"
    seen = []
    real_replace = os.replace

    def spy(src, dst, *a, **kw):
        if str(dst).startswith(str(bundle) + os.sep):
            seen.append(str(src))
        return real_replace(src, dst, *a, **kw)

    await call(jp_fetch, "POST", "skills", {"scope": "user", "name": "notes", "description": "d"})
    monkeypatch.setattr(os, "replace", spy)
    for rel in ("a/b.md", "SKILL.md"):
        content = "x" if rel != "SKILL.md" else skill_md("notes", "d")
        status, _ = await call(jp_fetch, "PUT", "skills/user/notes/files", {"content": content}, params={"path": rel})
        assert status == 200
    book = skills_dirs["user"] / ".notebook-skills"
    assert len(seen) == 2 and all(src.startswith(str(book) + os.sep) for src in seen), seen


TWINS = {
    "skills/one/SKILL.md": skill_md("same-name", "First."),
    "skills/two/SKILL.md": skill_md("same-name", "Second."),
    "skills/other/SKILL.md": skill_md("other", "Other."),
}


async def test_colliding_candidates_are_flagged_in_the_preview(jp_fetch, fake_github):
    fake_github.add_repo(OWNER, REPO, TWINS)
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": f"{fake_github.url}/{OWNER}/{REPO}"})
    assert status == 200, data
    by_path = {c["path"]: c for c in data["skills"]}
    assert "installs as 'same-name' like 'skills/two'" in by_path["skills/one"]["problems"][0]
    assert "installs as 'same-name' like 'skills/one'" in by_path["skills/two"]["problems"][0]
    assert by_path["skills/other"]["problems"] == []


@pytest.mark.parametrize("overwrite", [False, True])
async def test_importing_both_twins_never_overwrites_the_first(jp_fetch, fake_github, skills_dirs, overwrite):
    fake_github.add_repo(OWNER, REPO, TWINS)
    body = {"url": f"{fake_github.url}/{OWNER}/{REPO}", "scope": "user", "paths": ["skills/one", "skills/two", "skills/other"],
            "overwrite": overwrite}
    status, data = await call(jp_fetch, "POST", "skills/import", body)
    assert status == 201, data
    assert sorted(s["name"] for s in data["skills"]) == ["other", "same-name"]
    assert [e["path"] for e in data["errors"]] == ["skills/two"]
    assert "would install as 'same-name', like 'skills/one'" in data["errors"][0]["message"]
    assert "First." in (skills_dirs["user"] / "same-name" / "SKILL.md").read_text()
    digest = tree_digest(skills_dirs["user"] / "same-name")
    # the second one, alone and named, installs beside it
    status, data = await call(jp_fetch, "POST", "skills/import",
                              {"url": f"{fake_github.url}/{OWNER}/{REPO}/tree/main/skills/two", "scope": "user", "name": "same-name-2"})
    assert status == 201 and "Second." in (skills_dirs["user"] / "same-name-2" / "SKILL.md").read_text()
    assert tree_digest(skills_dirs["user"] / "same-name") == digest
