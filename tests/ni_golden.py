"""SKILL.md files exactly as notebook-intelligence 6.2.0 writes them (test data for adoption).

Generated once with notebook-intelligence==6.2.0 installed in its own venv, outside this
repository (`python -m venv /tmp/ni-venv && /tmp/ni-venv/bin/pip install notebook-intelligence==6.2.0`).
A small script ran NI's own `SkillManager.import_from_github(url, "user", tracks_upstream=True)`
and then `SkillManager.sync_tracking_skill("user", name)` on each UPSTREAM SKILL.md below,
with only NI's network calls replaced (`skill_github_import._fetch_tarball` returned a local
tarball of `acme/ni-skills`, `skill_manager.resolve_desired_sha` answered SHA), and recorded the
SKILL.md it left on disk after each step: "imported" (tracking, no `tracking_ref` yet) and
"synced" (with `tracking_ref: SHA`).  No notebook-intelligence code is copied here.

Tests put these files on disk with SOURCE_BASE replaced by the fake GitHub's URL and SHA by
the fake's commit (both stay plain YAML scalars, so the substitution is what NI would write).
"""

SOURCE_BASE = "https://github.com"
SHA = "0123456789abcdef0123456789abcdef01234567"

GOLDEN = {
    'csv-helper': {
        'upstream': '---\nname: csv-helper\ndescription: Reads CSV files.\nlicense: MIT\nallowed-tools: Read Grep\nmetadata:\n  version: "1.0"\n# a comment NI drops\n---\n# CSV helper\n\nUse pandas.\n\n\n',
        'imported': "---\nname: csv-helper\ndescription: Reads CSV files.\nallowed-tools:\n- R\n- e\n- a\n- d\n- ' '\n- G\n- r\n- e\n- p\nsource: https://github.com/acme/ni-skills/tree/main/skills/csv-helper\ntracks_upstream: true\n---\n\n# CSV helper\n\nUse pandas.\n",
        'synced': "---\nname: csv-helper\ndescription: Reads CSV files.\nallowed-tools:\n- R\n- e\n- a\n- d\n- ' '\n- G\n- r\n- e\n- p\nsource: https://github.com/acme/ni-skills/tree/main/skills/csv-helper\ntracks_upstream: true\ntracking_ref: 0123456789abcdef0123456789abcdef01234567\n---\n\n# CSV helper\n\nUse pandas.\n",
    },
    'long-words': {
        'upstream': '---\r\nname: long-words\r\ndescription: "Writes long explanations: it wraps every description that is longer than eighty characters, which PyYAML folds."\r\nallowed-tools:\r\n  - Read\r\n  - Bash(git:*)\r\n---\r\n\r\n  Indented first line.\r\nSecond line.   \r\n',
        'imported': "---\nname: long-words\ndescription: 'Writes long explanations: it wraps every description that is longer\n  than eighty characters, which PyYAML folds.'\nallowed-tools:\n- Read\n- Bash(git:*)\nsource: https://github.com/acme/ni-skills/tree/main/skills/long-words\ntracks_upstream: true\n---\n\n  Indented first line.\nSecond line.\n",
        'synced': "---\nname: long-words\ndescription: 'Writes long explanations: it wraps every description that is longer\n  than eighty characters, which PyYAML folds.'\nallowed-tools:\n- Read\n- Bash(git:*)\nsource: https://github.com/acme/ni-skills/tree/main/skills/long-words\ntracks_upstream: true\ntracking_ref: 0123456789abcdef0123456789abcdef01234567\n---\n\n  Indented first line.\nSecond line.\n",
    },
    'no-body': {
        'upstream': "---\nname: no-body\ndescription: 'Only a description: with a colon'\n---\n",
        'imported': "---\nname: no-body\ndescription: 'Only a description: with a colon'\nsource: https://github.com/acme/ni-skills/tree/main/skills/no-body\ntracks_upstream: true\n---\n\n",
        'synced': "---\nname: no-body\ndescription: 'Only a description: with a colon'\nsource: https://github.com/acme/ni-skills/tree/main/skills/no-body\ntracks_upstream: true\ntracking_ref: 0123456789abcdef0123456789abcdef01234567\n---\n\n",
    },
}
