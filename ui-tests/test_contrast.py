"""Contrast of every badge and message box, >= 4.5:1 (WCAG AA) in the light and the dark
theme, measured from computed styles in Chromium: the panel's badges (Update available
included), the detail view's and New skill's boxes, the import dialog's Installed badge and
"already exists" box, and a marketplace preview's per-plugin errors."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from ui import api_call, import_skill, open_skills_panel, row, toolbar_button

from tests.fakegithub.fake import ENDPOINTS
from tests.fakegithub.marketplaces import MARKETPLACE

CSV = "skills/csv-helper"
THEMES = ["JupyterLab Light", "JupyterLab Dark"]

# WCAG relative luminance / contrast of the computed colours, alpha composited over
# the first opaque background up the tree.
CONTRAST_JS = """
(el) => {
  const parse = c => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1
  });
  const background = node => {
    const layers = [];
    for (let n = node; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = {r: 255, g: 255, b: 255, a: 1};
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const bg = background(el);
  const fg = over(parse(getComputedStyle(el).color), bg);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return {ratio: (a + 0.05) / (b + 0.05), text: el.textContent.trim(), fg: getComputedStyle(el).color,
          bg: `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})`};
}
"""

MANAGED_SKILL = """---
name: house-style
description: The house writing style.
managed_source: https://example.com/manifest.yaml
managed_ref: {sha}
---
Write plainly.
"""




def _every_badge_kind(lab, fake):
    """Tracking + Modified + Update available (csv-helper), Upstream gone (notebook-tidy),
    Managed (house-style) and a problem (a folder whose name is not a skill name)."""
    import_skill(lab, "acme/data-skills", CSV)
    import_skill(lab, "acme/lab-skills", "notebook-tidy")
    skill_md = lab.user_skills / "csv-helper" / "SKILL.md"
    skill_md.write_text(skill_md.read_text() + "A local note.\n")
    # upstream moves on and a check says so (Update available), without syncing
    old = fake.read("acme", "data-skills", f"{CSV}/SKILL.md").decode()
    fake.commit("acme", "data-skills", {f"{CSV}/SKILL.md": old + "4. Mind the encoding.\n"})
    status, data = lab.api("POST", "skills/user/csv-helper/check")
    assert status == 200 and data["update_available"] is True, data
    # the folder is gone upstream (a missing repository "was not found, or it is private", not gone)
    fake.commit("acme", "lab-skills", {"notebook-tidy/SKILL.md": None})
    status, _ = lab.api("POST", "skills/user/notebook-tidy/sync")
    assert status == 410
    managed = lab.project_skills / "house-style"
    managed.mkdir(parents=True)
    (managed / "SKILL.md").write_text(MANAGED_SKILL.format(sha="a" * 40))
    bad = lab.user_skills / "My Notes"
    bad.mkdir()
    (bad / "SKILL.md").write_text("---\nname: my-notes\ndescription: x\n---\n")


@contextmanager
def themed(open_page, lab, theme: str):
    """A page in `theme` (the lab's setting is put back to Light afterwards)."""
    lab.set_theme(theme)
    try:
        page = open_page(lab, color_scheme="dark" if "Dark" in theme else "light")
        expect(page.locator("body")).to_have_attribute(
            "data-jp-theme-light", "false" if "Dark" in theme else "true")
        yield page
    finally:
        lab.set_theme("JupyterLab Light")


def assert_contrast(theme: str, measured: dict) -> None:
    low = {kind: m for kind, m in measured.items() if m["ratio"] < 4.5}
    assert not low, (theme, low)


@pytest.mark.parametrize("theme", THEMES)
def test_every_badge_has_4_5_to_1_contrast(open_page, state, fake, theme):
    lab = state
    _every_badge_kind(lab, fake)
    with themed(open_page, lab, theme) as page:
        panel = open_skills_panel(page)
        for cls in ("tracking", "update", "modified", "orphaned", "managed", "problem"):
            expect(panel.locator(f".jp-skills-badge-{cls}").first).to_be_visible()
        expect(row(panel, "csv-helper").locator(".jp-skills-badge-update")).to_have_text("Update available")
        badges = panel.locator(".jp-skills-badge")
        assert badges.count() >= 6
        assert_contrast(theme, {f"badge {i}": badges.nth(i).evaluate(CONTRAST_JS) for i in range(badges.count())})


@pytest.mark.parametrize("theme", THEMES)
def test_warning_and_error_boxes_have_4_5_to_1_contrast(open_page, state, fake, theme):
    """.jp-skills-warning (a problem in the detail view), .jp-skills-hint-error (a bad
    name as you type) and .jp-skills-error (the New skill dialog's refusal)."""
    lab = state
    odd = lab.user_skills / "odd-name"
    odd.mkdir()
    (odd / "SKILL.md").write_text("---\nname: other-name\ndescription: Named otherwise.\n---\n")
    with themed(open_page, lab, theme) as page:
        panel = open_skills_panel(page)
        measured = {}
        row(panel, "odd-name").locator(".jp-skills-row-name").click()
        warning = page.locator(".jp-skills-detail-panel .jp-skills-warning")
        expect(warning).to_contain_text("differs from the folder name")
        measured["warning"] = warning.evaluate(CONTRAST_JS)

        toolbar_button(panel, "New skill").click()
        dialog = page.locator(".jp-Dialog")
        dialog.get_by_label("Skill name").fill("Bad Name")
        hint = dialog.locator(".jp-skills-hint-error")
        expect(hint).to_contain_text("lowercase")
        measured["hint-error"] = hint.evaluate(CONTRAST_JS)
        dialog.get_by_role("button", name="Create").click()
        error = page.locator(".jp-Dialog .jp-skills-error")
        expect(error).to_be_visible()  # asked again, with the reason
        measured["error"] = error.evaluate(CONTRAST_JS)
        assert_contrast(theme, measured)


@pytest.mark.parametrize("theme", THEMES)
def test_import_dialog_badge_and_boxes_have_4_5_to_1_contrast(open_page, state, fake, theme):
    """The Installed badge and the "already exists" box (with its Replace it label) of a
    plain preview; a marketplace plugin's refusal (warning) and failed resolution (error)."""
    lab = state
    import_skill(lab, "acme/data-skills", CSV)
    with themed(open_page, lab, theme) as page:
        panel = open_skills_panel(page)
        toolbar_button(panel, "Import from GitHub").click()
        dialog = page.locator(".jp-Dialog")
        url = dialog.get_by_label("GitHub URL")
        url.fill("acme/data-skills/skills/csv-helper")
        with page.expect_response(api_call("POST", "skills/import/preview")):
            dialog.get_by_role("button", name="Preview").click()
        measured = {}
        installed = dialog.locator(".jp-skills-badge-exists")
        expect(installed).to_have_text("Installed")
        measured["installed"] = installed.evaluate(CONTRAST_JS)
        exists = dialog.locator(".jp-skills-import-exists")
        expect(exists).to_contain_text("A user skill named “csv-helper” already exists.")
        measured["exists box"] = exists.evaluate(CONTRAST_JS)
        measured["exists box: Replace it"] = exists.locator("label").evaluate(CONTRAST_JS)

        url.fill("/".join(MARKETPLACE))
        with page.expect_response(api_call("POST", "skills/import/preview")):
            dialog.get_by_role("button", name="Preview").click()
        refused = dialog.locator('li.jp-skills-plugin[data-plugin="npm-thing"] .jp-skills-plugin-error')
        expect(refused).to_contain_text("not supported")
        measured["plugin refused"] = refused.evaluate(CONTRAST_JS)
        # GitHub fails while an external plugin is resolved: the request's error, in the group
        for endpoint in ENDPOINTS:
            fake.fail(endpoint, 503)
        reports = dialog.locator('li.jp-skills-plugin[data-plugin="reports"]')
        with page.expect_response(api_call("POST", "skills/import/preview")) as resp:
            reports.get_by_role("button", name="reports").click()
        assert resp.value.status == 502, resp.value.text()
        failed = reports.locator(".jp-skills-error.jp-skills-plugin-error")
        expect(failed).to_be_visible()
        measured["plugin failed"] = failed.evaluate(CONTRAST_JS)
        assert_contrast(theme, measured)
