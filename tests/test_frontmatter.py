"""SKILL.md parsing and surgical frontmatter edits (contract §3)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notebook_skills.errors import Invalid
from notebook_skills.skills.frontmatter import (
    PRODUCT_KEYS,
    parse_skill_md,
    replace_body,
    set_frontmatter_keys,
    skill_md_template,
    strip_product_keys,
)

UPSTREAM = """---
name: pdf
# Upstream comment: keep me
description: "Work with PDFs. Use when: forms, tables"
license: Complete terms in LICENSE.txt

metadata:
  author: someone
  version: "1.0"
allowed-tools: Bash(git:*) Read Write
---
# PDF

Body text.
"""


# -- parsing -----------------------------------------------------------------


def test_parse_basic():
    doc = parse_skill_md(UPSTREAM)
    assert doc.frontmatter["name"] == "pdf"
    assert doc.frontmatter["metadata"] == {"author": "someone", "version": "1.0"}
    assert doc.frontmatter["allowed-tools"] == "Bash(git:*) Read Write"
    assert doc.body == "# PDF\n\nBody text.\n"
    assert doc.text == UPSTREAM


def test_parse_crlf_and_bom_bytes():
    raw = ("\ufeff" + UPSTREAM.replace("\n", "\r\n")).encode("utf-8")
    doc = parse_skill_md(raw)
    assert doc.frontmatter["name"] == "pdf"
    assert doc.body == "# PDF\r\n\r\nBody text.\r\n"
    assert not doc.text.startswith("\ufeff")


def test_no_frontmatter_and_empty_frontmatter():
    assert parse_skill_md("# Just markdown\n") == parse_skill_md(b"# Just markdown\n")
    assert parse_skill_md("# Just markdown\n").frontmatter == {}
    assert parse_skill_md("# Just markdown\n").body == "# Just markdown\n"
    assert parse_skill_md("").frontmatter == {}
    doc = parse_skill_md("---\n---\nbody")
    assert (doc.frontmatter, doc.body) == ({}, "body")
    assert parse_skill_md("---\n# only a comment\n---\n").frontmatter == {}
    assert parse_skill_md("---\nname: x\n---").body == ""


@pytest.mark.parametrize(
    "text, message",
    [
        ("---\nname: x\n", "not terminated"),
        ("---\n- a\n- b\n---\n", "mapping"),
        ("---\njust a string\n---\n", "mapping"),
        ("---\nname: [unclosed\n---\n", "not valid YAML"),
        ("---\na: &x 1\nb: *x\n---\n", "aliases are not allowed"),
        ("---\na: &x 1\n---\n", "aliases are not allowed"),
        ("---\nx: !!python/object/apply:os.system ['true']\n---\n", "not valid YAML"),
        ("---\nx: !!python/name:os.system\n---\n", "not valid YAML"),
        ("---\nx: .nan\n---\n", "plain data"),
        ("---\nx: !!set {a, b}\n---\n", "plain data"),
        ("---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n", "Invalid"),
    ],
)
def test_parse_rejects(text, message):
    with pytest.raises(Invalid) as err:
        parse_skill_md(text)
    assert message == "Invalid" or message in str(err.value)


def test_billion_laughs_refused():
    lol = "---\na: &a [lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9)
    ) + "---\n"
    with pytest.raises(Invalid, match="aliases"):
        parse_skill_md(lol)


def test_size_limits():
    big_block = "---\ndescription: " + "x" * (64 * 1024) + "\n---\n"
    with pytest.raises(Invalid, match="64 KiB"):
        parse_skill_md(big_block)
    big_file = "---\nname: x\n---\n" + "y" * (1024 * 1024)
    with pytest.raises(Invalid, match="1 MiB"):
        parse_skill_md(big_file)
    with pytest.raises(Invalid, match="1 MiB"):
        parse_skill_md(big_file.encode())
    with pytest.raises(Invalid, match="1 MiB"):  # multi-byte chars count as bytes
        parse_skill_md("é" * (600 * 1024))


def test_not_utf8():
    with pytest.raises(Invalid, match="UTF-8"):
        parse_skill_md(b"---\nname: \xff\n---\n")


def test_timestamps_stay_strings_and_json_serialisable():
    doc = parse_skill_md("---\ndate: 2024-01-02\nwhen: 2024-01-02 10:00:00\nt: !!timestamp 2020-01-01\n---\n")
    assert doc.frontmatter == {"date": "2024-01-02", "when": "2024-01-02 10:00:00", "t": "2020-01-01"}
    json.dumps(doc.frontmatter)


# -- set_frontmatter_keys ------------------------------------------------------------


def _lines(text):
    return text.splitlines(keepends=True)


def test_set_adds_keys_at_end_and_keeps_every_other_byte():
    out = set_frontmatter_keys(
        UPSTREAM, {"source": "https://github.com/o/r/tree/main/skills/pdf", "tracks_upstream": True}
    )
    original = _lines(UPSTREAM)
    close = original.index("---\n", 1)
    assert _lines(out) == original[:close] + [
        "source: https://github.com/o/r/tree/main/skills/pdf\n",
        "tracks_upstream: true\n",
    ] + original[close:]


def test_set_replaces_in_place_and_removes():
    text = "---\nname: x\nsource: old\nlicense: MIT\ntracking_ref: abc\n---\nbody\n"
    out = set_frontmatter_keys(text, {"source": "new-value", "tracking_ref": None})
    assert out == "---\nname: x\nsource: new-value\nlicense: MIT\n---\nbody\n"


def test_replace_multiline_product_values():
    text = (
        "---\nname: x\nsource: |\n  line one\n  # not a comment\n\n"
        "# a real comment\nmanaged_source:\n  nested: map\n  other:\n    - a\n"
        "tracking_ref: >\n  folded\n  text\nlicense: MIT\n---\n"
    )
    out = set_frontmatter_keys(text, {"source": "s", "managed_source": None, "tracking_ref": "f" * 40})
    assert out == (
        "---\nname: x\nsource: s\n\n# a real comment\n"
        f"tracking_ref: {'f' * 40}\nlicense: MIT\n---\n"
    )


def test_duplicate_keys_collapse_to_first_position():
    text = "---\nsource: a\nname: x\nsource: b\n---\n"
    assert set_frontmatter_keys(text, {"source": "c"}) == "---\nsource: c\nname: x\n---\n"


def test_crlf_and_bom_kept():
    text = "\ufeff---\r\nname: x\r\nsource: old\r\n---\r\nbody\r\n"
    out = set_frontmatter_keys(text, {"source": "new", "tracks_upstream": True})
    assert out == "\ufeff---\r\nname: x\r\nsource: new\r\ntracks_upstream: true\r\n---\r\nbody\r\n"


def test_no_frontmatter_creates_block():
    assert set_frontmatter_keys("# Hi\n", {"source": "u"}) == "---\nsource: u\n---\n# Hi\n"
    assert set_frontmatter_keys("# Hi\r\n", {"source": "u"}) == "---\r\nsource: u\r\n---\r\n# Hi\r\n"
    assert set_frontmatter_keys("", {"source": None}) == ""
    assert strip_product_keys("# Hi\n") == "# Hi\n"


def test_unchanged_text_is_returned_as_is():
    assert strip_product_keys(UPSTREAM) is UPSTREAM


def test_indented_root_mapping():
    text = "---\n  name: x\n  source: a\n---\n"
    out = set_frontmatter_keys(text, {"source": "b", "tracks_upstream": True})
    assert out == "---\n  name: x\n  source: b\n  tracks_upstream: true\n---\n"


def test_flow_frontmatter_refused():
    with pytest.raises(Invalid, match="flow"):
        set_frontmatter_keys("---\n{name: x, source: y}\n---\n", {"source": "z"})


def test_edit_that_would_change_other_keys_is_refused():
    # Keep-chomping scalar would swallow the blank line freed by removing `source`.
    text = "---\ndesc: |+\n  a\nsource: x\n\nlicense: y\n---\n"
    with pytest.raises(Invalid, match="safely"):
        strip_product_keys(text)


TRICKY = [
    "a: b",
    "x #y",
    "#start",
    'has "quotes" and \'single\'',
    "- leading dash",
    "yes", "No", "null", "~", "true", "on", "y",
    "123", "0x1f", "1.5", "1e10", ".inf", "2024-01-01", "12:30",
    "ünïcødé ✓ 日本語",
    "line\nbreak",
    "tab\there",
    "trailing space ",
    " leading space",
    "",
    "\u2028sep\x85nel\x00nul\x7fdel",
    "emoji 😀",
    "back\\slash",
    "[flow]", "{flow}", "*star", "&amp", "!bang", "|pipe", ">gt", "%pct", "@at", "`tick",
    "ends with colon:",
]


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_values_round_trip_on_one_line(value):
    out = set_frontmatter_keys("---\nname: x\n---\n", {"source": value})
    assert parse_skill_md(out).frontmatter == {"name": "x", "source": value}
    assert len(_lines(out)) == 4  # still one line per key


def test_plain_values_stay_plain():
    out = set_frontmatter_keys("---\n---\n", {"source": "https://github.com/o/r/tree/main/a/b", "tracking_ref": "ab" * 20})
    assert "source: https://github.com/o/r/tree/main/a/b\n" in out
    assert f"tracking_ref: {'ab' * 20}\n" in out


@pytest.mark.parametrize("bad", [{"bad key": "x"}, {"yes": "x"}, {"k": 1}, {"k": ["a"]}, {1: "x"}])
def test_bad_updates_rejected(bad):
    with pytest.raises(Invalid):
        set_frontmatter_keys("---\n---\n", bad)


def test_lone_surrogate_rejected():
    with pytest.raises(Invalid):
        set_frontmatter_keys("---\n---\n", {"source": "\ud800"})


def test_template_and_replace_body():
    text = skill_md_template("my-skill", "Does: things #1", "# Body\n")
    doc = parse_skill_md(text)
    assert doc.frontmatter == {"name": "my-skill", "description": "Does: things #1"}
    assert doc.body == "# Body\n"
    assert parse_skill_md(skill_md_template("a", "d", "---\nnot frontmatter\n")).body == "---\nnot frontmatter\n"
    with pytest.raises(Invalid):
        skill_md_template("Bad Name", "d")
    with pytest.raises(Invalid):
        skill_md_template("ok", "  ")
    new = replace_body(UPSTREAM, "new body\n")
    assert new == UPSTREAM.replace("# PDF\n\nBody text.\n", "new body\n")


# -- property tests -------------------------------------------------------------

_words = st.text(alphabet="abcdefghij XYZ:#-'\"", min_size=1, max_size=12).map(str.strip).filter(bool)
_other_names = st.sampled_from(["name", "description", "license", "metadata", "allowed-tools", "version", "x-y"])


def _scalar_lines(key, draw):
    kind = draw(st.sampled_from(["plain", "quoted", "block", "folded", "map", "seq", "indentless", "empty"]))
    word = draw(st.text(alphabet="abcdefgh ", min_size=1, max_size=10).map(str.strip).filter(bool))
    if kind == "plain":
        return [f"{key}: {word}"]
    if kind == "quoted":
        return [f"{key}: {json.dumps(draw(_words))}  # trailing comment"]
    if kind in ("block", "folded"):
        return [f"{key}: {'|' if kind == 'block' else '>'}", f"  {word}", "  # inside the scalar", f"  {word}"]
    if kind == "map":
        return [f"{key}:", f"  a: {word}", "  nested:", "    b: c"]
    if kind == "seq":
        return [f"{key}:", f"  - {word}", "  - two"]
    if kind == "indentless":
        return [f"{key}:", f"- {word}"]
    return [f"{key}:"]


@st.composite
def documents(draw):
    """(text, model): model is a list of ("raw", line) / ("key", product_key) items."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    others = draw(st.lists(_other_names, unique=True, max_size=5))
    products = draw(st.lists(st.sampled_from(PRODUCT_KEYS), unique=True, max_size=5))
    items = [("other", k) for k in others] + [("product", k) for k in products]
    items += [("comment", None)] * draw(st.integers(0, 3)) + [("blank", None)] * draw(st.integers(0, 2))
    items = draw(st.permutations(items))
    model = []
    for kind, key in items:
        if kind == "comment":
            model.append(("raw", [f"# {draw(_words)}"]))
        elif kind == "blank":
            model.append(("raw", [""]))
        else:
            model.append(("raw" if kind == "other" else key, _scalar_lines(key, draw)))
    body = draw(st.text(max_size=30).map(lambda s: s.replace("\r", "")))
    block = "".join(line + nl for _, lines in model for line in lines)
    return bom + "---" + nl + block + "---" + nl + body, model, nl


_values = st.one_of(st.none(), st.booleans(), st.text(max_size=40))
_updates = st.dictionaries(st.sampled_from(PRODUCT_KEYS), _values, max_size=5)


def _expected_lines(model, updates, nl):
    """Exact expected block lines; None marks `key: <any scalar>` for a product key."""
    out, seen = [], set()
    for tag, lines in model:
        if tag == "raw" or tag not in updates:
            out.extend(line + nl for line in lines)
        elif updates[tag] is not None:
            out.append((tag, nl))
        seen.add(tag)
    out.extend((k, nl) for k, v in updates.items() if v is not None and k not in seen)
    return out


def _block_lines(text):
    doc_lines = text.lstrip("\ufeff").splitlines(keepends=True)
    close = next(i for i in range(1, len(doc_lines)) if doc_lines[i].rstrip("\r\n") == "---")
    return doc_lines[1:close]


@settings(max_examples=300, deadline=None)
@given(documents(), _updates)
def test_property_set_keys(doc, updates):
    text, model, nl = doc
    before = parse_skill_md(text)
    out = set_frontmatter_keys(text, updates)
    after = parse_skill_md(out)  # (a) re-parses
    for key in PRODUCT_KEYS:  # (b) exactly the requested values; others untouched
        if key in updates and updates[key] is None:
            assert key not in after.frontmatter
        elif key in updates:
            assert after.frontmatter[key] == updates[key]
            assert type(after.frontmatter[key]) is type(updates[key])
        else:
            assert after.frontmatter.get(key, "<absent>") == before.frontmatter.get(key, "<absent>")
    assert {k: v for k, v in after.frontmatter.items() if k not in PRODUCT_KEYS} == {
        k: v for k, v in before.frontmatter.items() if k not in PRODUCT_KEYS
    }
    assert after.body == before.body
    assert out.startswith("\ufeff") == text.startswith("\ufeff")
    # (c) every other line unchanged, in order; product keys one line each
    got = _block_lines(out)
    want = _expected_lines(model, updates, nl)
    assert len(got) == len(want)
    for line, expected in zip(got, want, strict=True):
        if isinstance(expected, tuple):
            key, ending = expected
            assert line.startswith(f"{key}: ") and line.endswith(ending)
            assert line[:-len(ending)].count("\n") == 0
        else:
            assert line == expected
    # (d) idempotent
    assert set_frontmatter_keys(out, updates) == out
    # (e) stripping removes exactly what product keys added; re-adding is stable
    assert strip_product_keys(out) == strip_product_keys(text)
    again = set_frontmatter_keys(strip_product_keys(out), updates)
    assert again == set_frontmatter_keys(strip_product_keys(text), updates)
    assert strip_product_keys(again) == strip_product_keys(text)


def test_replace_body_keeps_frontmatter_bytes():
    text = "---\r\nname: x\r\n# c\r\ndescription: d\r\n---\r\nold\r\n"
    assert replace_body(text, "new\r\n") == "---\r\nname: x\r\n# c\r\ndescription: d\r\n---\r\nnew\r\n"
    assert replace_body("---\nname: x\n---\n", "body\n") == "---\nname: x\n---\nbody\n"
