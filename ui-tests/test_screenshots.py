"""Screenshots of the panel, the import dialog, the detail view and the file editor, light and dark.

`make screenshots` writes them to docs/images/ (SCREENSHOT_DIR); in `make test` they go to a
temporary directory, so the check that they can be taken runs without touching the tree.
The lab is configured with github_url https://github.com (docs_lab), so the hints and source
links read as users see them rather than with the fake's random port.
"""

from __future__ import annotations


import pytest
from playwright.sync_api import expect
from ui import THEMES, api_call, import_skill, open_skills_panel, row, toolbar_button

@pytest.fixture
def showcase(docs_state, fake):
    """A realistic mix: tracking, plain, project-scope, locally modified, upstream gone."""
    lab = docs_state
    import_skill(lab, "acme/data-skills", "skills/csv-helper")
    import_skill(lab, "acme/data-skills", "skills/plot-style", track=False)
    import_skill(lab, "acme/lab-skills", "notebook-tidy")
    import_skill(lab, "acme/sql-skills", "skills/query-review", scope="project")
    checklist = lab.project_skills / "query-review" / "checklist.md"
    checklist.write_text(checklist.read_text() + "| payments | paid_at::date |\n")  # -> Modified
    fake.commit("acme", "lab-skills", {"notebook-tidy/SKILL.md": None})  # the folder is gone upstream
    status, _ = lab.api("POST", "skills/user/notebook-tidy/sync")  # -> Upstream gone
    assert status == 410
    yield lab
    lab.set_theme(THEMES["light"])


def widen_left_sidebar(page, dx: int) -> None:
    """Drag the splitter between the left sidebar and the main area."""
    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
    before = page.locator("#notebook-skills-panel").evaluate("e => e.offsetWidth")
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=5)
    page.mouse.up()
    page.wait_for_function("w => document.querySelector('#notebook-skills-panel').offsetWidth >= w",
                           arg=before + dx // 2)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots(open_page, showcase, fake, shots_dir, theme):
    lab = showcase
    lab.set_theme(THEMES[theme])
    page = open_page(lab, color_scheme=theme)
    expect(page.locator("body")).to_have_attribute("data-jp-theme-name", THEMES[theme])
    panel = open_skills_panel(page)
    expect(row(panel, "notebook-tidy").locator(".jp-skills-badge-orphaned")).to_be_visible()
    expect(row(panel, "query-review", "project").locator(".jp-skills-badge-modified")).to_be_visible()
    widen_left_sidebar(page, 140)
    page.mouse.move(0, 0)
    page.screenshot(path=shots_dir / f"panel-{theme}.png", clip={"x": 0, "y": 0, "width": 440, "height": 470})

    toolbar_button(panel, "Import from GitHub").click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_label("GitHub URL").fill("acme/data-skills/skills/csv-helper")
    with page.expect_response(api_call("POST", "skills/import/preview")):
        dialog.get_by_role("button", name="Preview").click()
    expect(dialog.locator(".jp-skills-import-exists")).to_be_visible()
    expect(dialog.locator(".jp-skills-hint").first).to_contain_text("Accepted: https://github.com/owner/repo")
    dialog.get_by_role("checkbox", name="Track upstream").check()
    page.mouse.move(0, 0)
    box = dialog.locator(".jp-Dialog-content").bounding_box()
    page.screenshot(path=shots_dir / f"import-dialog-{theme}.png",
                    clip={"x": box["x"] - 24, "y": box["y"] - 24,
                          "width": box["width"] + 48, "height": box["height"] + 48})
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)

    row(panel, "csv-helper").locator(".jp-skills-row-name").click()
    detail = page.locator(".jp-skills-detail-panel")
    expect(detail.get_by_role("switch", name="Track upstream")).to_be_checked()
    expect(detail.get_by_role("list", name="Files")).to_contain_text("SKILL.md")
    page.mouse.move(0, 0)
    page.screenshot(path=shots_dir / f"detail-{theme}.png")

    # the same skill's SKILL.md in JupyterLab's file editor (skills: drive), beside the detail
    detail.get_by_role("button", name="Edit SKILL.md").click()
    expect(page.locator(".jp-FileEditor .cm-content")).to_contain_text("CSV helper")
    page.mouse.move(0, 0)
    page.screenshot(path=shots_dir / f"editor-{theme}.png")
    for kind in ("panel", "import-dialog", "detail", "editor"):
        assert (shots_dir / f"{kind}-{theme}.png").stat().st_size > 10_000
