"""Wire models (pydantic): what the REST API answers and accepts.

Field names are the contract's snake_case; the frontend maps them in one place.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..sources.marketplace import MAX_NAME, MAX_PLUGINS

Scope = Literal["user", "project"]


class Skill(BaseModel):
    name: str
    scope: Scope
    description: str = ""
    source: Optional[str] = None
    tracks_upstream: bool = False
    tracking_ref: Optional[str] = None
    managed: bool = False
    managed_source: Optional[str] = None
    managed_ref: Optional[str] = None
    locally_modified: Optional[bool] = False  # None: unknown (a tracking skill without a record)
    orphaned: bool = False
    update_available: Optional[bool] = None
    pending_ref: Optional[str] = None
    revert_ref: Optional[str] = None  # commit of the previous generation; None = nothing to revert to
    problems: list[str] = Field(default_factory=list)


class MarketplaceRef(BaseModel):
    """Where a skill that follows a curator's pin came from (its record's `via`)."""

    url: str  # the marketplace's marketplace.json
    plugin: str


class SkillDetail(Skill):
    marketplace: Optional[MarketplaceRef] = None
    body: str = ""
    frontmatter: dict[str, Any] = Field(default_factory=dict)
    files: list[str] = Field(default_factory=list)


class Source(BaseModel):
    kind: Literal["skill", "repo", "marketplace"]
    owner: str
    repo: str
    ref: str
    sha: str


class Candidate(BaseModel):
    id: str  # unique in one preview; equals `path` for a plain repository
    path: str  # folder in the repository that holds the skill
    url: str  # canonical URL that imports exactly this skill, pinned as its source names it
    name: str
    description: str = ""
    files: list[str] = Field(default_factory=list)
    exists: dict[str, bool] = Field(default_factory=dict)
    plugin: Optional[str] = None
    problems: list[str] = Field(default_factory=list)


class PreviewError(BaseModel):
    plugin: Optional[str] = None
    path: Optional[str] = None
    message: str


class PluginSource(BaseModel):
    kind: Literal["local", "github", "url", "git-subdir"]
    owner: Optional[str] = None
    repo: Optional[str] = None
    path: Optional[str] = None
    ref: Optional[str] = None
    sha: Optional[str] = None


class Plugin(BaseModel):
    """A marketplace plugin; `skills` is None until resolved (preview with `plugin`)."""

    name: str
    description: str = ""
    source: PluginSource
    skills: Optional[list[str]] = None  # candidate ids
    error: Optional[str] = None


class Preview(BaseModel):
    source: Source
    skills: list[Candidate]
    plugins: list[Plugin] = Field(default_factory=list)
    errors: list[PreviewError] = Field(default_factory=list)


class SyncResult(BaseModel):
    updated: bool
    ref: str


# ---- request bodies -------------------------------------------------------


class _Body(BaseModel):
    # Unknown keys are a client bug worth a clear 400, not silent acceptance.
    model_config = ConfigDict(extra="forbid")


class CreateSkillBody(_Body):
    scope: Scope
    name: str
    description: str
    body: str = ""


class UpdateSkillBody(_Body):
    description: Optional[str] = None
    body: Optional[str] = None
    tracks_upstream: Optional[bool] = None


class RenameBody(_Body):
    new_name: str


class FileBody(_Body):
    content: str
    # Precondition: the hash of the file as the client last read it (GET .../files
    # answers it); a mismatch is 409 "changed_on_disk". Absent: write unconditionally.
    hash: Optional[str] = None


# A commit SHA the client got from a preview and names back (strict: 40 lowercase hex,
# exactly as GitHub and the preview answer it).
CommitSha = Annotated[str, Field(pattern=r"^[0-9a-f]{40}$")]


class PreviewBody(_Body):
    url: str
    plugin: Optional[str] = None  # marketplaces: resolve this one plugin
    # the commit of `url` to read (a previous preview's `source.sha`): expanding a plugin
    # then reads the very marketplace.json the first preview showed
    sha: Optional[CommitSha] = Field(
        default=None,
        description="Read `url` at this commit: the `source.sha` of an earlier preview (e.g. when expanding a plugin "
        "of a previewed marketplace). Absent: the ref's current commit.",
    )


class ImportBody(_Body):
    url: str
    scope: Scope
    name: Optional[str] = None
    # None: keep the replaced skill's tracking state (overwrite), else off.
    tracks_upstream: Optional[bool] = None
    overwrite: bool = False
    paths: Optional[list[str]] = None
    # Import pinned to what was previewed: the preview's `source.sha` (the commit of
    # `url` to install) and, with `paths` from a marketplace, each resolved external
    # plugin's `source.sha` by plugin name.  Absent: a recent preview's commit if the
    # server still has it, else the head now.
    sha: Optional[CommitSha] = Field(
        default=None,
        description="Install from this commit of `url`: the preview's `source.sha`. Absent: the commit a recent "
        "preview resolved, if the server still has it, else the ref's current commit.",
    )
    # names and count bounded as marketplace.json's plugins are
    plugin_shas: Optional[dict[Annotated[str, Field(min_length=1, max_length=MAX_NAME)], CommitSha]] = Field(
        default=None,
        max_length=MAX_PLUGINS,
        description="With `paths` from a marketplace: plugin name -> the `source.sha` that plugin's resolved preview "
        "answered (`POST skills/import/preview {url, plugin}`), so its skills install from that commit. Each name "
        "must be an external plugin of the marketplace at `sha`; one pinned by `sha` in marketplace.json must be "
        "named with that same commit.",
    )

    @model_validator(mode="after")
    def _plugin_shas_need_paths(self) -> "ImportBody":
        if self.plugin_shas is not None and self.paths is None:
            raise ValueError("'plugin_shas' applies to an import with 'paths' (candidate ids of a marketplace)")
        return self


class SyncBody(_Body):
    force: bool = False
