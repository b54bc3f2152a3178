"""A real headless Chromium (Debian's chromium and chromium-driver) for the
console's browser tests: one way to start it, whatever the window or the
languages a test reads the console in."""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@contextmanager
def chromium(*, window_size: str = "1600,1000", languages: str = "en-US,en") -> Iterator:
    """A fresh profile each time; ``languages`` is what the browser asks for
    (Accept-Language), so a test reads the console as that agent would."""
    # Selenium is a test-only dependency, loaded by the browser tests alone.
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="atende-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--window-size={window_size}",
        f"--lang={languages.split(',')[0]}",
        f"--user-data-dir={profile}",
    ]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": languages})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
