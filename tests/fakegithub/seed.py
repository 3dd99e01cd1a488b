"""Demo content for the standalone fake (``python -m tests.fakegithub --seed demo``)."""

from __future__ import annotations

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


def seed_demo(fake) -> None:
    """One repo, acme/data-skills, with two skills under skills/."""
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
