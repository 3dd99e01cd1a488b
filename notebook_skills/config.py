"""Environment overrides for admin policy, parsed strictly in one place.

A typo in a kill switch must not silently leave GitHub egress on, so anything
that is not a recognised boolean stops the extension from starting.
"""

from __future__ import annotations

from typing import Mapping, Optional

ALLOW_IMPORT_ENV = "NOTEBOOK_SKILLS_ALLOW_GITHUB_IMPORT"
MANAGEMENT_POLICY_ENV = "NOTEBOOK_SKILLS_MANAGEMENT_POLICY"
MANAGEMENT_POLICIES = ("user-choice", "force-off")

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class ConfigError(ValueError):
    """An environment override has a value we refuse to guess about."""


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use true/false, 1/0, yes/no or on/off.")


def env_allow_import(env: Mapping[str, str]) -> Optional[bool]:
    raw = env.get(ALLOW_IMPORT_ENV)
    return None if raw is None else parse_bool(ALLOW_IMPORT_ENV, raw)


def env_management_policy(env: Mapping[str, str]) -> Optional[str]:
    raw = env.get(MANAGEMENT_POLICY_ENV)
    if raw is None:
        return None
    value = raw.strip().lower()
    if value not in MANAGEMENT_POLICIES:
        raise ConfigError(f"{MANAGEMENT_POLICY_ENV}={raw!r} must be one of {', '.join(MANAGEMENT_POLICIES)}.")
    return value
