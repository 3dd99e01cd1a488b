"""Host allowlist: every URL is checked here before any connection is made."""

from __future__ import annotations

import ipaddress
from typing import Iterable
from urllib.parse import urlsplit

from .errors import HostNotAllowed

# Hosts github.com itself uses for the API, archives and raw files.
DEFAULT_HOSTS = frozenset(
    {"github.com", "api.github.com", "codeload.github.com", "raw.githubusercontent.com"}
)


def split_host(url: str) -> tuple[str, int | None]:
    """(lower-case host, explicit port or None) of an https URL, or HostNotAllowed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError on a malformed port
    except ValueError:
        raise HostNotAllowed(f"Not an allowed URL: {_safe(url)}") from None
    if parts.scheme.lower() != "https":
        raise HostNotAllowed(f"Only https:// URLs are allowed, got {_safe(url)}")
    if "@" in parts.netloc:
        # userinfo can smuggle credentials or disguise the real host
        raise HostNotAllowed("URLs with user information (user@host) are not allowed")
    host = (parts.hostname or "").lower()
    if not host:
        raise HostNotAllowed(f"URL has no host: {_safe(url)}")
    return host, port


def origin(url: str) -> tuple[str, int]:
    """(lower-case host, port) of an https URL, 443 when none is given; HostNotAllowed as split_host."""
    host, port = split_host(url)
    return host, port or 443


def _safe(url: str) -> str:
    # only scheme and host: paths and queries may hold secrets or be huge
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname or ''}"
    except ValueError:
        return "an unparsable URL"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class HostAllowlist:
    """Exact, case-insensitive host match; https only; no userinfo.

    Configured hosts (github_url, github_api_url) also pin their port: a URL
    to the same host on another port is refused.  IP literals are only
    accepted when they are exactly a configured host.
    """

    def __init__(self, github_url: str, github_api_url: str, extra_hosts: Iterable[str] = ()):
        # a host may appear in both URLs with different ports: each is allowed
        self._ports: dict[str, set[int]] = {}
        for url in (github_url, github_api_url):
            host, port = split_host(url)
            self._ports.setdefault(host, set()).add(port or 443)
        # extra hosts are bare names (no scheme/port): explicitly trusted, so IPs are fine too
        self._extra = frozenset(h.strip().lower() for h in extra_hosts if h.strip())
        self.hosts = DEFAULT_HOSTS | set(self._ports) | self._extra

    def check(self, url: str) -> None:
        host, port = split_host(url)
        if host not in self.hosts:
            raise HostNotAllowed(
                f"Host {host!r} is not allowed: notebook-skills only connects to "
                f"{', '.join(sorted(self.hosts))}. Administrators can add GitHub Enterprise hosts "
                "with github_url / github_api_url."
            )
        if _is_ip(host) and host not in self._ports and host not in self._extra:
            raise HostNotAllowed(f"IP address hosts are not allowed: {host}")
        if host in self._ports:
            if (port or 443) not in self._ports[host]:
                raise HostNotAllowed(f"Port {port} is not allowed for host {host!r}")
        elif port not in (None, 443):
            raise HostNotAllowed(f"Port {port} is not allowed for host {host!r}")
