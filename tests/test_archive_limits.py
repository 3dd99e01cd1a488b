"""Archives that are hostile by size or by name, through the real routes.

One unwritable name (too long for the file system, or not UTF-8) is that file's
problem: it is listed in the preview's and the import's `problems` and the rest of
the repository imports. A gzip bomb outside the skill's folder is stopped by the
decompressed-bytes cap with a clear answer, nothing installed, no worker stuck.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from .archives import skill_entries, tarball
from .helpers import call, skill_md

pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

OWNER, REPO = "acme", "names"
LONG = "n" * 300 + ".md"
NOT_UTF8 = b"caf\xe9.md".decode("utf-8", "surrogateescape")


def _archive(sha: str, extra: list) -> bytes:
    top = f"{OWNER}-{REPO}-{sha[:7]}"
    entries = skill_entries(top, "skills/a", skill_md("a", "Skill a."))
    entries += [(f"{top}/skills/b/", "dir", None), (f"{top}/skills/b/SKILL.md", "file", skill_md("b", "Skill b.").encode())]
    return tarball(entries + [(f"{top}/{name}", "file", data) for name, data in extra], sha=sha)


def _seed(fake, extra: list) -> str:
    sha = fake.add_repo(OWNER, REPO, {"skills/a/SKILL.md": skill_md("a", "Skill a."),
                                      "skills/b/SKILL.md": skill_md("b", "Skill b.")})
    fake.set_archive(OWNER, REPO, sha, _archive(sha, extra))
    return sha


UNWRITABLE = [(f"skills/a/{LONG}", b"long"), (f"skills/a/{NOT_UTF8}", b"latin-1"), ("skills/a/notes.md", b"fine")]
PROBLEMS = [
    "'caf\\xe9.md' has a name that is not valid UTF-8 and will not be installed",
    f"'{LONG[:199]}…' has a name longer than the file system allows (255 bytes) and will not be installed",
]


async def test_preview_lists_unwritable_names_and_keeps_every_skill(jp_fetch, fake_github, skills_dirs):
    _seed(fake_github, UNWRITABLE)
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": f"{OWNER}/{REPO}"})
    assert status == 200, data
    by_path = {c["path"]: c for c in data["skills"]}
    assert set(by_path) == {"skills/a", "skills/b"}
    assert by_path["skills/a"]["problems"] == PROBLEMS
    assert by_path["skills/b"]["problems"] == []
    # the user's skills folder is never named: the problem is the repository's
    assert str(skills_dirs["user"]) not in str(data)


async def test_import_installs_the_rest_and_names_what_it_left_out(jp_fetch, fake_github, skills_dirs):
    _seed(fake_github, UNWRITABLE)
    url = f"{fake_github.url}/{OWNER}/{REPO}/tree/main/skills/a"
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
    assert status == 201, data
    assert data["skill"]["problems"] == PROBLEMS
    folder = skills_dirs["user"] / "a"
    assert sorted(p.name for p in folder.iterdir()) == ["SKILL.md", "notes.md"]
    assert sorted(data["skill"]["files"]) == ["SKILL.md", "notes.md"]
    # every installed file opens through the files API
    for rel in data["skill"]["files"]:
        status, _ = await call(jp_fetch, "GET", "skills/user/a/files", params={"path": rel})
        assert status == 200


async def test_import_by_ids_of_a_repository_with_an_unwritable_name(jp_fetch, fake_github, skills_dirs):
    _seed(fake_github, UNWRITABLE)
    body = {"url": f"{OWNER}/{REPO}", "scope": "user", "paths": ["skills/a", "skills/b"]}
    status, data = await call(jp_fetch, "POST", "skills/import", body)
    assert status == 201, data
    assert [s["name"] for s in data["skills"]] == ["a", "b"] and data["errors"] == []
    assert data["skills"][0]["problems"] == PROBLEMS
    assert (skills_dirs["user"] / "b" / "SKILL.md").is_file()


# ---- the decompressed-bytes cap ------------------------------------------------------

BOMB = [("other/zeros.bin", bytes(40 * 1024 * 1024))]  # ~40 KB compressed, outside every skill


@pytest.mark.parametrize(
    "skills_config, cap_mb",
    [
        ({"max_archive_mb": 1}, 8),  # the default: 8 x max_archive_mb
        ({"max_archive_mb": 0, "max_unpacked_mb": 8}, 8),  # no archive cap: the decompressed cap stays
    ],
    ids=["derived", "independent"],
)
async def test_gzip_bomb_outside_the_skill_folder(jp_fetch, fake_github, skills_dirs, skills_config, cap_mb):
    _seed(fake_github, BOMB)
    says = f"The archive unpacks to more than {cap_mb} MB (decompressed size cap, max_unpacked_mb)"
    started = time.monotonic()
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": f"{OWNER}/{REPO}"})
    assert status == 400 and data["message"] == says, data
    url = f"{fake_github.url}/{OWNER}/{REPO}/tree/main/skills/a"
    # more bombs at once than the extraction pool has workers
    answers = await asyncio.gather(*(call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
                                     for _ in range(3)))
    for status, data in answers:
        assert status == 400 and data["message"] == says, data
    assert time.monotonic() - started < 20  # stopped at the member's header, not after inflating it
    assert not (skills_dirs["user"] / "a").exists()
    book = skills_dirs["user"] / ".notebook-skills"
    for area in ("staging", "tmp"):
        assert not (book / area).is_dir() or [p.name for p in (book / area).iterdir()] == [], area
    # no extraction worker is left busy: a harmless import goes straight through
    fake_github.add_repo("acme", "fine", {"skills/ok/SKILL.md": skill_md("ok", "Fine.")})
    status, data = await call(jp_fetch, "POST", "skills/import",
                              {"url": f"{fake_github.url}/acme/fine/tree/main/skills/ok", "scope": "user"})
    assert status == 201, data
    assert (skills_dirs["user"] / "ok" / "SKILL.md").is_file()


def test_lifting_the_archive_cap_keeps_a_decompressed_cap(tmp_path):
    from notebook_skills.skills.manager import SkillManager, unpacked_cap

    mb = 1024 * 1024
    assert unpacked_cap(100) == 800 * mb
    assert unpacked_cap(2) == 16 * mb
    assert unpacked_cap(0) == 800 * mb  # max_archive_mb = 0 no longer lifts it
    assert unpacked_cap(0, 50) == 50 * mb and unpacked_cap(100, 0) == 0  # explicit, 0 = no cap
    m = SkillManager(user_dir=tmp_path / "u", project_dir=tmp_path / "p", max_archive_mb=0)
    try:
        assert m.max_scan_bytes == 800 * mb and m.max_extract_bytes == 0
    finally:
        asyncio.run(m.aclose())


@pytest.mark.parametrize("skills_config", [{"max_archive_mb": 0, "max_unpacked_mb": 3}])
async def test_max_unpacked_mb_is_read_from_config(jp_serverapp, skills_config):
    manager = jp_serverapp.web_app.settings["notebook_skills_manager"]
    assert manager.max_scan_bytes == 3 * 1024 * 1024


# ---- member caps: repository-wide for discovery, per skill for what is installed ----------


async def test_a_monorepo_with_more_files_than_the_skill_cap_previews_and_imports_by_id(jp_fetch, fake_github, skills_dirs):
    files = {f"src/pkg{i // 100}/f{i}.txt": "x" for i in range(12000)}  # more than one skill may hold
    files["skills/a/SKILL.md"] = skill_md("a", "A small skill.")
    fake_github.add_repo("acme", "mono", files)
    url = f"{fake_github.url}/acme/mono"
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": url})
    assert status == 200, data.get("message")
    assert [(c["id"], c["problems"]) for c in data["skills"]] == [("skills/a", [])] and data["errors"] == []
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "paths": ["skills/a"]})
    assert status == 201 and [s["name"] for s in data["skills"]] == ["a"] and data["errors"] == [], data
    user = skills_dirs["user"]
    assert sorted(p.name for p in (user / "a").iterdir()) == ["SKILL.md"]  # only the skill's own folder


async def test_each_skill_found_is_held_to_the_per_skill_member_cap(jp_fetch, fake_github, skills_dirs, monkeypatch):
    from notebook_skills.github import archive

    # the cap is the same code at 100 as at 10,000 (see test_api_hardening's _small_member_cap)
    monkeypatch.setattr(archive, "MAX_MEMBERS", 100)
    files = {f"big/data/f{i}.txt": "x" for i in range(150)}
    files["big/SKILL.md"] = skill_md("big", "Too many files.")
    files["skills/a/SKILL.md"] = skill_md("a", "A small skill.")
    fake_github.add_repo("acme", "mono", files)
    url = f"{fake_github.url}/acme/mono"

    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": url})
    assert status == 200, data.get("message")
    cands = {c["id"]: c for c in data["skills"]}
    assert sorted(cands) == ["big", "skills/a"] and data["errors"] == []
    assert cands["skills/a"]["problems"] == []
    assert cands["big"]["problems"] == [
        "The skill folder has more than 100 files and folders (member cap): it cannot be imported"]

    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "paths": ["skills/a", "big"]})
    assert status == 201, data
    assert [s["name"] for s in data["skills"]] == ["a"]
    assert data["errors"] == [{"path": "big", "message": "The skill folder has more than 100 files and folders (member cap)."}]
    user = skills_dirs["user"]
    assert (user / "a" / "SKILL.md").is_file() and not (user / "big").exists()

    # the folder's own URL: the same per-skill cap, the same message
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": f"{url}/tree/main/big", "scope": "user"})
    assert status == 400 and data["message"] == "The skill folder has more than 100 files and folders (member cap).", data
    assert not (user / "big").exists()
    assert list((user / ".notebook-skills" / "staging").iterdir()) == []


async def test_the_discovery_cap_names_what_it_counts(jp_fetch, fake_github, skills_dirs, monkeypatch):
    from notebook_skills.github import archive

    # the cap is the same code at 100 as at 200,000; a repository of 200,001 files would take minutes
    monkeypatch.setattr(archive, "MAX_SOURCE_MEMBERS", 100)
    files = {f"src/f{i}.txt": "x" for i in range(150)}
    files["skills/a/SKILL.md"] = skill_md("a", "A.")
    fake_github.add_repo("acme", "wide", files)
    says = ("acme/wide has more than 100 files and folders to search for skills (discovery cap); "
            "import a skill by its folder URL (.../tree/<ref>/<path>) instead")
    url = f"{fake_github.url}/acme/wide"
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": url})
    assert status == 400 and data["message"] == says, data
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
    assert status == 400 and data["message"] == says, data
    assert not skills_dirs["user"].exists() or [p.name for p in skills_dirs["user"].iterdir()] == [".notebook-skills"]
    # the skill's own folder is small: it imports
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": f"{url}/tree/main/skills/a", "scope": "user"})
    assert status == 201, data
    assert (skills_dirs["user"] / "a" / "SKILL.md").is_file()
