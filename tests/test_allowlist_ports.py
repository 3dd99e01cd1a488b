"""Host allowlist: one host configured on two ports (web and API) allows both, and only those."""

from __future__ import annotations

import pytest

from notebook_skills.github.allowlist import HostAllowlist
from notebook_skills.github.errors import HostNotAllowed


def test_same_host_on_two_ports_allows_each():
    allow = HostAllowlist("https://ghe.corp", "https://ghe.corp:8443/api/v3")
    allow.check("https://ghe.corp/acme/x")
    allow.check("https://ghe.corp:443/acme/x")
    allow.check("https://ghe.corp:8443/api/v3/repos/acme/x")
    with pytest.raises(HostNotAllowed, match="Port 9000"):
        allow.check("https://ghe.corp:9000/acme/x")


def test_single_port_stays_pinned():
    allow = HostAllowlist("https://localhost:4443", "https://localhost:4443/api/v3")
    allow.check("https://localhost:4443/x")
    with pytest.raises(HostNotAllowed):
        allow.check("https://localhost/x")
