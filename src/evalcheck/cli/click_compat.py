"""The one module that reaches Click through Typer's private paths.

Typer 0.28 vendors Click as `typer._click` and re-exports only part of it (`typer.Context`,
`typer.BadParameter`, `typer.Exit`, `typer.Abort`, `typer.core.TyperGroup` …). What the CLI
needs beyond that is imported here, and only here (tests/test_startup.py greps src for any
other `typer._…` or `from x._y` import). Typer is pinned below 0.29 in pyproject.toml, so
these paths do not move under us; tests/test_frame.py notices when Click's strings do.
"""

from pathlib import Path
from typing import Any

# HelpFormatter: our help measures text by terminal columns (CJK counts two), which needs
# a subclass of Click's formatter; Typer exports no formatter class (typer.Context uses it
# through `formatter_class`, which must be a subclass of it).
from typer._click import HelpFormatter

# UsageError: Click's parser raises it for a wrong command line (unknown option, missing
# value, unknown command); main() catches it to print the error in Chinese with exit code 2,
# and the group raises it for "did you mean". Typer exports BadParameter (a subclass) but
# not UsageError itself, and NoArgsIsHelpError (`evalcheck` alone) not at all.
from typer._click.exceptions import NoArgsIsHelpError, UsageError

__all__ = ["HelpFormatter", "NoArgsIsHelpError", "UsageError", "install_completion"]


def install_completion(shell: str | None) -> tuple[str, Path]:
    """Install shell completion: (shell name, the file written).

    `typer._completion_shared.install` is what Typer's own --install-completion calls;
    Typer offers no public function for it, and its public callback
    (`typer.completion.install_callback`) prints English and exits, where we report in
    Chinese. Imported on use: only this option needs it.
    """
    from typer._completion_shared import install

    found: Any = install(shell=shell) if shell else install()
    name, path = found
    return str(name), Path(path)
