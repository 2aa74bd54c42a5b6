"""Every language is kept: the pipeline's own steps (read -> parse -> readability check ->
per-language extraction) on a German and a French page, without Prefect, and the per-language
spaCy pipeline setting."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from flows.adapters import nlp
from flows.adapters.environment import Environment
from flows.adapters.sources import SourceFile
from flows.run.flow import Shard, extract_articles, readable_documents
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "web"


@pytest.mark.parametrize(("spec", "expected"), [
    ("", {"en": "en_core_web_sm"}),
    ("fr=fr_core_news_sm", {"fr": "fr_core_news_sm", "en": "en_core_web_sm"}),
    (" de = my_de , FR=fr_core_news_sm ", {"de": "my_de", "fr": "fr_core_news_sm",
                                            "en": "en_core_web_sm"}),
    # English is always the run's model, whatever the setting says
    ("en=other", {"en": "en_core_web_sm"}),
])
def test_language_models(spec: str, expected: dict[str, str]) -> None:
    assert nlp.language_models("en_core_web_sm", spec) == expected


@pytest.mark.parametrize("spec", ["fr", "fr=", "=fr_core_news_sm", "f1=x"])
def test_bad_language_models_name_the_entry(spec: str) -> None:
    with pytest.raises(ValueError, match="bad language model entry"):
        nlp.language_models("en_core_web_sm", spec)


@pytest.fixture(scope="module")
def shard(tmp_path_factory: pytest.TempPathFactory) -> Shard:
    root = tmp_path_factory.mktemp("languages")
    items = []
    for name in ("de_article.html", "fr_article.html"):
        shutil.copy(FIXTURES / name, root / name)
        path = Path(root / name)
        items.append((SourceFile(path, name, path.stat().st_size), "sha"))
    out = Shard("run", dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    # No pipeline is set for German or French, so no model is loaded at all.
    extract_articles(out, nlp.language_models("en_core_web_sm", ""),
                     readable_documents(out, items, Environment()))
    return out


def test_other_languages_become_articles_not_rejects(shard: Shard) -> None:
    assert shard.rows["rejects"] == []
    found = {(r["source_uri"], r["language"], r["title"], str(r["published_date"]),
              tuple(r["authors"])) for r in shard.rows["articles"]}
    assert found == {
        ("de_article.html", "de", "Stadtrat beschließt neuen Haushalt", "2024-03-14",
         ("Anna Schmidt",)),
        ("fr_article.html", "fr", "Le conseil municipal adopte le budget", "2024-03-15",
         ("Marie Dupont",)),
    }


def test_their_captions_are_kept_with_parsed_credits(shard: Shard) -> None:
    caps = {(r["caption_text"], r["photographer"], r["agency"]) for r in shard.rows["captions"]}
    assert caps == {("Das Rathaus am Abend der Abstimmung.", "Peter Müller", "DPA"),
                    ("La mairie le soir du vote.", "Jean Martin", "AFP")}
    bodies = " ".join(r["body_text"] for r in shard.rows["articles"])
    assert "Foto:" not in bodies and "Photo :" not in bodies and "Rathaus am Abend" not in bodies


@pytest.mark.parametrize("table", ["quotes", "claims", "entities"])
def test_english_and_model_tables_stay_empty_for_them(shard: Shard, table: str) -> None:
    assert shard.rows[table] == []
