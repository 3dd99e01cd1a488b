"""HTTP layer: thin tornado handlers over the SkillManager."""

from .base import MANAGER_KEY
from .routes import build_handlers

__all__ = ["MANAGER_KEY", "build_handlers"]
