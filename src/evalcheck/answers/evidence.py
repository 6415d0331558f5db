"""Evidence (佐证材料): the items an answer records, and the store folder that keeps the files.

An answer's `evidence` is a list of items, each one of:

- a file kept in the store: ``{file: 对接说明.pdf, size: 12345, sha256: …, at: …, by: …}``,
  the bytes at ``<store>/<id>/<file>``;
- a link: ``{url: https://…, at: …, by: …}``;
- a plain string, as evalcheck 0.1 recorded whatever followed ``--evidence``: a URL is a
  link, anything else a *legacy path* that is kept and reported until it is migrated.

The store is the folder ``佐证材料`` beside the answers file (``EVALCHECK_EVIDENCE_DIR``
moves it; a relative value is taken from the answers file's folder). A file removed from
an answer, or replaced by a new version, moves to ``<store>/.removed/<sha256>``, so that
``undo`` can bring it back: the store always follows the answers (see `sync`).

Everything here is plain Python: no typer, no rich. File operations are journalled
(`FileOps`) so that a command whose answers cannot be saved leaves the store as it was.
"""

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, NamedTuple

from evalcheck.answers.paths import ENV_EVIDENCE_DIR, store_root
from evalcheck.answers.paths import EVIDENCE_DIR as DEFAULT_DIR
from evalcheck.errors import InputError, WriteError, os_reason
from evalcheck.infra.fileio import new_file_mode
from evalcheck.model.kinds import check_text_length

__all__ = ["DEFAULT_DIR", "ENV_EVIDENCE_DIR", "store_root"]  # where the store is: store.py

REMOVED = ".removed"
REQUIREMENT_NAMES = {"required": "必须提供", "optional": "可选"}
KIND_LABELS = {"file": "文件", "link": "链接", "path": "旧版路径"}
CHUNK = 1 << 20  # files are streamed in 1 MiB pieces, never read whole
SHA256 = re.compile(r"[0-9a-f]{64}")
URL = re.compile(r"(?i)^(https?|ftp)://\S+$")
URL_START = re.compile(r"(?i)^(https?|ftp)://")

# ---------------------------------------------------------------- Windows-safe names

ILLEGAL = set('\\/:*?"<>|') | {"#"}  # '#' also breaks relative hyperlinks in Excel
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
MAX_FILE_CHARS = 80  # a store/bundle file name, extension included
MAX_FOLDER_CHARS = 40  # a bundle folder: "047_" + the indicator's text, cut


def is_safe_name(name: str) -> bool:
    """True when `name` is a valid file name on Windows (and POSIX) as evalcheck writes them."""
    if not name or name in (".", "..") or len(name) > MAX_FILE_CHARS:
        return False
    if any(ch in ILLEGAL or ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return False
    if name[-1] in ". ":
        return False
    return name.split(".")[0].upper().rstrip(" ") not in RESERVED


def safe_name(name: str, *, limit: int = MAX_FILE_CHARS) -> str:
    """`name` made valid on Windows: illegal characters become '_', invisible ones go, no
    trailing dots or spaces, reserved device names get a '_' prefix, and at most `limit`
    characters (cut in the stem, the extension kept)."""
    import unicodedata

    from evalcheck.infra.winnames import visible

    text = unicodedata.normalize("NFC", name)
    text = visible(text)  # '\u202efdp.exe' shows as exe.pdf
    text = "".join("_" if ch in ILLEGAL or ord(ch) < 32 or ord(ch) == 127 else ch for ch in text)
    text = text.strip().rstrip(". ")
    if not text or set(text) <= {"."}:
        text = "_"
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = text, ""
    if stem.split(".")[0].upper().rstrip(" ") in RESERVED:
        stem = "_" + stem
    ext = f".{ext}" if ext else ""
    room = max(limit - len(ext), 1)
    stem = stem[:room].rstrip(". ") or "_"
    return stem + ext


def fold(name: str) -> str:
    """A file name as Windows and macOS compare them: without case, but not folded any
    further (casefold() would make 'ﬁle.pdf' and 'file.pdf', or 'Straße' and 'STRASSE', one
    name, where the file systems keep two files)."""
    import unicodedata

    return unicodedata.normalize("NFC", name).lower()


def unique_name(name: str, taken: Iterable[str], *, limit: int = MAX_FILE_CHARS) -> str:
    """`name`, or 'name (2).ext', 'name (3).ext'… so it differs from every taken name.

    Compared without case, as Windows compares file names.
    """
    used = {fold(t) for t in taken}
    if fold(name) not in used:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    ext = f".{ext}" if ext else ""
    n = 2
    while True:
        tail = f" ({n}){ext}"
        candidate = stem[: max(limit - len(tail), 1)].rstrip(". ") + tail
        if fold(candidate) not in used:
            return candidate
        n += 1


# A blank to fill in, with the unit or percent sign that belongs to it: "（ ）", "（  ）个",
# "（）%", "____人".
_BLANK = re.compile(r"(?:[（(]\s*[)）]|_{2,}|＿{2,})\s*[个项次条人户家件%％]?")
_STOPS = "？?。！!"  # sentence ends: dropped inside a name ("总数？（仅企业）" → "总数（仅企业）")
_TRAILING = "，,、；;：:" + _STOPS
_OPENING = "（(“‘「《【"
_CLOSING = {"（": "）", "(": ")", "“": "”", "‘": "’", "「": "」", "《": "》", "【": "】"}


def folder_name(ident: int, text: str, width: int = 3) -> str:
    """'134_本辖区执法人员总数': the id, zero-padded, and the indicator's text as a readable
    name: blanks to fill in are dropped whole (with their unit), sentence ends dropped,
    cut to MAX_FOLDER_CHARS without leaving a bracket or quote open, and safe on Windows."""
    body = "".join(ch for ch in re.sub(r"\s+", "", text) if ch not in _STOPS)
    while _BLANK.search(body):  # "(())": a blank left by removing the one inside it
        body = _BLANK.sub("", body)
    prefix = f"{ident:0{width}d}_"
    body = _cut(body, MAX_FOLDER_CHARS - len(prefix))
    return safe_name(prefix + body, limit=MAX_FOLDER_CHARS).replace(".", "_") if body else prefix


def _cut(body: str, room: int) -> str:
    """`body` in at most `room` characters; a cut never leaves a bracket or quote open
    (it ends before the opening one when that keeps half the room, else drops the rest
    of the bracket's words), and no name ends with punctuation."""
    if len(body) > room:
        body = body[:room]
        open_at = _unclosed(body)
        if open_at is not None:
            body = body[:open_at] if open_at >= room // 2 else body[:open_at] + body[open_at + 1 :]
            body = body[:room]
    return body.rstrip(_TRAILING + _OPENING)


def _unclosed(text: str) -> int | None:
    """Where the first bracket or quote that is still open at the end of `text` starts."""
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in _CLOSING:
            stack.append(i)
        elif stack and ch == _CLOSING[text[stack[-1]]]:
            stack.pop()
    return stack[0] if stack else None


# ---------------------------------------------------------------- the items


class Evidence(NamedTuple):
    """One item of an answer's evidence (a NamedTuple: cheaper to define at start-up)."""

    name: str  # the file name in the store; the URL of a link; the text of a legacy path
    kind: str = "file"  # "file" | "link" | "path"
    size: int | None = None
    sha256: str | None = None
    at: str | None = None
    by: str | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def to_data(self) -> Any:
        """The YAML form; an item read as a plain string is written back as that string."""
        if self.kind == "path" or (self.kind == "link" and self.at is None and self.by is None):
            return self.name
        out: dict[str, Any] = {"url": self.name} if self.kind == "link" else {"file": self.name}
        if self.kind == "file":
            out.update(size=self.size, sha256=self.sha256)
        if self.at is not None:
            out["at"] = self.at
        if self.by is not None:
            out["by"] = self.by
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON for list/show."""
        return {
            "kind": self.kind,
            "name": self.name,
            "size": self.size,
            "sha256": self.sha256,
            "at": self.at,
            "by": self.by,
        }


def parse_item(raw: Any) -> Evidence | str:
    """An item from the answers file, or why it is not one (a hand-edited file may lie)."""
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return "佐证材料不能是空文字"
        return Evidence(text, "link" if URL.match(text) else "path")
    if not isinstance(raw, Mapping):
        return f"佐证材料应为文件名、网址或映射，实际为 {raw!r}"
    unknown = set(map(str, raw)) - {"file", "url", "size", "sha256", "at", "by"}
    if unknown:
        return f"佐证材料有未知字段 {sorted(unknown)}"
    at, by = raw.get("at"), raw.get("by")
    if at is not None and not isinstance(at, str | dt.date):
        return f"佐证材料的 at（收入时间）应为时间，实际为 {type(at).__name__}"
    if by is not None and not isinstance(by, str):
        return f"佐证材料的 by（收入人）应为文字，实际为 {type(by).__name__}"
    at_text = None if at is None else (at if isinstance(at, str) else at.isoformat())
    if "url" in raw:
        url = raw["url"]
        if not isinstance(url, str) or not URL.match(url.strip()):
            return f"url 应为网址（http:// 或 https:// 开头），实际为 {url!r}"
        return Evidence(url.strip(), "link", at=at_text, by=by)
    return _file_item(raw, at_text, by)


def _file_item(raw: Mapping[str, Any], at_text: str | None, by: str | None) -> Evidence | str:
    """A `{file, size, sha256}` item, or why it is not one."""
    name, size, digest = raw.get("file"), raw.get("size"), raw.get("sha256")
    if not isinstance(name, str) or not is_safe_name(name):
        return f"file 应为不含路径的文件名，实际为 {name!r}"
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return f"文件 {name} 的 size 应为不小于 0 的整数，实际为 {size!r}"
    if not isinstance(digest, str) or not SHA256.fullmatch(digest):
        return f"文件 {name} 的 sha256 应为 64 位十六进制数字"
    return Evidence(name, "file", size, digest, at_text, by)


def parse_items(raw: Any) -> tuple[Evidence, ...] | str:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        return "evidence 应为列表"
    out: list[Evidence] = []
    for item in raw:
        parsed = parse_item(item)
        if isinstance(parsed, str):
            return parsed
        out.append(parsed)
    return tuple(out)


def named_items(given: Iterable[str], recorded: Sequence[Evidence]) -> tuple[Evidence, ...]:
    """The recorded items, plus an item for each given name that is not one of them
    (a URL becomes a link, anything else a path to be resolved or reported)."""
    out = list(recorded)
    known = {e.name for e in recorded}
    for text in given:
        name = text.strip()
        if name and name not in known:
            item = parse_item(name)
            if isinstance(item, Evidence):
                out.append(item)
                known.add(name)
    return tuple(out)


def names(items: Iterable[Evidence]) -> list[str]:
    return [e.name for e in items]


def is_url(text: str) -> bool:
    return bool(URL.match(text.strip()))


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


# ---------------------------------------------------------------- requirements


def required(default: str, override: str | None) -> bool:
    return (override or default) == "required"


# ---------------------------------------------------------------- the store folder


def file_path(root: Path, ident: int, name: str) -> Path:
    return root / str(ident) / name


def hash_file(path: Path) -> tuple[str, int]:
    """(sha256, size) of a file, read in pieces."""
    import hashlib

    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


class FileOps:
    """A journal of file changes in the store, undone in reverse if the command fails."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []
        self._temps: list[Path] = []

    def copy_in(self, src: Path, folder: Path) -> tuple[Path, str, int]:
        """Copy `src` into a temporary file in `folder`, hashing it on the way.

        Returns (temporary path, sha256, size); `place` gives it its name.
        """
        import tempfile

        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".adding.", suffix=".tmp", dir=folder)
            os.chmod(tmp, new_file_mode())  # the folder's normal permissions, not mkstemp's 0600
        except OSError as exc:
            raise WriteError(f"无法在 {folder} 写入佐证材料：{os_reason(exc)}") from None
        self._temps.append(Path(tmp))
        import hashlib

        h = hashlib.sha256()
        size = 0
        try:
            with src.open("rb") as fi, os.fdopen(fd, "wb") as fo:
                while chunk := fi.read(CHUNK):
                    h.update(chunk)
                    size += len(chunk)
                    fo.write(chunk)
                fo.flush()
                os.fsync(fo.fileno())
        except OSError as exc:
            raise WriteError(f"无法复制 {src}：{os_reason(exc)}") from None
        return Path(tmp), h.hexdigest(), size

    def discard(self, tmp: Path) -> None:
        with suppress(OSError):
            tmp.unlink()

    def place(self, tmp: Path, dst: Path) -> None:
        """Give a copied file its name (the name must be free: see `sync`)."""
        try:
            os.replace(tmp, dst)
        except OSError as exc:
            raise WriteError(f"无法写入 {dst}：{os_reason(exc)}") from None
        self._undo.append(lambda: dst.unlink(missing_ok=True))

    def retire(self, src: Path, trash: Path) -> None:
        """Move a store file to the removed folder, under the hash of what it holds now."""
        if not src.is_file():
            return
        digest, _ = hash_file(src)
        keep = trash / digest
        try:
            trash.mkdir(parents=True, exist_ok=True)
            if keep.exists():
                src.unlink()
                self._undo.append(lambda: _restore_copy(keep, src))
            else:
                os.replace(src, keep)
                self._undo.append(lambda: os.replace(keep, src))
        except OSError as exc:
            raise WriteError(f"无法移动 {src}：{os_reason(exc)}") from None

    def restore(self, keep: Path, dst: Path) -> None:
        """Bring a removed file back (copied: other history may need it again)."""
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            _restore_copy(keep, dst)
        except OSError as exc:
            raise WriteError(f"无法恢复 {dst}：{os_reason(exc)}") from None
        self._undo.append(lambda: dst.unlink(missing_ok=True))

    def rollback(self) -> None:
        for fn in reversed(self._undo):
            with suppress(OSError):
                fn()
        self._undo.clear()
        self.cleanup()

    def cleanup(self) -> None:
        for tmp in self._temps:
            with suppress(OSError):
                tmp.unlink()
        self._temps.clear()


def _restore_copy(src: Path, dst: Path) -> None:
    import shutil

    tmp = dst.with_name(f".restoring.{dst.name}.tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def sync(
    root: Path,
    ident: int,
    before: Sequence[Evidence],
    after: Sequence[Evidence],
    ops: FileOps,
    incoming: Mapping[str, Path] | None = None,
) -> list[str]:
    """Make the store folder of one indicator follow a change of its evidence.

    Files recorded before but not after move to the removed folder; files recorded
    after are placed from `incoming` (just copied) or brought back from the removed
    folder. Returns the names that could not be brought back.
    """
    incoming = incoming or {}
    trash = root / REMOVED
    old = {(e.name, e.sha256) for e in before if e.kind == "file"}
    new = {(e.name, e.sha256) for e in after if e.kind == "file"}
    for name, _digest in sorted(old - new):
        ops.retire(file_path(root, ident, name), trash)
    lost: list[str] = []
    for name, digest in sorted(new - old):
        dst = file_path(root, ident, name)
        if name in incoming:
            dst.parent.mkdir(parents=True, exist_ok=True)
            ops.place(incoming[name], dst)
        elif dst.is_file():
            continue
        elif digest and (trash / digest).is_file():
            ops.restore(trash / digest, dst)
        else:
            lost.append(name)
    return lost


# ---------------------------------------------------------------- adding


class Added(NamedTuple):
    """What happened to one source given to `evidence add`."""

    source: str
    outcome: str  # "added" | "replaced" | "duplicate" | "link" | "link-duplicate"
    item: Evidence
    other: str | None = None  # the recorded name it duplicates, or that it replaced


def add_items(
    root: Path,
    ident: int,
    current: Sequence[Evidence],
    sources: Sequence[str],
    ops: FileOps,
    *,
    by: str,
    at: str,
    base: Path | None = None,
) -> tuple[tuple[Evidence, ...], list[Added], dict[str, Path]]:
    """The evidence after adding `sources` (files or URLs), what happened to each, and the
    copied files waiting to be placed (pass them to `sync` as `incoming`).

    A file whose content is already recorded for this indicator is not added twice; a file
    with the name of a recorded one but other content replaces it (the old one stays in
    history). Paths are relative to `base` (default: the current folder).
    """
    items = list(current)
    report: list[Added] = []
    incoming: dict[str, Path] = {}

    def resolve(source: str) -> Path:
        p = Path(source)
        return base / p if base is not None and not p.is_absolute() else p

    def readable(source: str) -> bool:
        try:
            return resolve(source).is_file()
        except (OSError, ValueError):  # a name too long for the system, a NUL byte
            return False

    for s in sources:  # a path is text an Excel cell must be able to carry
        check_text_length("佐证材料", s)
    spaced = [s for s in sources if URL_START.match(s.strip()) and not is_url(s)]
    if spaced and not any(readable(s) for s in spaced):
        raise InputError(
            "网址中不能有空格，未做任何修改："
            + "、".join(f"“{s}”" for s in spaced)
            + "。请去掉空格，或把空格写成 %20"
        )
    missing = [s for s in sources if not is_url(s) and not readable(s)]
    if missing:
        raise InputError(
            "找不到以下文件（或不是文件），未做任何修改："
            + "、".join(missing)
            + "。请给出文件的路径，或以 http:// 或 https:// 开头的网址"
        )
    folder = root / str(ident)
    for source in sources:
        if is_url(source):
            report.append(_add_link(items, source, by=by, at=at))
            continue
        src = resolve(source)
        tmp, digest, size = ops.copy_in(src, folder)
        same = next((e for e in items if e.kind == "file" and e.sha256 == digest), None)
        if same is not None:
            ops.discard(tmp)
            report.append(Added(source, "duplicate", same, same.name))
            continue
        added = _add_file(items, incoming, source, src.name, (size, digest, at, by))
        report.append(added)
        incoming[added.item.name] = tmp
    return tuple(items), report, incoming


def _add_link(items: list[Evidence], source: str, *, by: str, at: str) -> Added:
    """A link: recorded once (the same URL again is reported as a duplicate)."""
    url = source.strip()
    if any(e.kind == "link" and e.name == url for e in items):
        return Added(source, "link-duplicate", Evidence(url, "link"))
    item = Evidence(url, "link", at=at, by=by)
    items.append(item)
    return Added(source, "link", item)


def _add_file(
    items: list[Evidence],
    incoming: dict[str, Path],
    source: str,
    original: str,
    facts: tuple[int, str, str, str],
) -> Added:
    """A new file's item: added, or replacing the recorded file of the same name."""
    import unicodedata

    size, digest, at, by = facts
    name = safe_name(original)
    if name.startswith("."):  # hidden on Linux and macOS, and the store's own temporary
        name = "_" + name[1:]  # copies are dot-names ('.adding.….tmp'): never one of those
    altered = name != unicodedata.normalize("NFC", original)  # cut or made valid
    clash = next((e for e in items if e.kind == "file" and fold(e.name) == fold(name)), None)
    if clash is not None and (clash.name in incoming or altered):
        # two files of one name in one go, or a name that only matches once cut
        # (two long names alike up to the cut): a name of its own, never a replacement
        name = unique_name(name, [e.name for e in items if e.kind == "file"])
        clash = None
    item = Evidence(clash.name if clash else name, "file", size, digest, at, by)
    if clash is not None:
        items[items.index(clash)] = item
        return Added(source, "replaced", item, clash.name)
    items.append(item)
    return Added(source, "added", item)


def remove_item(current: Sequence[Evidence], name: str) -> tuple[tuple[Evidence, ...], Evidence]:
    """The evidence without the item called `name` (file name, URL or legacy path)."""
    wanted = name.strip()
    for e in current:
        if e.name == wanted or (e.kind == "file" and fold(e.name) == fold(wanted)):
            return tuple(x for x in current if x is not e), e
    recorded = "、".join(names(current)) or "（无）"
    raise InputError(f"没有名为“{name}”的佐证材料（已登记：{recorded}）")


# ---------------------------------------------------------------- checking


class ItemCheck(NamedTuple):
    item: Evidence
    problem: str | None  # None | "missing" | "changed" | "unreadable"
    detail: str = ""


def present(root: Path, ident: int, item: Evidence, base: Path) -> bool:
    """Cheap test (no hashing) that an item can be shown: a stored file exists, a link."""
    if item.kind == "link":
        return True
    if item.kind == "path":
        p = Path(item.name)
        return (p if p.is_absolute() else base / p).is_file()
    return file_path(root, ident, item.name).is_file()


def check_item(root: Path, ident: int, item: Evidence, *, deep: bool) -> ItemCheck:
    """Whether a stored file is there and (when `deep`, by hash) unchanged since it was added."""
    if item.kind != "file":
        return ItemCheck(item, None)
    p = file_path(root, ident, item.name)
    try:
        size = p.stat().st_size
    except OSError:
        return ItemCheck(item, "missing", f"材料库中没有 {p}")
    if size != item.size:
        return ItemCheck(item, "changed", f"大小 {item.size} → {size} 字节")
    if deep:
        try:
            digest, _ = hash_file(p)
        except OSError as exc:  # a read that failed (no permission, a bad disk)
            return ItemCheck(item, "unreadable", f"无法读取 {p}：{os_reason(exc)}")
        if digest != item.sha256:
            return ItemCheck(item, "changed", "内容与登记时不同（sha256 不符）")
    return ItemCheck(item, None)


LEFTOVER = re.compile(r"\.(adding\..+|restoring\..+)\.tmp")  # copies a killed command left


def leftovers(root: Path, ident: int) -> list[Path]:
    """Hidden partial copies in an indicator's store folder (an `evidence add` or undo
    killed while copying): never recorded, never packed."""
    folder = root / str(ident)
    try:
        return sorted(p for p in folder.iterdir() if LEFTOVER.fullmatch(p.name) and p.is_file())
    except OSError:
        return []


def unrecorded(root: Path, ident: int, items: Sequence[Evidence]) -> list[str]:
    """Files in an indicator's store folder that no item records (copied in by hand)."""
    folder = root / str(ident)
    if not folder.is_dir():
        return []
    known = {e.name for e in items if e.kind == "file"}
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name not in known
    )
