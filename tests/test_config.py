"""Strict parsing of the policy environment variables."""

import pytest

from notebook_skills.config import ConfigError, env_allow_import, env_management_policy, parse_bool


@pytest.mark.parametrize("raw, expected", [("true", True), ("1", True), (" YES ", True), ("On", True), ("false", False), ("0", False), ("no", False), ("OFF", False)])
def test_parse_bool_accepts_the_documented_spellings(raw, expected):
    assert parse_bool("X", raw) is expected


@pytest.mark.parametrize("raw", ["", "2", "tru", "enabled", "nope", "yes please"])
def test_parse_bool_refuses_anything_else(raw):
    with pytest.raises(ConfigError, match="X="):
        parse_bool("X", raw)


def test_env_helpers():
    assert env_allow_import({}) is None
    assert env_allow_import({"NOTEBOOK_SKILLS_ALLOW_GITHUB_IMPORT": "0"}) is False
    assert env_management_policy({"NOTEBOOK_SKILLS_MANAGEMENT_POLICY": "Force-Off"}) == "force-off"
    with pytest.raises(ConfigError):
        env_management_policy({"NOTEBOOK_SKILLS_MANAGEMENT_POLICY": "sometimes"})
