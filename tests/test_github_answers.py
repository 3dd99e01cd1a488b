"""Hostile or broken GitHub answers: each is a 502 with a message (never a 500)."""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone

import pytest

from notebook_skills.github import GitHubClient, GitHubUnavailable, RateLimited, TokenProvider
from notebook_skills.github.answers import clamp_reset

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


def _moves(fake) -> list[tuple[str, int | None]]:
    return [(r.path, r.status) for r in fake.requests]


async def test_a_renamed_repository_is_followed_once(fake_github, client, caplog):
    fake_github.rename_repo("acme", "tools", "acme", "new-tools")
    with caplog.at_level(logging.INFO, logger="notebook_skills"):
        assert await client.default_branch("acme", "tools") == "main"
    (repo_id,) = {r.path.rsplit("/", 1)[-1] for r in fake_github.requests if "/repositories/" in r.path}
    assert _moves(fake_github) == [("/api/v3/repos/acme/tools", 301), (f"/api/v3/repositories/{repo_id}", 200)]
    assert (f"GitHub says acme/tools has moved (HTTP 301); following it to "
            f"{fake_github.api_url}/repositories/{repo_id}") in caplog.text


async def test_a_followed_move_keeps_the_token_on_the_api_host_and_out_of_the_log(fake_github, caplog):
    client = GitHubClient(github_url=fake_github.url, github_api_url=fake_github.api_url,
                          token_provider=TokenProvider({"GITHUB_TOKEN": "s3cret-token"}, gh_command=()))
    try:
        fake_github.add_repo("acme", "tools", {"skills/a/SKILL.md": SKILL})
        fake_github.require_token = "s3cret-token"  # a private repository, renamed
        fake_github.rename_repo("acme", "tools", "acme", "new-tools")
        with caplog.at_level(logging.DEBUG):
            head = await client.head("acme", "tools", "main")
        assert head.sha == fake_github.head("acme", "new-tools")
        assert [r.headers.get("authorization") for r in fake_github.requests] == ["Bearer s3cret-token"] * 2
        assert "s3cret-token" not in caplog.text and "has moved (HTTP 301); following it" in caplog.text
    finally:
        await client.aclose()


async def test_move_to_a_foreign_host_is_not_followed(fake_github, client):
    fake_github.answer("commits", 301, b"", {"Location": "https://evil.example/repositories/1/commits?token=x"})
    with pytest.raises(GitHubUnavailable) as info:
        await client.probe("acme", "tools", "main", "skills/a")
    assert str(info.value) == ("GitHub says acme/tools has moved, to a host that is not allowed "
                               "(https://evil.example/repositories/1/commits); it was not followed")
    assert all(r.host == "localhost" for r in fake_github.requests)
    assert len(fake_github.requests) == 1


async def test_a_move_is_followed_once_only(fake_github, client):
    fake_github.answer("repo", 301, b"", {"Location": f"{fake_github.api_url}/repositories/7"})
    fake_github.answer("other", 301, b"", {"Location": f"{fake_github.api_url}/repositories/8"})
    with pytest.raises(GitHubUnavailable, match="Too many redirects fetching the repository acme/tools"):
        await client.default_branch("acme", "tools")
    assert [r.path for r in fake_github.requests] == ["/api/v3/repos/acme/tools", "/api/v3/repositories/7"]


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
        ("repo", 301, b"", {"Location": "https://evil.example/repositories/1"},
         "GitHub says acme/tools has moved, to a host that is not allowed (https://evil.example/repositories/1)"),
    ],
)
async def test_preview_answers_502_with_a_message(jp_fetch, fake_github, capfd, endpoint, status, body, headers, says):
    fake_github.add_repo("acme", "tools", {"skills/a/SKILL.md": SKILL})
    fake_github.answer(endpoint, status, body, headers)
    code, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": "acme/tools"})
    assert code == 502, data
    assert says in data["message"]
    assert "Traceback" not in capfd.readouterr().err


# ---- a renamed repository is followed on every request: JSON, head, file, archive ----------


async def test_head_file_probe_tree_and_archive_of_a_renamed_repository(fake_github, client, tmp_path):
    sha = fake_github.head("acme", "tools")
    fake_github.rename_repo("acme", "tools", "acme", "tools-v2")
    assert (await client.head("acme", "tools", "main")).sha == sha
    answer = await client.file("acme", "tools", "skills/a/SKILL.md", "main", cap=1024)
    assert answer.data == SKILL.encode()
    assert await client.probe("acme", "tools", "main", "skills/a") == sha
    assert "skills/a/SKILL.md" in (await client.tree("acme", "tools", sha)).blobs
    dest = tmp_path / "a.tar.gz"
    assert await client.download_archive("acme", "tools", sha, dest) > 0 and dest.stat().st_size > 0
    # every request was asked once under the old name and completed at the new location
    old = [r for r in fake_github.requests if r.path.startswith("/api/v3/repos/acme/tools")]
    assert {r.status for r in old} == {301} and len(old) == 5
    assert fake_github.requests_to("contents")[-1].query == {"ref": "main"}  # the query went along


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


@pytest.mark.parametrize("url", ["acme/tools", "{web}/acme/tools/tree/main/skills/a"])
async def test_preview_and_import_of_a_renamed_repository(jp_fetch, fake_github, skills_dirs, url):
    fake_github.add_repo("acme", "tools", {"skills/a/SKILL.md": SKILL})
    fake_github.rename_repo("acme", "tools", "acme", "tools-v2")
    url = url.format(web=fake_github.url)
    code, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": url})
    assert code == 200 and [c["path"] for c in data["skills"]] == ["skills/a"], data
    code, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user"})
    assert code == 201, data
    assert (skills_dirs["user"] / "a" / "SKILL.md").read_text().startswith("---\nname: a\ndescription: A.\n")


async def _tracked(jp_fetch, fake, skills_dirs):
    fake.add_repo("acme", "tools", {"skills/a/SKILL.md": SKILL})
    url = f"{fake.url}/acme/tools/tree/main/skills/a"
    code, data = await call(jp_fetch, "POST", "skills/import", {"url": url, "scope": "user", "tracks_upstream": True})
    assert code == 201, data
    new = fake.commit("acme", "tools", {"skills/a/SKILL.md": SKILL.replace("body", "v2")})
    fake.rename_repo("acme", "tools", "acme", "tools-v2")  # after the import: the record names the old one
    return skills_dirs["user"] / "a", new


async def test_sync_and_check_follow_a_renamed_repository(jp_fetch, fake_github, skills_dirs):
    folder, new = await _tracked(jp_fetch, fake_github, skills_dirs)
    code, data = await call(jp_fetch, "POST", "skills/user/a/check")
    assert code == 200 and data["update_available"] is True and data["ref"] == new, data
    code, data = await call(jp_fetch, "POST", "skills/user/a/sync")
    assert code == 200 and data == {"updated": True, "ref": new}, data
    assert folder.joinpath("SKILL.md").read_text().endswith("v2\n")
    code, data = await call(jp_fetch, "GET", "skills/user/a")
    assert data["skill"]["orphaned"] is False and data["skill"]["tracking_ref"] == new


@pytest.mark.parametrize("route", ["sync-all-tracking", "check-all"])
async def test_batch_over_a_renamed_repository(jp_fetch, fake_github, skills_dirs, route):
    folder, new = await _tracked(jp_fetch, fake_github, skills_dirs)
    code, data = await call(jp_fetch, "POST", f"skills/{route}")
    assert code == 200, data
    if route == "check-all":
        assert data["results"] == [{"scope": "user", "name": "a", "update_available": True, "ref": new}]
        assert not folder.joinpath("SKILL.md").read_text().endswith("v2\n")
    else:
        assert data["results"] == [{"scope": "user", "name": "a", "updated": True, "ref": new}]
        assert folder.joinpath("SKILL.md").read_text().endswith("v2\n")
