"""In-memory git-like repositories for the fake GitHub: commits, refs, tarballs.

Not thread-safe on its own; FakeGitHub guards it with a lock.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from dataclasses import dataclass, field

EPOCH = 1_700_000_000  # deterministic commit dates / tar mtimes


@dataclass
class Commit:
    sha: str
    tree: dict[str, bytes]
    parent: str | None
    message: str
    date: int

    def changed(self, parent_tree: dict[str, bytes]) -> set[str]:
        keys = set(self.tree) | set(parent_tree)
        return {k for k in keys if self.tree.get(k) != parent_tree.get(k)}


@dataclass
class Repo:
    owner: str
    name: str
    default_branch: str
    id: int
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    archives: dict[str, bytes] = field(default_factory=dict)  # sha -> raw override

    def resolve(self, ref: str | None) -> str | None:
        """Branch, tag, full or abbreviated (>= 7) sha -> sha; None if unknown."""
        ref = ref or self.default_branch
        if ref in self.branches:
            return self.branches[ref]
        for prefix in ("refs/heads/", "refs/tags/"):
            if ref.startswith(prefix):
                return self.resolve(ref[len(prefix):])
        if ref in self.tags:
            return self.tags[ref]
        if len(ref) >= 7:
            hits = [s for s in self.commits if s.startswith(ref.lower())]
            if len(hits) == 1:
                return hits[0]
        return None

    def add_commit(self, tree: dict[str, bytes], parent: str | None, message: str) -> str:
        date = EPOCH + len(self.commits) * 60
        h = hashlib.sha1()
        h.update(f"{self.owner}/{self.name}\0{parent}\0{message}\0{date}\0".encode())
        for path in sorted(tree):
            h.update(path.encode() + b"\0" + hashlib.sha1(tree[path]).digest())
        sha = h.hexdigest()
        self.commits[sha] = Commit(sha, dict(tree), parent, message, date)
        return sha

    def history(self, sha: str):
        while sha:
            commit = self.commits[sha]
            yield commit
            sha = commit.parent

    def touching(self, sha: str, path: str) -> list[Commit]:
        """Commits reachable from sha whose change touches path (folder prefix or file)."""
        path = path.strip("/")
        out = []
        for commit in self.history(sha):
            parent_tree = self.commits[commit.parent].tree if commit.parent else {}
            changed = commit.changed(parent_tree)
            if not path or any(c == path or c.startswith(path + "/") for c in changed):
                out.append(commit)
        return out

    def commit_json(self, commit: Commit, api_url: str) -> dict:
        from datetime import datetime, timezone

        date = datetime.fromtimestamp(commit.date, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        person = {"name": "Fake Author", "email": "fake@example.com", "date": date}
        base = f"{api_url}/repos/{self.owner}/{self.name}"
        return {
            "sha": commit.sha,
            "url": f"{base}/commits/{commit.sha}",
            "commit": {"message": commit.message, "author": person, "committer": person},
            "parents": [{"sha": commit.parent, "url": f"{base}/commits/{commit.parent}"}]
            if commit.parent
            else [],
        }

    def repo_json(self, web_url: str) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "full_name": f"{self.owner}/{self.name}",
            "private": False,
            "default_branch": self.default_branch,
            "owner": {"login": self.owner},
            "html_url": f"{web_url}/{self.owner}/{self.name}",
        }

    def tarball(self, sha: str) -> bytes:
        if sha in self.archives:
            return self.archives[sha]
        return build_tarball(f"{self.owner}-{self.name}-{sha[:7]}", sha, self.commits[sha].tree, self.commits[sha].date)


def build_tarball(top: str, sha: str, tree: dict[str, bytes], mtime: int = EPOCH) -> bytes:
    """GitHub-shaped tar.gz: pax global header comment=sha, one top folder, sorted."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT, pax_headers={"comment": sha}) as tf:
        dirs = {""}
        for path in sorted(tree):
            parts = path.split("/")
            for i in range(1, len(parts)):
                dirs.add("/".join(parts[:i]))
        entries = sorted([(d, None) for d in dirs] + [(p, tree[p]) for p in tree])
        for path, data in entries:
            info = tarfile.TarInfo(f"{top}/{path}".rstrip("/") + ("/" if data is None else ""))
            info.mtime = mtime
            info.uname = info.gname = "root"
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o775
                tf.addfile(info)
            else:
                info.size, info.mode = len(data), 0o664
                tf.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)
