"""`newsflow eval-web`: the reader scored on a folder laid out like ../shared/corpora/web
(pages stored as .html.gz, read as stored), agreeing with ../shared/tools/web_eval.py; and
the web floors of tests/quality_floor.json held on the shared corpus."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.app.cli import main
from flows.app.evaluate_web import evaluate_web
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "web"
WEB = ROOT.parent / "shared" / "corpora" / "web"
SCORER = ROOT.parent / "shared" / "tools" / "web_eval.py"
FLOOR = ROOT / "tests" / "quality_floor.json"
TOLERANCE = 0.002


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    (root / "html").mkdir()
    gold = {}
    for name, snippets, title, date, author in (
        ("de_article.html", ["Der Stadtrat hat am Mittwochabend", "Radwege und den Nahverkehr"],
         "Stadtrat beschließt neuen Haushalt", "2024-03-14", "Anna Schmidt"),
        ("fr_article.html", ["le budget de l'année prochaine"],
         "Le conseil municipal adopte le budget", "2024-03-15", "Marie Dupont"),
    ):
        (root / "html" / f"{name}.gz").write_bytes(gzip.compress((FIXTURES / name).read_bytes()))
        gold[f"https://example.test/{name}"] = {
            "file": name, "with": snippets, "without": ["Alle Rechte vorbehalten", "Accueil"],
            "title": title, "date": date, "author": author}
    (root / "evaldata.json").write_text(json.dumps(gold), encoding="utf-8")
    return root


def test_eval_web_prints_the_figures(folder: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    preds = tmp_path / "preds.jsonl"
    assert main(["eval-web", str(folder), "--write", str(preds)]) == 0
    out = capsys.readouterr().out
    assert ("all       body F1 1.000 (P 1.000 R 1.000) title 1.000 date 1.000 author 1.000 "
            "pages 2/2") in out
    assert "ms CPU per page" in out
    assert {json.loads(line)["file"] for line in preds.read_text().splitlines()} == {
        "de_article.html", "fr_article.html"}


def test_eval_web_on_a_folder_without_gold_is_one_line(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-web", str(tmp_path)]) == 4  # not found
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"newsflow eval-web: no evaldata.json under {tmp_path}")
    assert "\n" not in err


@pytest.fixture(scope="module")
def corpus_figures(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not WEB.exists():
        if os.environ.get("NEWSFLOW_REQUIRE_CORPUS"):
            pytest.fail(f"NEWSFLOW_REQUIRE_CORPUS is set but {WEB} is missing")
        pytest.skip(f"web corpus not found at {WEB}")
    figures = evaluate_web(WEB)
    path = tmp_path_factory.mktemp("webpreds") / "preds.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n"
                            for p in figures["_predictions"].values()), encoding="utf-8")
    figures["_path"] = path
    return figures


@pytest.mark.corpus
@pytest.mark.parametrize("split", ["tune", "held_out", "all"])
def test_web_figures_hold_the_floor(corpus_figures: dict, split: str) -> None:
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))["web"][split]
    got = corpus_figures[split]
    drops = {k: (got[k], v) for k, v in floor.items() if got[k] < v - TOLERANCE}
    assert not drops, f"web {split}: figures below the pinned floor (got, floor): {drops}"
    assert got["pages_produced"] == got["pages"]  # every page with main text is an article


@pytest.mark.corpus
def test_scoring_agrees_with_the_shared_scorer(corpus_figures: dict) -> None:
    if not SCORER.exists():
        pytest.skip(f"scorer not found at {SCORER}")
    out = subprocess.run([sys.executable, str(SCORER), str(WEB), str(corpus_figures["_path"])],
                         capture_output=True, text=True, check=True).stdout
    theirs = json.loads(out[:out.rindex("}") + 1])
    assert {k: theirs[k] for k in corpus_figures["all"]} == corpus_figures["all"]


def test_eval_web_says_its_progress(capsys: pytest.CaptureFixture[str]) -> None:
    from flows.app.evaluate_web import with_progress

    assert list(with_progress(iter(range(5)), 5, every=0.0)) == [0, 1, 2, 3, 4]
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"progress: {n}/5 pages read" for n in range(1, 6)]
    assert list(with_progress(iter(range(3)), 3, every=3600)) == [0, 1, 2]
    assert capsys.readouterr().err.splitlines() == ["progress: 3/3 pages read"]
