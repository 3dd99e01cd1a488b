"""GitHubClient against the fake GitHub over real TLS."""

from __future__ import annotations

import re
import tarfile
from datetime import datetime, timezone

import pytest

from notebook_skills.errors import NotFound, UpstreamError
from notebook_skills.github import (
    ArchiveTooLarge,
    GitHubClient,
    GitHubNotFound,
    GitHubUnavailable,
    HostNotAllowed,
    RateLimited,
    TokenProvider,
)

TOKEN = "ghp_secretsecretsecret"
FILES = {
    "README.md": "# r\n",
    "skills/a/SKILL.md": "---\nname: a\ndescription: A.\n---\nbody\n",
    "skills/a/helper.py": "print(1)\n",
    "skills/b/SKILL.md": "---\nname: b\ndescription: B.\n---\n",
}


def make(fake, token=None, **kw) -> GitHubClient:
    return GitHubClient(github_url=fake.url, github_api_url=fake.api_url,
                        token_provider=TokenProvider({"GITHUB_TOKEN": token} if token else {}, gh_command=()),
                        **kw)


@pytest.fixture
def client(fake_github, jp_asyncio_loop):
    c = make(fake_github, TOKEN)
    yield c
    jp_asyncio_loop.run_until_complete(c.aclose())


def _assert_no_secret(exc):
    assert TOKEN not in str(exc) and TOKEN not in repr(exc.args)


async def test_default_branch_and_headers(fake_github, client):
    fake_github.add_repo("acme", "skills", FILES, default_branch="trunk")
    assert await client.default_branch("acme", "skills") == "trunk"
    (req,) = fake_github.requests
    assert req.headers["accept"] == "application/vnd.github+json"
    assert req.headers["x-github-api-version"] == "2022-11-28"
    assert req.headers["authorization"] == f"Bearer {TOKEN}"
    assert req.headers["user-agent"] == "notebook-skills"


async def test_probe_follows_path_only(fake_github, client):
    first = fake_github.add_repo("acme", "skills", FILES)
    assert await client.probe("acme", "skills", "main", "skills/a") == first
    fake_github.commit("acme", "skills", {"skills/b/SKILL.md": "changed", "README.md": "x"})
    assert await client.probe("acme", "skills", "main", "skills/a") == first  # elsewhere: no update
    second = fake_github.commit("acme", "skills", {"skills/a/helper.py": "print(2)\n"})
    assert await client.probe("acme", "skills", "main", "skills/a") == second
    assert await client.probe("acme", "skills", "main", "") == second
    assert await client.probe("acme", "skills", "main", "skills/zzz") is None
    req = fake_github.requests_to("commits")[-2]
    assert req.query == {"sha": "main", "per_page": "1"}  # no path param for the root
    assert fake_github.requests_to("commits")[0].query["path"] == "skills/a"


async def test_probe_not_found(fake_github, client):
    fake_github.add_repo("acme", "skills", FILES)
    with pytest.raises(GitHubNotFound) as err:
        await client.probe("acme", "nope", "main", "skills/a")
    assert isinstance(err.value, NotFound)
    with pytest.raises(GitHubNotFound):
        await client.probe("acme", "skills", "no-such-branch", "skills/a")
    with pytest.raises(GitHubNotFound):
        await client.default_branch("acme", "nope")


async def test_require_token(fake_github):
    fake_github.add_repo("acme", "private", FILES)
    fake_github.require_token = TOKEN
    anon = make(fake_github)
    try:
        with pytest.raises(GitHubNotFound):
            await anon.default_branch("acme", "private")
    finally:
        await anon.aclose()
    authed = make(fake_github, TOKEN)
    try:
        assert await authed.default_branch("acme", "private") == "main"
    finally:
        await authed.aclose()


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx(fake_github, client, status):
    fake_github.add_repo("acme", "skills", FILES)
    fake_github.fail("commits", status, times=1)
    with pytest.raises(GitHubUnavailable) as err:
        await client.probe("acme", "skills", "main", "skills/a")
    assert isinstance(err.value, UpstreamError) and str(status) in str(err.value)
    assert "localhost" in str(err.value)
    _assert_no_secret(err.value)
    assert await client.probe("acme", "skills", "main", "skills/a")  # fault used up


async def test_401(fake_github, client):
    fake_github.add_repo("acme", "skills", FILES)
    fake_github.fail("repo", 401)
    with pytest.raises(GitHubUnavailable, match="rejected the token") as err:
        await client.default_branch("acme", "skills")
    _assert_no_secret(err.value)


async def test_rate_limit_403(fake_github, client):
    fake_github.add_repo("acme", "skills", FILES)
    reset = int(datetime(2026, 11, 21, 13, 0, tzinfo=timezone.utc).timestamp())
    fake_github.rate_limit("commits", reset_at=reset)
    with pytest.raises(RateLimited) as err:
        await client.probe("acme", "skills", "main", "skills/a")
    assert "rate limit" in str(err.value)
    assert "2026-11-21T13:00:00Z" in str(err.value)
    assert isinstance(err.value, GitHubUnavailable)


async def test_rate_limit_429(fake_github, client):
    fake_github.add_repo("acme", "skills", FILES)
    fake_github.rate_limit("repo", reset_at=0, retry_after=60)
    with pytest.raises(RateLimited, match=r"rate limit.*resets at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"):
        await client.default_branch("acme", "skills")


async def test_plain_403_is_not_rate_limit(fake_github, client):
    fake_github.add_repo("acme", "skills", FILES)
    fake_github.fail("repo", 403)
    with pytest.raises(GitHubUnavailable) as err:
        await client.default_branch("acme", "skills")
    assert not isinstance(err.value, RateLimited)


async def test_timeout(fake_github):
    fake_github.add_repo("acme", "skills", FILES)
    fake_github.latency = 1.0
    c = make(fake_github, TOKEN, timeout=0.2)
    try:
        with pytest.raises(GitHubUnavailable, match="Timed out"):
            await c.default_branch("acme", "skills")
    finally:
        await c.aclose()


async def test_connection_refused(fake_github):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    c = GitHubClient(github_url=f"https://localhost:{port}", github_api_url=f"https://localhost:{port}/api/v3",
                     token_provider=TokenProvider({"GITHUB_TOKEN": TOKEN}))
    try:
        with pytest.raises(GitHubUnavailable, match=f"localhost:{port}") as err:
            await c.default_branch("acme", "skills")
        _assert_no_secret(err.value)
    finally:
        await c.aclose()


# -- archives ------------------------------------------------------------------


async def test_download_by_sha_token_only_to_api(fake_github, client, tmp_path):
    sha = fake_github.add_repo("acme", "skills", FILES)
    dest = tmp_path / "a.tar.gz"
    n = await client.download_archive("acme", "skills", sha, dest)
    assert n == dest.stat().st_size > 0
    with tarfile.open(dest, "r:gz") as tf:
        assert f"acme-skills-{sha[:7]}/skills/a/SKILL.md" in tf.getnames()
    (api,) = fake_github.requests_to("tarball")
    (hop,) = fake_github.requests_to("codeload")
    assert re.search(r"/tarball/[0-9a-f]{40}$", api.path) and api.path.endswith(sha)
    assert api.headers["authorization"] == f"Bearer {TOKEN}"
    assert "authorization" not in hop.headers
    assert hop.path.endswith(sha)


async def test_download_refuses_branch(client, tmp_path):
    for ref in ("main", "abc1234", "A" * 40):
        with pytest.raises(ValueError):
            await client.download_archive("acme", "skills", ref, tmp_path / "x")


async def test_redirect_foreign_not_followed(fake_github, client, tmp_path):
    sha = fake_github.add_repo("acme", "skills", FILES)
    fake_github.redirect_foreign = True
    dest = tmp_path / "a.tar.gz"
    with pytest.raises(GitHubUnavailable) as info:  # GitHub's answer: a 502, not the user's 400
        await client.download_archive("acme", "skills", sha, dest)
    assert not isinstance(info.value, HostNotAllowed)
    assert str(info.value) == (f"GitHub redirected the archive of acme/skills@{sha[:7]} to 127.0.0.1:{fake_github.port}, "
                               "a host that is not allowed; an administrator can add it to extra_allowed_hosts")
    assert not dest.exists()
    assert fake_github.requests_to("tarball")
    assert not [r for r in fake_github.requests if r.host == "127.0.0.1"]


async def test_truncated_archive_downloads_but_is_short(fake_github, client, tmp_path):
    # truncation is detected at extraction (test_github_archive); here: no crash, bytes counted
    sha = fake_github.add_repo("acme", "skills", FILES)
    fake_github.truncate_archives = True
    n = await client.download_archive("acme", "skills", sha, tmp_path / "a.tgz")
    assert n == (tmp_path / "a.tgz").stat().st_size


async def test_archive_cap(fake_github, tmp_path):
    import os

    sha = fake_github.add_repo("acme", "big", {"blob.bin": os.urandom(300_000)})
    c = make(fake_github, max_archive_mb=0.1)
    try:
        dest = tmp_path / "a.tgz"
        with pytest.raises(ArchiveTooLarge, match="max_archive_mb"):
            await c.download_archive("acme", "big", sha, dest)
        assert not dest.exists()
    finally:
        await c.aclose()
    uncapped = make(fake_github, max_archive_mb=0)
    try:
        assert await uncapped.download_archive("acme", "big", sha, tmp_path / "b.tgz") > 300_000
    finally:
        await uncapped.aclose()


@pytest.mark.parametrize("endpoint", ["tarball", "codeload"])
async def test_archive_errors(fake_github, client, tmp_path, endpoint):
    sha = fake_github.add_repo("acme", "skills", FILES)
    fake_github.fail(endpoint, 503)
    dest = tmp_path / "a.tgz"
    with pytest.raises(GitHubUnavailable):
        await client.download_archive("acme", "skills", sha, dest)
    assert not dest.exists()
    fake_github.reset()
    with pytest.raises(GitHubNotFound):
        await client.download_archive("acme", "skills", sha, dest)


def test_attributes(fake_github):
    c = GitHubClient(github_url=fake_github.url + "/", github_api_url=fake_github.api_url + "/")
    assert c.github_url == fake_github.url and c.api_url == fake_github.api_url
    assert c.parse_url(fake_github.url + "/o/r/tree/v1/x").ref == "v1"
    c.allowlist.check(fake_github.api_url)
