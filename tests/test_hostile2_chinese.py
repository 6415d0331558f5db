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
ALLOWED = {"evalcheck", "xlsx", "Excel", "answers", "yaml", "evidence", "pack", "check", "list"}


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
