"""A parse cache for the YAML files, so that a command need not import or run PyYAML
when a file has not changed since it was last read.

One entry per source file (named after a CRC-32 of its absolute path, which the
entry also holds), holding the file's bytes themselves and the parsed plain data
(dicts, lists, strings, numbers, dates; for a checklist, its validated model objects).
An entry is used only when the bytes it holds equal the file's bytes: an exact
comparison, so there is no digest whose collision could be crafted, and no hash
function to import (hashlib loads OpenSSL, ~2 ms of every command). An entry is one
marshal record (marshal is built in: nothing to import, where pickle costs ~2.5 ms of
every command), framed by a magic and its CRC-32 so that a damaged entry is a miss: a
head (what it must match, and the fields each model class had when it was written) and
the data. Plain data is stored as it is; data with dates or model objects is stored as
plain tuples that name them ("d", ordinal), ("o", "module:Class", field values…), and is
rebuilt only from the classes the caller allows, and only when their fields are those the
entry was written with. marshal rebuilds data, never runs code, so a tampered entry
cannot run code either.

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

import contextlib
import datetime as dt
import functools
import marshal
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from stat import S_ISREG
from typing import Any

from evalcheck import __version__

ENV_DIR = "EVALCHECK_CACHE_DIR"
ENV_OFF = "EVALCHECK_NO_CACHE"
_SCALARS = (str, int, float, bool, bytes, type(None))


def _pack(obj: Any, names: dict[type, str]) -> Any:
    """`obj` as marshal's plain data: every tuple tagged ("t", …), dates ("d", ordinal),
    datetimes ("D", ISO text), objects of the classes in `names` ("o", name, fields…).
    Anything else: ValueError (not cached)."""
    kind = type(obj)
    if kind in _SCALARS:
        return obj
    if kind is list:
        return [_pack(x, names) for x in obj]
    if kind is dict:
        return {_pack(k, names): _pack(v, names) for k, v in obj.items()}
    if kind is tuple:
        return ("t", *(_pack(x, names) for x in obj))
    if kind is dt.date:
        return ("d", obj.toordinal())
    if kind is dt.datetime:
        return ("D", obj.isoformat())
    name = names.get(kind)
    if name is None:
        raise ValueError(f"{kind.__name__} is not cached")
    return ("o", name, *(_pack(getattr(obj, f), names) for f in _fields(kind)))


def _unpack(obj: Any, classes: dict[str, Any]) -> Any:
    """_pack, undone: objects rebuilt from `classes` only (the hot path of a cached
    checklist: scalars are taken as they are, without a call)."""
    kind = type(obj)
    if kind is list:
        return [x if type(x) in _SCALARS else _unpack(x, classes) for x in obj]
    if kind is dict:
        return {
            _unpack(k, classes): v if type(v) in _SCALARS else _unpack(v, classes)
            for k, v in obj.items()
        }
    if kind is not tuple:
        if kind not in _SCALARS:
            raise ValueError(f"{kind.__name__} in a cache entry")
        return obj
    tag = obj[0]
    if tag == "t":
        return tuple([x if type(x) in _SCALARS else _unpack(x, classes) for x in obj[1:]])
    if tag == "d":
        return dt.date.fromordinal(obj[1])
    if tag == "D":
        return dt.datetime.fromisoformat(obj[1])
    if tag == "o":
        cls, fields, how = classes[obj[1]]
        values = [x if type(x) in _SCALARS else _unpack(x, classes) for x in obj[2:]]
        if len(values) != len(fields):
            raise ValueError(f"{cls.__name__}: {len(values)} values for {len(fields)} fields")
        return how(cls, fields, values)
    raise ValueError(f"unknown tag {tag!r} in a cache entry")


def _as_tuple(cls: Any, fields: tuple[str, ...], values: list[Any]) -> Any:
    return tuple.__new__(cls, values)


def _by_field(cls: Any, fields: tuple[str, ...], values: list[Any]) -> Any:
    """A frozen slotted class, field by field (its constructor would assign them again)."""
    obj = object.__new__(cls)
    for name, value in zip(fields, values, strict=True):
        object.__setattr__(obj, name, value)
    return obj


def _constructed(cls: Any, fields: tuple[str, ...], values: list[Any]) -> Any:
    return cls(*values)  # Checklist: its constructor indexes its indicators


def _how(cls: Any) -> tuple[Any, tuple[str, ...], Callable[..., Any]]:
    """How to rebuild an object of `cls` from its field values."""
    if issubclass(cls, tuple):
        return cls, _fields(cls), _as_tuple
    if cls.__setattr__ is not object.__setattr__:  # frozen: an entity, a frozen dataclass
        return cls, _fields(cls), _by_field
    return cls, _fields(cls), _constructed


def cache_dir() -> Path | None:
    if os.environ.get(ENV_OFF):
        return None
    if os.environ.get(ENV_DIR, "").strip():  # blank: unset, not a folder named " "
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
    return folder / f"{zlib.crc32(resolved):08x}.entry"


# bump when what is cached changes shape or what a parse accepts (5: Indicator.sections/owners;
# 6: Checklist.review; 7: YAML nesting and non-plain tags refused; 8: bytes kept, not digested;
# 9: a head and the data, each class's fields in the head; 10: marshal, not pickle)
FORMAT = 10


def _fingerprint(path: Path, raw: bytes, tag: str) -> tuple[str, str, bytes]:
    """What an entry must match: kind, format, version, the file's path and its bytes."""
    return f"{tag}-{FORMAT}-{__version__}", _resolved(path), raw


def _trusted(st: os.stat_result) -> bool:
    """Ours and writable by nobody else (always true where there are no POSIX owners)."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _fields(cls: Any) -> tuple[str, ...]:
    """A model class's fields, in the order its constructor takes them as keywords."""
    for attr in ("FIELDS", "_fields", "__slots__"):  # Checklist, NamedTuple, dataclass
        fields = getattr(cls, attr, None)
        if fields:
            return tuple(map(str, fields))
    return ()


def _classes(allowed: set[tuple[str, str]]) -> dict[str, Any]:
    """The allowed classes already imported, by 'module:Class' (a class in the data is
    imported: its objects exist; a reading command then imports only the model modules
    its entry needs)."""
    import sys

    out = {}
    for module, name in sorted(allowed):
        cls = getattr(sys.modules.get(module), name, None)
        if cls is not None:
            out[f"{module}:{name}"] = cls
    return out


class _Rebuildable(dict[str, Any]):
    """The classes an entry's data names, each looked up (and its module imported) when
    the data first names it, and only if the caller allows it and its fields are still
    those the entry was written with: an entry written by a version whose models had
    other fields is a miss (it would build broken objects), even when nobody remembered
    to bump FORMAT. A class the data does not name is not imported (a reading command
    pays only for the model modules its entry needs)."""

    def __init__(self, allowed: set[tuple[str, str]], shapes: dict[str, tuple[str, ...]]):
        super().__init__()
        self.allowed, self.shapes = allowed, shapes

    def __missing__(self, name: str) -> Any:
        from importlib import import_module

        module, _, cls_name = name.partition(":")
        if (module, cls_name) not in self.allowed:
            raise KeyError(name)
        cls = getattr(import_module(module), cls_name)
        if _fields(cls) != tuple(self.shapes.get(name, ())):
            raise KeyError(name)
        found = self[name] = _how(cls)
        return found


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
        # never blocks on a FIFO planted as an entry; anything but a regular file is a miss
        fd = os.open(_entry(folder, path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if S_ISREG(st.st_mode) and _trusted(st) and _trusted(os.stat(folder)):
                record = _framed(f.read())  # one record, read whole
                if record is not None:
                    (stored, shapes, packed), data = marshal.loads(record)
                    if stored == expected:  # the same bytes of the same file
                        return _unpack(data, _Rebuildable(allowed, shapes)) if packed else data
    except Exception:  # missing, stale or damaged: a miss
        pass
    return _MISS


MAGIC = b"EVC\x0a"  # an entry: MAGIC, the CRC-32 of the record, the marshal record


def _framed(blob: bytes) -> bytes | None:
    """The marshal record of an entry, or None when the entry is not whole: a flipped byte
    or a truncated file is a miss, never data that says something else (marshal checks
    little), nor a length that asks marshal for gigabytes."""
    if blob[:4] != MAGIC or int.from_bytes(blob[4:8], "little") != zlib.crc32(blob[8:]):
        return None
    return blob[8:]


def _store(
    entry: Path, expected: tuple[str, str, bytes], data: Any, allowed: set[tuple[str, str]]
) -> None:
    try:
        classes = _classes(allowed)
        shapes = {name: _fields(cls) for name, cls in classes.items()}
        try:  # plain data (an answers file) is stored as it is
            blob = marshal.dumps(((expected, shapes, False), data))
        except ValueError:  # dates, model objects
            names = {cls: name for name, cls in classes.items()}
            blob = marshal.dumps(((expected, shapes, True), _pack(data, names)))
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(os.stat(entry.parent)):
            return  # a shared or foreign folder: never write entries others could swap
        new = not os.path.lexists(entry)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + zlib.crc32(blob).to_bytes(4, "little") + blob)
        os.replace(tmp, entry)
        if new:  # one more file: the folder is looked over only then
            _prune(entry.parent, keep=entry.name)
    except Exception:  # a read-only home or a full disk must not break a command
        pass


# The folder is bounded: one entry per file read (checklists, answers files) or export
# written (which holds the export's bytes), so it grows with every new file name a user
# exports to. Past either limit the oldest entries (by when they were written) go, down to
# three quarters of it; what goes is only parsed again when next read.
MAX_ENTRIES = 256
MAX_BYTES = 64 * 1024 * 1024
STALE_TMP = 3600  # seconds: a temporary file this old was left by a process that died


def _prune(folder: Path, *, keep: str) -> None:
    """Remove the oldest entries while the folder is past MAX_ENTRIES or MAX_BYTES, and
    temporary files left by processes that died; never `keep` (the entry just written)
    nor anything that is not a regular file of ours named as an entry."""
    import time

    found: list[tuple[float, int, str]] = []
    stale: list[str] = []
    now = time.time()
    with os.scandir(folder) as it:
        for e in it:
            name = e.name
            if not _ours(name):
                continue
            st = e.stat(follow_symlinks=False)
            if not S_ISREG(st.st_mode) or not _trusted(st):
                continue
            if name.endswith(".tmp"):
                if now - st.st_mtime > STALE_TMP:
                    stale.append(e.path)
            elif name != keep:
                found.append((st.st_mtime, st.st_size, e.path))
    count = len(found) + 1
    size = sum(s for _, s, _ in found) + os.stat(folder / keep).st_size
    doomed = list(stale)
    if count > MAX_ENTRIES or size > MAX_BYTES:
        for _, s, path in sorted(found):
            if count <= MAX_ENTRIES * 3 // 4 and size <= MAX_BYTES * 3 // 4:
                break
            doomed.append(path)
            count, size = count - 1, size - s
    for path in doomed:
        with contextlib.suppress(OSError):
            os.remove(path)


def _ours(name: str) -> bool:
    """An entry's name (CRC-32 in hex, ".entry") or its temporary file's (".PID.tmp")."""
    crc, _, rest = name.partition(".")
    if len(crc) != 8 or crc.strip("0123456789abcdef"):
        return False
    return rest == "entry" or (rest.endswith(".tmp") and rest[:-4].isdigit())


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
