"""The command line: a thin shell over the core.

shared.py holds the Typer app, what commands share and main(); frame.py puts Click's frame
into Chinese; each other module registers a group of commands on the app.

A run imports only the module of the command it runs (`load_commands`): importing and
building all twenty commands costs a newcomer's every keystroke about 15 ms. Importing
`app` from this package (tests, completion, help) loads them all.
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
    """The `evalcheck` program (and `python -m evalcheck`): main(), then the process ends
    without the interpreter's teardown, which costs every command about 20 ms
    (guard.exit_now). In-process callers (tests, scripts) use main()."""
    import sys

    from evalcheck.cli.guard import exit_now

    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"), as Python itself prints it
        print(code, file=sys.stderr)
        code = 1
    exit_now(code)


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
