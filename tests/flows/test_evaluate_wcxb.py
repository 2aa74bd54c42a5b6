"""`newsflow eval-wcxb`: the reader scored on a WCXB folder (ground-truth/*.json +
html/*.html.gz), as ../shared/tools/wcxb_eval.py scores a warehouse, split into a tuning and a
held-out half by sorted id; and the wcxb floors of tests/quality_floor.json held on
../shared/corpora/wcxb-dev."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest

from flows.app.cli import main
from flows.app.evaluate_wcxb import evaluate_wcxb, split
from scoring.wcxb import page_body_f1, score_pages
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "web"
WCXB = ROOT.parent / "shared" / "corpora" / "wcxb-dev"
FLOOR = ROOT / "tests" / "quality_floor.json"
TOLERANCE = 0.002


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wcxb")
    (root / "html").mkdir()
    (root / "ground-truth").mkdir()
    for page_id, name, title, date, author in (
        ("0001", "de_article.html", "Stadtrat beschließt neuen Haushalt", "2024-03-14",
         "Anna Schmidt"),
        ("0002", "fr_article.html", "Le conseil municipal adopte le budget", "2024-03-15",
         "Marie Dupont"),
    ):
        html = (FIXTURES / name).read_bytes()
        (root / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html))
        (root / "ground-truth" / f"{page_id}.json").write_text(json.dumps({"ground_truth": {
            "title": title, "publish_date": date, "author": author,
            "main_content": "placeholder"}}), encoding="utf-8")
    return root


def test_eval_wcxb_prints_the_figures_per_half(folder: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-wcxb", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "title 1.000 date 1.000 author 1.000 pages 2/2" in out
    assert [line.split()[0] for line in out.splitlines()[:3]] == ["tune", "held_out", "all"]


def test_eval_wcxb_on_a_folder_without_gold_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-wcxb", str(tmp_path)]) == 4  # not found
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"newsflow eval-wcxb: no ground-truth/ under {tmp_path}")


@pytest.mark.parametrize(("gold", "pred", "f1"), [
    ("one two three four five", "one two three four five", 1.0),
    ("one two three four five", "", 0.0),
    ("one two three four five six", "one two three four five", 0.8),  # 2 of 3 shingles... half
])
def test_page_body_f1(gold: str, pred: str, f1: float) -> None:
    assert page_body_f1(gold, pred) == pytest.approx(f1, abs=0.05)


def test_scoring_like_the_shared_tool() -> None:
    gold = [{"id": "a", "main_content": "w x y z v", "title": "The Title!", "publish_date":
             "2024-01-02", "author": "Jane Doe and John Roe"},
            {"id": "b", "main_content": "p q r s t", "title": "Other", "publish_date": "",
             "author": ""},
            {"id": "c", "title": "No body gold"}]  # a gold page without main_content
    preds = {"a": {"body": "w x y z v", "title": "the title", "date": "2024-01-02T10:00",
                   "authors": ["John Roe"]},
             "c": {"body": "something", "title": "No body gold"}}
    got = score_pages(gold, preds)
    assert (got["pages"], got["pages_produced"]) == (3, 2)
    assert (got["title_acc"], got["date_acc"], got["author_acc"]) == (round(2 / 3, 4), 1.0, 1.0)
    assert got["recall"] == 0.5  # page b has no prediction: its gold is all missed


def test_split_is_by_sorted_id() -> None:
    pages = [{"id": f"{i:04d}"} for i in range(5)]
    parts = split(pages)
    assert [p["id"] for p in parts["tune"]] == ["0000", "0001"]
    assert [p["id"] for p in parts["held_out"]] == ["0002", "0003", "0004"]


@pytest.fixture(scope="module")
def corpus_figures() -> dict:
    if not WCXB.exists():
        if os.environ.get("NEWSFLOW_REQUIRE_CORPUS"):
            pytest.fail(f"NEWSFLOW_REQUIRE_CORPUS is set but {WCXB} is missing")
        pytest.skip(f"WCXB dev corpus not found at {WCXB}")
    return evaluate_wcxb(WCXB)


@pytest.mark.corpus
@pytest.mark.parametrize("half", ["tune", "held_out", "all"])
def test_wcxb_figures_hold_the_floor(corpus_figures: dict, half: str) -> None:
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))["wcxb"][half]
    got = corpus_figures[half]
    drops = {k: (got[k], v) for k, v in floor.items() if got[k] < v - TOLERANCE}
    assert not drops, f"wcxb {half}: figures below the pinned floor (got, floor): {drops}"


AGREEMENT_PAGES = ("0001", "0002", "0003", "0004", "0005", "0006")


@pytest.mark.corpus
def test_figures_agree_with_the_shared_tool_on_a_real_run(tmp_path: Path) -> None:
    """A real `newsflow run` over a few dev pages, scored by ../shared/tools/wcxb_eval.py from
    its warehouse, gives the figures eval-wcxb gives from the reader."""
    import subprocess
    import sys

    scorer = ROOT.parent / "shared" / "tools" / "wcxb_eval.py"
    if not WCXB.exists() or not scorer.exists():
        pytest.skip(f"WCXB dev corpus or its scorer not found under {ROOT.parent / 'shared'}")
    folder = tmp_path / "wcxb"
    for sub in ("html", "ground-truth"):
        (folder / sub).mkdir(parents=True)
    for page in AGREEMENT_PAGES:
        (folder / "html" / f"{page}.html.gz").write_bytes(
            (WCXB / "html" / f"{page}.html.gz").read_bytes())
        (folder / "ground-truth" / f"{page}.json").write_bytes(
            (WCXB / "ground-truth" / f"{page}.json").read_bytes())
    warehouse = tmp_path / "wh"
    assert main(["run", "--seeds", str(folder / "html"), "--warehouse", str(warehouse)]) == 0
    out = subprocess.run([sys.executable, str(scorer), str(folder), str(warehouse)],
                         capture_output=True, text=True, check=True).stdout
    theirs = {m[1]: float(m[2]) for line in out.splitlines()
              if (m := re.match(r"^(.+?)\s+newsflow (\d\.\d+)", line))}
    ours = evaluate_wcxb(folder)["all"]
    assert {"body F1": round(ours["f1"], 3), "title": round(ours["title_acc"], 3),
            "date": round(ours["date_acc"], 3), "author": round(ours["author_acc"], 3)} == {
        k: theirs[k] for k in ("body F1", "title", "date", "author")}
