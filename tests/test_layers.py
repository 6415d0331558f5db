"""The layers of the package, read off its folders, and imports that point one way only.

    infra     files, YAML, the parse cache, the clock, the OS: used by everyone
    model     the checklist and its answer kinds
    answers   the answers file, evidence, review, the work folder
    year      year over year: matching, the mapping file, carry
    state     the snapshot and what is computed over it (deadlines, rules, selection)
    views     columns and renderers over snapshot rows
    io        Excel, Word, the bureau's table, the evidence bundle
    services  use cases, one function each
    cli       the Typer app: parses options, calls a service, renders

A module's layer is its folder. It may import its own layer or a lower one, and no chain
of imports (function-level and type-checking imports included) may lead back to it. The
package's top level holds only `__init__`, `__main__` and `errors` (used by every layer).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "evalcheck"
ORDER = ("infra", "model", "answers", "year", "state", "views", "io", "services", "cli")
TOP_LEVEL = {"__init__", "__main__", "errors"}
FORBIDDEN_BELOW_CLI = ("typer", "click")
FORBIDDEN_BELOW_VIEWS = ("rich",)  # rich renders; the layers below it compute
# openpyxl, python-docx, xlsxwriter and calamine belong to io/ only
FORMAT_LIBRARIES = ("openpyxl", "docx", "xlsxwriter", "python_calamine")


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        out.append((".".join(rel.parts), path))
    return out


def layer_of(module: str) -> str:
    """The folder a module lives in; top-level modules are below every layer."""
    parts = module.split(".")
    if len(parts) == 1:
        if parts[0] == "__main__":
            return "cli"
        return "infra"
    assert parts[0] in ORDER, f"{module}: the folder {parts[0]!r} is not a layer"
    return parts[0]


def _is_module(dotted: str) -> bool:
    rel = SRC.joinpath(*dotted.split(".")) if dotted else SRC
    return rel.with_suffix(".py").exists() or (rel / "__init__.py").exists()


def _as_module(dotted: str) -> str:
    """'model.checklist' for itself, '__init__' for the package, 'cli.__init__' for cli."""
    if not dotted:
        return "__init__"
    if (SRC.joinpath(*dotted.split(".")) / "__init__.py").exists():
        return dotted + ".__init__"
    return dotted


def imports_of(path: Path) -> list[str]:
    """Modules of this package that `path` imports anywhere (functions and type checks too)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import; write evalcheck.… in full"
            if node.module == "evalcheck" or (node.module or "").startswith("evalcheck."):
                base = node.module.removeprefix("evalcheck").removeprefix(".")
                for a in node.names:
                    sub = f"{base}.{a.name}" if base else a.name
                    found.append(_as_module(sub) if _is_module(sub) else _as_module(base))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("evalcheck."):
                    found.append(_as_module(a.name.removeprefix("evalcheck.")))
    return found


def external_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module.split(".")[0])
    return out


GRAPH = {name: sorted(set(imports_of(path)) - {name}) for name, path in modules()}


def test_the_top_level_holds_only_the_entry_and_errors() -> None:
    top = {p.stem for p in SRC.glob("*.py")}
    folders = {p.name for p in SRC.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert top == TOP_LEVEL
    assert folders == set(ORDER)


@pytest.mark.parametrize(("name", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_point_down(name: str, path: Path) -> None:
    mine = ORDER.index(layer_of(name))
    for target in GRAPH[name]:
        theirs = ORDER.index(layer_of(target))
        assert theirs <= mine, f"{name} ({ORDER[mine]}) imports {target} ({ORDER[theirs]})"
    external = external_imports(path)
    if ORDER[mine] != "cli":
        bad = external & set(FORBIDDEN_BELOW_CLI)
        assert not bad, f"{name} is {ORDER[mine]} but imports {sorted(bad)}"
    if mine < ORDER.index("views"):
        bad = external & set(FORBIDDEN_BELOW_VIEWS)
        assert not bad, f"{name} is {ORDER[mine]} but imports {sorted(bad)}"
    if ORDER[mine] not in ("io", "services", "cli"):
        bad = external & set(FORMAT_LIBRARIES)
        assert not bad, f"{name} is {ORDER[mine]} but imports {sorted(bad)}"


def cycles(graph: dict[str, list[str]]) -> Iterator[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), as a sample cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    yield from groups


def test_no_import_circle() -> None:
    found = list(cycles(GRAPH))
    assert found == [], "import circles: " + "; ".join(" ↔ ".join(g) for g in found)


def test_the_circle_finder_finds_circles() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": []}
    assert list(cycles(graph)) == [["a", "b", "c"]]
    assert list(cycles({"a": ["b"], "b": []})) == []
