"""The files API as a JupyterLab contents drive uses it: version stamps on read, a
precondition on write (409 changed_on_disk, nothing written), and product frontmatter
keys that a stale SKILL.md buffer cannot roll back."""

from __future__ import annotations

import hashlib
import os

from .helpers import call, skill_md, tree_digest

FILES = "skills/user/csv-helper/files"


async def _create(jp_fetch):
    status, _ = await call(jp_fetch, "POST", "skills", {"scope": "user", "name": "csv-helper", "description": "Reads CSV files."})
    assert status == 201


async def _read(jp_fetch, path="SKILL.md"):
    status, data = await call(jp_fetch, "GET", FILES, params={"path": path})
    assert status == 200, data
    return data


async def test_read_answers_hash_and_last_modified(jp_fetch, skills_dirs):
    await _create(jp_fetch)
    on_disk = (skills_dirs["user"] / "csv-helper" / "SKILL.md").read_bytes()
    data = await _read(jp_fetch)
    assert data["content"].encode() == on_disk
    assert data["hash"] == hashlib.sha256(on_disk).hexdigest() and data["hash_algorithm"] == "sha256"
    assert data["last_modified"].endswith("Z") and data["last_modified"][:4].isdigit()


async def test_write_with_current_hash_saves_and_answers_the_new_stamp(jp_fetch, skills_dirs):
    await _create(jp_fetch)
    first = await _read(jp_fetch)
    new = first["content"] + "More notes.\n"
    status, data = await call(jp_fetch, "PUT", FILES, {"content": new, "hash": first["hash"]}, params={"path": "SKILL.md"})
    assert status == 200, data
    assert (skills_dirs["user"] / "csv-helper" / "SKILL.md").read_text() == new
    assert data["hash"] == hashlib.sha256(new.encode()).hexdigest() and "content" not in data
    assert data["skill"]["body"].endswith("More notes.\n")


async def test_stale_write_is_409_changed_on_disk_and_keeps_the_disk_version(jp_fetch, skills_dirs):
    await _create(jp_fetch)
    opened = await _read(jp_fetch)
    path = skills_dirs["user"] / "csv-helper" / "SKILL.md"
    terminal_edit = opened["content"] + "Edited in a terminal.\n"
    path.write_text(terminal_edit)
    status, data = await call(jp_fetch, "PUT", FILES, {"content": opened["content"] + "Editor buffer.\n", "hash": opened["hash"]},
                              params={"path": "SKILL.md"})
    assert status == 409, data
    assert data["reason"] == "changed_on_disk" and "changed on disk" in data["message"]
    assert path.read_text() == terminal_edit


async def test_precondition_on_a_helper_file_and_on_a_deleted_file(jp_fetch, skills_dirs):
    await _create(jp_fetch)
    status, _ = await call(jp_fetch, "PUT", FILES, {"content": "a = 1\n"}, params={"path": "scripts/run.py"})
    assert status == 200
    opened = await _read(jp_fetch, "scripts/run.py")
    run = skills_dirs["user"] / "csv-helper" / "scripts" / "run.py"
    os.unlink(run)
    status, data = await call(jp_fetch, "PUT", FILES, {"content": "a = 2\n", "hash": opened["hash"]}, params={"path": "scripts/run.py"})
    assert status == 409 and data["reason"] == "changed_on_disk"
    assert not run.exists()


async def test_write_without_precondition_still_overwrites(jp_fetch, skills_dirs):
    await _create(jp_fetch)
    status, _ = await call(jp_fetch, "PUT", FILES, {"content": "x\n"}, params={"path": "notes.md"})
    assert status == 200
    (skills_dirs["user"] / "csv-helper" / "notes.md").write_text("changed\n")
    status, _ = await call(jp_fetch, "PUT", FILES, {"content": "y\n"}, params={"path": "notes.md"})
    assert status == 200 and (skills_dirs["user"] / "csv-helper" / "notes.md").read_text() == "y\n"


async def test_stale_skill_md_buffer_cannot_roll_back_product_keys(jp_fetch, fake_github, skills_dirs):
    files = {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "Reads CSV files.")}
    first = fake_github.add_repo("acme", "data-skills", files)
    url = f"{fake_github.url}/acme/data-skills/tree/main/skills/csv-helper"
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "tracks_upstream": True})
    assert status == 201, data
    stale = (await _read(jp_fetch))["content"]
    assert f"tracking_ref: {first}" in stale
    second = fake_github.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "Reads CSV files.", body="v2\n")})
    status, data = await call(jp_fetch, "POST", "skills/user/csv-helper/sync")
    assert status == 200 and data["ref"] == second
    # An editor still holding the pre-sync buffer saves it (no precondition), and also
    # tries to switch tracking off and point source elsewhere by hand.
    edited = stale.replace("tracks_upstream: true\n", "").replace(url, "https://example.com/x") + "My note.\n"
    status, data = await call(jp_fetch, "PUT", FILES, {"content": edited}, params={"path": "SKILL.md"})
    assert status == 200, data
    text = (skills_dirs["user"] / "csv-helper" / "SKILL.md").read_text()
    assert f"tracking_ref: {second}" in text and first not in text
    assert "tracks_upstream: true" in text and f"source: {url}" in text and "example.com" not in text
    assert text.endswith("My note.\n")
    assert data["skill"]["tracking_ref"] == second and data["skill"]["tracks_upstream"] is True


async def test_skill_md_save_cannot_add_product_keys(jp_fetch, skills_dirs):
    await _create(jp_fetch)
    text = (await _read(jp_fetch))["content"]
    forged = text.replace("description:", "tracks_upstream: true\ntracking_ref: " + "a" * 40 + "\ndescription:", 1)
    status, data = await call(jp_fetch, "PUT", FILES, {"content": forged}, params={"path": "SKILL.md"})
    assert status == 200, data
    saved = (skills_dirs["user"] / "csv-helper" / "SKILL.md").read_text()
    assert "tracks_upstream" not in saved and "tracking_ref" not in saved
    assert data["skill"]["tracks_upstream"] is False


async def test_folder_with_an_invalid_name_is_listed_with_a_problem(jp_fetch, skills_dirs):
    await _create(jp_fetch)
    bad = skills_dirs["user"] / "My Skill"
    bad.mkdir()
    (bad / "SKILL.md").write_text(skill_md("my-skill"))
    (skills_dirs["user"] / "no-skill-md").mkdir()  # a plain folder is not a skill
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200
    by_name = {s["name"]: s for s in data["skills"]}
    assert set(by_name) == {"csv-helper", "My Skill"}
    assert "not a valid skill name" in by_name["My Skill"]["problems"][0]
    assert by_name["csv-helper"]["problems"] == []
    assert (bad / "SKILL.md").is_file()  # listing never touches it


async def test_skill_md_save_renders_product_keys_from_the_install_record(jp_fetch, fake_github, skills_dirs):
    files = {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "Reads CSV files.")}
    sha = fake_github.add_repo("acme", "data-skills", files)
    url = f"{fake_github.url}/acme/data-skills/tree/main/skills/csv-helper"
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "tracks_upstream": True})
    assert status == 201, data
    # A terminal edit rewrites the product keys on disk; the record still says what is installed.
    path = skills_dirs["user"] / "csv-helper" / "SKILL.md"
    path.write_text(path.read_text().replace(f"tracking_ref: {sha}", "tracking_ref: " + "b" * 40)
                    .replace("tracks_upstream: true\n", ""))
    opened = await _read(jp_fetch)
    status, data = await call(jp_fetch, "PUT", FILES, {"content": opened["content"] + "Note.\n", "hash": opened["hash"]},
                              params={"path": "SKILL.md"})
    assert status == 200, data
    text = path.read_text()
    assert f"tracking_ref: {sha}" in text and "b" * 40 not in text and "tracks_upstream: true" in text
    assert text.endswith("Note.\n") and data["hash"] == hashlib.sha256(text.encode()).hexdigest()


async def test_skill_md_save_of_a_skill_without_record_keeps_its_own_keys(jp_fetch, skills_dirs):
    folder = skills_dirs["user"] / "hand-made"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(skill_md("hand-made", extra="source: https://example.com/x\n"))
    files = "skills/user/hand-made/files"
    status, opened = await call(jp_fetch, "GET", files, params={"path": "SKILL.md"})
    assert status == 200
    edited = opened["content"].replace("https://example.com/x", "https://example.com/y")
    status, data = await call(jp_fetch, "PUT", files, {"content": edited, "hash": opened["hash"]}, params={"path": "SKILL.md"})
    assert status == 200, data
    assert (folder / "SKILL.md").read_text() == edited  # not installed by us: nothing to re-apply


# ---- a skill folder that is a link: listed and readable, never written through ----------


async def test_every_write_on_a_linked_skill_folder_is_refused_before_anything_changes(jp_fetch, skills_dirs, tmp_path):
    user = skills_dirs["user"]
    user.mkdir(parents=True)
    real = tmp_path / "elsewhere" / "mine"
    (real / "notes").mkdir(parents=True)
    (real / "SKILL.md").write_text(skill_md("mine", "Mine."))
    (real / "notes" / "a.md").write_text("keep me\n")
    os.symlink(real, user / "mine")
    before = tree_digest(real)

    status, data = await call(jp_fetch, "GET", "skills")
    assert [s["name"] for s in data["skills"]] == ["mine"]
    assert (await call(jp_fetch, "GET", "skills/user/mine/files", params={"path": "notes/a.md"}))[0] == 200

    writes = [
        ("PUT", "skills/user/mine", {"description": "Changed."}, None),
        ("PUT", "skills/user/mine", {"body": "# New body\n"}, None),
        ("PUT", "skills/user/mine/files", {"content": "hello"}, {"path": "new.md"}),
        ("PUT", "skills/user/mine/files", {"content": "overwritten"}, {"path": "notes/a.md"}),
        ("DELETE", "skills/user/mine/files", None, {"path": "notes/a.md"}),
        ("POST", "skills/user/mine/rename", {"new_name": "other"}, None),
    ]
    for method, path, body, params in writes:
        status, data = await call(jp_fetch, method, path, body, params=params)
        assert status == 409, (method, path, params, data)
        assert data["reason"] == "exists" and "is a link to a skill folder" in data["message"], data
        # nothing was written through the link, moved to trash or renamed
        assert tree_digest(real) == before, (method, path, params)
        assert not os.path.lexists(user / "other")
        trash = user / ".notebook-skills" / "trash"
        assert not trash.is_dir() or list(trash.iterdir()) == []
    assert (user / "mine").is_symlink()
