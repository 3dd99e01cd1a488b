"""Per-skill asyncio locks: one writer per skill at a time.

A second sync, rename or delete of the same skill waits for the first instead
of interleaving with its staging and swap.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator


class SkillLocks:
    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def get(self, scope: str, name: str) -> asyncio.Lock:
        return self._locks.setdefault((scope, name), asyncio.Lock())

    @asynccontextmanager
    async def hold(self, *keys: tuple[str, str]) -> AsyncIterator[None]:
        # Sorted acquisition so rename(a→b) and rename(b→a) cannot deadlock.
        locks = [self.get(*key) for key in sorted(set(keys))]
        acquired: list[asyncio.Lock] = []
        try:
            for lock in locks:
                await lock.acquire()
                acquired.append(lock)
            yield
        finally:
            for lock in reversed(acquired):
                lock.release()
