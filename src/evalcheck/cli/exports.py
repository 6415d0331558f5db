"""What `evalcheck export` writes: the attachment as Excel (.xlsx) or Word (.docx), or
one form per section. The rows are the snapshot's, the columns are declared in
columns.py and shared by both formats, the framing (label, title, 备注, fonts) is
attachment.py's.
"""

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evalcheck.cli.shared import _echo

if TYPE_CHECKING:
    from evalcheck.state.snapshot import Row, Snapshot


def export_table(
    path: Path, snap: "Snapshot", rows: Sequence["Row"], *, due_as_written: bool
) -> None:
    answered = sum(1 for r in rows if r.state is not None)
    if path.suffix.lower() == ".docx":
        from evalcheck.io.docx_export import write_docx
        from evalcheck.views.attachment import build

        write_docx(path, build(snap.checklist, rows, due_as_written=due_as_written))
        _echo(f"已导出 {path}：{len(rows)} 项指标，其中已填报 {answered} 项（Word 附件）")
        return
    from evalcheck.io.xlsx_write import export_workbook

    n = export_workbook(path, snap, rows, due_as_written=due_as_written)
    extra = "“填报进度”工作表"
    if any(r.previous is not None for r in rows):
        extra = "“填报进度”“同比”工作表和上年值列"
    _echo(f"已导出 {path}：{n} 项指标，其中已填报 {answered} 项（另含{extra}）")


def export_section_forms(
    folder: Path,
    snap: "Snapshot",
    sections: Iterable[str] | None,
    *,
    force: bool,
    due_as_written: bool,
) -> None:
    from evalcheck.io.xlsx_forms import export_forms

    written = export_forms(
        folder, snap, sections=sections, force=force, due_as_written=due_as_written
    )
    for target, n in written:
        _echo(f"已生成 {target}（{n} 项）")
    _echo(f"共 {len(written)} 份科室填报表。填好后用 evalcheck import 文件名 导入。")
