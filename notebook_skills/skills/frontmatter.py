"""SKILL.md parsing and surgical frontmatter edits (contract §3).

Upstream frontmatter is never re-dumped: edits replace, append or delete whole
lines of single top-level keys, located with the YAML composer's own marks, so
comments, order and unknown keys survive byte-for-byte.  Every edit is checked
by re-parsing the result.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

from ..errors import Invalid
from .names import validate_name
from .yamlsafe import compose_yaml, load_yaml

MAX_SKILL_MD_BYTES = 1024 * 1024
MAX_FRONTMATTER_BYTES = 64 * 1024
PRODUCT_KEYS = ("source", "tracks_upstream", "tracking_ref", "managed_source", "managed_ref")

_BOM = "\ufeff"
_OPEN_RE = re.compile(r"---[ \t]*(\r?\n)")
_CLOSE_RE = re.compile(r"^---[ \t]*(?:\r?\n|\Z)", re.M)
# YAML's own line breaks, so our line numbers agree with the composer's marks.
_BREAK_RE = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# Plain (unquoted) scalars: a conservative alphabet; anything else is quoted.
_PLAIN_RE = re.compile(r"[A-Za-z0-9_/.(][A-Za-z0-9 _./~:@%+=,()'!?;-]*")
# Looks like a number (YAML 1.1 or 1.2) to some parser: quote it.
_NUMERIC_RE = re.compile(
    r"[-+]?(0[xob][0-9a-fA-F_]+|[0-9][0-9_:]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?"
    r"|\.[0-9]+([eE][-+]?[0-9]+)?|\.(inf|nan|Inf|NaN|INF|NAN))"
)
_SPECIAL_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


@dataclass(frozen=True)
class SkillDocument:
    frontmatter: dict  # parsed safely; {} when there is no frontmatter block
    body: str  # markdown after the closing '---' line
    text: str  # original text (BOM stripped)


@dataclass(frozen=True)
class _Parts:
    bom: str
    opener: str | None  # opening '---' line with its newline; None = no frontmatter
    block: str  # YAML text between the delimiter lines
    closer: str  # closing '---' line with its newline (if any)
    body: str


def _decode(data: bytes | str) -> str:
    if isinstance(data, bytes):
        if len(data) > MAX_SKILL_MD_BYTES:
            raise Invalid("SKILL.md is larger than 1 MiB")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("SKILL.md is not valid UTF-8 text") from None
    if not isinstance(data, str):
        raise TypeError("SKILL.md content must be bytes or str")
    try:
        size = len(data) if len(data) > MAX_SKILL_MD_BYTES else len(data.encode("utf-8"))
    except UnicodeEncodeError:
        raise Invalid("SKILL.md is not valid UTF-8 text") from None
    if size > MAX_SKILL_MD_BYTES:
        raise Invalid("SKILL.md is larger than 1 MiB")
    return data


def _split(text: str) -> _Parts:
    bom = _BOM if text.startswith(_BOM) else ""
    text = text[len(bom):]
    opened = _OPEN_RE.match(text)
    if not opened:
        return _Parts(bom, None, "", "", text)
    closed = _CLOSE_RE.search(text, opened.end())
    if not closed:
        raise Invalid("SKILL.md frontmatter is not terminated: add a closing '---' line")
    return _Parts(
        bom, opened.group(0), text[opened.end():closed.start()], closed.group(0), text[closed.end():]
    )


def parse_skill_md(data: bytes | str) -> SkillDocument:
    text = _decode(data)
    parts = _split(text)
    if parts.opener is None:
        return SkillDocument({}, parts.body, text[len(parts.bom):])
    if len(parts.block.encode("utf-8")) > MAX_FRONTMATTER_BYTES:
        raise Invalid("SKILL.md frontmatter is larger than 64 KiB")
    data = load_yaml(parts.block, "SKILL.md frontmatter")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid("SKILL.md frontmatter must be a YAML mapping of keys to values")
    try:  # the frontmatter is served as JSON: refuse what JSON cannot carry
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):
        raise Invalid("SKILL.md frontmatter holds values that are not plain data") from None
    return SkillDocument(data, parts.body, text[len(parts.bom):])


def _plain_ok(value: str) -> bool:
    if not _PLAIN_RE.fullmatch(value) or value != value.strip() or value.endswith(":"):
        return False
    if ": " in value or " #" in value or _NUMERIC_RE.fullmatch(value):
        return False
    if value.lower() in _SPECIAL_WORDS:
        return False
    try:
        return yaml.load("k: " + value, Loader=yaml.SafeLoader) == {"k": value}
    except yaml.YAMLError:
        return False


def _double_quoted(value: str) -> str:
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif 0xD800 <= code <= 0xDFFF:
            raise Invalid("Frontmatter values must be valid Unicode text")
        elif code < 0x20 or 0x7F <= code <= 0xA0 or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF):
            out.append(f"\\u{code:04x}")  # YAML would fold or reject these raw
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _scalar(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if _plain_ok(value) else _double_quoted(value)


def _check_updates(updates: dict) -> None:
    for key, value in updates.items():
        if not isinstance(key, str) or not _KEY_RE.fullmatch(key) or key.lower() in _SPECIAL_WORDS:
            raise Invalid(f"Cannot write frontmatter key {key!r}")
        if value is not None and not isinstance(value, (str, bool)):
            raise Invalid(f"Frontmatter key '{key}' must be text or true/false")


def _lines(block: str) -> list[str]:
    lines, pos = [], 0
    for m in _BREAK_RE.finditer(block):
        lines.append(block[pos:m.end()])
        pos = m.end()
    if pos < len(block):
        lines.append(block[pos:])
    return lines


def _ending(line: str, default: str) -> str:
    m = _BREAK_RE.search(line)
    return line[m.start():] if m else default


def _last_line(node: yaml.Node, lines: list[str]) -> int:
    """Last line holding the value's own content.

    Marks of block collections and block scalars reach over trailing blank
    lines and comments; those belong to whatever follows, so they are kept.
    """
    end = node.end_mark
    end_line = min(end.line - 1 if end.column == 0 else end.line, len(lines) - 1)
    if isinstance(node, yaml.ScalarNode):
        if node.style in ("|", ">"):
            while end_line > node.start_mark.line and not lines[end_line].strip():
                end_line -= 1
        return end_line
    if node.flow_style or not node.value:
        return end_line
    last = node.value[-1]
    return _last_line(last[1] if isinstance(node, yaml.MappingNode) else last, lines)


def _edit_block(block: str, updates: dict, nl: str) -> str:
    lines = _lines(block)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    root = compose_yaml(block, "SKILL.md frontmatter")
    pairs = root.value if isinstance(root, yaml.MappingNode) else []
    if pairs and root.flow_style:
        raise Invalid("SKILL.md frontmatter in {flow} style cannot be edited; use one key per line")
    indent = pairs[0][0].start_mark.column if pairs else 0
    spans: dict[str, list[tuple[int, int]]] = {}
    for key_node, value_node in pairs:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.value not in updates:
            continue
        mark = key_node.start_mark
        first = mark.line
        if mark.column != indent or starts[first] + indent != mark.index or lines[first][:indent].strip():
            raise Invalid(f"Cannot safely edit frontmatter key '{key_node.value}'")
        last = max(first, min(_last_line(value_node, lines), len(lines) - 1))
        spans.setdefault(key_node.value, []).append((first, last))

    edits: list[tuple[int, int, list[str]]] = []
    appended: list[str] = []
    for key, value in updates.items():
        found = spans.get(key, [])
        if value is not None:
            line = f"{' ' * indent}{key}: {_scalar(value)}"
            if found:  # replace the first occurrence in place; duplicates go
                first, last = found[0]
                edits.append((first, last, [line + _ending(lines[last], nl)]))
                found = found[1:]
            else:
                appended.append(line + nl)
        edits.extend((first, last, []) for first, last in found)
    for first, last, new in sorted(edits, reverse=True):
        lines[first:last + 1] = new
    return "".join(lines) + "".join(appended)


def _verify(before: SkillDocument, text: str, updates: dict) -> None:
    after = parse_skill_md(text)
    fm = after.frontmatter
    ok = after.body == before.body
    for key, value in updates.items():
        ok = ok and (key not in fm if value is None else type(fm.get(key)) is type(value) and fm[key] == value)
    others_before = {k: v for k, v in before.frontmatter.items() if k not in updates}
    others_after = {k: v for k, v in fm.items() if k not in updates}
    if not ok or others_before != others_after:
        raise Invalid("Could not update the SKILL.md frontmatter safely: " + ", ".join(updates))


def set_frontmatter_keys(text: str, updates: dict[str, str | bool | None]) -> str:
    """Set (or with None remove) top-level keys, each as one `key: value` line."""
    _check_updates(updates)
    before = parse_skill_md(text)
    parts = _split(text)
    if parts.opener is None:
        added = [(k, v) for k, v in updates.items() if v is not None]
        if not added:
            return text
        nl = "\r\n" if "\r\n" in parts.body else "\n"
        block = "".join(f"{k}: {_scalar(v)}{nl}" for k, v in added)
        new = f"{parts.bom}---{nl}{block}---{nl}{parts.body}"
    else:
        block = _edit_block(parts.block, updates, _ending(parts.opener, "\n"))
        if block == parts.block:
            return text
        new = parts.bom + parts.opener + block + parts.closer + parts.body
    _verify(before, new, updates)
    return new


def strip_product_keys(text: str) -> str:
    return set_frontmatter_keys(text, dict.fromkeys(PRODUCT_KEYS))


def replace_body(text: str, body: str) -> str:
    """The same document with a new markdown body (frontmatter untouched)."""
    parse_skill_md(text)
    parts = _split(text)
    if parts.opener is None:
        return parts.bom + body
    new = parts.bom + parts.opener + parts.block + parts.closer + body
    parse_skill_md(new)  # size check
    return new


MAX_DESCRIPTION = 1024  # Agent Skills spec


def check_description(description: object) -> str:
    """The one description rule for create and update."""
    if not isinstance(description, str) or not description.strip():
        raise Invalid("A skill needs a description: agents use it to decide when to load the skill.")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(f"A skill description must be at most {MAX_DESCRIPTION} characters (got {len(description)}).")
    return description


def skill_md_template(name: str, description: str, body: str = "") -> str:
    """SKILL.md of a new blank skill."""
    validate_name(name)
    check_description(description)
    if not isinstance(body, str):
        raise Invalid("The skill body must be text")
    text = f"---\nname: {name}\ndescription: {_scalar(description)}\n---\n{body}"
    doc = parse_skill_md(text)
    if doc.frontmatter != {"name": name, "description": description} or doc.body != body:
        raise Invalid("Could not build SKILL.md for this skill")
    return text
