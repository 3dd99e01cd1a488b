"""Tornado side of the fake GitHub: one handler routing every request, run in a
background thread with its own event loop so any test style can use it."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
import threading
from urllib.parse import unquote
from typing import TYPE_CHECKING

import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web

if TYPE_CHECKING:
    from .fake import FakeGitHub

DOCS = "https://docs.github.com/rest"
_BY_ID = re.compile(r"^/api/v3/repositories/([0-9]+)(/.*)?$")
_ROUTES = [
    ("repo", re.compile(r"^/api/v3/repos/([^/]+)/([^/]+)/?$")),
    # commits/{ref}: the engine's head request (ref may be %2F-encoded)
    ("head", re.compile(r"^/api/v3/repos/([^/]+)/([^/]+)/commits/(.+)$")),
    ("commits", re.compile(r"^/api/v3/repos/([^/]+)/([^/]+)/commits(?:/(.+))?$")),
    ("trees", re.compile(r"^/api/v3/repos/([^/]+)/([^/]+)/git/trees/(.+)$")),
    ("compare", re.compile(r"^/api/v3/repos/([^/]+)/([^/]+)/compare/(.+)\.\.\.(.+)$")),
    ("tarball", re.compile(r"^/api/v3/repos/([^/]+)/([^/]+)/tarball(?:/(.+))?$")),
    ("contents", re.compile(r"^/api/v3/repos/([^/]+)/([^/]+)/contents/(.+)$")),
    ("codeload", re.compile(r"^/_codeload/([^/]+)/([^/]+)/legacy\.tar\.gz/(.+)$")),
]


def classify(path: str) -> tuple[str, tuple]:
    for kind, rx in _ROUTES:
        m = rx.match(path)
        if m:
            return kind, tuple(unquote(g) if g else g for g in m.groups())
    return "other", ()


class FakeHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeGitHub) -> None:
        self.fake = fake

    def check_xsrf_cookie(self) -> None:  # an API, not a web form
        pass

    def write_error(self, status_code: int, **kwargs) -> None:
        self.finish({"message": self._reason, "documentation_url": DOCS})

    def send_json(self, data, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data))

    def not_found(self) -> None:
        self.send_json({"message": "Not Found", "documentation_url": DOCS}, 404)

    def _canonical_path(self) -> str:
        """``/api/v3/repositories/{id}/...`` (where GitHub sends a renamed repository)
        served as ``/api/v3/repos/{owner}/{name}/...``."""
        path = self.request.path
        m = _BY_ID.match(path)
        if m:
            repo = self.fake._by_id(int(m.group(1)))
            if repo is not None:
                return f"/api/v3/repos/{repo.owner}/{repo.name}{m.group(2) or ''}"
        return path

    async def get(self, *_args) -> None:
        req = self.request
        kind, groups = classify(self._canonical_path())
        count, self._entry = self.fake._log(kind, req)  # logged before any fault applies
        if self.fake.latency:
            await asyncio.sleep(self.fake.latency)
        hold = self.fake._hold_for(kind, groups)
        if hold is not None:
            hold[0].set()
            await asyncio.get_running_loop().run_in_executor(None, hold[1].wait, 60)
        self.fake._run_hooks(kind)
        fault = self.fake._take_fault(kind, count)
        if fault is not None:
            status, headers, body = fault
            for k, v in headers.items():
                self.set_header(k, v)
            if isinstance(body, bytes):  # a canned raw answer, served as is
                self.set_status(status)
                return self.finish(body)
            return self.send_json(body, status)
        if req.path.startswith("/api/v3/") and not self._token_ok():
            return self.not_found()  # private repos look absent without a token
        moved = self.fake._moved_to(req.path, req.query)
        if moved is not None:  # a renamed repository: GitHub's 301 to its id-based path
            self.set_header("Location", moved)
            return self.send_json({"message": "Moved Permanently", "url": moved, "documentation_url": DOCS}, 301)
        if kind == "other":
            return self.not_found()
        query = {k: v[-1].decode() for k, v in req.query_arguments.items()}
        hdrs = {k.lower(): v for k, v in req.headers.items()}
        status, headers, body = self.fake._respond(kind, groups, query, hdrs)
        for k, v in headers.items():
            self.set_header(k, v)
        trickle = self.fake._trickle_for(kind)
        if trickle is not None and status == 200:
            return await self._trickle(status, body, trickle)
        if status == 304:
            self.set_status(304)
            self.finish()
        elif isinstance(body, bytes):
            self.set_status(status)
            self.finish(body)
        else:
            self.send_json(body, status)

    async def _trickle(self, status: int, body, interval: float) -> None:
        """Send the answer one byte every ``interval`` seconds (a stalling upstream)."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.set_status(status)
        if not isinstance(body, bytes):
            self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Content-Length", str(len(data)))
        try:
            for i in range(len(data)):
                self.write(data[i : i + 1])
                await self.flush()
                await asyncio.sleep(interval)
            self.finish()
        except tornado.iostream.StreamClosedError:
            pass  # the client gave up: that is the point

    post = put = delete = patch = get

    def finish(self, chunk=None):
        entry = getattr(self, "_entry", None)
        if entry is not None:  # the log says what was answered (e.g. a 304), before the client can see it
            self.fake._answered(entry, self.get_status())
        return super().finish(chunk)

    def _token_ok(self) -> bool:
        need = self.fake.require_token
        return need is None or self.request.headers.get("Authorization") == f"Bearer {need}"


class AdminHandler(tornado.web.RequestHandler):
    """Test/demo control API, not part of GitHub: lets another process change a
    running fake (``python -m tests.fakegithub push ...``).

    POST /_fake/commit       {owner, repo, files: {path: text|null}, append?: {path: text},
                              message?, branch?} -> {sha}
    POST /_fake/delete-repo  {owner, repo} -> {}
    POST /_fake/bump-pin     {owner, repo, plugin} -> {sha}: set the plugin's `sha` in the
                              marketplace.json of owner/repo to its repository's head
    GET  /_fake/repos        -> {repos: [{full_name, default_branch, head, files}]}
    """

    def initialize(self, fake: FakeGitHub) -> None:
        self.fake = fake

    def check_xsrf_cookie(self) -> None:
        pass

    def _send(self, data, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data))

    def get(self, action: str) -> None:
        if action != "repos":
            return self._send({"message": "use POST"}, 405)
        self._send({"repos": self.fake.repos()})

    def post(self, action: str) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            owner, repo = body["owner"], body["repo"]
        except (ValueError, KeyError, TypeError):
            return self._send({"message": "JSON body with owner and repo required"}, 400)
        try:
            if action == "delete-repo":
                self.fake.delete_repo(owner, repo)
                return self._send({})
            if action == "bump-pin":
                from .marketplaces import bump_to_head

                return self._send({"sha": bump_to_head(self.fake, owner, repo, str(body.get("plugin")))})
            if action != "commit":
                return self._send({"message": "use GET"}, 405)
            files = dict(body.get("files") or {})
            for path, text in (body.get("append") or {}).items():
                old = self.fake.read(owner, repo, path, body.get("branch")) or b""
                files[path] = old + text.encode("utf-8")
            if not files:
                return self._send({"message": "nothing to commit: give files or append"}, 400)
            sha = self.fake.commit(owner, repo, files, branch=body.get("branch"),
                                   message=body.get("message") or "update")
            self._send({"sha": sha})
        except KeyError as e:
            self._send({"message": str(e.args[0] if e.args else e)}, 404)


def bind(port: int) -> list[socket.socket]:
    """127.0.0.1 (and ::1 when available) on one port: 'localhost' may resolve to either."""
    socks = tornado.netutil.bind_sockets(port, "127.0.0.1")
    real_port = socks[0].getsockname()[1]
    try:
        socks += tornado.netutil.bind_sockets(real_port, "::1")
    except OSError:
        pass  # no IPv6 loopback here; 127.0.0.1 suffices
    return socks


class ServerThread:
    """Runs a tornado HTTPS server on its own loop in a daemon thread."""

    def __init__(self, app: tornado.web.Application, ssl_ctx: ssl.SSLContext, socks: list[socket.socket]):
        self._app, self._ssl, self._socks = app, ssl_ctx, socks
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self._thread = threading.Thread(target=self._run, name="fake-github", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake GitHub server did not start")

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)

        async def boot():
            self._server = tornado.httpserver.HTTPServer(self._app, ssl_options=self._ssl)
            self._server.add_sockets(self._socks)

        loop.run_until_complete(boot())
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self) -> None:
        if self._loop is None:
            return

        async def shutdown():
            self._server.stop()
            try:
                await asyncio.wait_for(self._server.close_all_connections(), 5)
            except asyncio.TimeoutError:
                pass

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None
