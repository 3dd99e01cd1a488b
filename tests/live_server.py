"""A real `jupyter server` subprocess with notebook-skills, wired to the fake GitHub over TLS.

For tests that need a server outside pytest's process (the fuzz run): its whole log is
captured in a file so a test can assert that nothing a client caused left a traceback.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# Never let the developer's token, policy or Jupyter config reach the server under test.
SCRUB_ENV = ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "CLAUDE_CONFIG_DIR",
             "NOTEBOOK_SKILLS_ALLOW_GITHUB_IMPORT", "NOTEBOOK_SKILLS_MANAGEMENT_POLICY", "NOTEBOOK_SKILLS_MANIFEST",
             "NOTEBOOK_SKILLS_REVIEW_UPDATES", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, base: Path, github_url: str, github_api_url: str, ca_path: Path, *,
                 prefix: tuple[str, ...] = ()):
        self.base = base.resolve()
        self.prefix = list(prefix)  # a command the server runs under (e.g. setpriv dropping capabilities)
        self.home = self.base / "home"
        self.root = self.base / "project"
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.base / "server.log"
        self.config = {
            "ServerApp": {
                "jpserver_extensions": {"notebook_skills": True},
                "allow_root": True,
                "open_browser": False,
                "ip": "127.0.0.1",
                "port": self.port,
                "port_retries": 0,
                "root_dir": str(self.root),
            },
            "IdentityProvider": {"token": self.token},
            "NotebookSkills": {
                "github_url": github_url,
                "github_api_url": github_api_url,
                "user_skills_dir": str(self.home / ".claude" / "skills"),
                "request_timeout": 10,
            },
        }
        self.ca_path = ca_path
        self.proc: subprocess.Popen | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def start(self, timeout: float = 60) -> LiveServer:
        config_dir = self.base / "jupyter-config"
        for d in (self.home / ".claude" / "skills", self.root / ".claude" / "skills", config_dir):
            d.mkdir(parents=True, exist_ok=True)
        (config_dir / "jupyter_server_config.json").write_text(json.dumps(self.config))
        env = {k: v for k, v in os.environ.items() if k not in SCRUB_ENV}
        env.update(
            HOME=str(self.home),
            JUPYTER_CONFIG_DIR=str(config_dir),
            JUPYTER_RUNTIME_DIR=str(self.base / "runtime"),
            SSL_CERT_FILE=str(self.ca_path),
            PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin",  # no `gh` from the developer's machine
            PYTHONUNBUFFERED="1",
        )
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([*self.prefix, sys.executable, "-m", "jupyter_server"], env=env, cwd=self.root,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                req = urllib.request.Request(f"{self.url}/notebook-skills/skills", headers=self.headers)
                with urllib.request.urlopen(req, timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.1)  # polling interval while the server starts
        self.stop()
        raise RuntimeError(f"jupyter server did not answer within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
