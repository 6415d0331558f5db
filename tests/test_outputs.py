"""Outputs never destroy input: --output refuses an existing file without --force, and no
output path is ever the answers file, the checklist, the mapping file or a file in the
evidence store, even with --force; `status -f csv`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

OUTPUTS = [
    ("list",),
    ("list", "-f", "csv"),
    ("list", "-f", "json"),
    ("status",),
    ("status", "-f", "json"),
    ("status", "-f", "csv"),
    ("overdue",),
    ("overdue", "-f", "csv"),
]


MAPPING = """format: 1
checklist: {title: 中卫市审批服务管理局营商环境测评指标责任清单, year: 2021}
previous:
  checklist: {title: 中卫市审批服务管理局营商环境测评指标责任清单, year: 2020}
mapping: []
new_unmatched: []
"""


def _prepared(run) -> dict[Path, bytes]:
    """An answered item with evidence, last year's mapping file and a work-folder checklist:
    every kind of file the tool keeps, with its bytes."""
    assert run("init").exit_code == 0  # indicators.yaml in the folder
    Path("台账.pdf").write_bytes(b"%PDF-1.4 ledger")
    assert run("answer", "47", "--value", "312", "-e", "台账.pdf").exit_code == 0
    Path("answers.previous.yaml").write_text(MAPPING, encoding="utf-8")
    kept = [Path("answers.yaml"), Path("indicators.yaml"), Path("answers.previous.yaml")]
    kept += [p for p in Path("佐证材料").rglob("*") if p.is_file()]
    return {p: p.read_bytes() for p in kept}


@pytest.mark.parametrize("command", OUTPUTS, ids=" ".join)
@pytest.mark.parametrize("force", [False, True], ids=["", "force"])
def test_no_output_lands_on_a_kept_file_even_with_force(run, command, force) -> None:
    kept = _prepared(run)
    evidence = next(p for p in kept if p.parts[0] == "佐证材料")
    for target in kept:
        result = run(*command, "--output", str(target), *(["--force"] if force else []))
        assert result.exit_code == 3, (target, result.output)
        assert result.stderr.startswith(f"错误：不能写入 {target}：")
        what = "佐证材料库" if target == evidence else ""
        assert what in result.stderr
    assert {p: p.read_bytes() for p in kept} == kept


@pytest.mark.parametrize("command", OUTPUTS, ids=" ".join)
def test_an_existing_output_is_refused_without_force(run, command) -> None:
    Path("结果.txt").write_bytes(b"someone's notes")
    result = run(*command, "--output", "结果.txt")
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        "错误：结果.txt 已存在，未做修改；确认要覆盖请加 --force（或换一个文件名）"
    ]
    assert Path("结果.txt").read_bytes() == b"someone's notes"
    result = run(*command, "--output", "结果.txt", "--force")
    assert result.exit_code == 0, result.output
    assert Path("结果.txt").read_bytes() != b"someone's notes"


def test_a_new_output_needs_no_force(run) -> None:
    result = run("list", "--output", "新.txt")
    assert result.exit_code == 0 and Path("新.txt").exists()
    assert "已写入 新.txt" in result.stderr


def _csv(path_or_text: Path | str) -> list[list[str]]:
    text = (
        path_or_text.read_text(encoding="utf-8-sig")
        if isinstance(path_or_text, Path)
        else path_or_text.lstrip("\ufeff")
    )
    return list(csv.reader(io.StringIO(text)))


def test_status_as_csv_has_every_grouping_and_the_total(run) -> None:
    run("answer", "47", "--value", "312")
    run("answer", "16", "--value", "是")
    run("approve", "16", "--by", "万富春")
    result = run("status", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = _csv(result.stdout)
    assert rows[0] == [
        "分组", "名称", "总数", "已填报", "不适用", "自动计算", "待审核", "已审核", "已退回",
        "逾期", "缺佐证", "完成率",
    ]  # fmt: skip
    groups = [r[0] for r in rows[1:]]
    assert groups.count("责任领导") == 2 and groups.count("二级指标") == 5
    assert rows[-1][:3] == ["合计", "全部", "144"] or rows[-1][:1] == ["合计"]
    total = rows[-1]
    assert (total[2], total[3], total[6], total[7]) == ("144", "2", "1", "1")
    wan = next(r for r in rows if r[:2] == ["责任领导", "万富春"])
    assert (wan[3], wan[6], wan[7]) == ("2", "1", "1")


def test_status_output_csv_implies_csv(run) -> None:
    run("answer", "47", "--value", "312")
    assert run("status", "--output", "进度.csv").exit_code == 0
    implied = Path("进度.csv").read_bytes()
    assert _csv(Path("进度.csv"))[0][0] == "分组"
    assert run("status", "-f", "csv", "--output", "进度2.csv").exit_code == 0
    assert Path("进度2.csv").read_bytes() == implied


def test_status_text_into_a_csv_file_is_refused(run) -> None:
    result = run("status", "-f", "text", "--output", "进度.csv")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "错误：--output 进度.csv：文本表格不能写成 CSV 文件；要 CSV 请用 -f csv（或不写 -f），"
        "要文本表格请换一个文件名，例如 进度.txt"
    ]
    assert not Path("进度.csv").exists()


def test_status_json_and_text_outputs_keep_their_format(run) -> None:
    assert run("status", "-f", "json", "--output", "进度.json").exit_code == 0
    assert Path("进度.json").read_text(encoding="utf-8-sig").lstrip().startswith("{")
    assert run("status", "--output", "进度.txt").exit_code == 0
    assert "按责任科室" in Path("进度.txt").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_an_export_never_lands_on_a_kept_file_even_with_force(run, suffix) -> None:
    kept = _prepared(run)
    for target in kept:
        # a kept file under an export's name: a hard link to it
        link = Path(f"导出{suffix}")
        link.unlink(missing_ok=True)
        link.hardlink_to(target)
        result = run("export", str(link), "--force")
        if target.parts[0] == "佐证材料":  # replaced by rename: the stored file keeps its bytes
            assert target.read_bytes() == kept[target]
        else:
            assert result.exit_code == 3, (target, result.output)
            assert result.stderr.startswith(f"错误：不能写入 {link}：")
        link.unlink()
        direct = run("export", str(target), "--force")
        assert direct.exit_code in (2, 3), (target, direct.output)  # a wrong suffix is usage
    assert {p: p.read_bytes() for p in kept} == kept


@pytest.mark.parametrize("option", ["--split", "--review"])
def test_forms_and_review_workbooks_never_land_in_the_evidence_store(run, option) -> None:
    kept = _prepared(run)
    result = run("export", option, "佐证材料", "--force")
    assert result.exit_code == 3, result.output
    assert "佐证材料库" in result.stderr
    assert {p for p in Path("佐证材料").rglob("*") if p.is_file()} == {
        p for p in kept if p.parts[0] == "佐证材料"
    }


@pytest.mark.parametrize(
    "command", [["list", "-s", "办公室"], ["overdue", "--today", "2021-09-20"]]
)
def test_list_and_overdue_write_csv_and_json_by_the_file_name(run, command) -> None:
    """As status does: 清单.csv is a CSV file Excel opens in columns, x.json is JSON."""
    assert run(*command, "--output", "a.csv").exit_code == 0
    rows = list(csv.reader(io.StringIO(Path("a.csv").read_text(encoding="utf-8-sig"))))
    assert "题号" in rows[0] and len(rows[0]) > 3 and all(len(r) == len(rows[0]) for r in rows)
    assert rows[1][rows[0].index("题号")].isdigit()
    assert run(*command, "--output", "a.JSON").exit_code == 0
    assert Path("a.JSON").read_text(encoding="utf-8-sig").lstrip()[0] in "[{"
    assert run(*command, "--output", "a.txt").exit_code == 0  # a table, tab-separated
    assert "\t" in Path("a.txt").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_a_table_asked_for_into_a_csv_or_json_file_is_refused(run, suffix) -> None:
    result = run("list", "-f", "table", "--output", f"清单.{suffix}")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        f"错误：--output 清单.{suffix}：文本表格不能写成 {suffix.upper()} 文件；要 "
        f"{suffix.upper()} 请用 -f {suffix}（或不写 -f），要文本表格请换一个文件名，例如 清单.txt"
    ]
    assert not Path(f"清单.{suffix}").exists()
    assert run("list", "-f", "json", "--output", "清单.csv").exit_code == 0  # asked for: kept
    assert Path("清单.csv").read_text(encoding="utf-8-sig").lstrip().startswith("[")
