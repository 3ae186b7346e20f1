#!/usr/bin/env python3
# Scalpel — opens a report page in Debian's headless Chromium through Selenium (the system chromedriver;
# no browser download), checks it and writes a full-page screenshot. Used by the report tests.
#   check_report.py PAGE.html EXPECTATIONS.json SCREENSHOT.png
# EXPECTATIONS: {"sections": [id…], "plots": [data-plot…], "numbers": [{"selector": css, "text": shown}…]}
# Prints JSON: {"console": [messages of level WARNING or worse], "missing_sections": […], "missing_plots": […],
#               "empty_plots": […], "mismatches": [{selector, expected, found}…], "screenshot": path, "title": …}
# SPDX-License-Identifier: Apache-2.0
import json
import os
import pathlib
import shutil
import sys

os.environ.setdefault("SE_AVOID_STATS", "true")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit("usage: check_report.py PAGE.html EXPECTATIONS.json SCREENSHOT.png")
    page, expectations_path, screenshot = sys.argv[1:]
    expectations = json.loads(pathlib.Path(expectations_path).read_text())
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        sys.exit("chromium and chromedriver must be installed (scripts/services/browser)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1000", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.get(pathlib.Path(page).resolve().as_uri())
        console = [entry["message"] for entry in driver.get_log("browser")
                   if entry.get("level") in ("WARNING", "SEVERE")]
        missing_sections = [s for s in expectations.get("sections", [])
                            if not driver.find_elements(By.CSS_SELECTOR, f'section[id="{s}"]')]
        missing_plots, empty_plots = [], []
        for plot in expectations.get("plots", []):
            figures = driver.find_elements(By.CSS_SELECTOR, f'figure[data-plot="{plot}"] svg, figure[data-plot="{plot}"] img')
            if not figures:
                missing_plots.append(plot)
                continue
            size = figures[0].size
            if figures[0].tag_name == "img":  # an embedded image must have decoded
                drawn = driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", figures[0]) > 0
            else:
                drawn = figures[0].find_elements(By.CSS_SELECTOR, "polyline, circle, rect.cell, rect.bar")
            if size["width"] < 100 or size["height"] < 80 or not drawn:
                empty_plots.append(plot)
        mismatches = []
        for number in expectations.get("numbers", []):
            found = [element.text for element in driver.find_elements(By.CSS_SELECTOR, number["selector"])]
            if not found or any(text != number["text"] for text in found):
                mismatches.append({"selector": number["selector"], "expected": number["text"], "found": found})
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(int(height) + 40, 12000))
        driver.save_screenshot(screenshot)
        print(json.dumps({"console": console, "missing_sections": missing_sections, "missing_plots": missing_plots,
                          "empty_plots": empty_plots, "mismatches": mismatches, "screenshot": screenshot,
                          "title": driver.title}))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
