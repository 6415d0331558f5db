"""checklist-import on tables as bureaus really send them, generated here in code.

Every variant is either imported into exactly the expected checklist (compared field by
field) or refused with a Chinese message naming the file, sheet, row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import pytest

from evalcheck.model.loading import load_checklist

TITLE = "2022年营商环境测评指标责任清单"
HEADER = ["二级指标", "题号", "三级指标", "责任领导", "责任科室", "完成时限"]
ROWS: list[list[Any]] = [
    ["一、网上政务服务能力", 1, "本地区政务服务事项总数？", "万富春", "政务服务中心", "9月15日前"],
    ["", 2, "是否建立电子证照库？", "万富春", "政务服务中心", "9月15日前"],
    ["", 3, "网上可办率？", "高秀英", "审批服务科", "10月底前"],
    [
        "二、政务服务便利度",
        4,
        "采用以下哪种方式？（单选）A.窗口 B.网上 C.自助",
        "高秀英",
        "审批服务科",
        "9月30号前",
    ],
    ["", 5, "本地区入驻企业多少家？", "万富春", "办公室", "2022-9-30"],
    ["", 6, "平均用时多少天？", "万富春", "审批监管科", "10月31日前完成"],
]
FOOT = "备注：2022年测评指标共6项，第5—6项为配合任务"

CAT1, CAT2 = "网上政务服务能力", "政务服务便利度"
EXPECTED: dict[int, dict[str, Any]] = {
    1: dict(category=CAT1, text=ROWS[0][2], owners=("万富春",), sections=("政务服务中心",),
            due=dt.date(2022, 9, 15), role="lead", kind="count", unit="项", options=()),
    2: dict(category=CAT1, text=ROWS[1][2], owners=("万富春",), sections=("政务服务中心",),
            due=dt.date(2022, 9, 15), role="lead", kind="yesno", unit=None, options=()),
    3: dict(category=CAT1, text=ROWS[2][2], owners=("高秀英",), sections=("审批服务科",),
            due=dt.date(2022, 10, 31), role="lead", kind="percent", unit="%", options=()),
    4: dict(category=CAT2, text=ROWS[3][2], owners=("高秀英",), sections=("审批服务科",),
            due=dt.date(2022, 9, 30), role="lead", kind="choice", unit=None,
            options=("窗口", "网上", "自助")),
    5: dict(category=CAT2, text=ROWS[4][2], owners=("万富春",), sections=("办公室",),
            due=dt.date(2022, 9, 30), role="support", kind="count", unit="家", options=()),
    6: dict(category=CAT2, text=ROWS[5][2], owners=("万富春",), sections=("审批监管科",),
            due=dt.date(2022, 10, 31), role="support", kind="number", unit="天", options=()),
}  # fmt: skip


def table(
    *,
    title: str | None = TITLE,
    header: Sequence[str] = HEADER,
    rows: Sequence[Sequence[Any]] = ROWS,
    foot: str | None = FOOT,
) -> list[list[Any]]:
    out: list[list[Any]] = []
    if title is not None:
        out += [["附件1"], [title]]
    out.append(list(header))
    out += [list(r) for r in rows]
    if foot is not None:
        out.append([foot])
    return out


def expected(**changes: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """EXPECTED with some fields changed: expected(i5={"role": "lead"})."""
    out = {k: dict(v) for k, v in EXPECTED.items()}
    for key, fields in changes.items():
        out[int(key[1:])].update(fields)
    return out


# ---------------------------------------------------------------- writers


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    *,
    merges: Sequence[str] = (),
    hidden_rows: Sequence[int] = (),
    hidden_cols: Sequence[str] = (),
) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for n, (name, rows) in enumerate(sheets.items()):
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v not in ("", None):
                    ws.cell(r, c, v)
        if n == 0:
            for rng in merges:
                ws.merge_cells(rng)
            for r in hidden_rows:
                ws.row_dimensions[r].hidden = True
            for col in hidden_cols:
                ws.column_dimensions[col].hidden = True
    wb.save(path)
    return path


def write_text(
    path: Path,
    rows: list[list[Any]],
    *,
    delimiter: str = "\t",
    encoding: str = "utf-8",
    bom: bytes = b"",
) -> Path:
    """As Excel saves text: quoted where needed, doubled quotes, CRLF."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(bom + buf.getvalue().encode(encoding))
    return path


def write_ods(path: Path, rows: list[list[Any]]) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice would save it."""

    def cell(v: Any) -> str:
        if v in ("", None):
            return "<table:table-cell/>"
        if isinstance(v, int):
            return (
                f'<table:table-cell office:value-type="float" office:value="{v}">'
                f"<text:p>{v}</text:p></table:table-cell>"
            )
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(map(cell, r)) + "</table:table-row>" for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="指标">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
        'vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def stale_dimension(path: Path, ref: str = "A1:F3") -> Path:
    """Rewrite the stored <dimension> as some generators leave it: too small."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode()
                if "<dimension" in text:
                    text = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', text)
                else:
                    text = text.replace("<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>')
                data = text.encode()
            dst.writestr(item, data)
    tmp.replace(path)
    return path


# ---------------------------------------------------------------- checking


def imported(run, path: Path, *args: str) -> tuple[Any, str]:
    result = run("checklist-import", path.name, "-o", "out.yaml", *args)
    assert result.exit_code == 0, result.output
    return load_checklist(path.parent / "out.yaml"), result.stdout


def assert_checklist(cl: Any, want: dict[int, dict[str, Any]], year: int = 2022) -> None:
    assert cl.year == year
    assert [i.id for i in cl.indicators] == sorted(want)
    for ind in cl.indicators:
        got = {
            "category": ind.category,
            "text": ind.text,
            "owners": ind.owners,
            "sections": ind.sections,
            "due": ind.due,
            "role": ind.role,
            "kind": ind.kind,
            "unit": ind.unit,
            "options": tuple(ind.option_texts),
        }
        for key, value in want[ind.id].items():
            assert got[key] == value, (ind.id, key, got[key], value)


def refused(run, path: Path, *args: str) -> str:
    result = run("checklist-import", path.name, "-o", "out.yaml", *args)
    assert result.exit_code == 3, result.output
    assert not (path.parent / "out.yaml").exists()
    return result.stderr


# ---------------------------------------------------------------- xlsx variants

Variant = Callable[[Path], Path]

XLSX_VARIANTS: dict[str, tuple[Variant, tuple[str, ...]]] = {
    "plain": (lambda d: write_xlsx(d / "t.xlsx", {"附件1": table()}), ()),
    "stale dimension": (
        lambda d: stale_dimension(write_xlsx(d / "t.xlsx", {"附件1": table()})),
        (),
    ),
    "wrong suffix (.txt)": (lambda d: write_xlsx(d / "t.txt", {"附件1": table()}), ()),
    # category, leader and deadline cells merged down (rows 4-6 = ids 1-3)
    "merged cells in every column": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {"表": table()},  # openpyxl keeps only the first cell of each merged range
            merges=["A4:A6", "A7:A9", "D4:D5", "E4:E5", "F4:F5", "D6:D7", "E6:E7", "D8:D9"],
        ),
        (),
    ),
    "title merged across the header width": (
        lambda d: write_xlsx(
            d / "t.xlsx", {"表": [[TITLE] * 6, *table(title=None)]}, merges=["A1:F1"]
        ),
        (),
    ),
    "synonym headers": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {
                "表": table(
                    header=["指标类别", "序号", "指标内容", "分管领导", "责任单位", "完成时间"]
                )
            },
        ),
        (),
    ),
    "columns in another order": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {"表": [[r[i] for i in (1, 2, 5, 4, 3, 0)] if len(r) == 6 else r for r in table()]},
        ),
        (),
    ),
    "two-row header": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {
                "表": [
                    [TITLE],
                    ["序号", "测评指标", "", "责任分工", "", "完成时限"],
                    ["", "二级指标", "三级指标", "责任领导", "责任科室", ""],
                    *[[r[1], r[0], r[2], r[3], r[4], r[5]] for r in ROWS],
                    [FOOT],
                ]
            },
            merges=["A2:A3", "B2:C2", "D2:E2", "F2:F3"],
        ),
        (),
    ),
    "group rows merged across": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {
                "表": [
                    [TITLE],
                    HEADER[1:],
                    ["一、网上政务服务能力"] * 5,
                    *[r[1:] for r in ROWS[:3]],
                    ["二、政务服务便利度"] * 5,
                    *[r[1:] for r in ROWS[3:]],
                    [FOOT],
                ]
            },
            merges=["A3:E3", "A7:E7"],
        ),
        (),
    ),
    "group rows numbered （一）": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {
                "表": [
                    [TITLE],
                    HEADER[1:],
                    ["（一）网上政务服务能力"],
                    *[r[1:] for r in ROWS[:3]],
                    ["（二）政务服务便利度"],
                    *[r[1:] for r in ROWS[3:]],
                    [FOOT],
                ]
            },
        ),
        (),
    ),
    "category column numbered （一）": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {
                "表": table(
                    rows=[
                        [re.sub(r"^一、", "（一）", re.sub(r"^二、", "（二）", r[0])), *r[1:]]
                        for r in ROWS
                    ]
                )
            },
        ),
        (),
    ),
    "--column for an unusual header": (
        lambda d: write_xlsx(
            d / "t.xlsx", {"表": table(header=[*HEADER[:4], "承办股室", HEADER[5]])}
        ),
        ("--column", "责任科室=承办股室"),
    ),
    "table on the second sheet": (
        lambda d: write_xlsx(
            d / "t.xlsx", {"填表说明": [["请按要求填写"], ["联系人：张三"]], "指标": table()}
        ),
        (),
    ),
    "two tables, --sheet chooses": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {"2021": table(title="2021年营商环境测评指标责任清单"), "2022": table()},
        ),
        ("--sheet", "2022"),
    ),
    "hidden column that is not used": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {"表": [[*r, "内部备忘"] if len(r) == 6 else r for r in table()]},
            hidden_cols=["G"],
        ),
        (),
    ),
    "Excel date cells": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {
                "表": table(
                    rows=[
                        [*r[:5], dt.datetime.combine(EXPECTED[r[1]]["due"], dt.time())]
                        for r in ROWS
                    ]
                )
            },
        ),
        (),
    ),
    "year only via --year": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {"表": table(title="营商环境测评指标责任清单", foot="备注：第5-6项为配合任务")},
        ),
        ("--year", "2022"),
    ),
    "roles from a 任务类型 column": (
        lambda d: write_xlsx(
            d / "t.xlsx",
            {
                "表": table(
                    header=[*HEADER, "任务类型"],
                    rows=[[*r, "配合" if r[1] >= 5 else "牵头"] for r in ROWS],
                    foot=None,
                )
            },
        ),
        (),
    ),
    "roles from --support": (
        lambda d: write_xlsx(d / "t.xlsx", {"表": table(foot=None)}),
        ("--support", "5-6"),
    ),
}


@pytest.mark.parametrize("name", list(XLSX_VARIANTS))
def test_xlsx_variant_gives_the_expected_checklist(run, tmp_path: Path, name: str) -> None:
    make, args = XLSX_VARIANTS[name]
    cl, out = imported(run, make(tmp_path), *args)
    assert_checklist(cl, EXPECTED)
    assert "6 项指标；2022 年" in out
    assert "牵头 4 项、配合 2 项" in out


# ---------------------------------------------------------------- text variants

TEXT_VARIANTS: dict[str, dict[str, Any]] = {
    "tab, UTF-8": {},
    "tab, UTF-8 with BOM": {"bom": b"\xef\xbb\xbf"},
    "tab, GB18030": {"encoding": "gb18030"},
    "Unicode 文本 (UTF-16 LE with BOM)": {"encoding": "utf-16-le", "bom": b"\xff\xfe"},
    "UTF-16 BE with BOM": {"encoding": "utf-16-be", "bom": b"\xfe\xff"},
    "UTF-16 LE without BOM": {"encoding": "utf-16-le"},
    "comma CSV, UTF-8 with BOM": {"delimiter": ",", "bom": b"\xef\xbb\xbf"},
    "comma CSV, GB18030": {"delimiter": ",", "encoding": "gb18030"},
}


@pytest.mark.parametrize("name", list(TEXT_VARIANTS))
def test_text_variant_gives_the_expected_checklist(run, tmp_path: Path, name: str) -> None:
    path = write_text(tmp_path / "t.txt", table(), **TEXT_VARIANTS[name])
    cl, out = imported(run, path)
    assert_checklist(cl, EXPECTED)
    assert "2022 年（来自标题第2行" in out


def test_excel_text_export_with_quotes_and_line_breaks(run, tmp_path: Path) -> None:
    """Excel's "文本文件(制表符分隔)": a cell with a line break or a quote is quoted."""
    rows = [list(r) for r in ROWS]
    rows[0][2] = '本地区政务服务"一网通办"事项总数？'
    rows[3][2] = "采用哪种方式（单选）？\nA.窗口\nB.网上\nC.自助"
    path = write_text(tmp_path / "t.txt", table(rows=rows), encoding="utf-16-le", bom=b"\xff\xfe")
    assert '"本地区政务服务""一网通办""事项总数？"' in path.read_bytes().decode("utf-16")
    cl, _ = imported(run, path)
    assert_checklist(
        cl, expected(i1={"text": rows[0][2]}, i4={"text": rows[3][2].replace("\r", "")})
    )


def _calamine() -> None:
    pytest.importorskip(
        "python_calamine",
        reason="可选功能 .xls/.ods 读取：python-calamine 未安装（evalcheck[xls]）",
    )


def test_ods_is_read(run, tmp_path: Path) -> None:
    _calamine()
    cl, out = imported(run, write_ods(tmp_path / "t.ods", table()))
    assert_checklist(cl, EXPECTED)
    assert "隐藏行、隐藏列无法识别" in out  # what could not be checked is said


def _saved_by_libreoffice(tmp_path: Path, suffix: str) -> Path:
    """The table written as .xlsx, then saved by LibreOffice as `suffix` (xls, ods)."""
    src = write_xlsx(tmp_path / "src.xlsx", {"表": table()})
    subprocess.run(
        ["soffice", "--headless", "--convert-to", suffix, "--outdir", str(tmp_path), str(src)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (tmp_path / f"src.{suffix}").rename(tmp_path / f"t.{suffix}")


@pytest.mark.slow  # LibreOffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice converts to .xls")
def test_xls_is_read(run, tmp_path: Path) -> None:
    _calamine()
    cl, _ = imported(run, _saved_by_libreoffice(tmp_path, "xls"))
    assert_checklist(cl, EXPECTED)


@pytest.mark.slow  # LibreOffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice converts to .ods")
def test_an_ods_saved_by_libreoffice_is_read(run, tmp_path: Path) -> None:
    """LibreOffice ends every sheet with a million repeated empty rows and cells: the
    guard against repeated rows (io/ods_guard.py) counts only filled ones."""
    _calamine()
    cl, _ = imported(run, _saved_by_libreoffice(tmp_path, "ods"))
    assert_checklist(cl, EXPECTED)


# ---------------------------------------------------------------- several names, dates, kinds


def test_several_sections_and_owners(run, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][3:5] = ["万富春/高秀英", "政务服务中心、审批服务科"]
    rows[4][3:5] = ["万富春 高秀英", "办公室，审批监管科"]  # a space between two known names
    cl, out = imported(run, write_xlsx(tmp_path / "t.xlsx", {"表": table(rows=rows)}))
    assert_checklist(
        cl,
        expected(
            i1={"owners": ("万富春", "高秀英"), "sections": ("政务服务中心", "审批服务科")},
            i5={"owners": ("万富春", "高秀英"), "sections": ("办公室", "审批监管科")},
        ),
    )
    assert cl.get(1).section == "政务服务中心" and cl.get(1).owner == "万富春"  # the lead
    assert "其中 2 项有多个责任科室或责任领导（第一个为牵头）" in out
    assert "t.xlsx 工作表“表”第8行 D列（责任领导）：“万富春 高秀英”按 2 个名称处理" in out
    listed = run("--checklist", "out.yaml", "list", "-s", "审批服务科", "--format", "json")
    assert [i["id"] for i in __import__("json").loads(listed.stdout)] == [1, 3, 4]
    assert run("validate", "out.yaml").exit_code == 0


@pytest.mark.parametrize(
    ("cell", "due"),
    [
        ("10月底前", dt.date(2022, 10, 31)),
        ("2月底", dt.date(2022, 2, 28)),
        ("9月30号前", dt.date(2022, 9, 30)),
        ("10月31日前完成", dt.date(2022, 10, 31)),
        ("2022-9-30", dt.date(2022, 9, 30)),
        ("2022年9月底前", dt.date(2022, 9, 30)),
        ("2022/09/30", dt.date(2022, 9, 30)),
        ("2022.9.30", dt.date(2022, 9, 30)),
        ("９月１５日之前", dt.date(2022, 9, 15)),
        ("截至11月30日", dt.date(2022, 11, 30)),
    ],
)
def test_due_dates_as_people_write_them(run, tmp_path: Path, cell: str, due: dt.date) -> None:
    rows = [[*r[:5], cell] for r in ROWS]
    cl, _ = imported(run, write_text(tmp_path / "t.txt", table(rows=rows)))
    assert {i.due for i in cl.indicators} == {due}


@pytest.mark.parametrize("cell", ["每月5日前", "长期坚持", "持续推进"])
def test_recurring_deadlines_are_named_rows(run, tmp_path: Path, cell: str) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][5] = cell
    err = refused(run, write_xlsx(tmp_path / "t.xlsx", {"附件1": table(rows=rows)}))
    assert (
        f"t.xlsx 工作表“附件1”第6行 F列（完成时限）：第3项的完成时限“{cell}”是周期性或长期的任务"
    ) in err


def test_missing_deadlines_name_the_rows_and_due_fills_them(run, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][5] = rows[4][5] = ""
    path = write_text(tmp_path / "t.txt", table(rows=rows))
    err = refused(run, path)
    assert "以下 2 行没有完成时限：t.txt 第5行（第2项）、t.txt 第8行（第5项）" in err
    assert "--due" in err
    cl, out = imported(run, path, "--due", "2022-12-31")
    want = expected(i2={"due": dt.date(2022, 12, 31)}, i5={"due": dt.date(2022, 12, 31)})
    assert_checklist(cl, want)
    assert "没有时限的行使用 --due 2022-12-31" in out


def test_kinds_units_and_options(run, tmp_path: Path) -> None:
    texts = {
        1: "本地区已开通的服务有哪些（多选）？A.预约 B.代办 C.邮寄",
        2: "本地区有没有设立帮办代办窗口？",
        3: "企业满意度（百分比）？",
        4: "可选择的办理渠道（单选）：\n网上办理\n窗口办理\n自助办理",
        5: "本年度新增市场主体多少件？",
        6: "是否公开办事指南（是/否）",
    }
    rows = [[*r[:2], texts[r[1]], *r[3:]] for r in ROWS]
    cl, out = imported(run, write_xlsx(tmp_path / "t.xlsx", {"表": table(rows=rows)}))
    base = {i: {"text": t} for i, t in texts.items()}
    assert_checklist(
        cl,
        expected(
            i1=base[1] | {"kind": "multi", "unit": None, "options": ("预约", "代办", "邮寄")},
            i2=base[2] | {"kind": "yesno", "unit": None},
            i3=base[3] | {"kind": "percent", "unit": "%"},
            i4=base[4] | {"kind": "choice", "options": ("网上办理", "窗口办理", "自助办理")},
            i5=base[5] | {"kind": "count", "unit": "件"},
            i6=base[6] | {"kind": "yesno", "unit": None},
        ),
    )
    assert "待复核的推断 0 处" in out


def test_uncertain_kinds_are_counted_and_listed(run, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][2] = "对特殊群体提供个性化线下服务？"
    rows[2][2] = "办理渠道：\nA.网上\nB.窗口"
    rows[0][2] = "本地区窗口总数？"  # a count, but of what unit?
    cl, out = imported(run, write_text(tmp_path / "t.txt", table(rows=rows)))
    assert cl.get(2).kind == "text" and cl.get(3).kind == "choice"
    assert cl.get(3).option_texts == ["网上", "窗口"]
    assert (cl.get(1).kind, cl.get(1).unit) == ("count", "个")
    assert "待复核的推断 3 处" in out
    assert "第1项：数量题没有写明单位，按“个”处理" in out
    assert "第2项：按 text 处理（未能从措辞判断）" in out
    assert "第3项：按 choice 处理（列出了选项但未注明单选或多选）" in out


# ---------------------------------------------------------------- year and roles


@pytest.mark.parametrize(
    ("title", "foot", "year", "source"),
    [
        ("2022年营商环境测评指标责任清单", FOOT, 2022, "来自标题第2行"),
        # a footnote about last year's results does not decide the year
        (
            "2022年营商环境测评指标责任清单",
            "备注：参照2021年测评指标，第5-6项为配合任务",
            2022,
            "标题",
        ),
        (
            "营商环境测评指标责任清单",
            "备注：2022年测评指标共6项，5～6项为配合任务",
            2022,
            "来自备注",
        ),
    ],
)
def test_year_sources(run, tmp_path, title: str, foot: str, year: int, source: str) -> None:
    cl, out = imported(run, write_text(tmp_path / "t.txt", table(title=title, foot=foot)))
    assert_checklist(cl, EXPECTED, year)
    assert re.search(rf"{year} 年（[^）]*{source}", out), out


def test_no_year_needs_the_option(run, tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "t.txt",
        table(title="营商环境测评指标责任清单", foot="备注：参照2021年测评指标，第5-6项为配合任务"),
    )
    err = refused(run, path)
    assert "t.txt：无法确定清单的年份" in err and "--year" in err
    cl, out = imported(run, path, "--year", "2022")
    assert_checklist(cl, EXPECTED)
    assert "2022 年（--year）" in out


def test_year_option_differing_from_the_title_is_said(run, tmp_path: Path) -> None:
    cl, out = imported(run, write_text(tmp_path / "t.txt", table()), "--year", "2023")
    assert cl.year == 2023 and cl.get(1).due == dt.date(2023, 9, 15)
    assert cl.get(5).due == dt.date(2022, 9, 30)  # written with its year
    assert "表中写的是 2022 年" in out and "按 --year 2023 处理" in out


@pytest.mark.parametrize(
    "foot",
    [
        "备注：第5—6项为配合任务",
        "备注：第5至6项为配合任务",
        "备注：5～6项为配合任务",
        "备注：1-4项为我局牵头任务；5–6项为配合任务",
    ],
)
def test_roles_from_footnote_wordings(run, tmp_path: Path, foot: str) -> None:
    cl, out = imported(run, write_text(tmp_path / "t.txt", table(foot=foot)), "--year", "2022")
    assert_checklist(cl, EXPECTED)
    assert "牵头 4 项、配合 2 项（备注第10行）" in out


def test_no_role_information_is_said(run, tmp_path: Path) -> None:
    cl, out = imported(run, write_text(tmp_path / "t.txt", table(foot=None)))
    assert_checklist(cl, expected(i5={"role": "lead"}, i6={"role": "lead"}))
    assert (
        "牵头 6 项、配合 0 项（表中未注明牵头或配合，全部按牵头；配合任务请用 --support 指定）"
        in out
    )


# ---------------------------------------------------------------- hidden rows, sheets


def test_hidden_rows_are_skipped_with_a_warning_or_kept(run, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"附件1": table()}, hidden_rows=[6])
    cl, out = imported(run, path)
    assert_checklist(cl, {k: v for k, v in EXPECTED.items() if k != 3})
    assert "t.xlsx 工作表“附件1”：隐藏的第6行已跳过；要读取隐藏行请加 --keep-hidden" in out
    cl, _ = imported(run, path, "--keep-hidden", "--force")
    assert_checklist(cl, EXPECTED)


def test_a_hidden_required_column_is_named(run, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"附件1": table()}, hidden_cols=["C"])
    err = refused(run, path)
    assert "t.xlsx 工作表“附件1”第3行：表头缺少“三级指标”列（C 列是隐藏列" in err
    cl, _ = imported(run, path, "--keep-hidden")
    assert_checklist(cl, EXPECTED)


def test_several_tables_ask_for_sheet(run, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"2021": table(), "2022": table(), "说明": [["x"]]})
    err = refused(run, path)
    assert "t.xlsx 中有 2 个工作表都像指标表（“2021”、“2022”）；请用 --sheet 指定一个" in err
    err = refused(run, path, "--sheet", "2023")
    assert "t.xlsx 中没有工作表“2023”（有：2021、2022、说明）" in err


def test_very_hidden_sheets_are_not_named(run, tmp_path: Path) -> None:
    """A very hidden sheet (an evalcheck export's _evalcheck; Excel's 取消隐藏 does not list
    it) is not named among the other sheets; a plain hidden one, which people can show, is."""
    path = write_xlsx(tmp_path / "t.xlsx", {"附件1": table(), "说明": [["x"]], "内部": [["k"]]})
    wb = openpyxl.load_workbook(path)
    wb["说明"].sheet_state = "hidden"
    wb["内部"].sheet_state = "veryHidden"
    wb.save(path)
    result = run("checklist-import", "t.xlsx", "-o", "out.yaml")
    assert result.exit_code == 0, result.output
    assert "警告：t.xlsx 有 2 个工作表，读取的是“附件1”（其余：说明，其中找不到指标表头）" in (
        result.output
    )
    assert "内部" not in result.output
    wrong = run("checklist-import", "t.xlsx", "-o", "other.yaml", "--sheet", "2023")
    assert "t.xlsx 中没有工作表“2023”（有：附件1、说明）" in wrong.stderr


def test_an_evalcheck_export_read_back_names_only_its_visible_sheets(run, tmp_path) -> None:
    assert run("export", "report.xlsx").exit_code == 0
    result = run("checklist-import", "report.xlsx", "-o", "out.yaml")
    assert result.exit_code == 0, result.output
    assert "读取的是“测评指标”（其余：填报进度，其中找不到指标表头）" in result.output
    assert "_evalcheck" not in result.output


def test_the_file_written_starts_with_a_chinese_comment(run, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"附件1": table()})
    imported(run, path)
    head = (tmp_path / "out.yaml").read_text(encoding="utf-8").splitlines()[:2]
    assert head == [
        "# 2022年营商环境测评指标责任清单（2022年）",
        "# 由 evalcheck checklist-import t.xlsx 生成；请核对后运行 evalcheck validate。",
    ]


def test_no_sheet_has_a_table(run, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"甲": [["说明"]], "乙": [["a", "b"], [1, 2]]})
    err = refused(run, path)
    assert "t.xlsx 的 2 个工作表（“甲”、“乙”）中都找不到指标表头" in err


# ---------------------------------------------------------------- refusals, located


def test_missing_required_column_lists_the_headers_found(run, tmp_path: Path) -> None:
    header = [*HEADER[:2], "问题描述", *HEADER[3:]]
    err = refused(run, write_xlsx(tmp_path / "t.xlsx", {"附件1": table(header=header)}))
    assert "t.xlsx 工作表“附件1”第3行：表头缺少“三级指标”列" in err
    assert "找到的表头：A列“二级指标”、B列“题号”、C列“问题描述”" in err
    assert "--column 三级指标=表中的列名" in err


def test_column_option_naming_an_absent_header(run, tmp_path: Path) -> None:
    err = refused(
        run, write_xlsx(tmp_path / "t.xlsx", {"附件1": table()}), "--column", "责任科室=承办股室"
    )
    assert "--column 责任科室=承办股室 指定的列“承办股室”不在表头中" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--column", "科长=承办股室"), "没有“科长”这一列（可用：二级指标、题号、三级指标"),
        (("--column", "责任科室"), "应写成 本工具的列名=表中的列名"),
        (("--support", "116-x"), "--support “116-x”无法识别"),
        (("--due", "2022/9/30"), "--due “2022/9/30”不是日期：应写成 YYYY-MM-DD"),
    ],
)
def test_malformed_options_are_usage_errors(run, tmp_path, args, message) -> None:
    write_text(tmp_path / "t.txt", table())
    result = run("checklist-import", "t.txt", "-o", "o.yaml", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert not (tmp_path / "o.yaml").exists()


def test_support_naming_absent_indicators_is_refused(run, tmp_path: Path) -> None:
    err = refused(run, write_text(tmp_path / "t.txt", table()), "--support", "5-9")
    assert "--support 中的第7–9项不在表中" in err


def test_bad_rows_are_located_by_sheet_row_and_column(run, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][1] = 2  # duplicate id
    rows[3][5] = "下旬"
    err = refused(run, write_xlsx(tmp_path / "t.xlsx", {"附件1": table(rows=rows)}))
    assert (
        "t.xlsx 工作表“附件1”第6行 B列（题号）：题号 2 重复（t.xlsx 工作表“附件1”第5行已有）" in err
    )
    assert "t.xlsx 工作表“附件1”第7行 F列（完成时限）：第4项的完成时限“下旬”无法识别" in err


def test_category_missing_is_located(run, tmp_path: Path) -> None:
    rows = [["", *r[1:]] for r in ROWS]
    err = refused(run, write_text(tmp_path / "t.txt", table(rows=rows)))
    assert "t.txt 第4行 A列（二级指标）：第1项没有二级指标" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "t.txt 是空文件"),
        (b"\xef\xbb\xbf\r\n\r\n", "t.txt 是空文件"),
        (b"PK\x03\x04garbage", "不是 Excel 工作簿"),
    ],
)
def test_empty_and_damaged_files(run, tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "t.txt").write_bytes(content)
    err = refused(run, tmp_path / "t.txt") if content[:2] != b"PK" else ""
    if not err:
        result = run("checklist-import", "t.txt", "-o", "out.yaml")
        assert result.exit_code == 4
        err = result.stderr
    assert message in err
    assert "Traceback" not in err


def test_summary_line_states_everything(run, tmp_path: Path) -> None:
    _, out = imported(run, write_xlsx(tmp_path / "t.xlsx", {"附件1": table()}))
    first = out.splitlines()[0]
    assert first == (
        "已生成 out.yaml：6 项指标；2022 年（来自标题第2行“2022年营商环境测评指标责任清单”）；"
        "2 个二级指标；4 个科室（政务服务中心、审批服务科、办公室、审批监管科）；"
        "2 位责任领导（万富春、高秀英）；牵头 4 项、配合 2 项（备注第10行）；待复核的推断 0 处"
    )


# ---------------------------------------------------------------- hostile files


def test_lying_sizes_allocate_nothing(run, tmp_path: Path) -> None:
    """A declared dimension of the whole sheet; a merged range past the last row."""
    path = write_xlsx(tmp_path / "t.xlsx", {"附件1": table()}, merges=["A10:A200"])
    stale_dimension(path, "A1:XFD1048576")
    cl, _ = imported(run, path)
    assert_checklist(cl, EXPECTED)


def test_a_merged_range_of_a_million_rows_is_refused(run, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"附件1": table()}, merges=["A10:A200"])
    with zipfile.ZipFile(path) as z:  # written small, then made to claim a million rows
        members = {i.filename: z.read(i) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet].replace(b'ref="A10:A200"', b'ref="A10:XFD1048576"')
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    result = run("checklist-import", "t.xlsx", "-o", "o.yaml")
    assert result.exit_code == 4
    assert "t.xlsx 中的合并单元格 A10:XFD1048576 过大（1048567 行 × 16384 列）" in result.stderr


def test_too_many_rows_are_refused(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from evalcheck.io import tableimport_read

    monkeypatch.setattr(tableimport_read, "MAX_ROWS", 5)
    result = run("checklist-import", write_text(tmp_path / "t.txt", table()).name, "-o", "o.yaml")
    assert result.exit_code == 4 and "t.txt 有 5 行以上，超过 5 行的上限" in result.stderr
    write_xlsx(tmp_path / "t.xlsx", {"附件1": table()})
    result = run("checklist-import", "t.xlsx", "-o", "o.yaml")
    assert result.exit_code == 4 and "t.xlsx 工作表“附件1”有 5 行以上" in result.stderr
    assert not (tmp_path / "o.yaml").exists()


def test_a_folder_is_not_a_table(run, tmp_path: Path) -> None:
    (tmp_path / "d.xlsx").mkdir()
    result = run("checklist-import", "d.xlsx", "-o", "o.yaml")
    assert result.exit_code == 3 and "d.xlsx 是文件夹，不是表格文件" in result.stderr


def test_label_and_footnote_are_kept_verbatim(tmp_path: Path) -> None:
    from evalcheck.io.tableimport import read_table

    result = read_table(write_xlsx(tmp_path / "t.xlsx", {"附件1": table()}))
    assert (result.label, result.footnote) == ("附件1", FOOT.removeprefix("备注："))


@pytest.mark.parametrize("refs", [["H10:IV50000"], ["B10:K9000", "B9010:K18000", "B18010:K27000"]])
def test_merged_ranges_of_too_many_cells_together_are_refused(
    run, tmp_path: Path, refs: list[str]
) -> None:
    """Each within the row and column caps, but millions of cells (openpyxl makes an
    object for each: a 5 KB file took 7.6 GB and 336 s): refused at once."""
    path = write_xlsx(tmp_path / "t.xlsx", {"附件1": table()}, merges=["A10:A200"])
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    ranges = "".join(f'<mergeCell ref="{r}"/>' for r in refs)
    # openpyxl writes '<mergeCell ref="…"/>', or with a space before '/>' without lxml
    members[sheet] = re.sub(rb'<mergeCell ref="A10:A200"\s*/>', ranges.encode(), members[sheet])
    assert refs[-1].encode() in members[sheet]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    result = run("checklist-import", "t.xlsx", "-o", "o.yaml")
    assert result.exit_code == 4, result.stderr
    assert f"合并的单元格共超过 200000 个（到 {refs[-1]} 为止）" in result.stderr
    assert not (tmp_path / "o.yaml").exists()
