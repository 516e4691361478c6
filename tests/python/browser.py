"""Headless Chromium for the browser tests: Debian's chromium and chromium-driver (installed by .ci/run),
driven by Selenium, with every network request the page makes recorded from Chrome's performance log."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMEDRIVER = Path("/usr/bin/chromedriver")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "chrome-extension:", "devtools:")


def start_chromium(width: int = 1280, height: int = 1000) -> webdriver.Chrome:
    """A headless Chromium that logs network events. Fails (not skips) when Chromium is missing: CI
    installs it, and a browser test that silently does not run proves nothing."""
    if not CHROMEDRIVER.exists() or shutil.which("chromium") is None:
        pytest.fail("no chromium / chromedriver: `apt-get install chromium chromium-driver` (.ci/run does)")
    options = webdriver.ChromeOptions()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        # a request that would leave the machine fails at once instead of waiting on DNS; still logged
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """Every URL the browser requested since the last call (the performance log is drained on read)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def external(urls: list[str], allowed_prefixes: tuple[str, ...] = ()) -> list[str]:
    """The URLs that would leave the machine: not a local scheme and not one of the allowed prefixes."""
    return [url for url in urls if not url.startswith(LOCAL_SCHEMES + allowed_prefixes)]


def poll(condition: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll `condition` every quarter second until it returns something truthy (returned) or `timeout`
    seconds pass (None)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            return None
        time.sleep(0.25)


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, what: str = "the page") -> Any:
    """Poll `condition` until it returns something truthy; fail with `what` after `timeout` seconds."""
    result = poll(condition, timeout)
    if result is None:
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
    return result
