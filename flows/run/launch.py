"""Launching a run: plan it, record it without Prefect when nothing changed, else start the
Prefect flow (flows/run/flow.py) on a local Prefect server; and serving it on a schedule.
Kept free of heavy imports: a run that finds nothing new is recorded without importing Prefect,
spaCy or Great Expectations (seconds of start-up that a scheduled run over an unchanged folder
should not pay)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from flows.adapters import release
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


def warm_up(settings: Settings) -> threading.Thread:
    """Import Great Expectations and load the model while the Prefect server boots in its own
    process: seconds of start-up that would otherwise come one after the other."""

    def work() -> None:
        import tempfile

        import flows.run.flow  # noqa: F401
        from flows.adapters.validate import validate_tables
        from transforms import schemas

        # A first validation pays GX's one-off costs (imports, expectation registry, renderers);
        # on empty tables it takes no time otherwise.
        with tempfile.TemporaryDirectory(prefix="newsflow-warm-") as tmp:
            validate_tables({n: s.empty_table() for n, s in schemas.TABLES.items()}, Path(tmp))

        if settings.workers == 1 and settings.runner == "local":
            from flows.adapters.nlp import annotator

            annotator(settings.model)

    thread = threading.Thread(target=work, name="newsflow-warm-up", daemon=True)
    thread.start()
    return thread


def run(settings: Settings, progress: ProgressFn | None = None) -> RunSummary:
    """One run under the warehouse lock: nothing to do -> a quick 'unchanged' record;
    otherwise the Prefect flow."""
    if not settings.seeds.is_dir():
        raise FileNotFoundError(f"input folder {settings.seeds} does not exist")
    wh = release.open_warehouse(settings.warehouse)
    with release.run_lock(wh, wait=settings.wait_for_lock):
        release.sweep_staging(wh)
        plan = plan_work(settings.seeds, release.read_manifest(wh))
        if not plan.todo and wh.current is not None:
            return unchanged_summary(wh, settings, plan)
        from flows.run.prefect_server import prefect_api

        warming = warm_up(settings)
        with prefect_api():
            warming.join()
            from flows.run.flow import newsflow_flow

            summary: RunSummary = newsflow_flow(settings, new_run_id(), progress)
        return summary


def serve(settings: Settings, cron: str) -> None:
    """Serve a deployment of the flow from this process on a cron schedule. A failed run is
    recorded and the schedule goes on."""

    from prefect import flow

    @flow(name="newsflow-scheduled", log_prints=True)
    def scheduled() -> str:
        try:
            return run(settings).status
        except release.WarehouseBusy as exc:
            return f"skipped: {exc}"

    from flows.run.prefect_server import prefect_api

    # Prefect cannot schedule on its throw-away server: serve against the user's server, or
    # a local one with its scheduler on, started and stopped with this process.
    with prefect_api(scheduler=True):
        scheduled.serve(name="newsflow", cron=cron)
