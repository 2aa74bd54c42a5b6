"""A run starts only what its work needs, and `serve` keeps what it loaded between scheduled
runs. Real runs (Prefect flow, spaCy, GX, DuckDB), watched from outside the code they test:
the processes this one starts, the model's load cache, the runs on the Prefect server."""

from __future__ import annotations

import os
import time
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from flows.run.records import Settings
from tests.flows.reports import Said
from tests.reliability.sockets import gathered

ARTICLE = ("{name} said on Tuesday that the city council would vote on the new budget. "
           "\"We have waited long enough,\" {name} told reporters in Springfield. "
           "The council's finance committee approved the plan last week.\n")


def write_articles(folder: Path, names: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / f"{name.lower().replace(' ', '_')}.txt").write_text(
            f"{name} on the budget\n\n" + ARTICLE.format(name=name), encoding="utf-8")


def pool_workers() -> AbstractContextManager[set[int]]:
    """The worker processes (multiprocessing's spawned interpreters) this process starts while
    the block runs, sampled every 20 ms: a worker lives for seconds, loading the model."""
    import psutil

    def workers() -> list[int]:
        found = []
        for child in psutil.Process().children(recursive=True):
            try:
                if "spawn_main" in " ".join(child.cmdline()):  # not its resource tracker
                    found.append(child.pid)
            except psutil.Error:  # gone between the listing and the look
                continue
        return found

    return gathered(workers, 0.02)


def test_two_workers_on_one_shard_start_no_worker_process(tmp_path: Path) -> None:
    """--workers 2 over one small file: one shard, extracted in this process; five files make
    two shards and then two workers start (the same watch sees them)."""
    from flows.run.launch import run

    seeds = tmp_path / "seeds"
    write_articles(seeds, ["Ann Lee"])
    settings = Settings(seeds=seeds, warehouse=tmp_path / "wh", workers=2)
    with pool_workers() as one_shard:
        summary = run(settings)
    assert summary.status == "succeeded", summary
    assert one_shard == set()
    write_articles(seeds, ["Bob Ray", "Cy Dunn", "Di Fox", "Ed Hart", "Flo Ives"])
    with pool_workers() as two_shards:
        summary = run(settings)
    assert summary.status == "succeeded", summary
    assert len(two_shards) == 2, two_shards


@pytest.mark.slow
def test_served_runs_reuse_the_model_and_the_server(tmp_path: Path) -> None:
    """Two scheduled flow runs, as serve's deployment runs them (the flow asks serve's process
    over its socket): both newsflow runs happen here, on serve's server, and the second loads
    no model."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.adapters import nlp
    from flows.run.launch import RunDesk, scheduled_flow
    from flows.run.prefect_server import prefect_api

    os.environ.setdefault("PREFECT_HOME", str(tmp_path / "prefect_home"))
    seeds = tmp_path / "seeds"
    write_articles(seeds, ["Gus Hale"])
    settings = Settings(seeds=seeds, warehouse=tmp_path / "wh")
    said = Said()
    with prefect_api(scheduler=True) as url:
        desk = RunDesk(settings, url, said)
        try:
            scheduled = scheduled_flow(desk.address, desk.key)
            assert scheduled() == "succeeded", said.lines
            loads = nlp.load.cache_info().misses
            write_articles(seeds, ["Ida Judd", "Jo Kemp"])
            t0 = time.monotonic()
            assert scheduled() == "succeeded", said.lines
            took = time.monotonic() - t0
        finally:
            desk.close()
        assert nlp.load.cache_info().misses == loads  # the second run loaded no model
        with temporary_settings(updates={PREFECT_API_URL: url}), get_client(
                sync_client=True) as client:
            names = [client.read_flow(r.flow_id).name for r in client.read_flow_runs()]
    assert sorted(names) == ["newsflow", "newsflow", "newsflow-scheduled",
                             "newsflow-scheduled"], names
    (first, _), (second, seconds) = said.finished_runs
    assert (first.docs_new, second.docs_new) == (1, 2)
    assert seconds <= took
