"""Cross-process locks: one writer per skill, across every process on a home.

Lock files live in `<scope>/.notebook-skills/locks/` (see `ScopeStore.lock_path`):

- `<name>.lock`  — the skill lock, held by a write transaction (import, sync,
  rename, delete, file writes) from its re-check to its last rename;
- `.scope.lock` — held by startup recovery of the scope;
- `.owner.<token>.lock` — held by a live `ScopeStore` for its lifetime; every
  bookkeeping entry it creates carries `<token>` in its name, so recovery in
  another process can tell "owner alive, leave it" from "owner died, clean up".

The OS releases `flock` locks when a process dies (kill -9 included), so a
crashed writer never leaves a stale lock behind.  In one process an asyncio
lock is taken first, so coroutines of the same event loop queue up on it and
only one of them waits (in a worker thread) for the file lock.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, AsyncIterator, Iterator

import filelock

from ..errors import BUSY, NOT_WRITABLE, Conflict
from ..oserrors import translate

if TYPE_CHECKING:
    from .store import ScopeStore

# How long a writer waits for another process's lock on the same skill.
WAIT_SECONDS = 60.0


def file_lock(path: Path) -> filelock.BaseFileLock:
    """An flock-based lock usable from any thread (acquired in one, released in another)."""
    kwargs = dict(thread_local=False)
    for extra in ({"preserve_lock_file": True, "fallback_to_soft": False}, {}):
        try:
            # A soft (existence) lock would outlive a crashed process: never fall back to it.
            return filelock.FileLock(str(path), **kwargs, **extra)
        except TypeError:
            continue
    raise RuntimeError("unsupported filelock version")


def try_lock(path: Path) -> filelock.BaseFileLock | None:
    """The lock, acquired, if nobody holds it now; else None (never waits)."""
    lock = file_lock(path)
    try:
        lock.acquire(blocking=False)
    except filelock.Timeout:
        return None
    return lock


@contextmanager
def hold_sync(store: "ScopeStore", name: str, *, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Blocking form, for code that runs without an event loop (a CLI, recovery)."""
    lock = _lock_file(store, name)
    try:
        lock.acquire(timeout=wait)
    except filelock.Timeout:
        raise _busy(store, name) from None
    except OSError as err:
        raise _unlockable(store, name, err) from None
    try:
        yield
    finally:
        lock.release()


def _lock_file(store: "ScopeStore", name: str) -> filelock.BaseFileLock:
    try:
        return file_lock(store.lock_path(name))
    except OSError as err:
        # disk full, read-only, a file in the way: the one mapping names the cause
        raise _unlockable(store, name, err) from None


def _unlockable(store: "ScopeStore", name: str, err: OSError) -> Exception:
    """A lock file that cannot be made or taken: disk full, read-only, a file in the
    way... as the one mapping names it; anything else means the folder is unusable."""
    return translate(err, name) or Conflict(
        f"The {store.scope} skills folder {store.root} is not writable ({err.strerror}).", reason=NOT_WRITABLE
    )


def _busy(store: "ScopeStore", name: str) -> Conflict:
    return Conflict(f"The {store.scope} skill '{name}' is being changed by another process; try again.", reason=BUSY)


async def _acquire(lock: filelock.BaseFileLock, timeout: float) -> None:
    task = asyncio.ensure_future(asyncio.to_thread(lock.acquire, timeout=timeout))
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        # The worker thread may still get the lock after we stop waiting: give it back then.
        def undo(t: asyncio.Future) -> None:
            if not t.cancelled() and t.exception() is None:
                lock.release()

        task.add_done_callback(undo)
        raise


class SkillLocks:
    """Per-skill locks: an in-process asyncio lock, then the cross-process file lock."""

    def __init__(self, resolve=None, wait: float = WAIT_SECONDS) -> None:
        self.wait = wait
        # Turns a scope name ("user"/"project") into its store, so callers may name
        # a skill as (store, name) or (scope, name).
        self._resolve = resolve
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def get(self, store: "ScopeStore", name: str) -> asyncio.Lock:
        # Keyed by the scope's real path: equal user/project dirs share one lock.
        return self._locks.setdefault((store.key, name), asyncio.Lock())

    @asynccontextmanager
    async def hold(self, *keys: tuple["ScopeStore", str]) -> AsyncIterator[None]:
        # Sorted acquisition so rename(a→b) and rename(b→a) cannot deadlock.
        stores = [(self._resolve(s) if isinstance(s, str) else s, name) for s, name in keys]
        unique = {(store.key, name): (store, name) for store, name in stores}
        ordered = [unique[k] for k in sorted(unique)]
        held: list[tuple[asyncio.Lock, filelock.BaseFileLock | None]] = []
        try:
            for store, name in ordered:
                alock = self.get(store, name)
                await alock.acquire()
                held.append((alock, None))
                flock = _lock_file(store, name)
                try:
                    await _acquire(flock, self.wait)
                except filelock.Timeout:
                    raise _busy(store, name) from None
                except OSError as err:
                    raise _unlockable(store, name, err) from None
                held[-1] = (alock, flock)
            yield
        finally:
            for alock, flock in reversed(held):
                if flock is not None:
                    flock.release()
                alock.release()
