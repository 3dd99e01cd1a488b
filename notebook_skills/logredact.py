"""Keep credentials out of every log line, whatever its level.

GitHub's archive redirects carry a short-lived ``?token=...`` in the URL, and
httpx logs every request URL at INFO (httpcore logs response headers, the
``Location`` included, at DEBUG).  A filter on those loggers, and on ours,
rewrites such records before any handler sees them.
"""

from __future__ import annotations

import logging
import re

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


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactSecrets()


def install(names: tuple[str, ...] = LOGGERS) -> None:
    """Attach the filter once to each logger (idempotent).

    A logger's filters only see records logged *on it*, not its children's, so
    every ``notebook_skills.*`` logger that exists by now (modules are imported
    before the client is built) gets it too.
    """
    ours = [n for n in list(logging.root.manager.loggerDict) if n.startswith("notebook_skills.")]
    for name in (*names, *ours):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
