"""Skill names and scopes (contract §2)."""

import pytest

from notebook_skills.errors import Invalid
from notebook_skills.skills.names import derive_name, validate_name, validate_scope


@pytest.mark.parametrize("name", ["a", "pdf", "my-skill", "a1-b2-c3", "x" * 64, "123"])
def test_valid_names(name):
    assert validate_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "A", "My-Skill", "-a", "a-", "a--b", "a_b", "a.b", "a b", "x" * 65, "pdf\n", "../x", None, 3, ["a"]]
)
def test_invalid_names(name):
    with pytest.raises(Invalid, match="Invalid skill name .*1-64 lowercase letters, digits and single hyphens"):
        validate_name(name)


@pytest.mark.parametrize(
    "candidates, expected",
    [
        (("PDF Tools",), "pdf-tools"),
        ((None, "", "My_Skill!!"), "my-skill"),
        (("---", "--Fallback--"), "fallback"),
        (("Café Übersicht",), "cafe-ubersicht"),
        (("日本語", "repo-name"), "repo-name"),
        (("a" * 63 + "-b",), "a" * 63),
        (("x" * 100,), "x" * 64),
    ],
)
def test_derive_name(candidates, expected):
    assert derive_name(*candidates) == expected


def test_derive_name_none_valid():
    with pytest.raises(Invalid):
        derive_name(None, "", "!!!", "日本語")


def test_validate_scope():
    assert validate_scope("user") == "user"
    assert validate_scope("project") == "project"
    for bad in ("User", "global", "", None, 1):
        with pytest.raises(Invalid):
            validate_scope(bad)
