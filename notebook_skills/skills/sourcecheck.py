"""Is a skill's `source` something the panel may offer as a link?

`source` is read from SKILL.md, which a cloned repository controls: it can say
`javascript:...`, `http://`, or name any host.  It is shown as text on the wire
either way; a source that is not an https URL on an allowlisted host gets a
`problems` entry (and the frontend links https only).
"""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

from ..errors import Invalid
from ..github.allowlist import DEFAULT_HOSTS, HostAllowlist


def _shown(value: str) -> str:
    text = "".join(c if c.isprintable() else "?" for c in value)
    return text if len(text) <= 120 else text[:119] + "…"


def source_problem(source: object, allowlist: Optional[HostAllowlist]) -> Optional[str]:
    if source is None or source == "":
        return None
    if not isinstance(source, str):
        return "source is not text"
    why = f"source '{_shown(source)}' is not an https URL on an allowed GitHub host"
    if source != source.strip() or any(not c.isprintable() for c in source):
        return why
    try:
        if allowlist is not None:
            allowlist.check(source)
        else:
            parts = urlsplit(source)
            if parts.scheme != "https" or "@" in parts.netloc or (parts.hostname or "") not in DEFAULT_HOSTS:
                return why
    except (Invalid, ValueError):
        return why
    return None
