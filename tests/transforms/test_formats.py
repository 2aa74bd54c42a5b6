"""Naming non-text formats from their first bytes (transforms/formats.py)."""

from __future__ import annotations

import io
import zipfile

import pytest

from transforms.formats import binary_format


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in names:
            zf.writestr(name, "x")
    return out.getvalue()


def _tar() -> bytes:
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tf:
        info = tarfile.TarInfo("a.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"x"))
    return out.getvalue()


@pytest.mark.parametrize(("head", "expected"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
    (b"GIF89a\x01\x00\x01\x00", "a GIF image"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "a WebP image"),
    (b"II*\x00\x08\x00\x00\x00", "a TIFF image"),
    (_zip(["word/document.xml", "[Content_Types].xml"]), "a Word document (.docx)"),
    (_zip(["xl/workbook.xml", "[Content_Types].xml"]), "an Excel workbook (.xlsx)"),
    (_zip(["ppt/presentation.xml"]), "a PowerPoint presentation (.pptx)"),
    (_zip(["mimetype"]).replace(b"x", b"application/vnd.oasis.opendocument.text"),
     "an OpenDocument text (.odt)"),
    (_zip(["notes.txt"]), "a zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "an old Microsoft Office document (Word, "
                                                  "Excel or PowerPoint)"),
    (b"{\\rtf1\\ansi\\deff0 {\\fonttbl", "an RTF document"),
    (b"\x1f\x8b\x08\x00\x00\x00", "a gzip archive"),
    (b"BZh91AY&SY\x00", "a bzip2 archive"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04", "a 7-Zip archive"),
    (_tar(), "a tar archive"),
    (b"\x00\x00\x00\x18ftypmp42", "an MP4 or QuickTime video, or a HEIC image"),
    (b"\x7fELF\x02\x01\x01", "an executable program"),
    # text is not a binary format, even when it mentions one or starts like a signature's word
    (b"The PDF of the report, %PDF- and all, was leaked.", None),
    (b"PK said on Monday that the talks would go on.", None),
    (b"BZh is not a word, and neither is GIF8.", None),
    (b"{\"text\": \"a JSON line\"}", None),
    (b"<!doctype html><html><body>a page</body></html>", None),
    (b"", None),
])
def test_binary_format(head: bytes, expected: str | None) -> None:
    assert binary_format(head) == expected
