"""A GitHub-compatible fake server for offline tests (see fake.py)."""

from .fake import ENDPOINTS, FakeGitHub, LoggedRequest
from .repos import build_tarball
from .seed import seed_demo

__all__ = ["ENDPOINTS", "FakeGitHub", "LoggedRequest", "build_tarball", "seed_demo"]
