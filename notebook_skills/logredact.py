"""Keep credentials out of every log line, whatever its level, logger or handler.

GitHub's archive redirects carry a short-lived ``?token=...`` in the URL, and
httpx logs every request URL at INFO (httpcore logs response headers, the
``Location`` included, at DEBUG); an exception's text can carry a URL too.

A filter on a logger only sees records logged *on that logger* (not its
children's, nor loggers created later), and a filter on a handler only the
handlers that exist when it is attached.  So ``install`` wraps the log record
factory instead: every record, of every logger whenever it was created, is
cleaned when it is made, before any handler (the server's, pytest's, a
lastResort) formats it.  The message is rewritten, and so is the traceback:
when an exception's text holds a secret, the record carries the redacted
traceback text and no longer the exception itself, so no handler can format
the original again.  A filter on the known loggers stays as a second line, in
case something replaces the record factory later.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback

# token=, access_token=, X-Amz-Security-Token= ... in a query, and bearer credentials
_QUERY_SECRET = re.compile(r"(?i)((?:^|[?&;\s'\"(\[])[\w.-]*token=)[^&\s'\"\])>]+")
_BEARER = re.compile(r"(?i)\b((?:bearer|token)\s+)[A-Za-z0-9_.~+/=-]{8,}")
REDACTED = "[redacted]"

LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "notebook_skills",
)


def redact(text: str) -> str:
    return _BEARER.sub(lambda m: m.group(1) + REDACTED, _QUERY_SECRET.sub(lambda m: m.group(1) + REDACTED, text))


def scrub(record: logging.LogRecord) -> None:
    """Redact a record in place: its message, its traceback and its stack."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the logger's problem, not ours
        message = None
    if message is not None:
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[0] is not None:
        # what logging.Formatter.formatException would print
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        clean = redact(text)
        if clean != text:
            record.exc_text, record.exc_info = clean, None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            scrub(record)
        except Exception:  # noqa: BLE001 - redaction must never lose a log line
            pass
        return True


_FILTER = RedactSecrets()
_LOCK = threading.Lock()


class _RedactingFactory:
    """The record factory, wrapping whichever one was installed before."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __call__(self, *args, **kwargs) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        try:
            scrub(record)
        except Exception:  # noqa: BLE001 - redaction must never lose a log line
            pass
        return record


def install(names: tuple[str, ...] = LOGGERS) -> None:
    """Redact every log record of this process from now on (idempotent)."""
    with _LOCK:
        current = logging.getLogRecordFactory()
        if not isinstance(current, _RedactingFactory):
            logging.setLogRecordFactory(_RedactingFactory(current))
        for name in names:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
