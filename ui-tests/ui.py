"""Page helpers shared by the UI tests."""

from __future__ import annotations

import re

from harness import Lab
from playwright.sync_api import Page, expect

expect.set_options(timeout=15_000)
VIEWPORT = {"width": 1280, "height": 760}


def open_lab(browser, lab: Lab, *, color_scheme: str = "light", on_console=None) -> Page:
    context = browser.new_context(viewport=VIEWPORT, color_scheme=color_scheme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if on_console:
        page.on("console", on_console)
    sep = "&" if "?" in lab.lab_url else "?"
    page.goto(f"{lab.lab_url}{sep}reset")
    # app exposed by --LabApp.expose_app_in_browser; `restored` resolves once the layout is up
    page.wait_for_function("() => window.jupyterapp !== undefined")
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    return page


def open_skills_panel(page: Page):
    panel = page.locator("#notebook-skills-panel")
    if not panel.is_visible():
        page.locator('.jp-SideBar .lm-TabBar-tab[data-id="notebook-skills-panel"]').click()
    expect(panel).to_be_visible()
    expect(panel.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
    return panel


def api_re(path: str) -> re.Pattern:
    """A REST URL of notebook-skills (JupyterLab appends a cache-busting ?<number>)."""
    return re.compile(rf"/notebook-skills/{path}(\?\d*)?$")


def api_call(method: str, path: str):
    """Predicate for page.expect_response: this method on this notebook-skills route."""
    rx = api_re(path)
    return lambda r: r.request.method == method and rx.search(r.url) is not None


def row(panel, name: str, scope: str = "user"):
    return panel.locator(f'li.jp-skills-row[data-scope="{scope}"][data-name="{name}"]')


def toast(page: Page, text: str | re.Pattern):
    return page.locator(".Toastify__toast").filter(has_text=text)


THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}


def skill_url(base: str, repo: str, path: str, ref: str = "main") -> str:
    """Web URL of a skill folder under ``base`` (a GitHub web URL), as a user would paste it."""
    return f"{base}/{repo}/tree/{ref}/{path}"


def import_skill(lab: Lab, repo: str, path: str, *, scope: str = "user", track: bool = True) -> dict:
    """Seed a skill through the REST API (not the UI under test), by the web URL of the
    host the lab is configured with."""
    url = skill_url(lab.github_url, repo, path)
    status, data = lab.api("POST", "skills/import", {"url": url, "scope": scope, "tracks_upstream": track})
    assert status in (200, 201), data
    return data["skill"]


def toolbar_button(panel, name: str):
    """A button of the panel's toolbar by its accessible name (e.g. "Import from GitHub")."""
    return panel.get_by_role("toolbar", name="Skills actions").get_by_role("button", name=name, exact=True)
