"""Claude Code plugin marketplaces: parse ``.claude-plugin/marketplace.json`` (contract §7).

Parsing is bounded (file size, plugin count, string lengths) and validated per
plugin with pydantic, so one malformed plugin becomes an error entry naming it
and never hides the others.  Only GitHub sources on the configured host are
kept; anything else (npm, archives, commands, other hosts) is an error entry
and is never contacted.  Pure: no I/O beyond the bytes handed in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Callable, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import Invalid, SkillsError

MARKETPLACE_DIR = ".claude-plugin"
MARKETPLACE_FILE = "marketplace.json"
MARKETPLACE_JSON = f"{MARKETPLACE_DIR}/{MARKETPLACE_FILE}"

MAX_BYTES = 1024 * 1024  # the official marketplace (286 plugins) is a fraction of this
MAX_PLUGINS = 1000
MAX_NAME = 128
MAX_DESCRIPTION = 1000  # longer descriptions are cut for display
MAX_PATH = 512
MAX_URL = 2048
MAX_SKILLS_PER_PLUGIN = 500

PluginKind = Literal["local", "github", "url", "git-subdir"]
SUPPORTED_KINDS = ("github", "url", "git-subdir")

_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})/[A-Za-z0-9._-]{1,100}$")
# git check-ref-format essentials; '/' is allowed inside a branch name
_REF_BAD = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|^[-./]|[./]$|\.lock$|//")
_NAME_BAD = re.compile(r"[\x00-\x1f\x7f:/\\]")


class MarketplaceError(Invalid):
    """marketplace.json as a whole cannot be used (too big, not JSON, no plugin list)."""


# ---- pydantic shapes of one entry -----------------------------------------


def _ref(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    if not value or len(value) > 255 or _REF_BAD.search(value):
        raise ValueError(f"invalid ref {value[:80]!r}")
    return value


def _sha(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    if not _SHA.match(value):
        raise ValueError("sha must be a full 40-hex commit SHA")
    return value.lower()


class _Pinned(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ref: Optional[str] = None
    sha: Optional[str] = None

    @field_validator("ref")
    @classmethod
    def _check_ref(cls, v: Optional[str]) -> Optional[str]:
        return _ref(v)

    @field_validator("sha")
    @classmethod
    def _check_sha(cls, v: Optional[str]) -> Optional[str]:
        return _sha(v)


class _GitHubSource(_Pinned):
    source: Literal["github"]
    repo: str = Field(max_length=140, pattern=_REPO.pattern)


class _UrlSource(_Pinned):
    source: Literal["url"]
    url: str = Field(min_length=1, max_length=MAX_URL)


class _SubdirSource(_Pinned):
    source: Literal["git-subdir"]
    url: str = Field(min_length=1, max_length=MAX_URL)
    path: str = Field(min_length=1, max_length=MAX_PATH)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="ignore")  # Claude Code ignores unknown keys too
    name: str = Field(min_length=1, max_length=MAX_NAME)
    description: Any = None
    source: Any  # a relative path or one of the _Source shapes (checked below)
    skills: Optional[Union[str, list[str]]] = None
    strict: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if _NAME_BAD.search(v) or v != v.strip():
            raise ValueError("plugin name has control characters, ':', '/' or surrounding spaces")
        return v

    @field_validator("source")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        if isinstance(v, str):
            if len(v) > MAX_PATH:
                raise ValueError("relative source path is too long")
            return v
        if isinstance(v, dict):
            kind = v.get("source")
            if kind not in SUPPORTED_KINDS:
                shown = str(kind)[:40] if kind is not None else "missing"
                raise ValueError(f"source kind '{shown}' is not supported (only GitHub sources are read)")
            return {"github": _GitHubSource, "url": _UrlSource, "git-subdir": _SubdirSource}[kind].model_validate(v)
        raise ValueError("source must be a relative path or an object")

    @field_validator("skills")
    @classmethod
    def _skills(cls, v):
        items = [v] if isinstance(v, str) else v
        if items is not None:
            if len(items) > MAX_SKILLS_PER_PLUGIN:
                raise ValueError(f"more than {MAX_SKILLS_PER_PLUGIN} skills")
            if any(len(i) > MAX_PATH for i in items):
                raise ValueError("a skills path is too long")
        return items


# ---- the result -----------------------------------------------------------


@dataclass
class PluginSpec:
    """A usable plugin entry, its paths normalised (posix, no leading './')."""

    name: str
    description: str
    kind: PluginKind
    root: str  # plugin root inside its repository ('' = repository root)
    owner: Optional[str] = None  # external kinds only
    repo: Optional[str] = None
    ref: Optional[str] = None
    sha: Optional[str] = None
    skills: Optional[list[str]] = None  # skills[] paths, relative to its repository root
    strict: bool = True

    @property
    def external(self) -> bool:
        return self.kind != "local"

    def skill_folders(self, found: list[str]) -> list[str]:
        """The plugin's skill folders among ``found`` (every SKILL.md folder of its
        repository): its ``skills[]`` folders when listed, else ``<root>/skills/*``.
        A ``skills[]`` entry that is a folder of skills counts its direct children."""
        present = set(found)
        if self.skills is not None:
            out: list[str] = []
            for path in self.skills:
                if path in present:
                    out.append(path)
                else:
                    out.extend(f for f in found if _parent(f) == path)
            return list(dict.fromkeys(out))
        base = _join(self.root, "skills")
        return [f for f in found if _parent(f) == base]

    def claims(self, path: str) -> bool:
        """Whether the skill folder ``path`` is one of this plugin's skills by its
        entry alone (no listing): what ``skill_folders`` would pick if it exists."""
        if self.skills is not None:
            return path in self.skills or _parent(path) in self.skills
        return _parent(path) == _join(self.root, "skills")

    def missing_skills(self, found: list[str]) -> list[str]:
        """``skills[]`` entries that name no skill folder (reported, never dropped)."""
        if self.skills is None:
            return []
        present = set(found)
        return [p for p in self.skills if p not in present and not any(_parent(f) == p for f in found)]


@dataclass
class PluginProblem:
    plugin: Optional[str]
    message: str


@dataclass
class Marketplace:
    name: str
    plugins: list[PluginSpec] = field(default_factory=list)
    errors: list[PluginProblem] = field(default_factory=list)

    def plugin(self, name: str) -> Optional[PluginSpec]:
        return next((p for p in self.plugins if p.name == name), None)

    def error_for(self, name: str) -> Optional[str]:
        return next((e.message for e in self.errors if e.plugin == name), None)


def _join(*parts: str) -> str:
    return "/".join(p for p in parts if p)


def _parent(path: str) -> str:
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


def relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` (both clean repo paths), with ``..`` when it
    lies outside: ``normalize(relative(p, r), r) == p``."""
    parts = [p for p in path.split("/") if p]
    base = [p for p in root.split("/") if p]
    common = 0
    while common < min(len(parts), len(base)) and parts[common] == base[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:])


def normalize(path: str, base: str = "") -> str:
    """``path`` relative to ``base`` as a clean repo path; Invalid when it is
    absolute, has backslashes or climbs above the repository root."""
    if not isinstance(path, str) or "\\" in path or "\x00" in path or path.startswith("/") or "://" in path:
        raise Invalid(f"'{str(path)[:80]}' is not a relative path")
    parts: list[str] = [p for p in base.split("/") if p]
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if not parts:
                raise Invalid(f"'{path[:80]}' points outside the repository")
            parts.pop()
        else:
            parts.append(seg)
    return "/".join(parts)


RepoOfUrl = Callable[[str], tuple[str, str, Optional[str]]]
"""(url) -> (owner, repo, path-in-url or None); raises SkillsError for a URL
that is not a GitHub repository on an allowed host."""


def parse_marketplace(raw: bytes, *, base: str = "", repo_of_url: RepoOfUrl) -> Marketplace:
    """Parse marketplace.json found at ``<base>/.claude-plugin/`` of its repository."""
    if len(raw) > MAX_BYTES:
        raise MarketplaceError(
            f"{MARKETPLACE_JSON} is {len(raw) / (1024 * 1024):.1f} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit; "
            "its plugins were not read"
        )
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise MarketplaceError(f"{MARKETPLACE_JSON} is not valid JSON ({type(err).__name__})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("plugins"), list):
        raise MarketplaceError(f"{MARKETPLACE_JSON} has no 'plugins' list")
    name = doc.get("name") if isinstance(doc.get("name"), str) else ""
    market = Marketplace(name=name[:MAX_NAME])
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    plugin_root = meta.get("pluginRoot") if isinstance(meta.get("pluginRoot"), str) else ""
    try:
        root_base = normalize(plugin_root[:MAX_PATH], base)
    except Invalid as err:
        market.errors.append(PluginProblem(None, f"metadata.pluginRoot: {err.message}"))
        root_base = base
    entries = doc["plugins"]
    if len(entries) > MAX_PLUGINS:
        market.errors.append(
            PluginProblem(None, f"{len(entries) - MAX_PLUGINS} plugins after the first {MAX_PLUGINS} were not read")
        )
    seen: set[str] = set()
    for index, entry in enumerate(entries[:MAX_PLUGINS]):
        label = _label(entry, index)
        try:
            spec = _plugin(entry, base, root_base, repo_of_url)
        except ValidationError as err:
            market.errors.append(PluginProblem(label, f"plugin '{label}': {_first_error(err)}"))
            continue
        except SkillsError as err:
            market.errors.append(PluginProblem(label, f"plugin '{label}': {err.message}"))
            continue
        if spec.name in seen:
            market.errors.append(PluginProblem(label, f"plugin '{label}': another plugin has the same name"))
            continue
        seen.add(spec.name)
        market.plugins.append(spec)
    return market


def _strip_skill_md(path: str) -> str:
    return path[: -len("SKILL.md")].rstrip("/") if path == "SKILL.md" or path.endswith("/SKILL.md") else path


def _label(entry: Any, index: int) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    if isinstance(name, str) and name.strip():
        cleaned = _NAME_BAD.sub("?", name.strip())[:MAX_NAME]
        return cleaned
    return f"#{index + 1}"


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if not str(p).startswith("_"))
    msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def _plugin(entry: Any, base: str, root_base: str, repo_of_url: RepoOfUrl) -> PluginSpec:
    if not isinstance(entry, dict):
        raise Invalid("entry is not an object")
    e = _Entry.model_validate(entry)
    desc = e.description if isinstance(e.description, str) else ""
    spec = PluginSpec(name=e.name, description=desc[:MAX_DESCRIPTION], kind="local", root="", strict=e.strict)
    src = e.source
    if isinstance(src, str):
        # "./x" is relative to the marketplace root; a bare name lives under metadata.pluginRoot
        explicit = src.startswith("./") or src.startswith("../") or src in (".", "./")
        spec.root = normalize(src, base if explicit else root_base)
    else:
        spec.kind = src.source
        spec.ref, spec.sha = src.ref, src.sha
        if isinstance(src, _GitHubSource):
            spec.owner, spec.repo = src.repo.split("/", 1)
        else:
            owner, repo, url_path = repo_of_url(src.url)
            if url_path:
                raise Invalid("the source URL must name a repository, not a folder in it")
            spec.owner, spec.repo = owner, repo
            if isinstance(src, _SubdirSource):
                spec.root = normalize(src.path)
    if e.skills is not None:
        # an entry may name the folder or its SKILL.md
        spec.skills = [_strip_skill_md(normalize(p, spec.root)) for p in e.skills]
    return spec
