"""The store through the REST API: records, re-checks under the lock, never
clobbering, two processes on one home, equal user/project dirs (issue 6)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import call, skill_md, tree_digest
from .test_api_github import import_skill, seed

ROOT = Path(__file__).resolve().parent.parent
CSV = "skills/user/csv-helper"


def push_v2(fake) -> str:
    return fake.commit("acme", "data-skills", {"skills/csv-helper/SKILL.md": skill_md("csv-helper", "Reads CSV files, v2.")})


async def wait_for(event, what: str) -> None:
    assert await asyncio.to_thread(event.wait, 20), f"timed out waiting for {what}"


# ---- re-check under the lock ------------------------------------------------------


async def test_edit_during_the_download_is_kept_and_sync_answers_409(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    status, data = await import_skill(jp_fetch, fake_github)
    old_ref = data["skill"]["tracking_ref"]
    push_v2(fake_github)
    requested, release = fake_github.hold_archives()
    sync = asyncio.ensure_future(call(jp_fetch, "POST", CSV + "/sync"))
    try:
        await wait_for(requested, "the archive download")
        # an editor or an agent writes into the skill while the update downloads
        (skills_dirs["user"] / "csv-helper" / "notes.md").write_text("my edit")
    finally:
        release.set()
    status, data = await sync
    assert status == 409 and data["reason"] == "changed_on_disk", data
    folder = skills_dirs["user"] / "csv-helper"
    assert (folder / "notes.md").read_text() == "my edit"
    assert "v2" not in (folder / "SKILL.md").read_text()
    status, data = await call(jp_fetch, "GET", CSV)
    assert data["skill"]["tracking_ref"] == old_ref and data["skill"]["locally_modified"] is True
    assert data["skill"]["revert_ref"] is None


async def test_sync_keeps_the_previous_generation_for_revert(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    _, data = await import_skill(jp_fetch, fake_github)
    old_ref = data["skill"]["tracking_ref"]
    new_sha = push_v2(fake_github)
    status, data = await call(jp_fetch, "POST", CSV + "/sync")
    assert status == 200 and data == {"updated": True, "ref": new_sha}
    _, data = await call(jp_fetch, "GET", CSV)
    assert data["skill"]["tracking_ref"] == new_sha and data["skill"]["revert_ref"] == old_ref
    assert data["skill"]["update_available"] is False and data["skill"]["locally_modified"] is False
    book = skills_dirs["user"] / ".notebook-skills"
    record = json.loads((book / "records" / "csv-helper.json").read_text())
    generation = book / "generations" / record["previous"]["folder"]
    assert "Reads CSV files.\n" in (generation / "SKILL.md").read_text()
    assert (generation / "scripts" / "read.py").is_file()


# ---- never clobber ----------------------------------------------------------------


@pytest.mark.parametrize("overwrite", [False, True])
async def test_import_never_replaces_what_is_not_a_skill(jp_fetch, fake_github, skills_dirs, overwrite):
    seed(fake_github)
    user = skills_dirs["user"]
    (user / "csv-helper").mkdir(parents=True)
    (user / "csv-helper" / "draft.md").write_text("my draft, no SKILL.md yet")
    (user / "plot-style").write_text("a plain file")
    before = tree_digest(user / "csv-helper")
    for path in ("skills/csv-helper", "skills/plot-style"):
        status, data = await import_skill(jp_fetch, fake_github, path=path, overwrite=overwrite)
        assert status == 409 and data["reason"] == "exists", data
        assert "not a skill" in data["message"]
    assert tree_digest(user / "csv-helper") == before
    assert (user / "plot-style").read_text() == "a plain file"
    assert sorted(p.name for p in user.iterdir()) == [".notebook-skills", "csv-helper", "plot-style"]


async def test_import_without_overwrite_is_409_exists(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    status, data = await import_skill(jp_fetch, fake_github)
    assert status == 409 and data["reason"] == "exists"


# ---- records ----------------------------------------------------------------------


async def test_overwrite_without_tracks_upstream_keeps_the_tracking_state(jp_fetch, fake_github):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github, tracks=True)
    url = f"{fake_github.url}/acme/data-skills/tree/main/skills/csv-helper"
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "overwrite": True})
    assert status == 200 and data["skill"]["tracks_upstream"] is True
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "overwrite": True,
                                                                  "tracks_upstream": False})
    assert status == 200 and data["skill"]["tracks_upstream"] is False
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "overwrite": True})
    assert status == 200 and data["skill"]["tracks_upstream"] is False
    status, data = await call(jp_fetch, "POST", "skills/import", {"url": url.replace("csv-helper", "plot-style"),
                                                                  "scope": "user"})
    assert status == 201 and data["skill"]["tracks_upstream"] is False


async def test_tracking_toggle_uses_the_recorded_commit_and_writes_frontmatter_from_it(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    _, data = await import_skill(jp_fetch, fake_github, tracks=False)
    assert data["skill"]["tracking_ref"] is None
    installed = json.loads((skills_dirs["user"] / ".notebook-skills" / "records" / "csv-helper.json").read_text())["commit"]
    push_v2(fake_github)  # the branch moves on: tracking must name what is installed
    status, data = await call(jp_fetch, "PUT", CSV, {"tracks_upstream": True})
    assert status == 200 and data["skill"]["tracking_ref"] == installed
    text = (skills_dirs["user"] / "csv-helper" / "SKILL.md").read_text()
    assert f"tracking_ref: {installed}\n" in text and "tracks_upstream: true\n" in text
    status, data = await call(jp_fetch, "PUT", CSV, {"tracks_upstream": False})
    assert data["skill"]["tracks_upstream"] is False
    text = (skills_dirs["user"] / "csv-helper" / "SKILL.md").read_text()
    assert "tracking_ref" not in text and "tracks_upstream" not in text and "source: " in text
    assert data["skill"]["locally_modified"] is False


async def test_a_tracking_skill_without_record_is_unknown_and_not_overwritten(jp_fetch, fake_github, skills_dirs):
    """As notebook-intelligence, or a project cloned with .claude/skills, leaves it."""
    sha = seed(fake_github)
    folder = skills_dirs["project"] / "csv-helper"
    folder.mkdir(parents=True)
    source = f"{fake_github.url}/acme/data-skills/tree/main/skills/csv-helper"
    (folder / "SKILL.md").write_text(skill_md("csv-helper", "Edited locally.",
                                              extra=f"source: {source}\ntracks_upstream: true\ntracking_ref: {sha}\n"))
    before = tree_digest(folder)
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200
    [skill] = data["skills"]
    assert skill["tracks_upstream"] is True and skill["locally_modified"] is None and skill["tracking_ref"] == sha
    status, data = await call(jp_fetch, "POST", "skills/project/csv-helper/sync")
    assert status == 409 and data["reason"] == "locally_modified", data
    assert tree_digest(folder) == before


async def test_record_of_a_folder_removed_by_hand_is_not_inherited(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_skill(jp_fetch, fake_github)
    folder = skills_dirs["user"] / "csv-helper"
    shutil.rmtree(folder)
    folder.mkdir()
    (folder / "SKILL.md").write_text(skill_md("csv-helper", "My own skill of the same name."))
    status, data = await call(jp_fetch, "GET", CSV)
    skill = data["skill"]
    assert (skill["source"], skill["tracks_upstream"], skill["locally_modified"]) == (None, False, False)
    status, data = await call(jp_fetch, "POST", CSV + "/sync")
    assert status == 400  # not tracking: nothing inherited


async def test_rename_moves_the_record(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    _, data = await import_skill(jp_fetch, fake_github)
    ref = data["skill"]["tracking_ref"]
    status, data = await call(jp_fetch, "POST", CSV + "/rename", {"new_name": "csv-tools"})
    assert status == 200
    skill = data["skill"]
    assert (skill["tracking_ref"], skill["locally_modified"], skill["problems"]) == (ref, False, [])
    records = skills_dirs["user"] / ".notebook-skills" / "records"
    assert sorted(os.listdir(records)) == ["csv-tools.json"]
    (skills_dirs["user"] / "taken").write_text("a file")
    status, data = await call(jp_fetch, "POST", "skills/user/csv-tools/rename", {"new_name": "taken"})
    assert status == 409 and data["reason"] == "exists"
    assert (skills_dirs["user"] / "taken").read_text() == "a file"


# ---- two processes on one home ------------------------------------------------------


async def test_a_second_process_imports_while_the_first_one_syncs(jp_fetch, fake_github, skills_dirs):
    """Two servers on one home: while this one's sync waits for its archive, a second
    process starts (recovery), downloads, unpacks and stages an import of its own in the
    same bookkeeping, and installs it; neither touches the other's work."""
    seed(fake_github)
    fake_github.add_repo("acme", "more-skills", {"skills/other/SKILL.md": skill_md("other", "From another process."),
                                                  "skills/other/run.sh": "echo other\n"})
    await import_skill(jp_fetch, fake_github)
    new_sha = push_v2(fake_github)
    requested, release = fake_github.hold_archives("acme/data-skills")  # only this server's download waits
    sync = asyncio.ensure_future(call(jp_fetch, "POST", CSV + "/sync"))
    book = skills_dirs["user"] / ".notebook-skills"
    try:
        await wait_for(requested, "the archive download")
        in_flight = sorted(os.listdir(book / "tmp"))
        assert in_flight, "the download has a work dir"
        fake_github.clear_log()
        proc = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "tests.second_process", str(skills_dirs["user"]), str(skills_dirs["project"]),
             fake_github.url, fake_github.api_url, f"{fake_github.url}/acme/more-skills/tree/main/skills/other"],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)
        assert out["notes"] == []  # nothing of the live server's was judged a leftover
        assert out["skill"]["name"] == "other" and out["skill"]["tracks_upstream"] is True
        # the second process really went to GitHub for its own archive, mid-sync
        assert [r.path.split("/")[3] for r in fake_github.requests_to("codeload")] == ["more-skills"]
        assert sorted(os.listdir(book / "tmp")) == in_flight  # its work dirs are gone, ours untouched
        assert not sync.done()
    finally:
        release.set()
    status, data = await sync
    assert status == 200 and data == {"updated": True, "ref": new_sha}
    _, data = await call(jp_fetch, "GET", "skills")
    assert sorted(s["name"] for s in data["skills"]) == ["csv-helper", "other"]
    other = skills_dirs["user"] / "other"
    assert (other / "run.sh").read_text() == "echo other\n" and "From another process." in (other / "SKILL.md").read_text()
    _, data = await call(jp_fetch, "GET", "skills/user/other")
    assert data["skill"]["locally_modified"] is False and data["skill"]["tracking_ref"] is not None
    assert sorted(os.listdir(book / "records")) == ["csv-helper.json", "other.json"]
    assert os.listdir(book / "staging") == [] and os.listdir(book / "journal") == []


# ---- equal user and project dirs ------------------------------------------------------


class TestEqualUserAndProjectDirs:
    @pytest.fixture
    def skills_dirs(self, tmp_path):
        same = tmp_path / "home" / ".claude" / "skills"
        return {"user": same, "project": Path(str(tmp_path / "home" / ".claude" / ".." / ".claude" / "skills"))}

    async def test_one_scope_listed_and_synced_once(self, jp_fetch, fake_github, skills_dirs):
        seed(fake_github)
        url = f"{fake_github.url}/acme/data-skills/tree/main/skills/csv-helper"
        status, data = await call(jp_fetch, "POST", "skills/import",
                                  {"url": url, "scope": "project", "tracks_upstream": True})
        assert status == 201 and data["skill"]["scope"] == "user"
        _, data = await call(jp_fetch, "GET", "skills")
        assert [(s["scope"], s["name"]) for s in data["skills"]] == [("user", "csv-helper")]
        push_v2(fake_github)
        fake_github.clear_log()
        status, data = await call(jp_fetch, "POST", "skills/sync-all-tracking")
        assert status == 200 and len(data["results"]) == 1 and data["results"][0]["updated"] is True
        assert len(fake_github.requests_to("tarball")) == 1
        status, data = await call(jp_fetch, "GET", "skills/project/csv-helper")
        assert status == 200 and "v2" in data["skill"]["description"]


# ---- a cloned repository ships a linked bookkeeping area ------------------------------

LINKED_AREAS = ["tmp", "staging", "records", "generations", "backup", "journal", "trash"]


@pytest.fixture(params=LINKED_AREAS)
def hostile_clone(request, skills_dirs, tmp_path):
    """`<project>/.claude/skills/.notebook-skills/<area> -> ../../data`, as git can store it,
    with entries behind the link named like a stopped server's leftovers of every kind."""
    project = skills_dirs["project"]
    data = project.parent.parent / "data"
    (data / "archives.0123456789abcdef.x1").mkdir(parents=True)
    (data / "archives.0123456789abcdef.x1" / "results.csv").write_text("1,2,3\n")
    (data / "cloned.0123456789abcdef.x2").mkdir()
    (data / "cloned.0123456789abcdef.x2" / "SKILL.md").write_text(skill_md("cloned", "A parked bundle."))
    (data / "s.0123456789abcdef.0a0b").write_text("precious")
    (data / "cloned.json").write_text(json.dumps({"version": 1, "tracking": True}))
    (data / "cloned.0123456789abcdef.json").write_text(json.dumps(
        {"op": "install", "name": "cloned", "staged": "cloned.0123456789abcdef.x2", "new_id": "1", "record": {}}))
    (project / ".notebook-skills").mkdir(parents=True)
    os.symlink("../../data", project / ".notebook-skills" / request.param)
    (project / "cloned").mkdir()
    (project / "cloned" / "SKILL.md").write_text(skill_md("cloned", "Came with the repository."))
    return data, tree_digest(data)


class TestLinkedBookkeeping:
    @pytest.fixture
    def jp_server_config(self, jp_server_config, hostile_clone):
        return jp_server_config  # the link exists before the server starts (recovery runs)

    async def test_files_behind_the_link_are_untouched(self, jp_fetch, fake_github, skills_dirs, hostile_clone):
        data, before = hostile_clone
        project = skills_dirs["project"]
        status, body = await call(jp_fetch, "GET", "skills")
        assert status == 200 and [s["name"] for s in body["skills"]] == ["cloned"]
        seed(fake_github)
        url = f"{fake_github.url}/acme/data-skills/tree/main/skills/csv-helper"
        refused = []
        for method, path, payload, ok in [
            ("POST", "skills/import", {"url": url, "scope": "project"}, 201),
            ("POST", "skills/import", {"url": url, "scope": "project", "overwrite": True}, (200, 201)),
            ("PUT", "skills/project/cloned", {"description": "Edited."}, 200),
            ("PUT", "skills/project/cloned/files", {"content": "x"}, 200),
            ("POST", "skills/project/cloned/rename", {"new_name": "kept"}, 200),
            ("DELETE", "skills/project/{renamed}", None, 204),
        ]:
            path = path.format(renamed="kept" if (project / "kept").exists() else "cloned")
            existed = sorted(p.name for p in project.iterdir())
            params = {"path": "notes.md"} if path.endswith("/files") else None
            status, body = await call(jp_fetch, method, path, payload, params=params)
            if status == 409:
                assert "link" in body["message"], (method, path, body)
                refused.append(path)
                assert sorted(p.name for p in project.iterdir()) == existed, (method, path)  # nothing moved
            else:
                assert status in (ok if isinstance(ok, tuple) else (ok,)), (method, path, status, body)
            assert tree_digest(data) == before, (method, path)
        assert refused, "every area is used by one of these writes, and a linked one is refused"
        status, body = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
        assert status == 201, body  # the user scope is not affected
        assert tree_digest(data) == before


async def test_tracking_a_record_less_skill_adopts_it_as_unknown(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    folder = skills_dirs["user"] / "csv-helper"
    folder.mkdir(parents=True)
    source = f"{fake_github.url}/acme/data-skills/tree/main/skills/csv-helper"
    (folder / "SKILL.md").write_text(skill_md("csv-helper", "Mine.", extra=f"source: {source}\n"))
    status, data = await call(jp_fetch, "PUT", CSV, {"tracks_upstream": True})
    assert status == 200, data
    skill = data["skill"]
    assert skill["tracks_upstream"] is True and skill["tracking_ref"] is None and skill["locally_modified"] is None
    assert skill["source"] == source
    before = tree_digest(folder)
    status, data = await call(jp_fetch, "POST", CSV + "/sync")
    assert status == 409 and data["reason"] == "locally_modified"
    assert tree_digest(folder) == before
    status, data = await call(jp_fetch, "POST", CSV + "/sync", {"force": True})
    assert status == 200 and data["updated"] is True
    ref = data["ref"]
    _, data = await call(jp_fetch, "GET", CSV)
    assert data["skill"]["locally_modified"] is False and data["skill"]["tracking_ref"] == ref
    assert data["skill"]["description"] == "Reads CSV files."
