"""Async GitHub REST client: allowlisted, no auto-redirects, token to the API host only."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Awaitable, Callable, Iterable, Optional, Union
from urllib.parse import quote

import httpx

from .. import logredact
from .allowlist import HostAllowlist, origin
from . import answers, deadlines, moves
from .deadlines import OPERATION_DEADLINE_FACTOR, Operation
from .errors import (
    ArchiveTooLarge,
    GitHubNotFound,
    GitHubUnavailable,
    HostNotAllowed,
    RateLimited,
    RefNotFound,
)
from .shapes import NOT_MODIFIED, FileAnswer, Head, Tree, _NotModified
from .tokens import TokenProvider
from .urls import GitHubLocation, parse_github_url

__all__ = ["GitHubClient", "NOT_MODIFIED", "FileAnswer", "Head", "Tree", "OPERATION_DEADLINE_FACTOR"]

_CHUNK = 64 * 1024
# JSON answers are read with this cap (GitHub itself truncates a recursive tree
# at 7 MB); anything larger is not an answer we asked for.
MAX_JSON_BYTES = 8 * 1024 * 1024
# An archive may legitimately take longer than one API call: its whole download
# (redirect hop included) gets this many request_timeouts.
ARCHIVE_DEADLINE_FACTOR = 10
SHA_MEDIA_TYPE = "application/vnd.github.sha"
# one GET of (url, params) answering (response, body): what _follow_move repeats after a move
_Get = Callable[[str, Optional[dict[str, str]]], Awaitable[tuple[httpx.Response, bytes]]]
RAW_MEDIA_TYPE = "application/vnd.github.raw"


class GitHubClient:
    def __init__(
        self,
        *,
        github_url: str = "https://github.com",
        github_api_url: str = "https://api.github.com",
        extra_allowed_hosts: Iterable[str] = (),
        timeout: float = 30.0,
        max_archive_mb: float = 100,
        token_provider: TokenProvider | None = None,
        user_agent: str = "notebook-skills",
    ):
        self.github_url = github_url.rstrip("/")
        self.api_url = github_api_url.rstrip("/")
        self.allowlist = HostAllowlist(self.github_url, self.api_url, extra_allowed_hosts)
        self.max_archive_bytes = int(max_archive_mb * 1024 * 1024)
        self.timeout = float(timeout)
        self.max_json_bytes = MAX_JSON_BYTES
        logredact.install()  # httpx logs request URLs (archive redirects carry ?token=); idempotent
        self._tokens = token_provider or TokenProvider()
        self._api_origin = origin(self.api_url)
        # trust_env keeps httpx's SSL_CERT_FILE/SSL_CERT_DIR handling; verify stays on
        self._http = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": user_agent,
            },
        )

    def parse_url(self, url: str) -> GitHubLocation:
        return parse_github_url(url, github_url=self.github_url, allowlist=self.allowlist)

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- API calls -----------------------------------------------------------

    async def has_token(self) -> bool:
        return bool(await self._tokens.get())

    async def default_branch(self, owner: str, repo: str) -> str:
        resp = await self._api_json(self._repo_url(owner, repo), f"repository {owner}/{repo}", owner, repo)
        branch = answers.json_body(resp, "repository").get("default_branch")
        if not isinstance(branch, str) or not branch:
            raise GitHubUnavailable(f"{self._host(resp)} returned no default branch for {owner}/{repo}")
        return branch

    async def probe(self, owner: str, repo: str, ref: str, path: str) -> str | None:
        """Newest commit on ``ref`` that touched ``path`` (None: path absent there)."""
        params = {"sha": ref, "per_page": "1"}
        if path:
            params["path"] = path
        what = f"commits of {owner}/{repo}@{ref}"
        resp = await self._api_json(self._repo_url(owner, repo) + "/commits", what, owner, repo, params=params)
        data = answers.json_body(resp, "commit list", expect=list)
        if not data:
            return None
        sha = data[0].get("sha") if isinstance(data[0], dict) else None
        if not answers.is_sha(sha):
            raise GitHubUnavailable(f"{self._host(resp)} returned a malformed commit SHA")
        return sha

    async def head(self, owner: str, repo: str, ref: str, etag: Optional[str] = None) -> Union[Head, _NotModified]:
        """The commit ``ref`` points at, conditionally: NOT_MODIFIED when ``etag`` still holds.

        One request: ``commits/{ref}`` with the sha media type answers a bare
        40-hex body; a 304 costs no rate limit with a token.
        """
        url = self._repo_url(owner, repo) + "/commits/" + quote(ref, safe="")
        headers = {"Accept": SHA_MEDIA_TYPE}
        if etag:
            headers["If-None-Match"] = etag
        what = f"head of {owner}/{repo}@{ref}"
        async with self._deadline(what, self.timeout):
            url, resp, body = await self._follow_move(
                lambda u, p: self._small(u, what, cap=1024, headers=headers, params=p), url, what, owner, repo
            )
        if resp.status_code == 304:
            return NOT_MODIFIED
        sha = body.decode("ascii", "replace")  # exactly 40 hex: "<sha>\n" is not one
        if not answers.is_sha(sha):
            raise GitHubUnavailable(f"{self._host(url)} returned a malformed commit SHA for {owner}/{repo}@{ref}")
        return Head(sha=sha, etag=resp.headers.get("etag"))

    async def tree(self, owner: str, repo: str, sha: str) -> Tree:
        """The recursive tree of commit ``sha`` (folders and files with their SHAs)."""
        if not answers.is_sha(sha):
            raise ValueError("tree() needs a 40-hex commit SHA")
        what = f"file tree of {owner}/{repo}@{sha[:7]}"
        url = self._repo_url(owner, repo) + f"/git/trees/{sha}"
        resp = await self._api_json(url, what, owner, repo, params={"recursive": "1"})
        data = answers.json_body(resp, what)
        entries, root = data.get("tree"), data.get("sha")
        if not isinstance(entries, list) or not answers.is_sha(root):
            raise GitHubUnavailable(f"{self._host(url)} returned an unexpected tree for {owner}/{repo}")
        tree = Tree(sha=sha, truncated=data.get("truncated") is True, dirs={"": root})
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            path, kind, obj = entry.get("path"), entry.get("type"), entry.get("sha")
            if not isinstance(path, str) or not answers.is_sha(obj):
                continue
            if kind == "tree":
                tree.dirs[path] = obj
            elif kind == "blob":
                tree.blobs[path] = obj
        return tree

    async def file(
        self, owner: str, repo: str, path: str, ref: str, *, etag: Optional[str] = None, cap: int
    ) -> Union[FileAnswer, _NotModified]:
        """One file's bytes at ``ref`` (contents API, raw media type), conditionally:
        NOT_MODIFIED when ``etag`` still holds; larger than ``cap`` bytes → refused."""
        url = self._repo_url(owner, repo) + "/contents/" + quote(path.strip("/"))
        headers = {"Accept": RAW_MEDIA_TYPE}
        if etag:
            headers["If-None-Match"] = etag
        what = f"file {path} of {owner}/{repo}@{ref}"
        params: Optional[dict[str, str]] = {"ref": ref}
        async with self._deadline(what, self.timeout):
            _, resp, body = await self._follow_move(
                lambda u, p: self._small(u, what, cap=cap, headers=headers, params=p), url, what, owner, repo, params
            )
        if resp.status_code == 304:
            return NOT_MODIFIED
        return FileAnswer(data=body, etag=resp.headers.get("etag"))

    async def download_archive(self, owner: str, repo: str, sha: str, dest: Path) -> int:
        """Stream the tarball of commit ``sha`` to ``dest``; returns bytes written."""
        if not answers.is_sha(sha):
            raise ValueError("download_archive needs a 40-hex commit SHA, not a branch or tag")
        what = f"archive of {owner}/{repo}@{sha[:7]}"
        url = self._repo_url(owner, repo) + f"/tarball/{sha}"
        try:
            async with self._deadline(what, self.timeout * ARCHIVE_DEADLINE_FACTOR):
                resp = await self._request(url, what=what, stream=True)
                try:
                    if resp.status_code in (301, 308) and moves.stays_on(resp, self._api_origin):
                        # a renamed repository (its API path moved): asked again there, once;
                        # GitHub then redirects to the archive host as usual
                        target = moves.target(self.allowlist, url, resp, what, owner, repo)
                        await resp.aclose()
                        resp = await self._request(target, what=what, stream=True)
                        if resp.status_code in (301, 308):
                            raise GitHubUnavailable(f"Too many redirects fetching the {what}")
                    if resp.is_redirect:
                        location = resp.headers.get("location")
                        await resp.aclose()
                        target = answers.redirect_target(url, location)
                        self._check_archive_host(target, what)  # before any connection to it
                        resp = await self._request(target, what=what, stream=True, redirected=True)
                    return await self._save(resp, Path(dest), what)
                finally:
                    await resp.aclose()
        except BaseException:
            Path(dest).unlink(missing_ok=True)  # never leave a partial archive behind
            raise

    def _check_archive_host(self, target: str, what: str) -> None:
        """GitHub chose where the archive lives: a host outside the allowlist is GitHub's
        (or a proxy's) doing, not the user's input, so it is a 502, not a 400."""
        try:
            self.allowlist.check(target)
        except HostNotAllowed:
            raise GitHubUnavailable(
                f"GitHub redirected the {what} to {self._host(target)}, a host that is not allowed; "
                "an administrator can add it to extra_allowed_hosts"
            ) from None

    # -- plumbing ------------------------------------------------------------

    def _repo_url(self, owner: str, repo: str) -> str:
        return f"{self.api_url}/repos/{quote(owner, safe='')}/{quote(repo, safe='')}"

    @staticmethod
    def _host(resp_or_url: httpx.Response | str) -> str:
        url = resp_or_url.request.url if isinstance(resp_or_url, httpx.Response) else httpx.URL(resp_or_url)
        return url.netloc.decode("ascii", "replace")

    async def _api_json(
        self, url: str, what: str, owner: str, repo: str, params: dict[str, str] | None = None
    ) -> httpx.Response:
        """A JSON API answer, read whole under the request deadline and the JSON byte
        cap.  A 301 (GitHub's answer for a renamed or transferred repository) is followed
        once when its target passes the allowlist: the request completes there."""
        async with self._deadline(what, self.timeout):
            _, resp, _ = await self._follow_move(lambda u, p: self._buffered(u, what, p), url, what, owner, repo, params)
        return resp

    async def _follow_move(
        self, get: _Get, url: str, what: str, owner: str, repo: str, params: Optional[dict[str, str]] = None
    ) -> tuple[str, httpx.Response, bytes]:
        """``get(url, params)``, and once more where a renamed repository now is when
        GitHub answers with a move (moves.py: target checked first, one hop only).
        Returns the URL finally asked, its response and body."""
        resp, body = await get(url, params)
        if moves.moved(resp):
            url = moves.target(self.allowlist, url, resp, what, owner, repo)
            resp, body = await get(url, moves.unless_query(url, params))
            moves.no_second_hop(resp, what)
        return url, resp, body

    async def _small(
        self, url: str, what: str, *, cap: int, headers: dict[str, str], params: dict[str, str] | None = None
    ) -> tuple[httpx.Response, bytes]:
        """A conditional GET whose body is read whole under ``cap`` (drained, so the
        connection is reused); a redirect's body is not read: its headers say it all."""
        resp = await self._request(url, what=what, params=params, stream=True, headers=headers, not_modified_ok=True)
        try:
            body = b"" if resp.is_redirect else await self._read_capped(resp, what, cap=cap)
        finally:
            await resp.aclose()
        return resp, body

    async def _buffered(self, url: str, what: str, params: dict[str, str] | None) -> tuple[httpx.Response, bytes]:
        """GET streamed under the JSON byte cap, returned as a buffered response (and its body)."""
        resp = await self._request(url, what=what, params=params, stream=True)
        try:
            body = await self._read_capped(resp, what, cap=self.max_json_bytes)
        finally:
            await resp.aclose()
        return httpx.Response(resp.status_code, headers=resp.headers, content=body, request=resp.request), body

    def operation(self, label: str):
        """Every GitHub request inside (in this task and the tasks it starts) shares one
        deadline: OPERATION_DEADLINE_FACTOR x request_timeout from now (deadlines.py)."""
        return deadlines.operation(label, self.timeout * OPERATION_DEADLINE_FACTOR if self.timeout > 0 else 0)

    def _deadline(self, what: str, seconds: float):
        """One deadline for a whole request, within its operation's (deadlines.py)."""
        return deadlines.deadline(seconds, lambda op: self._timed_out(what, seconds, op))

    def _timed_out(self, what: str, seconds: float, op: Optional[Operation]) -> GitHubUnavailable:
        where = f"Timed out fetching the {what} from {self._host(self.api_url)}"
        if op is not None:
            return GitHubUnavailable(
                f"{where}: this {op.label} took longer than its deadline of {op.seconds:g} s "
                f"({OPERATION_DEADLINE_FACTOR} x request_timeout)"
            )
        return GitHubUnavailable(f"{where} (no complete answer within {seconds:g} s; request_timeout)")

    async def _read_capped(self, resp: httpx.Response, what: str, *, cap: int) -> bytes:
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise GitHubUnavailable(f"The {what} from {self._host(resp)} is larger than {cap // 1024} KB; refused")
        chunks, size = [], 0
        try:
            async for chunk in resp.aiter_bytes(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise GitHubUnavailable(f"The {what} from {self._host(resp)} is larger than {cap // 1024} KB; refused")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise GitHubUnavailable(f"Timed out reading the {what} from {self._host(resp)}") from None
        except httpx.HTTPError as exc:
            raise GitHubUnavailable(f"Reading the {what} from {self._host(resp)} failed: {type(exc).__name__}") from None
        return b"".join(chunks)

    async def _request(
        self,
        url: str,
        *,
        what: str,
        params: dict[str, str] | None = None,
        stream: bool = False,
        redirected: bool = False,
        headers: dict[str, str] | None = None,
        not_modified_ok: bool = False,
    ) -> httpx.Response:
        self.allowlist.check(url)
        headers = dict(headers or {})
        token = None
        # the token goes to the API origin only, and never on a redirect hop
        if not redirected and origin(url) == self._api_origin:
            token = await self._tokens.get()
            if token:
                headers["Authorization"] = f"Bearer {token}"
        host = self._host(url)
        request = self._http.build_request("GET", url, params=params, headers=headers)
        try:
            resp = await self._http.send(request, stream=stream)
        except httpx.TimeoutException:
            raise GitHubUnavailable(f"Timed out fetching the {what} from {host}") from None
        except httpx.InvalidURL:  # httpx parses a redirect's Location even when not following it
            raise GitHubUnavailable(f"{host} answered with a malformed redirect for the {what}") from None
        except httpx.HTTPError as exc:
            raise GitHubUnavailable(
                f"Could not fetch the {what} from {host}: {type(exc).__name__}"
            ) from None
        if resp.status_code < 300 or (resp.is_redirect and not redirected) or (not_modified_ok and resp.status_code == 304):
            return resp
        try:
            if stream:  # error bodies are capped too; _error reads a buffered copy
                body = await self._read_capped(resp, what, cap=self.max_json_bytes)
                resp = httpx.Response(resp.status_code, headers=resp.headers, content=body, request=resp.request)
            err = self._error(resp, what, host)
        finally:
            await resp.aclose()
        if isinstance(err, GitHubNotFound):
            raise self._not_found(err, resp.status_code, what, bool(token))
        raise err

    @staticmethod
    def _not_found(err: GitHubNotFound, status: int, what: str, token: bool) -> GitHubNotFound:
        """Tell a missing ref (the repository answered) from a missing or hidden repository."""
        if status == 422:
            return RefNotFound(err.message)
        if not token:
            return GitHubNotFound(f"The {what} was not found, or it is private: configure a token (GITHUB_TOKEN)")
        return GitHubNotFound(f"The {what} was not found (or the configured token has no access to it)")

    def _error(self, resp: httpx.Response, what: str, host: str) -> Exception:
        status = resp.status_code
        limited = self._rate_limit(resp)
        if limited:
            return limited
        if status == 404 or (status == 422 and "No commit found" in resp.text):
            return GitHubNotFound(
                f"GitHub has no {what} (or it is private and no token with access is configured)"
            )
        if status == 401:
            self._tokens.forget()  # a rotated or re-logged-in token is used next time
            return GitHubUnavailable(
                f"GitHub rejected the token (401 from {host}); check {getattr(self._tokens, 'hint', 'your GitHub token')}"
            )
        if 300 <= status < 400:
            return GitHubUnavailable(f"Too many redirects fetching the {what} from {host}")
        return GitHubUnavailable(f"GitHub error {status} fetching the {what} from {host}")

    @staticmethod
    def _rate_limit(resp: httpx.Response) -> RateLimited | None:
        return answers.rate_limit(resp)

    async def _save(self, resp: httpx.Response, dest: Path, what: str) -> int:
        cap = self.max_archive_bytes
        if resp.is_redirect:
            raise GitHubUnavailable(f"Too many redirects fetching the {what}")
        declared = resp.headers.get("content-length", "")
        if cap and declared.isdigit() and int(declared) > cap:
            raise self._too_large(what)
        written = 0
        try:
            with open(dest, "wb") as fh:
                try:
                    # decoded bytes: a transfer-level Content-Encoding is not the archive
                    async for chunk in resp.aiter_bytes(_CHUNK):
                        written += len(chunk)
                        if cap and written > cap:
                            raise self._too_large(what)
                        # disk writes off the event loop: a slow disk must not stall the server
                        await asyncio.to_thread(fh.write, chunk)
                except httpx.TimeoutException:
                    raise GitHubUnavailable(f"Timed out downloading the {what}") from None
                except httpx.HTTPError as exc:
                    raise GitHubUnavailable(
                        f"Download of the {what} failed: {type(exc).__name__}"
                    ) from None
        except BaseException:
            dest.unlink(missing_ok=True)  # never leave a partial archive behind
            raise
        return written

    def _too_large(self, what: str) -> ArchiveTooLarge:
        mb = self.max_archive_bytes / (1024 * 1024)
        return ArchiveTooLarge(f"The {what} exceeds max_archive_mb ({mb:g} MB)")

