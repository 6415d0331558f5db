"""Run as on a 龙芯 (LoongArch) PC: the native wheels are not there.

With EVALCHECK_BLOCK_NATIVE=1, tests/conftest.py imports this module (and puts this folder
first on PYTHONPATH, so that every Python the tests start imports it as `sitecustomize`):
a sys.meta_path finder then refuses PyYAML's C extension, rapidfuzz, python-calamine, lxml
and python-docx, as if no wheel for the CPU existed. Tests only; the program has no switch.
"""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder

BLOCKED = ("yaml._yaml", "_yaml", "rapidfuzz", "python_calamine", "lxml", "docx")


def _blocked(name: str) -> bool:
    return any(name == b or name.startswith(b + ".") for b in BLOCKED)


class NativeBlocker(MetaPathFinder):
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if _blocked(name):
            raise ModuleNotFoundError(f"No module named {name!r} (EVALCHECK_BLOCK_NATIVE)")
        return None


def install() -> None:
    if not any(isinstance(f, NativeBlocker) for f in sys.meta_path):
        sys.meta_path.insert(0, NativeBlocker())
        # forget what was imported before (a yaml with its C loader would keep it)
        for name in [m for m in sys.modules if _blocked(m) or m.split(".")[0] == "yaml"]:
            del sys.modules[name]


install()
