"""Discovery rules: which folders are skills, and what a preview says about each."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from notebook_skills.errors import Invalid
from notebook_skills.sources.discovery import (
    describe,
    describe_all,
    find_skill_folders,
    flag_collisions,
    install_name,
    list_bundle,
)

from .helpers import skill_md


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_every_depth_and_the_dot_folder_rules(tmp_path):
    write(tmp_path, {
        "SKILL.md": skill_md("root"),
        "a/SKILL.md": skill_md("a"),
        "a/b/c/d/SKILL.md": skill_md("deep"),
        ".claude/skills/x/SKILL.md": skill_md("x"),
        ".claude-plugin/y/SKILL.md": skill_md("y"),
        ".git/z/SKILL.md": skill_md("z"),
        ".github/w/SKILL.md": skill_md("w"),
        "plugins/.hidden/v/SKILL.md": skill_md("v"),
        "docs/skill.md": "not the right case",
        "e/SKILL.md/inner": "a folder named SKILL.md is not a skill",
    })
    assert find_skill_folders(tmp_path) == ["", ".claude-plugin/y", ".claude/skills/x", "a", "a/b/c/d"]


def test_links_are_never_followed(tmp_path):
    outside = tmp_path / "outside"
    write(outside, {"s/SKILL.md": skill_md("s")})
    root = tmp_path / "repo"
    write(root, {"real/SKILL.md": skill_md("real"), "real/notes.md": "n"})
    os.symlink(outside, root / "linked-dir")
    os.symlink(outside / "s" / "SKILL.md", root / "real" / "linked.md")
    (root / "linked-skill").mkdir()
    os.symlink(outside / "s" / "SKILL.md", root / "linked-skill" / "SKILL.md")
    os.mkfifo(root / "real" / "pipe")
    assert find_skill_folders(root) == ["real"]
    files, odd = list_bundle(root / "real")
    assert files == ["SKILL.md", "notes.md"] and odd == ["linked.md", "pipe"]


def test_deep_trees_do_not_recurse(tmp_path):
    rel = ["d"] * 1200
    deep = tmp_path
    for part in rel:  # os.makedirs itself recurses
        deep = deep / part
        deep.mkdir()
    (deep / "SKILL.md").write_text(skill_md("deep"))
    try:
        found = find_skill_folders(tmp_path)
        assert found == ["/".join(rel)]
        files, _ = list_bundle(tmp_path / "d")
        assert files == ["/".join(rel[1:] + ["SKILL.md"])]
    finally:  # bottom-up: pytest's own clean-up of old tmp dirs recurses on 3.11
        (deep / "SKILL.md").unlink()
        while deep != tmp_path:
            deep.rmdir()
            deep = deep.parent


def test_folder_cap(tmp_path):
    for i in range(30):
        (tmp_path / f"f{i}").mkdir()
    with pytest.raises(Invalid, match="More than 10 folders"):
        find_skill_folders(tmp_path, max_folders=10)


def test_describe_problems(tmp_path):
    write(tmp_path, {
        "ok/SKILL.md": skill_md("ok", "Fine."),
        "Bad Name/SKILL.md": "---\nname: Bad Name!\n---\nbody\n",
        "big/SKILL.md": skill_md("big"),
        "big/blob.bin": "x" * 3000,
        "links/SKILL.md": skill_md("links"),
        "broken/SKILL.md": "---\nname: [x\n---\n",
    })
    os.symlink("/etc/passwd", tmp_path / "links" / "passwd")
    ok = describe(tmp_path, "ok")
    assert (ok.name, ok.description, ok.files, ok.problems) == ("ok", "Fine.", ["SKILL.md"], [])
    bad = describe(tmp_path, "Bad Name", fallback_names=["repo"])
    assert bad.name == "bad-name"
    assert any("not a valid skill name" in p for p in bad.problems)
    assert any("no description" in p for p in bad.problems)
    big = describe(tmp_path, "big", max_skill_bytes=1000)
    assert any("skill limit" in p for p in big.problems)
    links = describe(tmp_path, "links", skipped=["links/evil-device", "other/x"])
    assert links.files == ["SKILL.md"]
    assert [p for p in links.problems if "will not be installed" in p] == [
        "'evil-device' is a link, a special file or an unsafe path and will not be installed",
        "'passwd' is a link, a special file or an unsafe path and will not be installed",
    ]
    found, errors = describe_all(tmp_path, ["ok", "broken"])
    assert [f.rel for f in found] == ["ok"] and errors[0][0] == "broken" and "broken/SKILL.md" in errors[0][1]


def test_root_skill_falls_back_to_repo_name(tmp_path):
    write(tmp_path, {"SKILL.md": "---\ndescription: d\n---\n"})
    assert describe(tmp_path, "", fallback_names=["My Repo"]).name == "my-repo"


def test_install_name_is_describe_s_name(tmp_path):
    """An import by id reads only the name (install_name): the one its preview showed."""
    write(tmp_path, {
        "SKILL.md": "---\ndescription: d\n---\n",
        "ok/SKILL.md": skill_md("given-name"),
        "Bad Name/SKILL.md": "---\nname: Bad Name!\n---\nbody\n",
        "plain-folder/SKILL.md": "no frontmatter\n",
        "broken/SKILL.md": "---\nname: [x\n---\n",
        "huge/SKILL.md": "x" * (1024 * 1024 + 1),
    })
    expected = {"": "my-repo", "ok": "given-name", "Bad Name": "bad-name", "plain-folder": "plain-folder"}
    for rel, name in expected.items():
        assert install_name(tmp_path, rel, fallback_names=["My Repo"]) == name
        assert describe(tmp_path, rel, fallback_names=["My Repo"]).name == name
    for rel, why in (("broken", ""), ("huge", "larger than 1 MiB")):
        with pytest.raises(Invalid, match=why):
            install_name(tmp_path, rel)
        with pytest.raises(Invalid, match=why):
            describe(tmp_path, rel)


def test_same_name_collisions_flag_both():
    cands = [SimpleNamespace(id=i, name=n, problems=[]) for i, n in [("a", "x"), ("b", "x"), ("c", "y")]]
    flag_collisions(cands)
    assert "'b'" in cands[0].problems[0] and "'a'" in cands[1].problems[0]
    assert cands[2].problems == []


# ---- import of a repository URL follows the same rules as its preview -----------------------


async def test_import_of_a_repository_url_uses_the_preview_s_discovery_rules(jp_fetch, fake_github, skills_dirs):
    from .helpers import call

    fake_github.add_repo("acme", "dots", {
        "skills/a/SKILL.md": skill_md("a", "A."),
        ".archive/old/SKILL.md": skill_md("old", "An archived skill: dot-folders are skipped."),
        ".github/workflows/SKILL.md": skill_md("ci", "Not a skill folder either."),
    })
    url = f"{fake_github.url}/acme/dots"
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": url})
    assert status == 200 and [c["path"] for c in data["skills"]] == ["skills/a"], data
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
    assert status == 201, data  # one skill, as the preview showed: not "holds 3 skills"
    assert data["skill"]["name"] == "a" and data["skill"]["source"].endswith("/acme/dots/tree/main/skills/a")
    user = skills_dirs["user"]
    assert sorted(p.name for p in user.iterdir() if not p.name.startswith(".")) == ["a"]
    assert "description: A." in (user / "a" / "SKILL.md").read_text()
