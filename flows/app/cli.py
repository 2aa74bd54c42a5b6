"""newsflow run | serve | sql | runs | describe | eval | eval-web | eval-wcxb | dashboard"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import flows  # noqa: F401 - sets quiet Prefect defaults before Prefect is imported
from flows.adapters.environment import BadEnvironment
from flows.adapters.faults import DISK_FULL as DISK_FULL_KIND
from flows.adapters.faults import NO_MODEL as NO_MODEL_KIND
from flows.adapters.faults import NOT_WRITABLE as NOT_WRITABLE_KIND
from flows.adapters.faults import MachineFault


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The run's settings: its options and the environment, each checked here, so that a bad
    value stops the run before it starts, in one line that names it."""
    from flows.adapters.environment import Environment, variable
    from flows.adapters.nlp import LANGUAGE_MODELS_ENV, language_models
    from flows.adapters.sources import jsonl_field_map
    from flows.run.records import Settings

    environment = Environment.read()  # BadEnvironment: one line (main)
    try:
        language_models(args.model, environment.language_models)
    except ValueError as exc:
        raise UserError(f"{LANGUAGE_MODELS_ENV}: {exc}", USAGE) from exc
    if args.jsonl_fields:  # the option beats the variable
        environment = environment.model_copy(update={"jsonl_fields": args.jsonl_fields})
    try:
        jsonl_field_map(environment.jsonl_fields)
    except ValueError as exc:
        given = "--jsonl-fields" if args.jsonl_fields else variable("jsonl_fields")
        raise UserError(f"{given}: {exc}", USAGE) from exc
    return Settings(seeds=Path(args.seeds), warehouse=Path(args.warehouse), model=args.model,
                    workers=args.workers, runner=args.runner, dask_address=args.dask_address,
                    wait_for_lock=args.wait, full_check=args.full_check,
                    rebuild=args.rebuild, environment=environment)


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


REJECTS_SHOWN = 10


def rejects_query(run_id: str) -> str:
    return ("SELECT source_uri, reason, detail FROM rejects "
            f"WHERE run_id = '{run_id}' ORDER BY source_uri")


def rejected_documents(warehouse: Path, run_id: str) -> list[tuple[str, str, str]]:
    """The rejects this run published (a run that published nothing has none to show)."""
    import duckdb

    from flows.adapters.release import Warehouse, connect_readonly

    try:
        con = connect_readonly(Warehouse(warehouse))
    except FileNotFoundError:
        return []
    try:
        return [tuple(r) for r in con.execute(rejects_query(run_id)).fetchall()]
    except duckdb.CatalogException:  # a warehouse from before the rejects table
        return []
    finally:
        con.close()


STARTED = time.monotonic()  # the command's clock: a run's whole time includes its start-up


def status_line(s, whole: float | None = None) -> str:  # type: ignore[no-untyped-def]
    """The run's outcome and how long it took: the whole command when known (start-up, that is
    imports, the Prefect server and the model, said apart), else the flow alone."""
    if whole is None or whole < s.seconds:
        return f"run {s.run_id}: {s.status} in {s.seconds:.1f}s"
    return (f"run {s.run_id}: {s.status} in {whole:.1f}s ({whole - s.seconds:.1f}s of it "
            "start-up: imports, Prefect server, model)")


def summary_lines(s, rejects: Sequence[tuple[str, str, str]] = (),  # type: ignore[no-untyped-def]
                  warehouse_flag: str = "", whole: float | None = None) -> list[str]:
    # "this run" and "warehouse": an unchanged run rejects nothing, while the warehouse still
    # holds the rejects of earlier runs, and both counts are shown.
    lines = [status_line(s, whole),
             f"  this run: {s.docs_read} documents read, {s.docs_new} new, {s.docs_changed} "
             f"changed, {s.docs_unchanged} unchanged, {s.docs_rejected} rejected"]
    for uri, reason, detail in rejects[:REJECTS_SHOWN]:
        lines.append(f"    rejected {uri}: {reason}: {detail}")
    if rejects:
        more = (f"and {len(rejects) - REJECTS_SHOWN} more; " if len(rejects) > REJECTS_SHOWN
                else "")
        lines.append(f"    {more}all {len(rejects)}: newsflow sql{warehouse_flag} "
                     f"\"{rejects_query(s.run_id)}\"")
    if s.rows:
        # the stored (Parquet) rows, counted from the release's record: counting the views
        # would read the whole warehouse, and only entities differ (the view merges an
        # article's rows that turn out to be one corpus entity)
        lines.append("  warehouse rows: " + ", ".join(f"{k} {v}" for k, v in s.rows.items())
                     + (" (as stored; the entities view merges an article's rows that are one "
                        "entity)" if s.rows.get("entities") else ""))
    if s.validation:
        lines.append("  validation: " + s.validation.replace("\n", "; "))
    lines += [f"  FAILED {failure}" for failure in s.failures]
    if s.error:
        lines.append(f"  error: {s.error}")
    if s.rows:
        from flows.adapters.nlp import language_models

        models = ", ".join(f"{lang} {name}" for lang, name in sorted(language_models().items()))
        lines.append("  languages: articles and captions every language; entities where a spaCy "
                     f"pipeline is set ({models}); quotes and claims English only")
    if s.timings:
        lines.append("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in s.timings.items()))
    lines.append(f"  warehouse: {s.warehouse}/news.duckdb  (parquet: {s.warehouse}/parquet/)")
    return lines


def warehouse_flag(warehouse: str) -> str:
    """The --warehouse option to repeat in a suggested command ("" for the default)."""
    return "" if warehouse == "warehouse" else f" --warehouse {shlex.quote(warehouse)}"


def run_summary_lines(summary, warehouse: str,  # type: ignore[no-untyped-def]
                      whole: float | None = None) -> list[str]:
    rejects = rejected_documents(Path(warehouse), summary.run_id) if summary.docs_rejected else []
    return summary_lines(summary, rejects, warehouse_flag(warehouse), whole)


def input_folders(args: argparse.Namespace) -> None:
    if not Path(args.seeds).is_dir():
        raise UserError(f"no input folder {args.seeds}", NOT_FOUND)
    wh = Path(args.warehouse)
    if wh.exists() and not wh.is_dir():
        raise UserError(f"--warehouse {args.warehouse} is a file, not a folder", NOT_FOUND)


def cmd_run(args: argparse.Namespace) -> int:
    from flows.adapters.release import WarehouseBusy
    from flows.run.launch import run

    input_folders(args)
    try:
        summary = run(_settings(args), progress=Progress())
    except WarehouseBusy as exc:
        raise UserError(str(exc), BUSY) from exc
    print("\n".join(run_summary_lines(summary, args.warehouse, time.monotonic() - STARTED)))
    return OK if summary.status in ("succeeded", "unchanged") else RUN_REJECTED


SERVE_LOG_BYTES, SERVE_LOG_BACKUPS = 5 << 20, 4  # serve runs for months: at most 25 MB of log


def serve_logger(warehouse: str) -> logging.Logger:
    """<warehouse>/logs/serve.log, rotated (serve.log.1 ... .4) so that it never grows without
    limit; its own logger, so that Prefect's handlers never see these lines."""
    import logging.handlers

    log = Path(warehouse) / "logs" / "serve.log"
    log.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    logger = logging.getLogger(f"newsflow.serve.{log.resolve()}")
    if not logger.handlers:
        handler = logging.handlers.RotatingFileHandler(
            log, maxBytes=SERVE_LOG_BYTES, backupCount=SERVE_LOG_BACKUPS, encoding="utf-8")
        formatter = logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


class ServeLog:
    """What `serve` says about each scheduled run: to stdout and to <warehouse>/logs/serve.log.
    Written straight to the stream: Prefect's log_prints would route print() to its logger."""

    def __init__(self, warehouse: str) -> None:
        self.warehouse = warehouse
        self.log = serve_logger(warehouse)

    def __call__(self, lines: Sequence[str]) -> None:
        import datetime as dt

        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        sys.stdout.write("".join(f"{stamp} {line}\n" for line in lines))
        sys.stdout.flush()
        for line in lines:
            self.log.info(line)

    def started(self, settings) -> None:  # type: ignore[no-untyped-def]
        self([f"scheduled run starting: {settings.seeds} -> {settings.warehouse}"])

    def finished(self, summary, seconds: float) -> None:  # type: ignore[no-untyped-def]
        extract = summary.timings.get("extract", 0.0)
        self([*run_summary_lines(summary, self.warehouse),
              f"  scheduled run: {seconds:.1f}s in serve, {extract:.1f}s of it extraction"])

    def skipped(self, reason: str) -> None:
        self([f"scheduled run skipped: {reason}"])

    def failed(self, error: str) -> None:
        self([f"scheduled run failed: {error} (`newsflow runs` shows its record)"])

    def note(self, line: str) -> None:
        self([line])


def cmd_serve(args: argparse.Namespace) -> int:
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    from flows.run.launch import serve

    input_folders(args)
    try:
        CronSchedule(cron=args.cron)
    except ValidationError as exc:
        raise UserError(f"--cron {args.cron!r} is not a cron schedule (e.g. '0 * * * *')",
                        USAGE) from exc
    from flows.run.prefect_server import ServerLost

    # SIGTERM: Prefect's runner stops polling, cancels a run in progress and returns.
    try:
        serve(_settings(args), cron=args.cron, report=ServeLog(args.warehouse))
    except ServerLost as exc:
        raise UserError(str(exc), SERVER_LOST) from exc
    return OK


def existing_warehouse(folder: str):  # type: ignore[no-untyped-def]
    """The warehouse at folder, without creating one (reading never makes folders)."""
    from flows.adapters.release import Warehouse

    wh = Warehouse(Path(folder))
    if not wh.duckdb_path.exists():
        raise UserError(f"no warehouse at {folder}: run `newsflow run` first "
                        "(or pass --warehouse DIR)", NOT_FOUND)
    return wh


def query_problem(exc: Exception) -> UserError:
    """One line for what DuckDB says about a user's query; its first line names the problem
    (the rest is a caret under the query)."""
    import duckdb

    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, duckdb.InvalidInputException) and "read-only" in first:
        return UserError("the warehouse is read-only here: `newsflow sql` runs queries, not "
                         f"writes ({first})", BAD_QUERY)
    code = NOT_FOUND if isinstance(exc, duckdb.CatalogException) else BAD_QUERY
    return UserError(first, code)


def person_float(value: float) -> float:
    """A FLOAT (float32) value as the shortest decimal that reads back as the same float32:
    0.54, where its exact double is 0.5400000214576721."""
    import numpy as np

    return float(str(np.float32(value)))


def readable_rows(rel, rows: Sequence[tuple]) -> Sequence[tuple]:  # type: ignore[no-untyped-def]
    """Rows with their float32 columns as a person writes them (CSV and JSON only have
    doubles, and print a float32's binary noise)."""
    floats = [i for i, t in enumerate(rel.types) if str(t) == "FLOAT"]
    if not floats:
        return rows
    out = []
    for row in rows:
        cells = list(row)
        for i in floats:
            if cells[i] is not None and cells[i] == cells[i]:  # not NULL, not NaN
                cells[i] = person_float(cells[i])
        out.append(tuple(cells))
    return out


def write_rows(rel, fmt: str, max_rows: int) -> None:  # type: ignore[no-untyped-def]
    """A query's rows on stdout: a table for people; CSV, one JSON array, or JSON lines for
    other tools."""
    if fmt == "table":
        rel.show(max_rows=max_rows, max_width=200)
        return
    import csv
    import json

    columns = rel.columns
    writer = csv.writer(sys.stdout, lineterminator="\n") if fmt == "csv" else None
    if writer:
        writer.writerow(columns)
    first = True
    if fmt == "json":
        sys.stdout.write("[")
    while rows := rel.fetchmany(10_000):
        for row in readable_rows(rel, rows):
            if writer:
                writer.writerow(row)
                continue
            text = json.dumps(dict(zip(columns, row, strict=True)), default=str,
                              ensure_ascii=False)
            if fmt == "jsonl":
                sys.stdout.write(text + "\n")
            else:
                sys.stdout.write(("\n" if first else ",\n") + text)
            first = False
    if fmt == "json":
        sys.stdout.write("]\n" if first else "\n]\n")


def refused_statement(query: str) -> None:
    """Only statements that read: the database is opened read-only, but its views must reach
    the warehouse's own Parquet, so DuckDB's file access cannot simply be off (COPY ... TO
    would write there)."""
    import duckdb

    reading = (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN,
               duckdb.StatementType.SET)
    for statement in duckdb.extract_statements(query):
        if statement.type not in reading:
            raise UserError(f"{statement.type.name} is disabled: newsflow sql is read-only "
                            "(to save rows, use --format csv or json and redirect the output)",
                            BAD_QUERY)


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from flows.adapters.release import connect_readonly

    con = connect_readonly(existing_warehouse(args.warehouse))
    try:
        try:
            refused_statement(args.query)
            rel = con.sql(args.query)
            if rel is not None:
                write_rows(rel, args.format, args.max_rows)
        except duckdb.InternalException:  # DuckDB's own bug, not the user's query
            raise
        except duckdb.Error as exc:
            raise query_problem(exc) from exc
    finally:
        con.close()
    return OK


# (record key, heading, width); numbers are right-aligned, under right-aligned headings.
RUNS_COLUMNS = (("run_id", "run", -22), ("status", "status", -24), ("docs_read", "read", 6),
                ("docs_new", "new", 6), ("docs_changed", "changed", 7),
                ("docs_rejected", "rejected", 8), ("finished_at", "finished", 0))


def runs_lines(runs: Sequence[dict]) -> list[str]:
    """`newsflow runs`: a heading, then one line per run."""
    def row(cells: Sequence[object]) -> str:
        out = []
        for (_, _, width), cell in zip(RUNS_COLUMNS, cells, strict=True):
            text = "" if cell is None else str(cell)
            out.append(text.rjust(width) if width > 0 else text.ljust(-width))
        return "  ".join(out).rstrip()

    return [row([title for _, title, _ in RUNS_COLUMNS]),
            *(row([r.get(key) for key, _, _ in RUNS_COLUMNS]) for r in runs)]


def cmd_runs(args: argparse.Namespace) -> int:
    from flows.adapters.release import Warehouse, read_runs

    wh = Warehouse(Path(args.warehouse))
    if not wh.runs_dir.is_dir():
        raise UserError(f"no warehouse at {args.warehouse}: run `newsflow run` first "
                        "(or pass --warehouse DIR)", NOT_FOUND)
    print("\n".join(runs_lines(read_runs(wh)[-args.last:])))
    return OK


def cmd_describe(args: argparse.Namespace) -> int:
    from flows.app.describe import all_tables, dictionary_markdown, empty_warehouse, view_columns

    if args.table is not None:
        con = empty_warehouse()
        try:
            known = [*all_tables(), *sorted(view_columns(con))]
        finally:
            con.close()
        if args.table not in known:
            raise UserError(f"no table or view {args.table!r}; known: {', '.join(known)}",
                            NOT_FOUND)
    print(dictionary_markdown(args.table))
    return OK


def cmd_eval(args: argparse.Namespace) -> int:
    from flows.app.evaluation import main as eval_main

    if not (Path(args.dir) / "text").is_dir():
        raise UserError(f"no text/ folder under {args.dir} (a BRAT folder holds text/ and "
                        "attributions/)", NOT_FOUND)
    argv = [args.dir, "--examples", str(args.examples)]
    if args.direct_only:
        argv.append("--direct-only")
    if args.quoted:
        argv.append("--quoted")
    if args.identity_warehouse:
        argv += ["--warehouse", args.identity_warehouse]
    return int(eval_main(argv) or 0)


def cmd_eval_web(args: argparse.Namespace) -> int:
    from flows.app.evaluate_web import main as eval_web_main

    if not (Path(args.dir) / "evaldata.json").is_file():
        raise UserError(f"no evaldata.json under {args.dir} (a web gold folder holds "
                        "evaldata.json and html/)", NOT_FOUND)
    argv = [args.dir, *(["--write", args.write] if args.write else []),
            *(["--json"] if args.json else [])]
    return int(eval_web_main(argv) or 0)


def cmd_eval_wcxb(args: argparse.Namespace) -> int:
    from flows.app.evaluate_wcxb import main as eval_wcxb_main

    if not (Path(args.dir) / "ground-truth").is_dir():
        raise UserError(f"no ground-truth/ under {args.dir} (a WCXB folder holds "
                        "ground-truth/ and html/)", NOT_FOUND)
    argv = [args.dir, *(["--write", args.write] if args.write else []),
            *(["--json"] if args.json else []), *(["--bare"] if args.bare else []),
            "--show", str(args.show)]
    return int(eval_wcxb_main(argv) or 0)


def cmd_dashboard(args: argparse.Namespace) -> int:
    from flows.app import dashboard

    if not dashboard.database_path(Path(args.warehouse)).exists():
        raise UserError(f"no warehouse at {args.warehouse}: run `newsflow run` first "
                        "(or pass --warehouse DIR)", NOT_FOUND)
    if not dashboard.has_streamlit():
        raise UserError("the dashboard needs streamlit: uv sync --extra dashboard "
                        "(or pip install 'newsflow[dashboard]')", NOT_FOUND)
    if args.host is not None:
        print(f"newsflow: warning: the dashboard listens on {args.host}, so other machines "
              "can reach it and read the warehouse", file=sys.stderr)
    host = args.host or dashboard.LOCALHOST
    if not dashboard.port_free(host, args.port):
        raise UserError(f"port {args.port} is in use on {host}: pick another with --port",
                        USAGE)
    return dashboard.launch(Path(args.warehouse), port=args.port, host=host)


# -- exit codes and errors -------------------------------------------------------------------

OK, RUN_REJECTED, USAGE, BUSY, NOT_FOUND, BAD_QUERY = 0, 1, 2, 3, 4, 5
DISK_FULL, NOT_WRITABLE, NO_MODEL, SERVER_LOST, BUG, INTERRUPTED = 6, 7, 8, 9, 70, 130
EXIT_CODES = (
    (OK, "success (`run`: the release was published, or nothing had changed)"),
    (RUN_REJECTED, "`run`: validation rejected the release; the previous one stays current "
                   "(the summary names the failing expectations)"),
    (USAGE, "a bad command line: an unknown flag, a bad value, a port in use"),
    (BUSY, "another run is writing the warehouse (`--wait` waits for it)"),
    (NOT_FOUND, "not found: the input folder, the warehouse, a table or view, streamlit"),
    (BAD_QUERY, "`sql`: the query does not parse or run, or tries to write"),
    (DISK_FULL, "no space left on the warehouse's disk (said before the work when the current "
                "release alone needs more than is free); the previous release stays current"),
    (NOT_WRITABLE, "the warehouse (or a file in it) may not be written by this user, or its "
                   "file system is read-only; the previous release stays current"),
    (NO_MODEL, "a spaCy model the run needs is not installed (`--model`, `NEWSFLOW_MODEL`, "
               "`NEWSFLOW_LANGUAGE_MODELS`)"),
    (SERVER_LOST, "`serve`: its local Prefect server stopped and could not be started again"),
    (BUG, "an unexpected error (a bug): its traceback is in the log file that the error line "
          "names, or on screen with `--debug`"),
    (INTERRUPTED, "interrupted (Ctrl-C, SIGINT); `serve` and `dashboard` stopped by SIGTERM "
                  "exit 0, as a service manager expects"),
)


FAULT_CODES = {DISK_FULL_KIND: DISK_FULL, NOT_WRITABLE_KIND: NOT_WRITABLE,
               NO_MODEL_KIND: NO_MODEL}


class UserError(Exception):
    """A user's mistake: one line on stderr and an exit code from EXIT_CODES, no traceback."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    """argparse, with a bad command line as one line (plus where to find help) and USAGE."""

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{self.prog}: {message} (see `{self.prog} --help`)", USAGE)


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return value


def port_number(text: str) -> int:
    value = positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1-65535)")
    return value


def exit_codes_text() -> str:
    return "exit codes:\n" + "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES)


def exit_codes_markdown() -> str:
    """The table the README's Operations section shows, word for word."""
    return "\n".join(["| code | meaning |", "|---|---|",
                      *(f"| {code} | {text} |" for code, text in EXIT_CODES)])


def version_text() -> str:
    from flows.adapters.nlp import model_name, model_version_of
    from flows.run.records import VERSION

    model = model_name()
    return f"newsflow {VERSION}, spaCy model {model} ({model_version_of(model)})"


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="newsflow", description=__doc__, epilog=exit_codes_text(),
               formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="store_true", help="print the version and the model")
    p.add_argument("--debug", action="store_true",
                   help="show an unexpected error's traceback here, not only in its log file")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def with_warehouse(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--warehouse", default="warehouse", help="warehouse folder")
        return sp

    for name, fn, help_ in (("run", cmd_run, "build or update the warehouse once"),
                            ("serve", cmd_serve, "run on a schedule (Prefect deployment)")):
        sp = with_warehouse(sub.add_parser(name, help=help_))
        sp.add_argument("--seeds", default="seeds", help="input folder")
        sp.add_argument("--model", default=None, help="spaCy model (or NEWSFLOW_MODEL)")
        sp.add_argument("--workers", type=positive, default=1,
                        help="parallel extraction workers")
        sp.add_argument("--runner", choices=("local", "dask"), default="local")
        sp.add_argument("--dask-address", default=None, help="tcp://HOST:PORT of a cluster")
        sp.add_argument("--wait", action="store_true", help="wait for a running run's lock")
        sp.add_argument("--full-check", action="store_true",
                        help="read every input file to tell whether it changed (by default a "
                             "file whose size and modification time match is not read)")
        sp.add_argument("--rebuild", action="store_true",
                        help="read every input again and build the warehouse anew, carrying "
                             "nothing of the current release (its entity ids keep their history)")
        sp.add_argument("--jsonl-fields", default=None,
                        help="JSON lines field names, e.g. text=body,title=headline,url=meta.link")
        sp.set_defaults(fn=fn)
        if name == "serve":
            sp.add_argument("--cron", default="0 * * * *", help="cron schedule")
    sp = with_warehouse(sub.add_parser("sql", help="run SQL on the warehouse (read-only)"))
    sp.add_argument("query")
    sp.add_argument("--format", choices=("table", "csv", "json", "jsonl"), default="table",
                    help="table (for people, at most --max-rows rows), csv, json (one array "
                         "of objects) or jsonl (one object per line); all but table give "
                         "every row")
    sp.add_argument("--max-rows", type=positive, default=40)
    sp.set_defaults(fn=cmd_sql)
    sp = with_warehouse(sub.add_parser("runs", help="list recent runs"))
    sp.add_argument("--last", type=positive, default=20)
    sp.set_defaults(fn=cmd_runs)
    sp = sub.add_parser("describe", help="print the data dictionary")
    sp.add_argument("table", nargs="?")
    sp.set_defaults(fn=cmd_describe)
    sp = sub.add_parser("eval", help="score claims against BRAT attribution annotations")
    sp.add_argument("dir")
    mode = sp.add_mutually_exclusive_group()
    mode.add_argument("--direct-only", action="store_true")
    mode.add_argument("--quoted", action="store_true",
                      help="score the quotes table against the words inside quotation marks")
    sp.add_argument("--examples", type=int, default=5)
    sp.add_argument("--warehouse", dest="identity_warehouse", default=None,
                    help="identity figures from this warehouse (a `newsflow run` over DIR/text)")
    sp.set_defaults(fn=cmd_eval)
    sp = sub.add_parser("eval-web", help="score the web-page reader against a folder like "
                                         "../shared/corpora/web (evaldata.json + html/)")
    sp.add_argument("dir")
    sp.add_argument("--write", default=None, help="write the predictions as JSON lines")
    sp.add_argument("--json", action="store_true", help="print the figures as JSON")
    sp.set_defaults(fn=cmd_eval_web)
    sp = sub.add_parser("eval-wcxb", help="score the web-page reader against a WCXB folder like "
                                          "../shared/corpora/wcxb-dev (ground-truth/ + html/)")
    sp.add_argument("dir")
    sp.add_argument("--bare", action="store_true", help="score bare trafilatura beside it")
    sp.add_argument("--show", type=int, default=0,
                    help="list the N tuning pages lowest in body F1")
    sp.add_argument("--write", default=None, help="write the predictions as JSON lines")
    sp.add_argument("--json", action="store_true", help="print the figures as JSON")
    sp.set_defaults(fn=cmd_eval_wcxb)
    sp = with_warehouse(sub.add_parser("dashboard", help="serve the dashboard"))
    sp.add_argument("--port", type=port_number, default=8501)
    sp.add_argument("--host", default=None,
                    help="listen on this address instead of 127.0.0.1 (e.g. 0.0.0.0: open to "
                         "the network, with a warning)")
    sp.set_defaults(fn=cmd_dashboard)
    return p


def error_log(args: argparse.Namespace | None) -> Path:
    """Where an unexpected error's traceback goes: the warehouse's logs/ when there is a
    warehouse folder, else the temporary folder."""
    import datetime as dt
    import os
    import tempfile

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    folder = Path(getattr(args, "warehouse", "") or tempfile.gettempdir())
    folder = folder / "logs" if folder.is_dir() else Path(tempfile.gettempdir())
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder / f"newsflow-error-{stamp}-{os.getpid()}.log"


def machine_fault(exc: Exception, args: argparse.Namespace | None) -> MachineFault | None:
    """A full disk or a folder we may not write, met outside a run's flow (opening or locking
    the warehouse, recording an unchanged run): the user's to fix, so one line, no traceback."""
    from flows.adapters import faults

    if args is None or args.command not in ("run", "serve"):  # the commands that write
        return None
    cause = faults.cause_of(exc)
    if cause is None:
        return None
    folder = args.warehouse
    return faults.explained(cause, Path(folder), "")


def after_failed_run(args: argparse.Namespace | None) -> str:
    """What a failed run left and what the user can do, for the commands that write: a run that
    fails never publishes, and --rebuild carries nothing of what the last release holds."""
    if args is None or args.command not in ("run", "serve"):
        return ""
    from flows.adapters.release import kept_release

    name = kept_release(Path(args.warehouse))
    kept = (f"the warehouse still holds release {name}, unchanged" if name
            else "nothing was published")
    return (f"; {kept}; if the next run fails the same way, `newsflow {args.command} "
            "--rebuild` builds the warehouse anew from the inputs")


def report_bug(exc: Exception, args: argparse.Namespace | None, debug: bool) -> int:
    import traceback

    text = "".join(traceback.format_exception(exc))
    try:
        log: Path | None = error_log(args)
        assert log is not None
        log.write_text(text, encoding="utf-8")
    except OSError:
        log = None
    if debug or log is None:
        sys.stderr.write(text)
    where = f"the traceback is in {log}" if log else "the traceback is above"
    print(f"{command_name(args)}: unexpected error {type(exc).__name__}: {exc}"
          f"{after_failed_run(args)} ({where}; please report it)".replace("\n", " "),
          file=sys.stderr)
    return BUG


def command_name(args: argparse.Namespace | None) -> str:
    return f"newsflow {args.command}" if args is not None and args.command else "newsflow"


def main(argv: Sequence[str] | None = None) -> int:
    args: argparse.Namespace | None = None
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        args = parser().parse_args(argv)
        if args.version:
            print(version_text())
            return OK
        if args.command is None:
            raise UserError("name a command (see `newsflow --help`)", USAGE)
        if getattr(args, "model", "x") is None:
            from flows.adapters.nlp import model_name

            args.model = model_name()
        return int(args.fn(args))
    except UserError as exc:
        message = str(exc)
        print(message if message.startswith("newsflow") else f"{command_name(args)}: {message}",
              file=sys.stderr)
        return exc.code
    except BadEnvironment as exc:  # a user's mistake too, whichever command met it
        print(f"{command_name(args)}: {exc}", file=sys.stderr)
        return USAGE
    except MachineFault as exc:
        print(f"{command_name(args)}: {exc}", file=sys.stderr)
        return FAULT_CODES[exc.kind]
    except KeyboardInterrupt:
        print("newsflow: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # `newsflow sql ... | head`: the reader has what it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except Exception as exc:  # noqa: BLE001 - reported with its traceback, never hidden
        fault = machine_fault(exc, args)
        if fault is not None:
            print(f"{command_name(args)}: {fault}", file=sys.stderr)
            return FAULT_CODES[fault.kind]
        return report_bug(exc, args, debug)


if __name__ == "__main__":
    sys.exit(main())
