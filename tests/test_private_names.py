"""No module uses another evalcheck module's `_private` names (issue 23): a name shared
between modules is public. Checked on the source: `from evalcheck.x import _name`, and
`x._name` where `x` is an imported evalcheck module."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "evalcheck"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p) for p in SRC.rglob("*.py")}


def private_uses(source: str, here: str) -> list[str]:
    """'line 3: evalcheck.cli.shared._echo' for each use of another module's private name."""
    tree = ast.parse(source)
    modules: dict[str, str] = {}  # local name -> the evalcheck module it stands for
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("evalcheck"):
            module = str(node.module)
            for alias in node.names:
                if module != here and _private(alias.name):
                    found.append(f"line {node.lineno}: {module}.{alias.name}")
                if f"{module}.{alias.name}" in MODULES:
                    modules[alias.asname or alias.name] = f"{module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("evalcheck"):
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and modules[node.value.id] != here
            and _private(node.attr)
        ):
            found.append(f"line {node.lineno}: {modules[node.value.id]}.{node.attr}")
    return sorted(found, key=lambda f: int(f.split(":")[0].removeprefix("line ")))


def test_no_module_uses_another_modules_private_names() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        uses = private_uses(path.read_text(encoding="utf-8"), module_name(path))
        found += [f"{path.relative_to(SRC)} {u}" for u in uses]
    assert not found, "make these names public (no leading underscore):\n" + "\n".join(found)


def test_the_check_sees_both_forms_and_allows_its_own_and_dunder_names() -> None:
    source = (
        "from evalcheck.cli.shared import _echo, app\n"
        "from evalcheck.views import render\n"
        "import evalcheck.state.snapshot as snap\n"
        "render._private_helper()\n"
        "snap._take\n"
        "render.__name__\n"
        "render.emit\n"
    )
    assert private_uses(source, "evalcheck.cli.commands") == [
        "line 1: evalcheck.cli.shared._echo",
        "line 4: evalcheck.views.render._private_helper",
        "line 5: evalcheck.state.snapshot._take",
    ]
    assert private_uses("from evalcheck.cli.shared import _echo\n", "evalcheck.cli.shared") == []
