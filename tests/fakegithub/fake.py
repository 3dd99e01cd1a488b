"""FakeGitHub: a GitHub-Enterprise-shaped HTTPS server for offline tests.

Web at ``https://localhost:PORT``, API at ``https://localhost:PORT/api/v3``,
archives via a 302 to ``/_codeload/...`` (like GHE).  State and fault switches
are set from the test thread; the server thread reads them under a lock.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
import threading
from dataclasses import dataclass, field

import tornado.web
import trustme

from .gitobjects import tree_entries
from .repos import Repo, build_tarball  # noqa: F401  (build_tarball re-exported)
from .server import DOCS, AdminHandler, FakeHandler, ServerThread, bind

ENDPOINTS = ("repo", "head", "commits", "trees", "compare", "tarball", "codeload", "contents")


@dataclass
class LoggedRequest:
    method: str
    host: str  # host name without port, e.g. "localhost" or "127.0.0.1"
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case keys
    endpoint: str = field(default="other", repr=False)
    status: int | None = None  # the status answered, once the answer is finished


def _bytes(v: str | bytes) -> bytes:
    return v.encode("utf-8") if isinstance(v, str) else bytes(v)


def _norm(path: str) -> str:
    return path.strip("/")


class FakeGitHub:
    def __init__(self, ca: trustme.CA, *, port: int = 0):
        self._ca = ca
        self._port = port
        self._lock = threading.RLock()
        self._thread: ServerThread | None = None
        self.url = self.api_url = ""
        self.requests: list[LoggedRequest] = []
        self.reset()

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> FakeGitHub:
        socks = bind(self._port)
        self.port = socks[0].getsockname()[1]
        self.url = f"https://localhost:{self.port}"
        self.api_url = f"{self.url}/api/v3"
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert("localhost", "127.0.0.1", "::1").configure_cert(ctx)
        app = tornado.web.Application(
            [(r"/_fake/(commit|delete-repo|repos|bump-pin)", AdminHandler, {"fake": self}),
             (r"/.*", FakeHandler, {"fake": self})], default_handler_class=FakeHandler,
            default_handler_args={"fake": self},
            # GitHub's own access log is not ours: keep it out of the product's log assertions
            log_function=lambda handler: None,
        )
        self._thread = ServerThread(app, ctx, socks)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread:
            self._thread.stop()
            self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        with self._lock:
            self._repos: dict[tuple[str, str], Repo] = {}
            self._renamed: dict[tuple[str, str], Repo] = {}  # old (owner, name) -> the repo now
            self._faults: dict[str, list] = {}
            self._limits: dict[str, tuple[int, int | None]] = {}
            self._canned: dict[str, list] = {}
            self.truncate_archives = False
            self.redirect_foreign = False
            self.latency = 0.0
            self.require_token: str | None = None
            self.truncate_trees = False  # git/trees answers truncated: true (no entries)
            self._hooks: dict[str, list] = {}
            self._trickle: dict[str, float] = {}
            self._limit_after: tuple[int, int, int | None] | None = None
            self._archive_hold: tuple[threading.Event, threading.Event, str | None] | None = None
            self.requests.clear()

    # -- repositories ----------------------------------------------------------

    def _repo(self, owner: str, repo: str) -> Repo:
        try:
            return self._repos[(owner.lower(), repo.lower())]
        except KeyError:
            raise KeyError(f"fake GitHub has no repo {owner}/{repo}") from None

    def add_repo(self, owner, repo, files, *, default_branch="main", message="initial") -> str:
        with self._lock:
            r = Repo(owner, repo, default_branch, id=len(self._repos) + 1000)
            sha = r.add_commit({_norm(p): _bytes(v) for p, v in files.items()}, None, message)
            r.branches[default_branch] = sha
            self._repos[(owner.lower(), repo.lower())] = r
            return sha

    def commit(self, owner, repo, files, *, branch=None, message="update") -> str:
        with self._lock:
            r = self._repo(owner, repo)
            branch = branch or r.default_branch
            parent = r.branches[branch]
            tree = dict(r.commits[parent].tree)
            for path, value in files.items():
                if value is None:
                    tree.pop(_norm(path), None)
                else:
                    tree[_norm(path)] = _bytes(value)
            sha = r.add_commit(tree, parent, message)
            r.branches[branch] = sha
            return sha

    def read(self, owner, repo, path, ref=None) -> bytes | None:
        """A file's content at ref (default branch head), or None."""
        with self._lock:
            r = self._repo(owner, repo)
            sha = r.resolve(ref)
            if sha is None:
                raise KeyError(f"unknown ref {ref!r}")
            return r.commits[sha].tree.get(_norm(path))

    def repos(self) -> list[dict]:
        """Every repo with its default branch, head SHA and paths (for the admin API)."""
        with self._lock:
            out = []
            for r in self._repos.values():
                head = r.branches[r.default_branch]
                out.append({"full_name": f"{r.owner}/{r.name}", "default_branch": r.default_branch,
                            "head": head, "files": sorted(r.commits[head].tree)})
            return out

    def rename_repo(self, owner, repo, new_owner, new_repo) -> None:
        """Rename or transfer a repository as GitHub does: its API paths under the old
        name answer 301 to ``/repositories/{id}/...`` (query kept), which serve it."""
        with self._lock:
            r = self._repos.pop((owner.lower(), repo.lower()))
            r.owner, r.name = new_owner, new_repo
            self._repos[(new_owner.lower(), new_repo.lower())] = r
            self._renamed[(owner.lower(), repo.lower())] = r

    def _by_id(self, repo_id: int) -> Repo | None:
        with self._lock:
            return next((r for r in self._repos.values() if r.id == repo_id), None)

    def _moved_to(self, path: str, query: str) -> str | None:
        """The 301 Location for an API path under a renamed repository's old name."""
        parts = path.split("/", 6)  # '', 'api', 'v3', 'repos', owner, repo[, rest]
        if len(parts) < 6 or parts[:4] != ["", "api", "v3", "repos"]:
            return None
        with self._lock:
            r = self._renamed.get((parts[4].lower(), parts[5].lower()))
            if r is None or (parts[4].lower(), parts[5].lower()) in self._repos:
                return None
        rest = "/" + parts[6] if len(parts) > 6 else ""
        return f"{self.api_url}/repositories/{r.id}{rest}" + (f"?{query}" if query else "")

    def delete_repo(self, owner, repo) -> None:
        with self._lock:
            self._repos.pop((owner.lower(), repo.lower()), None)

    def head(self, owner, repo, branch=None) -> str:
        with self._lock:
            r = self._repo(owner, repo)
            return r.branches[branch or r.default_branch]

    def create_branch(self, owner, repo, branch, from_ref=None) -> str:
        with self._lock:
            r = self._repo(owner, repo)
            sha = r.resolve(from_ref)
            if sha is None:
                raise KeyError(f"unknown ref {from_ref!r}")
            r.branches[branch] = sha
            return sha

    def create_tag(self, owner, repo, tag, from_ref=None) -> str:
        with self._lock:
            r = self._repo(owner, repo)
            sha = r.resolve(from_ref)
            if sha is None:
                raise KeyError(f"unknown ref {from_ref!r}")
            r.tags[tag] = sha
            return sha

    def set_archive(self, owner, repo, sha, data: bytes) -> None:
        with self._lock:
            self._repo(owner, repo).archives[sha] = bytes(data)

    # -- faults and log --------------------------------------------------------

    def fail(self, endpoint: str, status: int = 500, *, times: int | None = None) -> None:
        assert endpoint in ENDPOINTS, endpoint
        with self._lock:
            self._faults[endpoint] = [status, times]

    def answer(self, endpoint: str, status: int, body: bytes | str = b"", headers: dict | None = None,
               *, times: int | None = None) -> None:
        """Serve this exact raw answer for ``endpoint`` (or "other": any unknown path),
        ``times`` times or until reset: broken or hostile GitHub answers for tests."""
        assert endpoint in ENDPOINTS + ("other",), endpoint
        with self._lock:
            self._canned[endpoint] = [status, dict(headers or {}), _bytes(body), times]

    def rate_limit(self, endpoint: str, *, reset_at: int, retry_after: int | None = None) -> None:
        assert endpoint in ENDPOINTS, endpoint
        with self._lock:
            self._limits[endpoint] = (reset_at, retry_after)

    def on_request(self, endpoint: str, action, *, times: int = 1) -> None:
        """Run ``action()`` (in the server thread) when ``endpoint`` is next asked,
        after the latency and before the answer is built: e.g. push a commit
        while an archive download is under way."""
        assert endpoint in ENDPOINTS, endpoint
        with self._lock:
            self._hooks.setdefault(endpoint, []).append([action, times])

    def trickle(self, endpoint: str, interval: float = 0.5) -> None:
        """Answer ``endpoint`` one byte every ``interval`` seconds."""
        assert endpoint in ENDPOINTS, endpoint
        with self._lock:
            self._trickle[endpoint] = interval

    def rate_limit_after(self, n: int, *, reset_at: int, retry_after: int | None = None) -> None:
        """Let ``n`` more API requests through, then answer every one with a rate limit."""
        with self._lock:
            self._limit_after = (len(self.requests) + n, reset_at, retry_after)

    def counts(self) -> dict[str, int]:
        """Requests per endpoint since the last reset/clear_log."""
        with self._lock:
            out: dict[str, int] = {}
            for r in self.requests:
                out[r.endpoint] = out.get(r.endpoint, 0) + 1
            return out

    def tree_sha(self, owner, repo, path, ref=None) -> str | None:
        """The git tree SHA of folder ``path`` at ``ref`` (what git/trees reports)."""
        with self._lock:
            r = self._repo(owner, repo)
            dirs, _ = tree_entries(r.commits[r.resolve(ref)].tree)
            return dirs.get(_norm(path))

    def hold_archives(self, repo: str | None = None) -> tuple[threading.Event, threading.Event]:
        """Archive bodies (codeload) wait until ``release`` is set; ``requested`` is
        set when one is asked for.  Lets a test act at a chosen moment of a download.
        ``repo`` ("owner/name") holds only that repository's archives."""
        with self._lock:
            self._archive_hold = (threading.Event(), threading.Event(), repo.lower() if repo else None)
            return self._archive_hold[0], self._archive_hold[1]

    def _hold_for(self, kind: str, groups) -> tuple[threading.Event, threading.Event] | None:
        with self._lock:
            hold = self._archive_hold if kind == "codeload" else None
        if hold is None or (hold[2] is not None and f"{groups[0]}/{groups[1]}".lower() != hold[2]):
            return None
        return hold[0], hold[1]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def requests_to(self, endpoint: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.endpoint == endpoint]

    # -- called from the server thread ----------------------------------------

    def _log(self, kind, req) -> tuple[int, LoggedRequest]:
        query = {k: v[-1].decode("utf-8", "replace") for k, v in req.query_arguments.items()}
        headers = {k.lower(): v for k, v in req.headers.items()}
        entry = LoggedRequest(req.method, req.host_name, req.path, query, headers, kind)
        with self._lock:
            self.requests.append(entry)
            return len(self.requests), entry

    def _answered(self, entry: LoggedRequest, status: int) -> None:
        with self._lock:
            entry.status = status

    def _run_hooks(self, kind) -> None:
        with self._lock:
            due = []
            for hook in self._hooks.get(kind, []):
                if hook[1] > 0:
                    hook[1] -= 1
                    due.append(hook[0])
        for action in due:  # outside the lock: actions use the public API
            action()

    def _trickle_for(self, kind) -> float | None:
        with self._lock:
            return self._trickle.get(kind)

    def _take_fault(self, kind, count: int = 0):
        with self._lock:
            canned = self._canned.get(kind)
            if canned is not None:
                status, headers, body, times = canned
                if times is not None:
                    canned[3] = times - 1
                    if canned[3] <= 0:
                        del self._canned[kind]
                return status, headers, body
            limit = None
            if kind in self._limits:
                limit = self._limits[kind]
            elif self._limit_after is not None and kind != "codeload" and count > self._limit_after[0]:
                limit = self._limit_after[1:]
            if limit is not None:
                reset_at, retry_after = limit
                body = {"message": "API rate limit exceeded (fake)", "documentation_url": DOCS}
                if retry_after is not None:
                    return 429, {"Retry-After": str(retry_after)}, body
                headers = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0",
                           "X-RateLimit-Used": "60", "X-RateLimit-Reset": str(reset_at)}
                return 403, headers, body
            fault = self._faults.get(kind)
            if fault is None:
                return None
            status, times = fault
            if times is not None:
                fault[1] = times - 1
                if fault[1] <= 0:
                    del self._faults[kind]
            return status, {}, {"message": f"Fake failure {status}", "documentation_url": DOCS}

    def _respond(self, kind, groups, query, headers=None):
        headers = headers or {}
        with self._lock:
            owner, name = groups[0], groups[1]
            repo = self._repos.get((owner.lower(), name.lower()))
            if repo is None:
                return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
            if kind == "repo":
                return 200, {}, repo.repo_json(self.url)
            if kind == "head":
                return self._head(repo, groups[2], headers)
            if kind == "commits":
                return self._commits(repo, groups[2], query)
            if kind == "trees":
                return self._trees(repo, groups[2], query)
            if kind == "compare":
                return self._compare(repo, groups[2], groups[3])
            if kind == "contents":
                return self._contents(repo, groups[2], query, headers)
            if kind == "tarball":
                sha = repo.resolve(groups[2])
                if sha is None:
                    return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
                host = "127.0.0.1" if self.redirect_foreign else "localhost"
                loc = f"https://{host}:{self.port}/_codeload/{repo.owner}/{repo.name}/legacy.tar.gz/{sha}"
                return 302, {"Location": loc}, b""
            sha = repo.resolve(groups[2])  # codeload
            if sha is None:
                return 404, {}, b"404: Not Found"
            data = repo.tarball(sha)
            if self.truncate_archives:
                data = data[: len(data) // 2]
            return 200, {
                "Content-Type": "application/x-gzip",
                "Content-Disposition": f"attachment; filename={repo.owner}-{repo.name}-{sha[:7]}.tar.gz",
            }, data

    def _head(self, repo: Repo, ref: str, headers):
        sha = repo.resolve(ref)
        if sha is None:
            return 422, {}, {"message": f"No commit found for SHA: {ref}", "documentation_url": DOCS}
        etag = f'"{sha}"'
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        if headers.get("accept") == "application/vnd.github.sha":
            return 200, {"ETag": etag, "Content-Type": "application/vnd.github.sha"}, sha.encode()
        return 200, {"ETag": etag}, repo.commit_json(repo.commits[sha], self.api_url)

    def _contents(self, repo: Repo, path: str, query, headers):
        """One file at ?ref= (raw media type), with an ETag and 304 on If-None-Match."""
        sha = repo.resolve(query.get("ref"))
        data = repo.commits[sha].tree.get(_norm(path)) if sha else None
        if data is None:
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
        etag = f'"{hashlib.sha1(data).hexdigest()}"'
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        if headers.get("accept") == "application/vnd.github.raw":
            return 200, {"ETag": etag, "Content-Type": "application/vnd.github.raw"}, data
        return 200, {"ETag": etag}, {"type": "file", "path": _norm(path), "encoding": "base64",
                                     "content": base64.b64encode(data).decode()}

    def _trees(self, repo: Repo, sha: str, query):
        commit = repo.commits.get(repo.resolve(sha) or "")
        if commit is None:
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
        dirs, blobs = tree_entries(commit.tree)
        entries = []
        if query.get("recursive") and not self.truncate_trees:
            entries = [{"path": p, "mode": "040000", "type": "tree", "sha": s} for p, s in dirs.items() if p]
            entries += [{"path": p, "mode": "100644", "type": "blob", "sha": s, "size": len(commit.tree[p])}
                        for p, s in blobs.items()]
            entries.sort(key=lambda e: e["path"])
        base = f"{self.api_url}/repos/{repo.owner}/{repo.name}/git/trees"
        return 200, {}, {"sha": dirs[""], "url": f"{base}/{dirs['']}", "tree": entries,
                         "truncated": bool(self.truncate_trees)}

    def _compare(self, repo: Repo, base: str, head: str):
        a, b = repo.resolve(base), repo.resolve(head)
        if a is None or b is None:
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
        changed = repo.commits[b].changed(repo.commits[a].tree)
        old = repo.commits[a].tree
        files = [{"filename": f, "status": "removed" if f not in repo.commits[b].tree else
                  ("added" if f not in old else "modified")} for f in sorted(changed)]
        return 200, {}, {"status": "ahead" if a != b else "identical", "files": files,
                         "base_commit": {"sha": a}, "merge_base_commit": {"sha": a}}

    def _commits(self, repo: Repo, single: str | None, query):
        ref = single or query.get("sha")
        sha = repo.resolve(ref)
        if sha is None:
            return 422, {}, {"message": f"No commit found for SHA: {ref}", "documentation_url": DOCS}
        if single:
            return 200, {}, repo.commit_json(repo.commits[sha], self.api_url)
        per_page = max(1, min(100, int(query.get("per_page") or 30)))
        page = max(1, int(query.get("page") or 1))
        hits = repo.touching(sha, query.get("path", ""))
        chunk = hits[(page - 1) * per_page : page * per_page]
        return 200, {}, [repo.commit_json(c, self.api_url) for c in chunk]
