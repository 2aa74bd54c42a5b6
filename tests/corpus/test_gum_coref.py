"""The person coreference step on GUM DEV (issue 27): the share of person pronouns and of
person descriptions resolved to a name of their gold chain, and the link precision, recalled
with the shipped model (models/coref/) through models/train_coref.py's own reading of the
corpus, may not drop below tests/quality_floor.json's "coref" floors (tolerance 0.002)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUM = ROOT.parent / "shared" / "corpora" / "gum-coref"
FLOOR = ROOT / "tests" / "quality_floor.json"
TOLERANCE = 0.002


def trainer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_coref", ROOT / "models" / "train_coref.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_coref"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.corpus
def test_gum_dev_figures_hold_the_floor() -> None:
    from flows.adapters.nlp import coref_model, load

    train = trainer()
    nlp = load()
    arts = [train.article_of(nlp, train.read_conll(p)) for p in train.split(GUM)["dev"]]
    got = train.evaluate(arts, coref_model())
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))["coref"]
    figures = {f"gum_dev_{kind}_{name}": got[kind][name]
               for kind in ("pronoun", "description") for name in ("accuracy", "link_precision")}
    drops = {k: (figures[k], v) for k, v in floor.items()
             if not k.startswith("_") and figures[k] < v - TOLERANCE}
    assert not drops, f"GUM dev figures below the pinned floor (got, floor): {drops}"
