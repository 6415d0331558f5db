"""SHA-256 of small texts (cache keys, row keys, answer versions) without loading OpenSSL.

`hashlib` costs about 3 ms to import (it loads OpenSSL); CPython's built-in SHA-256
costs 0.2 ms and gives the same digest. Files (evidence, packs) are hashed with hashlib,
which is faster on large data.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any


def sha256_hex(data: bytes) -> str:
    return str(_sha256_type()(data).hexdigest())


@functools.cache
def _sha256_type() -> Any:
    for name in ("_sha2", "_sha256"):  # CPython >= 3.12, 3.11
        try:
            return importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
    import hashlib  # pragma: no cover - other Pythons

    return hashlib.sha256  # pragma: no cover
