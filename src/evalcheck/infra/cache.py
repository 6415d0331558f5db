"""A parse cache for the YAML files, so that a command need not import or run PyYAML
when a file has not changed since it was last read.

One entry per source file (named after a CRC-32 of its absolute path, which the
entry also holds), holding the file's bytes themselves and the parsed plain data
(dicts, lists, strings, numbers, dates; for a checklist, its validated model objects).
An entry is used only when the bytes it holds equal the file's bytes: an exact
comparison, so there is no digest whose collision could be crafted, and no hash
function to import (hashlib loads OpenSSL, ~2 ms of every command). An entry is two
pickles: a head (what it must match, and the fields each model class had when it was
written) and the data; a class whose fields have changed since makes the entry a miss.
Entries are read with an unpickler that only accepts those types, so a tampered cache
cannot run code.

The cache is per user: the folder is made owner-only (0700), entries owner-only
(0600), and on POSIX an entry is used only when it and its folder belong to the
current user and nobody else can write them; so another user cannot plant an
entry that changes what is shown. What is *written* never rests on the cache alone:
store.transaction uses an entry only when writing its data again gives back exactly the
file's bytes (so the data is what the file says), and parses the file otherwise. Any
problem with the cache means "parse the file again". Set EVALCHECK_CACHE_DIR to move it,
or EVALCHECK_NO_CACHE=1 to turn it off.
"""

from __future__ import annotations

import functools
import io
import os
import pickle
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evalcheck import __version__

ENV_DIR = "EVALCHECK_CACHE_DIR"
ENV_OFF = "EVALCHECK_NO_CACHE"
_ALLOWED = {
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
}


class _PlainUnpickler(pickle.Unpickler):
    """Rebuilds only plain data, dates and the classes a caller names (never functions),
    and those only with the fields they had when the entry was written (`shapes`)."""

    def __init__(
        self,
        file: Any,
        allowed: set[tuple[str, str]],
        shapes: dict[tuple[str, str], tuple[str, ...]],
    ) -> None:
        super().__init__(file)
        self.allowed = allowed
        self.shapes = shapes

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        cls = super().find_class(module, name)
        if _fields(cls) != self.shapes.get((module, name)):
            raise pickle.UnpicklingError(f"{module}.{name} has other fields now")
        return cls


def cache_dir() -> Path | None:
    if os.environ.get(ENV_OFF):
        return None
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "evalcheck" / "Cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "evalcheck"


@functools.cache
def _resolved(path: Path) -> str:
    return str(path.resolve())


def _entry(folder: Path, path: Path) -> Path:
    """The entry for `path`; two paths with one CRC share it (each one's fingerprint holds
    its path, so they only take turns: a miss, never the other file's data)."""
    resolved = _resolved(path).encode("utf-8", "surrogateescape")
    return folder / f"{zlib.crc32(resolved):08x}.pickle"


# bump when what is cached changes shape or what a parse accepts (5: Indicator.sections/owners;
# 6: Checklist.review; 7: YAML nesting and non-plain tags refused; 8: bytes kept, not digested;
# 9: a head and the data, each class's fields in the head)
FORMAT = 9


def _fingerprint(path: Path, raw: bytes, tag: str) -> tuple[str, str, bytes]:
    """What an entry must match: kind, format, version, the file's path and its bytes."""
    return f"{tag}-{FORMAT}-{__version__}", _resolved(path), raw


def _trusted(st: os.stat_result) -> bool:
    """Ours and writable by nobody else (always true where there are no POSIX owners)."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _fields(cls: Any) -> tuple[str, ...]:
    fields: Any = getattr(cls, "_fields", None) or getattr(cls, "__slots__", ())
    return tuple(map(str, fields))


def _shapes(allowed: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, ...]]:
    """The fields of each class a result may hold, as they are now: an entry pickled by a
    version whose models had other fields is a miss (it would unpickle into broken
    objects), even when nobody remembered to bump FORMAT. Only classes already imported
    are named: a class in the data is imported (its objects exist), and a reading command
    then imports only the model modules its entry needs."""
    import sys

    out = {}
    for module, name in sorted(allowed):
        cls = getattr(sys.modules.get(module), name, None)
        if cls is not None:
            out[module, name] = _fields(cls)
    return out


def parse_cached(
    path: Path,
    raw: bytes,
    parse: Callable[[str], Any],
    allowed: set[tuple[str, str]] | None = None,
    *,
    tag: str = "data",
    proof: Callable[[Any], bool] | None = None,
) -> Any:
    """`parse(text)`, or the cached result for these exact bytes of this file.

    `allowed` names the (module, class) pairs the result may contain besides plain data;
    `tag` names what kind of result it is, so that a change of kind is a cache miss.
    A result is cached only when `parse` returns; an error is raised every time.
    `proof(result)`: a cached result is used only when it says True (a write checks that
    the entry's data gives back the file's bytes, so a changed entry is never written).
    """
    folder = cache_dir()
    expected = _fingerprint(path, raw, tag)
    found = _lookup(folder, path, expected, allowed or set())
    if found is not _MISS and (proof is None or _proved(proof, found)):
        return found
    data = parse(raw.decode("utf-8"))
    if folder is not None:
        _store(_entry(folder, path), expected, data, allowed or set())
    return data


_MISS = object()


def _proved(proof: Callable[[Any], bool], found: Any) -> bool:
    try:
        return bool(proof(found))
    except Exception:  # whatever a damaged entry holds: a miss
        return False


def _lookup(
    folder: Path | None,
    path: Path,
    expected: tuple[str, str, bytes],
    allowed: set[tuple[str, str]],
) -> Any:
    """The data of `path`'s entry when it is ours and was stored for `expected`, else _MISS."""
    if folder is None:
        return _MISS
    try:
        with _entry(folder, path).open("rb") as f:
            if _trusted(os.fstat(f.fileno())) and _trusted(os.stat(folder)):
                stored, shapes = _PlainUnpickler(f, set(), {}).load()
                if stored == expected:  # the same bytes of the same file
                    return _PlainUnpickler(f, allowed, shapes).load()
    except Exception:  # missing, stale or damaged: a miss
        pass
    return _MISS


def _store(
    entry: Path, expected: tuple[str, str, bytes], data: Any, allowed: set[tuple[str, str]]
) -> None:
    try:
        buf = io.BytesIO()
        pickle.dump((expected, _shapes(allowed)), buf, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(data, buf, protocol=pickle.HIGHEST_PROTOCOL)
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(os.stat(entry.parent)):
            return  # a shared or foreign folder: never write entries others could swap
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
        os.replace(tmp, entry)
    except Exception:  # a read-only home or a full disk must not break a command
        pass


def prime(path: Path, raw: bytes, data: Any, *, tag: str = "data") -> None:
    """Record `data` as the parse of `raw`, just written to `path` (saves the next parse)."""
    folder = cache_dir()
    if folder is not None:
        _store(_entry(folder, path), _fingerprint(path, raw, tag), data, set())


MEMO = "memo"
MEMO_MAX = 100_000  # entries; a memo past it starts again from this run's results


def load_memo(name: str) -> dict[Any, Any]:
    """The results of a pure function kept by earlier runs of this version under `name`
    (the print layout's line counts), or {}. Whoever uses one checks each result it takes
    for plausibility: an entry is ours, but not proof against our own mistakes."""
    folder = cache_dir()
    if folder is None:
        return {}
    where = folder / name
    found = _lookup(folder, where, _fingerprint(where, b"", MEMO), set())
    return found if isinstance(found, dict) else {}


def save_memo(name: str, memo: dict[Any, Any]) -> None:
    """Keep `memo` (see load_memo) for the next run."""
    folder = cache_dir()
    if folder is not None and len(memo) <= MEMO_MAX:
        where = folder / name
        _store(_entry(folder, where), _fingerprint(where, b"", MEMO), memo, set())


WRITTEN = "written"


def remember_written(path: Path, raw: bytes) -> None:
    """Record that evalcheck has just written these bytes to `path` (an export)."""
    prime(path, raw, True, tag=WRITTEN)


def written_as_is(path: Path, raw: bytes) -> bool:
    """Whether `raw`, read from `path`, is exactly what evalcheck last recorded writing
    there: an export nobody has opened and saved since (no need to read it back)."""
    return _lookup(cache_dir(), path, _fingerprint(path, raw, WRITTEN), set()) is True
