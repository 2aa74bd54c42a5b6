"""A Prefect API for this process: the user's (PREFECT_API_URL), or a local one we start.

Prefect's own temporary server outlives a run that is SIGKILLed (a 230 MB orphan per kill). The
server started here is a child that the kernel stops when newsflow dies (PR_SET_PDEATHSIG), and
the same helper gives `newsflow serve` a server with the scheduler running, so a schedule works
with nothing to set up.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

STARTUP_TIMEOUT_S = 180  # a loaded 2-core machine can take a while to migrate the database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
            raise RuntimeError(f"the local Prefect server exited ({proc.returncode}): {err}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the local Prefect server did not start within {STARTUP_TIMEOUT_S}s")


def _drain_prefect_workers() -> None:
    """Flush Prefect's background log and event senders while the server still listens;
    otherwise they retry against a closed port and print errors at exit (what
    prefect.testing.utilities does before stopping its server)."""
    import inspect

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def drain() -> None:
        with contextlib.suppress(RuntimeError):  # a worker that never started
            result = APILogWorker.instance().drain()
            if inspect.isawaitable(result):
                await result
        drained: Any = EventsWorker.drain_all()
        if inspect.isawaitable(drained):
            await drained

    with contextlib.suppress(Exception):
        run_coro_as_sync(drain())


@contextlib.contextmanager
def prefect_api(scheduler: bool = False) -> Iterator[str]:
    """Use the configured Prefect API, or start a local one for the duration of the block.
    scheduler=True keeps the server's scheduling services on (needed by `serve`)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = PREFECT_API_URL.value()
    if configured:
        yield str(configured)
        return
    import prefect

    port = _free_port()
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT_SERVER_UI_ENABLED": "0"}
    if not scheduler:
        env["PREFECT__SERVER_EPHEMERAL"] = "1"  # Prefect's own flag: no background services
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
         "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=_die_with_parent)  # noqa: PLW1509 - only prctl, async-signal-safe enough
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(url, proc)
        with temporary_settings(updates={PREFECT_API_URL: url}):
            try:
                yield url
            finally:
                _drain_prefect_workers()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
