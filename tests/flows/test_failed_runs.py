"""An unexpected error in `newsflow run` leaves the last good release, says in one line what
happened and what the user can do, and the next run (or `--rebuild`, which carries nothing of
the current release) completes the warehouse to the one-go build. Real runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.adapters import release
from flows.app import cli
from tests.flows.pool import written
from tests.flows.relations import relations
from tests.flows.reports import Said


def newsflow_run(seeds: Path, wh: Path, *more: str) -> int:
    return cli.main(["run", "--seeds", str(seeds), "--warehouse", str(wh), *more])


def test_a_bug_at_publish_keeps_the_release_and_names_the_way_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    seeds, wh = tmp_path / "seeds", tmp_path / "wh"
    written(seeds, {"weather.txt": 0})
    assert newsflow_run(seeds, wh) == cli.OK
    first = release.Warehouse(wh).current
    assert first is not None
    before = relations(wh)
    capsys.readouterr()

    def broken(*args: object, **kwargs: object) -> Path:
        raise RuntimeError("a bug in building the views")

    written(seeds, {"bridge.txt": 0})
    with monkeypatch.context() as patched:
        patched.setattr(release, "build_duckdb", broken)
        assert newsflow_run(seeds, wh) == cli.BUG
    # Prefect's own log of the flow's exception may come before it: newsflow's is one line
    [line] = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("newsflow")]
    assert line.startswith("newsflow run: unexpected error RuntimeError: a bug in building")
    assert f"the warehouse still holds release {first.name}, unchanged" in line
    assert "`newsflow run --rebuild` builds the warehouse anew" in line
    assert release.Warehouse(wh).current == first and relations(wh) == before

    assert newsflow_run(seeds, wh, "--rebuild") == cli.OK
    rebuilt = relations(wh)
    written(tmp_path / "one_go", {"weather.txt": 0, "bridge.txt": 0})
    assert newsflow_run(tmp_path / "one_go", tmp_path / "wh_one_go") == cli.OK
    assert rebuilt == relations(tmp_path / "wh_one_go")
    assert rebuilt["captions"] and not before["captions"]


def test_a_bug_outside_a_warehouse_says_nothing_of_releases(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    def broken(args: object) -> int:
        raise ZeroDivisionError("a bug in newsflow")

    monkeypatch.setattr(cli, "cmd_runs", broken)
    assert cli.main(["runs", "--warehouse", str(tmp_path)]) == cli.BUG
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "release" not in line and "--rebuild" not in line


@pytest.mark.parametrize("published", [True, False], ids=["a-release", "no-release-yet"])
def test_a_bug_in_a_scheduled_run_names_the_release_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, published: bool) -> None:
    from flows.run import launch
    from flows.run.records import Settings

    wh = tmp_path / "wh"
    if published:  # a warehouse whose current release is r1
        (wh / "releases" / "r1").mkdir(parents=True)
        (wh / "current").symlink_to("releases/r1")

    def broken(settings: Settings) -> None:
        raise RuntimeError("a bug in publishing")

    monkeypatch.setattr(launch, "run", broken)
    said = Said()
    with pytest.raises(RuntimeError):
        launch.scheduled_outcome(Settings(seeds=tmp_path, warehouse=wh), said)
    assert said.lines[0] == f"started {tmp_path}"
    kept = "release r1" if published else "no release yet"
    assert said.lines[1] == (f"failed RuntimeError: a bug in publishing; the warehouse keeps "
                             f"{kept}; if every run fails so, stop serve and run "
                             "`newsflow run --rebuild`")
