"""A repository that was renamed or transferred: GitHub answers its API paths with a 301
(or 308) to the repository's id-based path (``/repositories/{id}/...``).

Such a move is followed once, when its target passes the allowlist (checked before any
connection), and logged at INFO without query or token; anything else is a 502 that
names where GitHub pointed (issue 7 §4).  Pure helpers: the client makes the requests.
"""

from __future__ import annotations

import logging
from typing import Optional

import httpx

from . import answers
from .allowlist import HostAllowlist, origin
from .errors import GitHubUnavailable, HostNotAllowed, RepositoryMoved

log = logging.getLogger(__name__)


def moved(resp: httpx.Response) -> bool:
    """A redirect to follow or refuse (httpx counts every 3xx, a 304 Not Modified too)."""
    return resp.is_redirect and resp.status_code != 304


def unless_query(target: str, params: Optional[dict[str, str]]) -> Optional[dict[str, str]]:
    """The request's parameters for a followed move, unless its Location carries them."""
    return None if httpx.URL(target).query else params


def stays_on(resp: httpx.Response, where: tuple[str, int]) -> bool:
    """Whether a redirect stays on ``where`` (the API host's origin): a moved repository, not
    an archive download's hop to its archive host."""
    try:
        to = answers.redirect_target(str(resp.request.url), resp.headers.get("location"))
    except GitHubUnavailable:
        return True  # malformed: target() reports it
    return origin(to) == where


def target(allowlist: HostAllowlist, url: str, resp: httpx.Response, what: str, owner: str, repo: str) -> str:
    """Where a redirect on a repository's API path points, checked before any connection:
    another status than 301/308 or a target outside the allowlist is a 502 naming it; a
    move that is followed is logged."""
    to = answers.redirect_target(url, resp.headers.get("location"))
    shown = answers.without_query(to)  # never a query (credentials) in a message or a log line
    if resp.status_code not in (301, 308):
        raise GitHubUnavailable(f"GitHub redirected the request for the {what} unexpectedly")
    try:
        allowlist.check(to)
    except HostNotAllowed:
        raise RepositoryMoved(
            f"GitHub says {owner}/{repo} has moved, to a host that is not allowed ({shown}); it was not followed"
        ) from None
    log.info("notebook-skills: GitHub says %s/%s has moved (HTTP %d); following it to %s",
             owner, repo, resp.status_code, shown)
    return to


def no_second_hop(resp: httpx.Response, what: str) -> None:
    """A followed move is one hop: another redirect there is a 502."""
    if moved(resp):
        raise GitHubUnavailable(f"Too many redirects fetching the {what} from {answers.host_of(resp)}")
