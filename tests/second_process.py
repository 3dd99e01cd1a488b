"""A second process on the same home, as a second `jupyter lab` or the CLI would be:

    python -m tests.second_process USER_DIR PROJECT_DIR GITHUB_URL API_URL IMPORT_URL

Runs the core's startup recovery, then imports IMPORT_URL into the user scope from
the (fake) GitHub — its own download, unpacking and staging in the shared
bookkeeping — and prints `{"notes": [...], "skill": {...}}` as JSON on stdout.
TLS trust comes from SSL_CERT_FILE, inherited from the test process.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from notebook_skills.github import GitHubClient, TokenProvider
from notebook_skills.skills.manager import SkillManager


async def main(user: str, project: str, github_url: str, api_url: str, url: str) -> None:
    github = GitHubClient(github_url=github_url, github_api_url=api_url, timeout=30,
                          token_provider=TokenProvider({}, gh_command=()))
    manager = SkillManager(user_dir=Path(user), project_dir=Path(project), github=github)
    notes = manager.recover()
    try:
        detail, _created = await manager.import_from_github(url, "user", tracks_upstream=True)
    finally:
        await manager.aclose()
    print(json.dumps({"notes": notes, "skill": detail.model_dump(mode="json")}))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
