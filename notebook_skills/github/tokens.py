"""Where the user's GitHub token comes from.  The token is never logged."""

from __future__ import annotations

import asyncio
import os
from typing import Mapping, Sequence

GH_TIMEOUT = 5.0  # seconds; `gh` may prompt or hang on a broken keyring


class TokenProvider:
    """GITHUB_TOKEN → GH_TOKEN → `gh auth token` (async subprocess, 5 s timeout,
    missing gh is fine, result cached). Never logged."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        gh_command: Sequence[str] = ("gh", "auth", "token"),
    ):
        self._env = env
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

    async def _lookup(self) -> str | None:
        env = os.environ if self._env is None else self._env
        for name in ("GITHUB_TOKEN", "GH_TOKEN"):
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
