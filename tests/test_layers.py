"""The layers of the package, and imports that point one way only.

    base   errors, files, YAML, cache: used by everyone
    core   checklist, kinds, answers store, snapshot, rules: the domain, no typer/rich
    views  columns and renderers: read snapshot rows
    io     Excel, Word, table import, evidence bundle: files that views and core describe
    cli    the Typer app: parses options, calls the layers below, renders

A module may import its own layer or a lower one. A new module must be placed here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "evalcheck"
ORDER = ("base", "core", "views", "io", "cli")
LAYERS = {
    "base": {
        "__init__", "errors", "clock", "yamlio", "fileio", "cache", "digest", "deferred", "safepath", "data",
        "notices", "oscompat", "sharing", "winnames", "fonts", "pages",
    },
    "core": {
        "checklist", "validation", "values", "expr", "store", "derived", "snapshot",
        "deadlines", "rules", "select", "carry", "previous", "workfolder", "review", "reminders",
        "evidence", "evidence_ops",
    },
    "views": {"columns", "render", "attachment"},
    "io": {
        "excel", "tableimport", "tableimport_read", "workbook_guard", "docx_export", "stale",
        "reviewbook", "pack",
    },
    "cli": {"cli", "__main__"},
}  # fmt: skip
FORBIDDEN_IN_CORE = ("typer", "rich", "click", "openpyxl")


def layer_of(module: str) -> str:
    top = module.split(".")[0]
    for name, members in LAYERS.items():
        if top in members:
            return name
    raise AssertionError(f"module {module!r} is in no layer: add it to tests/test_layers.py")


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        out.append((".".join(rel.parts), path))
    return out


def imports_of(name: str, path: Path) -> list[str]:
    """Modules of this package that `path` imports, as dotted names below evalcheck."""
    package = name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
                if node.module is None:  # from . import x: a module, or a name of the package
                    for a in node.names:
                        sub = ".".join([*target, a.name])
                        found.append(sub if _is_module(sub) else ".".join(target) or "__init__")
                else:
                    found.append(".".join(target))
            elif node.module and node.module.startswith("evalcheck."):
                found.append(node.module.removeprefix("evalcheck."))
        elif isinstance(node, ast.Import):
            found += [
                a.name.removeprefix("evalcheck.")
                for a in node.names
                if a.name.startswith("evalcheck.")
            ]
    return [f for f in found if f]


def _is_module(dotted: str) -> bool:
    rel = SRC.joinpath(*dotted.split("."))
    return rel.with_suffix(".py").exists() or (rel / "__init__.py").exists()


def external_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize(("name", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_point_down(name: str, path: Path) -> None:
    mine = ORDER.index(layer_of(name))
    for target in imports_of(name, path):
        theirs = ORDER.index(layer_of(target))
        assert theirs <= mine, f"{name} ({ORDER[mine]}) imports {target} ({ORDER[theirs]})"
    if ORDER[mine] in ("base", "core"):
        bad = external_imports(path) & set(FORBIDDEN_IN_CORE)
        assert not bad, f"{name} is {ORDER[mine]} but imports {sorted(bad)}"
