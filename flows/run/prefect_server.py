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
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

STARTUP_TIMEOUT_S = 180  # a loaded 2-core machine can take a while to migrate the database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _healthy(host: str, port: int) -> bool:
    """One plain-HTTP health probe. http.client, not httpx: an httpx call builds an SSL context
    each time (~70 ms of CPU), which polling turned into seconds stolen from start-up."""
    import http.client

    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/api/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _wait_healthy(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
            raise RuntimeError(f"the local Prefect server exited ({proc.returncode}): {err}")
        if _healthy("127.0.0.1", port):
            return
        time.sleep(0.1)
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


def _start_server(scheduler: bool,
                  port: int | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """Boot a local server bound to 127.0.0.1 in a child process, without importing Prefect
    here: the ~2 s that import costs in this process overlap the server's own boot. In its
    own session, so that Ctrl-C at a terminal reaches newsflow only, which then stops it
    (a server that died of the same Ctrl-C would look like a crash to `serve`)."""
    import importlib.util

    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise RuntimeError("Prefect is not installed")
    port = port or _free_port()
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT_SERVER_UI_ENABLED": "0"}
    if not scheduler:
        env["PREFECT__SERVER_EPHEMERAL"] = "1"  # Prefect's own flag: no background services
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir",
         os.path.dirname(os.path.dirname(spec.origin)),
         "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=_die_with_parent)  # noqa: PLW1509 - only prctl, async-signal-safe enough
    return proc, port


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class ServerLost(RuntimeError):
    """The local Prefect server stopped and could not be started again."""


RESTARTS = 5  # a server that keeps dying is not a hiccup: stop after this many restarts


class Watchdog:
    """Notices at once when the local server dies (a child's exit, polled twice a second) and
    starts it again on the same port, so that every client's URL stays valid and their own
    retries bridge the gap; `say` gets one line for each restart. When it cannot restart,
    it stops this process as SIGTERM would, and `lost` holds the line to say."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, scheduler: bool,
                 say: Callable[[str], None]) -> None:
        self.proc, self.port, self.scheduler, self.say = proc, port, scheduler, say
        self.stopping = threading.Event()
        self.lost: str | None = None
        self.thread = threading.Thread(target=self.watch, name="newsflow-server-watch",
                                       daemon=True)
        self.thread.start()

    def watch(self) -> None:
        deaths = 0
        while self.died():
            deaths += 1
            if deaths > RESTARTS:
                self.give_up(f"{deaths} times; it was started again {RESTARTS} times")
                return
            if not self.restart():
                return

    def died(self) -> bool:
        """Wait until the server exits (True) or newsflow stops it (False)."""
        while not self.stopping.wait(0.5):
            if self.proc.poll() is not None:
                return True
        return False

    def restart(self) -> bool:
        code = self.proc.returncode
        try:
            proc, _ = _start_server(self.scheduler, self.port)
            _wait_healthy(self.port, proc)
        except RuntimeError as exc:
            last = [line for line in str(exc).splitlines() if line.strip()][-1:]
            self.give_up(f"exit code {code}, and starting it again failed: {' '.join(last)}")
            return False
        self.proc = proc
        if self.stopping.is_set():  # newsflow stopped meanwhile: so does the new server
            _stop(proc)
            return False
        self.say(f"the local Prefect server stopped (exit code {code}); started it again on "
                 f"127.0.0.1:{self.port}")
        return True

    def give_up(self, why: str) -> None:
        self.lost = f"the local Prefect server stopped ({why}); stopping"
        os.kill(os.getpid(), signal.SIGTERM)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        _stop(self.proc)


def api_named() -> bool:
    """Whether this process already has a Prefect API: from the environment, or from settings
    that Prefect, once imported, holds (inside `serve`, its own server's). Prefect is never
    imported to tell: that import is what the speculative server's boot overlaps."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    settings = sys.modules.get("prefect.settings")
    return settings is not None and bool(settings.PREFECT_API_URL.value())


@contextlib.contextmanager
def prefect_api(scheduler: bool = False, meanwhile: Callable[[], None] | None = None,
                restarted: Callable[[str], None] | None = None) -> Iterator[str]:
    """Use the configured Prefect API, or start a local one for the duration of the block.
    scheduler=True keeps the server's scheduling services on (needed by `serve`); with
    `restarted`, a local server that dies is started again (see Watchdog), and the block
    ends in ServerLost when it cannot be.

    The server is started before Prefect's settings are read (reading them imports Prefect,
    seconds on a small machine) unless the environment names an API; if a profile or
    prefect.toml names one, the speculative server is stopped unused. `meanwhile` (imports,
    loading a model) runs on this thread while the server boots."""
    proc = None if api_named() else _start_server(scheduler)
    watchdog: Watchdog | None = None
    try:
        if meanwhile:
            meanwhile()
        from prefect.settings import PREFECT_API_URL, temporary_settings

        configured = PREFECT_API_URL.value()
        if configured:
            if proc:
                _stop(proc[0])
                proc = None
            yield str(configured)
            return
        if proc is None:  # the variable was set but empty
            proc = _start_server(scheduler)
        url = f"http://127.0.0.1:{proc[1]}/api"
        _wait_healthy(proc[1], proc[0])
        if restarted:
            watchdog = Watchdog(proc[0], proc[1], scheduler, restarted)
        with temporary_settings(updates={PREFECT_API_URL: url}):
            try:
                yield url
            finally:
                _drain_prefect_workers()
    finally:
        if watchdog:
            watchdog.stop()
            if watchdog.lost:  # also over the SystemExit of Prefect's SIGTERM handler
                raise ServerLost(watchdog.lost)
        elif proc:
            _stop(proc[0])
