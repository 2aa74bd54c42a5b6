"""Fixtures shared by the reliability tests (helpers live in procs.py)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.procs import base_env, free_port, wait_for
from tests.reliability.scenario import Scenario, build

# -- the shared Prefect server ---------------------------------------------------------------

@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local Prefect server (with its scheduler) for the session's runs."""
    import prefect

    home = tmp_path_factory.mktemp("prefect_home")
    port = free_port()
    env = base_env(PREFECT_HOME=str(home), PREFECT_UI_ENABLED="false",
                   PREFECT_SERVER_LOGGING_LEVEL="ERROR")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(prefect.__file__).parent.parent),
         "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=open(home / "server.log", "w"))  # noqa: SIM115 - lives as long as the server
    url = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        if server.poll() is not None:
            raise RuntimeError((home / "server.log").read_text()[-2000:])
        try:
            return httpx.get(f"{url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_for(healthy, 240, 0.5), "the local Prefect server did not start"
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture(scope="session")
def shared_env(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return base_env(PREFECT_API_URL=prefect_api,
                    PREFECT_HOME=str(tmp_path_factory.mktemp("prefect_client")))


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory, shared_env: dict[str, str]) -> Scenario:
    """The shared sequence of real runs described in scenario.py (several minutes of work)."""
    root = tmp_path_factory.mktemp("scenario")
    site = root / "site"
    site.mkdir()
    shutil.copy(Path(__file__).with_name("sitecustomize_netaudit.py"), site / "sitecustomize.py")
    return build(root, shared_env, site)
