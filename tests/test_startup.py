"""What start-up pays for, and shell completion (not timed: benchmarks/ measures speed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import NATIVE_BLOCKED


def imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_importing_the_cli_does_not_import_openpyxl_or_rich() -> None:
    mods = imported_after("import evalcheck.cli")
    assert "evalcheck.cli" in mods
    assert not {m for m in mods if m.split(".")[0] in ("openpyxl", "rich", "rapidfuzz", "zc")}


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


def test_a_reading_command_from_the_cache_imports_neither_yaml_nor_pickle(tmp_path) -> None:
    """Once the checklist and the answers are in the parse cache, `list` reads them with
    marshal (built in): no PyYAML, and no pickle (~2.5 ms of every command)."""
    code = (
        "import sys\n"
        "sys.argv = ['evalcheck', 'list', '--section', '审批监管科']\n"
        "from evalcheck.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    (tmp_path / "answers.yaml").write_text("", encoding="utf-8")
    imported_after(f"import os\nos.chdir({str(tmp_path)!r})\n{code}")  # fills the cache
    mods = imported_after(f"import os\nos.chdir({str(tmp_path)!r})\n{code}")
    assert "evalcheck.state.snapshot" in mods
    assert not {m for m in mods if m.split(".")[0] in ("yaml", "pickle", "_pickle")}, mods


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
    """table.py (which module to import for a run) agrees with what the modules register,
    and lists every command once."""
    import typer.main

    from evalcheck.cli import app
    from evalcheck.cli.table import COMMANDS, TABLE

    registered = {
        c.name or typer.main.get_command_name(c.callback.__name__): c.callback.__module__
        for c in app.registered_commands
        if c.callback is not None
    }
    for group in app.registered_groups:
        assert group.typer_instance is not None
        (first, *_) = group.typer_instance.registered_commands
        assert first.callback is not None
        registered[str(group.name)] = first.callback.__module__
    assert {n: m.rsplit(".", 1)[1] for n, m in registered.items()} == COMMANDS
    assert len(TABLE) == len(COMMANDS) == 21
    assert all(c.help and not c.help.endswith("。") for c in TABLE)


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


def test_the_lock_holder_names_this_computer(tmp_path) -> None:
    import socket

    from evalcheck.answers.store import host_name

    assert host_name() == socket.gethostname()


def test_pyyaml_and_openpyxl_are_imported_as_they_are() -> None:
    """No patched re.compile, hidden lxml or untouched MIME database: after the program has
    imported PyYAML and openpyxl, both are as their authors made them (issue 23)."""
    code = (
        "import re\n"
        "compile_before = re.compile\n"
        "from evalcheck.infra.yamlio import _yaml, load_yaml_text\n"
        "from evalcheck.io import xlsx_write, workbook_guard\n"
        "yaml = _yaml()[0]\n"
        "import openpyxl\n"
        "assert re.compile is compile_before\n"
        "print(re.sub(yaml.reader.Reader.NON_PRINTABLE, '', 'a\\x07bc'))\n"
        "print(type(yaml.reader.Reader.NON_PRINTABLE).__name__)\n"
        "print(load_yaml_text('a: 1', 'x'))\n"
        + ("" if NATIVE_BLOCKED else "import lxml\n")
        + "print(openpyxl.LXML)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    # without lxml (EVALCHECK_BLOCK_NATIVE=1) openpyxl sees none, as it should
    assert out.stdout.split() == ["abc", "Pattern", "{'a':", "1}", str(not NATIVE_BLOCKED)]


def test_writing_an_answer_imports_neither_pyyaml_nor_filelock(tmp_path, monkeypatch) -> None:
    """The answers are read through the parse cache (an entry proved by writing its data
    again: infra/yamlemit.py gives back the file's bytes) and written by yamlemit; the lock
    is zc.lockfile's. PyYAML still parses a file someone edited, and writes what yamlemit
    is unsure of."""
    monkeypatch.chdir(tmp_path)

    def answer(value: str) -> set[str]:
        return imported_after(
            "import sys\n"
            f"sys.argv = ['evalcheck', 'answer', '47', '--value', '{value}', '--note', '见表 1：合计']\n"
            "from evalcheck.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
        )

    for value in ("312", "313"):  # the first creates the file, the second reads and changes it
        mods = answer(value)
        assert "zc.lockfile" in mods
        assert not {m for m in mods if m.split(".")[0] in ("yaml", "filelock")}, value
    import yaml

    saved = yaml.safe_load((tmp_path / "answers.yaml").read_text(encoding="utf-8"))
    assert saved["answers"][47]["value"] == 313
    assert saved["answers"][47]["history"][0]["value"] == 312
    assert saved["answers"][47]["note"] == "见表 1：合计"
    # edited by hand (a comment added): the next write parses it with PyYAML, and keeps it
    path = tmp_path / "answers.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# 手工加的注释\n", encoding="utf-8")
    assert "yaml" in answer("314")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["answers"][47]["value"] == 314
