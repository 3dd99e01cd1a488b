"""The seed flows of issue 3, end to end in headless Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from ui import api_call, import_skill, open_skills_panel, row, skill_url, toast, toolbar_button

CSV = "skills/csv-helper"


def test_import_with_tracking_then_sync_an_upstream_commit(page, lab, fake):
    panel = open_skills_panel(page)
    expect(panel.get_by_text("No skills yet")).to_be_visible()

    toolbar_button(panel, "Import from GitHub").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_label("GitHub URL").fill(skill_url(fake.url, "acme/data-skills", CSV))
    with page.expect_response(api_call("POST", "skills/import/preview")):
        dialog.get_by_role("button", name="Preview").click()
    expect(dialog.locator('.jp-skills-candidate[data-skill="csv-helper"]')).to_be_visible()
    track = dialog.get_by_role("checkbox", name="Track upstream")
    expect(track).not_to_be_checked()  # off by default
    track.check()
    with page.expect_response(api_call("POST", "skills/import")) as resp:
        dialog.get_by_role("button", name="Import", exact=True).click()
    assert resp.value.status == 201
    expect(dialog).to_have_count(0)

    csv = row(panel, "csv-helper")
    expect(csv.locator(".jp-skills-badge-tracking")).to_have_text("Tracking")
    first = fake.head("acme", "data-skills")
    expect(csv.locator(".jp-skills-badge-tracking")).to_have_attribute("title", re.compile(first[:7]))
    sync = csv.get_by_role("button", name="Sync csv-helper")
    expect(sync).to_be_enabled()
    skill_md = lab.user_skills / "csv-helper" / "SKILL.md"
    assert f"tracking_ref: {first}" in skill_md.read_text()

    old = fake.read("acme", "data-skills", f"{CSV}/SKILL.md").decode()
    sha = fake.commit("acme", "data-skills", {f"{CSV}/SKILL.md": old + "4. Always report the file encoding.\n"},
                      message="csv-helper: report the encoding")
    with page.expect_response(api_call("POST", "skills/user/csv-helper/sync")) as resp:
        sync.click()
    assert resp.value.status == 200
    expect(toast(page, f"csv-helper updated to {sha[:7]}")).to_be_visible()
    text = skill_md.read_text()
    assert "4. Always report the file encoding." in text
    assert f"tracking_ref: {sha}" in text
    expect(csv.locator(".jp-skills-badge-tracking")).to_have_attribute("title", re.compile(sha[:7]))

    # a second click: nothing new upstream
    sync.click()
    expect(toast(page, "csv-helper is already up to date")).to_be_visible()


def test_sync_tracking_skills_reports_a_failing_repo(open_page, state, fake):
    lab = state
    import_skill(lab, "acme/data-skills", CSV)
    import_skill(lab, "acme/sql-skills", "skills/query-review", scope="project")
    import_skill(lab, "acme/lab-skills", "notebook-tidy")
    import_skill(lab, "acme/data-skills", "skills/plot-style", track=False)
    old = fake.read("acme", "data-skills", f"{CSV}/SKILL.md").decode()
    fake.commit("acme", "data-skills", {f"{CSV}/SKILL.md": old + "4. Mind the encoding.\n"})
    fake.delete_repo("acme", "lab-skills")

    page = open_page(lab)
    panel = open_skills_panel(page)
    expect(row(panel, "plot-style").get_by_role("button", name="Sync plot-style")).to_have_count(0)
    with page.expect_response(api_call("POST", "skills/sync-all-tracking")) as resp:
        toolbar_button(panel, "Sync tracking skills").click()
    assert resp.value.status == 200
    summary = toast(page, "Synced 3 tracking skills")
    expect(summary).to_contain_text("1 updated, 1 unchanged, 1 failed")
    summary.get_by_role("button", name="Details").click()
    lines = page.locator(".jp-Dialog .jp-skills-details li")
    expect(lines).to_have_count(3)  # every skill, one per line
    expect(lines.filter(has_text="csv-helper (user): updated")).to_have_count(1)
    expect(lines.filter(has_text=re.compile(r"csv-helper \(user\): updated [0-9a-f]{7} → [0-9a-f]{7}"))).to_have_count(1)
    expect(lines.filter(has_text="query-review (project): unchanged")).to_have_count(1)
    expect(lines.filter(has_text="notebook-tidy (user): failed — ")).to_have_count(1)
    page.locator(".jp-Dialog").get_by_role("button", name="Close").click()
    expect(toast(page, "Syncing 3 tracking skills")).to_have_count(0)  # progress toast gone
    assert "Mind the encoding" in (lab.user_skills / "csv-helper" / "SKILL.md").read_text()
    assert (lab.user_skills / "notebook-tidy" / "SKILL.md").exists()  # kept on failure


def test_toggle_tracking_off_in_the_detail_view(open_page, state, fake):
    lab = state
    import_skill(lab, "acme/data-skills", "skills/plot-style")
    page = open_page(lab)
    panel = open_skills_panel(page)
    plot = row(panel, "plot-style")
    expect(plot.locator(".jp-skills-badge-tracking")).to_be_visible()
    plot.locator(".jp-skills-row-name").click()

    detail = page.locator(".jp-skills-detail-panel")
    toggle = detail.get_by_role("switch", name="Track upstream")
    expect(toggle).to_be_checked()
    expect(detail.locator(".jp-skills-badge-tracking")).to_be_visible()
    with page.expect_response(api_call("PUT", "skills/user/plot-style")) as resp:
        toggle.uncheck()
    assert resp.value.status == 200
    expect(toggle).not_to_be_checked()
    expect(detail.locator(".jp-skills-badge-tracking")).to_have_count(0)
    expect(plot.locator(".jp-skills-badge-tracking")).to_have_count(0)
    expect(plot.get_by_role("button", name="Sync plot-style")).to_have_count(0)
    expect(toolbar_button(panel, "Sync tracking skills")).to_have_count(0)
    text = (lab.user_skills / "plot-style" / "SKILL.md").read_text()
    assert "tracks_upstream" not in text and "tracking_ref" not in text
    assert "source: " in text
