"""Glue: one parsed article and its spaCy sections -> rows for every article table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from transforms import schemas
from transforms.attribution import AttributionModel
from transforms.captions import CreditTable, caption_records
from transforms.claims import claim_records
from transforms.coref import CorefModel, resolved_people
from transforms.documents import ParsedDocument, word_count
from transforms.entities import canonical_entities, entity_records
from transforms.quotes import quote_records
from transforms.sections import Section


def article_id_for(source_uri: str) -> str:
    # Keyed on where the article came from, so a changed file replaces its own rows.
    return schemas.stable_id("article", source_uri)


def caption_id_for(article_id: str, position: int) -> str:
    return schemas.stable_id(article_id, "caption", position)


def published_month(date: dt.date | None) -> str:
    return date.strftime("%Y-%m") if date else schemas.UNKNOWN_MONTH


def section_texts(article_id: str, parsed: ParsedDocument) -> list[tuple[str, str | None, str]]:
    """(section, caption_id, text) for every section worth running the model on."""
    out: list[tuple[str, str | None, str]] = []
    if parsed.title:
        out.append(("title", None, parsed.title))
    if parsed.body_text:
        out.append(("body", None, parsed.body_text))
    out.extend(("caption", caption_id_for(article_id, c.position), c.text)
               for c in parsed.captions if c.text)
    return out


def article_record(parsed: ParsedDocument, provenance: Mapping[str, Any], language: str,
                   ingested_at: dt.datetime) -> dict[str, Any]:
    meta = provenance.get("metadata") or {}
    return {
        "article_id": provenance["article_id"],
        "source_uri": provenance["source_uri"],
        "content_sha256": provenance["content_sha256"],
        "title": parsed.title,
        "published_date": parsed.published_date,
        "date_source": parsed.date_source,
        "body_text": parsed.body_text,
        "word_count": word_count(parsed.body_text),
        "language": language,
        "authors": meta.get("authors"),
        "publisher": meta.get("publisher"),
        "url": meta.get("url"),
        "canonical_url": meta.get("canonical_url"),
        "source_format": provenance["source_format"],
        "source_encoding": provenance.get("encoding"),
        "fetched_at": meta.get("fetched_at"),
        "ingested_at": ingested_at,
    }


def article_rows(parsed: ParsedDocument, sections: Sequence[Section],
                 provenance: Mapping[str, Any], language: str, ingested_at: dt.datetime,
                 model: AttributionModel, credits: CreditTable,
                 coref: CorefModel) -> dict[str, list[dict[str, Any]]]:
    """Rows of every article table for one article, each stamped with its provenance
    (``model``: the learned attribution decision, ``credits``: the photo credit vocabulary,
    ``coref``: the person coreference ranker, all loaded by the flows layer). Who each
    pronoun and description is gets decided once, for the quotes and claims tables alike."""
    article_id = provenance["article_id"]
    entities = canonical_entities(sections)
    people = resolved_people(sections, entities, coref)
    rows = {
        "articles": [article_record(parsed, provenance, language, ingested_at)],
        "captions": caption_records(article_id, parsed.captions, credits),
        "quotes": quote_records(article_id, sections, entities, model, people),
        "entities": entity_records(article_id, entities),
        "claims": claim_records(article_id, sections, entities, model, people),
    }
    stamp = {
        "article_id": article_id,
        "source_uri": provenance["source_uri"],
        "content_sha256": provenance["content_sha256"],
        schemas.PARTITION: published_month(parsed.published_date),
    }
    return {name: [{**r, **stamp} for r in table_rows] for name, table_rows in rows.items()}
