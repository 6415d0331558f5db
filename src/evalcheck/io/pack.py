"""`evidence pack`: the bundle the evaluators receive, as a zip file or a folder.

Layout: one folder per indicator with files, named like ``047_本地区行政许可事项承诺时限总数``
(Windows-safe, bounded, unique), holding the files under their recorded names, and the
index workbook ``目录.xlsx`` at the top: one row per file (or per indicator without
files) with the id, text, section, value, the file as a relative hyperlink, links, and
what is missing.

The output is deterministic: entries in a fixed order, each dated by when its file was
recorded, the workbook written with fixed timestamps, so the same state gives the same
bytes. Files are streamed into the zip in 1 MiB pieces and hashed on the way: memory
stays flat whatever the size, and a file changed since it was recorded stops the pack
(unless forced) without leaving a half-written bundle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from evalcheck.answers.evidence import CHUNK, Evidence, file_path, folder_name, unique_name
from evalcheck.errors import InputError, WriteError, os_reason
from evalcheck.infra.fileio import is_read_only, read_only_refusal
from evalcheck.model.checklist import UNASSIGNED, Checklist, Indicator
from evalcheck.state.snapshot import Row

INDEX = "目录.xlsx"
INDEX_HEADERS = ("题号", "三级指标", "责任科室", "填报值", "文件", "链接", "缺失")
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
STORED = {  # already compressed: deflating them again only costs time
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".zip", ".rar", ".7z", ".gz",
    ".docx", ".xlsx", ".pptx", ".ofd", ".mp4", ".mp3", ".wps", ".et",
}  # fmt: skip
UTF8_FLAG = 0x800
FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


class PackFile(NamedTuple):
    arcname: str  # "047_…/对接说明.pdf"
    source: Path
    item: Evidence
    ident: int


@dataclass
class IndexRow:
    ind: Indicator
    value: str
    file: str = ""  # arcname, hyperlinked
    links: str = ""
    missing: str = ""


@dataclass
class Plan:
    files: list[PackFile] = field(default_factory=list)
    rows: list[IndexRow] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # '第47项 说明.pdf'
    lacking: list[int] = field(default_factory=list)  # answered, required, no evidence

    @property
    def total_bytes(self) -> int:
        return sum(f.item.size or 0 for f in self.files)


def plan(checklist: Checklist, rows: Sequence[Row], root: Path) -> Plan:
    """What goes where, from the snapshot's rows (only checks which stored files exist)."""
    out = Plan()
    width = max(3, len(str(max((i.id for i in checklist.indicators), default=0))))
    folders: list[str] = []
    for row in sorted(rows, key=lambda r: r.id):
        ind, ev = row.ind, row.evidence
        value = row.marked_display or row.stage_text  # '95 条（已退回）' while not final
        links = "\n".join(e.name for e in ev.links)
        stored = [e for e in ev.files if e.name not in ev.missing]
        gone = list(ev.missing) + [e.name for e in ev.items if e.kind == "path"]
        out.missing.extend(f"第{ind.id}项 {n}" for n in gone)
        notes = [f"文件缺失：{n}" for n in gone]
        if ev.lacking:
            out.lacking.append(ind.id)
            notes.insert(0, "缺佐证材料")
        missing = "；".join(notes)
        if not stored:
            out.rows.append(IndexRow(ind, value, "", links, missing))
            continue
        folder = unique_name(folder_name(ind.id, ind.text, width), folders)
        folders.append(folder)
        taken: list[str] = []
        for n, e in enumerate(sorted(stored, key=lambda e: e.name)):
            name = unique_name(e.name, taken)
            taken.append(name)
            arc = f"{folder}/{name}"
            out.files.append(PackFile(arc, file_path(root, ind.id, e.name), e, ind.id))
            first = n == 0
            out.rows.append(
                IndexRow(ind, value, arc, links if first else "", missing if first else "")
            )
    return out


def zip_time(at: str | None) -> tuple[int, int, int, int, int, int]:
    """A zip entry's date: when the file was recorded (wall-clock time as written)."""
    if at:
        with suppress(ValueError):
            t = dt.datetime.fromisoformat(at)
            if 1980 <= t.year <= 2107:  # what a zip entry's date can hold
                return (t.year, t.month, t.day, t.hour, t.minute, t.second)
    return EPOCH


def index_workbook(checklist: Checklist, p: Plan, when: tuple[int, ...]) -> bytes:
    """目录.xlsx as bytes, the same bytes for the same plan (dated `when`)."""
    from evalcheck.io.xlsx_book import LINK_COLOR, Book

    y, mo, d, h, mi, s = when[:6]
    with Book(dt.datetime(y, mo, d, h, mi, s), streaming=True) as book:  # rows top to bottom
        ws = book.sheet("佐证材料目录")
        book.text(
            ws,
            1,
            1,
            f"{checklist.title}（{checklist.year}年）佐证材料目录",
            {"bold": True, "font_size": 14},
        )
        bold = book.format(bold=True)
        for n, header in enumerate(INDEX_HEADERS, start=1):
            book.put(ws, 2, n, header, bold)
        wrap = book.format(text_wrap=True, valign="top")
        # a text that begins like a formula (-10%, =1+1 举措) keeps Excel's quote prefix, so
        # that editing it keeps it text; the cell shows it as it is
        quoted = book.format(text_wrap=True, valign="top", quote_prefix=True)
        link = book.format(text_wrap=True, valign="top", font_color="#" + LINK_COLOR, underline=1)
        link_quoted = book.format(
            text_wrap=True,
            valign="top",
            font_color="#" + LINK_COLOR,
            underline=1,
            quote_prefix=True,
        )
        for r, row in enumerate(p.rows, start=3):
            values = [
                row.ind.id,
                row.ind.text,
                row.ind.section or UNASSIGNED,
                row.value,
                row.file.split("/", 1)[-1] if row.file else "",
                row.links,
                row.missing,
            ]
            for n, v in enumerate(values, start=1):
                book.put(ws, r, n, v, quoted if _formula_like(v) else wrap)
            if row.file:  # relative: opens from inside the unzipped bundle
                shown = row.file.split("/", 1)[-1]
                fmt = link_quoted if _formula_like(shown) else link
                _link(ws, r, 5, "external:" + row.file, fmt, shown)
            if row.links and "\n" not in row.links:
                _link(
                    ws,
                    r,
                    6,
                    row.links,
                    link_quoted if _formula_like(row.links) else link,
                    row.links,
                )
        Book.widths(ws, (6, 50, 14, 22, 36, 36, 24))
        Book.freeze(ws, 3, 1)
        Book.autofilter(ws, (2, 1), (max(len(p.rows) + 2, 2), len(INDEX_HEADERS)))
        return forward_slashes(book.close())


def _check_target(out: Path, as_zip: bool, overwrite: bool) -> None:
    """`out` can take the bundle: not an input, not a folder where a .zip goes, replaced
    only with --overwrite, nothing read-only in what it replaces."""
    from evalcheck.infra.outputguard import refuse_onto_input

    refuse_onto_input(out)  # never onto the answers, the checklist or the store itself
    if as_zip and out.is_dir():  # said at once: no --overwrite makes a folder a .zip file
        raise InputError(f"“{out}”是一个文件夹，不是 .zip 文件；请给出 .zip 文件名或换一个名字")
    if out.exists() and not overwrite:
        raise InputError(f"{out} 已存在，未做修改；确认要覆盖请加 --overwrite")
    if as_zip and is_read_only(out):
        raise WriteError(read_only_refusal(out))
    if out.exists() and not as_zip and not out.is_dir():
        raise InputError(
            f"{out} 是已有的文件，不是文件夹：材料包写成 .zip 文件（例如 材料包.zip）"
            "或一个新文件夹，不会覆盖它"
        )
    if out.exists() and not as_zip and not (out / INDEX).is_file():
        raise InputError(f"{out} 是已有的文件夹，且不是佐证材料包（没有 {INDEX}），不会覆盖")
    if not as_zip and out.is_dir():  # a bundle folder replaced whole: none of it read-only
        kept = [p for p in out.rglob("*") if p.is_file() and is_read_only(p)]
        if kept:
            raise WriteError(read_only_refusal(kept[0]))


def forward_slashes(xlsx: bytes) -> bytes:
    """The workbook with its links to files inside the bundle written with '/'.

    XlsxWriter writes a relative file link with Windows' separator ('047_…\\说明.pdf');
    LibreOffice and WPS on Linux (信创 PCs) take '\\' as part of a file name, while every
    program resolves '/'. Only the worksheets' relationship targets that are not web
    addresses change; every entry keeps its date, so the bytes stay the same for the same
    plan.
    """
    import re

    rewritten = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(rewritten, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/_rels/"):
                text = data.decode("utf-8")
                text = re.sub(
                    r'Target="([^"]*)"',
                    lambda m: m.group(0) if "://" in m.group(1) else m.group(0).replace("\\", "/"),
                    text,
                )
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return rewritten.getvalue()


def _link(ws: Any, r: int, c: int, url: str, fmt: Any, shown: str) -> None:
    """A hyperlink over the cell's text; a link Excel cannot hold (over 2,080 characters)
    stays plain text."""
    with suppress(ValueError):
        ws.write_url(r - 1, c - 1, url, fmt, shown)


def _formula_like(v: Any) -> bool:
    """A text that a spreadsheet program would take for a formula if typed (= + - @).
    XlsxWriter writes it as text whatever it begins with (Book: strings_to_formulas off)."""
    from evalcheck.io.xlsx_book import FORMULA_START

    return isinstance(v, str) and v.startswith(FORMULA_START)


class Changed(NamedTuple):
    name: str  # '第47项 说明.pdf'
    detail: str


@dataclass
class PackResult:
    files: int
    bytes: int
    changed: list[Changed]
    plan: Plan


def pack(
    checklist: Checklist,
    rows: Sequence[Row],
    root: Path,
    out: Path,
    *,
    force: bool = False,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> PackResult:
    """Write the bundle to `out` (a .zip file, else a folder). Nothing is left at `out`
    unless the whole bundle was written."""
    as_zip = out.suffix.lower() == ".zip"
    _check_target(out, as_zip, overwrite)
    p = plan(checklist, rows, root)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise WriteError(f"无法在 {parent} 写入：{os_reason(exc)}") from None
    try:
        target = tmp / out.name
        write = _write_zip if as_zip else _write_folder
        changed = write(checklist, p, target, progress)
        if changed and not force:
            raise InputError(
                f"有 {len(changed)} 个文件在登记后被修改过，未生成 {out}"
                "（用 evalcheck evidence add 重新登记新版本，或确认无误后加 --force 照样打包）：",
                details=[f"{c.name}：{c.detail}" for c in changed],
            )
        try:
            if out.exists():
                if as_zip:
                    out.unlink()
                else:
                    shutil.rmtree(out)
            os.replace(target, out)
        except OSError as exc:
            raise WriteError(f"无法写入 {out}：{os_reason(exc)}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return PackResult(len(p.files), p.total_bytes, changed, p)


def _latest(p: Plan) -> tuple[int, ...]:
    return max((zip_time(f.item.at) for f in p.files), default=EPOCH)


def _stream(
    f: PackFile, dst: Any, done: int, total: int, progress: Progress | None
) -> tuple[int, Changed | None]:
    """Copy one file in pieces, hashing it; returns the bytes done and what changed."""
    h = hashlib.sha256()
    size = 0
    try:
        with f.source.open("rb") as src:
            while chunk := src.read(CHUNK):
                h.update(chunk)
                dst.write(chunk)
                size += len(chunk)
                if progress is not None:
                    progress(done + size, total)
    except OSError as exc:
        raise WriteError(f"无法读取 {f.source}：{os_reason(exc)}") from None
    label = f"第{f.ident}项 {f.item.name}"
    if h.hexdigest() != f.item.sha256:
        return done + size, Changed(label, "内容与登记时不同（sha256 不符）")
    return done + size, None


def _write_zip(
    checklist: Checklist, p: Plan, target: Path, progress: Progress | None
) -> list[Changed]:
    changed: list[Changed] = []
    total = p.total_bytes
    done = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for f in p.files:
            info = _info(f.arcname, zip_time(f.item.at))
            if Path(f.arcname).suffix.lower() in STORED:
                info.compress_type = zipfile.ZIP_STORED
            big = (f.item.size or 0) >= zipfile.ZIP64_LIMIT
            with zf.open(info, "w", force_zip64=big) as dst:
                done, problem = _stream(f, dst, done, total, progress)
            if problem:
                changed.append(problem)
        when = _latest(p)
        zf.writestr(_info(INDEX, when), index_workbook(checklist, p, when))
    return changed


def _info(name: str, when: tuple[int, ...]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when[:6])  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # fixed, so every system writes the same bytes
    info.external_attr = FILE_MODE
    info.flag_bits |= UTF8_FLAG  # names are UTF-8, so Explorer shows the Chinese
    return info


def _write_folder(
    checklist: Checklist, p: Plan, target: Path, progress: Progress | None
) -> list[Changed]:
    changed: list[Changed] = []
    total = p.total_bytes
    done = 0
    try:
        target.mkdir()
        for f in p.files:
            dst_path = target / f.arcname
            dst_path.parent.mkdir(exist_ok=True)
            with dst_path.open("wb") as dst:
                done, problem = _stream(f, dst, done, total, progress)
            if problem:
                changed.append(problem)
        (target / INDEX).write_bytes(index_workbook(checklist, p, _latest(p)))
    except OSError as exc:
        raise WriteError(f"无法写入 {target}：{os_reason(exc)}") from None
    return changed


def summary(
    result: PackResult, rows: Sequence[Row], out: Path, review: bool
) -> tuple[str, list[str]]:
    """What `evidence pack` says: the lines for stdout (what was written, and the counts
    of the lifecycle's stages), and the notes for stderr."""
    from evalcheck.answers.evidence import human_size
    from evalcheck.state.snapshot import counts_line

    p = result.plan
    folders = len({f.ident for f in p.files})
    marked = "；目录中未定稿的值注明（待审核）（已退回）" if review else ""
    done = (
        f"已生成 {out}：{len(rows)} 项指标，{folders} 个文件夹，{result.files} 个文件"
        f"（{human_size(result.bytes)}），目录见 {INDEX}\n{counts_line(rows, review)}{marked}"
    )
    notes = [f"{c.name} {c.detail}（已按 --force 打包）" for c in result.changed]
    if p.missing:
        more = "……" if len(p.missing) > 10 else ""
        notes.append(
            f"{len(p.missing)} 个文件不在材料库中，未打包：{'、'.join(p.missing[:10])}{more}"
        )
    if p.lacking:
        ids = "、".join(map(str, p.lacking[:20])) + ("……" if len(p.lacking) > 20 else "")
        notes.append(f"{len(p.lacking)} 项已填报但缺少佐证材料（第 {ids} 项），目录中已标出")
    return done, notes
