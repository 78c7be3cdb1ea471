"""Helpers for the browser tests: Debian's headless Chromium driven by Selenium,
with axe-core for accessibility checks, console logs and full-page screenshots.

Nothing here downloads anything: Chromium and chromedriver are the Debian
packages (`scripts/system-deps`), axe-core comes from node_modules (`npm ci`),
and Selenium Manager is switched off.
"""

from __future__ import annotations

import base64
import os
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOT_WIDTHS = (375, 1280)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # the suite runs as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # /dev/shm is tiny in containers
    "--window-size=1280,900",
]


def output_dir() -> Path:
    """The suite's output folder: $TEST_OUTPUT_DIR, else test-output/ at the root."""
    return Path(os.environ.get("TEST_OUTPUT_DIR") or ROOT / "test-output")


def start_chromium(user_data_dir: Path) -> webdriver.Chrome:
    """Headless Chromium with a fresh profile, logging its console.

    Fails (never skips) when Chromium is missing, naming the fix.
    """
    for needed in (CHROMIUM, CHROMEDRIVER):
        if not needed.exists():
            raise RuntimeError(
                f"{needed} is missing: run scripts/system-deps as root "
                "(apt-get install -y chromium chromium-driver)"
            )
    # Selenium Manager would otherwise fetch a browser or driver it thinks is
    # missing; the explicit Service path plus offline mode rule that out.
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in [*CHROMIUM_ARGS, f"--user-data-dir={user_data_dir}"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Leave dialogs open so a test can see that a page opened one.
    options.unhandled_prompt_behavior = "ignore"
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


def console_errors(driver: webdriver.Chrome) -> list[str]:
    """SEVERE console entries since the last call (reading the log empties it)."""
    return [
        entry["message"] for entry in _read_log(driver) if entry["level"] == "SEVERE"
    ]


# What the pages logged before axe ran, kept for the next console_errors().
_LOGGED_BEFORE_AXE: dict[int, list[dict]] = {}
# axe-core reads each stylesheet through a <style> element of its own (its
# CSSOM preload, for the css-orientation-lock rule), which the site's
# Content-Security-Policy refuses, as it should: that entry is axe's, not the
# page's.
_AXE_STYLE_REFUSED = "Applying inline style violates the following Content Security"


def _read_log(driver: webdriver.Chrome) -> list[dict]:
    return _LOGGED_BEFORE_AXE.pop(id(driver), []) + driver.get_log("browser")


def open_dialog(driver: webdriver.Chrome) -> str | None:
    """The text of an alert, confirm or prompt the page opened, else None.

    The dialog is dismissed so the test can go on.
    """
    try:
        dialog = driver.switch_to.alert
        text = dialog.text
    except NoAlertPresentException:
        return None
    dialog.dismiss()
    return text


@cache
def _axe_source() -> str:
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"{AXE_SCRIPT} is missing: run npm ci (scripts/test does)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(driver: webdriver.Chrome) -> list[dict]:
    """Run axe-core's WCAG 2.1 A and AA rules on the current page. What the
    page logged before is kept for `console_errors`; what axe makes the
    browser log is not."""
    _LOGGED_BEFORE_AXE[id(driver)] = _read_log(driver)
    try:
        return _run_axe(driver)
    finally:
        _LOGGED_BEFORE_AXE[id(driver)] += [
            entry
            for entry in driver.get_log("browser")
            if _AXE_STYLE_REFUSED not in entry["message"]
        ]


def _run_axe(driver: webdriver.Chrome) -> list[dict]:
    driver.execute_script(_axe_source())
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
          .then(results => done(results.violations))
          .catch(error => done({error: String(error)}));
        """,
        AXE_TAGS,
    )
    if isinstance(result, dict):
        raise RuntimeError(f"axe-core failed: {result['error']}")
    return result


def format_violations(violations: list[dict]) -> str:
    """One paragraph per rule: id, impact, help, and each element to fix with
    axe's reason (such as the contrast ratio and colours it measured)."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            # The summary's first line is a header ("Fix any of the following:").
            reasons = (node.get("failureSummary") or "").splitlines()[1:]
            lines.append(f"    {target}: " + "; ".join(r.strip() for r in reasons))
    return "\n".join(lines)


def save_screenshots(driver: webdriver.Chrome, name: str) -> list[Path]:
    """Full-height screenshots at each of SCREENSHOT_WIDTHS CSS pixels wide.

    Files go to <output_dir>/screenshots/<name>-<width>.png.
    """
    folder = output_dir() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for width in SCREENSHOT_WIDTHS:
        path = folder / f"{name}-{width}.png"
        path.write_bytes(_full_page_png(driver, width))
        paths.append(path)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return paths


def _full_page_png(driver: webdriver.Chrome, width: int) -> bytes:
    # Emulating the viewport width lays the page out as a window that wide
    # would; the capture then covers the whole document height.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    height = driver.execute_script(
        "return Math.max(document.documentElement.scrollHeight,"
        " document.body ? document.body.scrollHeight : 0)"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    return base64.b64decode(shot["data"])


TEST_PASSWORD = "a-long-test-password"


def log_in_to_admin(driver: webdriver.Chrome, base_url: str, username: str) -> None:
    """Log `username` (whose password is TEST_PASSWORD) in to the admin, in a
    browser cleared of cookies, and empty the console log for the test."""
    driver.delete_all_cookies()
    driver.get(f"{base_url}/admin/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(TEST_PASSWORD)
    submit = driver.find_element(By.CSS_SELECTOR, "input[type=submit]")
    wait_for_next_page(driver, submit.click)
    assert "/admin/login/" not in driver.current_url
    console_errors(driver)


def wait_for_next_page(driver: webdriver.Chrome, action) -> None:
    """Do `action` (a click that submits or follows a link), then wait until
    the next page has replaced this one and finished loading. A click returns
    before the browser has left the page, so looking for the next page's
    elements straight after it races the navigation."""
    old_page = driver.find_element(By.TAG_NAME, "html")
    action()
    wait = WebDriverWait(driver, 10)
    wait.until(lambda _: _is_gone(old_page))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def _is_gone(element: WebElement) -> bool:
    """Whether `element`'s page has been left. Chromium says so as a stale
    element or, mid-navigation, as a node that "does not belong to the
    document"; both mean gone."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


class Reader:
    """A reader at the browser: opens pages and follows links as a person would,
    noting every console error and dialog met on the way (with the page's path).
    """

    def __init__(self, driver: webdriver.Chrome, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        console_errors(driver)  # forget what earlier tests left in the log

    @property
    def path(self) -> str:
        """The current URL's path and query, as the address bar shows them."""
        parts = urlsplit(self.driver.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def open(self, path: str, *, missing: bool = False) -> None:
        """Go to a path of the site; `missing` when the page answers 404."""
        self.driver.get(self.base_url + path)
        self._note_problems(expected_404=self.base_url + path if missing else None)

    def follow(self, link: WebElement) -> None:
        """Click a link (or press a submit) and wait for the next page."""
        self.leave_page_by(link.click)

    def click(self, element: WebElement) -> None:
        """Click something that should not leave the page."""
        element.click()
        self._note_problems()

    def leave_page_by(self, action) -> None:
        """Do `action`, then wait until a new page has loaded."""
        wait_for_next_page(self.driver, action)
        self._note_problems()

    def find(self, selector: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def find_all(self, selector: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def heading(self) -> str:
        """The text of the page's <h1>."""
        return self.find("h1").text.strip()

    def breadcrumb(self) -> list[tuple[str, str]]:
        """(text, path) of each crumb: the links of the breadcrumb navigation
        and its current page (aria-current), whose path is "" if not a link."""
        crumbs = self.find_all(
            "nav[aria-label=Breadcrumb] a, nav[aria-label=Breadcrumb] [aria-current]"
        )
        return [
            (crumb.text.strip(), urlsplit(crumb.get_attribute("href") or "").path)
            for crumb in crumbs
        ]

    def _note_problems(self, expected_404: str | None = None) -> None:
        # Dismissing a dialog lets a page's next one open: note them all.
        for _ in range(10):
            dialog = open_dialog(self.driver)
            if dialog is None:
                break
            self.dialogs.append(f"{self.path}: {dialog}")
        for message in console_errors(self.driver):
            # Chromium logs a page's own 404 status as an error.
            if expected_404 and message.startswith(f"{expected_404} - "):
                continue
            self.console_errors.append(f"{self.path}: {message}")
