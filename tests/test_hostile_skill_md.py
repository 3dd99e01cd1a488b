"""Hostile SKILL.md files (a cloned repo controls them): read as strings or refused
with a clear 400 before anything is written — never a 500 on list or detail."""

from __future__ import annotations

import os

import pytest

from .helpers import call, tree_digest

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

ODD_KEYS = "---\nname: odd\ndescription: Odd keys.\non: push\n1: one\nnull: nothing\n~: tilde\nTrue: yes\n1.5: x\nmetadata:\n  2: two\n---\nBody\n"


def _put_on_disk(skills_dirs, name: str, text: str, scope: str = "project"):
    folder = skills_dirs[scope] / name
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(text)
    return folder


async def test_non_string_keys_are_read_as_their_text(jp_fetch, skills_dirs):
    _put_on_disk(skills_dirs, "odd", ODD_KEYS)
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200
    [odd] = data["skills"]
    assert odd["name"] == "odd" and odd["description"] == "Odd keys." and odd["problems"] == []
    status, data = await call(jp_fetch, "GET", "skills/project/odd")
    assert status == 200, data
    fm = data["skill"]["frontmatter"]
    assert fm["on"] == "push" and fm["1"] == "one" and fm["null"] == "nothing" and fm["~"] == "tilde"
    assert fm["True"] is True and fm["1.5"] == "x" and fm["metadata"] == {"2": "two"}


async def test_editing_a_skill_with_odd_keys_keeps_them(jp_fetch, skills_dirs):
    folder = _put_on_disk(skills_dirs, "odd", ODD_KEYS)
    status, data = await call(jp_fetch, "PUT", "skills/project/odd", {"description": "Still odd."})
    assert status == 200, data
    text = (folder / "SKILL.md").read_text()
    assert text == ODD_KEYS.replace("description: Odd keys.", "description: Still odd.")
    status, data = await call(jp_fetch, "POST", "skills/project/odd/rename", {"new_name": "even"})
    assert status == 200 and data["skill"]["frontmatter"]["on"] == "push"


@pytest.mark.parametrize(
    "frontmatter",
    [
        "name: bad\ndescription: d\n? [a, b]\n: list key\n",
        "name: bad\ndescription: d\n? {a: 1}\n: map key\n",
        "name: bad\ndescription: d\nmetadata:\n  ? [x]\n  : nested list key\n",
    ],
)
async def test_keys_that_are_collections(jp_fetch, skills_dirs, frontmatter):
    _put_on_disk(skills_dirs, "bad", f"---\n{frontmatter}---\nBody\n")
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200 and "keys must be plain text" in data["skills"][0]["problems"][0]
    status, data = await call(jp_fetch, "GET", "skills/project/bad")
    assert status == 200 and data["skill"]["frontmatter"] == {}
    # writing such a SKILL.md is refused before it reaches the disk
    await call(jp_fetch, "POST", "skills", {"scope": "user", "name": "good", "description": "Good."})
    good = skills_dirs["user"] / "good"
    before = tree_digest(good)
    status, data = await call(
        jp_fetch, "PUT", "skills/user/good/files", {"content": f"---\n{frontmatter}---\nBody\n"}, params={"path": "SKILL.md"}
    )
    assert status == 400 and "keys must be plain text" in data["message"]
    assert tree_digest(good) == before


async def test_rename_validates_the_new_skill_md_before_moving(jp_fetch, skills_dirs):
    # flow-style frontmatter cannot be edited line by line: the rename must fail untouched
    folder = _put_on_disk(skills_dirs, "flowy", "---\n{name: flowy, description: Flow style.}\n---\nBody\n")
    before = tree_digest(folder)
    status, data = await call(jp_fetch, "POST", "skills/project/flowy/rename", {"new_name": "other"})
    assert status == 400, data
    assert folder.is_dir() and tree_digest(folder) == before
    assert not (skills_dirs["project"] / "other").exists()


async def test_untrack_validates_before_touching_bookkeeping(jp_fetch, skills_dirs):
    folder = _put_on_disk(
        skills_dirs, "flowy",
        "---\n{name: flowy, description: d, source: 'https://github.com/o/r', tracks_upstream: true,"
        " tracking_ref: '" + "a" * 40 + "'}\n---\n",
    )
    book = skills_dirs["project"] / ".notebook-skills"
    status, data = await call(jp_fetch, "PUT", "skills/project/flowy", {"tracks_upstream": False})
    assert status == 400, data
    # nothing recorded for a change that did not happen (lock files may exist)
    assert not (book / "records" / "flowy.json").exists()
    assert not [p for area in ("records", "journal", "generations") for p in (book / area).rglob("*")]
    assert "tracks_upstream: true" in (folder / "SKILL.md").read_text()


@pytest.mark.parametrize("value", ["1" * 5000, "!!int abc", "!!bool maybe", "!!map [a]", "!!float nope", "!!set {a}"])
async def test_values_yaml_cannot_construct(jp_fetch, skills_dirs, value):
    _put_on_disk(skills_dirs, "bad", f"---\nname: bad\ndescription: d\nx: {value}\n---\nBody\n")
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200 and data["skills"][0]["problems"][0].startswith("SKILL.md cannot be read"), data
    status, data = await call(jp_fetch, "GET", "skills/project/bad")
    assert status == 200 and data["skill"]["problems"]
    status, data = await call(jp_fetch, "PUT", "skills/project/bad", {"description": "new"})
    assert status == 400 and "SKILL.md" in data["message"]
    await call(jp_fetch, "POST", "skills", {"scope": "user", "name": "good", "description": "Good."})
    before = tree_digest(skills_dirs["user"] / "good")
    status, data = await call(jp_fetch, "PUT", "skills/user/good/files",
                              {"content": f"---\nname: good\ndescription: d\nx: {value}\n---\n"}, params={"path": "SKILL.md"})
    assert status == 400 and "SKILL.md" in data["message"], data
    assert tree_digest(skills_dirs["user"] / "good") == before


@pytest.mark.skipif(not os.path.isfile("/proc/self/mem"), reason="needs Linux /proc")
async def test_a_linked_skill_md_is_that_skills_problem_not_a_failed_list(jp_fetch, skills_dirs):
    """A cloned repository can ship SKILL.md as a link to something that fails on read
    (here /proc/self/mem: EIO): it is never read through, and the other skills are listed."""
    folder = skills_dirs["project"] / "broken"
    folder.mkdir(parents=True)
    os.symlink("/proc/self/mem", folder / "SKILL.md")
    _put_on_disk(skills_dirs, "fine", "---\nname: fine\ndescription: Fine.\n---\nBody\n")
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200, data
    by_name = {s["name"]: s for s in data["skills"]}
    assert by_name["fine"]["problems"] == []
    assert by_name["broken"]["problems"] == [
        "SKILL.md cannot be read: Invalid file path 'SKILL.md': it goes through a symbolic link"
    ]
    status, data = await call(jp_fetch, "GET", "skills/project/broken")
    assert status == 200 and data["skill"]["problems"][0].startswith("SKILL.md cannot be read"), data
