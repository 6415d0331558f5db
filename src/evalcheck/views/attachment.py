"""The export as the attachment the bureau hands in: its framing, columns and rows.

An official attachment opens with its label ("附件 1") at the top left, then the
title, the table, and the 备注 paragraph under it. `build()` gives that shape for a
document (docx_export.py): the columns are declared in columns.py, the rows are the
snapshot's, every cell as text. The Excel export writes the same framing around its
typed cells (io/xlsx_write.py).
"""

from collections.abc import Sequence
from typing import NamedTuple

from evalcheck.infra.fonts import Fonts, chains, installed_fonts, resolve
from evalcheck.model.checklist import Checklist
from evalcheck.state.snapshot import Row
from evalcheck.views.columns import Column, document_columns

FOOTNOTE_PREFIX = "备注："
SIZES = {"label": 16.0, "title": 22.0, "header": 11.0, "body": 10.5}  # 三号, 二号, 五号


class Attachment(NamedTuple):
    label: str | None
    title: str
    columns: tuple[Column[Row], ...]
    rows: tuple[tuple[str, ...], ...]  # every cell as text
    group: int  # the column whose equal neighbours are merged (二级指标)
    footnote: str | None  # with its "备注：" prefix, as printed
    fonts: Fonts


def title_of(cl: Checklist, suffix: str = "") -> str:
    return f"{cl.title}（{cl.year}年）{suffix}"


def footnote_of(cl: Checklist) -> str | None:
    return f"{FOOTNOTE_PREFIX}{cl.footnote}" if cl.footnote else None


def fonts_of(cl: Checklist, sizes: dict[str, float] | None = None) -> Fonts:
    return resolve(chains(cl.fonts), installed_fonts(), sizes or SIZES)


def build(
    cl: Checklist,
    rows: Sequence[Row],
    *,
    due_as_written: bool = False,
    title: str | None = None,
    mode: str = "working",
) -> Attachment:
    """The attachment of these rows (in checklist order); `mode`: "working" marks values
    that are not final ('95 条（已退回）'), "final" leaves them blank."""
    columns = tuple(document_columns(due_as_written=due_as_written, mode=mode))
    return Attachment(
        label=cl.label,
        title=title or title_of(cl),
        columns=columns,
        rows=tuple(tuple(c.as_text(r) for c in columns) for r in rows),
        group=next(n for n, c in enumerate(columns) if c.key == "category"),
        footnote=footnote_of(cl),
        fonts=fonts_of(cl),
    )


def runs(values: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last) index of each run of equal neighbours: the merged cells."""
    out: list[tuple[int, int]] = []
    start = 0
    for n in range(1, len(values) + 1):
        if n == len(values) or values[n] != values[start]:
            out.append((start, n - 1))
            start = n
    return out
