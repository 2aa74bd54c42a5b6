"""A non-text file among the inputs is rejected as what it is, whatever its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.adapters.sources import Reject, discover, read_source


@pytest.mark.parametrize(("name", "data", "detail"), [
    ("report.txt", b"%PDF-1.4\n\xc7\xec\x8f\xa2\n1 0 obj <<>> endobj",
     "the file is a PDF document, not text"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "the file is a PNG image, not text"),
    ("story.txt", b"PK\x03\x04\x14\x00\x06\x00word/document.xml\x00",
     "the file is a Word document (.docx), not text"),
])
def test_non_text_file_is_named(tmp_path: Path, name: str, data: bytes, detail: str) -> None:
    (tmp_path / name).write_bytes(data)
    [src] = discover(tmp_path)
    [item] = list(read_source(src))
    assert isinstance(item, Reject)
    assert (item.source_uri, item.reason, item.detail) == (name, "binary", detail)
