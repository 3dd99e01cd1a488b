"""`make demo`: JupyterLab + notebook-skills against a local fake GitHub, fully offline.

Starts the fake GitHub (HTTPS with a throwaway CA) preloaded with sample skill repos,
then JupyterLab pointed at it, and prints the lab URL and how to push an upstream commit.
Everything lives under .demo/ (gitignored); Ctrl+C stops both servers.

    python ui-tests/demo.py [--port LAB_PORT] [--fake-port FAKE_PORT] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import REPO, Lab, free_port, start_fake  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0, help="JupyterLab port (default: a free one)")
    p.add_argument("--fake-port", type=int, default=0, help="fake GitHub port (default: a free one)")
    p.add_argument("--dir", type=Path, default=REPO / ".demo", help="demo state directory")
    p.add_argument("--fresh", action="store_true", help="forget skills and settings from earlier demos")
    args = p.parse_args(argv)

    base = args.dir.resolve()
    if args.fresh and base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True, exist_ok=True)
    fake, ca_path = start_fake(base / "ca", port=args.fake_port)
    state = base / "fake.json"
    state.write_text(json.dumps({"url": fake.url, "api_url": fake.api_url, "ca": str(ca_path)}))
    lab = Lab(base, fake, ca_path, port=args.port or free_port(), name="jupyterlab")
    try:
        print(f"fake GitHub:  {fake.url}  (repos: acme/data-skills, acme/sql-skills, acme/lab-skills; "
              "marketplace: acme/plugin-market)", flush=True)
        print("starting JupyterLab ...", flush=True)
        lab.start(timeout=120)
        py = ".venv/bin/python" if Path(sys.executable).parent == REPO / ".venv" / "bin" else sys.executable
        push = f"{py} -m tests.fakegithub" if Path.cwd() == REPO else f"cd {REPO} && {py} -m tests.fakegithub"
        if Path.cwd() != REPO or args.dir.resolve() != (REPO / ".demo").resolve():
            push += f" --state {state}"
        print(f"""
JupyterLab:   {lab.lab_url}
user skills:  {lab.user_skills}
project:      {lab.root}
lab log:      {lab.log_path}

Try it: open the Skills panel (left sidebar) > Import from GitHub > paste
  acme/data-skills/skills/csv-helper   (or acme/data-skills, acme/sql-skills, acme/lab-skills)
tick "Track upstream" and import. Then push an upstream change from another shell:

  {push} push acme/data-skills 'skills/csv-helper/SKILL.md+=4. Always report the file encoding.\\n' -m "csv-helper: encoding"

and click the skill's sync button (or "Sync tracking skills"). To see a failure in the summary:

  {push} delete-repo acme/lab-skills

A plugin marketplace: Import from GitHub > paste
  acme/plugin-market
> Preview, click the plugins "data-tools" and "reports" to open them, tick csv-profile
and weekly-report, tick "Track upstream" and "Import 2 skills". "reports" is pinned by
sha only, so weekly-report follows the marketplace's pin. Move its upstream, let the
curator bump the pin, and click weekly-report's sync button:

  {push} push partner/report-skills 'skills/weekly-report/SKILL.md+=Add a risks section.\\n' -m "weekly: risks"
  {push} bump-pin acme/plugin-market reports

Ctrl+C stops JupyterLab and the fake GitHub.""", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
        try:
            while not stop.is_set():
                if lab.proc.poll() is not None:
                    print(f"JupyterLab exited ({lab.proc.returncode}); see {lab.log_path}", file=sys.stderr)
                    return 1
                stop.wait(1)
        except KeyboardInterrupt:
            pass
        print("\nstopping ...", flush=True)
        return 0
    finally:
        lab.stop()
        fake.stop()
        state.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
