"""Demo content for the standalone fake (``python -m tests.fakegithub --seed demo``)."""

from __future__ import annotations

from .marketplaces import seed_marketplace

CSV_SKILL = """---
name: csv-helper
description: Inspect, clean and summarise CSV files with pandas. Use when the user asks about a CSV file's columns, types, missing values or wants a quick profile.
license: MIT
---

# CSV helper

1. Load the file with `pandas.read_csv`, guessing the delimiter with `csv.Sniffer` when unsure.
2. Report shape, dtypes, missing values per column and a few sample rows.
3. For a quick profile run `python profile_csv.py PATH` from this skill's folder.
"""

CSV_HELPER = '''"""Print a short profile of a CSV file."""
import sys

import pandas as pd

df = pd.read_csv(sys.argv[1])
print(df.shape)
print(df.dtypes)
print(df.isna().sum())
'''

PLOT_SKILL = """---
name: plot-style
description: Apply the team's matplotlib house style (fonts, colours, figure sizes). Use when creating charts for reports or notebooks.
license: Apache-2.0
---

# Plot style

Call `plt.style.use("house.mplstyle")` (in this folder) before plotting.
Label both axes, put units in brackets and prefer one message per chart.
"""

PLOT_STYLE = """axes.grid: True
axes.spines.top: False
axes.spines.right: False
figure.figsize: 8, 4.5
font.size: 11
"""


QUERY_REVIEW_SKILL = """---
name: query-review
description: Review SQL queries for correctness, performance and style before they run against the warehouse. Use when the user writes or pastes a SQL query.
license: MIT
allowed-tools: Read Grep
metadata:
  owner: data-platform
---

# Query review

Check, in this order:

1. **Correctness**: join keys, `NULL` handling in `WHERE`/`JOIN`, `GROUP BY` covering every
   non-aggregated column, `DISTINCT` hiding duplicate joins.
2. **Cost**: filter on partition columns (see `checklist.md`), no `SELECT *` on wide tables,
   `LIMIT` while exploring.
3. **Style**: upper-case keywords, one clause per line, CTEs instead of nested subqueries.

Answer with the findings first, then the rewritten query.
"""

QUERY_CHECKLIST = """# Warehouse checklist

| table | partition column |
|---|---|
| events | event_date |
| orders | order_date |
| sessions | started_at::date |
"""

NOTEBOOK_TIDY_SKILL = """---
name: notebook-tidy
description: Tidy a Jupyter notebook before sharing it - restart-and-run-all, clear noisy outputs, add headings and a short summary cell. Use when the user wants to share or publish a notebook.
license: BSD-3-Clause
---

# Notebook tidy

1. Restart the kernel and run all cells; fix anything that fails.
2. Clear outputs longer than ~50 lines or containing secrets.
3. Add a title cell, one heading per section and a closing summary.
"""


def seed_demo(fake, web: str | None = None) -> None:
    """Three repos with realistic skills and a plugin marketplace:

    - acme/data-skills: skills/csv-helper and skills/plot-style (two skills, one repo)
    - acme/sql-skills: skills/query-review (with allowed-tools and metadata)
    - acme/lab-skills: notebook-tidy/ - the one to break (delete or make fail) in demos/tests
    - acme/plugin-market: a Claude Code plugin marketplace (see marketplaces.py) whose
      plugins live in it and in partner/viz-skills, partner/report-skills and chipco/skills
    """

    fake.add_repo(
        "acme",
        "data-skills",
        {
            "README.md": "# data-skills\n\nAgent Skills for data work.\n",
            "skills/csv-helper/SKILL.md": CSV_SKILL,
            "skills/csv-helper/profile_csv.py": CSV_HELPER,
            "skills/plot-style/SKILL.md": PLOT_SKILL,
            "skills/plot-style/house.mplstyle": PLOT_STYLE,
        },
    )
    fake.add_repo(
        "acme",
        "sql-skills",
        {
            "README.md": "# sql-skills\n\nSkills for writing and reviewing SQL.\n",
            "skills/query-review/SKILL.md": QUERY_REVIEW_SKILL,
            "skills/query-review/checklist.md": QUERY_CHECKLIST,
        },
    )
    fake.add_repo(
        "acme",
        "lab-skills",
        {
            "README.md": "# lab-skills\n\nSkills for working in JupyterLab.\n",
            "notebook-tidy/SKILL.md": NOTEBOOK_TIDY_SKILL,
        },
    )
    seed_marketplace(fake, web)
