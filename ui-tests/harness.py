"""Start the fake GitHub and a JupyterLab wired to it; shared by the UI tests and `make demo`.

Nothing here sleeps for a fixed time: servers are polled until they answer.
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

import trustme

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.fakegithub import FakeGitHub  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Environment that must never leak from the developer's machine into a lab under test.
SCRUB_ENV = ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "CLAUDE_CONFIG_DIR", "NOTEBOOK_SKILLS_ALLOW_GITHUB_IMPORT",
             "NOTEBOOK_SKILLS_MANAGEMENT_POLICY", "NOTEBOOK_SKILLS_MANIFEST", "JUPYTER_CONFIG_DIR",
             "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR")

# Quiet, deterministic lab: no news/update prompts.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fake(ca_dir: Path, *, port: int = 0, seed: bool = True) -> tuple[FakeGitHub, Path]:
    """An in-process fake GitHub (its own thread) and the CA file that trusts it."""
    from tests.fakegithub import seed_demo

    ca = trustme.CA()
    ca_dir.mkdir(parents=True, exist_ok=True)
    ca_path = (ca_dir / "ca.pem").resolve()
    ca.cert_pem.write_to_path(str(ca_path))
    fake = FakeGitHub(ca, port=port).start()
    if seed:
        seed_demo(fake)
    return fake, ca_path


class Lab:
    """A `jupyter lab` subprocess pointed at a fake GitHub.

    home/.claude/skills is the user scope, root/.claude/skills the project scope; HOME is
    ``home`` so lab settings and workspaces are private to this instance too.
    """

    def __init__(self, base: Path, fake: FakeGitHub, ca_path: Path, *, port: int | None = None,
                 token: str | None = None, settings: dict | None = None, extra_args: list[str] = (),
                 env: dict[str, str] | None = None, name: str = "lab", github_url: str | None = None):
        self.base = base.resolve()
        self.home = self.base / "home"
        self.root = self.base / "project"
        self.user_skills = self.home / ".claude" / "skills"
        self.project_skills = self.root / ".claude" / "skills"
        self.port = port or free_port()
        self.token = secrets.token_hex(16) if token is None else token
        self.url = f"http://127.0.0.1:{self.port}"
        self.fake, self.ca_path = fake, ca_path
        # the GitHub web URL the server is configured with (default: the fake's own). Only
        # parsed and shown, never contacted: every GitHub call goes to github_api_url.
        self.github_url = github_url or fake.url
        self.settings = {**QUIET_SETTINGS, **(settings or {})}
        self.extra_args = list(extra_args)
        self.extra_env = env or {}
        self.log_path = self.base / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def lab_url(self) -> str:
        return f"{self.url}/lab" + (f"?token={self.token}" if self.token else "")

    def command(self) -> list[str]:
        args = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser", "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.expose_app_in_browser=True",
            f"--NotebookSkills.github_url={self.github_url}",
            f"--NotebookSkills.github_api_url={self.fake.api_url}",
            f"--NotebookSkills.user_skills_dir={self.user_skills}",
            "--NotebookSkills.request_timeout=10",
        ]
        if os.geteuid() == 0:
            args.append("--allow-root")
        return args + self.extra_args

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SCRUB_ENV}
        venv_bin = str(Path(sys.executable).parent)
        env.update(
            HOME=str(self.home),
            SSL_CERT_FILE=str(self.ca_path),
            PATH=f"{venv_bin}:/usr/bin:/bin",  # no `gh` token from the developer's machine
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60) -> Lab:
        for d in (self.user_skills, self.project_skills):
            d.mkdir(parents=True, exist_ok=True)
        settings_dir = self.home / ".jupyter" / "lab" / "user-settings"
        for rel, value in self.settings.items():
            path = settings_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value, indent=2))
        log = open(self.log_path, "wb")
        # Own session: a Ctrl+C in the terminal goes to the launcher, not to lab's
        # interactive "Shutdown this Jupyter server (y/[n])?" prompt.
        self.proc = subprocess.Popen(self.command(), env=self.environment(), cwd=self.root,
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _ = self.api("GET", "skills", timeout=2)
                lab_status, _ = self._get(f"{self.url}/lab", timeout=5)
                if status == 200 and lab_status == 200:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.1)  # polling interval, not a wait for something to happen
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {timeout}s:\n{self.log_tail()}")

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
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

    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- REST helpers (seed state without the UI) -----------------------------

    def _get(self, url: str, timeout: float = 10):
        req = urllib.request.Request(url, headers=self._auth())
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"} if self.token else {}

    def api(self, method: str, path: str, body: dict | None = None, *, timeout: float = 30,
            prefix: str = "notebook-skills/"):
        """(status, parsed JSON or None) for {base}/notebook-skills/{path}."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {**self._auth(), "Content-Type": "application/json"}
        req = urllib.request.Request(f"{self.url}/{prefix}{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw, status = resp.read(), resp.status
        except urllib.error.HTTPError as e:
            raw, status = e.read(), e.code
        return status, (json.loads(raw) if raw else None)

    def set_theme(self, theme: str) -> None:
        """'JupyterLab Light' or 'JupyterLab Dark' (takes effect on the next page load)."""
        raw = json.dumps({"theme": theme})
        status, _ = self.api("PUT", "@jupyterlab/apputils-extension:themes", {"raw": raw},
                             prefix="lab/api/settings/")
        assert status in (200, 204), status
