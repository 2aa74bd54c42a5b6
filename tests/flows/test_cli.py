"""The command line as a user meets it: a mistake is one line on stderr and a documented exit
code, never a traceback; a bug keeps its traceback (in a log file, or on screen with --debug);
`sql` output can be piped; `runs` has a heading; the exit codes in --help and the README agree."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.app import cli
from tests.conftest import ROOT
from tests.flows import warehouse_fixture


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "warehouse"
    warehouse_fixture.build(root)
    runs = root / "runs"
    runs.mkdir()
    for i, status in enumerate(("succeeded", "rejected by validation")):
        (runs / f"r{i}.json").write_text(json.dumps({
            "run_id": f"20240304T12000{i}-abcdef", "status": status, "docs_read": 12,
            "docs_new": 10 - i, "docs_changed": i, "docs_rejected": 2,
            "started_at": f"2024-03-04T12:00:0{i}+00:00",
            "finished_at": f"2024-03-04T12:01:0{i}+00:00"}))
    return root


def newsflow(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return subprocess.run([sys.executable, "-m", "flows.app.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


# (arguments, exit code, words the one line must hold); WH is replaced by the fixture warehouse,
# MISSING by a folder that does not exist.
MISTAKES = [
    (["sql", "SELEC 1", "--warehouse", "WH"], cli.BAD_QUERY, "syntax error"),
    (["sql", "DELETE FROM articles", "--warehouse", "WH"], cli.BAD_QUERY, "read-only"),
    (["sql", "CREATE TABLE x (a INT)", "--warehouse", "WH"], cli.BAD_QUERY, "read-only"),
    (["sql", "COPY (SELECT 1) TO 'out.csv'", "--warehouse", "WH"], cli.BAD_QUERY, "disabled"),
    (["sql", "SELECT * FROM read_csv('/etc/hostname')", "--warehouse", "WH"], cli.BAD_QUERY,
     "disabled"),
    (["sql", "SELECT * FROM nope", "--warehouse", "WH"], cli.NOT_FOUND, "nope does not exist"),
    (["sql", "SELECT 'a'::INT", "--warehouse", "WH"], cli.BAD_QUERY, "Conversion Error"),
    (["sql", "SELECT 1", "--warehouse", "MISSING"], cli.NOT_FOUND, "no warehouse at"),
    (["sql", "SELECT 1", "--warehouse", "WH", "--format", "xml"], cli.USAGE, "invalid choice"),
    (["sql", "--warehouse", "WH"], cli.USAGE, "required: query"),
    (["runs", "--warehouse", "MISSING"], cli.NOT_FOUND, "no warehouse at"),
    (["runs", "--warehouse", "WH", "--last", "0"], cli.USAGE, "not a number above 0"),
    (["run", "--seeds", "MISSING", "--warehouse", "WH"], cli.NOT_FOUND, "no input folder"),
    (["run", "--workers", "two"], cli.USAGE, "not a whole number"),
    (["run", "--runner", "spark"], cli.USAGE, "invalid choice"),
    (["run", "--seeds", ".", "--jsonl-fields", "text="], cli.USAGE, "bad JSON lines field"),
    (["run", "--bogus"], cli.USAGE, "unrecognized arguments: --bogus"),
    (["serve", "--seeds", "MISSING"], cli.NOT_FOUND, "no input folder"),
    (["serve", "--seeds", ".", "--cron", "every hour"], cli.USAGE, "not a cron schedule"),
    (["describe", "nope"], cli.NOT_FOUND, "no table or view 'nope'"),
    (["eval", "MISSING"], cli.NOT_FOUND, "no text/ folder"),
    (["dashboard", "--warehouse", "MISSING"], cli.NOT_FOUND, "no warehouse at"),
    (["dashboard", "--warehouse", "WH", "--port", "70000"], cli.USAGE, "not a port"),
    (["frobnicate"], cli.USAGE, "invalid choice"),
    ([], cli.USAGE, "name a command"),
]


@pytest.mark.parametrize(("args", "code", "words"), MISTAKES,
                         ids=[" ".join(a) or "(nothing)" for a, _, _ in MISTAKES])
def test_a_mistake_is_one_line(wh: Path, tmp_path: Path, args: list[str], code: int,
                               words: str) -> None:
    given = [str(wh) if a == "WH" else str(tmp_path / "missing") if a == "MISSING" else a
             for a in args]
    done = newsflow(*given, cwd=tmp_path)
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == code, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsflow"), done.stderr
    assert words in lines[0]
    assert not (tmp_path / "warehouse").exists()  # reading or failing never makes a warehouse


def test_a_bug_keeps_its_traceback(wh: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    def broken(args: object) -> int:
        raise ZeroDivisionError("a bug in newsflow")

    monkeypatch.setattr(cli, "cmd_runs", broken)
    assert cli.main(["runs", "--warehouse", str(wh)]) == cli.BUG
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    assert "unexpected error ZeroDivisionError: a bug in newsflow" in line
    log = Path(line.split("the traceback is in ", 1)[1].split(";", 1)[0])
    assert log.parent == wh / "logs"
    assert "Traceback" in log.read_text() and "a bug in newsflow" in log.read_text()

    assert cli.main(["--debug", "runs", "--warehouse", str(wh)]) == cli.BUG
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "ZeroDivisionError" in err


def test_sql_formats(wh: Path) -> None:
    query = "SELECT name, label FROM entity_names ORDER BY name"
    as_csv = newsflow("sql", query, "--warehouse", str(wh), "--format", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    expected = [["Acme Corp", "ORG"], ["Alice Adams", "PERSON"], ["Bob Brown", "PERSON"],
                ["Paris", "GPE"]]
    assert rows == [["name", "label"], *expected], as_csv.stderr
    objects = [{"name": n, "label": lab} for n, lab in expected]
    as_json = newsflow("sql", query, "--warehouse", str(wh), "--format", "json")
    assert json.loads(as_json.stdout) == objects, as_json.stderr
    as_jsonl = newsflow("sql", query, "--warehouse", str(wh), "--format", "jsonl")
    assert [json.loads(line) for line in as_jsonl.stdout.splitlines()] == objects
    empty = newsflow("sql", "SELECT 1 AS x WHERE false", "--warehouse", str(wh), "--format",
                     "json")
    assert json.loads(empty.stdout) == []
    as_table = newsflow("sql", query, "--warehouse", str(wh))
    assert "Alice Adams" in as_table.stdout and "│" in as_table.stdout


def test_floats_print_as_a_person_writes_them(wh: Path) -> None:
    """confidence is a FLOAT (float32) column: 0.9 is 0.8999999761581421 as a double."""
    query = ("SELECT confidence, round(confidence, 2) AS rounded, 0.1::DOUBLE + 0.2 AS d, "
             "'nan'::FLOAT AS n, NULL::FLOAT AS z FROM quotes WHERE quote_id = 'q1'")
    as_csv = newsflow("sql", query, "--warehouse", str(wh), "--format", "csv")
    assert as_csv.stdout.splitlines() == ["confidence,rounded,d,n,z",
                                          "0.9,0.9,0.30000000000000004,nan,"], as_csv.stderr
    as_json = newsflow("sql", query, "--warehouse", str(wh), "--format", "json")
    [row] = json.loads(as_json.stdout)
    assert (row["confidence"], row["rounded"], row["z"]) == (0.9, 0.9, None)


def test_floats_of_a_real_run(seed_run) -> None:  # type: ignore[no-untyped-def]
    """The seed's claims: every confidence prints with at most the digits float32 holds."""
    settings, _ = seed_run
    done = newsflow("sql", "SELECT confidence, round(confidence, 2) AS r FROM claims",
                    "--warehouse", str(settings.warehouse), "--format", "csv")
    rows = list(csv.reader(io.StringIO(done.stdout)))[1:]
    assert rows, done.stderr
    for confidence, rounded in rows:
        assert len(confidence.split(".")[-1]) <= 9, confidence
        assert len(rounded.split(".")[-1]) <= 2, rounded


def test_summary_says_which_counts_are_this_runs() -> None:
    from flows.run.records import RunSummary

    unchanged = RunSummary(run_id="r2", status="unchanged", docs_read=5, docs_unchanged=5,
                           rows={"articles": 1, "rejects": 4}, warehouse="wh")
    lines = cli.summary_lines(unchanged)
    assert lines[1] == ("  this run: 5 documents read, 0 new, 0 changed, 5 unchanged, "
                        "0 rejected")
    assert lines[2] == "  warehouse rows: articles 1, rejects 4"
    assert lines[0] == "run r2: unchanged in 0.0s"


def test_summary_says_the_whole_time_and_what_start_up_took() -> None:
    from flows.run.records import RunSummary

    done = RunSummary(run_id="r3", status="succeeded", seconds=3.3,
                      rows={"articles": 2, "entities": 9}, warehouse="wh")
    lines = cli.summary_lines(done, whole=15.25)
    assert lines[0] == ("run r3: succeeded in 15.2s (11.9s of it start-up: imports, Prefect "
                        "server, model)")
    assert lines[1 + 1].startswith("  warehouse rows: articles 2, entities 9 (as stored; the "
                                   "entities view merges")
    assert cli.summary_lines(done, whole=None)[0] == "run r3: succeeded in 3.3s"


def test_too_long_names_the_limit_and_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.adapters.resources import credit_table
    from flows.adapters.sources import RawDocument
    from flows.run.flow import document_problem
    from flows.run.records import Settings
    from transforms.documents import parse_plain_text

    raw = RawDocument("file:///long.txt", "0" * 64, "txt", text="Twelve words. " * 10)
    parsed = parse_plain_text(raw.text or "", credits=credit_table())
    monkeypatch.setenv("NEWSFLOW_MAX_TEXT_CHARS", "50")
    limit = Settings(Path("seeds"), Path("wh")).environment.max_text_chars
    reason, detail = document_problem(parsed, limit) or ("", "")
    assert reason == "too_long"
    assert detail.endswith("over the limit of 50 (set NEWSFLOW_MAX_TEXT_CHARS to change it)")
    monkeypatch.setenv("NEWSFLOW_MAX_TEXT_CHARS", "2_00")
    limit = Settings(Path("seeds"), Path("wh")).environment.max_text_chars
    assert limit == 200 and document_problem(parsed, limit) is None


def test_a_bad_text_limit_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = subprocess.run([sys.executable, "-m", "flows.app.cli", "run", "--seeds",
                           str(ROOT / "seeds"), "--warehouse", str(tmp_path / "wh")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**env, "NEWSFLOW_MAX_TEXT_CHARS": "lots"})
    assert done.returncode == cli.USAGE
    assert done.stderr.strip() == ("newsflow run: NEWSFLOW_MAX_TEXT_CHARS='lots' is not a number "
                                   "of characters above 0")


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("NEWSFLOW_UMASK", "9x", "NEWSFLOW_UMASK='9x' is not an octal file mode mask such as 077"),
    ("NEWSFLOW_MAX_TEXT_CHARS", "0", "NEWSFLOW_MAX_TEXT_CHARS='0' is not a number of characters"),
    ("NEWSFLOW_LANGUAGE_MODELS", "french", "NEWSFLOW_LANGUAGE_MODELS: bad language model entry"),
    ("NEWSFLOW_JSONL_FIELDS", "body", "NEWSFLOW_JSONL_FIELDS: bad JSON lines field mapping"),
])
def test_a_bad_environment_value_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], variable: str,
                                             value: str, says: str) -> None:
    monkeypatch.setenv(variable, value)
    code = cli.main(["run", "--seeds", str(ROOT / "seeds"), "--warehouse", str(tmp_path / "wh")])
    err = capsys.readouterr().err.strip()
    assert code == cli.USAGE
    assert err.startswith(f"newsflow run: {says}") and "\n" not in err, err
    assert not (tmp_path / "wh").exists()  # nothing started


def test_runs_has_a_heading(wh: Path) -> None:
    done = newsflow("runs", "--warehouse", str(wh))
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["run", "status", "read", "new", "changed", "rejected",
                                "finished"]
    assert len(lines) == 3
    assert lines[2].split()[:4] == ["20240304T120001-abcdef", "rejected", "by", "validation"]
    # numbers sit under their headings
    assert lines[0].index("rejected") + len("rejected") == lines[1].index(" 2  ") + 2


def test_version_names_the_model() -> None:
    from flows.adapters.nlp import model_version_of
    from flows.run.records import VERSION

    done = newsflow("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == (f"newsflow {VERSION}, spaCy model en_core_web_sm "
                                   f"({model_version_of('en_core_web_sm')})")
    assert "3.8.0" in done.stdout


def test_exit_codes_are_documented_once() -> None:
    """The table in --help and the README's Operations section are both EXIT_CODES."""
    help_text = newsflow("--help").stdout
    for code, text in cli.EXIT_CODES:
        assert f"{code:>3}  {text}" in help_text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    operations = readme.split("## Operations", 1)[1].split("\n## ", 1)[0]
    assert cli.exit_codes_markdown() in operations
    assert sorted({c for c, _ in cli.EXIT_CODES}) == [c for c, _ in cli.EXIT_CODES]


def test_summary_names_the_first_rejects_then_the_query() -> None:
    from flows.run.records import RunSummary

    summary = RunSummary(run_id="r1", status="succeeded", docs_read=14, docs_new=14,
                         docs_rejected=12, warehouse="wh")
    rejects = [(f"bad{i:02}.txt", "binary", "the file is a PDF document, not text")
               for i in range(12)]
    lines = cli.summary_lines(summary, rejects, cli.warehouse_flag("wh"))
    shown = [line.strip() for line in lines if line.strip().startswith("rejected ")]
    assert shown == [f"rejected bad{i:02}.txt: binary: the file is a PDF document, not text"
                     for i in range(10)]
    assert lines[2 + 10].strip() == (
        "and 2 more; all 12: newsflow sql --warehouse wh \"SELECT source_uri, reason, detail "
        "FROM rejects WHERE run_id = 'r1' ORDER BY source_uri\"")
    few = cli.summary_lines(summary, rejects[:2], "")
    assert few[4].strip().startswith("all 2: newsflow sql \"SELECT")


def test_serve_log_rotates_and_stays_owner_only(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """serve runs for months: its log is capped at SERVE_LOG_BACKUPS + 1 files."""
    import os

    monkeypatch.setattr(cli, "SERVE_LOG_BYTES", 2_000)
    os.umask(0o077)  # as open_warehouse sets it for everything under a warehouse
    log = cli.ServeLog(str(tmp_path / "wh"))
    for n in range(200):
        log([f"scheduled run {n:03d} skipped: nothing new in the seeds folder"])
    logs = sorted(p.name for p in (tmp_path / "wh" / "logs").iterdir())
    assert logs == ["serve.log", *(f"serve.log.{k}" for k in range(1, cli.SERVE_LOG_BACKUPS + 1))]
    newest = (tmp_path / "wh" / "logs" / "serve.log").read_text().splitlines()
    assert newest[-1].endswith("scheduled run 199 skipped: nothing new in the seeds folder")
    assert newest[-1][:20].endswith("Z") and newest[-1][4] == "-"
    assert all(p.stat().st_mode & 0o077 == 0 for p in (tmp_path / "wh" / "logs").iterdir())
