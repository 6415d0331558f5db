"""Issue 25, class 7: Chinese on every error path. OS errors of evidence operations and
packing, the csv module's and the workbook readers' English texts, and a failed read in
`evidence check` (which said 写入失败) are all told in Chinese, naming the file."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from tests.hostile import ANSWER_47, cli, refused

ENGLISH = re.compile(r"[A-Za-z]{4,}")  # an English word (file names here are Chinese or short)
ALLOWED = {
    "evalcheck",
    "xlsx",
    "Excel",
    "Word",
    "docx",
    "answers",
    "yaml",
    "evidence",
    "pack",
    "check",
    "list",
}


def no_english(err: str) -> None:
    words = set(ENGLISH.findall(err)) - ALLOWED
    assert not words, err


@pytest.fixture()
def answered(tmp_path: Path, prepared) -> Path:
    prepared(ANSWER_47)
    (tmp_path / "材料.pdf").write_bytes(b"%PDF-1.4 x")
    return tmp_path


def test_the_store_is_a_file(answered) -> None:
    (answered / "佐证材料").write_text("x", encoding="utf-8")
    before = (answered / "answers.yaml").read_bytes()
    err = refused(cli(answered, "evidence", "add", "47", "材料.pdf"), 5, "佐证材料")
    assert "路径中有一部分是文件而不是文件夹" in err
    no_english(err)
    assert (answered / "answers.yaml").read_bytes() == before


def test_the_indicators_folder_is_a_file(answered) -> None:
    (answered / "佐证材料").mkdir()
    (answered / "佐证材料" / "47").write_text("x", encoding="utf-8")
    before = (answered / "answers.yaml").read_bytes()
    err = refused(cli(answered, "evidence", "add", "47", "材料.pdf"), 5, "佐证材料")
    no_english(err)
    assert (answered / "answers.yaml").read_bytes() == before


def test_answer_with_evidence_into_a_broken_store(answered) -> None:
    (answered / "佐证材料").write_text("x", encoding="utf-8")
    before = (answered / "answers.yaml").read_bytes()
    err = refused(cli(answered, "answer", "47", "--value", "5", "--evidence", "材料.pdf"), 5)
    no_english(err)
    assert (answered / "answers.yaml").read_bytes() == before


def test_a_pack_under_a_file(answered) -> None:
    assert cli(answered, "evidence", "add", "47", "材料.pdf", "--by", "张三").returncode == 0
    (answered / "f").write_text("x", encoding="utf-8")
    err = refused(cli(answered, "evidence", "pack", "f/包.zip"), 5, "f")
    no_english(err)


def test_a_failed_read_in_evidence_check_is_no_write_failure(answered) -> None:
    (answered / "b.pdf").write_bytes(b"\0" * 4096)
    assert cli(answered, "evidence", "add", "47", "b.pdf", "--by", "张三").returncode == 0
    stored = answered / "佐证材料" / "47" / "b.pdf"
    stored.unlink()
    stored.mkdir()  # same size as the file was (4096), but it cannot be read as one
    done = cli(answered, "evidence", "check")
    assert done.returncode == 1, done.stderr
    assert "写入失败" not in done.stdout + done.stderr
    assert "文件无法读取" in done.stdout and "b.pdf" in done.stdout
    assert "这是一个文件夹，不是文件" in done.stdout
    no_english(done.stderr)


def test_a_csv_field_over_the_limit(tmp_path) -> None:
    (tmp_path / "表.csv").write_text(
        '题号,三级指标\n1,"' + "字" * 200_000 + '"\n', encoding="utf-8"
    )
    err = refused(cli(tmp_path, "checklist-import", "表.csv", "-o", "o.yaml"), 4, "表.csv", "第2行")
    assert "131072" in err and "引号" in err
    no_english(err)
    assert not (tmp_path / "o.yaml").exists()


def test_a_csv_with_an_unclosed_quote(tmp_path) -> None:
    (tmp_path / "表.csv").write_text('题号,三级指标\n1,"' + "字" * 140_000, encoding="utf-8")
    err = refused(cli(tmp_path, "checklist-import", "表.csv", "-o", "o.yaml"), 4, "表.csv")
    no_english(err)


@pytest.mark.parametrize(
    "members",
    [
        {"[Content_Types].xml": "<x", "xl/workbook.xml": "<<"},
        {"[Content_Types].xml": "<Types/>"},
        {"xl/workbook.xml": "<workbook/>"},
    ],
    ids=["broken xml", "no workbook", "no content types"],
)
def test_a_damaged_workbook_to_checklist_import(tmp_path, members) -> None:
    with zipfile.ZipFile(tmp_path / "表.xlsx", "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    err = refused(cli(tmp_path, "checklist-import", "表.xlsx", "-o", "o.yaml"), 4, "表.xlsx")
    no_english(err)


def test_a_damaged_ods_to_checklist_import(tmp_path) -> None:
    pytest.importorskip(
        "python_calamine",
        reason="可选功能 .xls/.ods 读取：python-calamine 未安装（evalcheck[xls]）",
    )
    with zipfile.ZipFile(tmp_path / "表.ods", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<<<")
    err = refused(cli(tmp_path, "checklist-import", "表.ods", "-o", "o.yaml"), 4, "表.ods")
    no_english(err)


def _repeated_ods(path, rows: int, cols: int) -> None:
    """A 1 KB .ods whose last row repeats `rows` times, its one filled cell `cols` times."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    head = "".join(cell.format(h) for h in ("序号", "评价内容", "分管领导", "责任单位", "完成时间"))
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>'
        '<office:spreadsheet><table:table table:name="指标">'
        f"<table:table-row>{head}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{cols}" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)


@pytest.mark.parametrize(
    ("rows", "cols", "said"),
    [(40_000, 2_000, "40001 行 × 2000 列"), (1_000_000, 3, "超过 50000 行的上限")],
    ids=["cells", "rows"],
)
def test_an_ods_of_repeated_rows_is_refused_before_it_is_built(tmp_path, rows, cols, said) -> None:
    """1 KB asking for 80 million cells: calamine took 10 GB (or aborted with a Rust
    backtrace) before any cap applied. Now refused from the file's own counts."""
    pytest.importorskip(
        "python_calamine",
        reason="可选功能 .xls/.ods 读取：python-calamine 未安装（evalcheck[xls]）",
    )
    _repeated_ods(tmp_path / "表.ods", rows, cols)
    err = refused(cli(tmp_path, "checklist-import", "表.ods", "-o", "o.yaml"), 4, "表.ods", said)
    no_english(err)
    assert not (tmp_path / "o.yaml").exists()


def test_a_word_document_renamed_xlsx_is_named_for_what_it_is(tmp_path) -> None:
    """A zip without a workbook part (a .docx renamed): openpyxl's OSError without an errno
    came out as '系统错误 OSError'."""
    with zipfile.ZipFile(tmp_path / "表.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="x"/>')
        z.writestr("word/document.xml", "<w:document/>")
    err = refused(cli(tmp_path, "import", "表.xlsx"), 4, "表.xlsx", "不是 Excel 工作簿")
    assert "OSError" not in err
    no_english(err)


def test_an_entity_bomb_in_shared_strings_is_named_unsafe(tmp_path, prepared) -> None:
    """defusedxml refuses it; openpyxl wraps that refusal in a ValueError, which said only
    '文件已损坏或格式不受支持'."""
    prepared(ANSWER_47, ("export", "--split", "forms"))
    form = next((tmp_path / "forms").glob("*审批监管科*.xlsx"))
    with zipfile.ZipFile(form) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>&lol2;</t></si></sst>'
    )
    members["xl/sharedStrings.xml"] = bomb
    with zipfile.ZipFile(tmp_path / "炸弹.xlsx", "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    before = (tmp_path / "answers.yaml").read_bytes()
    err = refused(cli(tmp_path, "import", "炸弹.xlsx"), 4, "炸弹.xlsx", "不安全的 XML 内容")
    no_english(err)
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_an_ods_of_many_sheets_each_under_the_cap_is_refused(tmp_path) -> None:
    """60 sheets of 1,995 × 999 repeated cells, each under the per-sheet cap: 4 GB in
    calamine before. The cap is the file's, counted over its sheets."""
    pytest.importorskip(
        "python_calamine",
        reason="可选功能 .xls/.ods 读取：python-calamine 未安装（evalcheck[xls]）",
    )
    _repeated_ods(tmp_path / "one.ods", 1_995, 999)
    with zipfile.ZipFile(tmp_path / "one.ods") as z:
        content = z.read("content.xml").decode("utf-8")
    start, end = content.index("<table:table "), content.index("</table:table>") + 14
    sheet = content[start:end]
    sheets = "".join(sheet.replace('table:name="指标"', f'table:name="表{n}"') for n in range(60))
    with zipfile.ZipFile(tmp_path / "表.ods", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content[:start] + sheets + content[end:])
    err = refused(
        cli(tmp_path, "checklist-import", "表.ods", "-o", "o.yaml"),
        4,
        "表.ods",
        "各工作表展开后共有",
    )
    no_english(err)
    assert not (tmp_path / "o.yaml").exists()
