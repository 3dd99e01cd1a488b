"""extract_subtree on GitHub-shaped and hand-built hostile tarballs."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile

import pytest

from notebook_skills.github import (
    ArchiveError,
    ArchiveTooLarge,
    GitHubClient,
    TokenProvider,
    extract_subtree,
)
from notebook_skills.sources.discovery import source_members
from tests.fakegithub import build_tarball

SHA = "0123456789abcdef0123456789abcdef01234567"
TOP = "acme-skills-0123456"
TREE = {
    "README.md": b"# repo\n",
    "skills/a/SKILL.md": b"---\nname: a\n---\n",
    "skills/a/scripts/run.py": b"print(1)\n",
    "skills/ab/SKILL.md": b"not a/ but ab/\n",
    "skills/b/SKILL.md": b"---\nname: b\n---\n",
}


def tgz(members) -> bytes:
    """members: (TarInfo, bytes | None) pairs, names given relative to TOP unless absolute-ish."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT, pax_headers={"comment": SHA}) as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return gzip.compress(raw.getvalue())


def entry(name, data=b"x", *, type=tarfile.REGTYPE, linkname="", mode=0o777):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = type, linkname, mode
    if type == tarfile.REGTYPE:
        info.size = len(data)
        return info, data
    return info, None


@pytest.fixture
def box(tmp_path):
    """(archive path, empty dest, sentinel dir next to dest) inside tmp_path."""
    dest = tmp_path / "box" / "dest"
    dest.mkdir(parents=True)
    (tmp_path / "box" / "outside").mkdir()
    return tmp_path / "a.tgz", dest, tmp_path


def written_outside(root, dest, archive):
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            if not p.startswith(str(dest) + os.sep) and p != str(archive):
                out.append(p)
    return out


def test_extract_subtree(box):
    archive, dest, _ = box
    archive.write_bytes(build_tarball(TOP, SHA, TREE))
    res = extract_subtree(archive, "skills/a", dest, max_bytes=10_000)
    assert res.files == ["SKILL.md", "scripts/run.py"] and res.skipped == []
    assert res.total_bytes == len(TREE["skills/a/SKILL.md"]) + len(TREE["skills/a/scripts/run.py"])
    assert (dest / "scripts/run.py").read_bytes() == b"print(1)\n"
    assert stat.S_IMODE((dest / "SKILL.md").stat().st_mode) == 0o644
    assert stat.S_IMODE((dest / "scripts").stat().st_mode) == 0o755


def test_extract_whole_repo(box):
    archive, dest, _ = box
    archive.write_bytes(build_tarball(TOP, SHA, TREE))
    res = extract_subtree(archive, "", dest, max_bytes=0)
    assert res.files == sorted(TREE)


def test_missing_subtree_is_empty(box):
    archive, dest, _ = box
    archive.write_bytes(build_tarball(TOP, SHA, TREE))
    assert extract_subtree(archive, "skills/zzz", dest, max_bytes=0).files == []


def test_dest_must_be_empty(box):
    archive, dest, _ = box
    archive.write_bytes(build_tarball(TOP, SHA, TREE))
    (dest / "x").write_text("x")
    with pytest.raises(ValueError):
        extract_subtree(archive, "skills/a", dest, max_bytes=0)


@pytest.mark.parametrize(
    "hostile",
    [
        [entry(f"{TOP}/skills/a/../../../box/outside/evil")],
        [entry(f"{TOP}/skills/a/../../../../evil")],
        [entry("../evil")],
        [entry("/tmp/evil-abs"), entry(f"/{TOP}/skills/a/evil")],
        [entry(f"{TOP}/skills/a/link", type=tarfile.SYMTYPE, linkname="../../../box/outside"),
         entry(f"{TOP}/skills/a/link/evil")],
        [entry(f"{TOP}/skills/a/abs", type=tarfile.SYMTYPE, linkname="/etc/passwd")],
        [entry(f"{TOP}/skills/a/hard", type=tarfile.LNKTYPE, linkname="/etc/passwd")],
        [entry(f"{TOP}/skills/a/hard2", type=tarfile.LNKTYPE, linkname=f"{TOP}/README.md")],
        [entry(f"{TOP}/skills/a/tty", type=tarfile.CHRTYPE)],
        [entry(f"{TOP}/skills/a/disk", type=tarfile.BLKTYPE)],
        [entry(f"{TOP}/skills/a/pipe", type=tarfile.FIFOTYPE)],
        [entry("other-top/skills/a/evil")],
        [entry(f"{TOP}/skills/a/back\\..\\..\\evil")],
    ],
)
def test_hostile_members_never_escape(box, hostile):
    archive, dest, root = box
    members = [entry(f"{TOP}/skills/a/SKILL.md", b"ok")] + hostile
    archive.write_bytes(tgz(members))
    res = extract_subtree(archive, "skills/a", dest, max_bytes=0)
    assert "SKILL.md" in res.files
    assert res.skipped  # reported for warnings
    assert written_outside(root, dest, archive) == []
    for dirpath, dirs, files in os.walk(dest):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            assert not os.path.islink(p)
            assert stat.S_ISDIR(os.lstat(p).st_mode) or stat.S_ISREG(os.lstat(p).st_mode)


def test_setuid_mode_dropped(box):
    archive, dest, _ = box
    archive.write_bytes(tgz([entry(f"{TOP}/s/run", b"#!/bin/sh\n", mode=0o4777)]))
    extract_subtree(archive, "s", dest, max_bytes=0)
    assert stat.S_IMODE((dest / "run").stat().st_mode) == 0o755  # the x bit kept, setuid never


def test_duplicate_member_not_overwritten(box):
    archive, dest, _ = box
    archive.write_bytes(tgz([entry(f"{TOP}/s/f", b"first"), entry(f"{TOP}/s/f", b"second")]))
    res = extract_subtree(archive, "s", dest, max_bytes=0)
    assert (dest / "f").read_bytes() == b"first" and res.skipped == ["f"]


def test_oversize(box):
    archive, dest, _ = box
    archive.write_bytes(tgz([entry(f"{TOP}/s/a", b"x" * 600), entry(f"{TOP}/s/b", b"y" * 600),
                             entry(f"{TOP}/other/big", b"z" * 5000)]))
    with pytest.raises(ArchiveTooLarge, match="max_skill_mb"):
        extract_subtree(archive, "s", dest, max_bytes=1000)
    assert list(dest.iterdir()) == []
    # only the subtree counts
    assert extract_subtree(archive, "s", dest, max_bytes=1200).total_bytes == 1200


def test_too_many_members(box):
    archive, dest, _ = box
    archive.write_bytes(tgz([entry(f"{TOP}/s/{i}", b"") for i in range(50)]))
    with pytest.raises(ArchiveTooLarge) as err:
        extract_subtree(archive, "s", dest, max_bytes=0, max_members=20)
    assert err.value.message == "The skill folder has more than 20 files and folders (member cap)"
    assert list(dest.iterdir()) == []
    # a caller's own text is the error as given: braces in a path are not a template
    says = source_members("acme", "r", "odd/{n}}{", n=20)
    with pytest.raises(ArchiveTooLarge) as err:
        extract_subtree(archive, "s", dest, max_bytes=0, max_members=20, members_message=says)
    assert err.value.message == says and "acme/r folder 'odd/{n}}{' has more than 20 files" in says
    assert list(dest.iterdir()) == []


LONG = "n" * 300 + ".md"  # over the 255-byte name limit of every common file system
NOT_UTF8 = b"caf\xe9.md".decode("utf-8", "surrogateescape")  # Latin-1 bytes, as tarfile reads them


def test_unwritable_names_are_skipped_one_by_one(box):
    archive, dest, root = box
    archive.write_bytes(tgz([
        entry(f"{TOP}/s/SKILL.md", b"skill"),
        entry(f"{TOP}/s/{LONG}", b"long"),
        entry(f"{TOP}/s/{'d' * 300}/", type=tarfile.DIRTYPE),
        entry(f"{TOP}/s/{'d' * 300}/inner.md", b"under a long folder"),
        entry(f"{TOP}/s/{NOT_UTF8}", b"latin-1"),
        entry(f"{TOP}/s/{NOT_UTF8}/", type=tarfile.DIRTYPE),
        entry(f"{TOP}/s/ok/fine.md", b"fine"),
    ]))
    result = extract_subtree(archive, "s", dest, max_bytes=0)
    # the rest of the skill is there; the names the file system (or JSON) cannot hold are listed
    assert result.files == ["SKILL.md", "ok/fine.md"]
    assert sorted(result.skipped) == sorted([LONG, "d" * 300, f"{'d' * 300}/inner.md", NOT_UTF8, NOT_UTF8])
    assert sorted(p.name for p in dest.iterdir()) == ["SKILL.md", "ok"]
    assert written_outside(root, dest, archive) == []


def test_skipped_names_are_explained():
    from notebook_skills.skills.bundlecheck import not_installed

    problems = not_installed([f"s/{LONG}", f"s/{NOT_UTF8}", "s/link", "other/x"], "s")
    assert problems == [  # sorted by name
        "'caf\\xe9.md' has a name that is not valid UTF-8 and will not be installed",
        "'link' is a link, a special file or an unsafe path and will not be installed",
        f"'{LONG[:199]}…' has a name longer than the file system allows (255 bytes) and will not be installed",
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"PK\x03\x04 definitely a zip",
        gzip.compress(b"not a tar at all" * 100),
        build_tarball(TOP, SHA, TREE)[:-30],
        build_tarball(TOP, SHA, {"skills/a/big": os.urandom(100_000)})[:60_000],
    ],
    ids=["empty", "zip", "gzip-not-tar", "truncated-trailer", "truncated-middle"],
)
def test_corrupt_archives(box, data):
    archive, dest, root = box
    archive.write_bytes(data)
    with pytest.raises(ArchiveError):
        extract_subtree(archive, "skills/a", dest, max_bytes=0)
    assert list(dest.iterdir()) == []
    assert written_outside(root, dest, archive) == []


def test_flipped_byte_detected(box):
    archive, dest, _ = box
    data = bytearray(build_tarball(TOP, SHA, {"skills/a/f": os.urandom(20_000)}))
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(ArchiveError):
        extract_subtree(archive, "skills/a", dest, max_bytes=0)


# -- end to end through the fake --------------------------------------------


async def test_served_hostile_archive(fake_github, box):
    archive, dest, root = box
    sha = fake_github.add_repo("acme", "skills", {"skills/a/SKILL.md": "x"})
    fake_github.set_archive("acme", "skills", sha, tgz([
        entry(f"acme-skills-{sha[:7]}/skills/a/SKILL.md", b"ok"),
        entry(f"acme-skills-{sha[:7]}/skills/a/../../../../evil"),
        entry(f"acme-skills-{sha[:7]}/skills/a/l", type=tarfile.SYMTYPE, linkname="/etc"),
    ]))
    c = GitHubClient(github_url=fake_github.url, github_api_url=fake_github.api_url,
                     token_provider=TokenProvider({}, gh_command=()))
    try:
        await c.download_archive("acme", "skills", sha, archive)
    finally:
        await c.aclose()
    res = extract_subtree(archive, "skills/a", dest, max_bytes=0)
    assert res.files == ["SKILL.md"] and len(res.skipped) == 2
    assert written_outside(root, dest, archive) == []


async def test_served_truncated_archive(fake_github, box):
    archive, dest, _ = box
    sha = fake_github.add_repo("acme", "skills", {"skills/a/SKILL.md": "x", "skills/a/big": os.urandom(50_000)})
    fake_github.truncate_archives = True
    c = GitHubClient(github_url=fake_github.url, github_api_url=fake_github.api_url,
                     token_provider=TokenProvider({}, gh_command=()))
    try:
        await c.download_archive("acme", "skills", sha, archive)
    finally:
        await c.aclose()
    with pytest.raises(ArchiveError):
        extract_subtree(archive, "skills/a", dest, max_bytes=0)
