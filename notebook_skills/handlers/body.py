"""Strict request bodies: hostile JSON gets a clear 400, never a 500.

- nesting is bounded before the parser sees it (``[`` × 100000 would
  otherwise end in a RecursionError);
- pydantic validates in strict mode: ``"yes"``, ``1`` or ``"off"`` are not
  booleans, and ``1`` is not a string;
- no text anywhere in a body may hold a NUL or a lone surrogate (JSON's
  ``"\\ud800"``): neither can be written to a UTF-8 file or a file name, so
  they are refused before anything is touched.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Invalid
from ..jsonsafe import TooDeep, loads_bounded

MAX_DEPTH = 32  # our bodies are two levels deep; anything deeper is hostile
_SURROGATE = re.compile("[\ud800-\udfff]")

Body = TypeVar("Body", bound=BaseModel)


def load_json(raw: bytes | str) -> Any:
    try:
        return loads_bounded(raw, MAX_DEPTH)
    except TooDeep:
        raise Invalid(f"The request body is nested more than {MAX_DEPTH} levels deep.") from None
    except (ValueError, UnicodeDecodeError):
        raise Invalid("The request body is not valid JSON.") from None


def check_text(value: Any, where: str = "body") -> None:
    """Refuse NUL and lone surrogates in every string (keys included)."""
    stack = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            if "\0" in item:
                raise Invalid(f"Invalid request: {at}: text must not contain NUL characters")
            if _SURROGATE.search(item):
                raise Invalid(f"Invalid request: {at}: text is not valid Unicode (lone surrogate)")
        elif isinstance(item, dict):
            for key, sub in item.items():
                stack.append((key, at))
                stack.append((sub, f"{at}.{key}" if at != "body" else str(key)))
        elif isinstance(item, list):
            stack.extend((sub, f"{at}.{i}") for i, sub in enumerate(item))


def parse_body(raw: bytes | None, model: type[Body]) -> Body:
    # an empty body means "no options"; JSON `null` is a body of the wrong type (as the
    # OpenAPI description says), refused like any other non-object
    data = load_json(raw or b"{}")
    if not isinstance(data, dict):
        raise Invalid("Invalid request: the request body must be a JSON object.")
    check_text(data)
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise Invalid(f"Invalid request: {where}: {first.get('msg')}") from None


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def query_text(arguments: dict[str, list[bytes]], name: str) -> str:
    """A query parameter as strict text (tornado would turn a NUL into a space)."""
    values = arguments.get(name) or [b""]
    try:
        text = values[-1].decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"Invalid request: the '{name}' parameter is not valid UTF-8") from None
    if _CONTROL.search(text):
        raise Invalid(f"Invalid request: the '{name}' parameter holds control characters")
    return text
