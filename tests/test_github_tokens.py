"""Token chain: GITHUB_TOKEN → GH_TOKEN → `gh auth token`."""

from __future__ import annotations

import os
import stat
import sys

from notebook_skills.github import TokenProvider


def fake_gh(tmp_path, body: str):
    """An executable `gh` on a private PATH; it counts its calls in a file."""
    gh = tmp_path / "gh"
    gh.write_text(f"#!{sys.executable}\nimport sys, pathlib\n"
                  f"p = pathlib.Path({str(tmp_path / 'calls')!r}); p.write_text(p.read_text() + 'x' if p.exists() else 'x')\n"
                  f"{body}\n")
    gh.chmod(gh.stat().st_mode | stat.S_IXUSR)
    return {"PATH": f"{tmp_path}{os.pathsep}{os.defpath}"}


async def test_github_token_first(tmp_path):
    env = fake_gh(tmp_path, "print('from-gh')") | {"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}
    assert await TokenProvider(env).get() == "a"
    assert not (tmp_path / "calls").exists()


async def test_gh_token_second(tmp_path):
    env = fake_gh(tmp_path, "print('from-gh')") | {"GITHUB_TOKEN": "  ", "GH_TOKEN": "b"}
    assert await TokenProvider(env).get() == "b"


async def test_gh_cli_last_and_cached(tmp_path):
    env = fake_gh(tmp_path, "print('gho_fromcli')")
    tokens = TokenProvider(env)
    assert await tokens.get() == "gho_fromcli"
    assert await tokens.get() == "gho_fromcli"
    assert (tmp_path / "calls").read_text() == "x"  # ran once
    assert "gho_fromcli" not in repr(tokens)


async def test_gh_cli_failure_means_no_token(tmp_path):
    env = fake_gh(tmp_path, "sys.stderr.write('not logged in'); sys.exit(1)")
    assert await TokenProvider(env).get() is None


async def test_gh_missing_is_fine(tmp_path):
    assert await TokenProvider({"PATH": str(tmp_path)}).get() is None
    assert await TokenProvider({}, gh_command=(str(tmp_path / "nope"), "auth", "token")).get() is None


async def test_gh_hang_times_out(tmp_path, monkeypatch):
    import notebook_skills.github.tokens as tokens_mod

    monkeypatch.setattr(tokens_mod, "GH_TIMEOUT", 0.5)
    env = fake_gh(tmp_path, "import time; time.sleep(30)")
    assert await TokenProvider(env).get() is None
