"""The Skills panel as a file-browser-like list: keyboard model, problems in the row,
multi-select import, and a sync with nothing upstream (contrast: test_contrast.py)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from ui import api_call, import_skill, open_skills_panel, row, toast, toolbar_button

CSV = "skills/csv-helper"

def test_keyboard_model_of_the_list(open_page, state, fake):
    lab = state
    import_skill(lab, "acme/data-skills", CSV)
    import_skill(lab, "acme/data-skills", "skills/plot-style", track=False)
    import_skill(lab, "acme/sql-skills", "skills/query-review", scope="project")
    page = open_page(lab)
    panel = open_skills_panel(page)
    listbox = panel.get_by_role("listbox", name="Skills")
    expect(row(panel, "plot-style")).to_be_visible()
    # Chromium names each option by its name and badges (what a screen reader reads)
    expect(listbox.get_by_role("option", name="csv-helper Tracking", exact=True)).to_have_attribute(
        "data-name", "csv-helper")
    expect(listbox.get_by_role("option", name="plot-style", exact=True)).to_have_attribute("data-name", "plot-style")

    # one Tab stop: from the filter box, Tab lands on the list, the next Tab leaves it
    panel.get_by_role("searchbox", name="Filter skills").focus()
    page.keyboard.press("Tab")
    expect(listbox).to_be_focused()

    def active():
        return page.evaluate(
            "() => { const l = document.querySelector('.jp-skills-sections');"
            " return document.getElementById(l.getAttribute('aria-activedescendant')).dataset.name; }")

    assert active() == "csv-helper"
    page.keyboard.press("ArrowDown")
    assert active() == "plot-style"
    expect(row(panel, "plot-style")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    assert active() == "query-review"  # across the User/Project sections
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(page.locator(".jp-skills-detail-panel h2")).to_have_text("plot-style")
    expect(row(panel, "plot-style")).to_have_class(re.compile(r"\bjp-mod-current\b"))
    expect(row(panel, "plot-style")).to_have_attribute("aria-current", "true")

    listbox.focus()
    page.keyboard.press("F2")
    dialog = page.locator(".jp-Dialog")
    expect(dialog.get_by_text("Rename plot-style")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    listbox.focus()
    page.keyboard.press("Delete")
    expect(dialog.get_by_text("Delete plot-style?")).to_be_visible()
    with page.expect_response(api_call("DELETE", "skills/user/plot-style")) as resp:
        dialog.get_by_role("button", name="Delete").click()
    assert resp.value.status == 204
    expect(row(panel, "plot-style")).to_have_count(0)
    assert not (lab.user_skills / "plot-style").exists()

    page.keyboard.press("Tab")
    expect(listbox).not_to_be_focused()  # Tab leaves the list, not the next row


def test_problems_are_in_the_row_and_invalid_folders_are_listed(open_page, state, fake):
    lab = state
    bad = lab.user_skills / "My Notes"
    bad.mkdir()
    (bad / "SKILL.md").write_text("---\nname: my-notes\ndescription: x\n---\n")
    page = open_page(lab)
    panel = open_skills_panel(page)
    entry = row(panel, "My Notes")
    expect(entry).to_be_visible()
    badge = entry.get_by_role("button", name=re.compile("1 problem"))
    expect(badge).to_be_visible()
    badge.click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog.locator(".jp-skills-problem-list")).to_contain_text("not a valid skill name")
    dialog.get_by_role("button", name="Close").click()
    expect(entry.get_by_role("button", name="Delete My Notes")).to_have_count(0)
    assert (bad / "SKILL.md").exists()


def test_import_several_skills_of_one_source_at_once(page, lab, fake):
    panel = open_skills_panel(page)
    toolbar_button(panel, "Import from GitHub").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_label("GitHub URL").fill(f"{fake.url}/acme/data-skills")
    with page.expect_response(api_call("POST", "skills/import/preview")):
        dialog.get_by_role("button", name="Preview").click()
    expect(dialog.locator(".jp-skills-candidate")).to_have_count(2)
    # options stay in view above the scrolling candidate list
    expect(dialog.get_by_role("checkbox", name="Track upstream")).to_be_in_viewport()
    dialog.get_by_role("checkbox", name=re.compile("Select all")).check()
    dialog.get_by_role("checkbox", name="Track upstream").check()
    with page.expect_response(api_call("POST", "skills/import")) as resp:
        dialog.get_by_role("button", name="Import 2 skills").click()
    assert resp.value.status == 201, resp.value.text()
    body = resp.value.request.post_data_json
    assert sorted(body["paths"]) == ["skills/csv-helper", "skills/plot-style"], body
    assert body["tracks_upstream"] is True
    expect(dialog).to_have_count(0)
    expect(row(panel, "csv-helper").locator(".jp-skills-badge-tracking")).to_be_visible()
    expect(row(panel, "plot-style").locator(".jp-skills-badge-tracking")).to_be_visible()
    for name in ("csv-helper", "plot-style"):
        assert "tracks_upstream: true" in (lab.user_skills / name / "SKILL.md").read_text()


def test_readme_demo_step_1_reimport_replaces_one(page, lab, fake):
    """README demo step 1 word for word: after csv-helper, the whole repository."""
    import_skill(lab, "acme/data-skills", CSV)
    panel = open_skills_panel(page)
    toolbar_button(panel, "Import from GitHub").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_label("GitHub URL").fill("acme/data-skills")
    with page.expect_response(api_call("POST", "skills/import/preview")):
        dialog.get_by_role("button", name="Preview").click()
    installed = dialog.locator(".jp-skills-candidate").filter(has_text="csv-helper").locator(".jp-skills-badge-exists")
    expect(installed).to_have_text("Installed")
    dialog.get_by_role("checkbox", name="Select all (0 of 2 selected)").check()
    expect(dialog.get_by_role("checkbox", name="Select all (2 of 2 selected)")).to_be_checked()
    warning = dialog.locator(".jp-skills-import-exists")
    expect(warning).to_contain_text("A user skill named “csv-helper” already exists.")
    expect(dialog.get_by_role("button", name="Import 2 skills", exact=True)).to_be_disabled()
    warning.get_by_role("checkbox", name="Replace it").check()
    button = dialog.get_by_role("button", name="Import 2 skills (replaces 1)", exact=True)
    expect(button).to_be_enabled()
    with page.expect_response(api_call("POST", "skills/import")) as resp:
        button.click()
    assert resp.value.status == 201, resp.value.text()
    body = resp.value.request.post_data_json
    assert body["overwrite"] is True and "tracks_upstream" not in body, body
    expect(toast(page, "Replaced csv-helper in user skills (tracking upstream)")).to_be_visible()
    expect(toast(page, "Imported plot-style in user skills")).to_be_visible()
    expect(toast(page, "Imported plot-style in user skills (tracking upstream)")).to_have_count(0)
    assert "tracks_upstream: true" in (lab.user_skills / "csv-helper" / "SKILL.md").read_text()
    assert (lab.user_skills / "plot-style" / "SKILL.md").exists()


def test_import_answers_http_with_https_only(page, lab, fake):
    panel = open_skills_panel(page)
    toolbar_button(panel, "Import from GitHub").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_label("GitHub URL").fill("http://github.com/acme/data-skills")
    expect(dialog.get_by_role("alert")).to_contain_text("https only")
    expect(dialog.get_by_role("button", name="Preview")).to_be_disabled()
    # the hints name the configured host, not github.com
    expect(dialog.get_by_label("GitHub URL")).to_have_attribute("placeholder", re.compile(re.escape(fake.url)))


def test_sync_with_local_edits_and_no_upstream_change_keeps_the_edits(open_page, state, fake):
    lab = state
    import_skill(lab, "acme/data-skills", CSV)
    skill_md = lab.user_skills / "csv-helper" / "SKILL.md"
    edited = skill_md.read_text() + "A local note.\n"
    skill_md.write_text(edited)
    page = open_page(lab)
    panel = open_skills_panel(page)
    csv = row(panel, "csv-helper")
    expect(csv.locator(".jp-skills-badge-modified")).to_be_visible()
    with page.expect_response(api_call("POST", "skills/user/csv-helper/sync")) as resp:
        csv.get_by_role("button", name="Sync csv-helper").click()
    assert resp.value.status == 200 and resp.value.json()["updated"] is False
    expect(toast(page, "No upstream change for csv-helper; your local edits are kept.")).to_be_visible()
    expect(page.locator(".jp-Dialog")).to_have_count(0)  # nothing to overwrite: no prompt
    assert skill_md.read_text() == edited
    expect(csv.locator(".jp-skills-badge-modified")).to_be_visible()  # still Modified, still tracking
    expect(csv.locator(".jp-skills-badge-tracking")).to_be_visible()
