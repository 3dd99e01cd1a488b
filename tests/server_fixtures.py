"""Fixtures that start Jupyter Server with notebook-skills pointed at the fake GitHub.

The extension is configured exactly as a GitHub Enterprise user would configure
it: github_url / github_api_url, with TLS trust from SSL_CERT_FILE.
"""

from __future__ import annotations

import logging

import pytest


@pytest.fixture
def skills_dirs(tmp_path):
    return {"user": tmp_path / "home" / ".claude" / "skills", "project": tmp_path / "project" / ".claude" / "skills"}


@pytest.fixture
def skills_config():
    """Override in a test module or class to change NotebookSkills traits."""
    return {}


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    """Autouse, so it runs before any fixture that sets a variable on purpose."""
    # The developer's own token and policy must never reach tests (or the fake).
    for var in ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "NOTEBOOK_SKILLS_ALLOW_GITHUB_IMPORT", "NOTEBOOK_SKILLS_MANAGEMENT_POLICY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def jp_server_config(fake_github, skills_dirs, skills_config, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no `gh` from the developer's machine
    config = {
        "user_skills_dir": str(skills_dirs["user"]),
        "project_skills_dir": str(skills_dirs["project"]),
        "github_url": fake_github.url,
        "github_api_url": fake_github.api_url,
        "request_timeout": 10,
    }
    config.update(skills_config)
    return {
        "ServerApp": {
            "jpserver_extensions": {"notebook_skills": True},
            "allow_unauthenticated_access": False,
        },
        "NotebookSkills": config,
    }


@pytest.fixture
def no_server_tracebacks(caplog):
    """Fails the test if the server logged a traceback: nothing a user, a
    repository, GitHub or the disk can cause may end in an unhandled error."""
    yield
    bad = [
        r for r in caplog.get_records("call")
        if r.exc_info or "Traceback (most recent call last)" in r.getMessage() or "Uncaught exception" in r.getMessage()
    ]
    assert not bad, "the server logged a traceback:\n" + "\n".join(f"{r.name}: {r.getMessage()[:500]}" for r in bad)


class _TracebackCatcher(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if any(record is seen for seen in self.records):
            return  # reached through two of the loggers below
        if (record.exc_info and record.exc_info[0] is not None) or record.exc_text or (
            "Traceback (most recent call last)" in record.getMessage()
        ):
            self.records.append(record)


# Where a traceback can be logged: the root logger sees every logger that propagates
# (notebook_skills.*, asyncio's "Task exception was never retrieved", httpx...); the
# server app's loggers do not propagate (traitlets), and jupyter_server re-parents
# tornado's loggers under ServerApp, so those are watched as well.
_SERVER_LOGGERS = ("", "tornado", "ServerApp", "NotebookSkills")


@pytest.fixture(autouse=True)
def _no_traceback_in_server_log(request):
    """Nothing a client or GitHub causes may leave a traceback in the server log (issue 7):
    fails the test that produced one. A test that provokes an internal error on purpose
    opts out with ``@pytest.mark.allow_traceback``."""
    catcher = _TracebackCatcher()
    loggers = [logging.getLogger(name) for name in _SERVER_LOGGERS]
    for log in loggers:
        log.addHandler(catcher)
    yield
    for log in loggers:
        log.removeHandler(catcher)
    if catcher.records and not request.node.get_closest_marker("allow_traceback"):
        first = catcher.records[0]
        text = first.exc_text or (logging.Formatter().formatException(first.exc_info) if first.exc_info else "")
        pytest.fail(f"the server logged a traceback ({first.name}: {first.getMessage()}):\n{text}", pytrace=False)
