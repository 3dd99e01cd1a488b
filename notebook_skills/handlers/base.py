"""Base handler: the one place typed domain errors become HTTP statuses."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel

from ..errors import (
    Conflict,
    Forbidden,
    Gone,
    InsufficientStorage,
    Invalid,
    NotFound,
    SkillsError,
    UpstreamError,
)
from .body import parse_body

MANAGER_KEY = "notebook_skills_manager"
AUTH_RESOURCE = "notebook_skills"

STATUS_BY_ERROR: dict[type[SkillsError], int] = {
    Invalid: 400,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    UpstreamError: 502,
    InsufficientStorage: 507,
}

Body = TypeVar("Body", bound=BaseModel)


def status_for(err: SkillsError) -> int:
    for cls in type(err).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


class SkillsHandler(APIHandler):
    auth_resource = AUTH_RESOURCE

    async def prepare(self) -> None:
        await super().prepare()
        # Checked before bodies are parsed so "force-off" is 403 for any request;
        # unauthenticated requests are left to @authenticated on the verb.
        if self.current_user and self.settings[MANAGER_KEY].management_off:
            raise Forbidden("Skills management is turned off by your administrator (skills_management_policy).")

    @property
    def manager(self):
        return self.settings[MANAGER_KEY]

    def body(self, model: type[Body]) -> Body:
        return parse_body(self.request.body, model)

    def send_json(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        if isinstance(payload, BaseModel):
            payload = payload.model_dump(mode="json")
        self.finish(json.dumps(payload))

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, SkillsError):
            # Expected outcomes (bad URL, 404, rate limit): one line, no traceback.
            self.log.info("%s %s -> %s: %s", self.request.method, self.request.path, status_for(value), value.message)
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, SkillsError):
            self.set_status(status_for(exc))
            self.set_header("Content-Type", "application/json")
            payload = {"message": exc.message}
            if exc.reason:
                payload["reason"] = exc.reason
            self.finish(json.dumps(payload))
            return
        super().write_error(status_code, **kwargs)
