"""The install record: the one owner of what a skill *is* (contract §2/§6).

One record per installed skill lives in bookkeeping
(`<scope>/.notebook-skills/records/<name>.json`).  Where the skill came from,
which commit and content it holds, whether it tracks upstream and what the last
check saw are read from here and nowhere else; the product's frontmatter keys
(`source`, `tracks_upstream`, `tracking_ref`, `managed_*`) are *written from*
the record and never parsed back to learn the origin.

The model is versioned: a record of a newer version, or one that fails
validation, is treated as absent (the skill is then "unknown", never guessed).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .names import is_entry_name

log = logging.getLogger(__name__)

RECORD_VERSION = 1
_SHA = r"^[0-9a-f]{40}$"


class _Model(BaseModel):
    # Unknown keys from a newer minor writer are ignored rather than fatal.
    model_config = ConfigDict(extra="ignore")


class Origin(_Model):
    """Where the skill folder lives upstream, parsed once at import."""

    host: str  # e.g. "github.com" or a GitHub Enterprise host
    owner: str
    repo: str
    ref: str  # branch, tag or SHA as the user gave it, else the default branch at import
    path: str = ""  # folder inside the repository ("" = repository root)
    # The ref/path split was parsed from a `source` URL (a legacy migration, a skill without
    # a record) and GitHub has not confirmed it: `tree/release/v1/x` may be ref
    # `release/v1`.  A guessed ref that GitHub does not know is re-read with the longer refs
    # the URL allows, never taken as "upstream gone" (engine.py).  Optional, still version 1.
    guessed: bool = False

    def key(self) -> tuple[str, str, str, str]:
        """Planner group: one head request per (host, owner, repo, ref)."""
        return (self.host.lower(), self.owner.lower(), self.repo.lower(), self.ref)


class ViaDirect(_Model):
    kind: Literal["direct"] = "direct"


class ViaMarketplace(_Model):
    kind: Literal["marketplace"] = "marketplace"
    url: str  # canonical URL of the marketplace (its marketplace.json)
    plugin: str  # plugin name inside that marketplace
    # The skill's folder relative to the plugin root (may start with '..'), so a
    # plugin the curator moves to another folder or repository is followed there.
    # Optional and still version 1: records written before it lack it (their
    # origin.path is used) and older readers ignore it (extra="ignore").
    path: Optional[str] = Field(default=None, max_length=1024)


class ViaManifest(_Model):
    kind: Literal["manifest"] = "manifest"
    source: str  # manifest URL or path
    entry: str  # the entry's url (or name) inside that manifest


Via = Union[ViaDirect, ViaMarketplace, ViaManifest]


class LastCheck(_Model):
    """What the last probe of the origin saw (survives restarts)."""

    head: Optional[str] = Field(default=None, pattern=_SHA)  # commit of origin.ref
    etag: Optional[str] = None  # for If-None-Match on the next head request
    tree: Optional[str] = Field(default=None, pattern=_SHA)  # folder tree SHA at `head`
    update_available: Optional[bool] = None  # None = never checked
    checked_at: Optional[float] = None  # epoch seconds


class Generation(_Model):
    """The bundle a sync/apply replaced, kept in bookkeeping for revert."""

    commit: Optional[str] = Field(default=None, pattern=_SHA)
    tree: Optional[str] = Field(default=None, pattern=_SHA)
    content_sha256: Optional[str] = None
    tracking: bool = False
    # directory name under `<bookkeeping>/generations/`, exactly as the product names it
    # (`<name>.<owner>.<token>`): a record shipped by a cloned repository cannot make it
    # "..", "." or a path, so a delete or a sync never removes anything else
    folder: str
    replaced_at: float = Field(default_factory=time.time)

    @field_validator("folder")
    @classmethod
    def _product_made(cls, value: str) -> str:
        if not is_entry_name(value):
            raise ValueError("not a generation folder notebook-skills creates")
        return value


class InstallRecord(_Model):
    version: Literal[1] = RECORD_VERSION
    origin: Optional[Origin] = None  # None: created locally (POST skills), never imported
    via: Via = Field(default_factory=ViaDirect, discriminator="kind")
    commit: Optional[str] = Field(default=None, pattern=_SHA)  # commit whose archive was extracted
    tree: Optional[str] = Field(default=None, pattern=_SHA)  # folder tree SHA in that commit
    content_sha256: Optional[str] = None  # contract §2 digest of the installed bundle
    tracking: bool = False
    managed_source: Optional[str] = None
    managed_ref: Optional[str] = Field(default=None, pattern=_SHA)
    orphaned: bool = False
    last_check: LastCheck = Field(default_factory=LastCheck)
    previous: Optional[Generation] = None
    # Identity of the skill folder the record describes ("ino[:birth time]",
    # see records.folder_id): a folder deleted by hand and re-created under the
    # same name is a different skill and must not inherit this record.
    folder_id: Optional[str] = None

    @field_validator("previous", mode="wrap")
    @classmethod
    def _no_foreign_generation(cls, value: Any, handler) -> Optional[Generation]:
        """A previous generation that does not validate (a folder name the product never
        creates) is no generation, logged; the rest of the record still counts."""
        try:
            return handler(value)
        except ValidationError as err:
            log.warning("notebook-skills: ignoring the previous generation of a record (%s)",
                        "; ".join(e["msg"] for e in err.errors()))
            return None
