"""Interpreting what GitHub (or something pretending to be it) answered.

Everything here is pure: it reads a response and returns data or a typed
error, so a broken or hostile answer becomes a 502 with a message instead of
an AttributeError, RecursionError or OverflowError deep in the client.
"""

from __future__ import annotations

import math
import re
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Optional
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from ..jsonsafe import TooDeep, loads_bounded
from .errors import GitHubUnavailable, RateLimited

MAX_JSON_DEPTH = 64  # GitHub's answers we read are a few levels deep
MAX_WAIT = 3600.0  # seconds: GitHub's windows are an hour at most
ABSURD = 10 * 365 * 86400.0  # a reset further away than this is nonsense (or an overflow)
_SHA = re.compile(r"[0-9a-f]{40}")
_BAD_LOCATION = re.compile(r"[\x00-\x20\x7f\\]")


def host_of(resp: httpx.Response) -> str:
    return resp.request.url.netloc.decode("ascii", "replace")


def is_sha(value: object) -> bool:
    """A full 40-hex commit SHA: fullmatch, so "<sha>\\n" is not one."""
    return isinstance(value, str) and _SHA.fullmatch(value) is not None


def json_body(resp: httpx.Response, what: str, expect: type = dict) -> Any:
    """The JSON of ``resp`` if it is an ``expect`` (dict or list), else a 502."""
    try:
        data = loads_bounded(resp.content, MAX_JSON_DEPTH)
    except TooDeep:
        raise GitHubUnavailable(f"{host_of(resp)} returned JSON nested too deeply for the {what}") from None
    except (ValueError, UnicodeDecodeError):
        raise GitHubUnavailable(f"{host_of(resp)} returned invalid JSON for the {what}") from None
    if not isinstance(data, expect):
        kind = "an object" if expect is dict else "a list"
        raise GitHubUnavailable(f"{host_of(resp)} returned {_kind(data)} for the {what}, not {kind}")
    return data


def _kind(data: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(data), "a number"
    )


def redirect_target(url: str, location: Optional[str]) -> str:
    """The absolute URL a redirect points to, or a 502 for a malformed Location.

    The allowlist is checked by the caller, before any connection.
    """
    if not location or len(location) > 4096 or _BAD_LOCATION.search(location):
        raise GitHubUnavailable("GitHub answered with a malformed redirect (Location header)")
    try:
        target = urljoin(url, location)
        parts = urlsplit(target)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
        httpx.URL(target)
    except (ValueError, httpx.InvalidURL):
        raise GitHubUnavailable("GitHub answered with a malformed redirect (Location header)") from None
    if not parts.scheme or not parts.hostname:
        raise GitHubUnavailable("GitHub answered with a malformed redirect (Location header)")
    if target == url:
        raise GitHubUnavailable("GitHub answered with a redirect to the same URL")
    return target


def without_query(url: str) -> str:
    """``url`` without its query and fragment (and any user info): safe to show and log."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


# ---- rate limits -----------------------------------------------------------


def _seconds(raw: str) -> Optional[float]:
    """Retry-After: delta-seconds or an HTTP-date; None when unusable."""
    raw = raw.strip()
    if not raw:
        return None
    if raw.isdigit():
        # int() of a 5000-digit string raises; any such value is absurd anyway
        return float(raw) if len(raw) <= 12 else ABSURD + MAX_WAIT
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp() - time.time()


def _epoch(raw: str) -> Optional[float]:
    try:
        value = float(raw.strip()[:32])
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def clamp_reset(epoch: float, now: Optional[float] = None) -> float:
    """The reset time itself when plausible; an absurd one (negative, years
    away, infinite) is clamped to between now and an hour from now."""
    now = time.time() if now is None else now
    if math.isfinite(epoch) and 0 <= epoch <= now + ABSURD:
        return epoch
    return min(max(epoch, now), now + MAX_WAIT) if math.isfinite(epoch) else now + MAX_WAIT


def reset_iso(epoch: float) -> str:
    return datetime.fromtimestamp(clamp_reset(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rate_limit(resp: httpx.Response) -> Optional[RateLimited]:
    """A RateLimited error when ``resp`` is a primary or secondary rate limit.

    GitHub says so with 429 (always a limit), or 403 with
    ``X-RateLimit-Remaining: 0`` (primary), or 403 with ``Retry-After`` or a
    message about a secondary rate limit.  A plain 403 (no access) is not one.
    """
    status = resp.status_code
    if status not in (403, 429):
        return None
    h = resp.headers
    wait = _seconds(h.get("retry-after", ""))
    exhausted = h.get("x-ratelimit-remaining", "").strip() == "0"
    secondary = "secondary rate limit" in _message(resp)
    if status == 403 and wait is None and not exhausted and not secondary and "rate limit" not in _message(resp):
        return None
    label = "GitHub API secondary rate limit exceeded" if secondary else "GitHub API rate limit exceeded"
    if wait is not None:
        return RateLimited(f"{label}; resets at {reset_iso(time.time() + max(0.0, wait))}")
    reset = _epoch(h.get("x-ratelimit-reset", "")) if exhausted or status == 429 else None
    if reset is None:
        return RateLimited(f"{label}; reset time unknown")
    return RateLimited(f"{label}; resets at {reset_iso(reset)}")


def _message(resp: httpx.Response) -> str:
    try:
        return resp.content[:2048].decode("utf-8", "replace").lower()
    except httpx.ResponseNotRead:
        return ""
