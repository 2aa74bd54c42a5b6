"""The dashboard in a real browser: `newsflow dashboard` on a fixture warehouse, driven by the
Debian Chromium through Playwright. Picking an entity must narrow what the page shows.

Skipped only when /usr/bin/chromium is absent and NEWSFLOW_REQUIRE_BROWSER is not set (CI sets
it, so there a missing browser fails)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.flows import warehouse_fixture

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("NEWSFLOW_REQUIRE_BROWSER"),
                       reason=f"{CHROMIUM} not installed (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("dashboard")
    warehouse_fixture.build(root / "warehouse")
    port = _free_port()
    log = (root / "streamlit.log").open("wb")
    # Its own session, so that the CLI and the streamlit process it starts stop together.
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.app.cli", "dashboard", "--warehouse", str(root / "warehouse"),
         "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("dashboard did not start:\n" +
                            (root / "streamlit.log").read_text(errors="replace"))
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _metrics(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    out = {}
    for m in page.get_by_test_id("stMetric").all():
        label = m.get_by_test_id("stMetricLabel").inner_text().strip()
        out[label] = m.get_by_test_id("stMetricValue").inner_text().strip()
    return out


def _wait_for_metrics(page, expected: dict[str, str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60
    got = _metrics(page)
    while got != expected and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        got = _metrics(page)
    return got


def _feed_links(page, expected: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """The article links of the claims feed, once they are what is expected (or after 60 s)."""
    deadline = time.monotonic() + 60
    while True:
        links = page.get_by_test_id("stMarkdownContainer").locator("li a").all()
        got = sorted({a.get_attribute("href") or "" for a in links})
        if got == expected or time.monotonic() > deadline:
            return got
        page.wait_for_timeout(500)


def test_entity_filter_narrows_the_page(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(app_url, timeout=60_000)
            page.get_by_test_id("stMetric").first.wait_for(timeout=90_000)
            everything = {"Articles": "5", "Stories": "3", "Quotes": "4", "Claims": "7",
                          "Speakers": "5"}
            assert _wait_for_metrics(page, everything) == everything
            assert page.get_by_test_id("stException").count() == 0
            links = ["file:///seeds/a3.txt", "file:///seeds/a5.txt", "https://planet.example/a1",
                     "https://wire.example/a4"]
            assert _feed_links(page, links) == links
            # every chart is drawn, none replaced by a note: the fixture's articles are dated
            charts = [h for h in ("Who is quoted most, over time", "Articles and stories per day",
                                  "Stance mix of the most cited sources",
                                  "Entities mentioned together", "Most mentioned entities",
                                  "Who speaks about whom")
                      if h in page.get_by_test_id("stMain").inner_text()]
            assert len(charts) == 6, charts
            page.locator("[data-testid='stVegaLiteChart'] canvas, "
                         "[data-testid='stVegaLiteChart'] svg").nth(5).wait_for(timeout=60_000)
            assert page.get_by_test_id("stVegaLiteChart").count() == 6
            assert page.get_by_test_id("stAlert").count() == 0

            # Pick Bob Brown in the entity filter: only a3 mentions him.
            entity = page.get_by_test_id("stSelectbox").filter(has_text="Entity")
            entity.click()
            page.keyboard.type("Bob Brown")
            page.get_by_role("option", name="Bob Brown (PERSON, 1 articles)").click()
            only_a3 = {"Articles": "1", "Stories": "1", "Quotes": "2", "Claims": "3",
                       "Speakers": "3"}
            assert _wait_for_metrics(page, only_a3) == only_a3
            assert _feed_links(page, ["file:///seeds/a3.txt"]) == ["file:///seeds/a3.txt"]
            text = page.get_by_test_id("stMain").inner_text()
            assert "‘analysts’ (unresolved, predict)" in text
            assert "the union broke the deal" in text
            assert "the budget is balanced" not in text
            assert page.get_by_test_id("stException").count() == 0
        finally:
            browser.close()


def undated_warehouse(root: Path) -> Path:
    """The fixture warehouse with every publication date removed (as PolNeAR's texts are)."""
    import pyarrow as pa

    from flows.adapters import release

    tables = warehouse_fixture.tables()
    articles = tables["articles"]
    column = articles.schema.get_field_index("published_date")
    tables["articles"] = articles.set_column(
        column, articles.schema.field(column), pa.nulls(len(articles), pa.date32()))
    release.write_release_tables(root, tables)
    release.build_duckdb(root, release.runs_table([]))
    return root


def test_undated_articles_give_a_note_not_empty_charts(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.flows.dashboard_screenshot import dashboard, settled

    with dashboard(undated_warehouse(tmp_path / "warehouse"), tmp_path / "log") as url, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.goto(url, timeout=60_000)
            settled(page)
            alerts = [a.inner_text() for a in page.get_by_test_id("stAlert").all()]
            assert alerts == ["No article in this selection has a publication date, so there is "
                              "nothing to draw over time."]
            assert page.get_by_test_id("stVegaLiteChart").count() == 4  # the undated ones
            sidebar = page.get_by_test_id("stSidebar").inner_text()
            assert "Published between" not in sidebar and "no dates to pick" in sidebar
            assert page.get_by_test_id("stException").count() == 0
        finally:
            browser.close()
