"""A small hand-checked warehouse for the marts, data-dictionary and dashboard tests.

Five articles; a1 has two republished copies (a2 the same day, a4 two days later):

    a1 2024-03-01 Daily Planet  entities alice(3) acme(2) paris(1)
    a2 2024-03-01 Wire Times    copy of a1; alice(2) acme(1)
    a3 2024-03-02 Daily Planet  bob(1) paris(2); no url (links fall back to source_uri)
    a4 2024-03-03 Wire Times    copy of a1; alice(1)
    a5 undated    no publisher  acme(1)

Entity ids sort acme < alice < bob < paris. The expected numbers in the tests were counted by
hand from the rows below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa

from flows.adapters import release as storage
from transforms.schemas import to_table

INGESTED = dt.datetime(2024, 3, 4, 12, 0, tzinfo=dt.UTC)
ENTITY = {  # entity_id: (name, label)
    "e_acme": ("Acme Corp", "ORG"),
    "e_alice": ("Alice Adams", "PERSON"),
    "e_bob": ("Bob Brown", "PERSON"),
    "e_paris": ("Paris", "GPE"),
}


def _prov(article_id: str) -> dict[str, Any]:
    return {"article_id": article_id, "source_uri": f"file:///seeds/{article_id}.txt",
            "content_sha256": article_id * 8}


def _article(article_id: str, day: dt.date | None, publisher: str | None, title: str,
             url: str | None, duplicate_of: str | None = None) -> dict[str, Any]:
    return {**_prov(article_id), "title": title, "published_date": day,
            "body_text": f"Body of {article_id}.", "word_count": 3, "language": "en",
            "publisher": publisher, "url": url, "source_format": "txt",
            "ingested_at": INGESTED, "duplicate_of": duplicate_of,
            "duplicate_similarity": 0.95 if duplicate_of else None,
            "published_month": day.strftime("%Y-%m") if day else "unknown"}


def _month(article_id: str) -> str:
    return {"a5": "unknown"}.get(article_id, "2024-03")


def _entity(article_id: str, entity_id: str, count: int) -> dict[str, Any]:
    name, label = ENTITY[entity_id]
    mentions = [{"section": "body", "caption_id": None, "start": 0, "end": len(name),
                 "text": name}] * count
    return {**_prov(article_id), "entity_id": entity_id, "name": name, "label": label,
            "kind": "person" if label == "PERSON" else "org", "key": name.casefold(),
            "mention_count": count, "aliases": [name], "mentions": mentions,
            "published_month": _month(article_id)}


def _quote(quote_id: str, article_id: str, text: str, speaker_name: str | None = None,
           entity_id: str | None = None, role: str | None = None,
           scare: bool = False) -> dict[str, Any]:
    return {"quote_id": quote_id, **_prov(article_id), "section": "body", "start_char": 0,
            "end_char": len(text), "quote_text": text, "speaker_text": speaker_name,
            "parts": [{"start": 0, "end": len(text), "text": text}],
            "speaker_name": speaker_name, "speaker_entity_id": entity_id, "speaker_role": role,
            "cue_text": None if scare else "said", "cue_lemma": None if scare else "say",
            "is_scare_quote": scare, "confidence": 0.9, "published_month": _month(article_id)}


def _claim(claim_id: str, article_id: str, content: str, stance: str,
           source_text: str | None = None, source_name: str | None = None,
           entity_id: str | None = None, role: str | None = None) -> dict[str, Any]:
    return {"claim_id": claim_id, **_prov(article_id), "section": "body", "start_char": 0,
            "end_char": len(content), "content_text": content, "source_text": source_text,
            "source_name": source_name, "source_entity_id": entity_id, "source_role": role,
            "cue_text": "said", "cue_lemma": "say", "kind": "indirect", "stance": stance,
            "is_hedged": False, "confidence": 0.8, "published_month": _month(article_id)}


def _caption(caption_id: str, article_id: str, position: int, agency: str | None = None,
             photographer: str | None = None, distributor: str | None = None) -> dict[str, Any]:
    credit = " / ".join(x for x in (photographer, agency, distributor) if x) or None
    return {"caption_id": caption_id, **_prov(article_id), "position": position,
            "caption_text": f"Picture {caption_id}.", "credit_text": credit,
            "photographer": photographer, "agency": agency, "distributor": distributor,
            "published_month": _month(article_id)}


def tables() -> dict[str, pa.Table]:
    d1, d2, d3 = dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 3)
    return {
        "articles": to_table("articles", [
            _article("a1", d1, "Daily Planet", "Budget row", "https://planet.example/a1"),
            _article("a2", d1, "Wire Times", "Budget row (wire)", "https://wire.example/a2",
                     duplicate_of="a1"),
            _article("a3", d2, "Daily Planet", "Port strike", None),
            _article("a4", d3, "Wire Times", "Budget row, again", "https://wire.example/a4",
                     duplicate_of="a1"),
            _article("a5", None, None, "Undated note", None),
        ]),
        "entities": to_table("entities", [
            _entity("a1", "e_alice", 3), _entity("a1", "e_acme", 2), _entity("a1", "e_paris", 1),
            _entity("a2", "e_alice", 2), _entity("a2", "e_acme", 1),
            _entity("a3", "e_bob", 1), _entity("a3", "e_paris", 2),
            _entity("a4", "e_alice", 1),
            _entity("a5", "e_acme", 1),
        ]),
        "quotes": to_table("quotes", [
            _quote("q1", "a1", "We will balance the books", "Alice Adams", "e_alice",
                   "finance minister"),
            _quote("q2", "a2", "We will balance the books", "Alice Adams", "e_alice",
                   "minister"),
            _quote("q3", "a1", "savings", scare=True),
            _quote("q4", "a3", "The port stays shut", speaker_name="Bob and Carol"),
            _quote("q5", "a3", "We strike at dawn", speaker_name="Bob Brown",
                   entity_id="e_bob", role="union leader"),
        ]),
        "claims": to_table("claims", [
            _claim("c1", "a1", "the budget is balanced", "assert", "Adams", "Alice Adams",
                   "e_alice", "finance minister"),
            _claim("c2", "a1", "it owes no tax", "deny", "Acme", "Acme Corp", "e_acme"),
            _claim("c3", "a3", "the strike will last a week", "predict", "analysts"),
            _claim("c4", "a3", "talks had failed", "assert"),
            _claim("c5", "a4", "the deficit is falling", "assert", "she", "Alice Adams",
                   "e_alice", "Minister of Finance"),
            _claim("c6", "a3", "the union broke the deal", "accuse", "Paris", "Paris",
                   "e_paris"),
            _claim("c7", "a5", "nothing has changed", "assert", "Bob and Carol",
                   "Bob and Carol"),
        ]),
        "captions": to_table("captions", [
            _caption("p1", "a1", 0, "AFP", "Jane Doe", "Getty Images"),
            _caption("p2", "a2", 0, "AFP", "Jane Doe", "Getty Images"),
            _caption("p3", "a1", 1, "AP"),
            _caption("p4", "a3", 0),
        ]),
        "rejects": to_table("rejects", [
            {"source_uri": "file:///seeds/empty.txt", "reason": "empty", "seen_at": INGESTED,
             "run_id": "r1"},
        ]),
    }


def build(root: Path) -> Path:
    """A warehouse folder at root with news.duckdb built the way a release builds it."""
    storage.write_release_tables(root, tables())
    return storage.build_duckdb(root, storage.runs_table([]))
