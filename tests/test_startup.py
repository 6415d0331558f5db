"""What start-up pays for, and shell completion (not timed: benchmarks/ measures speed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_importing_the_cli_does_not_import_openpyxl_or_rich() -> None:
    mods = imported_after("import evalcheck.cli")
    assert "evalcheck.cli" in mods
    assert not {m for m in mods if m.split(".")[0] in ("openpyxl", "rich", "rapidfuzz", "filelock")}


def test_the_core_never_imports_typer_or_rich() -> None:
    """Every module below views/ imports neither typer, click nor rich (at run time too)."""
    src = Path(__file__).resolve().parents[1] / "src" / "evalcheck"
    core = [
        ".".join(("evalcheck", *p.relative_to(src).with_suffix("").parts))
        for folder in ("infra", "model", "answers", "year", "state")
        for p in sorted((src / folder).glob("*.py"))
    ]
    mods = imported_after("\n".join(f"import {m}" for m in core))
    assert {m for m in core if m.endswith("snapshot")} <= mods
    assert not {m for m in mods if m.split(".")[0] in ("typer", "rich", "click")}


def test_a_piped_listing_does_not_import_rich_or_openpyxl(tmp_path) -> None:
    code = (
        "import sys\n"
        "sys.argv = ['evalcheck', 'list', '--section', '审批监管科']\n"
        "from evalcheck.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    mods = imported_after(code)
    assert not {m for m in mods if m.split(".")[0] in ("openpyxl", "rich")}


def test_completion_offers_sections_and_owners(run, monkeypatch) -> None:
    from typer.testing import CliRunner

    from evalcheck.cli import app

    def complete(words: str) -> list[str]:
        env = {
            "_EVALCHECK_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        }
        result = CliRunner().invoke(app, [], env=env, prog_name="evalcheck")
        return result.stdout.split()

    assert complete("evalcheck list --section 审批") == ["审批服务科", "审批监管科"]
    assert complete("evalcheck list --owner ") == ["万富春", "高秀英"]
    assert complete("evalcheck overdue -s 政务") == ["政务服务中心"]


def test_the_command_table_names_every_command_and_its_module() -> None:
    """cli.COMMANDS (which module to import for a run) agrees with what the modules register."""
    from evalcheck.cli import COMMANDS, app
    from evalcheck.cli.shared import _name_of

    registered = {_name_of(c): c.callback.__module__ for c in app.registered_commands}
    registered |= {str(g.name): g.typer_instance.registered_callback.callback.__module__
                   if g.typer_instance.registered_callback else "evalcheck.cli.evidence"
                   for g in app.registered_groups}  # fmt: skip
    assert {n: m.rsplit(".", 1)[1] for n, m in registered.items()} == COMMANDS


def test_a_run_imports_only_its_command_module() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['evalcheck', 'show', '47']\n"
        "from evalcheck.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    mods = imported_after(code)
    assert "evalcheck.cli.commands" in mods
    assert not {"evalcheck.cli.evidence", "evalcheck.cli.review", "evalcheck.cli.carry"} & mods


def test_yaml_with_deferred_patterns_still_refuses_control_characters() -> None:
    """yamlio imports PyYAML with its import-time patterns compiled on first use; the
    pure-Python reader (used to locate error lines) still checks what it reads."""
    code = (
        "import re\n"
        "compile_before = re.compile\n"
        "from evalcheck.infra.yamlio import _yaml, load_yaml_text\n"
        "yaml = _yaml()[0]\n"
        "assert re.compile is compile_before\n"
        "print(load_yaml_text('a: 1\\nb: [x, 2026-01-02]\\nc: yes', 'x'))\n"
        "try:\n    yaml.load('a: \\x07', Loader=yaml.SafeLoader)\n"
        "except yaml.reader.ReaderError:\n    print('refused')\n"
        "print(yaml.resolver.Resolver().resolve(yaml.ScalarNode, '12', (True, False)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:3] == [
        "{'a': 1, 'b': ['x', datetime.date(2026, 1, 2)], 'c': True}",
        "refused",
        "tag:yaml.org,2002:int",
    ]


def test_openpyxl_with_deferred_patterns_still_checks_what_it_is_given() -> None:
    """Exports import openpyxl with its import-time patterns compiled on first use and
    without the system MIME database; its descriptors still refuse bad values, its own
    MIME table is whole, and everything imported meanwhile is as usual."""
    code = (
        "import re\n"
        "compile_before = re.compile\n"
        "from evalcheck.infra.deferred import Deferred, import_openpyxl\n"
        "openpyxl = import_openpyxl()\n"
        "assert re.compile is compile_before\n"
        "import mimetypes\n"
        "from openpyxl.packaging.manifest import mimetypes as theirs\n"
        "assert not mimetypes.inited and theirs.types_map[True]['.rels'].endswith('relationships+xml')\n"
        "assert mimetypes.guess_type('a.pdf')[0] == 'application/pdf'\n"
        "from openpyxl.styles.colors import Color\n"
        "print(Color(rgb='FF00AA').rgb)\n"
        "try:\n    Color(rgb='zz')\nexcept ValueError:\n    print('refused')\n"
        "import sys\n"
        "others = [m for m in list(sys.modules) if not m.startswith('openpyxl')]\n"
        "print(len([m for m in others if any(isinstance(v, Deferred)\n"
        "           for v in vars(sys.modules[m]).values())]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["00FF00AA", "refused", "0"]


def test_the_lock_holder_names_this_computer(tmp_path) -> None:
    import socket

    from evalcheck.answers.store import host_name

    assert host_name() == socket.gethostname()


def _main(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-m", "evalcheck", *args], capture_output=True, text=True, env=env
    )


def test_the_command_list_from_stand_ins_is_the_full_one(run, monkeypatch) -> None:
    """`evalcheck --help` builds parameterless stand-ins of the commands; what it shows
    is what the fully built app shows, and a command after `--` still runs for real."""
    monkeypatch.setenv("COLUMNS", "80")
    full = run("--help").stdout
    assert _main("--help").stdout == full
    assert "checklist-import" in full and "evidence" in full
    listed = _main("--", "show", "47")
    assert listed.returncode == 0 and "题号：47" in listed.stdout
    assert _main("--version").stdout == run("--version").stdout


def test_the_program_exits_without_teardown_but_with_everything_said(run, monkeypatch) -> None:
    """`evalcheck` ends with os._exit (no interpreter teardown): every byte of output is
    still there, the exit code is the command's, and atexit handlers still run."""
    monkeypatch.setenv("COLUMNS", "80")
    listed = _main("list", "--format", "csv")
    assert listed.returncode == 0
    assert listed.stdout == run("list", "--format", "csv").stdout
    assert len(listed.stdout.splitlines()) == 145
    missing = _main("show", "999")
    assert missing.returncode == 3 and "没有第999项指标" in missing.stderr
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "sys.argv = ['evalcheck', '--version']\n"
        "from evalcheck.cli import program\n"
        "program()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.split("\n")[:2] == ["evalcheck 0.2.0", "atexit ran"]


def test_a_profiled_run_still_writes_its_profile(tmp_path) -> None:
    """Under cProfile (or coverage, a debugger) the program exits the usual way, so the
    tool can write what it measured."""
    out = tmp_path / "run.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "evalcheck", "--version"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0 and "evalcheck 0.2.0" in done.stdout
    assert out.stat().st_size > 0


def test_a_read_imports_openpyxl_without_lxml_and_leaves_lxml_importable() -> None:
    """Reading a workbook gains nothing from lxml (5 ms to import); openpyxl then parses
    with defusedxml. lxml stays importable for the Word export, and a writing command's
    openpyxl still uses it."""
    reading = (
        "import sys\n"
        "from evalcheck.infra.deferred import import_openpyxl\n"
        "openpyxl = import_openpyxl(reading=True)\n"
        "print(openpyxl.LXML, openpyxl.DEFUSEDXML, 'lxml' in sys.modules)\n"
        "import docx\n"
        "print(type(sys.modules['lxml']).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", reading], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "False", "module"]
    writing = (
        "from evalcheck.infra.deferred import import_openpyxl\nprint(import_openpyxl().LXML)\n"
    )
    out = subprocess.run([sys.executable, "-c", writing], capture_output=True, text=True)
    assert out.stdout.strip() == "True"
