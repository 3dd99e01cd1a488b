"""Where the user's GitHub token comes from.  The token is never logged.

Tokens are per host, as the `gh` CLI keeps them: github.com uses
GITHUB_TOKEN → GH_TOKEN → `gh auth token`; a GitHub Enterprise host uses
GH_ENTERPRISE_TOKEN → GITHUB_ENTERPRISE_TOKEN → `gh auth token --hostname HOST`
and never the github.com token (that would hand a github.com credential to
another server).
"""

from __future__ import annotations

import asyncio
import os
from typing import Mapping, Optional, Sequence

GH_TIMEOUT = 5.0  # seconds; `gh` may prompt or hang on a broken keyring
PUBLIC_HOSTS = frozenset({"github.com", "api.github.com"})
PUBLIC_ENV = ("GITHUB_TOKEN", "GH_TOKEN")
ENTERPRISE_ENV = ("GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")


class TokenProvider:
    """The token chain of one host (async `gh` subprocess, 5 s timeout, missing
    gh is fine).  The result is cached until ``forget()`` (after a 401), so a
    rotated token is picked up without a restart.  Never logged."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        gh_command: Optional[Sequence[str]] = None,
        host: Optional[str] = None,
    ):
        self._env = env
        self.host = (host or "github.com").lower()
        enterprise = self.host not in PUBLIC_HOSTS
        self._names = ENTERPRISE_ENV if enterprise else PUBLIC_ENV
        if gh_command is None:
            gh_command = ("gh", "auth", "token", "--hostname", self.host) if enterprise else ("gh", "auth", "token")
        self._gh_command = tuple(gh_command)
        self._cached: str | None = None
        self._resolved = False
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never show the token
        return f"<TokenProvider resolved={self._resolved}>"

    async def get(self) -> str | None:
        if self._resolved:
            return self._cached
        async with self._lock:
            if not self._resolved:
                self._cached = await self._lookup()
                self._resolved = True
        return self._cached

    @property
    def hint(self) -> str:
        """Where this host's token comes from, for error messages."""
        gh = "gh auth token" if self.host in PUBLIC_HOSTS else f"gh auth token --hostname {self.host}"
        return " / ".join((*self._names, gh))

    def forget(self) -> None:
        """Look the token up again on next use (the host rejected it)."""
        self._resolved = False
        self._cached = None

    async def _lookup(self) -> str | None:
        env = os.environ if self._env is None else self._env
        for name in self._names:
            value = (env.get(name) or "").strip()
            if value:
                return value
        if not self._gh_command:
            return None
        return await self._from_gh(env)

    async def _from_gh(self, env: Mapping[str, str]) -> str | None:
        try:
            proc = await asyncio.create_subprocess_exec(
                *self._gh_command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,  # gh's errors may echo config
                env=dict(env),
            )
        except OSError:  # gh not installed / not executable
            return None
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), GH_TIMEOUT)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            return None
        if proc.returncode != 0:
            return None
        token = out.decode("utf-8", "replace").strip()
        return token or None
