"""Readers: every input file becomes RawDocuments (or Rejects), streamed one at a time.

Discovery never follows symlinked folders (loops) and hashes bytes, so unchanged inputs are
recognised without parsing them.

A file's format is read from its content, not its name (``sniff_format``): gzip is looked
inside, "WARC/1." opens a web archive, "<!doctype html"/"<html" a page, a JSON object per line
is JSON lines, anything else is plain text. Archives and JSON lines are streamed record by
record, never unpacked to disk or memory; decompressed bytes are capped (gzip bombs), and a bad
record or line costs that record, not the file.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import os
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from pathlib import Path
from typing import IO, Any

from flows.adapters.environment import Environment, variable
from transforms import formats

# Larger files are rejected before they are read: a 50 MB "article" is a mistake or an attack,
# and spaCy would need gigabytes for it.
MAX_FILE_BYTES = 20_000_000
# Streamed containers (WARC, JSON lines, gzip): decompressed bytes per file and per record.
MAX_ARCHIVE_BYTES = 200_000_000
MAX_RECORD_BYTES = 20_000_000
SNIFF_BYTES = 65_536
JSONL_FIELDS_ENV = variable("jsonl_fields")


@dataclass(frozen=True)
class RawDocument:
    """One article as read, before any parsing of its structure."""

    source_uri: str
    content_sha256: str
    source_format: str  # txt, html, jsonl, warc
    text: str | None = None  # plain text, when the source is text
    html: str | None = None  # markup, when the source is a web page
    metadata: dict[str, Any] = field(default_factory=dict)  # title, url, authors, fetched_at...
    encoding: str | None = None  # the character encoding its bytes were read in


@dataclass(frozen=True)
class Reject:
    source_uri: str
    reason: str
    detail: str
    content_sha256: str | None = None


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source_uri: str  # relative to the input root, so ids do not depend on the checkout path
    size: int
    mtime_ns: int = -1  # with size, what tells discovery a file is unchanged without reading it


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def discover(root: Path) -> Iterator[SourceFile]:
    """Input files under root in a stable order; hidden files skipped, symlinked folders not
    followed (each is yielded with size -1, so it becomes a reject row)."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in dirnames:  # not followed (it may loop), but not silently dropped either
            if (Path(dirpath) / name).is_symlink():
                link = Path(dirpath) / name
                yield SourceFile(link, link.relative_to(root).as_posix(), -1)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            try:
                stat = path.stat()
                size, mtime = stat.st_size, stat.st_mtime_ns
            except OSError:  # a dangling symlink still deserves a reject row
                size, mtime = -1, -1
            yield SourceFile(path, path.relative_to(root).as_posix(), size, mtime)


def decode_text(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM; anything else is an error."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8")


def _utf16_without_bom(head: bytes) -> str | None:
    """utf-16-le or utf-16-be when the bytes look like mostly-ASCII UTF-16 without a BOM (a
    NUL beside nearly every other byte, always on the same side), else None."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    odd_nuls, even_nuls = head[1:2 * pairs:2].count(0), head[0:2 * pairs:2].count(0)
    wide = ("utf-16-le" if odd_nuls >= 0.4 * pairs and even_nuls <= 0.02 * pairs
            else "utf-16-be" if even_nuls >= 0.4 * pairs and odd_nuls <= 0.02 * pairs else None)
    if wide is None:
        return None
    # and what it spells is text, not control codes (binary with NULs in every other byte)
    text = head[:2 * pairs].decode(wide, errors="replace")
    controls = sum(1 for c in text if not c.isprintable() and c not in "\n\r\t")
    return wide if controls <= 0.02 * len(text) else None


# Single-byte code pages read short Western texts nearly equally well (cp1250, cp850, cp1252
# all "decode" them); cp1252, the legacy default of the web and of Windows archives (WHATWG
# reads "latin-1" as it), wins when it reads the bytes about as cleanly as the best guess.
_WESTERN = "cp1252"
CHAOS_TIE = 0.05


def detected_text(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for bytes that are not UTF-8, by charset-normalizer; None when no
    encoding reads them."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:MAX_RECORD_BYTES]))
    if not matches:
        return None
    best = matches[0]
    tied = [m for m in matches if m.chaos <= best.chaos + CHAOS_TIE]
    western = any(_WESTERN in m.could_be_from_charset for m in tied)
    encoding = codecs.lookup(_WESTERN if western else best.encoding).name
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        return str(best), encoding


def text_and_encoding(data: bytes) -> tuple[str, str] | None:
    """(text, encoding): a BOM's UTF-8 or UTF-16, UTF-16 without BOM, UTF-8, else what
    charset-normalizer finds (Latin-1, cp1252, Shift-JIS...); None when nothing reads them."""
    try:
        if data.startswith(b"\xef\xbb\xbf") or data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return decode_text(data), "utf-16" if data[:1] in (b"\xff", b"\xfe") else "utf-8"
        if (wide := _utf16_without_bom(data[:8192])) is not None:
            return data.decode(wide), wide
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return detected_text(data)


def text_problem(data: bytes) -> tuple[str, str] | None:
    """Why these bytes are not a text article, or None when they are."""
    if not data.strip():
        return "empty", "the file is empty or only whitespace"
    head = data[:8192]
    kind = formats.binary_format(head)
    if kind:  # name it: "a PDF document" tells a user more than a decoding error
        return "binary", f"the file is {kind}, not text"
    if (b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
            and _utf16_without_bom(head) is None):
        return "binary", "the file holds NUL bytes: it is binary, not text"
    return None


# -- format sniffing -------------------------------------------------------------------------

FORMATS = ("txt", "html", "jsonl", "warc")
_HTML_START = re.compile(rb"^(?:<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<(?:!doctype\s+)?html)",
                         re.IGNORECASE)
_HTML_SOON = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


def _is_json_object_line(head: bytes, complete: bool) -> bool:
    line = head.split(b"\n", 1)[0]
    if b"\n" not in head and not complete:  # a first line longer than the sniffed bytes
        return line.startswith(b'{"')
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def sniff_format(head: bytes, name: str = "", *, complete: bool = False) -> str:
    """txt, html, jsonl or warc from a file's first bytes (already decompressed); the name only
    breaks ties (a .html file that starts with a bare <div>). ``complete``: head is the whole
    file."""
    lower_name = name.lower().removesuffix(".gz")
    wide = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else _utf16_without_bom(head)
    if wide is not None:
        try:
            head = head[:len(head) // 2 * 2].decode(wide).encode("utf-8")
        except UnicodeDecodeError:
            return "txt"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"WARC/1.", b"WARC/0.")):
        return "warc"
    if _HTML_START.match(text):
        return "html"
    if text.startswith(b"{") and (_is_json_object_line(text, complete)
                                  or lower_name.endswith(_JSONL_SUFFIXES)):
        return "jsonl"
    if text.startswith(b"<") and (_HTML_SOON.search(text[:4096])
                                  or lower_name.endswith(_HTML_SUFFIXES)):
        return "html"
    return "txt"


class TooLarge(Exception):
    """More decompressed bytes than the cap allows."""


class _Capped(io.RawIOBase):
    """A byte stream that fails once more than ``limit`` bytes have been read from it."""

    def __init__(self, inner: IO[bytes], limit: int) -> None:
        self.inner, self.limit, self.count = inner, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        # read1: what is decompressed so far comes out before a damaged part raises.
        read = getattr(self.inner, "read1", self.inner.read)
        data = read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise TooLarge(f"over {self.limit:,} decompressed bytes")
        buffer[:len(data)] = data
        return len(data)


def _is_gzip(head: bytes) -> bool:
    return head[:2] == b"\x1f\x8b"


def _stream_problem(exc: BaseException) -> tuple[str, str]:
    """(reason, detail) for an error met while streaming a file."""
    if isinstance(exc, TooLarge):
        return "too_large", str(exc)
    if isinstance(exc, EOFError):
        return "truncated", f"the compressed data ends early: {exc}"
    if isinstance(exc, gzip.BadGzipFile | zlib.error):
        return "corrupt", f"the gzip data is damaged: {exc}"
    return "reader_error", f"{type(exc).__name__}: {exc}"


def _read_capped(stream: IO[bytes], limit: int) -> bytes:
    """Everything left in the stream, or TooLarge past ``limit`` bytes (read() may return
    less than asked, so read until the end)."""
    parts: list[bytes] = []
    total = 0
    while True:
        block = stream.read(min(1 << 20, limit + 1 - total))
        if not block:
            return b"".join(parts)
        parts.append(block)
        total += len(block)
        if total > limit:
            raise TooLarge(f"over {limit:,} bytes")


# -- plain text ------------------------------------------------------------------------------

def text_documents(source_uri: str, data: bytes) -> Iterator[RawDocument | Reject]:
    digest = sha256_bytes(data)
    problem = text_problem(data)
    if problem:
        yield Reject(source_uri, problem[0], problem[1], digest)
        return
    found = text_and_encoding(data)
    if found is None:
        yield Reject(source_uri, "encoding", "no character encoding reads the file", digest)
        return
    text, encoding = found
    if not text.strip():
        yield Reject(source_uri, "empty", "the file holds no visible text", digest)
        return
    yield RawDocument(source_uri, digest, "txt", text=text, encoding=encoding)


def read_text_file(src: SourceFile) -> Iterator[RawDocument | Reject]:
    try:
        data = src.path.read_bytes()
    except OSError as exc:
        yield Reject(src.source_uri, "unreadable", f"cannot read the file: {exc}")
        return
    yield from text_documents(src.source_uri, data)


# -- web pages -------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""",
                           re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)


def html_text(data: bytes, content_type: str | None = None) -> tuple[str, str] | None:
    """(text, encoding) of a page: BOM, then the HTTP header's or the page's declared charset,
    then UTF-16 without BOM and UTF-8, then charset-normalizer's best guess; None when nothing
    decodes it."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        found = text_and_encoding(data)
        if found is not None:
            return found
    header = _HEADER_CHARSET.search(content_type or "")
    declared = [header.group(1)] if header else []
    page = _META_CHARSET.search(data[:8192])
    if page:
        declared.append(page.group(1).decode("ascii", "replace"))
    wide = _utf16_without_bom(data[:8192])
    for encoding in (*declared, *([wide] if wide else []), "utf-8"):
        try:
            return data.decode(encoding), codecs.lookup(encoding).name
        except (LookupError, UnicodeDecodeError):
            continue
    return detected_text(data)


def html_document(source_uri: str, data: bytes, source_format: str,
                  known: Mapping[str, Any] | None = None,
                  content_type: str | None = None) -> RawDocument | Reject:
    """One web page: its text and metadata (the page's own, overridden by ``known``)."""
    from transforms.page_metadata import html_metadata

    digest = sha256_bytes(data)
    if not data.strip():
        return Reject(source_uri, "empty", "the page is empty", digest)
    found = html_text(data, content_type)
    if found is None:
        return Reject(source_uri, "encoding", "no character encoding decodes the page", digest)
    html, encoding = found
    if "<" not in html[:MAX_RECORD_BYTES]:
        return Reject(source_uri, "not_html", "the page holds no markup", digest)
    given = {k: v for k, v in (known or {}).items() if v not in (None, "", [])}
    metadata = {**html_metadata(html), **given}
    if "published_date" in given:  # the crawl record's date, not the page's
        metadata["date_source"] = "metadata"
    return RawDocument(source_uri, digest, source_format, html=html, metadata=metadata,
                       encoding=encoding)


# -- JSON lines ------------------------------------------------------------------------------

# Our field -> the names it is looked up under, first found wins. "a.b" reads nested objects.
JSONL_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "article", "maintext"),
    "html": ("html", "raw_html"),
    "url": ("url", "link", "uri"),
    "published_date": ("published_date", "date_published", "datePublished", "published",
                       "published_at", "publish_date", "date"),
    "authors": ("authors", "author", "byline"),
    "publisher": ("publisher", "source", "site_name", "sitename", "source_domain"),
    "canonical_url": ("canonical_url",),
    "fetched_at": ("fetched_at", "crawled_at", "date_download", "fetched"),
    "language": ("language", "lang"),
}


def jsonl_field_map(spec: str | None = None) -> dict[str, str]:
    """``"text=body,title=headline"`` (default: $NEWSFLOW_JSONL_FIELDS) -> {"text": "body",
    "title": "headline"}. Raises ValueError naming the bad entry."""
    spec = Environment.read().jsonl_fields if spec is None else spec
    out: dict[str, str] = {}
    for entry in (e.strip() for e in spec.split(",")):
        if not entry:
            continue
        ours, sep, theirs = (part.strip() for part in entry.partition("="))
        if not sep or not theirs or ours not in JSONL_FIELDS:
            raise ValueError(f"bad JSON lines field mapping {entry!r}: expected ours=theirs with "
                             f"ours one of {', '.join(JSONL_FIELDS)}")
        out[ours] = theirs
    return out


def _lookup(record: Mapping[str, Any], name: str) -> Any:
    value: Any = record.get(name)
    if value is None and "." in name:
        value = record
        for part in name.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _field(record: Mapping[str, Any], ours: str, field_map: Mapping[str, str]) -> Any:
    names = (field_map[ours],) if ours in field_map else JSONL_FIELDS[ours]
    for name in names:
        value = _lookup(record, name)
        if value not in (None, "", []):
            return value
    return None


def jsonl_metadata(record: Mapping[str, Any], field_map: Mapping[str, str]) -> dict[str, Any]:
    from transforms.values import coerce_authors, coerce_date, coerce_datetime, language_code

    def text(ours: str) -> str | None:
        value = _field(record, ours, field_map)
        return " ".join(value.split()) if isinstance(value, str) and value.strip() else None

    found = {
        "title": text("title"),
        "published_date": coerce_date(_field(record, "published_date", field_map)),
        "authors": coerce_authors(_field(record, "authors", field_map)),
        "publisher": text("publisher"),
        "url": text("url"),
        "canonical_url": text("canonical_url"),
        "fetched_at": coerce_datetime(_field(record, "fetched_at", field_map)),
        "language": language_code(_field(record, "language", field_map)),
    }
    return {k: v for k, v in found.items() if v is not None}


def jsonl_document(file_uri: str, line_no: int, line: bytes,
                   field_map: Mapping[str, str]) -> RawDocument | Reject:
    where = f"{file_uri}#L{line_no}"
    digest = sha256_bytes(line)
    found = text_and_encoding(line)
    if found is None:
        return Reject(where, "encoding", f"no character encoding reads line {line_no}", digest)
    decoded, encoding = found
    try:
        record = json.loads(decoded)
    except ValueError as exc:
        return Reject(where, "invalid_json", f"line {line_no} is not valid JSON: {exc}", digest)
    if not isinstance(record, dict):
        return Reject(where, "invalid_json",
                      f"line {line_no} holds a JSON {type(record).__name__}, not an object",
                      digest)
    meta = jsonl_metadata(record, field_map)
    uri = meta.get("url") or where
    text, html = _field(record, "text", field_map), _field(record, "html", field_map)
    if isinstance(text, str) and text.strip():
        return RawDocument(uri, digest, "jsonl", text=text, metadata=meta, encoding=encoding)
    if isinstance(html, str) and html.strip():
        doc = html_document(uri, html.encode("utf-8"), "jsonl", meta)
        # the page came inside the line: the line's bytes are what was decoded
        return (dataclass_replace(doc, content_sha256=digest, encoding=encoding)
                if isinstance(doc, RawDocument) else doc)
    wanted = "/".join((field_map["text"],) if "text" in field_map else JSONL_FIELDS["text"])
    return Reject(uri, "no_text", f"line {line_no} has no text or html field (looked for "
                                  f"{wanted}; set {JSONL_FIELDS_ENV} to name yours)", digest)


def _lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line without its end) -- None for a line over ``limit`` bytes."""
    line_no = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        line_no += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # skip the rest of the oversized line without holding it
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield line_no, None
            continue
        yield line_no, line.rstrip(b"\r\n")


def jsonl_documents(src: SourceFile, stream: IO[bytes],
                    field_map: Mapping[str, str] | None = None) -> Iterator[RawDocument | Reject]:
    field_map = jsonl_field_map() if field_map is None else field_map
    seen: dict[str, int] = {}
    for line_no, line in _lines(stream, MAX_RECORD_BYTES):
        if line is None:
            yield Reject(f"{src.source_uri}#L{line_no}", "too_large",
                         f"line {line_no} is over {MAX_RECORD_BYTES:,} bytes")
            continue
        if not line.strip():
            continue
        doc = jsonl_document(src.source_uri, line_no, line, field_map)
        if isinstance(doc, RawDocument):
            if doc.source_uri in seen:
                yield Reject(f"{src.source_uri}#L{line_no}", "duplicate_uri",
                             f"url {doc.source_uri} already read from line {seen[doc.source_uri]}",
                             doc.content_sha256)
                continue
            seen[doc.source_uri] = line_no
        yield doc


# -- WARC ------------------------------------------------------------------------------------

class _Latch:
    """What warcio reads through: a read error is kept (warcio would take an EOFError from a
    truncated gzip for the archive's end) and looks like the end of the data."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.error = stream, None  # type: Any, BaseException | None

    def read(self, size: int = -1) -> bytes:
        if self.error is not None:
            return b""
        try:
            read1 = getattr(self.stream, "read1", self.stream.read)
            return bytes(read1(size if size and size > 0 else 1 << 16))
        except Exception as exc:  # noqa: BLE001 - reported by warc_documents after the records
            self.error = exc
            return b""


def _content_length_ok(record: Any) -> bool:
    value = record.rec_headers.get_header("Content-Length")
    return value is not None and value.strip().isdigit()


def warc_documents(src: SourceFile, stream: IO[bytes]) -> Iterator[RawDocument | Reject]:
    """Every HTML response (status 200) of a web archive; other records are skipped, broken
    ones rejected."""
    from warcio.archiveiterator import ArchiveIterator

    from transforms.values import coerce_datetime

    seen: dict[str, int] = {}
    number = 0
    latch = _Latch(stream)
    records = iter(ArchiveIterator(latch))
    while True:
        try:
            record = next(records)
        except StopIteration:
            if latch.error is not None:
                reason, detail = _stream_problem(latch.error)
                yield Reject(src.source_uri, reason, f"after record {number}: {detail}")
            return
        except Exception as exc:  # noqa: BLE001 - warcio cannot resync after a bad header
            reason, detail = _stream_problem(latch.error or exc)
            if reason == "reader_error":
                reason, detail = "broken_record", f"record {number + 1}: {detail}"
            yield Reject(f"{src.source_uri}#record{number + 1}", reason,
                         f"{detail}; the rest of the archive was not read")
            return
        number += 1
        where = f"{src.source_uri}#record{number}"
        if not _content_length_ok(record):
            yield Reject(where, "broken_record",
                         f"record {number} has no valid Content-Length header")
            continue
        if record.rec_type != "response" or record.http_headers is None:
            continue
        status = record.http_headers.get_statuscode()
        content_type = record.http_headers.get_header("Content-Type") or ""
        if status != "200" or "html" not in content_type.lower():
            continue
        uri = record.rec_headers.get_header("WARC-Target-URI") or where
        try:
            data = _read_capped(record.content_stream(), MAX_RECORD_BYTES)
        except TooLarge:
            yield Reject(uri, "too_large", f"record {number} holds over "
                                           f"{MAX_RECORD_BYTES:,} bytes of content")
            continue
        except Exception as exc:  # noqa: BLE001 - a damaged payload costs its record only
            if isinstance(exc, EOFError | TooLarge):
                raise
            yield Reject(uri, "broken_record",
                         f"record {number}: cannot read its content: {type(exc).__name__}: {exc}")
            continue
        if latch.error is not None:  # the data ended inside this record: it is incomplete
            reason, detail = _stream_problem(latch.error)
            yield Reject(uri, reason, f"record {number} is incomplete: {detail}",
                         sha256_bytes(data))
            return
        if uri in seen:
            yield Reject(where, "duplicate_uri",
                         f"{uri} already read from record {seen[uri]}", sha256_bytes(data))
            continue
        seen[uri] = number
        known = {"url": None if uri == where else uri,
                 "fetched_at": coerce_datetime(record.rec_headers.get_header("WARC-Date"))}
        yield html_document(uri, data, "warc", known, content_type)


# -- dispatch --------------------------------------------------------------------------------

def _html_file(src: SourceFile, stream: IO[bytes]) -> Iterator[RawDocument | Reject]:
    yield html_document(src.source_uri, _read_capped(stream, MAX_FILE_BYTES), "html")


def _text_file(src: SourceFile, stream: IO[bytes]) -> Iterator[RawDocument | Reject]:
    yield from text_documents(src.source_uri, _read_capped(stream, MAX_FILE_BYTES))


def _jsonl_file(src: SourceFile, stream: IO[bytes]) -> Iterator[RawDocument | Reject]:
    yield from jsonl_documents(src, stream)


# Format (from sniff_format) -> reader of the (decompressed, capped) byte stream.
READERS = {"txt": _text_file, "html": _html_file, "jsonl": _jsonl_file, "warc": warc_documents}
STREAMED = ("jsonl", "warc")  # formats read record by record, allowed MAX_ARCHIVE_BYTES


def _gzip_head(raw_head: bytes) -> bytes:
    """The first decompressed bytes of gzip data (through member boundaries), without touching
    the stream that will be read: damage further on must not hide the records before it."""
    out, data = b"", raw_head
    while data[:2] == b"\x1f\x8b" and len(out) < SNIFF_BYTES:
        unzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out += unzip.decompress(data, SNIFF_BYTES - len(out))
        if not unzip.eof:
            break
        data = unzip.unused_data
    return out


def open_source(path: Path) -> tuple[str, bool, IO[bytes]]:
    """(format, gzipped, stream of decompressed bytes capped at MAX_ARCHIVE_BYTES); the caller
    closes the stream."""
    raw: Any = path.open("rb", buffering=SNIFF_BYTES)
    try:
        head = raw.peek(SNIFF_BYTES)[:SNIFF_BYTES]
        size = path.stat().st_size
        gz = _is_gzip(head)
        if gz:
            head = _gzip_head(head)
        inner: Any = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
        stream = io.BufferedReader(_Capped(inner, MAX_ARCHIVE_BYTES), buffer_size=1 << 16)
        complete = size <= SNIFF_BYTES and (gz or len(head) >= size)
        return sniff_format(head, path.name, complete=complete), gz, stream
    except BaseException:
        raw.close()
        raise


def read_source(src: SourceFile, field_map: Mapping[str, str] | None = None,
                ) -> Iterator[RawDocument | Reject]:
    """Every document in one input file; a reader's crash becomes a reject, never an exception.
    ``field_map``: the JSON lines field names (``jsonl_field_map``; default the environment's).

    Documents read before a file turns out damaged (truncated gzip, broken WARC record) are
    kept, and the damage is one more reject."""
    if src.size < 0 and src.path.is_symlink() and src.path.is_dir():
        yield Reject(src.source_uri, "symlinked_folder",
                     "a symlinked folder is not followed (it could loop); link its files instead")
        return
    if src.size < 0:
        yield Reject(src.source_uri, "unreadable", "the path cannot be read (dangling symlink?)")
        return
    if src.size > MAX_ARCHIVE_BYTES:
        yield Reject(src.source_uri, "too_large",
                     f"{src.size:,} bytes is over the {MAX_ARCHIVE_BYTES:,}-byte limit per file")
        return
    try:
        fmt, gz, stream = open_source(src.path)
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:  # BadGzipFile is an OSError
        yield Reject(src.source_uri, *_stream_problem(exc))
        return
    except OSError as exc:
        yield Reject(src.source_uri, "unreadable", f"cannot read the file: {exc}")
        return
    with stream:
        if fmt not in STREAMED and not gz and src.size > MAX_FILE_BYTES:
            yield Reject(src.source_uri, "too_large",
                         f"{src.size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit per file")
            return
        try:
            if fmt == "jsonl":
                yield from jsonl_documents(src, stream, field_map)
            else:
                yield from READERS[fmt](src, stream)
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
            reason, detail = _stream_problem(exc)
            if fmt == "txt" or fmt == "html":
                detail = detail.replace(f"{MAX_ARCHIVE_BYTES:,}", f"{MAX_FILE_BYTES:,}")
            yield Reject(src.source_uri, reason, detail)
