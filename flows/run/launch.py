"""Launching a run: plan it, record it without Prefect when nothing changed, else start the
Prefect flow (flows/run/flow.py) on a local Prefect server; and serving it on a schedule.
Kept free of heavy imports: a run that finds nothing new is recorded without importing Prefect,
spaCy or Great Expectations (seconds of start-up that a scheduled run over an unchanged folder
should not pay)."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from flows.adapters import faults, release
from flows.run.records import (
    Plan,
    ProgressFn,
    RunSummary,
    Settings,
    extraction_processes,
    guided_shards,
    new_run_id,
    plan_work,
    run_record,
)


def unchanged_summary(wh: release.Warehouse, settings: Settings, plan: Plan) -> RunSummary:
    """Record a run that found nothing new, without starting the orchestrator: booting a
    Prefect server costs seconds and a scheduled run over an unchanged folder should not."""
    started = dt.datetime.now(dt.UTC)
    summary = RunSummary(run_id=new_run_id(), status="unchanged", warehouse=str(wh.root),
                         docs_read=plan.files_seen, docs_unchanged=plan.unchanged,
                         rows=release.row_counts(wh.current))
    release.write_run(wh, run_record(summary, started, settings.model, "-"))
    return summary


def prepare(settings: Settings, extracts_here: bool) -> None:
    """Import the flow, load the model (when this process extracts: one shard, or one worker)
    and import Great Expectations, one after the other on this thread, while the Prefect server
    boots in its own process: seconds of start-up that overlap the server's. One thread only:
    Prefect imported on two threads at once fails halfway ("Failed to initialize plugins:
    cannot import name 'SettingsContext' from partially initialized module 'prefect.context'"),
    since its package imports its own submodules in a circle that Python's per-module import
    locks cannot order."""
    import flows.run.flow  # noqa: F401

    if settings.runner == "local" and extracts_here:
        from flows.adapters.nlp import annotator

        annotator(settings.model)
    import great_expectations  # noqa: F401

    import flows.adapters.validate  # noqa: F401


def in_process(settings: Settings, plan: Plan) -> bool:
    """Whether this run extracts in this process (one worker process would be all it needs)."""
    shards = guided_shards(plan.todo, settings.workers, settings.shard_docs)
    return extraction_processes(settings, len(shards)) == 1


def run(settings: Settings, progress: ProgressFn | None = None) -> RunSummary:
    """One run under the warehouse lock: nothing to do -> a quick 'unchanged' record;
    otherwise the Prefect flow."""
    if not settings.seeds.is_dir():
        raise FileNotFoundError(f"input folder {settings.seeds} does not exist")
    wh = release.open_warehouse(settings.warehouse, settings.rebuild)
    with release.run_lock(wh, wait=settings.wait_for_lock):
        release.sweep_staging(wh)
        release.repointed(wh)
        plan = plan_work(settings.seeds, release.known_files(wh), settings.full_check)
        if not plan.todo and wh.current is not None:
            return unchanged_summary(wh, settings, plan)
        check_models(settings)
        faults.check_space(wh.root, wh.current)
        previous = wh.current
        summary = flow_run(settings, plan, progress)
        if summary.fault:
            raise faults.explained(summary.fault, wh.root, release_now(wh, previous),
                                   summary.staged_bytes)
        return summary


def flow_run(settings: Settings, plan: Plan, progress: ProgressFn | None) -> RunSummary:
    """The Prefect flow, on the configured Prefect API or a local server started for it."""
    from flows.adapters.nlp import skip_final_collection
    from flows.run.prefect_server import prefect_api

    skip_final_collection()
    with prefect_api(meanwhile=lambda: prepare(settings, in_process(settings, plan))):
        from flows.run.flow import newsflow_flow

        summary: RunSummary = newsflow_flow(settings, new_run_id(), progress)
    return summary


def check_models(settings: Settings) -> None:
    """Every pipeline the run may need is installed: said before the work, in one line."""
    from flows.adapters.nlp import ENGLISH, LANGUAGE_MODELS_ENV, installed, language_models

    for lang, name in language_models(settings.model, settings.environment.language_models).items():
        if not installed(name):
            setting = "--model or NEWSFLOW_MODEL" if lang == ENGLISH else (
                f"{LANGUAGE_MODELS_ENV} {lang}=")
            raise faults.no_model(name, setting)


def release_now(wh: release.Warehouse, previous: Path | None) -> str:
    """What a reader of the warehouse sees after a run that stopped on a fault."""
    if wh.current != previous:
        return "the new release was published"
    return "the previous release is still current" if previous else "no release was published"


class ServeReport(Protocol):
    """What `serve` says when a scheduled run starts, ends, or is skipped."""

    def started(self, settings: Settings) -> None: ...
    def finished(self, summary: RunSummary, seconds: float) -> None: ...
    def skipped(self, reason: str) -> None: ...
    def failed(self, error: str) -> None: ...
    def note(self, line: str) -> None: ...


def scheduled_outcome(settings: Settings, report: ServeReport) -> str:
    """One scheduled run, said through report: its status, or 'skipped: ...'/'failed: ...'.
    A bug is said in one line too, and raised for its Prefect flow run to fail."""
    report.started(settings)
    t0 = time.monotonic()
    try:
        summary = run(settings)
    except release.WarehouseBusy as exc:
        report.skipped(str(exc))
        return f"skipped: {exc}"
    except faults.MachineFault as exc:  # the user's to fix; the schedule goes on
        report.failed(str(exc))
        return f"failed: {exc}"
    except Exception as exc:
        kept = release.kept_release(settings.warehouse)
        report.failed(f"{type(exc).__name__}: {exc}; the warehouse keeps "
                      + (f"release {kept}" if kept else "no release yet")
                      + "; if every run fails so, stop serve and run `newsflow run --rebuild`")
        raise
    report.finished(summary, time.monotonic() - t0)
    return summary.status


class RunDesk:
    """Where the scheduled runs are done: in serve's own process, which keeps the model, the
    imports, Great Expectations' suites and its Prefect server between runs. Prefect's runner
    starts each scheduled flow run in a fresh process of its own (a spawned interpreter); that
    run only asks here, over a socket only this user can open (AF_UNIX, in a private
    temporary folder, with a secret key), and waits for the answer. One thread per request,
    so that an overlapping run meets the warehouse lock as before."""

    def __init__(self, settings: Settings, api_url: str, report: ServeReport) -> None:
        from multiprocessing.connection import Listener

        self.settings, self.api_url, self.report = settings, api_url, report
        self.key = secrets.token_bytes(32)
        self.listener = Listener(family="AF_UNIX", authkey=self.key)
        self.address = str(self.listener.address)
        self.closing = threading.Event()
        threading.Thread(target=self.serve_requests, name="newsflow-run-desk",
                         daemon=True).start()

    def serve_requests(self) -> None:
        from multiprocessing import AuthenticationError

        while not self.closing.is_set():
            try:
                conn = self.listener.accept()
            except (OSError, EOFError, AuthenticationError):  # closed, or a caller without the key
                continue
            threading.Thread(target=self.answer, args=(conn,), name="newsflow-run",
                             daemon=True).start()

    def answer(self, conn: Any) -> None:
        """Do the run asked for, and send back ("done", status) or ("bug", traceback)."""
        import traceback

        from prefect.settings import PREFECT_API_URL, temporary_settings

        with conn:
            try:
                conn.recv()
            except (OSError, EOFError):  # its flow run was cancelled before it asked
                return
            # a new thread starts from Prefect's default settings: give it serve's API
            with temporary_settings(updates={PREFECT_API_URL: self.api_url}):
                try:
                    reply = ("done", scheduled_outcome(self.settings, self.report))
                except Exception:  # noqa: BLE001 - said already; the flow run fails with it
                    reply = ("bug", traceback.format_exc())
            with contextlib.suppress(OSError):  # the flow run was cancelled meanwhile
                conn.send(reply)

    def close(self) -> None:
        self.closing.set()
        self.listener.close()


def scheduled_flow(address: str, key: bytes) -> Any:
    """The flow Prefect's runner serves: each of its runs asks serve's process (RunDesk at
    address) for the run and returns what it answers."""
    from prefect import flow

    @flow(name="newsflow-scheduled", log_prints=True)
    def scheduled() -> str:
        from multiprocessing.connection import Client

        with Client(address, family="AF_UNIX", authkey=key) as conn:
            conn.send("run")
            kind, answer = conn.recv()
        if kind == "bug":
            raise RuntimeError(f"the scheduled run failed in newsflow serve:\n{answer}")
        return str(answer)

    return scheduled


def serve(settings: Settings, cron: str, report: ServeReport) -> None:
    """Serve a deployment of the flow from this process on a cron schedule. A failed run is
    recorded and the schedule goes on."""
    from flows.run.prefect_server import prefect_api

    # Prefect cannot schedule on its throw-away server: serve against the user's server, or
    # a local one with its scheduler on, started and stopped with this process.
    # The model and Great Expectations load while the server boots, so that even the first
    # scheduled run finds them loaded (its few articles make one shard, extracted here).
    with prefect_api(scheduler=True, restarted=report.note,
                     meanwhile=lambda: prepare(settings, extracts_here=True)) as api_url:
        desk = RunDesk(settings, api_url, report)
        try:
            with interrupts() as interrupted:
                served(scheduled_flow(desk.address, desk.key), cron,
                       lambda: report.note(serving_line(settings, cron)))
        finally:
            desk.close()
    if interrupted:
        raise KeyboardInterrupt  # Prefect's serve returns on Ctrl-C as if asked to stop


def serving_line(settings: Settings, cron: str) -> str:
    return (f"newsflow is being served: a run on cron {cron!r}, {settings.seeds} -> "
            f"{settings.warehouse} (a run now, beside it: newsflow run --seeds {settings.seeds} "
            f"--warehouse {settings.warehouse} --wait; Ctrl-C stops serving)")


def served(scheduled: Any, cron: str, serving: Callable[[], None]) -> None:
    """Prefect's Flow.serve, saying ``serving`` instead of Prefect's banner once the deployment
    is registered. Prefect's suggests `prefect deployment run`, which beside serve starts a
    throw-away server of its own on the same database and fails ("database is locked")."""
    import asyncio

    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    runner = Runner(name="newsflow")
    runner.add_flow(scheduled, name="newsflow", cron=cron)
    serving()
    with contextlib.suppress(KeyboardInterrupt, TerminationSignal):  # asked to stop
        asyncio.run(runner.start())


@contextlib.contextmanager
def interrupts() -> Iterator[list[int]]:
    """Notes a Ctrl-C (SIGINT) while the block runs, and stops the serving as SIGTERM does
    (Prefect's runner stops gracefully on it); a second Ctrl-C interrupts at once."""
    seen: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        on_term = signal.getsignal(signal.SIGTERM)
        first = not seen
        seen.append(signum)
        if first and callable(on_term):
            on_term(signum, frame)
        else:
            signal.default_int_handler(signum, frame)

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, previous)
