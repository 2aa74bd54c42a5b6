"""Nothing leaves the machine, and what stays on it is readable by its owner only."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from flows.adapters import release as storage
from tests.reliability.scenario import Scenario

HOOK = Path(__file__).with_name("sitecustomize_netaudit.py")


def audit_lines(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


@pytest.mark.slow
def test_run_makes_no_connection_but_to_loopback(scenario: Scenario) -> None:
    lines = audit_lines(scenario.net_log)
    remote = [ln for ln in lines if ln.startswith("REMOTE")]
    assert remote == []
    # the hook was live: the run did talk to its temporary Prefect server on 127.0.0.1
    assert any(ln.startswith("loopback socket.connect ('127.0.0.1'") for ln in lines), lines[:5]
    assert scenario.reference.returncode == 0


def test_audit_hook_catches_a_remote_connection(tmp_path: Path) -> None:
    """The control for the test above: the same hook does see and refuse a remote address."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(HOOK, site / "sitecustomize.py")
    log = tmp_path / "net.log"
    code = ("import socket\ns = socket.socket()\ns.settimeout(0.5)\n"
            "try:\n    s.connect(('192.0.2.1', 80))\n"
            "except OSError as e:\n    print(type(e).__name__)\n")
    env = {**os.environ, "PYTHONPATH": str(site), "NEWSFLOW_NET_AUDIT": str(log)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.stdout.strip() == "ConnectionRefusedError", out
    assert [ln.split()[0] for ln in audit_lines(log)] == ["REMOTE"]


def _group_or_other_access(root: Path) -> list[str]:
    loose = []
    for p in [root, *root.rglob("*")]:
        st = p.lstat()
        if stat.S_ISLNK(st.st_mode):
            continue  # a symlink's own mode means nothing; its target is checked
        if st.st_mode & 0o077:
            loose.append(f"{oct(st.st_mode & 0o777)} {p.relative_to(root)}")
    return loose


@pytest.mark.slow
def test_warehouse_files_are_owner_only(scenario: Scenario) -> None:
    # the runs were started with umask 022, as from a usual shell
    for wh in (scenario.wh, scenario.wh_ref):
        assert _group_or_other_access(wh) == []
        assert (wh / "news.duckdb").resolve().stat().st_mode & 0o777 == 0o600
        assert any((wh / "parquet").resolve().rglob("*.parquet"))
        assert (wh / "data_docs").exists()


def test_umask_can_be_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = os.umask(0o022)
    try:
        monkeypatch.setenv("NEWSFLOW_UMASK", "027")
        wh = storage.open_warehouse(tmp_path / "wh")
        (wh.root / "releases" / "f").write_text("x")
        assert (wh.root / "releases" / "f").stat().st_mode & 0o777 == 0o640
        monkeypatch.delenv("NEWSFLOW_UMASK")
        storage.open_warehouse(tmp_path / "wh")
        (wh.root / "g").write_text("x")
        assert (wh.root / "g").stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "wh").stat().st_mode & 0o777 == 0o700
    finally:
        os.umask(old)
