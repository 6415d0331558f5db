"""Import a third-party package with the regular expressions it compiles at import time
compiled on first use instead.

PyYAML and openpyxl compile dozens of patterns while they are imported, most of which a
command never uses: yaml.reader's pattern over all of Unicode alone takes 7 ms (the C
loader never uses it), and openpyxl's descriptors about 3 ms. Every `answer` imports
PyYAML (what is written is parsed from the file itself) and every export openpyxl, so
this is paid on every run. The patterns behave the same: each is compiled, with the same
flags, the first time one of its methods is used.
"""

import re
import sys
from importlib import import_module
from types import ModuleType
from typing import Any


class Deferred:
    """A regular expression compiled on first use; then the compiled pattern's attributes."""

    def __init__(self, pattern: Any, flags: int) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        value = getattr(re.compile(*self._args), name)
        setattr(self, name, value)  # found directly next time
        return value


def import_deferred(package: str) -> ModuleType:
    """`import package`, its own modules' `re.compile` calls deferred (see above)."""
    if package in sys.modules:
        return sys.modules[package]
    compile_now = re.compile
    inside = (package, package + ".")

    def deferring(pattern: Any, flags: int = 0) -> Any:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller == package or caller.startswith(inside[1]):
            return Deferred(pattern, flags)
        return compile_now(pattern, flags)  # anything else imported meanwhile: as usual

    re.compile = deferring
    try:
        return import_module(package)
    finally:
        re.compile = compile_now


def import_openpyxl(*, reading: bool = False) -> ModuleType:
    """openpyxl, imported as above and without loading the system's MIME database.

    openpyxl builds its own `MimeTypes()` from Python's built-in table at import; the
    constructor first reads the system database (/etc/mime.types, or the Windows registry:
    slow on an office PC with many programs installed) into the module-wide tables, which
    openpyxl never looks at. Those are still read as usual by the first caller of
    `mimetypes.guess_type()` or of a later `MimeTypes()`.

    `reading`: a command that only reads workbooks. openpyxl uses lxml whenever it can
    import it (python-docx installs it): that makes saving faster, but a read gains
    nothing (sheets are streamed with iterparse either way) and importing lxml costs 5 ms.
    Without it, openpyxl parses every part with defusedxml.
    """
    if "openpyxl" in sys.modules:
        return sys.modules["openpyxl"]
    import mimetypes

    hide_lxml = reading and "lxml" not in sys.modules
    if hide_lxml:
        sys.modules["lxml"] = None  # type: ignore[assignment]  # "import lxml" fails
    before = mimetypes.inited
    mimetypes.inited = True  # what MimeTypes() checks before reading the system database
    try:
        return import_deferred("openpyxl")
    finally:
        mimetypes.inited = before
        if hide_lxml:
            del sys.modules["lxml"]
