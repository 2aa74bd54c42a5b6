"""`newsflow dashboard`: serve the Streamlit app (flows/app/dashboard_app.py) on a warehouse.

Needs the ``dashboard`` extra (streamlit). The app only reads the warehouse, read-only. It
listens on 127.0.0.1 unless told otherwise (``--host``), and stops with this process: SIGTERM,
SIGINT or SIGHUP to newsflow stop streamlit too, and streamlit dies with newsflow when newsflow
is killed outright.
"""

from __future__ import annotations

import ctypes
import importlib.util
import signal
import socket
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path
from types import FrameType

APP = Path(str(files("flows.app").joinpath("dashboard_app.py")))
LOCALHOST = "127.0.0.1"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def database_path(warehouse: Path) -> Path:
    """The DuckDB file of a warehouse folder (or the file itself when given one)."""
    return warehouse if warehouse.suffix == ".duckdb" else warehouse / "news.duckdb"


def has_streamlit() -> bool:
    return importlib.util.find_spec("streamlit") is not None


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def command(warehouse: Path, port: int, host: str = LOCALHOST) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.address", host, "--server.port", str(port),
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
            "--", "--warehouse", str(warehouse.resolve())]


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: a SIGKILLed newsflow takes streamlit along


def launch(warehouse: Path, port: int, host: str = LOCALHOST) -> int:
    """Run the dashboard until streamlit exits or newsflow is told to stop; streamlit's exit
    code, 130 after Ctrl-C (SIGINT) and 0 when stopped by SIGTERM or SIGHUP (the exit-code
    table). Streamlit runs in its own session: Ctrl-C at a terminal reaches newsflow only,
    which stops streamlit once (reaching both, streamlit said "Stopping..." twice)."""
    shown = f"[{host}]" if ":" in host else host
    print(f"newsflow dashboard on http://{shown}:{port}  (Ctrl-C to stop)", file=sys.stderr)
    proc = subprocess.Popen(command(warehouse, port, host), start_new_session=True,
                            preexec_fn=_die_with_parent)  # noqa: PLW1509 - only prctl
    stopped: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopped.append(signum)
        proc.terminate()

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    deadline = None
    try:
        while True:
            try:
                code = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if stopped and deadline is None:
                    deadline = time.monotonic() + 15
                if deadline is not None and time.monotonic() > deadline:
                    proc.kill()  # streamlit ignored SIGTERM
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if signal.SIGINT in stopped:
        return 128 + signal.SIGINT
    return 0 if stopped else code
