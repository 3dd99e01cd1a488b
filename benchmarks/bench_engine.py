"""Sync engine vs notebook-intelligence 6.2.0, side by side against one fake GitHub.

    .venv/bin/python benchmarks/bench_engine.py          # ~1 min
    .venv/bin/python benchmarks/bench_engine.py --no-ni  # our numbers only

60 tracking skills in 6 repositories (10 each, 3 files per skill), the fake adds
50 ms to every request.  Both tools sync-all (a) with nothing changed and (b)
after one commit per repository touching every skill.  Then a tiny skill is
imported from a 90 MB repository in a child process and its peak RSS is read.
notebook-intelligence runs in its own venv (benchmarks/.ni-venv, made on first
run with `pip install notebook-intelligence==6.2.0`) through ni_driver.py.
Prints numbers; asserts only correctness facts, never timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_sync import ROOT, _reset_peak_rss, _status_kb, manager, skill_md  # noqa: E402

NI_VENV = HERE / ".ni-venv"
NI_PYTHON = NI_VENV / "bin" / "python"
NI_VERSION = "6.2.0"
LATENCY = 0.05
REPOS = [f"repo{i}" for i in range(6)]
PER_REPO = 10


def skill_names(repo: str) -> list[str]:
    return [f"{repo}-skill-{i}" for i in range(PER_REPO)]


def seed(fake) -> None:
    for repo in REPOS:
        files = {"README.md": f"# {repo}\n"}
        for name in skill_names(repo):
            files[f"skills/{name}/SKILL.md"] = skill_md(name, f"Skill {name}.")
            files[f"skills/{name}/scripts/run.py"] = f"print({name!r})\n"
            files[f"skills/{name}/reference.md"] = f"# Reference for {name}\n" * 50
        fake.add_repo("bench", repo, files)


def bump(fake) -> None:
    for repo in REPOS:
        fake.commit("bench", repo, {f"skills/{n}/SKILL.md": skill_md(n, f"Skill {n}, v2.") for n in skill_names(repo)})


def ensure_ni() -> str | None:
    """Path problems as a sentence, or None when notebook-intelligence is ready."""
    if not NI_PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(NI_VENV)], check=True)
    probe = subprocess.run([str(NI_PYTHON), "-c", "import notebook_intelligence.skill_manager"], capture_output=True)
    if probe.returncode:
        proc = subprocess.run([str(NI_PYTHON), "-m", "pip", "install", "-q", f"notebook-intelligence=={NI_VERSION}"],
                              capture_output=True, text=True)
        if proc.returncode:
            return f"pip install notebook-intelligence=={NI_VERSION} failed: {proc.stderr.strip()[-300:]}"
    return None


class Driver:
    """A long-running child process (like a Jupyter server) answering one JSON line per command.

    Both tools run outside this process: the fake GitHub's server thread lives here
    and must not share a GIL with either of them.
    """

    def __init__(self, argv: list[str], env: dict):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)

    def __call__(self, *command: str) -> dict:
        self.proc.stdin.write(" ".join(command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"driver failed: {self.proc.stderr.read()[-2000:]}")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(60)


def ni_driver(fake, ca: str, root: Path) -> Driver:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    env["PATH"] = "/usr/bin:/bin"  # no `gh`: anonymous, like our side
    return Driver([str(NI_PYTHON), str(HERE / "ni_driver.py"), fake.api_url, ca, str(root)], env)


def ours_driver(fake, root: Path) -> Driver:
    return Driver([sys.executable, __file__, "--ours-child", fake.api_url, fake.url, str(root)], dict(os.environ))


def ours_child(api: str, web: str, root: str) -> None:
    """Our side: one SkillManager kept alive across commands, as in a server."""

    async def run():
        m = manager(web, api, Path(root))
        loop = asyncio.get_running_loop()
        try:
            while line := await loop.run_in_executor(None, sys.stdin.readline):
                t0 = time.perf_counter()
                if line.split()[0] == "import":
                    for repo in REPOS:
                        installed, errors = await m.import_paths(
                            f"{web}/bench/{repo}", "user", [f"skills/{n}" for n in skill_names(repo)], tracks_upstream=True)
                        assert not errors and len(installed) == PER_REPO, errors
                    results = []
                else:
                    results = await m.sync_all_tracking()
                print(json.dumps({"seconds": time.perf_counter() - t0, "results": results}), flush=True)
        finally:
            await m.aclose()

    asyncio.run(run())


def measured(fake, run) -> dict:
    fake.clear_log()
    out = run()
    out["requests"] = len(fake.requests)
    return out


# ---- import of a tiny skill from a 90 MB repository, in a child process ------------


def rss_child(fake_url: str, api_url: str, workdir: str) -> None:
    async def run():
        m = manager(fake_url, api_url, Path(workdir), max_archive_mb=200)
        try:
            await m.import_from_github(f"{fake_url}/bench/small/tree/main/skill", "user", name="warm-up")
            base = _reset_peak_rss()
            t0 = time.perf_counter()
            await m.import_from_github(f"{fake_url}/bench/mono90/tree/main/skills/tiny", "user")
            elapsed = time.perf_counter() - t0
            peak = _status_kb("VmHWM")
        finally:
            await m.aclose()
        print(json.dumps({"base_kb": base, "peak_kb": peak, "seconds": elapsed}))

    asyncio.run(run())


def bench_rss(fake) -> dict:
    fake.latency = 0
    fake.add_repo("bench", "small", {"skill/SKILL.md": skill_md("small", "Warm-up.")})
    files = {f"data/part{i:03d}.bin": os.urandom(1024 * 1024) for i in range(90)}
    files.update({"skills/tiny/SKILL.md": skill_md("tiny", "Tiny."), "skills/tiny/a.md": "a\n", "skills/tiny/b.md": "b\n"})
    sha = fake.add_repo("bench", "mono90", files)
    archive = fake._repo("bench", "mono90").tarball(sha)
    fake.set_archive("bench", "mono90", sha, archive)  # built once, not on every request
    archive_mb = len(archive) / 2**20
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, __file__, "--rss-child", fake.url, fake.api_url, tmp],
                              capture_output=True, text=True, env=dict(os.environ), timeout=600)
        if proc.returncode:
            raise RuntimeError(proc.stderr)
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["archive_mb"] = archive_mb
    return data


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--no-ni", action="store_true", help="skip notebook-intelligence")
    p.add_argument("--rss-child", nargs=3, help=argparse.SUPPRESS)
    p.add_argument("--ours-child", nargs=3, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.rss_child:
        rss_child(*args.rss_child)
        return
    if args.ours_child:
        ours_child(*args.ours_child)
        return

    import trustme

    sys.path.insert(0, str(ROOT))
    from tests.fakegithub import FakeGitHub

    ni_problem = None if not args.no_ni else "skipped (--no-ni)"
    if ni_problem is None:
        ni_problem = ensure_ni()
    ca = trustme.CA()
    with tempfile.TemporaryDirectory() as tmp, FakeGitHub(ca) as fake:
        tmp = Path(tmp)
        pem = tmp / "ca.pem"
        ca.cert_pem.write_to_path(str(pem))
        os.environ["SSL_CERT_FILE"] = str(pem)
        for var in ("GITHUB_TOKEN", "GH_TOKEN"):
            os.environ.pop(var, None)
        seed(fake)
        urls = [f"https://github.com/bench/{r}/tree/main/skills/{n}" for r in REPOS for n in skill_names(r)]
        rows: dict[str, dict] = {}

        # setup (not measured): both tools import every skill and run one sync-all
        # (notebook-intelligence's stamps tracking_ref, which its import does not record)
        fake.latency = 0
        ours = ours_driver(fake, tmp / "ours")
        ni = ni_driver(fake, str(pem), tmp / "ni") if ni_problem is None else None
        try:
            ours("import")
            ours("sync-all")
            if ni is not None:
                ni("import", *urls)
                first = ni("sync-all")
                assert all("error" not in r for r in first["results"]), first["results"][:3]
            fake.latency = LATENCY
            rows[("ours", "unchanged")] = measured(fake, lambda: ours("sync-all"))
            if ni is not None:
                rows[("ni", "unchanged")] = measured(fake, lambda: ni("sync-all"))
            # changed: one commit per repository touching every skill, then both sync
            bump(fake)
            for repo in REPOS:  # the fake builds each archive once, not once per request
                sha = fake.head("bench", repo)
                fake.set_archive("bench", repo, sha, fake._repo("bench", repo).tarball(sha))
            rows[("ours", "changed")] = measured(fake, lambda: ours("sync-all"))
            if ni is not None:
                rows[("ni", "changed")] = measured(fake, lambda: ni("sync-all"))
        finally:
            ours.close()
            if ni is not None:
                ni.close()

        for (tool, phase), row in rows.items():
            results = row["results"]
            assert len(results) == len(urls), (tool, phase, len(results))
            assert all("error" not in r for r in results), (tool, phase, results[:3])
            assert all(bool(r["updated"]) == (phase == "changed") for r in results), (tool, phase)

        print(f"sync-all of {len(urls)} tracking skills in {len(REPOS)} repositories, fake latency "
              f"{LATENCY * 1000:.0f} ms/request, concurrency 3 on both sides")
        print(f"  {'':<30} {'notebook-skills':>22} {'notebook-intelligence ' + NI_VERSION:>30} {'speed-up':>9}")
        for phase in ("unchanged", "changed"):
            o = rows[("ours", phase)]
            n = rows.get(("ni", phase))
            ours_txt = f"{o['seconds']:.2f} s, {o['requests']} req"
            ni_txt = f"{n['seconds']:.2f} s, {n['requests']} req" if n else "-"
            ratio = f"{n['seconds'] / o['seconds']:.1f}x" if n else "-"
            print(f"  {'nothing changed' if phase == 'unchanged' else '6 repos changed (every skill)':<30} "
                  f"{ours_txt:>22} {ni_txt:>30} {ratio:>9}")
        if ni_problem:
            print(f"  notebook-intelligence: {ni_problem}")
        r = bench_rss(fake)
        print(f"import of a 3-file skill from a {r['archive_mb']:.0f} MB repository: {r['seconds']:.2f} s; peak RSS "
              f"{r['base_kb'] / 1024:.0f} MB -> {r['peak_kb'] / 1024:.0f} MB "
              f"(+{(r['peak_kb'] - r['base_kb']) / 1024:.1f} MB while importing)")


if __name__ == "__main__":
    main()
