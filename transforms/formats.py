"""Which common non-text format a file's first bytes are (PDF, images, archives, office
documents, audio and video, executables), from their signatures, so that a reject can name it
rather than report a decoding error. Pure: bytes in, a name out."""

from __future__ import annotations

import re

# (what it is, signature at offset 0); the first match wins, so specific ones come first.
_PREFIXES: tuple[tuple[str, bytes], ...] = (
    ("a PDF document", b"%PDF-"),
    ("a PostScript document", b"%!PS"),
    ("a PNG image", b"\x89PNG\r\n\x1a\n"),
    ("a JPEG image", b"\xff\xd8\xff"),
    ("a GIF image", b"GIF87a"),
    ("a GIF image", b"GIF89a"),
    ("a TIFF image", b"II*\x00"),
    ("a TIFF image", b"MM\x00*"),
    ("an icon image", b"\x00\x00\x01\x00"),
    ("an old Microsoft Office document (Word, Excel or PowerPoint)",
     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ("an RTF document", b"{\\rtf"),
    ("a gzip archive", b"\x1f\x8b"),
    ("a 7-Zip archive", b"7z\xbc\xaf\x27\x1c"),
    ("a RAR archive", b"Rar!\x1a\x07"),
    ("an xz archive", b"\xfd7zXZ\x00"),
    ("a Zstandard archive", b"\x28\xb5\x2f\xfd"),
    ("an Ogg audio or video file", b"OggS"),
    ("an MP3 audio file", b"ID3"),
    ("a Matroska or WebM video", b"\x1a\x45\xdf\xa3"),
    ("a FLAC audio file", b"fLaC"),
    ("an executable program", b"\x7fELF"),
    ("a SQLite database", b"SQLite format 3\x00"),
    ("a Parquet file", b"PAR1"),
)
_RIFF = {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# Office Open XML and OpenDocument files are zip archives; these names inside tell them apart.
_ZIP_OFFICE = ((b"word/", "a Word document (.docx)"), (b"xl/", "an Excel workbook (.xlsx)"),
               (b"ppt/", "a PowerPoint presentation (.pptx)"),
               (b"application/vnd.oasis.opendocument.text", "an OpenDocument text (.odt)"),
               (b"application/vnd.oasis.opendocument.spreadsheet",
                "an OpenDocument spreadsheet (.ods)"),
               (b"application/vnd.oasis.opendocument.presentation",
                "an OpenDocument presentation (.odp)"),
               (b"application/epub+zip", "an EPUB e-book"),
               (b"[Content_Types].xml", "a Microsoft Office document"))


def _zip_kind(head: bytes) -> str:
    for marker, kind in _ZIP_OFFICE:
        if marker in head:
            return kind
    return "a zip archive"


def binary_format(head: bytes) -> str | None:
    """What the file that starts with these bytes is ("a PDF document", "a zip archive", ...),
    or None when no known non-text signature matches."""
    if head.startswith(_ZIP):
        return _zip_kind(head)
    for kind, prefix in _PREFIXES:
        if head.startswith(prefix):
            return kind
    if head[:4] == b"RIFF" and head[8:12] in _RIFF:
        return _RIFF[head[8:12]]
    if head[4:8] == b"ftyp":
        return "an MP4 or QuickTime video, or a HEIC image"
    if _BZIP2.match(head):
        return "a bzip2 archive"
    if head[257:262] == b"ustar":
        return "a tar archive"
    return None
