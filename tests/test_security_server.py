"""Server-side security: `source` checked on read, tokens per host, a token
looked up again after a 401, and no credential-bearing URL in any log line."""

from __future__ import annotations

import logging

import pytest

from notebook_skills.github import GitHubClient, GitHubUnavailable, TokenProvider

from .helpers import call
from .test_github_tokens import fake_gh

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")

SHA_FILES = {"skills/a/SKILL.md": "---\nname: a\ndescription: A.\n---\nbody\n"}


def _skill(skills_dirs, name, source):
    folder = skills_dirs["project"] / name
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(f"---\nname: {name}\ndescription: D.\nsource: {source}\n---\n")


async def test_source_is_checked_on_read(jp_fetch, skills_dirs, fake_github):
    bad = {
        "js": "\"javascript:alert(document.cookie)\"",
        "plain-http": "http://github.com/o/r/tree/main/x",
        "foreign": "https://evil.example/o/r",
        "userinfo": "https://user@github.com/o/r",
        "data": "\"data:text/html,<script>alert(1)</script>\"",
    }
    good = {"public": "https://github.com/o/r/tree/main/x", "enterprise": f"{fake_github.url}/o/r/tree/main/x"}
    for name, source in {**bad, **good}.items():
        _skill(skills_dirs, name, source)
    status, data = await call(jp_fetch, "GET", "skills")
    assert status == 200
    by_name = {s["name"]: s for s in data["skills"]}
    for name, source in bad.items():
        skill = by_name[name]
        assert skill["source"] == source.strip('"')  # still shown, as text
        assert any("not an https URL on an allowed GitHub host" in p for p in skill["problems"]), skill
    for name in good:
        assert by_name[name]["problems"] == [], by_name[name]
    status, data = await call(jp_fetch, "GET", "skills/project/js")
    assert status == 200 and any("https" in p for p in data["skill"]["problems"])


async def test_enterprise_host_never_gets_the_github_com_token(tmp_path):
    env = {"GITHUB_TOKEN": "public-a", "GH_TOKEN": "public-b"}
    assert await TokenProvider(env, gh_command=(), host="ghe.example.com").get() is None
    env |= {"GITHUB_ENTERPRISE_TOKEN": "ent-2"}
    assert await TokenProvider(env, gh_command=(), host="ghe.example.com").get() == "ent-2"
    env |= {"GH_ENTERPRISE_TOKEN": "ent-1"}
    assert await TokenProvider(env, gh_command=(), host="ghe.example.com").get() == "ent-1"
    assert await TokenProvider(env, gh_command=(), host="github.com").get() == "public-a"
    assert await TokenProvider(env, gh_command=()).get() == "public-a"


async def test_enterprise_token_from_gh_asks_for_that_host(tmp_path):
    env = fake_gh(tmp_path, "print('gh:' + ' '.join(sys.argv[1:]))") | {"GITHUB_TOKEN": "public"}
    assert await TokenProvider(env, host="GHE.Example.com").get() == "gh:auth token --hostname ghe.example.com"
    assert await TokenProvider(env | {"GITHUB_TOKEN": ""}).get() == "gh:auth token"


async def test_server_sends_the_enterprise_token_only(jp_fetch, fake_github, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_public_token_for_github_com")
    fake_github.add_repo("acme", "tools", SHA_FILES)
    status, data = await call(jp_fetch, "POST", "skills/import/preview", {"url": "acme/tools"})
    assert status == 200, data
    assert fake_github.requests and all("authorization" not in r.headers for r in fake_github.requests)


async def test_token_is_looked_up_again_after_a_401(fake_github, jp_asyncio_loop):
    env = {"GH_ENTERPRISE_TOKEN": "old-token"}
    client = GitHubClient(github_url=fake_github.url, github_api_url=fake_github.api_url,
                          token_provider=TokenProvider(env, gh_command=(), host="localhost"))
    try:
        fake_github.add_repo("acme", "tools", SHA_FILES)
        fake_github.answer("repo", 401, b'{"message": "Bad credentials"}', times=1)
        with pytest.raises(GitHubUnavailable, match="GH_ENTERPRISE_TOKEN"):
            await client.default_branch("acme", "tools")
        env["GH_ENTERPRISE_TOKEN"] = "new-token"  # the user logged in again
        fake_github.require_token = "new-token"
        assert await client.default_branch("acme", "tools") == "main"
        sent = [r.headers.get("authorization") for r in fake_github.requests_to("repo")]
        assert sent == ["Bearer old-token", "Bearer new-token"]
    finally:
        await client.aclose()


async def test_no_log_line_holds_a_url_token(jp_fetch, fake_github, caplog):
    sha = fake_github.add_repo("acme", "tools", SHA_FILES)
    secret = "GHSAT0AAAAAsecretarchivetoken"
    where = f"{fake_github.url}/_codeload/acme/tools/legacy.tar.gz/{sha}?token={secret}"
    fake_github.answer("tarball", 302, b"", {"Location": where})
    with caplog.at_level(logging.DEBUG):
        status, data = await call(jp_fetch, "POST", "skills/import", {"url": f"{fake_github.url}/acme/tools/tree/main/skills/a", "scope": "user"})
    assert status == 201, data
    assert [r.query.get("token") for r in fake_github.requests_to("codeload")] == [secret]  # it was really used
    assert "token=[redacted]" in caplog.text  # httpx did log the URL ...
    assert secret not in caplog.text  # ... without the credential
    for record in caplog.records:
        assert secret not in record.getMessage()


def test_our_own_loggers_redact_too(caplog):
    import notebook_skills.skills.upstream  # noqa: F401  (its logger exists before install)
    from notebook_skills import logredact

    logredact.install()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("notebook_skills.skills.upstream").debug("fetching %s", "https://h/x.tgz?a=1&token=abc123secret")
        logging.getLogger("notebook_skills.skills.upstream").warning("header Authorization: Bearer ghp_0123456789abcdef")
    assert "abc123secret" not in caplog.text and "token=[redacted]" in caplog.text
    assert "ghp_0123456789abcdef" not in caplog.text and "Bearer [redacted]" in caplog.text
