"""The command line: a thin shell over the core.

shared.py holds the Typer app, what commands share and main(); frame.py puts Click's frame
into Chinese; each other module registers a group of commands on the app.

A run imports only the module of the command it runs (`load_commands`): importing and
building all twenty commands costs a newcomer's every keystroke about 15 ms. Importing
`app` from this package (tests, completion, help) loads them all.
"""

from importlib import import_module
from typing import Any

# which module registers which command; tests/test_startup.py checks it against the app
COMMANDS = {
    "init": "workfolder",
    "list": "commands",
    "show": "commands",
    "answer": "commands",
    "history": "commands",
    "undo": "commands",
    "validate": "commands",
    "status": "progress",
    "overdue": "progress",
    "remind": "progress",
    "check": "progress",
    "review": "review",
    "approve": "review",
    "return": "review",
    "evidence": "evidence",
    "export": "workbooks",
    "import": "workbooks",
    "carry": "carry",
    "compare": "carry",
    "checklist-import": "tableimport",
}
MODULES = tuple(dict.fromkeys(COMMANDS.values()))

__all__ = [
    "COMMANDS", "app", "hoist_global_options", "load_commands", "main", "program",
    "translate_usage",
]  # fmt: skip


def load_commands(name: str | None = None) -> None:
    """Register the command `name` (its module), or every command when None or unknown."""
    for module in [COMMANDS[name]] if name in COMMANDS else MODULES:
        import_module(f"{__name__}.{module}")


def main() -> None:
    """Run the command line; ends with SystemExit(exit code), like any Click program."""
    from .shared import main as run

    run()


def program() -> None:
    """The `evalcheck` program (and `python -m evalcheck`): main(), then the process ends
    without the interpreter's teardown, which costs every command about 20 ms
    (guard.exit_now). In-process callers (tests, scripts) use main()."""
    import sys

    from .guard import exit_now

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
    if attr == "app":
        load_commands()
        from .shared import app

        return app
    if attr in ("hoist_global_options", "translate_usage"):
        from . import frame

        return getattr(frame, attr)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
