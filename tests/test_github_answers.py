"""Hostile or broken GitHub answers: each is a 502 with a message (never a 500)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest

from notebook_skills.github import GitHubClient, GitHubUnavailable, RateLimited, TokenProvider
from notebook_skills.github.answers import clamp_reset
from notebook_skills.github.errors import RepositoryMoved

from .helpers import call

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

SKILL = "---\nname: a\ndescription: A.\n---\nbody\n"
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def client(fake_github, jp_asyncio_loop):
    c = GitHubClient(github_url=fake_github.url, github_api_url=fake_github.api_url,
                     token_provider=TokenProvider({}, gh_command=()))
    fake_github.add_repo("acme", "tools", {"skills/a/SKILL.md": SKILL})
    yield c
    jp_asyncio_loop.run_until_complete(c.aclose())


@pytest.mark.parametrize(
    "body, says",
    [
        (b"[]", "returned a list for the repository, not an object"),
        (b'"main"', "a string"),
        (b"null", "null"),
        (b"[" * 100000, "nested too deeply"),
        (b'{"a":' * 70 + b"1" + b"}" * 70, "nested too deeply"),
        (b"{not json", "invalid JSON"),
        (b'{"default_branch": ["main"]}', "no default branch"),
        (b"\xff\xfe", "invalid JSON"),
    ],
)
async def test_repository_shape_surprises(fake_github, client, body, says):
    fake_github.answer("repo", 200, body, {"Content-Type": "application/json"})
    with pytest.raises(GitHubUnavailable, match=says):
        await client.default_branch("acme", "tools")


@pytest.mark.parametrize(
    "body, says",
    [
        (json.dumps([{"sha": SHA + "\n"}]), "malformed commit SHA"),
        (json.dumps([{"sha": SHA.upper()}]), "malformed commit SHA"),
        (json.dumps([{"sha": SHA[:39]}]), "malformed commit SHA"),
        (json.dumps([["x"]]), "malformed commit SHA"),
        (json.dumps({"sha": SHA}), "an object for the commit list, not a list"),
        ("[" * 5000, "nested too deeply"),
    ],
)
async def test_commit_list_shape_surprises(fake_github, client, body, says):
    fake_github.answer("commits", 200, body)
    with pytest.raises(GitHubUnavailable, match=says):
        await client.probe("acme", "tools", "main", "skills/a")


@pytest.mark.parametrize(
    "location",
    ["", "https://[::1", "https://localhost:99999/x", "http://exa mple.com/x", "javascript:alert(1)", "//", None],
)
async def test_malformed_location_on_archive(fake_github, client, tmp_path, location):
    headers = {} if location is None else {"Location": location}
    fake_github.answer("tarball", 302, b"", headers)
    with pytest.raises((GitHubUnavailable, RateLimited)) as info:
        await client.download_archive("acme", "tools", SHA, tmp_path / "a.tgz")
    # httpx itself refuses some Locations (RemoteProtocolError); either way a 502 with a message
    assert "redirect" in str(info.value).lower() or "RemoteProtocolError" in str(info.value)
    assert not (tmp_path / "a.tgz").exists()


def _reset_in(text: str) -> float:
    stamp = text.rsplit("resets at ", 1)[1]
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(
    "status, headers, body",
    [
        (429, {}, b""),  # bare 429
        (429, {"Retry-After": "9" * 5000}, b""),
        (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, b""),
        (429, {"Retry-After": "soon"}, b""),
        (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e400"}, b""),
        (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "99999999999999999999"}, b""),
        (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "-5"}, b""),
        (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "nan"}, b""),
        (403, {}, b'{"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}'),
        (403, {"Retry-After": "60"}, b'{"message": "secondary"}'),
    ],
)
async def test_rate_limits_of_every_shape(fake_github, client, status, headers, body):
    fake_github.answer("repo", status, body, headers)
    with pytest.raises(RateLimited) as info:
        await client.default_branch("acme", "tools")
    text = str(info.value)
    assert "rate limit" in text
    if "resets at" in text:  # clamped: never in the past, never absurdly far
        assert time.time() - 120 <= _reset_in(text) <= time.time() + 11 * 365 * 86400


async def test_plain_403_is_not_a_rate_limit(fake_github, client):
    fake_github.answer("repo", 403, b'{"message": "Resource not accessible by integration"}')
    with pytest.raises(GitHubUnavailable) as info:
        await client.default_branch("acme", "tools")
    assert not isinstance(info.value, RateLimited) and "403" in str(info.value)


def test_clamp_keeps_plausible_resets():
    now = 1_800_000_000.0
    assert clamp_reset(now + 600, now) == now + 600
    assert clamp_reset(now - 600, now) == now - 600  # already past: shown as is
    assert clamp_reset(float("inf"), now) == now + 3600
    assert clamp_reset(now * 1e9, now) == now + 3600
    assert clamp_reset(-1e18, now) == now


async def test_renamed_repository_says_where_it_went(fake_github, client):
    moved_to = f"{fake_github.api_url}/repositories/4242"
    fake_github.answer("repo", 301, json.dumps({"message": "Moved Permanently", "url": moved_to}), {"Location": moved_to})
    fake_github.answer("other", 200, json.dumps({"full_name": "acme/new-tools", "default_branch": "main"}))
    with pytest.raises(RepositoryMoved) as info:
        await client.default_branch("acme", "tools")
    assert str(info.value) == f"GitHub says acme/tools has moved to acme/new-tools: use {fake_github.url}/acme/new-tools instead"
    assert [r.path for r in fake_github.requests][-1] == "/api/v3/repositories/4242"


async def test_move_to_a_foreign_host_is_not_followed(fake_github, client):
    fake_github.answer("commits", 301, b"", {"Location": "https://evil.example/repositories/1"})
    with pytest.raises(GitHubUnavailable, match="moved, to a host that is not allowed"):
        await client.probe("acme", "tools", "main", "skills/a")
    assert all(r.host == "localhost" for r in fake_github.requests)
    assert len(fake_github.requests) == 1


async def test_move_without_a_usable_target(fake_github, client):
    moved_to = f"{fake_github.api_url}/repositories/4242"
    fake_github.answer("repo", 301, b"", {"Location": moved_to})
    fake_github.answer("other", 200, b'{"full_name": "../../etc"}')
    with pytest.raises(GitHubUnavailable, match="has moved, but not where to"):
        await client.default_branch("acme", "tools")


# ---- through the REST API: a 502 with the message, no traceback in the log ----------


@pytest.mark.parametrize(
    "endpoint, status, body, headers, says",
    [
        ("repo", 200, b"[1, 2]", {}, "not an object"),
        ("repo", 200, b"[" * 100000, {}, "nested too deeply"),
        ("head", 200, (SHA + "\n").encode(), {}, "malformed commit SHA"),  # the sha media type's body
        ("repo", 429, b"", {}, "rate limit"),
        ("repo", 403, b'{"message": "You have exceeded a secondary rate limit"}', {}, "secondary rate limit"),
        ("repo", 403, b"", {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e400"}, "rate limit"),
        ("tarball", 302, b"", {"Location": "javascript:alert(1)"}, "malformed redirect"),
        ("tarball", 302, b"", {"Location": ""}, "malformed redirect"),
        ("tarball", 302, b"", {"Location": "https://evil.example/a.tar.gz"}, "to evil.example, a host that is not allowed"),
    ],
)
async def test_preview_answers_502_with_a_message(jp_fetch, fake_github, capfd, endpoint, status, body, headers, says):
    fake_github.add_repo("acme", "tools", {"skills/a/SKILL.md": SKILL})
    fake_github.answer(endpoint, status, body, headers)
    code, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": "acme/tools"})
    assert code == 502, data
    assert says in data["message"]
    assert "Traceback" not in capfd.readouterr().err


async def test_import_of_a_renamed_repository(jp_fetch, fake_github, skills_dirs):
    fake_github.add_repo("acme", "tools", {"skills/a/SKILL.md": SKILL})
    moved_to = f"{fake_github.api_url}/repositories/7"
    fake_github.answer("repo", 301, b"", {"Location": moved_to})
    fake_github.answer("other", 200, b'{"full_name": "acme/tools-v2"}')
    code, data = await call(jp_fetch, "POST", "skills/import", {"url": "acme/tools", "scope": "user"})
    assert code == 502 and "moved to acme/tools-v2" in data["message"]
    assert not skills_dirs["user"].exists() or not any(skills_dirs["user"].iterdir())


# ---- a renamed repository on head() and file(): the same move handling as JSON calls --------


def _renamed(fake, endpoint: str, new_name: str = "acme/tools-v2", *, rest: str = "/commits/main") -> str:
    """GitHub's answer for a renamed repository: 301 to its id-based path, whose
    repository JSON names it now."""
    moved_to = f"{fake.api_url}/repositories/7{rest}"
    fake.answer(endpoint, 301, json.dumps({"message": "Moved Permanently", "url": moved_to}), {"Location": moved_to})
    fake.answer("other", 200, json.dumps({"full_name": new_name, "default_branch": "main"}))
    return f"GitHub says acme/tools has moved to {new_name}: use {fake.url}/{new_name} instead"


async def test_head_of_a_renamed_repository_says_where_it_went(fake_github, client):
    says = _renamed(fake_github, "head")
    with pytest.raises(RepositoryMoved) as info:
        await client.head("acme", "tools", "main")
    assert str(info.value) == says
    # the repository itself is asked who it is now, not the redirected commits path
    assert [r.path for r in fake_github.requests] == ["/api/v3/repos/acme/tools/commits/main", "/api/v3/repositories/7"]


async def test_file_of_a_renamed_repository_says_where_it_went(fake_github, client):
    says = _renamed(fake_github, "contents", rest="/contents/skills/a/SKILL.md?ref=main")
    with pytest.raises(RepositoryMoved) as info:
        await client.file("acme", "tools", "skills/a/SKILL.md", "main", cap=1024)
    assert str(info.value) == says
    assert fake_github.requests[-1].path == "/api/v3/repositories/7" and fake_github.requests[-1].query == {}


@pytest.mark.parametrize("endpoint", ["head", "contents"])
async def test_head_or_file_moved_to_a_foreign_host_is_not_followed(fake_github, client, endpoint):
    fake_github.answer(endpoint, 301, b"", {"Location": "https://evil.example/repositories/1/commits/main"})
    with pytest.raises(GitHubUnavailable, match="moved, to a host that is not allowed"):
        if endpoint == "head":
            await client.head("acme", "tools", "main")
        else:
            await client.file("acme", "tools", "skills/a/SKILL.md", "main", cap=1024)
    assert len(fake_github.requests) == 1 and all(r.host == "localhost" for r in fake_github.requests)


async def test_head_redirected_other_than_moved_is_a_502(fake_github, client):
    fake_github.answer("head", 302, b"", {"Location": f"{fake_github.api_url}/repositories/7/commits/main"})
    with pytest.raises(GitHubUnavailable, match="redirected the request for the head of acme/tools@main unexpectedly"):
        await client.head("acme", "tools", "main")
    assert len(fake_github.requests) == 1


async def test_preview_with_an_explicit_ref_of_a_renamed_repository(jp_fetch, fake_github, skills_dirs):
    fake_github.add_repo("acme", "tools", {"skills/a/SKILL.md": SKILL})
    says = _renamed(fake_github, "head")
    url = f"{fake_github.url}/acme/tools/tree/main/skills/a"  # a ref: no repository request first
    code, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": url})
    assert code == 502 and data["message"] == says, data
    assert fake_github.counts().get("repo", 0) == 0
    code, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
    assert code == 502 and data["message"] == says, data
    assert not skills_dirs["user"].exists() or [p.name for p in skills_dirs["user"].iterdir()] == [".notebook-skills"]


async def _tracked(jp_fetch, fake, skills_dirs):
    fake.add_repo("acme", "tools", {"skills/a/SKILL.md": SKILL})
    url = f"{fake.url}/acme/tools/tree/main/skills/a"
    code, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "tracks_upstream": True})
    assert code == 201, data
    fake.commit("acme", "tools", {"skills/a/SKILL.md": SKILL.replace("body", "v2")})
    folder = skills_dirs["user"] / "a"
    return folder, folder.joinpath("SKILL.md").read_bytes()


@pytest.mark.parametrize("route", ["sync", "check"])
async def test_sync_and_check_of_a_renamed_repository(jp_fetch, fake_github, skills_dirs, route):
    folder, before = await _tracked(jp_fetch, fake_github, skills_dirs)
    says = _renamed(fake_github, "head")
    code, data = await call(jp_fetch, "POST", f"skills/user/a/{route}")
    assert code == 502 and data["message"] == says, data
    assert folder.joinpath("SKILL.md").read_bytes() == before
    code, data = await call(jp_fetch, "GET", "skills/user/a")
    assert data["skill"]["orphaned"] is False  # moved is not gone


@pytest.mark.parametrize("route", ["sync-all-tracking", "check-all"])
async def test_batch_over_a_renamed_repository(jp_fetch, fake_github, skills_dirs, route):
    folder, before = await _tracked(jp_fetch, fake_github, skills_dirs)
    says = _renamed(fake_github, "head")
    code, data = await call(jp_fetch, "POST", f"skills/{route}")
    assert code == 200, data
    assert data["results"] == [{"scope": "user", "name": "a", "error": says}]
    assert folder.joinpath("SKILL.md").read_bytes() == before
