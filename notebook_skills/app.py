"""The jupyter_server extension app: configuration and wiring only."""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Enum, Float, Int, List, Unicode, default, validate

from . import logredact
from .config import MANAGEMENT_POLICIES, ConfigError, env_allow_import, env_management_policy
from .github import GitHubClient, TokenProvider
from .github.allowlist import split_host
from .handlers import MANAGER_KEY, build_handlers
from .oserrors import scope_problems, translate
from .skills.manager import SkillManager


class NotebookSkills(ExtensionApp):
    name = "notebook_skills"
    description = "Agent Skills from GitHub for JupyterLab: import, track upstream, sync."
    load_other_extensions = True

    user_skills_dir = Unicode(
        config=True,
        help="Directory of user-scope skills. Default: $CLAUDE_CONFIG_DIR/skills, else ~/.claude/skills.",
    )
    project_skills_dir = Unicode(
        "", config=True, help="Directory of project-scope skills. Default: <ServerApp.root_dir>/.claude/skills."
    )
    allow_github_skill_import = Bool(
        True,
        config=True,
        help=(
            "Allow any GitHub egress: import, preview, sync, sync-all and turning tracking on. "
            "Overridden by the NOTEBOOK_SKILLS_ALLOW_GITHUB_IMPORT environment variable."
        ),
    )
    skills_management_policy = Enum(
        list(MANAGEMENT_POLICIES),
        "user-choice",
        config=True,
        help=(
            "'user-choice' (default) or 'force-off' (every notebook-skills route answers 403). "
            "Overridden by NOTEBOOK_SKILLS_MANAGEMENT_POLICY."
        ),
    )
    github_url = Unicode(
        "https://github.com", config=True, help="GitHub web URL (GitHub Enterprise: https://HOST)."
    )
    github_api_url = Unicode(
        "https://api.github.com", config=True, help="GitHub REST API URL (GitHub Enterprise: https://HOST/api/v3)."
    )
    extra_allowed_hosts = List(
        Unicode(), [], config=True, help="Extra https hosts GitHub may redirect archive downloads to."
    )
    sync_concurrency = Int(3, config=True, help="How many tracking skills 'Sync tracking skills' syncs at once.")
    max_archive_mb = Float(100, config=True, help="Largest repository archive to download, in MB (0 = no cap).")
    max_skill_mb = Float(20, config=True, help="Largest unpacked skill bundle, in MB (0 = no cap).")
    max_unpacked_mb = Float(
        None,
        allow_none=True,
        config=True,
        help=(
            "Most decompressed bytes read from one archive, in MB, inside the skill's folder or not "
            "(a gzip bomb elsewhere in the repository stops here). Default: 8 x max_archive_mb, "
            "800 when max_archive_mb is 0. 0 = no cap."
        ),
    )
    request_timeout = Float(
        30,
        config=True,
        help=(
            "Deadline in seconds for one GitHub API answer, body included. An archive download gets 10x; "
            "all GitHub requests of one preview, import or repository group of a sync/check batch "
            "together get 10x."
        ),
    )

    @default("user_skills_dir")
    def _default_user_dir(self) -> str:
        base = os.environ.get("CLAUDE_CONFIG_DIR")
        return str(Path(base) / "skills") if base else str(Path.home() / ".claude" / "skills")

    @validate("sync_concurrency")
    def _check_concurrency(self, proposal):
        if proposal["value"] < 1:
            raise ValueError("sync_concurrency must be at least 1")
        return proposal["value"]

    @validate("max_archive_mb", "max_skill_mb", "max_unpacked_mb", "request_timeout")
    def _check_non_negative(self, proposal):
        if proposal["value"] is not None and proposal["value"] < 0:
            raise ValueError(f"{proposal['trait'].name} cannot be negative")
        return proposal["value"]

    def _apply_env(self) -> None:
        try:
            allow = env_allow_import(os.environ)
            policy = env_management_policy(os.environ)
        except ConfigError as err:
            # Failing closed: the extension does not load, so nothing reaches GitHub.
            self.log.error("notebook-skills cannot start: %s", err)
            raise
        if allow is not None:
            self.allow_github_skill_import = allow
        if policy is not None:
            self.skills_management_policy = policy

    def _project_dir(self) -> Path:
        if self.project_skills_dir:
            return Path(self.project_skills_dir).expanduser()
        return Path(self.serverapp.root_dir).expanduser() / ".claude" / "skills"

    def initialize_settings(self) -> None:
        logredact.install()  # first: every record from now on, of every logger, is redacted
        self._apply_env()
        github = GitHubClient(
            github_url=self.github_url,
            github_api_url=self.github_api_url,
            extra_allowed_hosts=self.extra_allowed_hosts,
            timeout=self.request_timeout,
            max_archive_mb=self.max_archive_mb,
            token_provider=TokenProvider(host=split_host(self.github_url)[0]),
        )
        manager = SkillManager(
            user_dir=Path(self.user_skills_dir).expanduser(),
            project_dir=self._project_dir(),
            github=github,
            allow_github_import=self.allow_github_skill_import,
            sync_concurrency=self.sync_concurrency,
            max_skill_mb=self.max_skill_mb,
            max_archive_mb=self.max_archive_mb,
            max_unpacked_mb=self.max_unpacked_mb,
        )
        manager.management_off = self.skills_management_policy == "force-off"
        # A scope dir that is a file is reported, not fatal: the other scope still
        # works, and requests on the broken one answer 409 naming the path.
        for problem in scope_problems((s.scope, s.root) for s in manager.stores.values()):
            self.log.error("notebook-skills: %s", problem)
        if not manager.management_off:
            try:
                manager.recover()
            except OSError as err:  # an unreadable bookkeeping dir must not stop the server
                self.log.error("notebook-skills: recovery skipped: %s", translate(err) or err)
        self.manager = manager
        self.settings[MANAGER_KEY] = manager
        self.log.info(
            "notebook-skills: user skills in %s, project skills in %s, GitHub import %s",
            manager.stores["user"].root,
            manager.stores["project"].root,
            "allowed" if manager.allow_github_import else "disabled",
        )

    def initialize_handlers(self) -> None:
        self.handlers.extend(build_handlers())

    async def stop_extension(self) -> None:
        manager = getattr(self, "manager", None)
        if manager is not None:
            await manager.aclose()
