"""Adopting a tracking skill that has no install record (docs/store.md).

A project cloned with its `.claude/skills`, or a skill imported and tracked by
notebook-intelligence (which writes the same frontmatter keys), has no record.
Its first Sync compares the local bundle with upstream at the commit its
`tracking_ref` names: files other than SKILL.md by git blob SHA, SKILL.md by
the content digest rule (product keys aside) — or, for a skill written by
notebook-intelligence 6.2.0, as that tool renders an upstream SKILL.md.

notebook-intelligence does not keep the upstream bytes: it parses the
frontmatter and re-dumps only `name`, `description` and `allowed-tools`
(then its own keys) with PyYAML, puts a blank line after the closing `---`
and trims the body.  So an unedited skill it imported never equals upstream
byte for byte.  `ni_rendering` reproduces that transformation (our own code,
written from reading notebook-intelligence 6.2.0's importer); a local SKILL.md
equal to it is unedited.  Any difference, however small, is an edit.
"""

from __future__ import annotations

from typing import Optional

import yaml

from ..errors import Invalid
from ..github.answers import is_sha
from .frontmatter import parse_skill_md
from .yamlsafe import load_yaml

_OPEN = "---\n"
# notebook-intelligence's own frontmatter keys, in the order it writes them
_NI_KEYS = ("source", "managed_source", "managed_ref", "tracks_upstream", "tracking_ref")


def full_sha(ref: Optional[str]) -> Optional[str]:
    """``ref`` when it is a full commit SHA (the only thing adoption can compare with), else None.

    A branch or tag name (`main`), a short SHA (`abc1234`) or anything else
    names no fixed content: the skill's state is unknown.
    """
    if not isinstance(ref, str):
        return None
    ref = ref.lower()
    return ref if is_sha(ref) else None


def commit_to_compare(tracking_ref: Optional[str], head: str, mode: str) -> Optional[str]:
    """The upstream commit a record-less skill is compared with, or None (unknown).

    A full SHA: that commit.  No `tracking_ref` at all (notebook-intelligence
    imports a tracking skill without one until its first sync): Sync compares
    with the head, and adopts only if the files are identical to it.  Anything
    else (a branch name, a short SHA): unknown.
    """
    sha = full_sha(tracking_ref)
    if sha is not None:
        return sha
    if not tracking_ref and mode == "sync":
        return head
    return None


def _universal_newlines(text: str) -> str:
    # notebook-intelligence reads SKILL.md with Path.read_text: \r\n and \r become \n
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _ni_parse(text: str) -> Optional[tuple[dict, str]]:
    """(frontmatter, body) as notebook-intelligence 6.2.0 reads an upstream SKILL.md;
    None when it would have refused the file (so it cannot have written this skill)."""
    if not text.startswith(_OPEN):
        return {}, text
    parts = text.split(_OPEN, 2)
    if len(parts) < 3:
        return {}, text
    try:
        data = load_yaml(parts[1], "upstream SKILL.md frontmatter")
    except Invalid:
        return None  # invalid YAML (or what we refuse to read): not something it imported
    if not isinstance(data, dict):
        data = {}
    return data, parts[2].lstrip("\n")


def ni_rendering(upstream: str, name: str, keys: dict) -> Optional[str]:
    """SKILL.md as notebook-intelligence 6.2.0 writes it when it imports (or syncs)
    the upstream SKILL.md text ``upstream`` as skill ``name``; ``keys`` holds its
    own keys (`source`, `tracks_upstream`, `tracking_ref`, ...) as the local file has them."""
    parsed = _ni_parse(_universal_newlines(upstream))
    if parsed is None:
        return None
    fm, body = parsed
    description = fm.get("description") or ""
    tools = fm.get("allowed-tools", []) or []
    if not isinstance(tools, (list, str)):
        return None  # it would have failed to import this
    out: dict = {"name": name, "description": description}
    if tools:
        out["allowed-tools"] = list(tools)  # a string becomes a list of its characters, as it does
    for key in _NI_KEYS:
        value = keys.get(key)
        if value:
            out[key] = True if key == "tracks_upstream" else value
    try:
        dumped = yaml.safe_dump(out, sort_keys=False, default_flow_style=False).strip()
    except yaml.YAMLError:
        return None
    body_text = body.rstrip() + "\n" if body.strip() else ""
    return f"---\n{dumped}\n---\n\n{body_text}"


def written_by_ni(upstream_md: bytes, local_md: bytes, name: str) -> bool:
    """Whether ``local_md`` is exactly what notebook-intelligence writes for ``upstream_md``."""
    try:
        upstream, local = upstream_md.decode("utf-8"), local_md.decode("utf-8")
        keys = parse_skill_md(local).frontmatter
    except (UnicodeDecodeError, Invalid):
        return False
    rendered = ni_rendering(upstream, name, keys)
    return rendered is not None and rendered == local
