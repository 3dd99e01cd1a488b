"""Property-based fuzz of the REST API against its OpenAPI description (schemathesis).

A real `jupyter server` with notebook-skills (temp home, fake GitHub over TLS holding the demo
repositories) answers generated requests for every operation: no answer may be a 5xx, every
status must be documented, every body must match its schema, and when the run ends (the
teardown of its server fixture) the server's log must hold no traceback — nothing a
client sends may crash a handler.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
import schemathesis
import trustme
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from notebook_skills.openapi import build
from tests.fakegithub import FakeGitHub, seed_demo
from tests.live_server import LiveServer

schema = schemathesis.openapi.from_dict(build())

CHECKS = [negative_data_rejection, not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Bounded so the whole run stays well under two minutes on a busy 2-core machine.
MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    ca = trustme.CA()
    ca_path = base / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    with FakeGitHub(ca) as fake:
        seed_demo(fake)
        server = LiveServer(base, fake.url, fake.api_url, ca_path).start()
        try:
            # a few skills to hit, so generated requests reach more than "no such skill"
            for url in ("acme/data-skills/skills/csv-helper", "acme/sql-skills"):
                _post_json(server, "skills/import", {"url": url, "scope": "user", "tracks_upstream": True})
            yield server
        finally:
            server.stop()
        # Part of the fuzz run itself (the teardown of its server, shutdown included), so it
        # cannot pass on a server that was never fuzzed: a traceback means an unhandled error.
        _assert_no_traceback(server.log())


def _assert_no_traceback(log: str) -> None:
    for marker in ("Traceback (most recent call last)", "Uncaught exception", "exception was never retrieved"):
        if marker in log:
            at = log.index(marker)
            pytest.fail(f"the fuzzed server logged {marker!r}:\n{log[max(0, at - 2000):at + 4000]}", pytrace=False)


def _post_json(server: LiveServer, path: str, body: dict) -> None:
    req = urllib.request.Request(f"{server.url}/notebook-skills/{path}", data=json.dumps(body).encode(),
                                 method="POST", headers={**server.headers, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status in (200, 201), resp.status


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_answers_match_the_description(case, live):
    case.call_and_validate(base_url=live.url, headers=live.headers, checks=CHECKS, timeout=30)
