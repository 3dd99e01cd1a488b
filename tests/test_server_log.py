"""The server log: no traceback for anything a user or GitHub causes (watched on every
logger), and no credential in any line, whenever the logger was created."""

from __future__ import annotations

import logging

import pytest

from tests.server_fixtures import _SERVER_LOGGERS, _TracebackCatcher


@pytest.mark.allow_traceback  # it logs tracebacks on purpose, to see who catches them
def test_the_traceback_watch_covers_every_logger():
    catcher = _TracebackCatcher()
    loggers = [logging.getLogger(n) for n in _SERVER_LOGGERS]
    for log in loggers:
        log.addHandler(catcher)
    names = [
        "notebook_skills.skills.engine",  # unexpected sync failures
        "notebook_skills.created.after.startup",
        "asyncio",  # "Task exception was never retrieved"
        "tornado.application",  # "Uncaught exception" in a handler
        "ServerApp",
    ]
    try:
        for name in names:
            try:
                raise RuntimeError(name)
            except RuntimeError:
                logging.getLogger(name).error("boom", exc_info=True)
        logging.getLogger("notebook_skills.x").info("no traceback here")
    finally:
        for log in loggers:
            log.removeHandler(catcher)
    assert [r.name for r in catcher.records] == names
