"""The commands of the program: which module registers each one, imported only when it runs."""

from importlib import import_module

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


def load_commands(name: str | None = None) -> None:
    """Register the command `name` (its module), or every command when None or unknown."""
    for module in [COMMANDS[name]] if name in COMMANDS else MODULES:
        import_module(f"evalcheck.cli.{module}")
