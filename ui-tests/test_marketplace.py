"""A Claude Code plugin marketplace in the Import from GitHub dialog: plugins as groups,
an external plugin resolved on expand, skills of two plugins imported with Track upstream,
then the curator bumps a sha pin and Sync follows it. Errors are listed per plugin."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from ui import THEMES, api_call, open_skills_panel, row, toast, toolbar_button

from tests.fakegithub.marketplaces import MARKETPLACE, REPORTS, VIZ, bump_pin

MARKET = "/".join(MARKETPLACE)
WEEKLY_MD = "skills/weekly-report/SKILL.md"


def open_market_preview(page, fake):
    panel = open_skills_panel(page)
    toolbar_button(panel, "Import from GitHub").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_label("GitHub URL").fill(f"{fake.url}/{MARKET}")
    with page.expect_response(api_call("POST", "skills/import/preview")) as resp:
        dialog.get_by_role("button", name="Preview").click()
    assert resp.value.status == 200
    expect(dialog.locator(".jp-skills-import-legend")).to_have_text(f"Marketplace {MARKET}: 6 plugins")
    return panel, dialog, resp.value.json()


def group(dialog, name: str):
    return dialog.locator(f'li.jp-skills-plugin[data-plugin="{name}"]')


def test_import_from_two_plugins_then_follow_a_pin_bump(page, lab, fake):
    panel, dialog, market = open_market_preview(page, fake)
    data, reports = group(dialog, "data-tools"), group(dialog, "reports")
    expect(data.locator(".jp-skills-plugin-kind")).to_have_text("local")
    expect(data.locator(".jp-skills-plugin-count")).to_have_text("2 skills")
    expect(reports.locator(".jp-skills-plugin-kind")).to_have_text("url")
    expect(reports.locator(".jp-skills-plugin-count")).to_have_text("skills not loaded yet")
    expect(reports.get_by_role("checkbox", name="Import every skill of reports")).to_be_disabled()

    # a local plugin opens without asking the server
    data.get_by_role("button", name="data-tools").click()
    data.get_by_role("checkbox", name="Import csv-profile").check()
    # an external one is asked for on first open, with a spinner until it answers
    with page.expect_response(lambda r: api_call("POST", "skills/import/preview")(r)
                              and json.loads(r.request.post_data or "{}").get("plugin") == "reports") as resp:
        reports.get_by_role("button", name="reports").click()
    assert resp.value.status == 200
    # the plugin is resolved in the marketplace the first preview showed
    assert json.loads(resp.value.request.post_data)["sha"] == market["source"]["sha"]
    reports_sha = resp.value.json()["plugins"][0]["source"]["sha"]
    expect(reports.get_by_role("status")).to_have_count(0)
    expect(reports).not_to_have_attribute("aria-busy", "true")
    expect(reports.locator(".jp-skills-plugin-count")).to_have_text("2 skills")
    reports.get_by_role("checkbox", name="Import weekly-report").check()
    # one of two checked: the plugin's checkbox is mixed
    assert reports.get_by_role("checkbox", name="Import every skill of reports").evaluate("e => e.indeterminate")

    # the options stay in view; only the list scrolls
    track = dialog.get_by_role("checkbox", name="Track upstream")
    expect(track).to_be_in_viewport()
    track.check()
    with page.expect_response(api_call("POST", "skills/import")) as resp:
        dialog.get_by_role("button", name="Import 2 skills").click()
    assert resp.value.status == 201
    body = json.loads(resp.value.request.post_data)
    assert body["paths"] == ["data-tools:plugins/data-tools/skills/csv-profile", "reports:skills/weekly-report"]
    # exactly the previewed commits: the marketplace's and the external plugin's
    assert body["sha"] == market["source"]["sha"] and body["plugin_shas"] == {"reports": reports_sha}
    expect(dialog).to_have_count(0)

    user = lab.user_skills
    assert "Profile a CSV file." in (user / "csv-profile" / "SKILL.md").read_text()
    assert (user / "csv-profile" / "profile.py").read_text() == "print('profile')\n"
    first = fake.head(*REPORTS)
    weekly_md = (user / "weekly-report" / "SKILL.md").read_text()
    assert "Draft the weekly status report." in weekly_md and f"tracking_ref: {first}" in weekly_md
    record = json.loads((user / ".notebook-skills" / "records" / "weekly-report.json").read_text())
    assert record["via"]["kind"] == "marketplace" and record["via"]["plugin"] == "reports"

    # the sha-only plugin's skill names its marketplace and plugin in the detail view
    weekly = row(panel, "weekly-report")
    expect(weekly.locator(".jp-skills-badge-tracking")).to_be_visible()
    weekly.locator(".jp-skills-row-name").click()
    detail = page.locator("#notebook-skills-detail-user-weekly-report")
    expect(detail.locator("h2")).to_have_text("weekly-report")
    line = detail.locator(".jp-skills-detail-marketplace")
    expect(line).to_have_text(f"from marketplace {MARKET}, plugin reports")
    expect(line.get_by_role("link", name=MARKET)).to_have_attribute(
        "href", f"{fake.url}/{MARKET}/blob/main/.claude-plugin/marketplace.json")
    # a local plugin's skill tracks the marketplace repository itself: no such line
    row(panel, "csv-profile").locator(".jp-skills-row-name").click()
    local = page.locator("#notebook-skills-detail-user-csv-profile")
    expect(local.locator("h2")).to_have_text("csv-profile")
    expect(local.locator(".jp-skills-source-link")).to_contain_text(f"{MARKET}/tree/main/plugins/data-tools")
    expect(local.locator(".jp-skills-detail-marketplace")).to_have_count(0)

    # upstream moves and the curator bumps the pin: Sync moves to it
    old = fake.read(*REPORTS, WEEKLY_MD).decode()
    newer = fake.commit(*REPORTS, {WEEKLY_MD: old + "Add a risks section.\n"}, message="weekly: risks")
    sync = weekly.get_by_role("button", name="Sync weekly-report")
    with page.expect_response(api_call("POST", "skills/user/weekly-report/sync")) as resp:
        sync.click()  # a commit upstream is not the curator's pin
    assert resp.value.json() == {"updated": False, "ref": first}
    expect(toast(page, "weekly-report is already up to date")).to_be_visible()
    assert "Add a risks section." not in (user / "weekly-report" / "SKILL.md").read_text()
    bump_pin(fake, "reports", newer)
    with page.expect_response(api_call("POST", "skills/user/weekly-report/sync")) as resp:
        sync.click()
    assert resp.value.status == 200 and resp.value.json() == {"updated": True, "ref": newer}
    expect(toast(page, f"weekly-report updated to {newer[:7]}")).to_be_visible()
    weekly_md = (user / "weekly-report" / "SKILL.md").read_text()
    assert "Add a risks section." in weekly_md and f"tracking_ref: {newer}" in weekly_md
    expect(weekly.locator(".jp-skills-badge-tracking")).to_have_attribute("title", re.compile(newer[:7]))


def test_errors_are_listed_under_their_plugin(page, lab, fake):
    fake.delete_repo(*VIZ)  # an external plugin whose repository is gone
    _, dialog, _ = open_market_preview(page, fake)

    # refused by the server, never contacted: each under its own name
    npm = group(dialog, "npm-thing")
    expect(npm.locator(".jp-skills-plugin-error")).to_contain_text("not supported")
    expect(npm.locator(".jp-skills-plugin-count")).to_have_text("not importable")
    gitlab = group(dialog, "gitlab-thing")
    expect(gitlab.locator(".jp-skills-plugin-error")).to_contain_text("gitlab.com")
    expect(group(dialog, "broken").locator(".jp-skills-plugin-error")).to_have_count(1)
    # the errors are not repeated under other plugins
    expect(group(dialog, "data-tools").locator(".jp-skills-plugin-error")).to_have_count(0)

    viz = group(dialog, "viz")
    with page.expect_response(api_call("POST", "skills/import/preview")) as resp:
        viz.get_by_role("button", name="viz").click()
    assert resp.value.status == 200
    expect(viz.get_by_role("status")).to_have_count(0)
    expect(viz.locator(".jp-skills-plugin-error")).to_contain_text("plugin 'viz'")
    expect(viz.locator(".jp-skills-plugin-count")).to_have_text("0 skills")
    expect(viz.get_by_role("checkbox", name="Import every skill of viz")).to_be_disabled()

    # the filter narrows by plugin name; errors of a refused plugin are found too
    dialog.get_by_role("searchbox", name="Filter plugins and skills").fill("gitlab")
    expect(dialog.locator("li.jp-skills-plugin[data-plugin]")).to_have_count(1)
    expect(group(dialog, "gitlab-thing")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    assert not [p for p in lab.user_skills.iterdir() if not p.name.startswith(".")]


def test_only_the_list_scrolls_with_many_skills(page, fake):
    """The dialog's layout rule for a plain repository too: options stay in view."""
    fake.add_repo("acme", "many", {f"skills/s{i:02}/SKILL.md": f"---\nname: s{i:02}\ndescription: Skill {i}.\n---\nx\n"
                                   for i in range(30)})
    panel = open_skills_panel(page)
    toolbar_button(panel, "Import from GitHub").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_label("GitHub URL").fill(f"{fake.url}/acme/many")
    with page.expect_response(api_call("POST", "skills/import/preview")):
        dialog.get_by_role("button", name="Preview").click()
    dialog.get_by_role("checkbox", name="Import s29").check()  # scrolls the list to its end
    expect(dialog.get_by_role("checkbox", name="Track upstream")).to_be_in_viewport()
    expect(dialog.get_by_label("GitHub URL")).to_be_in_viewport()
    body = dialog.locator(".jp-Dialog-body")
    assert body.evaluate("e => e.scrollHeight <= e.clientHeight"), "the whole dialog body scrolls"
    assert dialog.locator(".jp-skills-import-list").evaluate("e => e.scrollTop > 0")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_marketplace_dialog_screenshots(open_page, docs_state, fake, shots_dir, theme):
    """In docs_lab (github_url https://github.com): the hints show no random port."""
    lab = docs_state
    lab.set_theme(THEMES[theme])
    try:
        page = open_page(lab, color_scheme=theme)
        expect(page.locator("body")).to_have_attribute("data-jp-theme-name", THEMES[theme])
        panel = open_skills_panel(page)
        toolbar_button(panel, "Import from GitHub").click()
        dialog = page.locator(".jp-Dialog")
        dialog.get_by_label("GitHub URL").fill(MARKET)
        with page.expect_response(api_call("POST", "skills/import/preview")):
            dialog.get_by_role("button", name="Preview").click()
        expect(dialog.locator(".jp-skills-hint").first).to_contain_text("Accepted: https://github.com/owner/repo")
        data = group(dialog, "data-tools")
        data.get_by_role("button", name="data-tools").click()
        data.get_by_role("checkbox", name="Import csv-profile").check()
        reports = group(dialog, "reports")
        with page.expect_response(api_call("POST", "skills/import/preview")):
            reports.get_by_role("button", name="reports").click()
        expect(reports.get_by_role("status")).to_have_count(0)
        reports.get_by_role("checkbox", name="Import weekly-report").check()
        dialog.get_by_role("checkbox", name="Track upstream").check()
        dialog.locator(".jp-skills-import-list").evaluate("e => { e.scrollTop = 0; }")
        page.mouse.move(0, 0)
        box = dialog.locator(".jp-Dialog-content").bounding_box()
        path = shots_dir / f"import-marketplace-{theme}.png"
        page.screenshot(path=path, clip={"x": box["x"] - 24, "y": box["y"] - 24,
                                         "width": box["width"] + 48, "height": box["height"] + 48})
        assert path.stat().st_size > 10_000
    finally:
        lab.set_theme(THEMES["light"])
