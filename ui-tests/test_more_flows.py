"""More of issue 3 in headless Chromium: local-edit protection on sync, the whole Import dialog
from the UI (and its errors), editing in the detail view, keyboard focus and the palette."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from ui import api_call, import_skill, open_skills_panel, row, toast, toolbar_button

CSV = "skills/csv-helper"
LOCAL_EDIT = "5. A local note that only exists on this machine.\n"
UPSTREAM_EDIT = "4. Always report the file encoding.\n"


def _modified_tracking_skill(page, lab, fake):
    """csv-helper tracked, edited on disk (the panel shows Modified), one new upstream commit."""
    panel = open_skills_panel(page)
    csv = row(panel, "csv-helper")
    expect(csv.locator(".jp-skills-badge-tracking")).to_be_visible()
    expect(csv.locator(".jp-skills-badge-modified")).to_have_count(0)
    skill_md = lab.user_skills / "csv-helper" / "SKILL.md"
    skill_md.write_text(skill_md.read_text() + LOCAL_EDIT)
    expect(csv.locator(".jp-skills-badge-modified")).to_be_visible()  # the panel polls the list
    old = fake.read("acme", "data-skills", f"{CSV}/SKILL.md").decode()
    sha = fake.commit("acme", "data-skills", {f"{CSV}/SKILL.md": old + UPSTREAM_EDIT},
                      message="csv-helper: report the encoding")
    return panel, csv, skill_md, sha


@pytest.fixture
def tracked_csv(state, fake):
    import_skill(state, "acme/data-skills", CSV)
    return state


def test_sync_over_local_edits_asks_then_overwrites(open_page, tracked_csv, fake):
    lab = tracked_csv
    page = open_page(lab)
    panel, csv, skill_md, sha = _modified_tracking_skill(page, lab, fake)

    with page.expect_response(api_call("POST", "skills/user/csv-helper/sync")) as resp:
        csv.get_by_role("button", name="Sync csv-helper").click()
    assert resp.value.status == 409
    dialog = page.locator(".jp-Dialog")
    expect(dialog.get_by_text("Overwrite local changes?")).to_be_visible()
    expect(dialog.get_by_text("Overwrite your local changes to csv-helper with the upstream version?")).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()  # losing edits takes a deliberate click
    with page.expect_response(api_call("POST", "skills/user/csv-helper/sync")) as resp:
        dialog.get_by_role("button", name="Overwrite").click()
    assert resp.value.status == 200
    assert resp.value.request.post_data_json.get("force") is True
    expect(dialog).to_have_count(0)
    expect(toast(page, f"csv-helper updated to {sha[:7]}")).to_be_visible()
    text = skill_md.read_text()
    assert LOCAL_EDIT not in text
    assert UPSTREAM_EDIT in text
    assert f"tracking_ref: {sha}" in text
    expect(csv.locator(".jp-skills-badge-modified")).to_have_count(0)
    expect(csv.locator(".jp-skills-badge-tracking")).to_have_attribute("title", re.compile(sha[:7]))


def test_sync_over_local_edits_cancelled_changes_nothing(open_page, tracked_csv, fake):
    lab = tracked_csv
    page = open_page(lab)
    panel, csv, skill_md, sha = _modified_tracking_skill(page, lab, fake)
    before = {p.name: p.read_bytes() for p in skill_md.parent.iterdir()}

    with page.expect_response(api_call("POST", "skills/user/csv-helper/sync")) as resp:
        csv.get_by_role("button", name="Sync csv-helper").click()
    assert resp.value.status == 409
    dialog = page.locator(".jp-Dialog")
    expect(dialog.get_by_text("Overwrite local changes?")).to_be_visible()
    requests = []
    page.on("request", lambda r: requests.append(r) if "/sync" in r.url else None)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    # the list refresh after the cancelled sync: wait for it, then nothing was re-sent
    with page.expect_response(api_call("GET", "skills")):
        toolbar_button(panel, "Refresh").click()
    assert requests == []
    assert {p.name: p.read_bytes() for p in skill_md.parent.iterdir()} == before
    assert LOCAL_EDIT in skill_md.read_text() and UPSTREAM_EDIT not in skill_md.read_text()
    expect(csv.locator(".jp-skills-badge-modified")).to_be_visible()
    expect(csv.get_by_role("button", name="Sync csv-helper")).to_be_enabled()
    expect(toast(page, "updated to")).to_have_count(0)


def test_import_dialog_pick_one_of_two_skills_with_tracking(page, lab, fake):
    panel = open_skills_panel(page)
    toolbar_button(panel, "Import from GitHub").click()
    dialog = page.locator(".jp-Dialog")
    url = dialog.get_by_label("GitHub URL")
    expect(url).to_be_focused()
    url.fill(f"{fake.url}/acme/data-skills")
    import_button = dialog.get_by_role("button", name="Import", exact=True)
    with page.expect_response(api_call("POST", "skills/import/preview")) as resp:
        dialog.get_by_role("button", name="Preview").click()
    assert resp.value.status == 200
    candidates = dialog.locator(".jp-skills-candidate")
    expect(candidates).to_have_count(2)
    expect(dialog.locator('.jp-skills-candidate[data-skill="csv-helper"]')).to_be_visible()
    expect(dialog.locator('.jp-skills-candidate[data-skill="plot-style"]')).to_be_visible()
    expect(dialog.get_by_text("2 skills found in acme/data-skills")).to_be_visible()

    pick = dialog.get_by_role("checkbox", name="Import plot-style")
    pick.check()
    expect(pick).to_be_checked()
    expect(dialog.get_by_role("checkbox", name="Import csv-helper")).not_to_be_checked()
    expect(dialog.get_by_role("list", name="Files of plot-style")).to_contain_text("house.mplstyle")
    track = dialog.get_by_role("checkbox", name="Track upstream")
    expect(track).not_to_be_checked()
    track.check()
    expect(import_button).to_be_enabled()
    with page.expect_response(api_call("POST", "skills/import")) as resp:
        import_button.click()
    assert resp.value.status == 201
    body = resp.value.request.post_data_json
    assert body["tracks_upstream"] is True and body["url"].endswith("/tree/main/skills/plot-style"), body
    expect(dialog).to_have_count(0)
    expect(toast(page, "Imported plot-style in user skills (tracking upstream)")).to_be_visible()

    plot = row(panel, "plot-style")
    expect(plot.locator(".jp-skills-badge-tracking")).to_have_text("Tracking")
    expect(plot.get_by_role("button", name="Sync plot-style")).to_be_enabled()
    expect(row(panel, "csv-helper")).to_have_count(0)
    text = (lab.user_skills / "plot-style" / "SKILL.md").read_text()
    assert "tracks_upstream: true" in text
    assert (lab.user_skills / "plot-style" / "house.mplstyle").exists()
    assert not (lab.user_skills / "csv-helper").exists()


def test_import_dialog_errors_stay_in_the_dialog(page, lab, fake):
    panel = open_skills_panel(page)
    toolbar_button(panel, "Import from GitHub").click()
    dialog = page.locator(".jp-Dialog")
    url = dialog.get_by_label("GitHub URL")
    preview = dialog.get_by_role("button", name="Preview")
    calls = []
    page.on("request", lambda r: calls.append(r.url) if "/notebook-skills/skills/import" in r.url else None)

    # malformed: inline message, no request, Preview disabled
    url.fill("https://github.com/just-an-owner")
    expect(url).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_role("alert")).to_contain_text("Not a GitHub skill URL")
    expect(preview).to_be_disabled()
    expect(dialog.get_by_role("button", name="Import", exact=True)).to_be_disabled()
    url.press("Enter")
    expect(dialog).to_be_visible()
    assert calls == []

    # a host the server does not allow
    url.fill("https://gitlab.com/a/b")
    expect(url).not_to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_role("alert")).to_have_count(0)
    with page.expect_response(api_call("POST", "skills/import/preview")) as resp:
        preview.click()
    assert resp.value.status == 400, resp.value.status
    error = dialog.locator(".jp-skills-import-error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("gitlab.com")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".jp-skills-candidate")).to_have_count(0)

    # an unknown repo on the allowed host
    url.fill(f"{fake.url}/acme/no-such-repo")
    expect(error).to_have_count(0)  # editing the URL clears the old error
    with page.expect_response(api_call("POST", "skills/import/preview")) as resp:
        preview.click()
    assert resp.value.status == 404, resp.value.status
    expect(error).to_contain_text("The repository acme/no-such-repo was not found, or it is private")
    expect(dialog).to_be_visible()

    # Cancel still closes it; nothing was imported
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    assert not any(p for p in lab.user_skills.iterdir() if not p.name.startswith("."))


def _wait_active(page, label: str) -> None:
    """document.activeElement is the (shadow-hosting) element with this accessible name."""
    page.wait_for_function(
        "label => document.activeElement && document.activeElement.getAttribute('aria-label') === label", arg=label)


def test_toolbar_buttons_are_reachable_by_keyboard_with_visible_focus(open_page, state, fake):
    """JupyterLab's toolbar is one Tab stop with arrow keys between its buttons."""
    lab = state
    import_skill(lab, "acme/data-skills", CSV)  # so Sync tracking skills is shown
    page = open_page(lab)
    panel = open_skills_panel(page)
    toolbar = panel.get_by_role("toolbar", name="Skills actions")
    expect(toolbar_button(panel, "Sync tracking skills")).to_be_visible()
    # Shift+Tab from the filter box enters the toolbar (one Tab stop) at its first button
    panel.get_by_role("searchbox", name="Filter skills").focus()
    page.keyboard.press("Shift+Tab")
    for i, name in enumerate(("Import from GitHub", "Sync tracking skills", "New skill", "Refresh")):
        if i:
            page.keyboard.press("ArrowRight")
        button = toolbar.locator(f'jp-button[aria-label="{name}"]')  # JupyterLab's toolbar button host
        _wait_active(page, name)
        expect(button).to_have_attribute("title", name)  # the product's name is the tooltip too
        focus = button.evaluate(
            """b => {
                const c = (b.shadowRoot && b.shadowRoot.querySelector('.control')) || b;
                const s = getComputedStyle(c);
                return {visible: c.matches(':focus-visible') || b.matches(':focus-visible'),
                        ring: s.outlineStyle !== 'none' && s.outlineWidth !== '0px' || s.boxShadow !== 'none'};
            }""")
        assert focus["visible"] and focus["ring"], (name, focus)

    # and a focused button works from the keyboard
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    _wait_active(page, "Import from GitHub")
    page.keyboard.press("Enter")
    dialog = page.locator(".jp-Dialog")
    expect(dialog.get_by_label("GitHub URL")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)


def test_palette_lists_the_skills_commands(open_page, state, fake):
    lab = state
    import_skill(lab, "acme/data-skills", CSV)
    page = open_page(lab)
    open_skills_panel(page)
    page.locator("#jp-main-dock-panel").click()
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".jp-ModalCommandPalette .lm-CommandPalette")
    search = palette.locator(".lm-CommandPalette-input")
    expect(search).to_be_focused()
    search.fill("Skills")
    labels = palette.locator(".lm-CommandPalette-item .lm-CommandPalette-itemLabel")
    for label in ("Skills: Import from GitHub…", "Skills: Sync tracking skills", "Skills: Refresh"):
        expect(labels.filter(has_text=re.compile("^" + re.escape(label) + "$"))).to_have_count(1)
    sync_item = palette.locator(".lm-CommandPalette-item").filter(has_text="Skills: Sync tracking skills")
    expect(sync_item).not_to_have_class(re.compile(r"\blm-mod-disabled\b"))

    # running one from the palette opens the dialog (by keyboard: the list re-renders as it filters)
    search.fill("Skills: Import from GitHub")
    expect(palette.locator(".lm-CommandPalette-item.lm-mod-active")).to_contain_text("Skills: Import from GitHub…")
    search.press("Enter")
    dialog = page.locator(".jp-Dialog")
    expect(dialog.get_by_label("GitHub URL")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)


def test_sync_tracking_skills_spins_only_its_own_button(page, lab, fake):
    """The spinner rule is scoped to the Skills toolbar: another toolbar's button with
    the same jp-mod-spinning class does not spin."""
    import_skill(lab, "acme/data-skills", CSV)
    old = fake.read("acme", "data-skills", f"{CSV}/SKILL.md").decode()
    fake.commit("acme", "data-skills", {f"{CSV}/SKILL.md": old + UPSTREAM_EDIT})
    requested, release = fake.hold_archives("acme/data-skills")  # the sync waits in the download
    try:
        panel = open_skills_panel(page)
        # the toolbar button's host element (a jp-button) carries the command's classes
        host = panel.locator('.jp-ToolbarButtonComponent[data-command="notebook-skills:sync-all"]')
        toolbar_button(panel, "Sync tracking skills").click()
        assert requested.wait(30), "the sync never asked for the archive"
        expect(host).to_have_class(re.compile(r"\bjp-mod-spinning\b"))
        assert host.locator("svg").first.evaluate("e => getComputedStyle(e).animationName") == "jp-skills-spin"
        other = page.locator(".jp-FileBrowser .jp-ToolbarButtonComponent").first
        other.evaluate("e => e.classList.add('jp-mod-spinning')")
        assert other.locator("svg").first.evaluate("e => getComputedStyle(e).animationName") == "none"
    finally:
        release.set()
    expect(toast(page, "Synced 1 tracking skill")).to_be_visible()
    expect(host).not_to_have_class(re.compile(r"\bjp-mod-spinning\b"))
