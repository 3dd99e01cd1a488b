"""One skill's broken upstream content fails that skill only (issues 6, 7).

An upstream SKILL.md that is not UTF-8 text is refused with a clear 4xx naming it;
the other skill of the same repository is still updated by the same batch, the
refused skill stays byte-identical, no staging is left behind and the server
logs no traceback (the autouse log watcher in server_fixtures).
"""

from __future__ import annotations

from pathlib import Path

from .helpers import call, skill_md, tree_digest

LATIN1_MD = b"---\nname: a\ndescription: caf\xe9 au lait\n---\n# A\n"


def seed(fake) -> None:
    fake.add_repo("acme", "r", {"skills/a/SKILL.md": skill_md("a", "A."), "skills/b/SKILL.md": skill_md("b", "B.")})


async def import_both(jp_fetch, fake) -> None:
    for name in ("a", "b"):
        url = f"{fake.url}/acme/r/tree/main/skills/{name}"
        status, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "tracks_upstream": True})
        assert status == 201, data


def leftovers(scope_dir: Path) -> list[str]:
    """Everything in the bookkeeping areas a failed sync could leave behind."""
    book = scope_dir / ".notebook-skills"
    return sorted(
        f"{area}/{p.name}" for area in ("staging", "tmp", "backup", "trash") if (book / area).is_dir()
        for p in (book / area).iterdir()
    )


async def test_a_non_utf8_upstream_skill_md_fails_that_sync_only(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_both(jp_fetch, fake_github)
    user = skills_dirs["user"]
    before = tree_digest(user / "a")
    fake_github.commit("acme", "r", {"skills/a/SKILL.md": LATIN1_MD})

    status, data = await call(jp_fetch, "POST", "skills/user/a/sync")
    assert status == 400, data
    assert "not valid UTF-8" in data["message"] and "installed skill was kept" in data["message"], data
    assert tree_digest(user / "a") == before
    assert leftovers(user) == []


async def test_a_non_utf8_skill_md_does_not_sink_sync_all(jp_fetch, fake_github, skills_dirs):
    seed(fake_github)
    await import_both(jp_fetch, fake_github)
    user = skills_dirs["user"]
    before = tree_digest(user / "a")
    new = fake_github.commit("acme", "r", {"skills/a/SKILL.md": LATIN1_MD, "skills/b/SKILL.md": skill_md("b", "B2.")})

    status, data = await call(jp_fetch, "POST", "skills/sync-all-tracking")
    assert status == 200, data
    results = {r["name"]: r for r in data["results"]}
    assert "not valid UTF-8" in results["a"]["error"], results
    assert results["b"] == {"scope": "user", "name": "b", "updated": True, "ref": new}
    # b was updated on disk, a is untouched, nothing is left in staging
    assert "description: B2." in (user / "b" / "SKILL.md").read_text()
    assert tree_digest(user / "a") == before
    assert leftovers(user) == []
    status, data = await call(jp_fetch, "GET", "skills/user/a")
    assert status == 200 and data["skill"]["tracking_ref"] != new and data["skill"]["orphaned"] is False
