"""One exception hierarchy; each error knows its exit code.

The CLI turns any `EvalcheckError` into a one-line Chinese message on stderr and
`exit_code`; nothing else in the project decides exit codes.
"""

from __future__ import annotations

# Exit codes, documented in README.md ("退出码").
EXIT_OK = 0
EXIT_FINDINGS = 1  # the command worked and found something: overdue items (--fail), failed checks
EXIT_USAGE = 2  # Typer/Click: unknown option, missing argument
EXIT_INPUT = 3  # a refused input: bad value, unknown id, unknown section/owner/category
EXIT_DATA = 4  # a file that cannot be used: invalid checklist, corrupted answers, wrong checklist
EXIT_WRITE = 5  # cannot write: lock not obtained, file open elsewhere, disk error
EXIT_INTERRUPTED = 130  # Ctrl-C (as shells report SIGINT), not Click's 1 = findings


class EvalcheckError(Exception):
    """Base of every error the user may see."""

    exit_code = EXIT_DATA

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InputError(EvalcheckError):
    """Something the user typed was refused; nothing was written."""

    exit_code = EXIT_INPUT


class ValueRefused(InputError):
    """An answer value did not fit the indicator's kind."""


class NotFound(InputError):
    """An unknown indicator id, section, owner or category."""


class DataError(EvalcheckError):
    """A checklist, answers file or workbook that cannot be used as it is."""

    exit_code = EXIT_DATA


class ChecklistInvalid(DataError):
    """The checklist YAML failed validation."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message, details=problems)
        self.problems = problems


class AnswersCorrupted(DataError):
    """The answers file cannot be read; it is left untouched."""


class WriteError(EvalcheckError):
    """A file could not be written (lock busy, permission, file open elsewhere)."""

    exit_code = EXIT_WRITE
