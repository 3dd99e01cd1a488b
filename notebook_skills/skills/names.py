"""Skill names and scopes (contract §2: Agent Skills spec names)."""

from __future__ import annotations

import re
import unicodedata

from ..errors import Invalid

NAME_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_NAME_LEN = 64
SCOPES = ("user", "project")

_NAME = re.compile(NAME_RE)
# What the product names the entries it parks in a bookkeeping area (store.park):
# `<skill name>.<owner token>.<token>`, 16 hex digits each.
_ENTRY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\.[0-9a-f]{16}\.[0-9a-f]{16}")


def is_valid_name(name: object) -> bool:
    # fullmatch: '$' alone would accept a trailing newline
    return isinstance(name, str) and 0 < len(name) <= MAX_NAME_LEN and bool(_NAME.fullmatch(name))


def is_entry_name(value: object) -> bool:
    """A bookkeeping entry name the product creates; never '..', '.', a path or an absolute path."""
    return (isinstance(value, str) and len(value) <= MAX_NAME_LEN + 34 and bool(_ENTRY.fullmatch(value))
            and is_valid_name(value.split(".", 1)[0]))


def validate_name(name: object) -> str:
    if not is_valid_name(name):
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(name)[:80])
        raise Invalid(f"Invalid skill name '{shown}': use 1-64 lowercase letters, digits and single hyphens")
    return name  # type: ignore[return-value]


def slugify(text: str) -> str:
    # Fold accents to ASCII first so "Café Tools" becomes "cafe-tools", not "caf-tools".
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_NAME_LEN].rstrip("-")


def derive_name(*candidates: str | None) -> str:
    """The first candidate that slugifies to a valid name."""
    for candidate in candidates:
        if isinstance(candidate, str):
            slug = slugify(candidate)
            if is_valid_name(slug):
                return slug
    raise Invalid("Could not derive a valid skill name; please give one (lowercase letters, digits, hyphens)")


def validate_scope(scope: object) -> str:
    if scope not in SCOPES:
        raise Invalid(f"Invalid scope '{str(scope)[:40]}': use 'user' or 'project'")
    return scope  # type: ignore[return-value]
