"""Admin policy off (NOTEBOOK_SKILLS_ALLOW_GITHUB_IMPORT=false): the UI offers no GitHub actions."""

from __future__ import annotations

import pytest
from harness import Lab
from playwright.sync_api import expect
from ui import open_skills_panel, row, toolbar_button

TRACKING_SKILL = """---
name: csv-helper
description: Inspect, clean and summarise CSV files with pandas.
source: {url}/acme/data-skills/tree/main/skills/csv-helper
tracks_upstream: true
tracking_ref: {sha}
---

# CSV helper
"""


@pytest.fixture(scope="module")
def locked_lab(tmp_path_factory, fake_and_ca):
    fake, ca_path = fake_and_ca
    lab = Lab(tmp_path_factory.mktemp("locked-lab"), fake, ca_path, name="locked-lab",
              env={"NOTEBOOK_SKILLS_ALLOW_GITHUB_IMPORT": "false"})
    # a tracking skill installed earlier, before the administrator turned import off
    skill = lab.user_skills / "csv-helper"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text(TRACKING_SKILL.format(url=fake.url, sha=fake.head("acme", "data-skills")))
    lab.start()
    yield lab
    lab.stop()


def test_policy_off_hides_import_and_disables_sync(open_page, locked_lab, fake):
    status, data = locked_lab.api("GET", "skills")
    assert status == 200 and data["policy"]["allow_github_skill_import"] is False, data
    fake.clear_log()
    page = open_page(locked_lab)
    panel = open_skills_panel(page)
    csv = row(panel, "csv-helper")
    expect(csv.locator(".jp-skills-badge-tracking")).to_be_visible()
    expect(toolbar_button(panel, "Import from GitHub")).to_have_count(0)
    sync = csv.get_by_role("button", name="Sync csv-helper")
    expect(sync).to_be_disabled()
    expect(sync).to_have_attribute("title", "GitHub import is disabled by your administrator, so syncing is unavailable")
    sync_all = toolbar_button(panel, "Sync tracking skills")
    if sync_all.count():
        expect(sync_all).to_be_disabled()

    csv.locator(".jp-skills-row-name").click()
    toggle = page.locator(".jp-skills-detail-panel").get_by_role("switch", name="Track upstream")
    expect(toggle).to_be_disabled()
    assert fake.requests == []  # nothing reached GitHub
