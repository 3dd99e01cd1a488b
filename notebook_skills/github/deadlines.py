"""Deadlines for GitHub work.

httpx's own timeout bounds each read; an upstream trickling a byte at a time
would pass it forever. So a whole request (connect, headers, every body read)
has one deadline, and all requests of one operation (a preview, an import, one
repository group of a sync or check batch) share another, counted from its
start: many answers that each arrive just in time cannot add up forever.
Local work (unpacking, writing) is never interrupted; the size caps bound it.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import AsyncIterator, Callable, Optional

# An operation gets this many request_timeouts for all of its GitHub requests.
OPERATION_DEADLINE_FACTOR = 10


@dataclass(frozen=True)
class Operation:
    label: str  # "import", "sync of acme/tools@main"...
    seconds: float
    ends: float  # loop time

    def remaining(self) -> float:
        return self.ends - asyncio.get_running_loop().time()


# The operation the running task belongs to; tasks it starts (gather, a shared
# download) inherit it with the context.
_OPERATION: ContextVar[Optional[Operation]] = ContextVar("notebook_skills_github_operation", default=None)


@asynccontextmanager
async def operation(label: str, seconds: float) -> AsyncIterator[None]:
    """Every GitHub request inside (in this task and the tasks it starts) shares one
    deadline, ``seconds`` from now; requests past it fail as timed out (a 502).
    Nested: the outer one holds. ``seconds <= 0``: no operation deadline."""
    if _OPERATION.get() is not None or seconds <= 0:
        yield
        return
    token = _OPERATION.set(Operation(label, seconds, asyncio.get_running_loop().time() + seconds))
    try:
        yield
    finally:
        _OPERATION.reset(token)


@asynccontextmanager
async def deadline(seconds: float, timed_out: Callable[[Optional[Operation]], Exception]) -> AsyncIterator[None]:
    """One deadline for a whole request, and within the operation it belongs to.

    ``timed_out(op)`` builds the error (``op`` when the operation's deadline was
    the nearer one). Works on Python 3.10 (no asyncio.timeout): a timer cancels
    this task, and that cancellation, and only that one, becomes the timeout.
    """
    op = _OPERATION.get()
    by_op = op is not None and op.remaining() < seconds
    limit = op.remaining() if by_op else seconds
    if limit <= 0:
        raise timed_out(op if by_op else None)
    task = asyncio.current_task()
    assert task is not None, "GitHub requests run inside a task"
    cancelling = task.cancelling() if hasattr(task, "cancelling") else 0
    fired = False

    def expire() -> None:
        nonlocal fired
        fired = True
        task.cancel()

    handle = asyncio.get_running_loop().call_later(limit, expire)
    try:
        yield
    except BaseException:
        if not fired or (hasattr(task, "uncancel") and task.uncancel() > cancelling):
            raise  # not our timer (or someone else cancelled this task too)
        raise timed_out(op if by_op else None) from None
    else:
        if fired and hasattr(task, "uncancel"):
            task.uncancel()  # the timer fired as the body ended: its cancel was swallowed
    finally:
        handle.cancel()
