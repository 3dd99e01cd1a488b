"""Benchmarks for the notebook-skills core against an in-process fake GitHub.

Prints numbers; asserts only correctness facts (download counts), never timing.

    .venv/bin/python benchmarks/bench_sync.py            # everything (~1 min)
    .venv/bin/python benchmarks/bench_sync.py --quick    # smaller sizes

The fake speaks HTTPS with a throwaway CA (trustme, SSL_CERT_FILE), so the real
client, TLS and redirect handling are in the measured path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from notebook_skills.github import GitHubClient, TokenProvider  # noqa: E402
from notebook_skills.skills.hashing import content_sha256  # noqa: E402
from notebook_skills.skills.manager import SkillManager  # noqa: E402
from notebook_skills.skills.record import InstallRecord  # noqa: E402
from notebook_skills.skills.store import ScopeStore  # noqa: E402

LATENCY = 0.05
REPOS = ("alpha", "beta", "gamma")
SKILLS_PER_REPO = 10


def skill_md(name: str, description: str) -> str:
    return f"---\nname: {name}\ndescription: {description}\nlicense: MIT\n---\n# {name}\n\nDo the thing.\n"


def manager(fake_url: str, api_url: str, root: Path, *, concurrency: int = 3, max_archive_mb=100, max_skill_mb=20):
    github = GitHubClient(
        github_url=fake_url,
        github_api_url=api_url,
        timeout=60,
        max_archive_mb=max_archive_mb,
        token_provider=TokenProvider(env={}, gh_command=()),  # anonymous, no `gh` lookup
    )
    return SkillManager(
        user_dir=root / "user",
        project_dir=root / "project",
        github=github,
        sync_concurrency=concurrency,
        max_skill_mb=max_skill_mb,
        max_archive_mb=max_archive_mb,
    )


def seed_repos(fake, per_repo: int) -> None:
    helper = os.urandom(16 * 1024).hex()  # 32 KB of text per helper file
    for repo in REPOS:
        files = {"README.md": f"# {repo}\n"}
        for i in range(per_repo):
            name = f"{repo}-skill-{i}"
            files[f"skills/{name}/SKILL.md"] = skill_md(name, f"Skill {i} of {repo}.")
            files[f"skills/{name}/scripts/run.py"] = f"# {name}\nDATA = '{helper}'\n"
            files[f"skills/{name}/reference.md"] = f"# Reference for {name}\n" * 200
        fake.add_repo("bench", repo, files)


def bump_all(fake, per_repo: int) -> None:
    """One commit per repo touching every skill folder in it."""
    for repo in REPOS:
        fake.commit(
            "bench",
            repo,
            {f"skills/{repo}-skill-{i}/SKILL.md": skill_md(f"{repo}-skill-{i}", f"Skill {i}, v2.") for i in range(per_repo)},
        )


async def bench_sync_all(fake, per_repo: int) -> list[dict]:
    rows = []
    for concurrency in (1, 3, 8):
        fake.reset()
        fake.latency = 0
        seed_repos(fake, per_repo)
        with tempfile.TemporaryDirectory() as tmp:
            m = manager(fake.url, fake.api_url, Path(tmp), concurrency=concurrency)
            try:
                for repo in REPOS:
                    for i in range(per_repo):
                        url = f"{fake.url}/bench/{repo}/tree/main/skills/{repo}-skill-{i}"
                        await m.import_from_github(url, "user", tracks_upstream=True)
                bump_all(fake, per_repo)
                fake.latency = LATENCY
                fake.clear_log()
                t0 = time.perf_counter()
                results = await m.sync_all_tracking()
                changed = time.perf_counter() - t0
                downloads = len(fake.requests_to("tarball"))
                assert all(r.get("updated") for r in results), results
                assert downloads == len(REPOS), downloads  # once per (repo, SHA)
                fake.clear_log()
                t0 = time.perf_counter()
                results = await m.sync_all_tracking()
                unchanged = time.perf_counter() - t0
                idle_downloads = len(fake.requests_to("tarball"))
                assert not any(r.get("updated") for r in results) and idle_downloads == 0
                probes = len(fake.requests_to("commits"))
            finally:
                await m.aclose()
        rows.append(
            dict(concurrency=concurrency, skills=len(results), changed_s=changed, downloads=downloads,
                 unchanged_s=unchanged, unchanged_downloads=idle_downloads, probes=probes)
        )
    return rows


def bench_list(count: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = ScopeStore("user", root / "user")
        blob = os.urandom(8 * 1024).hex()
        for i in range(count):
            folder = store.root / f"skill-{i}"
            (folder / "scripts").mkdir(parents=True)
            (folder / "SKILL.md").write_text(skill_md(f"skill-{i}", f"Skill number {i}."))
            (folder / "scripts" / "a.py").write_text(f"A = '{blob}'\n")
            (folder / "scripts" / "b.py").write_text(f"B = '{blob}'\n")
            (folder / "reference.md").write_text("# ref\n" * 500)
            store.records.write(f"skill-{i}", InstallRecord(content_sha256=content_sha256(folder)))
        m = SkillManager(user_dir=store.root, project_dir=root / "project")

        async def run():
            t0 = time.perf_counter()
            skills = await m.list_skills()
            cold = time.perf_counter() - t0
            assert len(skills) == count and not any(s.locally_modified for s in skills)
            warm = []
            for _ in range(5):
                t0 = time.perf_counter()
                await m.list_skills()
                warm.append(time.perf_counter() - t0)
            return cold, statistics.median(warm)

        cold, warm = asyncio.run(run())
    return dict(skills=count, cold_s=cold, cached_s=warm)


# ---- peak RSS of a big import, measured in a child process ------------------------------
# (the fake lives in this process and holds the archive in memory; the child
# only runs the client + manager, so its peak RSS is the product's own)


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status (Linux only)")


def _reset_peak_rss() -> int:
    """Reset the high-water mark (Linux >= 4.0) and return the current RSS in KB.

    Not ru_maxrss: that one survives fork+exec and reports the parent's size.
    """
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    return _status_kb("VmRSS")


def rss_child(fake_url: str, api_url: str, workdir: str) -> None:
    async def run():
        m = manager(fake_url, api_url, Path(workdir), max_archive_mb=200, max_skill_mb=100)
        try:
            await m.import_from_github(f"{fake_url}/bench/small/tree/main/skill", "user", name="warm-up")
            base = _reset_peak_rss()
            t0 = time.perf_counter()
            await m.import_from_github(f"{fake_url}/bench/big/tree/main/skill", "user", name="big-one")
            elapsed = time.perf_counter() - t0
            peak = _status_kb("VmHWM")
        finally:
            await m.aclose()
        size = (Path(workdir) / "user" / "big-one" / "data.bin").stat().st_size
        print(json.dumps({"base_kb": base, "peak_kb": peak, "seconds": elapsed, "installed_bytes": size}))

    asyncio.run(run())


def bench_rss(fake, mb: int) -> dict:
    fake.reset()
    fake.add_repo("bench", "small", {"skill/SKILL.md": skill_md("small", "Warm-up.")})
    fake.add_repo("bench", "big", {"skill/SKILL.md": skill_md("big", "Big."), "skill/data.bin": os.urandom(mb * 1024 * 1024)})
    sha = fake.head("bench", "big")
    archive_bytes = len(fake._repo("bench", "big").tarball(sha))
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, __file__, "--rss-child", fake.url, fake.api_url, tmp],
            capture_output=True, text=True, env=dict(os.environ), timeout=600,
        )
        if proc.returncode:
            raise RuntimeError(proc.stderr)
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["archive_mb"] = archive_bytes / 1024 / 1024
    return data


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    p.add_argument("--rss-child", nargs=3, metavar=("URL", "API", "DIR"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.rss_child:
        rss_child(*args.rss_child)
        return

    import trustme

    from tests.fakegithub import FakeGitHub

    ca = trustme.CA()
    with tempfile.TemporaryDirectory() as certs:
        pem = Path(certs) / "ca.pem"
        ca.cert_pem.write_to_path(str(pem))
        os.environ["SSL_CERT_FILE"] = str(pem)  # before any client is created; inherited by the child
        for var in ("GITHUB_TOKEN", "GH_TOKEN"):
            os.environ.pop(var, None)
        per_repo = 3 if args.quick else SKILLS_PER_REPO
        with FakeGitHub(ca) as fake:
            print(f"sync-all: {per_repo * len(REPOS)} tracking skills from {len(REPOS)} repos, fake latency {LATENCY * 1000:.0f} ms/request")
            print(f"  {'concurrency':>11} {'changed (s)':>12} {'downloads':>9} {'unchanged (s)':>14} {'downloads':>9} {'probes':>6}")
            for r in asyncio.run(bench_sync_all(fake, per_repo)):
                print(f"  {r['concurrency']:>11} {r['changed_s']:>12.2f} {r['downloads']:>9} "
                      f"{r['unchanged_s']:>14.2f} {r['unchanged_downloads']:>9} {r['probes']:>6}")
            count = 40 if args.quick else 200
            r = bench_list(count)
            print(f"list_skills: {r['skills']} skills (4 files, ~40 KB each): cold {r['cold_s'] * 1000:.0f} ms, "
                  f"hash-cached {r['cached_s'] * 1000:.0f} ms (median of 5)")
            mb = 10 if args.quick else 50
            r = bench_rss(fake, mb)
            delta = (r["peak_kb"] - r["base_kb"]) / 1024
            print(f"import of a {r['archive_mb']:.0f} MB archive ({r['installed_bytes'] / 2**20:.0f} MB skill): "
                  f"{r['seconds']:.2f} s; peak RSS {r['base_kb'] / 1024:.0f} MB -> {r['peak_kb'] / 1024:.0f} MB "
                  f"(+{delta:.1f} MB while importing)")


if __name__ == "__main__":
    main()
