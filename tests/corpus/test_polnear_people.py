"""The hand-made list of people (polnear_people.json) and the identity figures of a real run.

The list was built by reading PolNeAR train and dev; these tests keep it honest: every person is
named in at least 5 articles by the list's own matching rule, no form names two people, and a
real ``newsflow run`` over dev's text/ (corpus-level step included) holds the pinned floors of
identity and of who-about-whom."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring.identity import names_in, people_of

LIST = Path(__file__).with_name("polnear_people.json")
FLOOR = Path(__file__).parents[1] / "quality_floor.json"
TOLERANCE = 0.002


def _people() -> list:
    return people_of(json.loads(LIST.read_text(encoding="utf-8"))["people"])


def test_no_form_names_two_people() -> None:
    forms = [f.casefold() for p in _people() for f in p.forms]
    assert len(forms) == len(set(forms))


@pytest.mark.corpus
def test_every_person_is_named_in_at_least_five_articles(polnear_dir: Path) -> None:
    bodies = [t.read_text(encoding="utf-8").partition("\n")[2]
              for split in ("train", "dev") for t in sorted((polnear_dir / split / "text")
                                                            .glob("*.txt"))]
    rare = {p.name: n for p in _people() if (n := sum(names_in(b, p) for b in bodies)) < 5}
    assert not rare


@pytest.mark.corpus
def test_a_real_run_over_dev_holds_the_identity_floors(polnear_dir: Path,
                                                       tmp_path: Path) -> None:
    from flows.app.evaluation import gold_people, identity_in_warehouse
    from flows.run.launch import run
    from flows.run.records import Settings

    summary = run(Settings(seeds=polnear_dir / "dev" / "text", warehouse=tmp_path / "wh"))
    assert summary.status == "succeeded"
    got = identity_in_warehouse(tmp_path / "wh", gold_people(LIST), polnear_dir / "dev")
    floors = json.loads(FLOOR.read_text(encoding="utf-8"))
    drops = {k: (got[k], v) for k, v in floors["entities"].items()
             if not k.startswith("_") and got[k] < v - TOLERANCE}
    # who about whom and how often (scoring.about), from the same warehouse
    about = got["about"]
    drops |= {k: (about[k], v) for k, v in floors["about"].items()
              if not k.startswith("_") and not k.endswith("_max") and about[k] < v - TOLERANCE}
    drops |= {k: (about[k[:-4]], v) for k, v in floors["about"].items()
              if k.endswith("_max") and about[k[:-4]] > v + TOLERANCE}
    assert not drops, drops
