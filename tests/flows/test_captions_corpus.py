"""Captions on real news pages (../shared/corpora/captions): a run over its pages, scored by the
shared scorer (../shared/tools/captions_eval.py), holds the captions floors of
tests/quality_floor.json."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CAPTIONS = ROOT.parent / "shared" / "corpora" / "captions"
SCORER = ROOT.parent / "shared" / "tools" / "captions_eval.py"
FLOOR = ROOT / "tests" / "quality_floor.json"
TOLERANCE = 0.002
SUMMARY = re.compile(r"credited \d+ \(recall (?P<credited>[\d.]+)\), agency \d+ "
                     r"\(recall (?P<agency>[\d.]+)\), leaks (?P<leaks>\d+)")


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    if not (CAPTIONS.exists() and SCORER.exists()):
        if os.environ.get("NEWSFLOW_REQUIRE_CORPUS"):
            pytest.fail(f"NEWSFLOW_REQUIRE_CORPUS is set but {CAPTIONS} or {SCORER} is missing")
        pytest.skip(f"captions corpus or scorer not found at {CAPTIONS}")
    from flows.run.launch import run
    from flows.run.records import Settings

    warehouse = tmp_path_factory.mktemp("captions") / "warehouse"
    run(Settings(seeds=CAPTIONS / "pages", warehouse=warehouse))
    out = subprocess.run([sys.executable, str(SCORER), str(CAPTIONS), str(warehouse)],
                         capture_output=True, text=True, check=True).stdout
    found = SUMMARY.search(out.strip().splitlines()[-1])
    assert found, out
    return {"credited_recall": float(found["credited"]), "agency_recall": float(found["agency"]),
            "leaks": float(found["leaks"])}


@pytest.mark.corpus
@pytest.mark.slow
def test_caption_figures_hold_the_floor(figures: dict[str, float]) -> None:
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))["captions"]
    drops = {k: (figures[k], v) for k, v in floor.items()
             if not k.startswith("_") and not k.endswith("_max") and figures[k] < v - TOLERANCE}
    drops |= {k: (figures[k[:-4]], v) for k, v in floor.items()
              if k.endswith("_max") and figures[k[:-4]] > v}
    assert not drops, f"captions: figures below the pinned floor (got, floor): {drops}"
