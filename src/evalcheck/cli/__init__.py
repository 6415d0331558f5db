"""The command line: a thin shell over the core.

shared.py holds the Typer app, what commands share and main(); frame.py puts Click's frame
into Chinese; table.py is the command table (name, module, one-line help, order); each
other module registers a group of commands on the app. click_compat.py is the one module
that uses Typer's private paths.

A run imports only the module of the command it runs (shared.LazyGroup reads the table):
importing and building all twenty commands costs a newcomer's every keystroke about 15 ms.
Importing `app` from this package (tests, scripts) loads them all.
"""

from typing import Any

__all__ = [
    "COMMANDS", "app", "hoist_global_options", "load_commands", "main", "program",
    "translate_usage",
]  # fmt: skip


def main() -> None:
    """Run the command line; ends with SystemExit(exit code), like any Click program."""
    from evalcheck.cli.shared import main as run

    run()


def program() -> None:
    """The `evalcheck` program (and `python -m evalcheck`): main(), and the process ends
    without the interpreter's teardown, which costs every command about 20 ms
    (guard.skip_teardown; EVALCHECK_NO_FAST_EXIT=1 turns that off). In-process callers
    (tests, scripts) use main()."""
    import sys

    from evalcheck.cli.guard import (
        pause_collector,
        set_exit_code,
        skip_teardown,
        stop_as_interrupted,
    )
    from evalcheck.errors import EXIT_INTERRUPTED

    pause_collector()  # until the command is resolved (frame.CliGroup.resolve_command)
    skip_teardown()
    stop_as_interrupted()
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt as exc:  # before or after a command runs (start-up, output)
        code = getattr(exc, "exit_code", EXIT_INTERRUPTED)
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"), as Python itself prints it
        print(code, file=sys.stderr)
        code = 1
    set_exit_code(code)
    sys.exit(code)


def __getattr__(attr: str) -> Any:
    if attr in ("COMMANDS", "load_commands"):
        from evalcheck.cli import table

        return getattr(table, attr)
    if attr == "app":
        from evalcheck.cli.table import load_commands

        load_commands()
        from evalcheck.cli.shared import app

        return app
    if attr in ("hoist_global_options", "translate_usage"):
        from evalcheck.cli import frame

        return getattr(frame, attr)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
