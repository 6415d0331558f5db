"""The program as users run it: the installed console script `evalcheck`, as a process.

CliRunner (the other CLI tests) drives the fully loaded app in-process; this file covers
what only the real program does: the lazy command table (a run imports one command
module, `--help` none), global options moved to the front, exit codes, and the exit path
(output flushed through a pipe, exit handlers run, no interpreter teardown unless a tool
is watching or EVALCHECK_NO_FAST_EXIT=1).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalcheck.cli.table import TABLE

BIN = Path(sys.executable).parent / ("evalcheck.exe" if os.name == "nt" else "evalcheck")
pytestmark = pytest.mark.skipif(
    not BIN.exists(), reason=f"the console script {BIN} is installed by `pip install -e .`"
)
COMMAND_MODULES = {f"evalcheck.cli.{c.module}" for c in TABLE}


def evalcheck(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "80", **env},
    )


def imported_by(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """The run, and the modules it imported (PYTHONVERBOSE's "import 'x'" lines on stderr;
    -X importtime does not see importlib.import_module)."""
    done = evalcheck(*args, PYTHONVERBOSE="1")
    mods = {line.split("'")[1] for line in done.stderr.splitlines() if line.startswith("import '")}
    assert "evalcheck.cli" in mods
    return done, mods


def test_the_command_list_is_the_table_and_imports_no_command_module(run) -> None:
    done, mods = imported_by("--help")
    assert done.returncode == 0
    assert not COMMAND_MODULES & mods
    assert done.stdout == run("--help").stdout  # the fully loaded app lists the same
    commands = done.stdout.split("命令：\n")[1].split("\n\n")[0]  # up to the epilog
    listed = [line.split()[0] for line in commands.splitlines() if line[2:3].strip()]
    assert listed == [c.name for c in TABLE]
    for c in TABLE:  # each one-line help, as the table has it (wrapped at 80 columns)
        assert c.help[:8] in done.stdout
    assert evalcheck().stderr == done.stdout  # `evalcheck` alone: the same list (stderr)


def test_a_run_imports_only_the_module_of_its_command() -> None:
    for args, module in [(["show", "47"], "commands"), (["status"], "progress")]:
        done, mods = imported_by(*args)
        assert done.returncode == 0, done.stderr
        assert COMMAND_MODULES & mods == {f"evalcheck.cli.{module}"}
        assert not {"openpyxl", "rich"} & mods


def test_every_command_has_its_own_help(run) -> None:
    for c in TABLE:
        done = evalcheck(c.name, "--help")
        assert done.returncode == 0, (c.name, done.stderr)
        assert done.stdout.startswith(f"用法：evalcheck {c.name} ")
        assert done.stdout == run(c.name, "--help").stdout


def test_global_options_after_the_command_are_moved_to_the_front(tmp_path: Path) -> None:
    done = evalcheck("answer", "47", "--value", "312", "--answers", "team.yaml", "--by", "张三")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "team.yaml").exists() and not (tmp_path / "answers.yaml").exists()
    shown = evalcheck("show", "47", "--answers=team.yaml")
    assert shown.returncode == 0 and "312" in shown.stdout
    # `--` ends the options, before the command name too
    after = evalcheck("--answers", "team.yaml", "--", "show", "47")
    assert after.returncode == 0 and "312" in after.stdout
    # the global option as the last word has no value: left where it is, a usage error
    missing = evalcheck("show", "47", "--answers")
    assert missing.returncode == 2 and "没有选项 --answers" in missing.stderr


def test_exit_codes_and_messages_as_documented() -> None:
    cases = [
        (["show", "47"], 0, ""),
        (["shw", "47"], 2, "没有命令 shw，您是不是要用 show？"),
        (["list", "--format", "xml"], 2, "--format 不能是 xml"),
        (["show", "999"], 3, "没有第999项指标"),
        (["--version"], 0, ""),
    ]
    for args, code, message in cases:
        done = evalcheck(*args)
        assert done.returncode == code, (args, done.stderr)
        assert message in done.stderr
        assert "Traceback" not in done.stderr
    assert evalcheck("--version").stdout.startswith("evalcheck 0.3.0\n")
    assert evalcheck().returncode == 2  # no command: the list, as a usage error


def test_output_through_a_pipe_is_complete(run) -> None:
    done = evalcheck("list", "--format", "csv")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == run("list", "--format", "csv").stdout
    assert len(done.stdout.splitlines()) == 145


def test_shell_completion_through_the_program() -> None:
    done = evalcheck(
        _EVALCHECK_COMPLETE="complete_bash",
        COMP_WORDS="evalcheck list --section 审批",
        COMP_CWORD="3",
    )
    assert done.stdout.split() == ["审批服务科", "审批监管科"]
    names = evalcheck(
        _EVALCHECK_COMPLETE="complete_bash", COMP_WORDS="evalcheck ch", COMP_CWORD="1"
    )
    assert names.stdout.split() == ["check", "checklist-import"]


# ---------------------------------------------------------------- the exit path

PROGRAM = """
import atexit, sys
{before}
import evalcheck.cli as cli

def main():  # a handler registered during the run, as a library the command uses would
    atexit.register(print, "handler of the run")
    cli_main()

cli_main, cli.main = cli.main, main
sys.argv = ["evalcheck", "show", "47"]
cli.program()
"""


def run_program(before: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    code = PROGRAM.format(before=before)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **env},
    )


def test_the_program_ends_with_everything_said_and_exit_handlers_run() -> None:
    done = run_program(before="atexit.register(print, 'registered before the program')")
    assert done.returncode == 0, done.stderr
    assert "题号：47" in done.stdout
    assert done.stdout.endswith("handler of the run\n")
    # no teardown: the process ended in the program's own handler, before the handlers
    # registered ahead of it (only the interpreter's teardown would have run those)
    assert "registered before the program" not in done.stdout
    missing = subprocess.run(
        [str(BIN), "show", "999"], capture_output=True, text=True, encoding="utf-8"
    )
    assert missing.returncode == 3 and "没有第999项指标" in missing.stderr


def test_the_collector_rests_during_start_up_only() -> None:
    """The cycle collector is off while modules load (guard.pause_collector) and on again,
    with start-up's objects frozen and a command's threshold, when the command runs
    (guard.resume_collector)."""
    before = (
        "import gc\n"
        "from evalcheck.state import snapshot\n"
        "real_take = snapshot.take\n"
        "def take(*a, **k):\n"
        "    print('collector', gc.isenabled(), gc.get_freeze_count() > 1000,"
        " gc.get_threshold())\n"
        "    return real_take(*a, **k)\n"
        "snapshot.take = take"
    )
    done = run_program(before=before)
    assert done.returncode == 0, done.stderr
    assert "collector True True (20000, 10, 10)\n" in done.stdout
    starting = run_program(
        before="import gc\nprint('at start', gc.isenabled(), gc.get_threshold())"
    )
    assert "at start True (700, 10, 10)" in starting.stdout  # by program(), not on import


def test_the_usual_exit_when_asked_for() -> None:
    done = run_program(
        before="atexit.register(print, 'registered before')", EVALCHECK_NO_FAST_EXIT="1"
    )
    assert done.returncode == 0
    assert done.stdout.endswith("handler of the run\nregistered before\n")


def test_the_usual_exit_under_a_tracer() -> None:
    """A debugger or coverage (sys.settrace) writes its results at exit: it gets to."""
    before = "atexit.register(print, 'registered before')\nsys.settrace(lambda *a: None)"
    done = run_program(before=before)
    assert done.returncode == 0
    assert done.stdout.endswith("handler of the run\nregistered before\n")


@pytest.mark.skipif(sys.version_info < (3, 12), reason="sys.monitoring is Python 3.12+")
def test_the_usual_exit_under_a_monitoring_tool() -> None:
    before = (
        "atexit.register(print, 'registered before')\n"
        "sys.monitoring.use_tool_id(sys.monitoring.COVERAGE_ID, 'a coverage tool')"
    )
    done = run_program(before=before)
    assert done.returncode == 0
    assert done.stdout.endswith("handler of the run\nregistered before\n")


def test_a_profiled_run_still_writes_its_profile(tmp_path: Path) -> None:
    out = tmp_path / "run.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "evalcheck", "--version"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0 and "evalcheck 0.3.0" in done.stdout
    assert out.stat().st_size > 0
