"""Browser tests: a fake GitHub (in-process thread, so tests can commit to it), a real
`jupyter lab` subprocess wired to it, and Debian's headless /usr/bin/chromium via
Python Playwright. Waits are on HTTP readiness, responses and locators; never sleeps.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

from harness import CHROMIUM, CHROMIUM_ARGS, Lab, start_fake  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from ui import open_lab  # noqa: E402

from tests.fakegithub import seed_demo  # noqa: E402

DOCS_GITHUB_URL = "https://github.com"



@pytest.fixture
def shots_dir(tmp_path):
    """docs/images under `make screenshots` (SCREENSHOT_DIR), else a temporary directory."""
    target = os.environ.get("SCREENSHOT_DIR")
    return Path(target) if target else tmp_path


@pytest.fixture(scope="session")
def fake_and_ca(tmp_path_factory):
    fake, ca_path = start_fake(tmp_path_factory.mktemp("fake-ca"))
    yield fake, ca_path
    fake.stop()


@pytest.fixture(scope="session")
def fake(fake_and_ca):
    return fake_and_ca[0]


@pytest.fixture(scope="session")
def lab(tmp_path_factory, fake_and_ca):
    fake, ca_path = fake_and_ca
    server = Lab(tmp_path_factory.mktemp("lab"), fake, ca_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def docs_lab(tmp_path_factory, fake_and_ca):
    """A lab configured with github_url https://github.com, for the screenshots in docs/: its
    hints and links read as users see them, not with the fake's random port. github.com is
    never contacted (GitHub calls go to github_api_url, the fake)."""
    fake, ca_path = fake_and_ca
    server = Lab(tmp_path_factory.mktemp("docs-lab"), fake, ca_path, name="docs-lab",
                 github_url=DOCS_GITHUB_URL)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install -y chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _clear(lab: Lab) -> None:
    status, data = lab.api("GET", "skills")
    assert status == 200, data
    for s in data["skills"]:
        # folders listed only for an invalid name have no routes: removed below
        if not s.get("managed") and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s["name"]):
            status, _ = lab.api("DELETE", f"skills/{s['scope']}/{s['name']}")
            assert status == 204, (s, status)
    for scope_dir in (lab.user_skills, lab.project_skills):  # anything the API did not own
        for child in scope_dir.iterdir():
            if not child.name.startswith("."):
                shutil.rmtree(child)


@pytest.fixture
def state(lab, fake):
    """Fresh state per test: no skills, demo repos as seeded, no faults."""
    _clear(lab)
    fake.reset()
    seed_demo(fake)
    yield lab
    fake.reset()
    seed_demo(fake)


@pytest.fixture
def docs_state(docs_lab, fake):
    """`state` for docs_lab: the sample marketplace names its repositories on github.com."""
    _clear(docs_lab)
    fake.reset()
    seed_demo(fake, web=DOCS_GITHUB_URL)
    yield docs_lab
    fake.reset()
    seed_demo(fake)


ARTIFACTS = Path(__file__).resolve().parent / "test-results"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def open_page(request, browser):
    """open_page(lab, color_scheme="light") -> a Page on a fresh JupyterLab layout.
    On failure a screenshot and the browser console land in ui-tests/test-results/."""
    pages = []
    console: list[str] = []

    def _open(lab, color_scheme="light"):
        page = open_lab(browser, lab, color_scheme=color_scheme,
                        on_console=lambda m: console.append(f"{m.type}: {m.text}"))
        pages.append(page)
        return page

    yield _open
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.name)
        for i, page in enumerate(pages):
            try:
                page.screenshot(path=ARTIFACTS / f"{stem}-{i}.png")
            except Exception:  # noqa: BLE001 - best effort
                pass
        (ARTIFACTS / f"{stem}-console.txt").write_text("\n".join(console))
    for page in pages:
        page.context.close()


@pytest.fixture
def page(open_page, state):
    return open_page(state)
