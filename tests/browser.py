"""Browser testing with Playwright on Debian's Chromium (never a downloaded browser).

The `browser` and `page` fixtures live in tests/conftest.py (one session-wide browser);
this module has what the journeys share. Without /usr/bin/chromium browser tests skip,
unless HEARTH_REQUIRE_BROWSER=1 (CI), where they fail. Screenshots are saved under
test-artifacts/screens/.
"""

import os
from pathlib import Path

import pytest

from agency.demo import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[1]
SCREENS = ROOT / "test-artifacts" / "screens"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def launch_browser():
    """Yield Debian's Chromium, launched headless (a generator for a session fixture)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("HEARTH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make from here are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser):
    """Yield a fresh page; fail the test if the page logged a JavaScript error."""
    # bypass_csp lets the accessibility checker (axe-core) be injected into the page.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    yield page
    context.close()
    assert errors == [], errors


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def serious_accessibility_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} elements: "
        f"{', '.join(str(node['target']) for node in v['nodes'][:3])})"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
