"""Hostile and careless input, second round (issue 25): one test per variant tried.

Every refusal: a documented exit code, a Chinese message naming the file/row/field, no
traceback, and the answers file byte-identical.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from evalcheck.infra import outputguard


def clean(result, code: int) -> None:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    if code:
        assert "错误：" in result.output


def _answered(run, tmp_path: Path) -> bytes:
    clean(run("answer", "47", "--value", "312"), 0)
    return (tmp_path / "answers.yaml").read_bytes()


# ---------------------------------------------------------------- 1. outputs onto inputs


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--output", "answers.yaml"),
        ("list", "-f", "csv", "--output", "./answers.yaml"),
        ("status", "--output", "answers.yaml"),
        ("overdue", "--output", "answers.yaml"),
        ("list", "--output", "sub/../answers.yaml"),
        ("list", "--output", ".answers.yaml.lock"),
        ("list", "--output", "answers.previous.yaml"),
    ],
)
def test_an_output_onto_the_answers_file_is_refused(run, tmp_path, args) -> None:
    (tmp_path / "sub").mkdir()
    before = _answered(run, tmp_path)
    result = run(*args)
    clean(result, 3)
    assert "不能写入" in result.stderr and "覆盖" in result.stderr
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_an_output_onto_the_checklist_is_refused(run, tmp_path) -> None:
    clean(run("init"), 0)
    before = (tmp_path / "indicators.yaml").read_bytes()
    result = run("list", "--output", "indicators.yaml")
    clean(result, 3)
    assert "清单文件" in result.stderr
    assert (tmp_path / "indicators.yaml").read_bytes() == before


def test_an_output_onto_a_given_checklist_is_refused(run, tmp_path) -> None:
    from evalcheck.model.loading import bundled_checklist_path

    cl = tmp_path / "cl.yaml"
    cl.write_bytes(bundled_checklist_path().read_bytes())
    result = run("--checklist", str(cl), "status", "--output", str(cl))
    clean(result, 3)
    assert cl.read_bytes() == bundled_checklist_path().read_bytes()


def test_an_output_through_a_symlink_is_refused(run, tmp_path) -> None:
    before = _answered(run, tmp_path)
    (tmp_path / "out.csv").symlink_to(tmp_path / "answers.yaml")
    clean(run("list", "--output", "out.csv"), 3)
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_an_output_onto_a_hard_link_is_refused(run, tmp_path) -> None:
    before = _answered(run, tmp_path)
    os.link(tmp_path / "answers.yaml", tmp_path / "copy.csv")
    result = run("list", "--output", "copy.csv")
    clean(result, 3)
    assert "答案文件" in result.stderr
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_an_output_differing_only_in_case_is_refused_where_names_fold(
    run, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(outputguard, "case_insensitive", lambda: True)
    before = _answered(run, tmp_path)
    clean(run("list", "--output", "ANSWERS.YAML"), 3)
    assert not (tmp_path / "ANSWERS.YAML").exists()
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_an_answers_file_elsewhere_is_still_protected(run, tmp_path) -> None:
    shared = tmp_path / "共享"
    shared.mkdir()
    clean(run("--answers", str(shared / "a.yaml"), "answer", "47", "--value", "1"), 0)
    before = (shared / "a.yaml").read_bytes()
    clean(run("--answers", str(shared / "a.yaml"), "list", "--output", "共享/a.yaml"), 3)
    assert (shared / "a.yaml").read_bytes() == before


def test_an_output_inside_the_evidence_store_is_refused(run, tmp_path) -> None:
    _answered(run, tmp_path)
    (tmp_path / "佐证材料" / "47").mkdir(parents=True)
    result = run("list", "--output", "佐证材料/47/清单.csv")
    clean(result, 3)
    assert "佐证材料" in result.stderr
    assert not (tmp_path / "佐证材料" / "47" / "清单.csv").exists()


def test_split_into_the_evidence_store_writes_no_form(run, tmp_path) -> None:
    _answered(run, tmp_path)
    (tmp_path / "佐证材料").mkdir()
    clean(run("export", "--split", "佐证材料"), 3)
    assert list((tmp_path / "佐证材料").iterdir()) == []


def test_split_refuses_before_writing_when_one_form_is_an_input(run, tmp_path) -> None:
    clean(run("export", "--split", "表"), 0)
    forms = sorted((tmp_path / "表").glob("*.xlsx"))
    # the answers file lives among the forms, as a hard link under a form's name
    clean(run("answer", "47", "--value", "3"), 0)
    target = forms[-1]
    target.unlink()
    os.link(tmp_path / "answers.yaml", target)
    before = (tmp_path / "answers.yaml").read_bytes()
    stamps = {p: p.stat().st_mtime_ns for p in forms[:-1]}
    clean(run("export", "--split", "表", "--force"), 3)
    assert (tmp_path / "answers.yaml").read_bytes() == before
    assert {p: p.stat().st_mtime_ns for p in forms[:-1]} == stamps


def test_a_review_workbook_onto_an_input_is_refused(run, tmp_path) -> None:
    clean(run("answer", "47", "--value", "312"), 0)
    clean(run("export", "--review", "审"), 0)
    book = next((tmp_path / "审").glob("*.xlsx"))
    book.unlink()
    os.link(tmp_path / "answers.yaml", book)
    before = (tmp_path / "answers.yaml").read_bytes()
    clean(run("export", "--review", "审", "--force"), 3)
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_an_export_onto_a_linked_input_is_refused(run, tmp_path) -> None:
    before = _answered(run, tmp_path)
    os.link(tmp_path / "answers.yaml", tmp_path / "总表.xlsx")
    clean(run("export", "总表.xlsx"), 3)
    os.link(tmp_path / "answers.yaml", tmp_path / "附件.docx")
    clean(run("export", "附件.docx"), 3)
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_an_evidence_pack_onto_the_answers_file_is_refused(run, tmp_path) -> None:
    (tmp_path / "说明.txt").write_text("材料", encoding="utf-8")
    clean(run("answer", "16", "--value", "是"), 0)
    clean(run("evidence", "add", "16", "说明.txt"), 0)
    os.link(tmp_path / "answers.yaml", tmp_path / "包.zip")
    before = (tmp_path / "answers.yaml").read_bytes()
    result = run("evidence", "pack", "包.zip", "--overwrite")
    clean(result, 3)
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_checklist_import_onto_its_table_is_refused(run, tmp_path) -> None:
    from tests.conftest import seed_text

    table = tmp_path / "表.yaml"
    table.write_text(seed_text(), encoding="utf-8")
    link = tmp_path / "表.csv"
    os.link(table, link)
    before = table.read_bytes()
    result = run("checklist-import", "表.csv", "--output", "表.yaml", "--force")
    clean(result, 3)
    assert "表格文件" in result.stderr
    assert table.read_bytes() == before


def test_an_ordinary_output_still_works(run, tmp_path) -> None:
    _answered(run, tmp_path)
    clean(run("list", "--output", "清单.csv"), 0)
    clean(run("list", "--output", "清单.csv", "--force"), 0)  # its own earlier output is no input
    assert (tmp_path / "清单.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_same_file_and_inside() -> None:
    here = Path.cwd()
    (here / "a").write_text("x")
    assert outputguard.same_file(Path("a"), here / "a")
    assert outputguard.same_file(Path("./b/../a"), Path("a"))
    assert not outputguard.same_file(Path("a"), Path("b"))
    assert outputguard.inside(Path("d/x"), Path("d"))
    assert not outputguard.inside(Path("dd/x"), Path("d"))
    assert sys.platform != "win32" or outputguard.case_insensitive()
