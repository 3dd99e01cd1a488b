"""Adopting tracking skills that have no install record (issue 6 §1).

A `tracking_ref` that is not a full commit SHA is "unknown" (never a 500), and a
skill imported or synced by notebook-intelligence 6.2.0 — whose SKILL.md that
tool re-dumps — is adopted when unedited (fixtures: tests/ni_golden.py, NI's
exact output).
"""

from __future__ import annotations

import json

import pytest
import yaml

from notebook_skills.errors import Conflict
from notebook_skills.skills.adoption import full_sha, written_by_ni
from notebook_skills.skills.hashing import content_sha256

from .helpers import call, skill_md, tree_digest
from .ni_golden import GOLDEN, SHA, SOURCE_BASE
from .test_api_github import seed
from .test_sync_engine import make_manager

pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

UPSTREAM_CSV = skill_md("csv-helper", "Reads CSV files.", extra="license: MIT\n")


def write_cloned(folder, fake, ref: str) -> None:
    """csv-helper exactly as upstream has it, tracking with `tracking_ref: <ref>`
    (a project cloned with its .claude/skills committed)."""
    (folder / "scripts").mkdir(parents=True)
    (folder / "scripts" / "read.py").write_text("import pandas\n")
    source = f"{fake.url}/acme/data-skills/tree/main/skills/csv-helper"
    extra = f"license: MIT\nsource: {source}\ntracks_upstream: true\ntracking_ref: {ref}\n"
    (folder / "SKILL.md").write_text(skill_md("csv-helper", "Reads CSV files.", extra=extra))


def test_only_a_full_sha_names_a_commit():
    assert full_sha("a" * 40) == "a" * 40 and full_sha("A" * 40) == "a" * 40
    for ref in ("main", "abc1234", "a" * 39, "a" * 41, "a" * 40 + "\n", "g" * 40, "", None, 5):
        assert full_sha(ref) is None, ref


# ---- a tracking_ref that is not a SHA --------------------------------------------------


@pytest.mark.parametrize("ref", ["main", "abc1234"])
async def test_a_tracking_ref_that_is_not_a_sha_is_unknown(jp_fetch, fake_github, skills_dirs, ref):
    head = seed(fake_github)
    folder = skills_dirs["project"] / "csv-helper"
    write_cloned(folder, fake_github, ref)
    before = tree_digest(folder)
    records = skills_dirs["project"] / ".notebook-skills" / "records"
    _, data = await call(jp_fetch, "GET", "skills/project/csv-helper")
    assert data["skill"]["locally_modified"] is None and data["skill"]["tracking_ref"] == ref

    status, data = await call(jp_fetch, "POST", "skills/project/csv-helper/sync")
    assert status == 409 and data["reason"] == "locally_modified", data
    status, data = await call(jp_fetch, "POST", "skills/sync-all-tracking")
    assert status == 200, data
    [result] = data["results"]
    assert result["name"] == "csv-helper" and result["reason"] == "locally_modified", result
    assert tree_digest(folder) == before and not (records / "csv-helper.json").exists()

    status, data = await call(jp_fetch, "POST", "skills/project/csv-helper/sync", {"force": True})
    assert status == 200 and data == {"updated": True, "ref": head}, data
    record = json.loads((records / "csv-helper.json").read_text())
    assert record["commit"] == head and record["tracking"] is True
    assert record["content_sha256"] == content_sha256(folder)
    text = (folder / "SKILL.md").read_text()
    assert f"tracking_ref: {head}\n" in text and "license: MIT\n" in text
    _, data = await call(jp_fetch, "GET", "skills/project/csv-helper")
    assert data["skill"]["tracking_ref"] == head and data["skill"]["locally_modified"] is False


async def test_sync_all_reports_each_unknown_skill_without_touching_it(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    write_cloned(skills_dirs["project"] / "csv-helper", fake_github, "main")
    write_cloned(skills_dirs["user"] / "csv-helper", fake_github, "abc1234")
    status, data = await call(jp_fetch, "POST", "skills/sync-all-tracking")
    assert status == 200, data
    assert sorted((r["scope"], r.get("reason")) for r in data["results"]) == [
        ("project", "locally_modified"), ("user", "locally_modified")]


# ---- notebook-intelligence's output -----------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_ni_rendering_matches_what_ni_wrote(name):
    case = GOLDEN[name]
    upstream = case["upstream"].encode()
    for kind in ("imported", "synced"):
        ni = case[kind]
        assert ni != case["upstream"]  # NI never keeps the upstream bytes
        assert written_by_ni(upstream, ni.encode(), name), kind
        # any edit, however small, is an edit
        for edited in (ni.replace("\n---\n\n", "\n---\n\nMy note.\n", 1), ni.replace("description: ", "description: x", 1),
                       ni + "\n", ni.replace("source:", "license: MIT\nsource:", 1)):
            assert not written_by_ni(upstream, edited.encode(), name), (kind, edited)
        assert not written_by_ni(upstream, ni.encode(), "another-name")
    assert not written_by_ni(upstream, upstream, name)  # our own rule covers identical bytes


@pytest.fixture
def manager(fake_github, tmp_path, jp_asyncio_loop):
    m = make_manager(fake_github, tmp_path)
    yield m
    jp_asyncio_loop.run_until_complete(m.aclose())


def ni_repo(fake) -> str:
    files = {}
    for name, case in GOLDEN.items():
        files[f"skills/{name}/SKILL.md"] = case["upstream"]
        files[f"skills/{name}/helper.txt"] = "helper\n"
    return fake.add_repo("acme", "ni-skills", files)


def write_ni(fake, root, name: str, kind: str, sha: str, edit: str = ""):
    """The skill folder as notebook-intelligence leaves it, pointed at the fake GitHub."""
    url, text = f"{fake.url}", GOLDEN[name][kind]
    # substituting keeps NI's exact output only if both stay plain YAML scalars
    src = f"{url}/acme/ni-skills/tree/main/skills/{name}"
    assert yaml.safe_dump({"source": src, "tracking_ref": sha}) == f"source: {src}\ntracking_ref: {sha}\n"
    text = text.replace(SOURCE_BASE, url).replace(SHA, sha) + edit
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(text)
    (folder / "helper.txt").write_text("helper\n")
    return folder


async def test_an_unedited_ni_tracked_skill_is_adopted(manager, fake_github, tmp_path):
    sha = ni_repo(fake_github)
    root, store = tmp_path / "user", manager.stores["user"]
    folders = {name: write_ni(fake_github, root, name, "synced", sha) for name in GOLDEN}
    before = {name: tree_digest(folder) for name, folder in folders.items()}
    results = await manager.sync_all_tracking()
    assert sorted(results, key=lambda r: r["name"]) == [
        {"scope": "user", "name": name, "updated": False, "ref": sha} for name in sorted(GOLDEN)]
    for name, folder in folders.items():
        assert tree_digest(folder) == before[name]  # adopted as it is: nothing rewritten
        record = store.records.read(name)
        assert record.commit == sha and record.tracking is True
        assert record.content_sha256 == content_sha256(folder)
        assert record.tree == fake_github.tree_sha("acme", "ni-skills", f"skills/{name}")
    [listed] = [s for s in await manager.list_skills() if s.name == "csv-helper"]
    assert listed.locally_modified is False and listed.tracking_ref == sha
    # from now on it follows upstream like any other: the update replaces NI's re-dump
    upstream_v2 = GOLDEN["csv-helper"]["upstream"].replace("Use pandas.", "Use polars.")
    sha2 = fake_github.commit("acme", "ni-skills", {"skills/csv-helper/SKILL.md": upstream_v2})
    assert (await manager.sync_tracking_skill("user", "csv-helper")).ref == sha2
    text = (root / "csv-helper" / "SKILL.md").read_text()
    assert "Use polars." in text and "license: MIT\n" in text and "allowed-tools: Read Grep\n" in text


async def test_an_ni_import_without_tracking_ref_is_compared_with_the_head(manager, fake_github, tmp_path):
    sha = ni_repo(fake_github)
    folder = write_ni(fake_github, tmp_path / "user", "long-words", "imported", sha)
    before = tree_digest(folder)
    result = await manager.sync_tracking_skill("user", "long-words")
    assert (result.updated, result.ref) == (False, sha) and tree_digest(folder) == before
    assert manager.stores["user"].records.read("long-words").commit == sha


async def test_an_ni_skill_that_moved_on_upstream_is_adopted_then_updated(manager, fake_github, tmp_path):
    old = ni_repo(fake_github)
    folder = write_ni(fake_github, tmp_path / "user", "no-body", "synced", old)
    new = fake_github.commit("acme", "ni-skills", {"skills/no-body/helper.txt": "helper v2\n"})
    result = await manager.sync_tracking_skill("user", "no-body")
    assert (result.updated, result.ref) == (True, new)
    assert (folder / "helper.txt").read_text() == "helper v2\n"
    record = manager.stores["user"].records.read("no-body")
    assert record.commit == new and record.previous is not None and record.previous.commit == old


@pytest.mark.parametrize("edit", ["body", "helper"])
async def test_an_edited_ni_skill_is_409_unless_forced(manager, fake_github, tmp_path, edit):
    sha = ni_repo(fake_github)
    folder = write_ni(fake_github, tmp_path / "user", "csv-helper", "synced", sha,
                      edit="My own line.\n" if edit == "body" else "")
    if edit == "helper":
        (folder / "helper.txt").write_text("my helper\n")
    before = tree_digest(folder)
    with pytest.raises(Conflict) as err:
        await manager.sync_tracking_skill("user", "csv-helper")
    assert err.value.reason == "locally_modified"
    assert tree_digest(folder) == before and manager.stores["user"].records.read("csv-helper") is None
    result = await manager.sync_tracking_skill("user", "csv-helper", force=True)
    assert (result.updated, result.ref) == (True, sha)
    assert (folder / "helper.txt").read_text() == "helper\n" and "My own line." not in (folder / "SKILL.md").read_text()
