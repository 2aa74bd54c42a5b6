"""Readers: the same article as text, web page, JSON line and WARC record reads the same;
formats are recognised by content; damaged inputs become rejects while the rest loads."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.adapters import sources
from flows.adapters.resources import credit_table
from flows.adapters.sources import RawDocument, Reject, SourceFile, read_source, sniff_format
from tests.transforms.test_html import SEED_TEXT, TODAY, URL, seed_page, word_similarity
from transforms.documents import ParsedDocument, parse_plain_text
from transforms.html import parse_html, with_metadata

TABLE = credit_table()


PAGE = seed_page()
WARC_DATE = "2024-12-26T01:02:03Z"


def read(path: Path, root: Path | None = None) -> list[RawDocument | Reject]:
    root = root or path.parent
    return list(read_source(SourceFile(path, path.relative_to(root).as_posix(),
                                       path.stat().st_size)))


def parsed(raw: RawDocument) -> ParsedDocument:
    """What the pipeline does with a document (pipeline.parsed_document + with_metadata)."""
    if raw.html is not None:
        return parse_html(raw.html, raw.metadata, today=TODAY, credits=TABLE)
    return with_metadata(parse_plain_text(raw.text or "", today=TODAY, credits=TABLE), raw.metadata,
                         today=TODAY)


def warc_bytes(records: list[tuple[str, bytes, str, str]], compress: bool = True) -> bytes:
    """(uri, payload, content type, status) responses, one gzip member per record."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=compress)
    for uri, payload, ctype, status in records:
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            uri, "response", payload=io.BytesIO(payload), http_headers=headers,
            warc_headers_dict={"WARC-Date": WARC_DATE}))
    return buf.getvalue()


HTML_RECORD = (URL, PAGE.encode("utf-8"), "text/html; charset=utf-8", "200 OK")
ROBOTS = ("https://news.example.com/robots.txt", b"User-agent: *\nDisallow:\n", "text/plain",
          "200 OK")
IMAGE = ("https://news.example.com/img/1.jpg", b"\xff\xd8\xff\xe0" + bytes(200), "image/jpeg",
         "200 OK")
NOT_FOUND = ("https://news.example.com/gone", b"<html><body>Not found</body></html>",
             "text/html", "404 Not Found")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mixed")
    (root / "article.txt").write_text(SEED_TEXT, encoding="utf-8")
    (root / "article.html").write_text(PAGE, encoding="utf-8")
    lines = [{"title": "Kim welcomes Putin", "text": SEED_TEXT, "url": "https://wire.example/1",
              "published_date": "2024-12-26", "authors": "Jane Doe and John Roe",
              "publisher": "Wire"},
             {"html": PAGE, "url": "https://wire.example/2"}]
    (root / "feed.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines),
                                     encoding="utf-8")
    (root / "crawl.warc.gz").write_bytes(warc_bytes([ROBOTS, IMAGE, HTML_RECORD, NOT_FOUND]))
    return root


@pytest.fixture(scope="module")
def docs(folder: Path) -> dict[str, list[RawDocument | Reject]]:
    return {p.name: read(p) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def reference() -> ParsedDocument:
    return parse_plain_text(SEED_TEXT, today=TODAY, credits=TABLE)


def only_docs(items: list[RawDocument | Reject]) -> list[RawDocument]:
    assert all(isinstance(i, RawDocument) for i in items), items
    return [i for i in items if isinstance(i, RawDocument)]


def all_versions(docs: dict[str, list[RawDocument | Reject]]) -> Iterator[RawDocument]:
    for items in docs.values():
        yield from only_docs(items)


def test_every_format_reads_one_document_per_article(docs: dict) -> None:
    assert {name: [(d.source_format, d.source_uri) for d in only_docs(items)]
            for name, items in docs.items()} == {
        "article.txt": [("txt", "article.txt")],
        "article.html": [("html", "article.html")],
        "feed.jsonl": [("jsonl", "https://wire.example/1"), ("jsonl", "https://wire.example/2")],
        "crawl.warc.gz": [("warc", URL)],  # robots.txt, image and 404 skipped, not rejected
    }


def test_same_body_and_captions_in_every_format(docs: dict,
                                                reference: ParsedDocument) -> None:
    # transforms.quotes does not exist yet: quotes/claims equality is not checked here.
    for raw in all_versions(docs):
        doc = parsed(raw)
        assert word_similarity(reference.body_text, doc.body_text) >= 0.98, raw.source_uri
        assert [(c.text, c.credit) for c in doc.captions] == \
            [(c.text, c.credit) for c in reference.captions], raw.source_uri
        assert doc.captions[0].credit == "Anthony Wallace | AFP | Getty Images"


def test_metadata(docs: dict) -> None:
    page, = only_docs(docs["article.html"])
    assert page.metadata["canonical_url"] == URL
    assert page.metadata["authors"] == ["Jane Doe", "John Roe"]
    assert page.metadata["published_date"] == dt.date(2024, 12, 26)
    assert page.metadata["language"] == "en"
    line, from_html = only_docs(docs["feed.jsonl"])
    assert line.metadata == {"title": "Kim welcomes Putin", "url": "https://wire.example/1",
                             "published_date": dt.date(2024, 12, 26), "publisher": "Wire",
                             "authors": ["Jane Doe", "John Roe"]}
    assert parsed(line).title == "Kim welcomes Putin"
    assert parsed(line).published_date == dt.date(2024, 12, 26)
    assert from_html.metadata["url"] == "https://wire.example/2"  # the line's url wins
    assert from_html.metadata["publisher"] == "Example News"  # the page fills the gaps
    record, = only_docs(docs["crawl.warc.gz"])
    assert record.metadata["url"] == URL
    assert record.metadata["fetched_at"] == dt.datetime(2024, 12, 26, 1, 2, 3, tzinfo=dt.UTC)
    assert record.metadata["fetched_at"].tzinfo is not None


def test_content_hash_is_per_document(docs: dict) -> None:
    line1, line2 = only_docs(docs["feed.jsonl"])
    assert line1.content_sha256 != line2.content_sha256
    record, = only_docs(docs["crawl.warc.gz"])
    page, = only_docs(docs["article.html"])
    # the record's payload is the page's bytes: same content, same hash
    assert record.content_sha256 == page.content_sha256 == \
        sources.sha256_bytes(PAGE.encode("utf-8"))


@pytest.mark.parametrize(("head", "name", "expected"), [
    (b"WARC/1.0\r\nWARC-Type: warcinfo", "x.bin", "warc"),
    (b"WARC/1.1\r\n", "x.txt", "warc"),
    (b"<!DOCTYPE html><html>", "page.txt", "html"),
    (b"\xef\xbb\xbf  <html lang='en'>", "x", "html"),
    (b"<?xml version='1.0'?><html>", "x", "html"),
    (b"<div><p>fragment</p></div>", "frag.html", "html"),
    (b'{"title": "a", "text": "b"}\n{"title": "c"}\n', "feed.data", "jsonl"),
    (b'{"title": "a"', "feed.jsonl", "jsonl"),
    # negatives: prose that starts like markup or JSON, and an empty file
    (b"<b>Breaking</b> news in the city today", "note.txt", "txt"),
    (b"{not json} said the minister\n", "x.txt", "txt"),
    (b"WARC is a file format\n", "x.warc", "txt"),
    (b"", "x.html", "txt"),
])
def test_sniff_format(head: bytes, name: str, expected: str) -> None:
    assert sniff_format(head, name, complete=True) == expected


@pytest.mark.parametrize(("name", "data", "fmt"), [
    ("page.txt", PAGE.encode(), "html"),
    ("feed.data", (json.dumps({"text": SEED_TEXT}) + "\n").encode(), "jsonl"),
    ("feed.jsonl.gz", gzip.compress((json.dumps({"text": SEED_TEXT}) + "\n").encode()), "jsonl"),
    ("crawl.bin", warc_bytes([HTML_RECORD], compress=False), "warc"),
    ("crawl.warc", warc_bytes([HTML_RECORD]), "warc"),
    ("story.txt.gz", gzip.compress(SEED_TEXT.encode()), "txt"),
])
def test_format_comes_from_content_not_name(tmp_path: Path, name: str, data: bytes,
                                            fmt: str) -> None:
    (tmp_path / name).write_bytes(data)
    doc, = only_docs(read(tmp_path / name))
    assert doc.source_format == fmt


def reasons(items: list[RawDocument | Reject]) -> list[tuple[str, str]]:
    return [(i.source_uri, i.reason) for i in items if isinstance(i, Reject)]


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"text": f"Story number {i}. " + SEED_TEXT[:3000]}) + "\n"
                    for i in range(40))
    data = gzip.compress(lines.encode(), compresslevel=1)
    (tmp_path / "feed.jsonl.gz").write_bytes(data[: len(data) * 3 // 4])
    items = read(tmp_path / "feed.jsonl.gz")
    assert 0 < sum(isinstance(i, RawDocument) for i in items) < 40
    assert reasons(items) == [("feed.jsonl.gz", "truncated")]


def test_truncated_warc_keeps_the_records_before(tmp_path: Path) -> None:
    last = warc_bytes([(URL + "?2", *HTML_RECORD[1:])])
    data = warc_bytes([HTML_RECORD, ROBOTS]) + last[: len(last) // 2]
    (tmp_path / "crawl.warc.gz").write_bytes(data)
    items = read(tmp_path / "crawl.warc.gz")
    assert [i.source_uri for i in items if isinstance(i, RawDocument)] == [URL]
    assert reasons(items) == [(URL + "?2", "truncated")]  # half a page is not loaded


def test_warc_with_non_html_and_broken_records(tmp_path: Path) -> None:
    other = ("https://news.example.com/b", PAGE.replace("Kim", "Kim").encode() + b" ",
             "text/html", "200 OK")
    broken = gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: many\r\n\r\nxx"
                           b"\r\n\r\n")
    data = (warc_bytes([ROBOTS, IMAGE, HTML_RECORD]) + broken + warc_bytes([other])
            + gzip.compress(b"this is not a warc record at all\r\n\r\n"))
    (tmp_path / "crawl.warc.gz").write_bytes(data)
    items = read(tmp_path / "crawl.warc.gz")
    assert [i.source_uri for i in items if isinstance(i, RawDocument)] == \
        [URL, "https://news.example.com/b"]
    assert reasons(items) == [("crawl.warc.gz#record4", "broken_record"),
                              ("crawl.warc.gz#record6", "broken_record")]


def test_warc_repeated_capture_is_rejected_not_duplicated(tmp_path: Path) -> None:
    (tmp_path / "c.warc.gz").write_bytes(warc_bytes([HTML_RECORD, HTML_RECORD]))
    items = read(tmp_path / "c.warc.gz")
    assert [i.source_uri for i in items if isinstance(i, RawDocument)] == [URL]
    assert reasons(items) == [("c.warc.gz#record2", "duplicate_uri")]


def test_invalid_json_lines_are_rejected_one_by_one(tmp_path: Path) -> None:
    lines = [json.dumps({"text": SEED_TEXT}), "{broken", "", "[1, 2]", '"just a string"',
             json.dumps({"title": "no body"}), json.dumps({"text": SEED_TEXT, "url": "u"}),
             json.dumps({"text": "again", "url": "u"})]
    (tmp_path / "f.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(tmp_path / "f.jsonl")
    assert [i.source_uri for i in items if isinstance(i, RawDocument)] == ["f.jsonl#L1", "u"]
    assert reasons(items) == [("f.jsonl#L2", "invalid_json"), ("f.jsonl#L4", "invalid_json"),
                              ("f.jsonl#L5", "invalid_json"), ("f.jsonl#L6", "no_text"),
                              ("f.jsonl#L8", "duplicate_uri")]


def test_jsonl_field_names_from_the_environment(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    line = {"body": SEED_TEXT, "headline": "Renamed", "meta": {"link": "https://x.example/a"}}
    (tmp_path / "f.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    monkeypatch.setenv(sources.JSONL_FIELDS_ENV, "text=body, title=headline,url=meta.link")
    doc, = only_docs(read(tmp_path / "f.jsonl"))
    assert (doc.source_uri, doc.metadata["title"]) == ("https://x.example/a", "Renamed")
    monkeypatch.setenv(sources.JSONL_FIELDS_ENV, "text=nothing")
    assert reasons(read(tmp_path / "f.jsonl")) == [("f.jsonl#L1", "no_text")]


@pytest.mark.parametrize("spec", ["text", "body=text", "text=", "=body"])
def test_bad_field_map_is_an_error(spec: str) -> None:
    with pytest.raises(ValueError, match="bad JSON lines field mapping"):
        sources.jsonl_field_map(spec)


def test_field_map_parses() -> None:
    assert sources.jsonl_field_map("text=body,title=headline") == {"text": "body",
                                                                   "title": "headline"}
    assert sources.jsonl_field_map("") == {}


def test_gzip_bomb_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_ARCHIVE_BYTES", 1_000_000)
    line = json.dumps({"text": "word " * 1000}) + "\n"
    (tmp_path / "bomb.jsonl.gz").write_bytes(gzip.compress(line.encode() * 2000))
    items = read(tmp_path / "bomb.jsonl.gz")
    assert reasons(items)[-1] == ("bomb.jsonl.gz", "too_large")
    assert len(items) < 250


def test_oversized_record_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_RECORD_BYTES", 5_000)
    (tmp_path / "c.warc.gz").write_bytes(warc_bytes([HTML_RECORD]))
    assert reasons(read(tmp_path / "c.warc.gz")) == [(URL, "too_large")]
    lines = (json.dumps({"text": "x " * 5_000}) + "\n"
             + json.dumps({"text": SEED_TEXT[:3000]}) + "\n")
    (tmp_path / "f.jsonl").write_text(lines, encoding="utf-8")
    items = read(tmp_path / "f.jsonl")
    assert reasons(items) == [("f.jsonl#L1", "too_large")]
    assert [i.source_uri for i in items if isinstance(i, RawDocument)] == ["f.jsonl#L2"]


@pytest.mark.parametrize(("data", "reason"), [
    (b"\x1f\x8b\x08\x00garbage", "truncated"),
    (gzip.compress(b"hello world " * 100, mtime=0)[:-8] + b"\0" * 8, "corrupt"),  # bad CRC
    (b"", "empty"),
    (bytes(range(256)) * 8, "binary"),
    (bytes(range(0x80, 0x100)) * 8, "encoding"),  # no encoding reads it as text
    (b"\x00\x01\x02\x03" * 300, "binary"),  # NUL bytes, not the pattern of UTF-16
])
def test_bad_files_are_rejects(tmp_path: Path, data: bytes, reason: str) -> None:
    (tmp_path / "bad.txt").write_bytes(data)
    assert reasons(read(tmp_path / "bad.txt")) == [("bad.txt", reason)]


def test_page_without_an_article_is_rejected_downstream(tmp_path: Path) -> None:
    from flows.run.flow import document_problem, parsed_document

    (tmp_path / "nav.html").write_text(
        "<!doctype html><html><body><header><nav><a href='/'>Home</a><a href='/w'>World</a>"
        "</nav></header><footer><p>© 2024 Example News</p></footer></body></html>")
    raw, = only_docs(read(tmp_path / "nav.html"))
    problem = document_problem(parsed_document(raw), 1_000_000)
    assert problem is not None and problem[0] == "no_text"


FRENCH = "Le ministre a déclaré à la presse que le budget était prêt. Les élèves étaient là."
GERMAN_TEXT = ("Der Stadtrat hat am Mittwochabend den Haushalt beschlossen. Grüße aus Köln, "
               "über Nacht.")
# Real bytes of each encoding and the name the reader records for them.
ENCODED_TEXTS = [
    ("latin-1", FRENCH.encode("latin-1"), FRENCH, "cp1252"),
    ("latin-1 German", GERMAN_TEXT.encode("latin-1"), GERMAN_TEXT, "cp1252"),
    ("cp1252 curly quotes 0x93/0x94",
     b"The minister said \x93the budget is ready\x94 and left \x96 quickly, at 5\x80.",
     "The minister said \u201cthe budget is ready\u201d and left \u2013 quickly, at 5\u20ac.",
     "cp1252"),
    ("utf-16 without BOM", FRENCH.encode("utf-16-le"), FRENCH, "utf-16-le"),
    ("utf-16 big-endian without BOM", FRENCH.encode("utf-16-be"), FRENCH, "utf-16-be"),
    ("shift-jis", "東京都は新しい計画を発表しました。市民の意見を聞きます。".encode("shift_jis"),
     "東京都は新しい計画を発表しました。市民の意見を聞きます。", None),
    ("utf-8", FRENCH.encode("utf-8"), FRENCH, "utf-8"),
]


@pytest.mark.parametrize(("case", "data", "text", "encoding"), ENCODED_TEXTS,
                         ids=[c[0] for c in ENCODED_TEXTS])
def test_plain_text_in_any_encoding_is_read_and_its_encoding_recorded(
        tmp_path: Path, case: str, data: bytes, text: str, encoding: str | None) -> None:
    (tmp_path / "old.txt").write_bytes(data)
    raw, = only_docs(read(tmp_path / "old.txt"))
    assert raw.text == text
    # Shift-JIS is read as its Microsoft superset cp932 (the same bytes for this text)
    assert raw.encoding == encoding or (encoding is None and raw.encoding in ("cp932",
                                                                              "shift_jis"))


def test_page_without_a_declared_charset_is_detected(tmp_path: Path) -> None:
    page = f"<html><head><title>Budget</title></head><body><p>{FRENCH}</p></body></html>"
    (tmp_path / "p.html").write_bytes(page.encode("cp1252"))
    raw, = only_docs(read(tmp_path / "p.html"))
    assert FRENCH in (raw.html or "") and raw.encoding == "cp1252"


def test_page_in_utf16_without_bom_is_html(tmp_path: Path) -> None:
    page = f"<!doctype html><html><body><p>{FRENCH}</p></body></html>"
    (tmp_path / "p.html").write_bytes(page.encode("utf-16-le"))
    raw, = only_docs(read(tmp_path / "p.html"))
    assert raw.source_format == "html" and raw.encoding == "utf-16-le"


def test_json_lines_in_latin1_are_read(tmp_path: Path) -> None:
    line = json.dumps({"title": "Budget", "text": FRENCH}, ensure_ascii=False)
    (tmp_path / "f.jsonl").write_bytes((line + "\n").encode("latin-1"))
    raw, = only_docs(read(tmp_path / "f.jsonl"))
    assert raw.text == FRENCH and raw.encoding == "cp1252"


def test_legacy_latin1_page_decodes_by_its_declared_charset(tmp_path: Path) -> None:
    page = ("<html><head><meta charset='iso-8859-1'></head><body><p>Le ministre a déclaré."
            "</p></body></html>")
    (tmp_path / "p.html").write_bytes(page.encode("latin-1"))
    raw, = only_docs(read(tmp_path / "p.html"))
    assert "déclaré" in (raw.html or "") and raw.encoding == "iso8859-1"
