"""Scoring: BRAT parsing, matching and metrics agree with the reference scorer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from flows.adapters.resources import credit_table
from scoring import attribution as ev

TABLE = credit_table()


TOOL = Path(__file__).resolve().parents[3] / "shared" / "tools" / "polnear_eval.py"

TEXT = "Smith said “taxes will rise.” Jones, however, noted that prices fell and more."
ANN = "\n".join([
    "T1\tSource 0 5\tSmith",
    "T2\tCue 6 10\tsaid",
    "T3\tContent 11 29\t“taxes will rise.”",
    "T4\tAttribution 6 10\tsaid",
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
    "T5\tSource 30 35\tJones",
    "T6\tCue 46 51\tnoted",
    "T7\tContent 52 68;73 77\tthat prices fell more",
    "E2\tCue:T6 Source:T5 Content:T7",
    "T8\tCue 0 1\tS",
    "E3\tCue:T8",  # no content: dropped
    "",
])


def test_parse_ann_joins_fragments_and_drops_contentless() -> None:
    atts = ev.parse_ann(ANN, TEXT)
    assert atts == [
        ev.Attribution("Smith", "said", "“taxes will rise.”"),
        ev.Attribution("Jones", "noted", "that prices fell more"),
    ]
    assert atts[0].is_direct and not atts[1].is_direct


@pytest.mark.parametrize(("a", "b", "f"), [
    ("taxes will rise", "Taxes will rise!", 1.0),
    ("taxes will rise", "taxes", 0.5),
    ("", "taxes", 0.0),
    ("a b c d", "e f", 0.0),
])
def test_token_f1(a: str, b: str, f: float) -> None:
    assert ev.token_f1(ev.tokens(a), ev.tokens(b)) == pytest.approx(f)


def test_greedy_one_to_one_matching() -> None:
    gold = [ev.Attribution(content="a b c d"), ev.Attribution(content="a b")]
    pred = [ev.Attribution(content="a b"), ev.Attribution(content="a b c")]
    assert ev.match_doc(gold, pred) == {1: (0, 1.0), 0: (1, pytest.approx(6 / 7))}


@pytest.mark.parametrize(("gold", "pred", "ok"), [
    ("Rodger Baker, executive director", "Rodger Baker", True),   # subset
    ("Smith", "he", False),
    ("", None, True),                                              # both empty
    ("the White House press secretary", "the press secretary", True),
    ("Smith", "", False),
])
def test_source_ok(gold: str, pred: str | None, ok: bool) -> None:
    assert ev.source_ok(gold, pred) is ok


def _figures() -> tuple[dict, dict]:
    gold = {"d1": ev.parse_ann(ANN, TEXT), "d2": [ev.Attribution("", "", "nobody said this")]}
    pred = {
        "d1": [ev.Attribution("Smith", "said", "taxes will rise.", 0.9),
               ev.Attribution("he", "noted", "that prices fell", 0.65),
               ev.Attribution("", "", "an unrelated false alarm", 0.1)],
        "d3": [ev.Attribution("", "", "a doc without gold is ignored", 0.5)],
    }
    return gold, pred


@pytest.mark.parametrize(("content", "quoted"), [
    ("“taxes will rise.”", "taxes will rise."),
    ("that the plan was “a smear” and “a lie”", "a smear a lie"),
    ("``We will win,'' he said", "We will win,"),   # NYT's doubled marks
    ("“it goes on past the annotation", "it goes on past the annotation"),  # unclosed
    ("no marks at all", ""),
])
def test_quoted_parts(content: str, quoted: str) -> None:
    assert ev.quoted_parts(content) == quoted


def test_doubled_apostrophes_are_quotation_marks() -> None:
    assert ev.Attribution(content="``We will win,'' he said").is_direct
    assert not ev.Attribution(content="the candidate's plan").is_direct


def test_calibration_counts_right_as_matched_with_the_right_source() -> None:
    gold, pred = _figures()
    r = ev.score(gold, pred)
    # right: "Smith said" (0.9); wrong: "he noted" (matched, wrong source) and the false alarm
    assert r["calibration"] == [[0.1, 1, 0.1, 0.0], [0.6, 1, 0.65, 0.0], [0.9, 1, 0.9, 1.0]]
    assert r["ece"] == pytest.approx((0.1 + 0.65 + 0.1) / 3, abs=1e-4)
    assert ev.at_confidence(gold, pred, 0.7) == {"confidence": 0.7, "precision": 1.0,
                                                 "recall": pytest.approx(1 / 3, abs=1e-4),
                                                 "rows": 1}
    assert "ece" not in ev.score(gold, {d: [ev.Attribution(content=a.content) for a in ps]
                                        for d, ps in pred.items()})


def test_score_figures() -> None:
    gold, pred = _figures()
    r = ev.score(gold, pred)
    assert (r["gold"], r["pred"], r["matched"]) == (3, 3, 2)
    assert r["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert r["strict_f1"] == pytest.approx(1 / 3, abs=1e-4)
    assert r["source_acc"] == 0.5
    assert r["direct_recall"] == 1.0 and r["indirect_recall"] == 0.5
    direct = ev.score(ev.direct_only(gold), pred)
    assert direct["gold"] == 1 and direct["matched"] == 1


@pytest.mark.skipif(not TOOL.exists(), reason=f"reference scorer not found at {TOOL}")
def test_agrees_with_reference_scorer(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("polnear_eval", TOOL)
    assert spec and spec.loader
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    gold, pred = _figures()
    folder = tmp_path / "gold"
    (folder / "text").mkdir(parents=True)
    (folder / "attributions").mkdir()
    (folder / "text" / "d1.txt").write_text(TEXT, encoding="utf-8")
    (folder / "attributions" / "d1_a.ann").write_text(ANN, encoding="utf-8")
    (folder / "attributions" / "d1_b.ann").write_text("", encoding="utf-8")  # not the first
    (folder / "text" / "d2.txt").write_text("nobody said this", encoding="utf-8")
    (folder / "attributions" / "d2_a.ann").write_text(
        "T1\tContent 0 16\tnobody said this\nE1\tContent:T1\n", encoding="utf-8")
    preds = tmp_path / "pred.jsonl"
    preds.write_text("".join(
        json.dumps({"doc": d, "source": a.source or None, "cue": a.cue or None,
                    "content": a.content, "confidence": a.confidence}) + "\n"
        for d, atts in pred.items() for a in atts),
        encoding="utf-8")
    tool_gold = tool.load_gold(folder)
    for g, ours_gold in ((tool_gold, gold), (tool.direct_only(tool_gold), ev.direct_only(gold)),
                         (tool.quoted_only(tool_gold), ev.quoted_only(gold))):
        theirs = tool.score(g, tool.load_pred(preds))
        ours = ev.score(ours_gold, pred)
        assert ours == theirs
        assert "ece" in ours


def test_evaluation_follows_the_pipeline_path() -> None:
    """flows.app.evaluation makes sections as flows.run.flow.extract_shard does: parse_plain_text ->
    section_texts -> the worker's annotator (any ``pipe``), one Section per text in order."""
    from flows.app.evaluation import Article, parse_articles, pipeline_sections
    from transforms.documents import parse_plain_text
    from transforms.extract import article_id_for, section_texts

    art = Article("doc1", "Taxes will rise, minister says\n\nThe minister said taxes would rise.\n",
                  "")
    expected = section_texts(article_id_for("doc1"), parse_plain_text(art.text, credits=TABLE))
    assert pipeline_sections(art) == expected

    class Echo:  # stands in for the annotator: records what it was asked to parse
        seen: list[str] = []

        def pipe(self, texts):  # type: ignore[no-untyped-def]
            import spacy

            blank = spacy.blank("en")
            for t in texts:
                self.seen.append(t)
                yield blank(t)

    echo = Echo()
    [sections] = parse_articles([art], echo)
    assert echo.seen == [text for _, _, text in expected]
    assert [(s.name, s.caption_id, s.text) for s in sections] == expected
