"""Run the Great Expectations suites in ``expectations/`` on a batch of tables before publishing.

The suites are GX-serialised ``ExpectationSuite`` JSON files, one per table, read from disk on
every call: the JSON is what validation runs. They are generated from :func:`suite_definitions`
(which derives the value sets from ``transforms.schemas``) with::

    python -m flows.adapters.validate --write-suites

and a test fails when the checked-in JSON and the definition drift apart.

GX validates one dataframe at a time, so checks that need another table (does this article_id
exist? do the offsets index the section's text?) are computed here first, as boolean columns
added to the dataframe (``article_known``, ``offsets_valid``, ``mentions_valid``,
``parts_valid``), which the
suites expect to be true. Everything runs in an ephemeral, in-memory GX context; the only files
written are the Data Docs site in ``docs_dir``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from flows.adapters import resources
from transforms.documents import EARLIEST_DATE, latest_date
from transforms.schemas import (
    CLAIM_KINDS,
    CORPUS_TABLES,
    DATE_SOURCES,
    ENTITY_KINDS,
    ENTITY_LABELS,
    PRIMARY_KEYS,
    SECTIONS,
    STANCES,
    TABLES,
)

# Suite parameter filled in at run time (today + 1 day), so the JSON never goes stale.
MAX_DATE_PARAM = "max_published_date"
BOILERPLATE_REGEX = (
    "About The Author|Leave a Reply|Your email address will not be published"
    "|Required fields are marked"
)
EXAMPLES = 5  # failing rows reported per expectation
_EXAMPLE_CHARS = 80  # long text values are truncated in examples
DERIVED_COLUMNS = ("article_known", "offsets_valid", "mentions_valid", "parts_valid",
                   "merged_into_known", "entity_id_current")
# Every table a suite validates: the article tables and rejects, and the corpus-level ids.
SUITE_TABLES = {**TABLES, **CORPUS_TABLES}



@dataclass(frozen=True)
class Failure:
    table: str
    expectation: str  # GX expectation type, e.g. "expect_column_values_to_be_in_set"
    column: str | None  # the column (or "a, b" for compound expectations); None if table-level
    unexpected_count: int
    examples: list  # a few failing rows: {key columns..., "value": failing value}

    def __str__(self) -> str:
        where = f"({self.column})" if self.column else ""
        shown = "; ".join(_format_example(e) for e in self.examples)
        text = f"{self.table}: {self.expectation}{where} failed"
        if self.unexpected_count:  # 0 for errors and aggregate expectations
            rows = "row" if self.unexpected_count == 1 else "rows"
            text += f" on {self.unexpected_count} {rows}"
        return text + (f": {shown}" if shown else "")


@dataclass(frozen=True)
class ValidationResult:
    success: bool
    failures: tuple[Failure, ...]
    summary: str  # one line per table: "articles: 12/12 expectations passed"
    data_docs: Path | None  # index.html of the Data Docs site written


# --------------------------------------------------------------------------------------------
# Suite definitions (source of the JSON files; validation itself reads the JSON)
# --------------------------------------------------------------------------------------------


def _e(type_: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs}


def _not_null(*columns: str) -> list[dict[str, Any]]:
    return [_e("expect_column_values_to_not_be_null", column=c) for c in columns]


def _declared_not_null(table: str) -> list[dict[str, Any]]:
    """Every column the table's schema declares non-nullable (transforms/schemas.py): the
    schema is the one place that says so."""
    schema = SUITE_TABLES[table]
    return _not_null(*(f.name for f in schema if not f.nullable))


def _key(table: str) -> list[dict[str, Any]]:
    cols = PRIMARY_KEYS[table]
    unique = (
        _e("expect_column_values_to_be_unique", column=cols[0]) if len(cols) == 1
        else _e("expect_compound_columns_to_be_unique", column_list=list(cols))
    )
    nullable = [c for c in cols if SUITE_TABLES[table].field(c).nullable]
    return [*_declared_not_null(table), *_not_null(*nullable), unique]


def _true(column: str) -> dict[str, Any]:
    return _e("expect_column_values_to_be_in_set", column=column, value_set=[True])


def _in_set(column: str, values: Sequence[str]) -> dict[str, Any]:
    return _e("expect_column_values_to_be_in_set", column=column, value_set=list(values))


def _located() -> list[dict[str, Any]]:
    return [
        _true("article_known"),
        _in_set("section", SECTIONS),
        _true("offsets_valid"),
        _e("expect_column_values_to_be_between", column="confidence",
           min_value=0.0, max_value=1.0),
    ]


def suite_definitions() -> dict[str, list[dict[str, Any]]]:
    """Expectations per table, as GX expectation configurations."""
    return {
        "articles": [
            *_key("articles"),
            _e("expect_column_values_to_not_match_regex", column="body_text",
               regex=BOILERPLATE_REGEX),
            _e("expect_column_values_to_be_between", column="published_date",
               min_value=EARLIEST_DATE.isoformat(), max_value={"$PARAMETER": MAX_DATE_PARAM}),
            _in_set("date_source", DATE_SOURCES),
            _e("expect_column_values_to_be_between", column="word_count", min_value=1),
            # a codec name as Python spells it (utf-8, cp1252, shift_jis, utf-16-le)
            _e("expect_column_values_to_match_regex", column="source_encoding",
               regex=r"^[a-z0-9][a-z0-9_\-]*$"),
        ],
        "captions": [
            *_key("captions"),
            _true("article_known"),
        ],
        "quotes": [
            *_key("quotes"),
            *_located(),
            _true("parts_valid"),
        ],
        "entities": [
            *_key("entities"),
            _true("article_known"),
            _in_set("label", ENTITY_LABELS),
            _in_set("kind", ENTITY_KINDS),
            _e("expect_column_values_to_be_between", column="mention_count", min_value=1),
            _true("mentions_valid"),
        ],
        "claims": [
            *_key("claims"),
            *_located(),
            _in_set("kind", CLAIM_KINDS),
            _in_set("stance", STANCES),
        ],
        "rejects": [
            *_key("rejects"),
        ],
        "entity_ids": [
            *_key("entity_ids"),
            _in_set("kind", ENTITY_KINDS),
            _in_set("label", ENTITY_LABELS),
            _e("expect_column_values_to_be_between", column="articles", min_value=0),
            _e("expect_column_values_to_be_between", column="mentions", min_value=0),
            # a superseded id points at a current one, so a saved query on it finds its entity
            _true("merged_into_known"),
        ],
        "entity_id_map": [
            *_key("entity_id_map"),
            # every article-level id resolves to an id the registry lists as current
            _true("entity_id_current"),
        ],
        "duplicate_links": [
            *_key("duplicate_links"),
            _e("expect_column_values_to_be_between", column="duplicate_similarity",
               min_value=0.0, max_value=1.0),
        ],
    }


def build_suite_json(table: str) -> dict[str, Any]:
    """The GX serialisation of the suite for ``table`` (what ``--write-suites`` writes)."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(
        name=table,
        expectations=suite_definitions()[table],
        meta={"generated_by": "python -m flows.adapters.validate --write-suites"},
    )
    doc: dict[str, Any] = dict(suite.to_json_dict())
    # Keep the files stable across regenerations: no ids, no GX version stamp.
    doc.pop("id", None)
    doc["meta"].pop("great_expectations_version", None)
    for exp in doc["expectations"]:
        exp.pop("id", None)
    return doc


def write_suites(directory: Path | None = None) -> list[Path]:
    directory = directory or resources.suites_dir()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in SUITE_TABLES:
        path = directory / f"{table}.json"
        path.write_text(json.dumps(build_suite_json(table), indent=2, sort_keys=True) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written


def load_suite_json(table: str, directory: Path | None = None) -> dict[str, Any]:
    path = (directory or resources.suites_dir()) / f"{table}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def load_suite(table: str, directory: Path | None = None) -> Any:
    """The ``gx.ExpectationSuite`` stored in ``directory/<table>.json``.

    Raises ValueError when the file holds an expectation GX cannot build: GX would otherwise
    log it and drop it, and a typo in the JSON must not silently weaken validation.
    """
    import great_expectations as gx

    path = (directory or resources.suites_dir()) / f"{table}.json"
    doc = load_suite_json(table, directory)
    try:
        suite = gx.ExpectationSuite(**doc)
    except (TypeError, ValueError) as exc:  # pydantic errors are ValueErrors
        raise ValueError(f"{path}: invalid expectation suite: {exc}") from exc
    if len(suite.expectations) != len(doc.get("expectations", [])):
        raise ValueError(f"{path}: invalid expectation(s), see the GX error logged above")
    if suite.name != table:
        raise ValueError(f"{path}: suite is named {suite.name!r}, expected {table!r}")
    return suite


# --------------------------------------------------------------------------------------------
# Derived columns (cross-table checks GX cannot express on one dataframe)
# --------------------------------------------------------------------------------------------


def _article_known(table: pa.Table, article_ids: pa.Array) -> pa.Array:
    return pc.fill_null(pc.is_in(table["article_id"], value_set=article_ids), False)


class _SectionTexts:
    """The text every (article_id, section, caption_id) names: articles.title or body_text of
    the article, or captions.caption_text of the caption (which must belong to the article)."""

    def __init__(self, articles: pa.Table, captions: pa.Table | None) -> None:
        ids = articles["article_id"].to_pylist()
        self.titles = dict(zip(ids, articles["title"].to_pylist(), strict=True))
        self.bodies = dict(zip(ids, articles["body_text"].to_pylist(), strict=True))
        self.captions: dict[Any, tuple[Any, Any]] = {}
        if captions is not None:
            self.captions = {cid: (aid, text) for cid, aid, text in zip(
                captions["caption_id"].to_pylist(), captions["article_id"].to_pylist(),
                captions["caption_text"].to_pylist(), strict=True)}

    def text(self, article_id: Any, section: Any, caption_id: Any) -> str | None:
        if section == "title":
            return self.titles.get(article_id)
        if section == "body":
            return self.bodies.get(article_id)
        if section == "caption":
            owner, text = self.captions.get(caption_id, (None, None))
            return text if owner == article_id else None
        return None

    def valid(self, article_id: Any, section: Any, caption_id: Any, start: Any, end: Any,
              expected: Any) -> bool:
        """The offsets lie inside the section's text and slice out exactly ``expected``."""
        text = self.text(article_id, section, caption_id)
        return (text is not None and start is not None and end is not None
                and expected is not None and 0 <= start <= end <= len(text)
                and text[start:end] == expected)


def _offsets_valid(table: pa.Table, text_column: str, texts: _SectionTexts) -> pa.Array:
    """Per row (quotes, claims): start_char/end_char slice ``text_column`` out of the section."""
    cols = [table[c].to_pylist() for c in
            ("article_id", "section", "caption_id", "start_char", "end_char", text_column)]
    return pa.array([texts.valid(*row) for row in zip(*cols, strict=True)], pa.bool_())


def _quote_offsets_valid(table: pa.Table, texts: _SectionTexts) -> pa.Array:
    """Per row (quotes): start_char/end_char lie in the section's text and run from the first
    part to the last, and quote_text is the parts' texts joined with a space."""
    cols = [table[c].to_pylist() for c in ("article_id", "section", "caption_id", "start_char",
                                           "end_char", "quote_text", "parts")]
    out = []
    for aid, sec, cid, start, end, quote, parts in zip(*cols, strict=True):
        text = texts.text(aid, sec, cid)
        out.append(bool(parts) and text is not None and start is not None and end is not None
                   and 0 <= start <= end <= len(text)
                   and (start, end) == (parts[0]["start"], parts[-1]["end"])
                   and quote == " ".join(p["text"] for p in parts))
    return pa.array(out, pa.bool_())


def _parts_valid(table: pa.Table, texts: _SectionTexts) -> pa.Array:
    """Per row (quotes): every part of the quotation slices its text out of the section (a
    row whose section is unknown fails offsets_valid instead)."""
    cols = [table[c].to_pylist() for c in ("article_id", "section", "caption_id", "parts")]
    return pa.array([
        texts.text(aid, sec, cid) is None or
        all(texts.valid(aid, sec, cid, p["start"], p["end"], p["text"]) for p in parts or ())
        for aid, sec, cid, parts in zip(*cols, strict=True)], pa.bool_())


def _mentions_valid(table: pa.Table, texts: _SectionTexts) -> pa.Array:
    """Per row (entities): every mention's offsets slice its text out of its section."""
    mentions = table["mentions"].combine_chunks()
    if isinstance(mentions, pa.ChunkedArray):  # empty table: no chunks
        mentions = pa.array([], mentions.type)
    flat = pc.list_flatten(mentions)
    owner = pc.list_parent_indices(mentions).to_numpy()
    article_ids = table["article_id"].to_pylist()
    cols = [flat.field(f).to_pylist() for f in ("section", "caption_id", "start", "end", "text")]
    ok = [True] * table.num_rows
    for row, (section, cid, start, end, text) in zip(owner, zip(*cols, strict=True),
                                                      strict=True):
        if ok[row] and not texts.valid(article_ids[row], section, cid, start, end, text):
            ok[row] = False
    return pa.array(ok, pa.bool_())


def _merged_into_known(table: pa.Table) -> pa.Array:
    """A current id (merged_into null), or a superseded one that names a current id."""
    current = pc.filter(table["entity_id"], pc.is_null(table["merged_into"]))
    return pc.or_(pc.is_null(table["merged_into"]),
                  pc.is_in(table["merged_into"], value_set=current.combine_chunks()))


def _current_id(table: pa.Table, registry: pa.Table | None) -> pa.Array:
    """Whether each row's entity_id is a current id of the registry validated beside it."""
    if registry is None:
        return pa.array([True] * table.num_rows, pa.bool_())
    current = pc.filter(registry["entity_id"], pc.is_null(registry["merged_into"]))
    return pc.is_in(table["entity_id"], value_set=current.combine_chunks())


def _columns_used(suite: Any) -> set[str] | None:
    """Columns the suite's expectations name, or None if one is table-level (needs them all)."""
    used: set[str] = set()
    for expectation in suite.expectations:
        kwargs = expectation.configuration.kwargs
        names = [kwargs.get(k) for k in ("column", "column_A", "column_B")]
        names += list(kwargs.get("column_list") or [])
        names = [n for n in names if n]
        if not names:
            return None
        used.update(names)
    return used


def _frames(tables: Mapping[str, pa.Table],
            columns: Mapping[str, set[str] | None]) -> dict[str, Any]:
    """Arrow tables -> pandas dataframes with the derived columns the suites check.

    Only the columns a table's suite names (plus its primary key, for reporting rows) are
    converted: GX fingerprints each dataframe, and list columns (mentions, aliases) would
    make it pickle the whole frame.
    """
    articles = tables.get("articles")
    if articles is None:
        articles = TABLES["articles"].empty_table()
    captions = tables.get("captions")
    article_ids = pc.unique(articles["article_id"].combine_chunks())

    texts = _SectionTexts(articles, captions)

    frames = {}
    for name, table in tables.items():
        if name in ("captions", "quotes", "entities", "claims"):
            table = table.append_column("article_known", _article_known(table, article_ids))
        if name == "claims":
            table = table.append_column("offsets_valid",
                                        _offsets_valid(table, "content_text", texts))
        if name == "quotes":  # an interrupted quotation's text is its parts, joined
            table = table.append_column("offsets_valid", _quote_offsets_valid(table, texts))
            table = table.append_column("parts_valid", _parts_valid(table, texts))
        if name == "entities":
            table = table.append_column("mentions_valid", _mentions_valid(table, texts))
        if name == "entity_ids":
            table = table.append_column("merged_into_known", _merged_into_known(table))
        if name == "entity_id_map":
            table = table.append_column("entity_id_current",
                                        _current_id(table, tables.get("entity_ids")))
        wanted = columns.get(name)
        if wanted is not None:
            wanted = wanted | set(PRIMARY_KEYS[name])
            # Unknown names stay out, so GX reports the missing column itself.
            table = table.select([c for c in table.column_names if c in wanted])
        # date32 stays python dates (object dtype): GX turns the suite's date strings into
        # dates, which compare with dates but not with a datetime64 column under pandas 3.
        frames[name] = table.to_pandas()
    return frames


# --------------------------------------------------------------------------------------------
# Running GX
# --------------------------------------------------------------------------------------------


def _context(docs_dir: Path) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites={
            "newsflow": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir.resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def _result_format(table: str) -> dict[str, Any]:
    return {
        "result_format": "SUMMARY",
        "partial_unexpected_count": EXAMPLES,
        "unexpected_index_column_names": list(PRIMARY_KEYS[table]),
        "return_unexpected_index_query": False,
    }


def _plain(value: Any) -> Any:
    """JSON-friendly, short version of a failing value (numpy scalars, dates, long text)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar -> python
    if isinstance(value, str) and len(value) > _EXAMPLE_CHARS:
        return value[: _EXAMPLE_CHARS - 1] + "…"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _format_example(example: Any) -> str:
    if isinstance(example, Mapping):
        return ", ".join(f"{k}={v!r}" for k, v in example.items())
    return example if isinstance(example, str) else repr(example)  # e.g. "error: ..."


def _around_match(value: Any, regex: str) -> Any:
    """For a regex failure, the part of a long text around the match, not its first characters."""
    match = re.search(regex, value) if isinstance(value, str) else None
    if match is None or len(value) <= _EXAMPLE_CHARS:
        return value
    start = max(0, match.start() - 20)
    end = min(len(value), match.end() + 20)
    return ("…" if start else "") + value[start:end] + ("…" if end < len(value) else "")


def _examples(table: str, result: Mapping[str, Any], column: str | None,
              regex: str | None = None) -> list:
    """A few failing rows: their primary key, plus the failing value when it says something.

    GX (pandas) reports each failing row as a dict of the ``unexpected_index_column_names``
    (the table's primary key) and the expectation's column(s).
    """
    keys = PRIMARY_KEYS[table]
    out: list = []
    for row in (result.get("partial_unexpected_index_list") or [])[:EXAMPLES]:
        if not isinstance(row, Mapping):
            out.append(_plain(row))
            continue
        example = {k: _plain(row.get(k)) for k in keys}
        # The derived booleans are always False here; the key says more.
        if column in row and column not in keys and column not in DERIVED_COLUMNS:
            value = row[column]
            example["value"] = _plain(_around_match(value, regex) if regex else value)
        if example not in out:  # duplicate keys report the same row twice
            out.append(example)
    if not out:  # no row index (e.g. aggregate expectations): fall back to the values
        out = [_plain(v) for v in (result.get("partial_unexpected_list") or [])[:EXAMPLES]]
    return out


def _exception_message(res: Any) -> str | None:
    info = res.exception_info or {}
    # Either {"raised_exception": ..., "exception_message": ...} or keyed by metric id.
    candidates = [info, *(v for v in info.values() if isinstance(v, Mapping))]
    for item in candidates:
        if item.get("raised_exception"):
            return str(item.get("exception_message") or "raised an exception")
    return None


def _failure(table: str, res: Any) -> Failure:
    config = res.expectation_config
    kwargs = config.kwargs
    column = kwargs.get("column")
    if column is None and kwargs.get("column_list"):
        column = ", ".join(kwargs["column_list"])
    error = _exception_message(res)
    if error is not None:
        return Failure(table, config.type, column, 0, [f"error: {error.splitlines()[0]}"])
    result = res.result or {}
    count = int(result.get("unexpected_count") or 0)  # None for aggregate expectations
    return Failure(table, config.type, column, count,
                   _examples(table, result, column, kwargs.get("regex")))


def validate_tables(tables: Mapping[str, pa.Table], docs_dir: Path,
                    suites_dir: Path | None = None) -> ValidationResult:
    """Validate each table with its suite in ``suites_dir`` and write Data Docs to ``docs_dir``.

    Tables absent from ``tables`` are not validated. Cross-table checks use the articles and
    captions of this same batch (rows of one article are always published together).
    """
    unknown = set(tables) - set(SUITE_TABLES)
    if unknown:
        raise ValueError(f"no suite for table(s): {', '.join(sorted(unknown))}")

    import great_expectations as gx

    # Fixed order, whatever the mapping's order.
    suites = {name: load_suite(name, suites_dir) for name in SUITE_TABLES if name in tables}
    frames = _frames(tables, {name: _columns_used(suite) for name, suite in suites.items()})
    docs_dir = Path(docs_dir)
    context = _context(docs_dir)
    datasource = context.data_sources.add_pandas("newsflow")
    parameters = {MAX_DATE_PARAM: latest_date().isoformat()}

    failures: list[Failure] = []
    lines: list[str] = []
    for name, suite in suites.items():
        suite = context.suites.add(suite)
        batch = datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite))
        run = definition.run(batch_parameters={"dataframe": frames[name]},
                             expectation_parameters=parameters,
                             result_format=_result_format(name))
        passed = sum(1 for r in run.results if r.success)
        n = len(frames[name])
        lines.append(f"{name}: {passed}/{len(run.results)} expectations passed"
                     f" ({n} row{'' if n == 1 else 's'})")
        failures.extend(_failure(name, r) for r in run.results if not r.success)

    context.build_data_docs()
    index = docs_dir / "index.html"
    return ValidationResult(
        success=not failures,
        failures=tuple(failures),
        summary="\n".join(lines),
        data_docs=index if index.exists() else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.adapters.validate")
    parser.add_argument("--write-suites", action="store_true",
                        help="regenerate expectations/*.json from suite_definitions()")
    args = parser.parse_args(argv)
    if args.write_suites:
        for path in write_suites():
            print(path)
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
