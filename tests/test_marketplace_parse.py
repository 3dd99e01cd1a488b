"""marketplace.json parsing: every source kind, bounds, and per-plugin errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notebook_skills.errors import Invalid
from notebook_skills.github import HostAllowlist, parse_github_url
from notebook_skills.sources.marketplace import (
    MAX_BYTES,
    MAX_PLUGINS,
    MarketplaceError,
    normalize,
    parse_marketplace,
    relative,
)
from tests.fakegithub.marketplaces import huge_marketplace_bytes, many_plugins_json, marketplace_json

WEB = "https://ghe.example.com"
SHA = "a" * 40
HEADS = {"viz": "1" * 40, "reports": "2" * 40, "gpu": "3" * 40}


def repo_of_url(url: str):
    loc = parse_github_url(url, github_url=WEB, allowlist=HostAllowlist(WEB, WEB + "/api/v3"))
    return loc.owner, loc.repo, (loc.path or None)


def parse(doc, base=""):
    raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return parse_marketplace(raw, base=base, repo_of_url=repo_of_url)


def test_sample_marketplace_every_kind():
    market = parse(marketplace_json(WEB, HEADS))
    assert market.name == "acme-plugins"
    by = {p.name: p for p in market.plugins}
    assert set(by) == {"data-tools", "doc-tools", "lab-essentials", "viz", "reports", "gpu"}
    assert (by["data-tools"].kind, by["data-tools"].root, by["data-tools"].skills) == ("local", "plugins/data-tools", None)
    # bare name: under metadata.pluginRoot
    assert by["doc-tools"].root == "plugins/doc-tools"
    lab = by["lab-essentials"]
    assert (lab.root, lab.skills, lab.strict) == ("", ["skills/notebook-tidy", "skills/query-review"], False)
    viz = by["viz"]
    assert (viz.kind, viz.owner, viz.repo, viz.ref, viz.sha, viz.root) == ("github", "partner", "viz-skills", "main", None, "")
    rep = by["reports"]
    assert (rep.kind, rep.owner, rep.repo, rep.ref, rep.sha) == ("url", "partner", "report-skills", None, "2" * 40)
    gpu = by["gpu"]
    assert (gpu.kind, gpu.owner, gpu.repo, gpu.root, gpu.ref, gpu.sha) == ("git-subdir", "chipco", "skills", "skills", "main", "3" * 40)
    assert gpu.skills == ["skills/local-ai-use", "skills/gpu-profiling"]
    errors = {e.plugin: e.message for e in market.errors}
    assert set(errors) == {"npm-thing", "gitlab-thing", "broken", "#10"}
    assert "npm" in errors["npm-thing"] and "not supported" in errors["npm-thing"]
    assert "gitlab.com" in errors["gitlab-thing"]
    assert "repo" in errors["broken"]
    assert "name" in errors["#10"]


def test_base_dir_prefixes_relative_sources_and_plugin_root():
    doc = {"metadata": {"pluginRoot": "./plugins"}, "plugins": [
        {"name": "a", "source": "./x"}, {"name": "b", "source": "y"}, {"name": "c", "source": "../z"}]}
    market = parse(doc, base="sub/market")
    assert [p.root for p in market.plugins] == ["sub/market/x", "sub/market/plugins/y", "sub/z"]


@pytest.mark.parametrize("source, fragment", [
    ("../../../etc", "outside the repository"),
    ("/etc/passwd", "relative"),
    ("https://github.com/a/b", "relative"),
    ({"source": "github", "repo": "a/b", "sha": "abc"}, "40-hex"),
    ({"source": "github", "repo": "a/b", "ref": "../x"}, "invalid ref"),
    ({"source": "github", "repo": "not a repo"}, "repo"),
    ({"source": "url", "url": "https://github.com/a/b.git"}, "ghe.example.com"),  # another host than the configured one
    ({"source": "url", "url": f"{WEB}/a/b/tree/main/x"}, "repository"),
    ({"source": "git-subdir", "url": f"{WEB}/a/b.git"}, "path"),
    ({"source": "archive", "url": "https://x/y.tgz"}, "not supported"),
    ({"source": "command", "command": "rm -rf /"}, "not supported"),
    (42, "source"),
])
def test_bad_sources_are_errors_naming_the_plugin(source, fragment):
    market = parse({"plugins": [{"name": "bad", "source": source}, {"name": "good", "source": "./g"}]})
    assert [p.name for p in market.plugins] == ["good"]  # one bad plugin never hides the others
    assert len(market.errors) == 1 and market.errors[0].plugin == "bad"
    assert "plugin 'bad'" in market.errors[0].message and fragment.lower() in market.errors[0].message.lower()


def test_sha_wins_and_is_lowercased():
    market = parse({"plugins": [{"name": "p", "source": {"source": "github", "repo": "a/b", "ref": "v1", "sha": "A" * 40}}]})
    assert market.plugins[0].sha == "a" * 40 and market.plugins[0].ref == "v1"


def test_duplicate_names_and_bad_names():
    market = parse({"plugins": [
        {"name": "p", "source": "./a"}, {"name": "p", "source": "./b"}, {"name": "a:b", "source": "./c"},
        {"name": "x" * 500, "source": "./d"}, "not an object", None]})
    assert [p.root for p in market.plugins] == ["a"]
    assert len(market.errors) == 5


def test_skills_string_or_list_relative_to_plugin_root():
    market = parse({"plugins": [
        {"name": "one", "source": "./p", "skills": "./skills/a"},
        {"name": "two", "source": "./p", "skills": ["s/b", "../shared/c", "./d/SKILL.md"]},
        {"name": "esc", "source": "./p", "skills": ["../../../x"]}]})
    assert [p.skills for p in market.plugins] == [["p/skills/a"], ["p/s/b", "shared/c", "p/d"]]
    assert market.errors[0].plugin == "esc"


@pytest.mark.parametrize("raw, fragment", [
    (b"not json", "not valid JSON"),
    (b"[]", "plugins"),
    (b'{"plugins": {}}', "plugins"),
    (b"\xff\xfe", "not valid JSON"),
    (b"[" * 100000 + b"]" * 100000, "not valid JSON"),
])
def test_unusable_files_are_one_clear_error(raw, fragment):
    with pytest.raises(MarketplaceError, match=fragment):
        parse(raw)


def test_two_megabyte_file_is_refused_without_parsing():
    raw = huge_marketplace_bytes()
    assert len(raw) > 2 * 1024 * 1024 - 1024 and len(raw) > MAX_BYTES
    with pytest.raises(MarketplaceError, match="over the 1 MB limit"):
        parse(raw)


def test_plugin_count_is_capped_and_said():
    doc = many_plugins_json(MAX_PLUGINS + 5, local=MAX_PLUGINS + 5)
    market = parse(doc)
    assert len(market.plugins) == MAX_PLUGINS
    assert market.errors[0].plugin is None and "5 plugins" in market.errors[0].message


def test_long_description_is_cut():
    market = parse({"plugins": [{"name": "p", "description": "d" * 5000, "source": "./p"}]})
    assert len(market.plugins[0].description) == 1000


def test_skill_folders_default_layout_and_skills_array():
    market = parse({"plugins": [
        {"name": "default", "source": "./p"},
        {"name": "listed", "source": "./", "skills": ["./skills/a", "./bundle", "./missing"]}]})
    found = ["p/skills/x", "p/skills/y", "p/skills/y/nested", "p/other/z", "skills/a", "bundle/b1", "bundle/b2"]
    default, listed = market.plugins
    assert default.skill_folders(found) == ["p/skills/x", "p/skills/y"]
    assert listed.skill_folders(found) == ["skills/a", "bundle/b1", "bundle/b2"]
    assert listed.missing_skills(found) == ["missing"]


def test_normalize():
    assert normalize("./a/./b/", "") == "a/b"
    assert normalize(".", "x") == "x"
    with pytest.raises(Invalid):
        normalize("a\\b")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
_entry = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=200) | _json,
        "description": st.text(max_size=50) | _json,
        "source": st.sampled_from(["./a", "b", "../../x", "/abs"]) | _json | st.fixed_dictionaries(
            {"source": st.sampled_from(["github", "url", "git-subdir", "npm", "pip"])},
            optional={"repo": st.sampled_from(["a/b", "bad", "x" * 200]) | _json,
                      "url": st.sampled_from([f"{WEB}/a/b.git", "https://evil.com/a/b.git", "ftp://x"]) | _json,
                      "path": st.text(max_size=20) | _json, "ref": st.text(max_size=20) | _json,
                      "sha": st.sampled_from([SHA, "short"]) | _json}),
        "skills": st.lists(st.text(max_size=20), max_size=3) | _json,
        "strict": _json,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_entry | _json, max_size=8))
def test_any_entries_give_plugins_or_named_errors(entries):
    """Whatever the entries hold, parsing never raises: each entry is a plugin
    or an error, and every kept plugin's paths stay inside the repository."""
    market = parse({"plugins": entries})
    assert len(market.plugins) + sum(1 for e in market.errors if e.plugin is not None) == len(entries)
    for p in market.plugins:
        for path in [p.root, *(p.skills or [])]:
            assert not path.startswith("/") and ".." not in path.split("/")
        if p.external:
            assert p.owner and p.repo


@pytest.mark.parametrize("path, root, rel", [
    ("skills/a", "", "skills/a"),
    ("plug/skills/a", "plug", "skills/a"),
    ("shared/a", "plug/x", "../../shared/a"),
    ("plug", "plug", ""),
])
def test_relative_is_undone_by_normalize(path, root, rel):
    assert relative(path, root) == rel
    assert normalize(rel, root) == path


def test_a_relative_skill_path_follows_a_moved_plugin_root():
    assert normalize(relative("plug/skills/a", "plug"), "moved/plug") == "moved/plug/skills/a"
    assert normalize(relative("shared/a", "plug/x"), "other/y") == "shared/a"


def test_a_plugin_claims_its_listed_skills_only():
    doc = {"plugins": [
        {"name": "listed", "source": "./p", "skills": ["./skills/one", "./more"]},
        {"name": "default", "source": "./q"},
    ]}
    market = parse_marketplace(json.dumps(doc).encode(), repo_of_url=repo_of_url)
    listed, default = market.plugin("listed"), market.plugin("default")
    assert listed.claims("p/skills/one") and listed.claims("p/more/two")
    assert not listed.claims("p/skills/two") and not listed.claims("p/more/two/deeper")
    assert default.claims("q/skills/x") and not default.claims("q/x") and not default.claims("p/skills/x")
