"""The dashboard without a browser: its script runs without a deprecation warning or an
exception (Streamlit's AppTest), and Ctrl-C at a terminal stops it with one "Stopping..." and
exit code 130."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

from flows.app import cli
from flows.app.dashboard import APP
from tests.conftest import ROOT
from tests.flows import warehouse_fixture

pytest.importorskip("streamlit", reason="the dashboard extra is in the dev group")


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dashboard_quiet") / "warehouse"
    warehouse_fixture.build(root)
    return root


class Caught(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_the_script_runs_without_deprecations(wh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(sys, "argv", ["dashboard_app.py", "--warehouse", str(wh)])
    caught = Caught()
    logger = logging.getLogger("streamlit.deprecation_util")
    logger.addHandler(caught)
    try:
        with warnings.catch_warnings(record=True) as python_warnings:
            warnings.simplefilter("always")
            app = AppTest.from_file(str(APP), default_timeout=120).run()
    finally:
        logger.removeHandler(caught)
    assert not app.exception, [e.message for e in app.exception]
    assert len(app.get("vega_lite_chart")) >= 4  # the charts ran (where width= is passed)
    assert caught.messages == []
    assert [str(w.message) for w in python_warnings
            if "streamlit" in w.filename or "dashboard" in w.filename] == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.read() == b"ok"
    except OSError:
        return False


@pytest.mark.slow
def test_ctrl_c_stops_it_once_with_130(wh: Path, tmp_path: Path) -> None:
    """A terminal's Ctrl-C sends SIGINT to the whole foreground process group."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "flows.app.cli", "dashboard", "--warehouse",
                             str(wh), "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not healthy(f"http://127.0.0.1:{port}") and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == cli.INTERRUPTED, out
    assert out.count("Stopping...") == 1, out
    assert "Traceback" not in out
