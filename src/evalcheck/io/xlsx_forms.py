"""Section forms: one protected workbook per section, with dropdowns and prompts on the
填报值 cells, written all or nothing."""

import contextlib
import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from evalcheck.errors import InputError, WriteError, os_reason
from evalcheck.infra import notices
from evalcheck.infra.fileio import atomic_write_bytes
from evalcheck.io import xlsx_write
from evalcheck.io.xlsx_book import Book
from evalcheck.io.xlsx_format import FIRST_ROW, MAIN_SHEET, UNIT_FORM, state_stamp, write_meta
from evalcheck.io.xlsx_write import framing, write_main
from evalcheck.model.checklist import UNASSIGNED, Checklist, Indicator
from evalcheck.model.kinds import dropdown, example, label
from evalcheck.state.snapshot import STATUS_LABELS, Row, Snapshot, Status, group_rows
from evalcheck.views.columns import EXPORT, FORM, export_columns, with_due

# a workbook's own cost, in rows of a form: measured 2.3 ms a workbook, 0.14 ms a row
WORKBOOK_ROWS = 16


def form_filename(checklist: Checklist, section: str) -> str:
    """The form's file name; distinct for every section even on Windows (see form_filenames)."""
    return form_filenames(checklist)[section]


def form_filenames(checklist: Checklist) -> dict[str, str]:
    """Every section's form file name, unique after Windows' folding of case, width and
    refused characters (A/B科 and A:B科 would otherwise write one file over the other)."""
    from evalcheck.infra.winnames import unique_names

    sections = [*checklist.sections, UNASSIGNED]
    names = unique_names(f"{checklist.year}测评填报_{s}" for s in sections)
    return {s: f"{n}.xlsx" for s, n in zip(sections, names, strict=True)}


class Form(NamedTuple):
    """One form to write: whose it is, its file name, its rows, and the unit it is for."""

    name: str  # the section, or the unit
    filename: str
    checklist: Checklist
    rows: Sequence[Row]
    today: dt.date  # the day the form's day counts are as of
    unit: str | None = None  # a unit's form (export --units): the unit is in every key
    computed: frozenset[int] = frozenset()  # shown, never filled in (see export_unit_forms)


def export_forms(
    folder: Path,
    snap: Snapshot,
    *,
    sections: Iterable[str] | None = None,
    force: bool = False,
    due_as_written: bool = False,
) -> list[tuple[Path, int]]:
    """One protected form per section (and one for unassigned indicators).

    All or nothing: every target is checked (exists without --force, read-only, open in
    Excel/WPS) and every workbook built before the first file is written.
    """
    checklist = snap.checklist
    wanted = set(sections) if sections else None
    names = form_filenames(checklist)
    forms = [
        Form(name, names[name], checklist, rows, snap.today)
        for name, rows in group_rows(snap, snap.rows, "section")
        if wanted is None or name in wanted
    ]
    return write_forms(folder, forms, force=force, due_as_written=due_as_written)


def unit_form_filenames(checklist: Checklist, units: Sequence[str]) -> dict[str, str]:
    """Every unit's form file name ('2021测评填报_单位_沙坡头区.xlsx'), unique on Windows."""
    from evalcheck.infra.winnames import unique_names

    names = unique_names(f"{checklist.year}测评填报_单位_{u}" for u in units)
    return {u: f"{n}.xlsx" for u, n in zip(units, names, strict=True)}


def export_unit_forms(
    folder: Path,
    snaps: Sequence[tuple[str, Snapshot]],
    ids: Sequence[int],
    *,
    computed: Collection[int] = (),
    force: bool = False,
    due_as_written: bool = False,
) -> list[tuple[Path, int]]:
    """One protected form per unit: only the collected indicators `ids`, the unit's
    current answers prefilled, the unit in every hidden key. `snaps`: (unit, the unit's
    snapshot), in the checklist's unit order. `computed`: those of `ids` that follow their
    sources (a formula over collected indicators): shown with the value they come to, their
    cells locked, no dropdown. All or nothing, as the section forms."""
    if not snaps:
        return []
    wanted = set(ids)
    names = unit_form_filenames(snaps[0][1].checklist, [u for u, _ in snaps])
    forms = [
        Form(
            unit,
            names[unit],
            snap.checklist,
            [r for r in snap.rows if r.id in wanted],
            snap.today,
            unit,
            frozenset(computed),
        )
        for unit, snap in snaps
    ]
    return write_forms(folder, forms, force=force, due_as_written=due_as_written)


def write_forms(
    folder: Path, forms: Sequence[Form], *, force: bool, due_as_written: bool
) -> list[tuple[Path, int]]:
    """Write the forms all or nothing (see export_forms)."""
    from evalcheck.infra.forked import build_all, reap_exited
    from evalcheck.io.xlsx_book import for_children

    targets = _targets(folder, forms, force=force)
    try:
        datas = build_all(
            lambda form: _form_bytes(form, due_as_written),
            [form for form, _ in targets],
            [len(form.rows) + WORKBOOK_ROWS for form, _ in targets],
            for_children(),
        )
        built = [(t, data, len(f.rows)) for (f, t), data in zip(targets, datas, strict=True)]
        return _write_all(folder, built)
    finally:
        reap_exited()  # the child processes that built forms, ended by now


def _write_all(folder: Path, built: Sequence[tuple[Path, bytes, int]]) -> list[tuple[Path, int]]:
    """Write the built forms, saying which were written if one fails or Ctrl-C comes."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"无法创建文件夹 {folder}：{os_reason(exc)}") from None
    written: list[tuple[Path, int]] = []
    for target, data, n in built:
        try:
            atomic_write_bytes(target, data)
        except WriteError as exc:
            done = "、".join(str(p) for p, _ in written) or "无"
            raise WriteError(f"{exc.message}（此前已写入：{done}）") from None
        except KeyboardInterrupt:  # Ctrl-C between two files: say which are new
            if written:
                done = "、".join(str(p) for p, _ in written)
                notices.warn(f"中断前已写入 {len(written)}/{len(built)} 份：{done}")
            raise
        written.append((target, n))
    return written


def _targets(folder: Path, forms: Sequence[Form], *, force: bool) -> list[tuple[Form, Path]]:
    """Each form's file, every one checked before the first is written: an existing file
    (as Windows would take it: case, width) only with --force and when it can be replaced,
    never a file the tool reads or keeps."""
    from evalcheck.infra.fileio import check_batch
    from evalcheck.infra.winnames import long_path_warnings, name_key

    if folder.exists() and not folder.is_dir():
        raise InputError(f"“{folder}”不是文件夹")
    present: dict[str, str] = {}
    if folder.is_dir():
        with contextlib.suppress(OSError):
            present = {name_key(p.name): p.name for p in folder.iterdir()}
    targets = [(f, folder / present.get(name_key(f.filename), f.filename)) for f in forms]
    who = "单位" if any(f.unit is not None for f in forms) else "科室"
    check_batch(
        [p for _, p in targets], force=force, what="表格", kept=f"可能含有{who}尚未导入的填报内容，"
    )
    for _, target in targets:
        for w in long_path_warnings(target):
            notices.warn(w)
    return targets


def _form_bytes(form: Form, due_as_written: bool) -> bytes:
    """One section's (or unit's) form: the table, its dropdowns, protection, hidden keys."""
    from evalcheck.views.attachment import title_of

    checklist, rows, today = form.checklist, form.rows, form.today
    frame = framing(checklist, title=title_of(checklist, f"— {form.name} 填报表"), form=True)
    streaming = len(rows) > xlsx_write.STREAM_ROWS  # a large form too: constant memory
    with Book(
        state_stamp(today, [r.state for r in rows]), frame.fonts, streaming=streaming
    ) as book:
        ws = book.sheet(MAIN_SHEET)
        columns = with_due(export_columns(rows, checklist, FORM), due_as_written=due_as_written)
        write_main(
            book, ws, checklist, rows, frame=frame, form=True, columns=columns, unit=form.unit,
            computed=form.computed,
        )  # fmt: skip
        _add_validations(ws, checklist, rows, skip=form.computed)
        Book.protect(ws)
        if form.unit is None:
            write_meta(book, checklist, "form", form.name, today)
        else:
            write_meta(book, checklist, UNIT_FORM, None, today, [("unit", form.unit)])
        return book.close()


def _add_validations(
    ws: Any, checklist: Checklist, rows: Sequence[Row], skip: Collection[int] = ()
) -> None:
    """Each 填报值 cell (but those of `skip`, nobody fills them in): a dropdown of its
    choices (是/否, the options), or only a prompt saying what to write; a warning, not a
    refusal (import re-validates every cell)."""
    col = [c.key for c in EXPORT].index("value")
    for r, row in enumerate(rows, start=FIRST_ROW - 1):  # 0-based rows
        if row.ind.id in skip:
            continue
        ind = row.ind
        kind = label(ind.kind)
        unit = f"，单位：{ind.unit}" if ind.unit else ""
        prompt = f"{kind}{unit}。例如：{example(ind)}。不适用请在“不适用原因”列写明原因"
        choices = form_choices(ind)
        rule: dict[str, Any]
        if choices and _fits_list(choices):
            rule = {"validate": "list", "source": list(choices), "show_error": True}
        else:
            rule = {"validate": "any", "show_error": False}
            if ind.options:
                listing = "；".join(f"{n}.{t}" for n, t in enumerate(ind.option_texts, start=1))
                prompt = f"{kind}：可填编号或选项文字，多项用、分隔。{listing}"
        rule.update(
            ignore_blank=True,
            error_type="warning",
            error_message=DROPDOWN_ERROR,
            input_title=f"第{ind.id}项"[:32],
            input_message=prompt[:250],
            show_input=True,
        )
        ws.data_validation(r, col, r, col, rule)


NOT_APPLICABLE = STATUS_LABELS[Status.NA]  # 不适用 in 填报值, its reason beside (xlsx_read)
DROPDOWN_ERROR = "请从下拉列表中选择；不适用时选“不适用”，并在“不适用原因”列写明原因"


def form_choices(ind: Indicator) -> list[str] | None:
    """A 填报值 cell's dropdown: the kind's values (是/否, the options) and 不适用, which the
    form's prompt and import take in that cell (with the reason in 不适用原因)."""
    choices = dropdown(ind)
    if not choices:
        return None
    return choices if NOT_APPLICABLE in choices else [*choices, NOT_APPLICABLE]


def _fits_list(options: Sequence[str]) -> bool:
    text = ",".join(options)
    return len(text) <= 250 and not any("," in o or '"' in o for o in options)
