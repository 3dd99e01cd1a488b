"""URL parsing and the host allowlist (pure functions, no network)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notebook_skills.errors import Invalid
from notebook_skills.github import (
    BadGitHubURL,
    GitHubLocation,
    HostAllowlist,
    HostNotAllowed,
    parse_github_url,
)

GH = "https://github.com"
GHE = "https://localhost:8443"
ALLOW = HostAllowlist(GH, "https://api.github.com")
ALLOW_GHE = HostAllowlist(GHE, GHE + "/api/v3")


def parse(url, github_url=GH, allowlist=ALLOW):
    return parse_github_url(url, github_url=github_url, allowlist=allowlist)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://github.com/acme/skills", ("acme", "skills", None, "")),
        ("https://github.com/acme/skills/", ("acme", "skills", None, "")),
        ("https://github.com/acme/skills.git", ("acme", "skills", None, "")),
        ("https://GitHub.com/acme/skills.git/", ("acme", "skills", None, "")),
        ("https://github.com/acme/skills/tree/main", ("acme", "skills", "main", "")),
        ("https://github.com/acme/skills/tree/main/", ("acme", "skills", "main", "")),
        ("https://github.com/acme/skills/tree/v1.2/skills/csv", ("acme", "skills", "v1.2", "skills/csv")),
        ("https://github.com/acme/skills/tree/main/skills/csv/", ("acme", "skills", "main", "skills/csv")),
        ("https://github.com/acme/skills/blob/main/skills/csv/SKILL.md", ("acme", "skills", "main", "skills/csv")),
        ("https://github.com/acme/skills/blob/abc1234/SKILL.md", ("acme", "skills", "abc1234", "")),
        ("https://github.com/acme/skills/tree/main/a%20b", ("acme", "skills", "main", "a b")),
        ("https://github.com/acme/skills/tree/main/x?tab=readme#top", ("acme", "skills", "main", "x")),
        ("  https://github.com/acme/skills  ", ("acme", "skills", None, "")),
        ("acme/skills", ("acme", "skills", None, "")),
        ("acme/skills.git", ("acme", "skills", None, "")),
        ("acme/skills/skills/csv", ("acme", "skills", None, "skills/csv")),
        ("acme/skills/skills/csv/", ("acme", "skills", None, "skills/csv")),
        ("my_org/re.po_-x", ("my_org", "re.po_-x", None, "")),
    ],
)
def test_accepted_forms(url, expected):
    assert parse(url) == GitHubLocation(*expected)


def test_ref_with_slash_takes_first_segment():
    # documented ambiguity: feature/x cannot be told apart from a path
    loc = parse("https://github.com/acme/skills/tree/feature/x/skills/csv")
    assert (loc.ref, loc.path) == ("feature", "x/skills/csv")


def test_enterprise_with_port():
    loc = parse(f"{GHE}/acme/skills/tree/main/s", GHE, ALLOW_GHE)
    assert loc == GitHubLocation("acme", "skills", "main", "s")
    assert parse("acme/skills", GHE, ALLOW_GHE) == GitHubLocation("acme", "skills", None, "")


@pytest.mark.parametrize(
    "url",
    [
        "http://github.com/acme/skills",
        "https://user@github.com/acme/skills",
        "https://user:pw@github.com/acme/skills",
        "https://evil.com/acme/skills",
        "https://github.com.evil.com/acme/skills",
        "https://140.82.112.3/acme/skills",
        "https://[::1]/acme/skills",
        "https://github.com:444/acme/skills",
        "ftp://github.com/acme/skills",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "github.com:80/acme/skills",
    ],
)
def test_host_rejections(url):
    with pytest.raises(HostNotAllowed):
        parse(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "acme",
        "/acme/skills",
        "https://github.com/acme",
        "https://github.com/",
        "https://api.github.com/repos/acme/skills",  # allowed host, not the web URL
        "https://github.com/-acme/skills",
        "https://github.com/ac me/skills",
        "https://github.com/acme/sk!lls",
        "https://github.com/acme/..",
        "https://github.com/acme/skills/issues",
        "https://github.com/acme/skills/tree",
        "https://github.com/acme/skills/tree/main/../../etc",
        "https://github.com/acme/skills/tree/main/a/%2e%2e/b",
        "https://github.com/acme/skills/tree/main/a%2fb",
        "https://github.com/acme/skills/tree/main/a%252e%252e",
        "https://github.com/acme/skills/tree/main/a%5cb",
        "https://github.com/acme/skills/tree/main//a",
        "https://github.com/acme/skills/tree/ma..in/a",
        "https://github.com/acme/skills/tree/-rf/a",
        "https://github.com/acme/skills/blob/main/README.md",
        "https://github.com/acme/skills/blob/main",
        "https://github.com/acme/skills.git/tree/main",
        "https://github.com/acme/skills/tree/main/%ff",
        "acme/skills/../x",
        "github.com/acme/skills",
    ],
)
def test_bad_urls(url):
    with pytest.raises(BadGitHubURL) as err:
        parse(url)
    assert "Accepted forms" in str(err.value)
    assert isinstance(err.value, Invalid)


def test_ip_literal_only_when_configured():
    allow = HostAllowlist("https://127.0.0.1:9443", "https://127.0.0.1:9443/api/v3")
    loc = parse("https://127.0.0.1:9443/acme/skills", "https://127.0.0.1:9443", allow)
    assert loc.repo == "skills"
    with pytest.raises(HostNotAllowed):
        allow.check("https://10.0.0.1/x")


def test_tree_url():
    assert GitHubLocation("o", "r", None, "").tree_url(GH, "main") == "https://github.com/o/r/tree/main"
    assert GitHubLocation("o", "r", "v1", "a/b").tree_url(GHE, "v1") == f"{GHE}/o/r/tree/v1/a/b"


# -- allowlist ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/x",
        "https://API.GITHUB.COM/repos",
        "https://codeload.github.com/o/r/legacy.tar.gz/abc",
        "https://raw.githubusercontent.com/o/r/main/f",
        "https://github.com:443/x",
        "https://ghe.example.org/x",
    ],
)
def test_allowlist_accepts(url):
    HostAllowlist(GH, "https://api.github.com", ["ghe.example.org"]).check(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://github.com/x",
        "https://gist.github.com/x",
        "https://github.com.@evil.com/x",
        "https://evil.com#@github.com/",
        "https://tok@api.github.com/",
        "https://127.0.0.1/x",
        "https://localhost:9999/x",  # configured host, other port
        "https://github.com:8443/x",
        "https://github.com:notaport/x",
        "not a url",
        "",
    ],
)
def test_allowlist_rejects(url):
    allow = HostAllowlist("https://localhost:8443", "https://localhost:8443/api/v3")
    with pytest.raises(HostNotAllowed):
        allow.check(url)


# -- properties --------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=120), st.from_regex(r"\Ahttps?://[a-z:.@0-9/%]{0,60}\Z"),
                 st.builds(lambda s: "https://github.com/" + s, st.text(max_size=80))))
def test_parse_only_raises_typed_errors(text):
    try:
        loc = parse(text)
    except (BadGitHubURL, HostNotAllowed):
        return
    # anything accepted round-trips through its canonical tree URL
    ref = loc.ref or "main"
    assert parse(loc.tree_url(GH, ref)) == GitHubLocation(loc.owner, loc.repo, ref, loc.path)


_seg = st.from_regex(r"\A[A-Za-z0-9_][A-Za-z0-9_. -]{0,12}[A-Za-z0-9_]\Z")


@settings(max_examples=200, deadline=None)
@given(
    owner=st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9-]{0,20}\Z"),
    repo=st.from_regex(r"\A[A-Za-z0-9_-][A-Za-z0-9._-]{0,20}\Z").filter(lambda r: not r.endswith(".git")),
    ref=st.from_regex(r"\A[A-Za-z0-9_][A-Za-z0-9_-]{0,15}\Z"),
    path=st.lists(_seg, max_size=4).map("/".join),
)
def test_tree_url_round_trips(owner, repo, ref, path):
    loc = GitHubLocation(owner, repo, ref, path)
    for base, allow in ((GH, ALLOW), (GHE, ALLOW_GHE)):
        assert parse(loc.tree_url(base, ref), base, allow) == loc
