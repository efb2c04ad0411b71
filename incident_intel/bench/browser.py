"""Headless Chromium from the system's packages (Debian's `chromium`), driven by playwright,
and the time a dashboard view takes to draw in it. Playwright's own browser download is never
used: the browser is the one `.ci/install_system_deps.sh` installs."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM_ENV = "INCIDENT_INTEL_CHROMIUM"
MISSING_CHROMIUM = (
    "Chromium was not found on PATH (chromium, chromium-browser). Run `make test`, which "
    "installs Debian's `chromium` through .ci/install_system_deps.sh, or set "
    f"{CHROMIUM_ENV} to a Chromium executable."
)
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium_executable() -> str | None:
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        return given
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)


@contextmanager
def headless_chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    if executable is None:
        raise FileNotFoundError(MISSING_CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class ViewLoad:
    """A view opened in a fresh page: how long until its charts were drawn, what the console
    said, and every URL the page asked for."""

    page: Page
    seconds: float
    # The CPU time of the renderer's main thread (Chrome's ThreadTime): what the load costs,
    # apart from waiting for a core on a shared machine.
    main_thread_seconds: float
    # The page's own marks (seconds from navigation): dashboard:view-shown, when the view's
    # text is on screen; dashboard:plotly-ready; dashboard:drawn.
    marks: dict[str, float]
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def remote_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]


def open_view(browser: Browser, url: str, view: str, timeout_ms: int = 60_000) -> ViewLoad:
    """Open `url#view` and wait until the dashboard says the view's charts are drawn."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    devtools = page.context.new_cdp_session(page)
    devtools.send("Performance.enable")
    started = time.perf_counter()
    page.goto(f"{url}#{view}")
    page.wait_for_selector(f"html[data-drawn={view}]", timeout=timeout_ms)
    seconds = time.perf_counter() - started
    metrics = {m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]}
    marks = page.evaluate(
        "Object.fromEntries(performance.getEntriesByType('mark')"
        ".map(m => [m.name, m.startTime / 1000]))"
    )
    return ViewLoad(page, seconds, metrics["ThreadTime"], marks, errors, requests)
