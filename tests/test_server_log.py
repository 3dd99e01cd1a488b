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
                logging.getLogger(name).error("boom on %s", name, exc_info=True)
        logging.getLogger("notebook_skills.x").info("no traceback here")
    finally:
        for log in loggers:
            log.removeHandler(catcher)
    # (records, not logger names: a started server renames tornado's loggers "ServerApp")
    assert [r.getMessage() for r in catcher.records] == [f"boom on {name}" for name in names]


# ---- no credential in any log line ------------------------------------------------------

ARCHIVE_TOKEN = "GHSAT0AAAAAarchiveredirectsecret"
IN_EXCEPTION = "exceptiontokensecret0123"
BEARER = "ghp_bearerinexceptionsecret42"


@pytest.mark.allow_traceback  # logs exceptions holding credentials on purpose
async def test_no_token_in_any_log_line_in_the_real_startup_order(jp_fetch, fake_github, caplog, capfd):
    """A server started as every test starts one; then a request whose archive redirect
    carries ?token= (httpx logs that URL at INFO, httpcore the Location header at DEBUG),
    and exceptions holding credentials logged on loggers that exist only now."""
    from .helpers import call, skill_md

    caplog.set_level(logging.DEBUG)
    sha = fake_github.add_repo("acme", "kit", {"skills/a/SKILL.md": skill_md("a", "A.")})
    where = f"{fake_github.url}/_codeload/acme/kit/legacy.tar.gz/{sha}?token={ARCHIVE_TOKEN}"
    fake_github.answer("tarball", 302, b"", {"Location": where})
    status, data = await call(jp_fetch, "POST", "skills/import",
                              {"url": f"{fake_github.url}/acme/kit/tree/main/skills/a", "scope": "user"})
    assert status == 201, data
    assert [r.query.get("token") for r in fake_github.requests_to("codeload")] == [ARCHIVE_TOKEN]
    for name in ("notebook_skills.skills.engine", "notebook_skills.sources.cache", "notebook_skills.brand.new",
                 "asyncio"):
        try:
            raise RuntimeError(f"GET https://h/a.tgz?token={IN_EXCEPTION} failed; Authorization: Bearer {BEARER}")
        except RuntimeError:
            logging.getLogger(name).exception("fetching %s failed", f"https://h/x?access_token={IN_EXCEPTION}")
    err = capfd.readouterr()
    # the lines were logged (the test cannot pass on silence) ...
    assert any("legacy.tar.gz" in r.getMessage() and "token=[redacted]" in r.getMessage() for r in caplog.records)
    assert sum("Bearer [redacted]" in (r.exc_text or "") for r in caplog.records) == 4
    # ... and no handler, formatter or record holds a credential
    for secret in (ARCHIVE_TOKEN, IN_EXCEPTION, BEARER):
        assert secret not in caplog.text
        assert secret not in err.out + err.err
        for record in caplog.records:
            text = logging.Formatter().format(record)
            assert secret not in text and secret not in str(record.__dict__), record.name
    caplog.clear()  # the tracebacks above were logged on purpose


def test_a_record_without_secrets_keeps_its_exception():
    from notebook_skills import logredact

    logredact.install()
    try:
        raise ValueError("plain")
    except ValueError as exc:
        record = logging.getLogger("notebook_skills.plain").makeRecord(
            "notebook_skills.plain", logging.ERROR, __file__, 1, "failed %s", ("x",), (ValueError, exc, exc.__traceback__))
    assert record.exc_info is not None and record.exc_text is None and record.getMessage() == "failed x"
