"""Shared fixtures: a TLS-trusted fake GitHub for every test that needs one."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import trustme

# make `tests.fakegithub` importable however pytest was started
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakegithub import FakeGitHub  # noqa: E402

pytest_plugins = ["pytest_jupyter.jupyter_server", "tests.server_fixtures", "tests.disk_fixtures"]


@pytest.fixture(scope="session")
def github_ca(tmp_path_factory):
    """A throwaway CA, trusted process-wide via SSL_CERT_FILE (httpx reads it
    when a client is created, so clients made during the session trust it)."""
    ca = trustme.CA()
    pem = tmp_path_factory.mktemp("github-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    old = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(pem)
    yield ca
    if old is None:
        os.environ.pop("SSL_CERT_FILE", None)
    else:
        os.environ["SSL_CERT_FILE"] = old


@pytest.fixture(scope="session")
def _fake_github_server(github_ca):
    with FakeGitHub(github_ca) as fake:
        yield fake


@pytest.fixture
def fake_github(_fake_github_server):
    """The running fake, emptied: no repos, faults or logged requests."""
    _fake_github_server.reset()
    yield _fake_github_server
    _fake_github_server.reset()
