"""The test suite. EVALCHECK_BLOCK_NATIVE=1 runs it as on a PC without native wheels.

This runs before tests/conftest.py imports evalcheck: the blocker (tests/nativeblock/)
must be in place before anything imports yaml. Its folder goes first on PYTHONPATH too,
so that the Pythons the tests start (`python -m evalcheck` …) are blocked the same way.
"""

import os

# read once here: every test's fixture clears the EVALCHECK_* variables
NATIVE_BLOCKED = os.environ.get("EVALCHECK_BLOCK_NATIVE") == "1"
if NATIVE_BLOCKED:
    import importlib.util
    from pathlib import Path

    _folder = Path(__file__).parent / "nativeblock"
    _spec = importlib.util.spec_from_file_location("_nativeblock", _folder / "sitecustomize.py")
    assert _spec is not None and _spec.loader is not None
    _spec.loader.exec_module(importlib.util.module_from_spec(_spec))
    _path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(_folder), *([_path] if _path else [])])
