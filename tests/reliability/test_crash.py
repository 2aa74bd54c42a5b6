"""Crash safety and run history: SIGKILL at every stage of a real run (subprocess, see
scenario.py) leaves the warehouse exactly as the last successful run left it, and the next run
produces the same tables as an uninterrupted one."""

from __future__ import annotations

import signal

import duckdb
import pytest

from tests.reliability.procs import content, fingerprint, table_rows
from tests.reliability.scenario import KILL_STAGES, Scenario

pytestmark = pytest.mark.slow


def test_baseline_and_reference_runs_succeed(scenario: Scenario) -> None:
    assert scenario.baseline.returncode == 0, scenario.baseline.stderr[-2000:]
    assert "succeeded" in scenario.baseline.stdout
    ref = scenario.reference
    assert ref.returncode == 0, ref.stderr[-3000:]
    assert "succeeded" in ref.stdout
    assert "1 changed" in ref.stdout and "1 new" in ref.stdout, ref.stdout


@pytest.mark.parametrize("stage", KILL_STAGES)
def test_kill_leaves_last_good_warehouse_untouched(scenario: Scenario, stage: str) -> None:
    killed = next(k for k in scenario.killed if k.stage == stage)
    assert killed.done.returncode == -signal.SIGKILL, (stage, killed.done.stdout,
                                                       killed.done.stderr[-2000:])
    assert killed.fingerprint == scenario.baseline_fp


def test_killed_runs_leave_only_staging_that_the_next_run_sweeps(scenario: Scenario) -> None:
    # Each killed run left at most its own staging folder; the one before it was swept.
    for k in scenario.killed:
        assert len(k.staging) <= 1, (k.stage, k.staging)
    assert any(k.staging for k in scenario.killed), "the kills happened before any staging?"
    assert not list((scenario.wh / "staging").iterdir())
    releases = sorted(p.name for p in (scenario.wh / "releases").iterdir())
    assert len(releases) == 2  # baseline + the run killed right after publishing


def test_kill_after_publish_keeps_the_new_release(scenario: Scenario) -> None:
    p = scenario.published
    assert p.done.returncode == -signal.SIGKILL
    assert p.fingerprint != scenario.baseline_fp
    assert p.fingerprint["current"].startswith("releases/")


def test_next_run_equals_an_uninterrupted_run(scenario: Scenario) -> None:
    final = scenario.final
    assert final.returncode == 0, final.stderr[-2000:]
    assert "unchanged" in final.stdout  # the killed-after-publish run's release stands
    recovered, reference = content(scenario.wh), content(scenario.wh_ref)
    assert recovered["parquet"] == reference["parquet"]
    assert recovered["tables"].keys() == reference["tables"].keys()
    for name in reference["tables"]:
        assert recovered["tables"][name] == reference["tables"][name], (
            name, "flows/ or transforms/ changed while the runs ran" if scenario.code_changed
            else "same code")
    counts = {k: len(v) for k, v in recovered["tables"].items()}
    assert counts["articles"] == 3 and counts["rejects"] == 1, counts
    names = [r for r in recovered["tables"]["quotes"] if "Rodger Becker" in r]
    assert names and not [r for r in recovered["tables"]["quotes"] if "Rodger Baker" in r]


def test_killed_run_shows_as_running_then_interrupted(scenario: Scenario) -> None:
    first = scenario.killed[0]
    statuses = {r["run_id"]: r["status"] for r in first.runs_json}
    assert sorted(statuses.values()) == ["running", "succeeded"], statuses
    # the next run, holding the lock, closed it
    later = {r["run_id"]: r["status"] for r in scenario.killed[1].runs_json}
    running_id = next(i for i, s in statuses.items() if s == "running")
    assert later[running_id] == "interrupted"


def test_run_history_lists_every_run_with_status(scenario: Scenario) -> None:
    heading, *lines = [ln for ln in scenario.runs_cli.stdout.splitlines() if ln.strip()]
    assert scenario.runs_cli.returncode == 0
    assert heading.split() == ["run", "status", "read", "new", "changed", "rejected", "finished"]
    statuses = [ln.split()[1] for ln in lines]
    # baseline, 4 killed before publishing, 1 killed after publishing, the final run
    assert statuses == ["succeeded", *["interrupted"] * 4, "succeeded", "unchanged"], lines
    assert all(all(n.isdigit() for n in ln.split()[2:6]) for ln in lines), lines


def test_runs_table_in_duckdb_has_versions_and_counts(scenario: Scenario) -> None:
    con = duckdb.connect(str(scenario.wh / "news.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT status, docs_read, docs_new, docs_changed, code_version, "
                           "model_version FROM runs ORDER BY started_at").fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == ["succeeded", *["interrupted"] * 4, "succeeded"]
    assert rows[0][1:4] == (3, 3, 0)
    assert rows[-1][1:4] == (4, 1, 1)
    assert all(r[4] and r[5] for r in rows)


def test_fingerprint_sees_a_changed_table(scenario: Scenario) -> None:
    """The comparison above could fail: the baseline and the final warehouse differ."""
    assert fingerprint(scenario.wh)["tables"] != scenario.baseline_fp["tables"]
    assert table_rows(scenario.wh)["articles"] != []
