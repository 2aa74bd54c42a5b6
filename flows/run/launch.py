"""Launching a run: plan it, record it without Prefect when nothing changed, else start the
Prefect flow (flows/run/flow.py) on a local Prefect server; and serving it on a schedule.
Kept free of heavy imports: a run that finds nothing new is recorded without importing Prefect,
spaCy or Great Expectations (seconds of start-up that a scheduled run over an unchanged folder
should not pay)."""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Protocol

from flows.adapters import faults, release
from flows.run.records import (
    Plan,
    ProgressFn,
    RunSummary,
    Settings,
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


def prepare(settings: Settings) -> None:
    """Import the flow, load the model and import Great Expectations, one after the other on
    this thread, while the Prefect server boots in its own process: seconds of start-up that
    overlap the server's. One thread only: Prefect imported on two threads at once fails
    halfway ("Failed to initialize plugins: cannot import name 'SettingsContext' from
    partially initialized module 'prefect.context'"), since its package imports its own
    submodules in a circle that Python's per-module import locks cannot order."""
    import flows.run.flow  # noqa: F401

    if settings.workers == 1 and settings.runner == "local":
        from flows.adapters.nlp import annotator

        annotator(settings.model)
    import great_expectations  # noqa: F401

    import flows.adapters.validate  # noqa: F401


def run(settings: Settings, progress: ProgressFn | None = None) -> RunSummary:
    """One run under the warehouse lock: nothing to do -> a quick 'unchanged' record;
    otherwise the Prefect flow."""
    if not settings.seeds.is_dir():
        raise FileNotFoundError(f"input folder {settings.seeds} does not exist")
    wh = release.open_warehouse(settings.warehouse)
    with release.run_lock(wh, wait=settings.wait_for_lock):
        release.sweep_staging(wh)
        plan = plan_work(settings.seeds, release.known_files(wh), settings.full_check)
        if not plan.todo and wh.current is not None:
            return unchanged_summary(wh, settings, plan)
        check_models(settings)
        faults.check_space(wh.root, wh.current)
        previous = wh.current
        summary = flow_run(settings, progress, plan)
        if summary.fault:
            raise faults.explained(summary.fault, wh.root, release_now(wh, previous),
                                   summary.staged_bytes)
        return summary


def flow_run(settings: Settings, progress: ProgressFn | None,
             plan: Plan | None = None) -> RunSummary:
    """The Prefect flow, on the configured Prefect API or a local server started for it."""
    from flows.adapters.nlp import skip_final_collection
    from flows.run.prefect_server import prefect_api

    skip_final_collection()
    with prefect_api(meanwhile=lambda: prepare(settings)):
        from flows.run.flow import newsflow_flow

        summary: RunSummary = newsflow_flow(settings, new_run_id(), progress, plan)
    return summary


def check_models(settings: Settings) -> None:
    """Every pipeline the run may need is installed: said before the work, in one line."""
    from flows.adapters.nlp import ENGLISH, LANGUAGE_MODELS_ENV, installed, language_models

    for lang, name in language_models(settings.model).items():
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
    def finished(self, summary: RunSummary) -> None: ...
    def skipped(self, reason: str) -> None: ...
    def failed(self, error: str) -> None: ...
    def note(self, line: str) -> None: ...


def serve(settings: Settings, cron: str, report: ServeReport) -> None:
    """Serve a deployment of the flow from this process on a cron schedule. A failed run is
    recorded and the schedule goes on."""

    from prefect import flow

    @flow(name="newsflow-scheduled", log_prints=True)
    def scheduled() -> str:
        report.started(settings)
        try:
            summary = run(settings)
        except release.WarehouseBusy as exc:
            report.skipped(str(exc))
            return f"skipped: {exc}"
        except faults.MachineFault as exc:  # the user's to fix; the schedule goes on
            report.failed(str(exc))
            return f"failed: {exc}"
        except Exception as exc:
            report.failed(f"{type(exc).__name__}: {exc}")
            raise
        report.finished(summary)
        return summary.status

    from flows.run.prefect_server import prefect_api

    # Prefect cannot schedule on its throw-away server: serve against the user's server, or
    # a local one with its scheduler on, started and stopped with this process.
    with prefect_api(scheduler=True, restarted=report.note), interrupts() as interrupted:
        scheduled.serve(name="newsflow", cron=cron)
    if interrupted:
        raise KeyboardInterrupt  # Prefect's serve returns on Ctrl-C as if asked to stop


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
