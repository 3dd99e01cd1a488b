"""Parse the GitHub URLs a user may paste into a ``GitHubLocation``.

Accepted forms (``{web}`` is the configured ``github_url``)::

    {web}/OWNER/REPO[.git][/]
    {web}/OWNER/REPO/tree/REF[/PATH]
    {web}/OWNER/REPO/blob/REF[/PATH]/SKILL.md
    OWNER/REPO[/PATH]                      (shorthand, default branch)

A ref containing '/' (``release/v1``) cannot be told apart from a path in a
tree URL by parsing: the first segment after ``tree/`` is taken as the ref, and
``GitHubLocation.splits`` lists the other readings (``release/v1`` + the rest, ...),
which callers resolve against GitHub (``sourcing.locate``, the sync engine).
Queries and fragments are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .allowlist import origin
from .answers import is_sha
from .errors import BadGitHubURL

if TYPE_CHECKING:
    from .allowlist import HostAllowlist

ACCEPTED_FORMS = (
    "{web}/OWNER/REPO, {web}/OWNER/REPO/tree/REF[/PATH], "
    "{web}/OWNER/REPO/blob/REF[/PATH]/SKILL.md, or OWNER/REPO[/PATH]"
)

# GitHub's own rules: owners are alphanumerics and single hyphens inside,
# repos alphanumerics plus . _ - ; both bounded in length.
_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})$")
_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
# git check-ref-format, restricted to one path segment (see module doc)
_REF_BAD = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|^[-.]|\.$|\.lock$")
# refs tried per ambiguous URL: 'users/alice/feature/x' has four segments
MAX_REF_SEGMENTS = 4
# characters that must never appear in a decoded path segment
_SEG_BAD = re.compile(r"[\x00-\x1f\x7f\\/%?#]")


@dataclass(frozen=True)
class GitHubLocation:
    owner: str
    repo: str  # without .git
    ref: str | None  # None = the default branch
    path: str  # folder in the repo: '' = root, posix, no leading/trailing '/'

    def tree_url(self, github_url: str, ref: str) -> str:
        base = f"{github_url.rstrip('/')}/{self.owner}/{self.repo}/tree/{ref}"
        return f"{base}/{self.path}" if self.path else base

    def splits(self) -> list["GitHubLocation"]:
        """Every reading of ``<ref>/<path>`` as a ref that may contain '/', shortest ref
        first: ``tree/release/v1/skills/a`` is (release, v1/skills/a), (release/v1,
        skills/a), ... up to MAX_REF_SEGMENTS segments.  Just this location when it is not
        ambiguous: no ref in the URL, a commit SHA, or nothing after the ref."""
        if self.ref is None or not self.path or is_sha(self.ref):
            return [self]
        out = [self]
        ref, rest = self.ref, self.path.split("/")
        while rest and ref.count("/") + 1 < MAX_REF_SEGMENTS:
            head = rest.pop(0)
            if _REF_BAD.search(head):
                break  # git never names a ref with this segment: no longer reading
            ref = f"{ref}/{head}"
            out.append(GitHubLocation(self.owner, self.repo, ref, "/".join(rest)))
        return out

    @property
    def ambiguous(self) -> bool:
        """Whether the ref/path split is a guess only GitHub can confirm (see splits)."""
        return len(self.splits()) > 1


def _bad(url: str, why: str, github_url: str) -> BadGitHubURL:
    shown = url if len(url) <= 200 else url[:200] + "..."
    forms = ACCEPTED_FORMS.replace("{web}", github_url.rstrip("/"))
    return BadGitHubURL(f"Not a GitHub skill URL ({why}): {shown!r}. Accepted forms: {forms}")


def _segments(raw_path: str, url: str, github_url: str) -> list[str]:
    """Split on '/', percent-decode each segment once and refuse anything tricky."""
    segs = raw_path.split("/")
    # tolerate one leading and one trailing slash, nothing else empty
    if segs and segs[0] == "":
        segs = segs[1:]
    if segs and segs[-1] == "":
        segs = segs[:-1]
    out = []
    for seg in segs:
        try:
            dec = unquote(seg, errors="strict") if "%" in seg else seg
        except UnicodeDecodeError:
            raise _bad(url, "invalid percent-encoding", github_url) from None
        if not dec or dec in (".", "..") or _SEG_BAD.search(dec) or dec != dec.strip():
            raise _bad(url, "empty, '.', '..' or encoded separator in the path", github_url)
        out.append(dec)
    return out


def _owner_repo(owner: str, repo: str, url: str, github_url: str) -> tuple[str, str]:
    if repo.endswith(".git"):
        repo = repo[:-4]
    if not _OWNER.match(owner):
        raise _bad(url, f"invalid owner {owner!r}", github_url)
    if not _REPO.match(repo) or repo in (".", ".."):
        raise _bad(url, f"invalid repository name {repo!r}", github_url)
    return owner, repo


def _check_ref(ref: str, url: str, github_url: str) -> str:
    if _REF_BAD.search(ref) or len(ref) > 255:
        raise _bad(url, f"invalid ref {ref!r}", github_url)
    return ref


def _from_segments(segs: list[str], url: str, github_url: str, *, shorthand: bool) -> GitHubLocation:
    if len(segs) < 2:
        raise _bad(url, "missing owner or repository", github_url)
    owner, repo = _owner_repo(segs[0], segs[1], url, github_url)
    rest = segs[2:]
    if shorthand:
        return GitHubLocation(owner, repo, None, "/".join(rest))
    if not rest:
        return GitHubLocation(owner, repo, None, "")
    if segs[1].endswith(".git"):
        raise _bad(url, "'.git' only allowed on a bare repository URL", github_url)
    kind, rest = rest[0], rest[1:]
    if kind not in ("tree", "blob") or not rest:
        raise _bad(url, "expected /tree/REF or /blob/REF after the repository", github_url)
    ref = _check_ref(rest[0], url, github_url)
    path = rest[1:]
    if kind == "blob":
        if not path or path[-1] != "SKILL.md":
            raise _bad(url, "a /blob/ URL must point at a SKILL.md file", github_url)
        path = path[:-1]
    return GitHubLocation(owner, repo, ref, "/".join(path))


def parse_github_url(url: str, *, github_url: str, allowlist: HostAllowlist) -> GitHubLocation:
    if not isinstance(url, str):
        raise _bad(repr(url), "not a string", github_url)
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        raise _bad(url, "unparsable", github_url) from None
    if not parts.scheme and not parts.netloc:
        # shorthand OWNER/REPO[/PATH]: no scheme, resolved against github_url
        if text.startswith("/"):
            raise _bad(url, "shorthand must start with OWNER", github_url)
        return _from_segments(_segments(parts.path, url, github_url), url, github_url, shorthand=True)
    allowlist.check(text)  # scheme, userinfo, host, IP literal and port rules
    web = urlsplit(github_url.rstrip("/"))
    if origin(text) != origin(github_url):
        raise _bad(url, f"not a {web.hostname} web URL", github_url)
    path = parts.path
    prefix = web.path.rstrip("/")  # GitHub Enterprise may live under a path
    if prefix:
        if not (path == prefix or path.startswith(prefix + "/")):
            raise _bad(url, "outside the configured GitHub URL", github_url)
        path = path[len(prefix):]
    return _from_segments(_segments(path, url, github_url), url, github_url, shorthand=False)
