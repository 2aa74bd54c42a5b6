"""Readers: every input file becomes RawDocuments (or Rejects), streamed one at a time.

Discovery never follows symlinked folders (loops) and hashes bytes, so unchanged inputs are
recognised without parsing them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Larger files are rejected before they are read: a 50 MB "article" is a mistake or an attack,
# and spaCy would need gigabytes for it.
MAX_FILE_BYTES = 20_000_000
MAX_TEXT_CHARS = 1_000_000


@dataclass(frozen=True)
class RawDocument:
    """One article as read, before any parsing of its structure."""

    source_uri: str
    content_sha256: str
    source_format: str  # txt, html, jsonl, warc
    text: str | None = None  # plain text, when the source is text
    html: str | None = None  # markup, when the source is a web page
    metadata: dict[str, Any] = field(default_factory=dict)  # title, url, authors, fetched_at...


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


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def discover(root: Path) -> Iterator[SourceFile]:
    """Input files under root in a stable order; hidden files and symlinked folders skipped."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            try:
                size = path.stat().st_size
            except OSError:  # a dangling symlink still deserves a reject row
                size = -1
            yield SourceFile(path, path.relative_to(root).as_posix(), size)


def decode_text(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM; anything else is an error."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8")


def text_problem(data: bytes) -> tuple[str, str] | None:
    """Why these bytes are not a text article, or None when they are."""
    if not data.strip():
        return "empty", "the file is empty or only whitespace"
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary", "the file holds NUL bytes: it is binary, not text"
    return None


def read_text_file(src: SourceFile) -> Iterator[RawDocument | Reject]:
    try:
        data = src.path.read_bytes()
    except OSError as exc:
        yield Reject(src.source_uri, "unreadable", f"cannot read the file: {exc}")
        return
    digest = sha256_bytes(data)
    problem = text_problem(data)
    if problem:
        yield Reject(src.source_uri, problem[0], problem[1], digest)
        return
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        yield Reject(src.source_uri, "encoding",
                     f"not valid UTF-8 or BOM-marked UTF-16 (byte {exc.start}): {exc.reason}",
                     digest)
        return
    if not text.strip():
        yield Reject(src.source_uri, "empty", "the file holds no visible text", digest)
        return
    yield RawDocument(src.source_uri, digest, "txt", text=text)


READERS = {".txt": read_text_file}


def read_source(src: SourceFile) -> Iterator[RawDocument | Reject]:
    """Every document in one input file; a reader's crash becomes a reject, never an exception."""
    if src.size < 0:
        yield Reject(src.source_uri, "unreadable", "the path cannot be read (dangling symlink?)")
        return
    if src.size > MAX_FILE_BYTES:
        yield Reject(src.source_uri, "too_large",
                     f"{src.size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit per file")
        return
    reader = READERS.get(src.path.suffix.lower(), read_text_file)
    try:
        yield from reader(src)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        yield Reject(src.source_uri, "reader_error", f"{type(exc).__name__}: {exc}")
