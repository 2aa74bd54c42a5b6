"""`newsflow dashboard`: serve the Streamlit app (flows/app/dashboard_app.py) on a warehouse.

Needs the ``dashboard`` extra (streamlit). The app only reads the warehouse, read-only.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.resources import files
from pathlib import Path

APP = Path(str(files("flows.app").joinpath("dashboard_app.py")))


def database_path(warehouse: Path) -> Path:
    """The DuckDB file of a warehouse folder (or the file itself when given one)."""
    return warehouse if warehouse.suffix == ".duckdb" else warehouse / "news.duckdb"


def command(warehouse: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.port", str(port), "--server.headless", "true",
            "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
            "--", "--warehouse", str(warehouse.resolve())]


def launch(warehouse: Path, port: int) -> int:
    """Run the dashboard until interrupted; the exit code of streamlit."""
    if not database_path(warehouse).exists():
        print(f"newsflow: no warehouse at {warehouse}: run `newsflow run` first",
              file=sys.stderr)
        return 2
    try:
        import streamlit  # noqa: F401
    except ImportError:
        print("newsflow: the dashboard needs streamlit: uv sync --extra dashboard",
              file=sys.stderr)
        return 2
    print(f"newsflow dashboard on http://localhost:{port}  (Ctrl-C to stop)", file=sys.stderr)
    proc = subprocess.Popen(command(warehouse, port))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
        return 0
