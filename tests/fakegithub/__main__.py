"""Run the fake GitHub standalone, e.g. for a manual demo against a lab server:

    python -m tests.fakegithub --port 8443 --certdir DIR --seed demo
    SSL_CERT_FILE=DIR/ca.pem jupyter lab \\
        --NotebookSkills.github_url=https://localhost:8443 \\
        --NotebookSkills.github_api_url=https://localhost:8443/api/v3

Change a running fake from another shell (what `make demo` prints):

    python -m tests.fakegithub push acme/data-skills \\
        'skills/csv-helper/SKILL.md+=\\nAlways report the encoding.\\n' -m "csv-helper: encoding"
    python -m tests.fakegithub push acme/data-skills skills/csv-helper/notes.md=@notes.md
    python -m tests.fakegithub delete-repo acme/lab-skills
    python -m tests.fakegithub bump-pin acme/plugin-market reports
    python -m tests.fakegithub repos

push/delete-repo/repos find the fake through --state (default .demo/fake.json, written by
`--state` when serving) or --url/--ca.
"""

from __future__ import annotations

import argparse
import json
import ssl
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import trustme

from .fake import FakeGitHub
from .seed import seed_demo

SEEDS = {"demo": seed_demo, "none": lambda fake: None}
DEFAULT_STATE = Path(".demo/fake.json")


def serve(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m tests.fakegithub", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--certdir", type=Path, required=True, help="where ca.pem is written")
    p.add_argument("--seed", choices=sorted(SEEDS), default="demo")
    p.add_argument("--state", type=Path, help="write {url, api_url, ca} here for the push command")
    args = p.parse_args(argv)
    ca = trustme.CA()
    args.certdir.mkdir(parents=True, exist_ok=True)
    ca_path = (args.certdir / "ca.pem").resolve()
    ca.cert_pem.write_to_path(str(ca_path))
    with FakeGitHub(ca, port=args.port) as fake:
        SEEDS[args.seed](fake)
        if args.state:
            args.state.parent.mkdir(parents=True, exist_ok=True)
            args.state.write_text(json.dumps({"url": fake.url, "api_url": fake.api_url, "ca": str(ca_path)}))
        print(f"fake GitHub at {fake.url} (API {fake.api_url}); CA: {ca_path}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


def _target(args) -> tuple[str, str | None]:
    if args.url:
        return args.url.rstrip("/"), args.ca
    try:
        state = json.loads(Path(args.state).read_text())
    except (OSError, ValueError):
        sys.exit(f"no running fake found: {args.state} is missing (start `make demo`, or pass --url and --ca)")
    return state["url"], args.ca or state.get("ca")


def _call(args, method: str, path: str, body: dict | None = None) -> dict:
    url, ca = _target(args)
    ctx = ssl.create_default_context(cafile=ca) if ca else ssl.create_default_context()
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
            return json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        msg = json.loads(e.read() or b"{}").get("message", e.reason)
        sys.exit(f"fake GitHub said {e.code}: {msg}")
    except urllib.error.URLError as e:
        sys.exit(f"cannot reach the fake GitHub at {url}: {e.reason}")


def _split_repo(s: str) -> tuple[str, str]:
    owner, _, repo = s.partition("/")
    if not owner or not repo or "/" in repo:
        sys.exit(f"expected OWNER/REPO, got {s!r}")
    return owner, repo


def _unescape(text: str) -> str:
    return text.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def control(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m tests.fakegithub", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--state", default=str(DEFAULT_STATE), help="state file written by the serving fake")
    p.add_argument("--url", help="the fake's web URL, e.g. https://localhost:8443")
    p.add_argument("--ca", help="CA bundle the fake's certificate chains to")
    sub = p.add_subparsers(dest="cmd", required=True)
    push = sub.add_parser("push", help="commit to a repo's default branch (or --branch)")
    push.add_argument("repo", help="OWNER/REPO")
    push.add_argument("changes", nargs="+", metavar="CHANGE",
                      help="PATH=@FILE (content of FILE), PATH=TEXT, PATH+=TEXT (append), PATH=- (delete); "
                           "TEXT understands \\n escapes")
    push.add_argument("-m", "--message", default="update from the command line")
    push.add_argument("--branch")
    drop = sub.add_parser(
        "delete-repo",
        help="remove a repo: it answers 404 like a private one, so Sync says it 'was not found, or it is "
             "private' and marks nothing (to see Upstream gone, delete a skill's folder: push PATH=-)")
    drop.add_argument("repo", help="OWNER/REPO")
    sub.add_parser("repos", help="list repos, heads and files")
    bump = sub.add_parser("bump-pin", help="pin a marketplace plugin to its repository's head (the curator bumps)")
    bump.add_argument("repo", help="OWNER/REPO of the marketplace")
    bump.add_argument("plugin")
    args = p.parse_args(argv)

    if args.cmd == "repos":
        for r in _call(args, "GET", "/_fake/repos")["repos"]:
            print(f"{r['full_name']}  {r['default_branch']}@{r['head'][:7]}")
            for f in r["files"]:
                print(f"    {f}")
        return
    owner, repo = _split_repo(args.repo)
    if args.cmd == "bump-pin":
        sha = _call(args, "POST", "/_fake/bump-pin", {"owner": owner, "repo": repo, "plugin": args.plugin})["sha"]
        print(f"pinned {args.plugin} to {sha[:7]} in {owner}/{repo}")
        return
    if args.cmd == "delete-repo":
        _call(args, "POST", "/_fake/delete-repo", {"owner": owner, "repo": repo})
        print(f"deleted {owner}/{repo}")
        return
    files: dict[str, str | None] = {}
    append: dict[str, str] = {}
    for change in args.changes:
        if "+=" in change.split("=", 1)[0] + "=":
            path, text = change.split("+=", 1)
            append[path] = _unescape(text)
            continue
        path, sep, value = change.partition("=")
        if not sep:
            sys.exit(f"bad change {change!r}: use PATH=@FILE, PATH=TEXT, PATH+=TEXT or PATH=-")
        if value == "-":
            files[path] = None
        elif value.startswith("@"):
            files[path] = Path(value[1:]).read_text(encoding="utf-8")
        else:
            files[path] = _unescape(value)
    body = {"owner": owner, "repo": repo, "files": files, "append": append, "message": args.message}
    if args.branch:
        body["branch"] = args.branch
    sha = _call(args, "POST", "/_fake/commit", body)["sha"]
    print(f"pushed {sha[:7]} to {owner}/{repo}: {args.message}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("push", "delete-repo", "repos", "bump-pin") for a in argv):
        control(argv)
    else:
        serve(argv)


if __name__ == "__main__":
    main()
