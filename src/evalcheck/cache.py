"""A parse cache for the YAML files, so that a command need not import or run PyYAML
when a file has not changed since it was last read.

One entry per source file (named after its absolute path), holding a fingerprint
of the file's bytes (CRC-32, length and modification time) and the parsed plain
data (dicts, lists, strings, numbers, dates; for a checklist, its validated model
objects). Entries are read with an unpickler that only accepts those types, so a
tampered cache cannot run code; any problem
with the cache means "parse the file again". Set EVALCHECK_CACHE_DIR to move it,
or EVALCHECK_NO_CACHE=1 to turn it off.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__

ENV_DIR = "EVALCHECK_CACHE_DIR"
ENV_OFF = "EVALCHECK_NO_CACHE"
_ALLOWED = {
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
}


class _PlainUnpickler(pickle.Unpickler):
    """Rebuilds only plain data, dates and the classes a caller names (never functions)."""

    def __init__(self, file: Any, allowed: set[tuple[str, str]]) -> None:
        super().__init__(file)
        self.allowed = _ALLOWED | allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.allowed:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


def cache_dir() -> Path | None:
    if os.environ.get(ENV_OFF):
        return None
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "evalcheck" / "Cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "evalcheck"


def _entry(folder: Path, path: Path) -> Path:
    import zlib

    resolved = str(path.resolve())
    return folder / f"{zlib.crc32(resolved.encode()):08x}-{len(resolved)}.pickle"


FORMAT = 2  # bump when what is cached changes shape


def _fingerprint(path: Path, raw: bytes, tag: str) -> str:
    import zlib

    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return f"{tag}-{FORMAT}-{__version__}-{zlib.crc32(raw):08x}-{len(raw)}-{mtime}"


def parse_cached(
    path: Path,
    raw: bytes,
    parse: Callable[[str], Any],
    allowed: set[tuple[str, str]] | None = None,
    *,
    tag: str = "data",
) -> Any:
    """`parse(text)`, or the cached result for these exact bytes of this file.

    `allowed` names the (module, class) pairs the result may contain besides plain data;
    `tag` names what kind of result it is, so that a change of kind is a cache miss.
    A result is cached only when `parse` returns; an error is raised every time.
    """
    folder = cache_dir()
    digest = _fingerprint(path, raw, tag)
    entry: Path | None = None
    if folder is not None:
        entry = _entry(folder, path)
        try:
            with entry.open("rb") as f:
                stored_digest, data = _PlainUnpickler(f, allowed or set()).load()
            if stored_digest == digest:
                return data
        except Exception:  # missing, stale or damaged: parse the file instead
            pass
    data = parse(raw.decode("utf-8"))
    if entry is not None:
        _store(entry, (digest, data))
    return data


def _store(entry: Path, value: Any) -> None:
    try:
        buf = io.BytesIO()
        pickle.dump(value, buf, protocol=pickle.HIGHEST_PROTOCOL)
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(buf.getvalue())
        os.replace(tmp, entry)
    except Exception:  # a read-only home or a full disk must not break a command
        pass


def prime(path: Path, raw: bytes, data: Any, *, tag: str = "data") -> None:
    """Record `data` as the parse of `raw`, just written to `path` (saves the next parse)."""
    folder = cache_dir()
    if folder is not None:
        _store(_entry(folder, path), (_fingerprint(path, raw, tag), data))
