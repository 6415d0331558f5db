"""No tricks that reach into other packages (issue 23): src assigns no other module's
attributes, imports no underscore-private module of a dependency outside the one documented
module (cli/click_compat.py), and opens files only in `with` blocks (the fast exit relies on
it: see cli/guard.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "evalcheck"
COMPAT = SRC / "cli" / "click_compat.py"
FILES = sorted(SRC.rglob("*.py"))
# Python documents replacing these (sys.stdout = …); guard.py does it when stdout is closed
REPLACEABLE = {("sys", "stdout"), ("sys", "stderr"), ("sys", "stdin")}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(SRC)}:{getattr(node, 'lineno', '?')}"


def _imported_names(tree: ast.Module) -> set[str]:
    """Names bound by an import anywhere in the file (modules, or things from them)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names}
    return names


def _patched(tree: ast.Module) -> list[ast.AST]:
    """Assignments (and deletions, setattr calls) to an attribute or item of something
    imported: `re.compile = …`, `sys.modules["x"] = …`, `mimetypes.inited = …`."""
    imported = _imported_names(tree)

    def foreign(target: ast.AST) -> bool:
        if isinstance(target, ast.Subscript):  # sys.modules["lxml"] = None
            return foreign(target.value) or (
                isinstance(target.value, ast.Name) and target.value.id in imported
            )
        if isinstance(target, ast.Attribute):
            base = target.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if not isinstance(base, ast.Name) or base.id not in imported:
                return False
            return (base.id, target.attr) not in REPLACEABLE
        return False

    found: list[ast.AST] = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in imported
        ):
            found.append(node)
        found += [node for t in targets if foreign(t)]
    return found


def _private(dotted: str) -> bool:
    return any(part.startswith("_") and part != "__future__" for part in dotted.split("."))


def _private_imports(tree: ast.Module) -> list[ast.AST]:
    """`import _sha2`, `from typer._click import …`, `from typer import _click`,
    `importlib.import_module("_sha2")` — of anything but evalcheck itself."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [node for a in node.names if _private(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "evalcheck":
                continue  # our own modules: tests/test_layers.py's business
            if _private(node.module) or any(_private(a.name) for a in node.names):
                found.append(node)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = node.args[0]
            if (
                name in ("import_module", "__import__")
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and _private(arg.value)
            ):
                found.append(node)
    return found


def test_the_checks_find_what_they_are_meant_to_find() -> None:
    """The checks below would have caught the tricks that were removed."""
    tricks = ast.parse(
        "import re, sys, mimetypes, importlib\n"
        "from typer._click import UsageError\n"
        "from typer import _completion_shared\n"
        "re.compile = lambda *a: None\n"
        "sys.modules['lxml'] = None\n"
        "mimetypes.inited = True\n"
        "importlib.import_module('_sha2')\n"
        "def f():\n    import _sha2\n    setattr(re, 'sub', None)\n"
        "sys.stdout = None\n"
    )
    assert len(_patched(tricks)) == 4
    assert len(_private_imports(tricks)) == 4


def test_no_module_attribute_of_another_module_is_assigned() -> None:
    grep = re.compile(r"\bre\.compile\s*=[^=]|sys\.modules\[[^]]*\]\s*=[^=]|mimetypes\.inited\s*=")
    lines = [
        f"{p.relative_to(SRC)}:{n}: {line.strip()}"
        for p in FILES
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if grep.search(line)
    ]
    assert lines == []
    assert [_where(p, node) for p in FILES for node in _patched(_tree(p))] == []


def test_private_modules_of_dependencies_are_imported_in_one_module_only() -> None:
    outside = [_where(p, n) for p in FILES if p != COMPAT for n in _private_imports(_tree(p))]
    assert outside == []
    # the one module: Typer's vendored Click, each import with its reason just above it
    lines = COMPAT.read_text(encoding="utf-8").splitlines()
    inside = _private_imports(_tree(COMPAT))
    assert inside, "click_compat.py is the module for Typer's private paths"
    for node in inside:
        assert isinstance(node, ast.ImportFrom) and node.module
        assert node.module.split(".")[0] == "typer"
        before = "\n".join(lines[max(0, node.lineno - 8) : node.lineno - 1])
        assert "#" in before or '"""' in before, f"no reason given above line {node.lineno}"


# what returns a Python file object (buffered: os._exit would lose what it holds)
OPENERS = {"open", "fdopen", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile"}
OPENERS |= {"ZipFile", "TarFile"}


def _opened_outside_with(tree: ast.Module) -> list[ast.AST]:
    in_with: set[int] = set()
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With | ast.AsyncWith):
            in_with |= {id(item.context_expr) for item in node.items}
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute)
            and isinstance(t.value, ast.Name)
            and (t.value.id, t.attr) in REPLACEABLE
            for t in node.targets
        ):
            allowed.add(id(node.value))  # sys.stdout = open(os.devnull): flushed at exit
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in in_with | allowed:
            continue
        func = node.func
        if isinstance(func, ast.Name):
            name = func.id
        elif isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id == "os" and func.attr == "open":
                continue  # a file descriptor, unbuffered
            name = func.attr
        else:
            continue
        if name in OPENERS:
            found.append(node)
    return found


def test_the_check_for_files_opened_outside_with_finds_them() -> None:
    tree = ast.parse(
        "f = open('a')\n"
        "with open('b') as g, Path('c').open('w') as h:\n    pass\n"
        "data = Path('d').open().read()\n"
        "fd = os.open('e', 0)\n"
        "z = zipfile.ZipFile('f')\n"
    )
    assert sorted(n.lineno for n in _opened_outside_with(tree)) == [1, 4, 6]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_files_are_opened_only_in_with_blocks(path: Path) -> None:
    """The program ends with os._exit after the exit handlers (guard.skip_teardown): a
    file object left open there would lose what it has not written yet."""
    assert [_where(path, n) for n in _opened_outside_with(_tree(path))] == []
