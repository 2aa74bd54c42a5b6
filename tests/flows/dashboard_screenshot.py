"""A full-page screenshot of the dashboard on a warehouse, in headless Debian Chromium, as a
person would see it at a laptop's width:

    uv run --frozen python -m tests.flows.dashboard_screenshot WAREHOUSE docs/dashboard.png

(docs/dashboard.png is this, after `newsflow run --seeds ../shared/corpora/polnear/dev/text`.)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def dashboard(warehouse: Path, log: Path) -> Iterator[str]:
    """`newsflow dashboard` on warehouse, until the block ends; its URL."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flows.app.cli", "dashboard", "--warehouse", str(warehouse),
             "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                with contextlib.suppress(OSError), \
                        urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("dashboard did not start:\n" + log.read_text())
                time.sleep(0.5)
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def settled(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app has run: metrics shown, no spinner, charts drawn."""
    page.get_by_test_id("stMetric").first.wait_for(timeout=120_000)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if page.get_by_test_id("stStatusWidget").count() == 0:
            break
        page.wait_for_timeout(500)
    page.wait_for_timeout(3000)  # vega-lite draws after the data arrive


def screenshot(url: str, out: Path, width: int = 1440) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.goto(url, timeout=60_000)
            settled(page)
            # Streamlit scrolls inside its own container, so the page is made as tall as that
            # container's content for a screenshot of everything.
            height = page.evaluate(
                "document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            page.set_viewport_size({"width": width, "height": min(int(height) + 50, 12_000)})
            page.wait_for_timeout(2000)
            page.screenshot(path=str(out), full_page=True)
        finally:
            browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--width", type=int, default=1440)
    a = ap.parse_args()
    with dashboard(a.warehouse.resolve(), a.out.with_suffix(".log")) as url:
        screenshot(url, a.out.resolve(), a.width)
    a.out.with_suffix(".log").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
