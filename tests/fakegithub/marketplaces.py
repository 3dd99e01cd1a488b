"""Sample Claude Code plugin marketplaces for the fake GitHub.

Modelled on the real format (the official marketplace and anthropics/skills):
relative sources (``./x`` and bare names under ``metadata.pluginRoot``),
``github``, ``url`` and ``git-subdir`` sources pinned by ``ref`` and/or
``sha``, ``skills[]`` arrays with ``strict: false``, and entries notebook-skills
must refuse without contacting anything (npm, a non-GitHub URL, malformed).
"""

from __future__ import annotations

import json


def _skill(name: str, description: str, body: str = "") -> str:
    return f"---\nname: {name}\ndescription: {description}\n---\n\n# {name}\n\n{body or 'Follow the steps.'}\n"


MARKETPLACE = ("acme", "plugin-market")
VIZ = ("partner", "viz-skills")  # github source, tracked by ref
REPORTS = ("partner", "report-skills")  # url source, pinned by sha only
GPU = ("chipco", "skills")  # git-subdir with ref and sha


def seed_externals(fake) -> dict[str, str]:
    """The repositories external plugins point at; returns their head SHAs."""
    heads = {}
    heads["viz"] = fake.add_repo(*VIZ, {
        "README.md": "# viz skills\n",
        "skills/chart-review/SKILL.md": _skill("chart-review", "Review a chart for honest axes and labels."),
        "skills/colour-check/SKILL.md": _skill("colour-check", "Check a palette for colour-blind safety."),
    })
    heads["reports"] = fake.add_repo(*REPORTS, {
        "skills/weekly-report/SKILL.md": _skill("weekly-report", "Draft the weekly status report."),
        "skills/weekly-report/template.md": "# Week {n}\n",
        "skills/monthly-report/SKILL.md": _skill("monthly-report", "Draft the monthly summary."),
    })
    heads["gpu"] = fake.add_repo(*GPU, {
        "README.md": "# chipco skills\n",
        "skills/local-ai-use/SKILL.md": _skill("local-ai-use", "Run models on the local accelerator."),
        "skills/gpu-profiling/SKILL.md": _skill("gpu-profiling", "Profile GPU kernels."),
        "skills/unlisted/SKILL.md": _skill("unlisted", "Not named in skills[], so not part of the plugin."),
    })
    return heads


def marketplace_json(web: str, heads: dict[str, str], *, extra: list | None = None) -> dict:
    return {
        "name": "acme-plugins",
        "owner": {"name": "Acme"},
        "metadata": {"description": "Acme's curated skills", "pluginRoot": "./plugins"},
        "plugins": [
            # relative, default skills/ layout
            {"name": "data-tools", "description": "CSV and plotting helpers", "source": "./plugins/data-tools"},
            # bare name under metadata.pluginRoot
            {"name": "doc-tools", "description": "Writing docs", "source": "doc-tools"},
            # anthropics/skills style: the repo root with a skills[] array
            {"name": "lab-essentials", "description": "Notebook hygiene", "source": "./", "strict": False,
             "skills": ["./skills/notebook-tidy", "./skills/query-review"]},
            # github source tracked by ref
            {"name": "viz", "description": "Chart review", "source": {"source": "github", "repo": "/".join(VIZ), "ref": "main"}},
            # url source pinned by sha only: Sync follows the marketplace's pin
            {"name": "reports", "description": "Status reports",
             "source": {"source": "url", "url": f"{web}/{'/'.join(REPORTS)}.git", "sha": heads["reports"]}},
            # git-subdir with ref and sha and a skills[] array (like amd/skills in the official marketplace)
            {"name": "gpu", "description": "Accelerator skills", "strict": False,
             "source": {"source": "git-subdir", "url": f"{web}/{'/'.join(GPU)}.git", "path": "skills",
                        "ref": "main", "sha": heads["gpu"]},
             "skills": ["./local-ai-use", "./gpu-profiling"]},
            # never contacted: other kinds, other hosts, malformed entries
            {"name": "npm-thing", "description": "From npm", "source": {"source": "npm", "package": "@acme/thing"}},
            {"name": "gitlab-thing", "source": {"source": "url", "url": "https://gitlab.com/team/plugin.git"}},
            {"name": "broken", "source": {"source": "github"}},
            {"description": "no name at all", "source": "./plugins/data-tools"},
            *(extra or []),
        ],
    }


MARKET_FILES = {
    "README.md": "# Acme plugin marketplace\n",
    "plugins/data-tools/.claude-plugin/plugin.json": '{"name": "data-tools"}\n',
    "plugins/data-tools/skills/csv-profile/SKILL.md": _skill("csv-profile", "Profile a CSV file."),
    "plugins/data-tools/skills/csv-profile/profile.py": "print('profile')\n",
    "plugins/data-tools/skills/plot-house/SKILL.md": _skill("plot-house", "Apply the house plot style."),
    "plugins/doc-tools/skills/doc-lint/SKILL.md": _skill("doc-lint", "Lint Markdown docs."),
    "skills/notebook-tidy/SKILL.md": _skill("notebook-tidy", "Tidy a notebook before sharing."),
    "skills/query-review/SKILL.md": _skill("query-review", "Review SQL queries."),
    "template/SKILL.md": _skill("template-skill", "A template no plugin lists."),
}


def seed_marketplace(fake, web: str | None = None) -> dict[str, str]:
    """acme/plugin-market plus the external repos it names; returns head SHAs
    (keys: viz, reports, gpu, market). ``web``: the GitHub web URL its ``url`` sources
    name (default the fake's own; a server must be configured with it as github_url)."""
    heads = seed_externals(fake)
    doc = marketplace_json(web or fake.url, heads)
    files = dict(MARKET_FILES)
    files[".claude-plugin/marketplace.json"] = json.dumps(doc, indent=2) + "\n"
    heads["market"] = fake.add_repo(*MARKETPLACE, files)
    return heads


def bump_pin(fake, plugin: str, sha: str, market: tuple[str, str] = MARKETPLACE) -> str:
    """Commit a new ``sha`` for one plugin to the marketplace's marketplace.json."""
    doc = json.loads(fake.read(*market, ".claude-plugin/marketplace.json"))
    entries = [e for e in doc["plugins"] if e.get("name") == plugin and isinstance(e.get("source"), dict)]
    if not entries:
        raise KeyError(f"no external plugin {plugin!r} in {'/'.join(market)}")
    for entry in entries:
        entry["source"]["sha"] = sha
    return fake.commit(*market, {".claude-plugin/marketplace.json": json.dumps(doc, indent=2) + "\n"},
                       message=f"bump {plugin} to {sha[:7]}")


def edit_plugin(fake, plugin: str, market: tuple[str, str] = MARKETPLACE, **changes) -> str:
    """Commit marketplace.json with ``plugin``'s entry updated by ``changes`` (a
    value of None drops the key): e.g. the curator moves a plugin."""
    doc = json.loads(fake.read(*market, ".claude-plugin/marketplace.json"))
    entry = next(e for e in doc["plugins"] if e.get("name") == plugin)
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return fake.commit(*market, {".claude-plugin/marketplace.json": json.dumps(doc, indent=2) + "\n"},
                       message=f"edit {plugin}")


def bump_to_head(fake, owner: str, repo: str, plugin: str) -> str:
    """Pin ``plugin`` to the head of the repository it names (the demo's 'curator bumps')."""
    doc = json.loads(fake.read(owner, repo, ".claude-plugin/marketplace.json"))
    entry = next((e for e in doc["plugins"] if e.get("name") == plugin and isinstance(e.get("source"), dict)), None)
    if entry is None:
        raise KeyError(f"no external plugin {plugin!r} in {owner}/{repo}")
    src = entry["source"]
    target = src["repo"] if src["source"] == "github" else src["url"].rstrip("/").removesuffix(".git").split("/", 3)[-1]
    sha = fake.head(*target.split("/", 1))
    bump_pin(fake, plugin, sha, (owner, repo))
    return sha


def remove_plugin(fake, plugin: str) -> str:
    raw = fake.read(*MARKETPLACE, ".claude-plugin/marketplace.json")
    doc = json.loads(raw)
    doc["plugins"] = [e for e in doc["plugins"] if e.get("name") != plugin]
    return fake.commit(*MARKETPLACE, {".claude-plugin/marketplace.json": json.dumps(doc, indent=2) + "\n"},
                       message=f"drop {plugin}")


def many_plugins_json(count: int, *, local: int = 20) -> dict:
    """``count`` plugins: ``local`` relative ones, the rest GitHub sources that
    do not exist in the fake (a preview must never contact them)."""
    plugins = []
    for i in range(count):
        if i < local:
            plugins.append({"name": f"local-{i}", "source": f"./plugins/p{i}"})
        else:
            plugins.append({"name": f"ext-{i}", "description": f"External plugin {i}",
                            "source": {"source": "github", "repo": f"nobody/plugin-{i}", "ref": "main",
                                       "sha": f"{i:040x}"}})
    return {"name": "big", "owner": {"name": "Big"}, "plugins": plugins}


def seed_many(fake, count: int = 300, local: int = 20) -> str:
    files = {f"plugins/p{i}/skills/s{i}/SKILL.md": _skill(f"s{i}", f"Skill {i}.") for i in range(local)}
    files[".claude-plugin/marketplace.json"] = json.dumps(many_plugins_json(count, local=local))
    return fake.add_repo("big", "market", files)


def huge_marketplace_bytes(size: int = 2 * 1024 * 1024) -> bytes:
    """A syntactically valid marketplace.json of about ``size`` bytes."""
    pad = "x" * 900
    plugins = []
    total = 0
    i = 0
    while total < size:
        entry = {"name": f"p{i}", "description": pad, "source": f"./p{i}"}
        plugins.append(entry)
        total += len(json.dumps(entry)) + 2
        i += 1
    return json.dumps({"name": "huge", "plugins": plugins}).encode()
