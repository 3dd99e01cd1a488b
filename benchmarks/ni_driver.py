"""Drive notebook-intelligence 6.2.0's skill sync headless (run with its own venv's Python).

    benchmarks/.ni-venv/bin/python benchmarks/ni_driver.py API_URL CA_PEM ROOT

A long-running process, like the Jupyter server it stands for: reads one command
per line on stdin and answers one JSON line {seconds, results} per command.
"import URL..." imports each URL as a tracking skill (its `SkillManager.import_from_github`);
"sync-all" runs exactly what its `POST skills/sync-all-tracking` handler
(`SkillsSyncAllHandler.post`, extension.py) does: `list_tracking_skills()` in the
default executor, then `sync_tracking_skill()` per skill in the executor under
`asyncio.Semaphore(SYNC_CONCURRENCY = 3)`.  Prints one JSON line {seconds, results}.

notebook-intelligence only talks to api.github.com.  Its documented test seam,
`skill_github_import._urlopen_github`, is pointed at the fake GitHub (same path,
the fake's host, its CA); everything else is its unmodified code.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
import time
import urllib.request
from pathlib import Path

from notebook_intelligence import skill_github_import as gi
from notebook_intelligence.skill_manager import SkillManager

SYNC_CONCURRENCY = 3  # SkillsSyncAllHandler.SYNC_CONCURRENCY in 6.2.0


def point_at(api_url: str, ca: str) -> None:
    ctx = ssl.create_default_context(cafile=ca)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx))

    def urlopen(req, timeout):
        url = req.full_url.replace("https://api.github.com", api_url, 1)
        return opener.open(urllib.request.Request(url, headers=dict(req.header_items())), timeout=timeout)

    gi._urlopen_github = urlopen


async def sync_all(manager: SkillManager) -> list[dict]:
    loop = asyncio.get_event_loop()
    skills = await loop.run_in_executor(None, manager.list_tracking_skills)
    sem = asyncio.Semaphore(SYNC_CONCURRENCY)

    async def sync_one(skill):
        async with sem:
            try:
                outcome = await loop.run_in_executor(None, lambda s=skill: manager.sync_tracking_skill(s.scope, s.name))
                return {"scope": skill.scope, "name": skill.name, **outcome}
            except Exception as e:  # noqa: BLE001 - as the handler does
                return {"scope": skill.scope, "name": skill.name, "error": str(e)}

    return list(await asyncio.gather(*(sync_one(s) for s in skills)))


def main() -> None:
    api_url, ca, root = sys.argv[1:4]
    point_at(api_url, ca)
    manager = SkillManager(Path(root) / "user", Path(root) / "project")
    for line in sys.stdin:
        command, *urls = line.split()
        started = time.perf_counter()
        if command == "import":
            results = [manager.import_from_github(u, "user", tracks_upstream=True).name for u in urls]
        else:
            results = asyncio.run(sync_all(manager))
        print(json.dumps({"seconds": time.perf_counter() - started, "results": results}), flush=True)


if __name__ == "__main__":
    main()
