"""A separate process that writes a skill through the core's transaction.

    python -m tests.txn_worker ROOT NAME VERSION [--fallback] [--hold-archive]
    python -m tests.txn_worker ROOT NAME --rename NEW | --delete | --untrack

Installs bundle VERSION ("v1" or "v2") as skill NAME in scope dir ROOT (replacing
whatever skill is there).  With NOTEBOOK_SKILLS_TEST_CRASH_AT=<step> the core
dies at that step like a kill -9 (tests/test_txn_crash.py).  --fallback uses the
two-rename swap instead of renameat2; --hold-archive first makes a download work
dir, as an import in flight would; --untrack turns tracking off (SKILL.md and record
in one `txn.edit`, as the tracking toggle does).
"""

from __future__ import annotations

import sys
from pathlib import Path

from notebook_skills.skills import swap, txn
from notebook_skills.skills.hashing import content_sha256
from notebook_skills.skills.record import InstallRecord, Origin
from notebook_skills.skills.store import ScopeStore

COMMITS = {"v1": "1" * 40, "v2": "2" * 40}


def files(name: str, version: str) -> dict[str, str]:
    body = {"v1": {"old-only.txt": "o\n"}, "v2": {"new-only.txt": "n\n"}}[version]
    return {"SKILL.md": f"---\nname: {name}\ndescription: Skill {version}.\n---\n# {version}\n", **body}


def install(root: Path, name: str, version: str) -> None:
    store = ScopeStore("user", root)
    staging = store.new_staging(name)
    for rel, text in files(name, version).items():
        (staging / rel).write_text(text)
    record = InstallRecord(
        origin=Origin(host="github.example", owner="acme", repo="skills", ref="main", path=name),
        commit=COMMITS[version],
        tracking=True,
    )
    txn.stamp_skill_md(store, staging, name, record)
    record.content_sha256 = content_sha256(staging)
    txn.install(store, name, staging, record, txn.ANY)


def main(argv: list[str]) -> None:
    root, name, version = Path(argv[0]), argv[1], argv[2]
    if version == "--rename":
        txn.rename(ScopeStore("user", root), name, argv[3], content_sha256)
        return
    if version == "--delete":
        txn.delete(ScopeStore("user", root), name)
        return
    if version == "--untrack":
        store = ScopeStore("user", root)
        record = store.records.read(name).model_copy(update={"tracking": False})
        text = (store.skill_dir(name) / "SKILL.md").read_text()
        txn.edit(store, name, txn.stamped_text(store, text, record), record, before=text)
        return
    if "--fallback" in argv:
        swap.USE_RENAMEAT2 = False
    if "--hold-archive" in argv:
        ScopeStore("user", root).mkdtemp("archives")
    install(root, name, version)


if __name__ == "__main__":
    main(sys.argv[1:])
