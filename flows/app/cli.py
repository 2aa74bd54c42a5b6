"""newsflow run | serve | sql | eval | describe | runs | dashboard"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import flows  # noqa: F401 - sets quiet Prefect defaults before Prefect is imported


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    import os

    from flows.adapters.sources import jsonl_field_map
    from flows.run.records import Settings

    if args.jsonl_fields:
        jsonl_field_map(args.jsonl_fields)  # fails early, with the reason, on a bad mapping
        os.environ["NEWSFLOW_JSONL_FIELDS"] = args.jsonl_fields  # worker processes inherit it

    return Settings(seeds=Path(args.seeds), warehouse=Path(args.warehouse), model=args.model,
                    workers=args.workers, runner=args.runner, dask_address=args.dask_address,
                    wait_for_lock=args.wait)


class Progress:
    """Documents done of total, words/s and time left: a live line on a terminal, plain log
    lines (at most every few seconds) when output is redirected."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.last = 0.0
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int, words: int) -> None:
        elapsed = max(time.monotonic() - self.t0, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0
        line = (f"{done}/{total} documents, {words / elapsed:,.0f} words/s, "
                f"about {left:,.0f}s left")
        if self.tty:
            print(f"\r{line}\033[K", end="" if done < total else "\n", file=sys.stderr,
                  flush=True)
        elif time.monotonic() - self.last > 5 or done == total:
            self.last = time.monotonic()
            print(f"progress: {line}", file=sys.stderr, flush=True)


def print_summary(s) -> None:  # type: ignore[no-untyped-def]
    print(f"run {s.run_id}: {s.status} in {s.seconds:.1f}s")
    print(f"  documents: {s.docs_read} read, {s.docs_new} new, {s.docs_changed} changed, "
          f"{s.docs_unchanged} unchanged, {s.docs_rejected} rejected")
    if s.rows:
        print("  rows: " + ", ".join(f"{k} {v}" for k, v in s.rows.items()))
    if s.validation:
        print("  validation: " + s.validation.replace("\n", "; "))
    for failure in s.failures:
        print(f"  FAILED {failure}")
    if s.error:
        print(f"  error: {s.error}")
    if s.timings:
        print("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in s.timings.items()))
    print(f"  warehouse: {s.warehouse}/news.duckdb  (parquet: {s.warehouse}/parquet/)")


def cmd_run(args: argparse.Namespace) -> int:
    from flows.adapters.release import WarehouseBusy
    from flows.run.launch import run

    try:
        summary = run(_settings(args), progress=Progress())
    except WarehouseBusy as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 3
    print_summary(summary)
    return 0 if summary.status in ("succeeded", "unchanged") else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.run.launch import serve

    # SIGTERM: Prefect's runner stops polling, cancels a run in progress and returns.
    serve(_settings(args), cron=args.cron)
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from flows.adapters.release import connect_readonly, open_warehouse

    con = connect_readonly(open_warehouse(Path(args.warehouse)))
    try:
        con.sql(args.query).show(max_rows=args.max_rows, max_width=200)
    finally:
        con.close()
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from flows.adapters.release import open_warehouse, read_runs

    for r in read_runs(open_warehouse(Path(args.warehouse)))[-args.last:]:
        print(f"{r['run_id']}  {r['status']:<24} read {r['docs_read']:>6}  new "
              f"{r['docs_new']:>6}  changed {r['docs_changed']:>5}  rejected "
              f"{r['docs_rejected']:>5}  {r.get('finished_at') or ''}")
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    from flows.app.describe import dictionary_markdown

    print(dictionary_markdown(args.table))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from flows.app.evaluation import main as eval_main

    argv = [args.dir, "--examples", str(args.examples)]
    if args.direct_only:
        argv.append("--direct-only")
    if args.identity_warehouse:
        argv += ["--warehouse", args.identity_warehouse]
    return int(eval_main(argv) or 0)


def cmd_dashboard(args: argparse.Namespace) -> int:
    from flows.app.dashboard import launch

    return launch(Path(args.warehouse), port=args.port)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsflow", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def with_warehouse(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--warehouse", default="warehouse", help="warehouse folder")
        return sp

    for name, fn, help_ in (("run", cmd_run, "build or update the warehouse once"),
                            ("serve", cmd_serve, "run on a schedule (Prefect deployment)")):
        sp = with_warehouse(sub.add_parser(name, help=help_))
        sp.add_argument("--seeds", default="seeds", help="input folder")
        sp.add_argument("--model", default=None, help="spaCy model (or NEWSFLOW_MODEL)")
        sp.add_argument("--workers", type=int, default=1, help="parallel extraction workers")
        sp.add_argument("--runner", choices=("local", "dask"), default="local")
        sp.add_argument("--dask-address", default=None, help="tcp://HOST:PORT of a cluster")
        sp.add_argument("--wait", action="store_true", help="wait for a running run's lock")
        sp.add_argument("--jsonl-fields", default=None,
                        help="JSON lines field names, e.g. text=body,title=headline,url=meta.link")
        sp.set_defaults(fn=fn)
        if name == "serve":
            sp.add_argument("--cron", default="0 * * * *", help="cron schedule")
    sp = with_warehouse(sub.add_parser("sql", help="run SQL on the warehouse (read-only)"))
    sp.add_argument("query")
    sp.add_argument("--max-rows", type=int, default=40)
    sp.set_defaults(fn=cmd_sql)
    sp = with_warehouse(sub.add_parser("runs", help="list recent runs"))
    sp.add_argument("--last", type=int, default=20)
    sp.set_defaults(fn=cmd_runs)
    sp = sub.add_parser("describe", help="print the data dictionary")
    sp.add_argument("table", nargs="?")
    sp.set_defaults(fn=cmd_describe)
    sp = sub.add_parser("eval", help="score claims against BRAT attribution annotations")
    sp.add_argument("dir")
    sp.add_argument("--direct-only", action="store_true")
    sp.add_argument("--examples", type=int, default=5)
    sp.add_argument("--warehouse", dest="identity_warehouse", default=None,
                    help="identity figures from this warehouse (a `newsflow run` over DIR/text)")
    sp.set_defaults(fn=cmd_eval)
    sp = with_warehouse(sub.add_parser("dashboard", help="serve the dashboard"))
    sp.add_argument("--port", type=int, default=8501)
    sp.set_defaults(fn=cmd_dashboard)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "model", "x") is None:
        from flows.adapters.nlp import model_name

        args.model = model_name()
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main())
