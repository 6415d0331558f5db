"""Issue 25, class 9: spreadsheet values as people produce them. An edited value in a
review workbook is refused with its row; 0.95 in a percent cell without a % format is
asked about; a count cell shows what it displays ("95%"); 不适用 in 填报值 with its reason in
不适用原因 is accepted; a form saved as .xls gets advice, an .xlsx under another name is read."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.hostile import FORMS, cli, fill, refused, slow_after

GAO = Path("审核表") / "2021测评审核_高秀英.xlsx"


@pytest.fixture()
def answered(tmp_path: Path, prepared) -> Path:
    prepared(
        *(
            ("answer", i, "--value", v, "--by", "李四")
            for i, v in (("21", "3"), ("47", "312"), ("3", "95"))
        )
    )
    return tmp_path


def review_fill(path: Path, ident: int, **cells: object) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["审核"]
    col = {c.value: c.column for c in ws[2]}
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == ident)
    for name, value in cells.items():
        ws.cell(row, col[name]).value = value
    wb.save(path)


@pytest.mark.parametrize("value", slow_after(1, [5, "5", "5 个", None, "不适用：无"]))
def test_an_edited_value_in_a_review_workbook_is_refused(answered, prepared, value) -> None:
    prepared(("export", "--review", "审核表"))
    review_fill(answered / GAO, 21, 填报值=value, 审核结论="通过")
    before = (answered / "answers.yaml").read_bytes()
    err = refused(
        cli(answered, "import", str(GAO), "--by", "高秀英"), 3, "第21项", "填报值被改成了"
    )
    assert "退回" in err and "行" in err
    assert (answered / "answers.yaml").read_bytes() == before


def test_an_untouched_value_in_a_review_workbook_is_approved(answered, prepared) -> None:
    prepared(("export", "--review", "审核表"))
    review_fill(answered / GAO, 21, 审核结论="通过")
    done = cli(answered, "import", str(GAO), "--by", "高秀英")
    assert done.returncode == 0, done.stderr


def test_a_number_retyped_the_same_in_a_review_workbook_is_no_edit(answered, prepared) -> None:
    prepared(("export", "--review", "审核表"))
    review_fill(answered / GAO, 21, 填报值=3.0, 审核结论="通过")
    assert cli(answered, "import", str(GAO), "--by", "高秀英").returncode == 0


def _form(prepared, folder: Path, section: str = "政务服务中心") -> Path:
    prepared(FORMS)
    return next(p for p in (folder / "forms").iterdir() if section in p.name)


@pytest.mark.parametrize(
    ("cell", "asked"),
    slow_after(1, [(0.95, "0.95 是否为 95%？请写 95 或 95%"), (0.5, "0.5 是否为 50%"), (0.875, "87.5%"),
     (-0.2, "-20%")], unpack=True),
)  # fmt: skip
def test_a_fraction_in_a_general_percent_cell_is_asked(answered, prepared, cell, asked) -> None:
    form = _form(prepared, answered)
    fill(form, {3: {"填报值": cell}})
    before = (answered / "answers.yaml").read_bytes()
    refused(cli(answered, "import", str(form)), 3, "第3项", asked)
    assert (answered / "answers.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("cell", "stored"),
    slow_after(1, [((0.95, "0%"), 95), ("0.95%", 0.95), (95, 95), ("95%", 95)], unpack=True),
)
def test_a_percent_written_clearly_is_read(answered, prepared, cell, stored) -> None:
    form = _form(prepared, answered)
    fill(form, {3: {"填报值": cell}})
    done = cli(answered, "import", str(form), "--by", "李四")
    assert done.returncode == 0, done.stderr
    shown = cli(answered, "show", "3", "--format", "json").stdout
    assert f'"value": {stored}' in shown


def test_a_count_cell_quotes_what_it_displays(answered, prepared) -> None:
    form = _form(prepared, answered)
    fill(form, {47: {"填报值": (0.95, "0%")}})
    err = refused(cli(answered, "import", str(form)), 3, "第47项", "“95%”")
    assert "0.95" not in err


@pytest.mark.parametrize("dry", slow_after(1, [False, True]))
def test_a_count_that_is_a_date_serial_is_imported_with_a_warning(answered, prepared, dry) -> None:
    """Typing "1/2" into a count cell formatted as a number stores 2 January as a day
    count (44198 in 2021, the checklist's year): imported as typed, with a located warning
    naming the date and how to correct it. A real count nearby is not warned about."""
    form = _form(prepared, answered)
    fill(form, {1: {"填报值": 44198}, 2: {"填报值": 312}, 47: {"填报值": (44199, "0")}})
    done = cli(answered, "import", str(form), "--by", "李四", *(["--dry-run"] if dry else []))
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if "像是表格程序" in line]
    assert len(warned) == 2, done.stderr
    assert "第1项" in warned[0] and "2021年1月2日" in warned[0] and "“1/2”" in warned[0]
    assert "第47项" in warned[1] and "2021年1月3日" in warned[1]
    assert "evalcheck answer 1 --value" in warned[0]
    assert "第2项" not in "".join(warned)
    shown = cli(answered, "show", "1", "--format", "json").stdout
    assert ('"value": 44198' in shown) is not dry  # imported as it is (a real count may be)


def test_a_date_serial_outside_the_years_is_a_count(answered, prepared) -> None:
    form = _form(prepared, answered)
    fill(form, {1: {"填报值": 40000}})  # 2009-07-06: not a date anyone typed this year
    done = cli(answered, "import", str(form), "--by", "李四")
    assert done.returncode == 0 and "像是表格程序" not in done.stderr


@pytest.mark.parametrize("value", slow_after(1, ["不适用", " 不适用 ", "不适用。"]))
def test_not_applicable_with_its_reason_in_its_column_is_accepted(
    answered, prepared, value
) -> None:
    form = _form(prepared, answered)
    fill(form, {4: {"填报值": value, "不适用原因": "本地无此业务"}})
    done = cli(answered, "import", str(form), "--by", "李四")
    assert done.returncode == 0, done.stderr
    assert "不适用（本地无此业务）" in cli(answered, "show", "4").stdout


def test_a_value_and_a_reason_are_still_refused(answered, prepared) -> None:
    form = _form(prepared, answered)
    fill(form, {4: {"填报值": 12, "不适用原因": "本地无此业务"}})
    refused(cli(answered, "import", str(form)), 3, "第4项", "只能填一个")


def test_the_form_and_the_docs_say_the_same_about_not_applicable(answered, prepared) -> None:
    form = _form(prepared, answered)
    wb = openpyxl.load_workbook(form)
    prompts = " ".join(str(dv.prompt) for dv in wb["测评指标"].data_validations.dataValidation)
    assert "不适用原因" in prompts
    docs = (Path(__file__).parents[1] / "docs" / "commands.md").read_text(encoding="utf-8")
    assert "“不适用原因”列" in docs


def test_an_xlsx_form_saved_as_xls_is_read(answered, prepared) -> None:
    form = _form(prepared, answered)
    fill(form, {47: {"填报值": 320}})
    renamed = form.with_suffix(".xls")
    shutil.copyfile(form, renamed)
    done = cli(answered, "import", str(renamed), "--by", "李四")
    assert done.returncode == 0, done.stderr
    assert "320" in cli(answered, "show", "47").stdout


def test_a_real_xls_form_gets_advice(answered) -> None:
    (answered / "表.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    before = (answered / "answers.yaml").read_bytes()
    refused(cli(answered, "import", "表.xls"), 4, "表.xls", "另存为", ".xlsx")
    assert (answered / "answers.yaml").read_bytes() == before
