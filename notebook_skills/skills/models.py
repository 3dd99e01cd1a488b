"""Wire models (pydantic): what the REST API answers and accepts.

Field names are the contract's snake_case; the frontend maps them in one place.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

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


class PreviewBody(_Body):
    url: str
    plugin: Optional[str] = None  # marketplaces: resolve this one plugin


class ImportBody(_Body):
    url: str
    scope: Scope
    name: Optional[str] = None
    # None: keep the replaced skill's tracking state (overwrite), else off.
    tracks_upstream: Optional[bool] = None
    overwrite: bool = False
    paths: Optional[list[str]] = None


class SyncBody(_Body):
    force: bool = False
