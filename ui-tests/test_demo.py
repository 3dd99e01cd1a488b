"""`make demo` end to end (no browser): the launcher starts both servers, the push CLI
changes the running fake, a tracked skill syncs, and SIGINT stops everything."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from harness import REPO

DEMO = Path(__file__).resolve().parent / "demo.py"


def _cli(state: Path, *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "tests.fakegithub", "--state", str(state), *args],
                         cwd=REPO, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _api(url: str, token: str, method: str, path: str) -> dict:
    req = urllib.request.Request(f"{url}/notebook-skills/{path}", method=method, data=b"{}" if method == "POST" else None,
                                 headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def test_demo_launcher_push_and_sync(tmp_path):
    proc = subprocess.Popen([sys.executable, str(DEMO), "--dir", str(tmp_path)], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []
    try:
        for line in proc.stdout:  # blocks on the launcher's own output, which ends with the hint
            lines.append(line)
            if "Ctrl+C stops" in line:
                break
        out = "".join(lines)
        assert "Ctrl+C stops" in out, out
        m = re.search(r"(http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", out)
        assert m, out
        url, token = m.groups()
        state = tmp_path / "fake.json"
        assert f"--state {state}" in out  # the printed push command finds this demo

        with urllib.request.urlopen(f"{url}/lab?token={token}", timeout=30) as resp:
            assert resp.status == 200
        req = urllib.request.Request(
            f"{url}/notebook-skills/skills/import", method="POST",
            data=json.dumps({"url": "acme/data-skills/skills/csv-helper", "scope": "user",
                             "tracks_upstream": True}).encode(),
            headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            assert resp.status == 201
        assert "acme/data-skills" in _cli(state, "repos")
        assert "pushed" in _cli(state, "push", "acme/data-skills",
                                "skills/csv-helper/SKILL.md+=4. Always report the file encoding.\\n", "-m", "enc")
        assert _api(url, token, "POST", "skills/user/csv-helper/sync")["updated"] is True
        skill_md = tmp_path / "home" / ".claude" / "skills" / "csv-helper" / "SKILL.md"
        assert skill_md.read_text().endswith("4. Always report the file encoding.\n")

        # the sample marketplace: a sha-pinned plugin follows the curator's bump
        req = urllib.request.Request(
            f"{url}/notebook-skills/skills/import", method="POST",
            data=json.dumps({"url": "acme/plugin-market", "scope": "user", "tracks_upstream": True,
                             "paths": ["reports:skills/weekly-report"]}).encode(),
            headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            assert resp.status == 201
        _cli(state, "push", "partner/report-skills", "skills/weekly-report/SKILL.md+=Add a risks section.\\n")
        assert _api(url, token, "POST", "skills/user/weekly-report/sync")["updated"] is False  # not pinned yet
        assert "pinned reports" in _cli(state, "bump-pin", "acme/plugin-market", "reports")
        assert _api(url, token, "POST", "skills/user/weekly-report/sync")["updated"] is True
        weekly = tmp_path / "home" / ".claude" / "skills" / "weekly-report" / "SKILL.md"
        assert weekly.read_text().endswith("Add a risks section.\n")
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, "".join(lines) + rest
    assert not (tmp_path / "fake.json").exists()
