"""`export report.docx`: the attachment as a Word document, read back with python-docx
and rendered to PDF by LibreOffice."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("docx", reason="可选功能 Word 导出：python-docx/lxml 未安装（evalcheck[word]）")
pytest.importorskip("lxml.etree", reason="可选功能 Word 导出：lxml 未安装（evalcheck[word]）")
from docx import Document
from docx.oxml.ns import qn

from .conftest import seed_text
from .pdf import needs_soffice, pdf_pages, to_pdf
from .test_checklist import seed_rows

TITLE = "中卫市审批服务管理局营商环境测评指标责任清单（2021年）"
HEADERS = [
    "二级指标",
    "题号",
    "三级指标",
    "责任领导",
    "责任科室",
    "完成时限",
    "填报值",
    "备注",
    "佐证材料",
]


def seed_footnote() -> str:
    return next(line for line in seed_text().splitlines() if line.startswith("备注")).strip()


def east_asia_font(run) -> str | None:
    fonts = run._element.rPr.rFonts
    return fonts.get(qn("w:eastAsia"))


def table_rows(doc) -> list[list[str]]:
    """The header, then every row's cell texts (a merged cell reads as its text on every
    row it spans), over the tables of all pages; each page's table opens with the header."""
    out: list[list[str]] = []
    for table in doc.tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        assert rows[0] == HEADERS
        out += rows if not out else rows[1:]
    return out


@pytest.fixture()
def answered(run):
    run("answer", "47", "--value", "312", "--note", "含分项")
    run("answer", "16", "--value", "否")
    run("answer", "110", "--na", "本地无此业务")
    run("answer", "142", "--value", "1、2")
    run("answer", "17", "--value", "=SUM(A1)", "--evidence", "https://example.org/a")


def test_the_attachment_label_title_table_and_footnote(run, answered, tmp_path: Path) -> None:
    result = run("export", "report.docx")
    assert result.exit_code == 0, result.output
    assert (
        "已导出 report.docx：144 项指标，其中已填报 4 项、不适用 1 项（Word 附件）" in result.stdout
    )
    doc = Document(str(tmp_path / "report.docx"))
    body = [p for p in doc.paragraphs if p.text]
    assert [p.text for p in body] == ["附件 1", TITLE, seed_footnote()]
    # label 黑体, title 方正小标宋简体, 备注 in the body font 仿宋_GB2312
    assert [east_asia_font(p.runs[0]) for p in body] == ["黑体", "方正小标宋简体", "仿宋_GB2312"]
    assert body[1].alignment == 1  # centred
    rows = table_rows(doc)
    assert rows[0] == HEADERS
    assert len(rows) == 1 + 144
    seed = seed_rows()
    by_id = {int(r[1]): r for r in rows[1:]}
    assert sorted(by_id) == list(range(1, 145))
    for ident, want in seed.items():
        row = dict(zip(HEADERS, by_id[ident], strict=True))
        assert row["三级指标"] == want["text"]
        assert row["责任领导"] == want["owner"]
        assert row["责任科室"] == (want["section"] or "")  # blank as in the source (82)
        assert row["完成时限"] == "2021-09-15"
        assert row["二级指标"].endswith(want["category"])
    answers = {i: dict(zip(HEADERS, by_id[i], strict=True)) for i in (47, 16, 110, 142, 17, 1)}
    # a working attachment marks what is not final in the cell itself (lifecycle)
    assert (answers[47]["填报值"], answers[47]["备注"]) == ("312 个（待审核）", "含分项")
    assert answers[16]["填报值"] == "否（待审核）"
    assert answers[110]["填报值"] == "不适用（本地无此业务）（待审核）"
    assert answers[142]["填报值"] == (
        "重点监管事件跟踪预警响应处置的全链条、记录和分析各监管部门监管质量和效能评估（待审核）"
    )
    assert answers[17]["填报值"] == "=SUM(A1)（待审核）"  # a document has no formulas: plain text
    assert answers[17]["佐证材料"] == "https://example.org/a"
    assert answers[1]["填报值"] == ""
    # the body font is every table cell's font
    cell_fonts = {east_asia_font(r) for t in doc.tables for row in t.rows[1:] for c in row.cells
                  for p in c.paragraphs for r in p.runs}  # fmt: skip
    assert cell_fonts == {"仿宋_GB2312"}


def test_a_final_attachment_counts_the_values_it_holds(run, answered, tmp_path: Path) -> None:
    """--final --allow-incomplete with nothing approved: the document has no values, and the
    first line says so (it said 其中已填报 5 项, read as five values in the document)."""
    result = run("export", "附件1.docx", "--final", "--allow-incomplete")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "已导出 附件1.docx：144 项指标，其中 0 项填入了定稿的值（Word 附件）"
    assert lines[1].startswith("定稿：只含已定稿的值，未定稿的 144 项留空。")
    rows = table_rows(Document(str(tmp_path / "附件1.docx")))[1:]
    assert [r[HEADERS.index("填报值")] for r in rows if r[HEADERS.index("填报值")]] == []
    assert run("approve", "47", "16", "--by", "万富春").exit_code == 0
    result = run("export", "附件1.docx", "--final", "--allow-incomplete", "--force")
    assert "其中 2 项填入了定稿的值" in result.stdout.splitlines()[0]
    rows = table_rows(Document(str(tmp_path / "附件1.docx")))[1:]
    assert len([r for r in rows if r[HEADERS.index("填报值")]]) == 2


def test_each_page_has_its_header_row_and_its_categories(run, tmp_path: Path) -> None:
    """One table per page: its header row, its category cells merged within it, so a
    category is named on every page its rows are on."""
    assert run("export", "report.docx").exit_code == 0
    doc = Document(str(tmp_path / "report.docx"))
    assert len(doc.tables) >= 5
    pieces: list[tuple[str, int]] = []  # (category, rows) of every merged piece, in order
    for t, table in enumerate(doc.tables):
        trs = table._tbl.tr_lst
        assert trs[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in trs)
        for tr in trs[1:]:
            first = tr.tc_lst[0]
            vmerge = first.tcPr.find(qn("w:vMerge"))
            if vmerge is None or vmerge.get(qn("w:val")) == "restart":
                assert first.xpath("string(.)"), f"table {t + 1}: a piece without its category"
                pieces.append((first.xpath("string(.)"), 1))
            else:
                assert first.xpath("string(.)") == ""
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + 1)
        if t > 0:  # the tables flow (no page break), each kept on one page (keep with next)
            gap = table._tbl.getprevious()
            assert not gap.xpath("boolean(.//w:pageBreakBefore)")
        keeps = [tr.xpath("boolean(.//w:keepNext)") for tr in trs]
        assert all(keeps[:-1]) and not keeps[-1]
    per_category: dict[str, int] = {}
    for name, n in pieces:
        per_category[name] = per_category.get(name, 0) + n
    assert per_category == {
        "一、网上政务服务能力": 38,
        "二、政务服务便利度": 61,
        "三、政务服务创新举措": 10,
        "四、线上线下融合度": 6,
        "五、市场监管": 29,
    }


def test_a4_landscape_page_numbers_and_font_fallbacks(run, tmp_path: Path) -> None:
    assert run("export", "report.docx").exit_code == 0
    doc = Document(str(tmp_path / "report.docx"))
    sec = doc.sections[0]
    assert (round(sec.page_width.cm, 1), round(sec.page_height.cm, 1)) == (29.7, 21.0)
    footer = sec.footer.paragraphs[0]
    assert footer._p.xpath("string(.//w:instrText)").strip() == "PAGE"
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    with zipfile.ZipFile(tmp_path / "report.docx") as z:
        table = z.read("word/fontTable.xml").decode("utf-8")
    assert re.search(r'w:name="方正小标宋简体">\s*<w:altName w:val="宋体"', table)
    assert re.search(r'w:name="仿宋_GB2312">\s*<w:altName w:val="仿宋"', table)


def test_wps_sizes_the_table_by_its_grid(run, tmp_path: Path) -> None:
    """WPS lays a Word table out by w:gridCol: the grid, every cell's width and the table
    width agree, in twips, on every page's table (issue 27)."""
    assert run("export", "report.docx").exit_code == 0
    doc = Document(str(tmp_path / "report.docx"))
    assert len(doc.tables) > 1
    for table in doc.tables:
        tbl = table._tbl
        grid = [int(g.get(qn("w:w"))) for g in tbl.tblGrid.findall(qn("w:gridCol"))]
        assert len(grid) == 9 and min(grid) > 500
        width = tbl.tblPr.find(qn("w:tblW"))
        assert (width.get(qn("w:type")), int(width.get(qn("w:w")))) == ("dxa", sum(grid))
        assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        for tr in tbl.tr_lst:
            col = 0
            for tc in tr.tc_lst:
                span = tc.grid_span
                tcw = tc.tcPr.find(qn("w:tcW"))
                assert int(tcw.get(qn("w:w"))) == sum(grid[col : col + span])
                col += span
            assert col == len(grid)
    # 14,798 twips: the A4 landscape text width, as the columns are scaled to it
    assert abs(sum(grid) / 567 - (29.7 - 2 * 1.8)) < 0.3


def test_no_font_the_attachment_does_not_use_is_named(run, tmp_path: Path) -> None:
    """WPS warns about each named font a PC lacks: python-docx's template names Calibri,
    Cambria, ＭＳ 明朝… through its theme; the export names only the attachment's fonts."""
    assert run("export", "report.docx").exit_code == 0
    with zipfile.ZipFile(tmp_path / "report.docx") as z:
        parts = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}
    ours = {"黑体", "方正小标宋简体", "仿宋_GB2312", "宋体", "仿宋"}
    theme = parts["word/theme/theme1.xml"]
    assert set(re.findall(r'typeface="([^"]*)"', theme)) == {"方正小标宋简体", "仿宋_GB2312"}
    assert '<a:font script="Hans" typeface="仿宋_GB2312"/>' in theme
    for name in ("word/styles.xml", "word/document.xml", "word/footer1.xml"):
        assert "Theme=" not in parts[name]  # no w:asciiTheme, w:eastAsiaTheme …
        named = set(re.findall(r'w:(?:ascii|hAnsi|eastAsia|cs)="([^"]+)"', parts[name]))
        assert named - {"en-US", "zh-CN", "ja-JP", "ar-SA"} <= ours, name
    table = set(re.findall(r'<w:font w:name="([^"]*)"', parts["word/fontTable.xml"]))
    assert table == {"黑体", "方正小标宋简体", "仿宋_GB2312"}
    assert "Cambria" not in parts["word/settings.xml"]


def test_due_as_written_and_configured_fonts(run, tmp_path: Path) -> None:
    from evalcheck.model.loading import bundled_checklist_path

    text = bundled_checklist_path().read_text(encoding="utf-8")
    custom = text.replace(
        "due_text: 9月15日前\n",
        "due_text: 9月15日前\nfonts:\n  title: 宋体\n  body: [楷体_GB2312, 楷体]\n",
        1,
    )
    (tmp_path / "c.yaml").write_text(custom, encoding="utf-8")
    result = run(
        "--checklist", "c.yaml", "export", "report.docx", "--due-as-written", "--section", "办公室"
    )
    assert result.exit_code == 0, result.output
    doc = Document(str(tmp_path / "report.docx"))
    rows = table_rows(doc)
    assert len(rows) == 1 + 10
    assert {r[5] for r in rows[1:]} == {"9月15日前"}
    assert {r[4] for r in rows[1:]} == {"办公室"}
    title = next(p for p in doc.paragraphs if p.text == TITLE)
    assert east_asia_font(title.runs[0]) == "宋体"
    assert east_asia_font(doc.tables[0].rows[1].cells[2].paragraphs[0].runs[0]) == "楷体_GB2312"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no/such/folder/report.docx", "文件夹“no/such/folder”不存在"),
        ("folder.docx", "“folder.docx”是一个文件夹"),
    ],
)
def test_bad_targets_are_refused(run, tmp_path: Path, target: str, message: str) -> None:
    (tmp_path / "folder.docx").mkdir()
    result = run("export", target)
    assert result.exit_code == 3
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow  # LibreOffice
@needs_soffice
def test_libreoffice_renders_the_attachment(run, answered, tmp_path: Path) -> None:
    assert run("export", "report.docx", "--due-as-written").exit_code == 0
    pages = pdf_pages(to_pdf(tmp_path / "report.docx", tmp_path / "lo-profile"))
    assert len(pages) >= 5
    flat = [re.sub(r"\s+", "", p) for p in pages]
    assert flat[0].startswith("附件1" + re.sub(r"\s+", "", TITLE))
    assert re.sub(r"\s+", "", seed_footnote()) in flat[-1]
    for n, page in enumerate(flat, start=1):
        assert "二级指标题号三级指标" in page, f"header row missing on page {n}"
        assert page.endswith(f"—{n}—"), f"page number on page {n}"
        assert "9月15日前" in page
    assert "312个" in "".join(flat)
    doc = Document(str(tmp_path / "report.docx"))
    assert len(pages) == len(doc.tables)  # every page as laid out here, none overflowing
    for n, (page, table) in enumerate(zip(flat, doc.tables, strict=True), start=1):
        for label in {row.cells[0].text for row in table.rows[1:]}:
            assert label[:5] in page, f"page {n} does not name {label}"
    every_id = re.findall(r"9月15日前", "".join(flat))
    assert len(every_id) == 144


def test_a_title_longer_than_the_documents_title_property_still_exports(
    run, tmp_path: Path
) -> None:
    """Word's 标题 property holds 255 characters: the page shows the whole title, the
    property a shortened one (python-docx refused it with a traceback)."""
    from evalcheck.model.loading import bundled_checklist_path

    text = bundled_checklist_path().read_text(encoding="utf-8")
    long_title = "中卫市审批服务管理局营商环境测评指标责任清单" + "（补充）" * 60
    lines = [f"title: {long_title}" if ln.startswith("title:") else ln for ln in text.splitlines()]
    (tmp_path / "c.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("--checklist", "c.yaml", "export", "long.docx", "--section", "办公室")
    assert result.exit_code == 0, result.output
    doc = Document(str(tmp_path / "long.docx"))
    assert any(long_title in p.text for p in doc.paragraphs)
    title = doc.core_properties.title
    assert len(title) == 255 and title.endswith("…") and long_title.startswith(title[:-1])
