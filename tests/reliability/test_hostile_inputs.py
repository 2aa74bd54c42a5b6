"""Hostile and odd input files, all in one folder, through one real run: every input path ends
up in articles.source_uri or rejects.source_uri with a clear reason, and none stops the run."""

from __future__ import annotations

import codecs
import os
import zlib
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.reliability.procs import Done, newsflow, run_args, small_article

pytestmark = pytest.mark.slow

TINY_FILES = 2000
ENGLISH = ("Officials in the capital said on Tuesday that the new water plan would be ready by "
           "June.\n\n\"We are confident the work will be finished on time,\" the minister told "
           "reporters. Critics said the cost was too high.\n")
UNICODE_PATH = "dir with spaces/\u00fcn\u00efc\u00f8d\u00e9 \u6587\u7ae0 \u2013 \u05e9\u05dc.txt"
# Reasons that mean our code failed, not that the input was bad.
BUG_REASONS = {"extractor_error", "parser_error", "reader_error"}


def gzip_bomb(path: Path, gib: float = 1.0) -> None:
    """~1 MB of gzip that inflates to `gib` GiB of zeros, written without holding either."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    with path.open("wb") as fh:
        for _ in range(int(gib * 1024)):
            fh.write(comp.compress(block))
        fh.write(comp.flush())


def make_inputs(seeds: Path) -> dict[str, str]:
    """Write the inputs; returns {source_uri: what we expect} ("article", "reject" or "any")."""
    expect: dict[str, str] = {}

    def put(name: str, data: bytes, outcome: str) -> None:
        path = seeds / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        expect[name] = outcome

    put("empty.txt", b"", "empty")
    put("blank.txt", b"  \n\t\r\n \xc2\xa0 \n\n", "empty")
    with (seeds / "huge.txt").open("wb") as fh:  # 50 MB of text
        line = (ENGLISH.replace("\n", " ") + "\n").encode()
        fh.write(line * (50_000_000 // len(line) + 1))
    expect["huge.txt"] = "too_large"
    put("binary.dat", bytes(range(256)) * 64, "binary")
    # not UTF-8, but cp1252 reads it: kept, as an old archive's file is
    put("invalid_utf8.txt", b"The minister said \xc3\x28 and \xff\xfe the plan was ready.\n",
        "article")
    put("undecodable.txt", bytes(range(0x80, 0x100)) * 8, "encoding")
    put("utf16_bom.txt", codecs.BOM_UTF16_LE + ENGLISH.encode("utf-16-le"), "article")
    put("windows_crlf.txt", ENGLISH.replace("\n", "\r\n").encode(), "article")
    put("zero_width_rtl.txt",
        ("Offi\u200bcials in the \u200fcapital\u200e said on Tuesday that the \u202ewater\u202c "
         "plan would be ready.\u2060\n\n\"We are con\u200dfident,\" the minister said in Arabic "
         "(\u0646\u062d\u0646 \u0648\u0627\u062b\u0642\u0648\u0646) and Hebrew "
         "(\u05d0\u05e0\u05d7\u05e0\u05d5). Critics said the cost was too high.\n").encode(),
        "article")
    put("only_quotes.txt", ("\"\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e'" * 300).encode(),
        "no_text")
    put(UNICODE_PATH, ENGLISH.encode(), "article")
    for i in range(TINY_FILES):
        put(f"tiny/{i:04d}.txt", small_article(i).encode(), "article")
    gzip_bomb(seeds / "bomb.txt.gz")
    expect["bomb.txt.gz"] = "reject"
    # symlink loops: a folder linking to its parent, a link to itself, two links to each other
    os.symlink(".", seeds / "loop")
    expect["loop"] = "symlinked_folder"
    os.symlink("self.txt", seeds / "self.txt")
    expect["self.txt"] = "unreadable"
    os.symlink("ping.txt", seeds / "pong.txt")
    os.symlink("pong.txt", seeds / "ping.txt")
    expect["ping.txt"] = expect["pong.txt"] = "unreadable"
    return expect


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, shared_env: dict[str, str]) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("hostile")
    seeds = root / "seeds"
    seeds.mkdir()
    expect = make_inputs(seeds)
    wh = root / "wh"
    done: Done = newsflow(run_args(seeds, wh), shared_env, timeout=900)
    out: dict[str, Any] = {"expect": expect, "done": done, "wh": wh}
    if (wh / "news.duckdb").exists():
        con = duckdb.connect(str(wh / "news.duckdb"), read_only=True)
        out["articles"] = {r[0]: r[1] for r in con.execute(
            "SELECT source_uri, body_text FROM articles").fetchall()}
        out["rejects"] = {r[0]: (r[1], r[2]) for r in con.execute(
            "SELECT source_uri, reason, detail FROM rejects").fetchall()}
        out["quotes"] = con.execute(
            "SELECT a.body_text, q.start_char, q.end_char, q.quote_text FROM quotes q "
            "JOIN articles a USING (article_id) WHERE q.section = 'body'").fetchall()
        out["claims"] = con.execute(
            "SELECT a.body_text, c.start_char, c.end_char, c.content_text FROM claims c "
            "JOIN articles a USING (article_id) WHERE c.section = 'body'").fetchall()
        con.close()
    return out


def test_run_completes(hostile: dict[str, Any]) -> None:
    done = hostile["done"]
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert "succeeded" in done.stdout
    assert "Traceback" not in done.stderr


def _outcome(hostile: dict[str, Any], uri: str) -> tuple[str, str]:
    if uri in hostile["articles"]:
        return "article", ""
    reasons = [v for k, v in hostile["rejects"].items() if k == uri or k.startswith(uri + "#")]
    assert reasons, f"{uri!r} is in neither articles nor rejects"
    return reasons[0]


def test_every_input_is_accounted_for(hostile: dict[str, Any]) -> None:
    missing = [uri for uri in hostile["expect"]
               if uri not in hostile["articles"]
               and not any(k == uri or k.startswith(uri + "#") for k in hostile["rejects"])]
    assert missing == []
    assert len(hostile["articles"]) + len(hostile["rejects"]) >= len(hostile["expect"])


@pytest.mark.parametrize("uri", ["empty.txt", "blank.txt", "huge.txt", "binary.dat",
                                 "invalid_utf8.txt", "utf16_bom.txt", "windows_crlf.txt",
                                 "zero_width_rtl.txt", "only_quotes.txt", "bomb.txt.gz", "loop",
                                 "self.txt", "ping.txt", "pong.txt"])
def test_each_odd_input_has_the_expected_outcome(hostile: dict[str, Any], uri: str) -> None:
    want = hostile["expect"][uri]
    kind, detail = _outcome(hostile, uri)
    assert kind not in BUG_REASONS, (uri, kind, detail)
    if want == "any":
        return
    if want == "reject":
        assert kind != "article" and detail, (uri, kind)
    else:
        assert kind == want, (uri, kind, detail)


def test_unicode_path_with_spaces_is_an_article(hostile: dict[str, Any]) -> None:
    uri = next(u for u in hostile["expect"] if u.startswith("dir with spaces/"))
    assert hostile["articles"].get(uri, "").startswith("Officials in the capital")


def test_text_is_decoded_and_kept_as_written(hostile: dict[str, Any]) -> None:
    arts = hostile["articles"]
    assert arts["utf16_bom.txt"].startswith("Officials in the capital")
    assert "\r" not in arts["windows_crlf.txt"] and "\n\n" in arts["windows_crlf.txt"]
    zw = arts["zero_width_rtl.txt"]
    assert "Offi\u200bcials" in zw and "\u202ewater\u202c" in zw and "\u05d0\u05e0" in zw


def test_thousands_of_tiny_files_all_become_articles(hostile: dict[str, Any]) -> None:
    tiny = [u for u in hostile["articles"] if u.startswith("tiny/")]
    assert len(tiny) == TINY_FILES


def test_offsets_index_the_section_text(hostile: dict[str, Any]) -> None:
    assert hostile["quotes"] and hostile["claims"]
    bad = [(t, s, e) for body, s, e, t in [*hostile["quotes"], *hostile["claims"]]
           if body[s:e] != t]
    assert bad == []
    # the zero-width / RTL article's quote is among those checked
    assert any("\u200d" in t for _, _, _, t in hostile["quotes"])


def test_no_reject_is_a_crash_of_our_code(hostile: dict[str, Any]) -> None:
    crashes = {u: r for u, r in hostile["rejects"].items() if r[0] in BUG_REASONS}
    assert crashes == {}
    assert all(reason and detail for reason, detail in hostile["rejects"].values())
