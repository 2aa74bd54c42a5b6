"""Incremental = one go: a warehouse's tables and views depend only on its set of documents,
never on how scheduled runs split them or in which order they came (real flow, GX, DuckDB,
spaCy). History is the exception: the runs table, run ids and times, and superseded ids."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from flows.run.launch import run
from flows.run.records import Settings
from tests.flows.relations import relations

# Negatives of the resolver's history: a bare surname before its full name; a full name after
# its surname went to someone else; an acronym before its long form, in separate articles.
SYNTHETIC = {
    "s1_surname.txt": "Union leaders meet\n\nUnion leaders met in Detroit on Tuesday. "
                      "“Our members are ready,” Biden said. Biden thanked the workers.\n",
    "s2_full.txt": "Biden tours plants\n\nJoe Biden toured two factories on Monday. "
                   "“We will bring these jobs back,” Biden said.\n",
    "s3_other.txt": "Hunter Biden testifies\n\nHunter Biden spoke to the committee on "
                    "Friday. “I did nothing wrong,” Hunter Biden said.\n",
    "s4_acronym.txt": "Trade talks\n\nThe U.S. said on Monday that the talks would go on. "
                      "Officials in the U.S. capital were hopeful.\n",
    "s5_long.txt": "Trade deal\n\nThe United States signed the deal on Friday, "
                   "officials said. The United States had sought it for years.\n",
}


def build(seeds: Path, warehouse: Path, runs: list[list[Path]]) -> dict[str, list[str]]:
    """Runs one after another, each adding its files to the seeds folder."""
    seeds.mkdir()
    for files in runs:
        for f in files:
            shutil.copy(f, seeds / f.name)
        assert run(Settings(seeds=seeds, warehouse=warehouse)).status == "succeeded"
    return relations(warehouse)


def splits(files: list[Path], seed: int) -> list[list[Path]]:
    """The files shuffled and cut into 2 to 4 non-empty runs."""
    rnd = random.Random(seed)
    order = rnd.sample(files, len(files))
    cuts = sorted(rnd.sample(range(1, len(order)), rnd.randint(1, 3)))
    return [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True)]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, polnear_dir: Path) -> list[Path]:
    synthetic = tmp_path_factory.mktemp("synthetic")
    for name, text in SYNTHETIC.items():
        (synthetic / name).write_text(text, encoding="utf-8")
    dev = sorted((polnear_dir / "dev" / "text").glob("*.txt"))
    picked = random.Random(0).sample(dev, 8)
    for n, original in enumerate(picked[:2]):  # republished editions: duplicate links to keep
        text = original.read_text(encoding="utf-8")
        (synthetic / f"edition_{n}.txt").write_text(text.replace(" the ", " a ", 1),
                                                    encoding="utf-8")
    return [*sorted(synthetic.iterdir()), *picked]


@pytest.fixture(scope="module")
def one_go(tmp_path_factory: pytest.TempPathFactory, files: list[Path]) -> dict[str, list[str]]:
    root = tmp_path_factory.mktemp("one_go")
    return build(root / "seeds", root / "warehouse", [files])


@pytest.mark.corpus
@pytest.mark.parametrize("seed", range(3))
def test_any_split_into_runs_equals_one_go(tmp_path: Path, files: list[Path],
                                           one_go: dict[str, list[str]], seed: int) -> None:
    runs = splits(files, seed)
    split = build(tmp_path / "seeds", tmp_path / "warehouse", runs)
    assert split.keys() == one_go.keys()
    differ = {name: (len(one_go[name]), len(split[name])) for name in one_go
              if split[name] != one_go[name]}
    assert not differ, (differ, [len(r) for r in runs])


@pytest.mark.corpus
def test_changed_files_equal_one_go_of_their_last_version(
        tmp_path: Path, files: list[Path], one_go: dict[str, list[str]]) -> None:
    """A file first read with another article's text (a copy of it, so a duplicate link), then
    with its own: the replaced rows, links and names leave no trace."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for f in files:
        shutil.copy(f, seeds / f.name)
    changed, other = files[-1], files[-2]
    shutil.copy(other, seeds / changed.name)
    warehouse = tmp_path / "warehouse"
    assert run(Settings(seeds=seeds, warehouse=warehouse)).status == "succeeded"
    first = relations(warehouse)
    assert first["duplicate_links"] != one_go["duplicate_links"]
    shutil.copy(changed, seeds / changed.name)
    summary = run(Settings(seeds=seeds, warehouse=warehouse))
    assert (summary.status, summary.docs_changed) == ("succeeded", 1)
    again = relations(warehouse)
    assert {name for name in one_go if again[name] != one_go[name]} == set()
