"""The command line: a thin shell over the core.

app.py holds the Typer app, what commands share and main(); frame.py puts Click's frame
into Chinese; each other module registers a group of commands on the app.
"""

from . import carry as _carry  # noqa: F401  (each module registers its commands)
from . import commands as _commands  # noqa: F401
from . import evidence as _evidence  # noqa: F401
from . import progress as _progress  # noqa: F401
from . import review as _review  # noqa: F401
from . import tableimport as _tableimport  # noqa: F401
from . import workbooks as _workbooks  # noqa: F401
from . import workfolder as _workfolder  # noqa: F401
from .app import app, main
from .frame import hoist_global_options, translate_usage

__all__ = ["app", "hoist_global_options", "main", "translate_usage"]
