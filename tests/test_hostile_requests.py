"""Hostile request bodies and parameters: each gets a clear 400 and changes nothing."""

from __future__ import annotations

import json

import pytest

from notebook_skills.handlers.body import MAX_DEPTH, load_json

from .helpers import call, tree_digest

# the server must log no traceback for anything these tests throw at it
pytestmark = pytest.mark.usefixtures("no_server_tracebacks")


async def make_notes(jp_fetch, skills_dirs):
    status, data = await call(jp_fetch, "POST", "skills", {"scope": "user", "name": "notes", "description": "Takes notes."})
    assert status == 201, data
    return skills_dirs["user"] / "notes"


async def raw(jp_fetch, method, path, body: str | bytes):
    """path may carry a query; jp_fetch escapes each part, so it is split here."""
    path, _, query = path.partition("?")
    params = dict([query.split("=", 1)]) if query else None
    resp = await jp_fetch("notebook-skills", *path.split("/"), method=method, body=body, params=params, raise_error=False)
    return resp.code, json.loads(resp.body) if resp.body else None


@pytest.fixture
def unescaped(http_server_client, jp_base_url, jp_auth_header):
    """Fetch an already-escaped URL as is (jp_fetch would escape the '%' again)."""

    def fetch(url: str, method: str = "GET", body=None):
        return http_server_client.fetch(
            jp_base_url + "notebook-skills/" + url, method=method, body=body, headers=dict(jp_auth_header), raise_error=False
        )

    return fetch


@pytest.mark.parametrize("body", ["[" * 100000, '{"a":' * 50000, "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)])
async def test_deeply_nested_json_is_400(jp_fetch, body, skills_dirs):
    notes = await make_notes(jp_fetch, skills_dirs)
    before = tree_digest(notes)
    for method, path in [("POST", "skills"), ("PUT", "skills/user/notes"), ("POST", "skills/import/preview")]:
        status, data = await raw(jp_fetch, method, path, body)
        assert status == 400, (path, data)
        assert "nested" in data["message"]
    assert tree_digest(notes) == before


def test_depth_scan_ignores_brackets_in_strings():
    assert load_json(_b({"content": "[" * 10000 + '\\"{' * 100})) == {"content": "[" * 10000 + '\\"{' * 100}
    assert load_json(_b({"a": [[["\\", "]]]]"]]]})) == {"a": [[["\\", "]]]]"]]]}


@pytest.mark.parametrize("value", ["yes", "off", 1, 0, "true", None])
async def test_booleans_are_strict(jp_fetch, skills_dirs, value):
    notes = await make_notes(jp_fetch, skills_dirs)
    before = tree_digest(notes)
    payloads = [
        ("PUT", "skills/user/notes", {"tracks_upstream": value}),
        ("POST", "skills/user/notes/sync", {"force": value}),
        ("POST", "skills/import", {"url": "o/r", "scope": "user", "overwrite": value}),
        ("POST", "skills/import", {"url": "o/r", "scope": "user", "tracks_upstream": value}),
    ]
    for method, path, body in payloads:
        if value is None and "tracks_upstream" in body:
            continue  # null is the documented "keep" for tracks_upstream (update and re-import)
        status, data = await call(jp_fetch, method, path, body)
        assert status == 400, (path, body, data)
        assert "Invalid request" in data["message"] and "bool" in data["message"]
    assert tree_digest(notes) == before


async def test_strings_are_strict(jp_fetch, skills_dirs):
    notes = await make_notes(jp_fetch, skills_dirs)
    before = tree_digest(notes)
    status, data = await call(jp_fetch, "PUT", "skills/user/notes", {"description": 12})
    assert status == 400 and "description" in data["message"]
    assert tree_digest(notes) == before


async def test_description_limit_is_the_same_on_create_and_update(jp_fetch, skills_dirs):
    notes = await make_notes(jp_fetch, skills_dirs)
    before = tree_digest(notes)
    status, data = await call(jp_fetch, "POST", "skills", {"scope": "user", "name": "long", "description": "d" * 1025})
    assert status == 400 and "1024" in data["message"]
    status, data = await call(jp_fetch, "PUT", "skills/user/notes", {"description": "d" * 1025})
    assert status == 400 and "1024" in data["message"]
    assert tree_digest(notes) == before
    status, data = await call(jp_fetch, "PUT", "skills/user/notes", {"description": "d" * 1024})
    assert status == 200 and data["skill"]["description"] == "d" * 1024


@pytest.mark.parametrize("text, says", [("a\u0000b", "NUL"), ("a\ud800b", "surrogate"), ("\udfff", "surrogate")])
async def test_bad_text_is_refused_before_writing(jp_fetch, skills_dirs, text, says):
    notes = await make_notes(jp_fetch, skills_dirs)
    before = tree_digest(notes)
    body = json.dumps  # ensure_ascii keeps lone surrogates as \\ud800 escapes, as a browser would send them
    cases = [
        ("PUT", "skills/user/notes", {"body": text}),
        ("PUT", "skills/user/notes", {"description": text}),
        ("PUT", "skills/user/notes/files?path=new.md", {"content": text}),
        ("PUT", "skills/user/notes/files?path=SKILL.md", {"content": "---\nname: notes\ndescription: " + text + "\n---\n"}),
        ("POST", "skills", {"scope": "user", "name": "other", "description": "ok", "body": text}),
        ("POST", "skills/import/preview", {"url": "https://github.com/o/" + text}),
        ("POST", "skills/user/notes/rename", {"new_name": text}),
    ]
    for method, path, payload in cases:
        status, data = await raw(jp_fetch, method, path, body(payload))
        assert status == 400, (path, data)
        assert says in data["message"], (path, data)
    assert tree_digest(notes) == before
    assert not (notes.parent / "other").exists()


@pytest.mark.parametrize("query", ["path=%ED%A0%80", "path=%FF", "path=a%00b"])
async def test_bad_bytes_in_query_are_400(jp_fetch, skills_dirs, unescaped, query):
    notes = await make_notes(jp_fetch, skills_dirs)
    before = tree_digest(notes)
    for method in ("GET", "PUT", "DELETE"):
        body = json.dumps({"content": "x"}) if method == "PUT" else None
        resp = await unescaped("skills/user/notes/files?" + query, method, body)
        assert resp.code == 400, (method, query, resp.body)
        assert json.loads(resp.body)["message"]
    assert tree_digest(notes) == before


@pytest.mark.parametrize("segment", ["%ED%A0%80", "%FF", "%00", "n%ED%A0%80"])
async def test_bad_bytes_in_path_are_400(jp_fetch, skills_dirs, unescaped, segment):
    await make_notes(jp_fetch, skills_dirs)
    for method, url, body in [
        ("GET", f"skills/user/{segment}", None),
        ("PUT", f"skills/user/{segment}", "{}"),
        ("POST", f"skills/user/{segment}/rename", '{"new_name": "x"}'),
        ("GET", f"skills/{segment}/notes", None),
    ]:
        resp = await unescaped(url, method, body)
        assert resp.code == 400, (url, resp.code, resp.body[:200])
        assert json.loads(resp.body)["message"]


async def test_segment_over_the_name_limit_is_400_and_temp_names_do_not_count(jp_fetch, skills_dirs):
    notes = await make_notes(jp_fetch, skills_dirs)
    longest = "n" * 252 + ".md"  # 255 bytes: the limit itself
    status, data = await call(jp_fetch, "PUT", "skills/user/notes/files", {"content": "ok"}, params={"path": longest})
    assert status == 200, data
    assert (notes / longest).read_text() == "ok"
    assert sorted(p.name for p in notes.iterdir()) == sorted(["SKILL.md", longest])  # no temp file left in the bundle
    status, data = await call(jp_fetch, "PUT", "skills/user/notes/files", {"content": "ok"}, params={"path": "x" * 256})
    assert status == 400 and "too long" in data["message"]
    status, data = await call(jp_fetch, "GET", "skills/user/notes/files", params={"path": "x" * 256})
    assert status in (400, 404) and "message" in data


def _b(value) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize("body", ["null", "[]", '"force"', "1"])
async def test_a_body_that_is_not_an_object_is_400(jp_fetch, skills_dirs, body):
    notes = await make_notes(jp_fetch, skills_dirs)
    before = tree_digest(notes)
    for method, path in [("POST", "skills/user/notes/sync"), ("PUT", "skills/user/notes"), ("POST", "skills/import")]:
        status, data = await raw(jp_fetch, method, path, body)
        assert status == 400, (path, body, data)
        assert "JSON object" in data["message"]
    assert tree_digest(notes) == before
