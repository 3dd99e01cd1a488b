"""A second process on the same home, as a second `jupyter lab` or the CLI would be:

    python -m tests.second_process USER_DIR PROJECT_DIR NAME

Runs the core's startup recovery, creates skill NAME in the user scope, and
prints the recovery notes as JSON on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from notebook_skills.skills.manager import SkillManager


async def main(user: str, project: str, name: str) -> None:
    manager = SkillManager(user_dir=Path(user), project_dir=Path(project))
    notes = manager.recover()
    await manager.create_skill("user", name, "Made by a second process.")
    await manager.aclose()
    print(json.dumps(notes))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
