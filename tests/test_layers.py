"""The import structure of docs/architecture.md: layers app -> run -> adapters -> transforms,
imports only downward (within a layer allowed), and no import circle anywhere. Every import is
scanned, those inside functions included, since a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"flows.app": 3, "flows.run": 2, "flows.adapters": 1, "transforms": 0, "scoring": 0}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    files = [p for pkg in ("flows", "transforms", "scoring") for p in (ROOT / pkg).rglob("*.py")
             if "_data" not in p.relative_to(ROOT).parts]
    return {module_name(p): p for p in files}


def imported(path: Path, name: str, known: set[str]) -> set[str]:
    """Project modules that the file imports, resolved to the most specific known module."""
    out = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1],
                                 *([base] if base else [])])
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def layer_of(module: str) -> int | None:
    return next((v for k, v in LAYERS.items() if module == k or module.startswith(k + ".")), None)


GRAPH = {m: imported(p, m, set(project_modules())) for m, p in project_modules().items()}


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((m, t) for m, ts in graph.items() for t in ts
                  if layer_of(m) is not None and layer_of(t) is not None
                  and layer_of(t) > layer_of(m))  # type: ignore[operator]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One path per circle found by depth-first search (empty when the graph is acyclic)."""
    found, state = [], dict.fromkeys(graph, 0)

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                found.append([*stack[stack.index(t):], t])
            elif state.get(t) == 0:
                visit(t, [*stack, t])
        state[m] = 2

    for m in sorted(graph):
        if state[m] == 0:
            visit(m, [m])
    return found


def test_every_flows_module_sits_in_a_layer() -> None:
    loose = [m for m in GRAPH if m.startswith("flows.") and layer_of(m) is None]
    assert loose == [], f"modules outside app/, run/ and adapters/: {loose}"


def test_imports_run_only_downward() -> None:
    assert upward_imports(GRAPH) == []


def test_there_is_no_import_circle() -> None:
    assert cycles(GRAPH) == []


@pytest.mark.parametrize(("graph", "upward", "circular"), [
    ({"transforms.a": {"flows.adapters.b"}, "flows.adapters.b": set()}, 1, 0),
    ({"flows.app.a": {"flows.run.b"}, "flows.run.b": {"flows.adapters.c"},
      "flows.adapters.c": {"transforms.d"}, "transforms.d": set()}, 0, 0),
    ({"flows.run.a": {"flows.run.b"}, "flows.run.b": {"flows.run.a"}}, 0, 1),
    ({"flows.adapters.a": {"flows.app.b"}, "flows.app.b": {"flows.adapters.a"}}, 1, 1),
])
def test_the_checks_catch_what_they_should(graph: dict[str, set[str]], upward: int,
                                           circular: int) -> None:
    assert (len(upward_imports(graph)), len(cycles(graph))) == (upward, circular)


def test_a_lazy_import_inside_a_function_counts(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("def g():\n    from flows.app import cli\n", encoding="utf-8")
    assert imported(f, "flows.adapters.m", {"flows.app.cli", "flows.adapters.m"}) == {
        "flows.app.cli"}


def test_tables_are_never_built_from_scorers() -> None:
    # scoring/ reads gold and rows; what builds the tables (transforms/, flows/) never needs it,
    # except the entry points that print figures (flows.app) and the model recipes
    users = sorted(m for m, ts in GRAPH.items() if any(t.startswith("scoring") for t in ts)
                   and not m.startswith(("scoring", "flows.app")))
    assert users == []


def private_imports(path: Path) -> list[str]:
    """Names starting with "_" that a file imports from a project module (another module's
    private helper: a second reader of it should get a public name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sorted(f"{node.module}.{a.name}" for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and node.module
                  and node.module.startswith(("transforms", "flows", "scoring"))
                  for a in node.names if a.name.startswith("_") and not a.name.startswith("__"))


def test_no_module_imports_another_modules_private_helpers() -> None:
    found = {m: names for m, p in project_modules().items() if (names := private_imports(p))}
    assert found == {}


def test_a_private_import_is_caught(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("from transforms.documents import _is_byline as is_byline\n", encoding="utf-8")
    assert private_imports(f) == ["transforms.documents._is_byline"]
