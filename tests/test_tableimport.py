"""Building a checklist from the bureau's own table (text or .xlsx)."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalcheck.io.tableimport import (
    infer_kind,
    normalize_category,
    parse_due,
    parse_ranges,
    split_names,
)
from evalcheck.model.loading import bundled_checklist_path, load_checklist

from .conftest import SEED_COPY, seed_text

# Fields of the bundled checklist that were set by hand after importing the seed,
# and why. Everything else must come out of the importer exactly as bundled.
HAND_REVIEWED = {
    111: {"kind"},  # "对特殊群体…提供个性化线下服务？" has no 是否 but is a yes/no question
    142: {"options"},  # option 4 "以上均未实现" is marked exclusive
    121: {"formula"},  # derived values (rules and formulas are not in the table)
    133: {"formula"},
    136: {"formula"},
}


def indicators(run, *args: str) -> dict[int, dict]:
    result = run(*args, "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {i["id"]: i for i in json.loads(result.stdout)}


def compare_with_bundled(run, path: Path) -> None:
    got = indicators(run, "--checklist", str(path))
    bundled = indicators(run)
    assert sorted(got) == sorted(bundled)
    for ident, want in bundled.items():
        skip = HAND_REVIEWED.get(ident, set()) | {"answer"}
        for key, value in want.items():
            if key not in skip:
                assert got[ident][key] == value, (ident, key)
    gl, bl = load_checklist(path), load_checklist(bundled_checklist_path())
    assert (gl.title, gl.year, gl.categories, gl.sections, gl.owners, gl.review) == (
        bl.title, bl.year, bl.categories, bl.sections, bl.owners, bl.review
    )  # fmt: skip
    # the framing of the attachment, verbatim from the source
    assert (gl.label, gl.footnote) == (bl.label, bl.footnote)


def test_seed_text_gives_the_bundled_checklist(run, tmp_path: Path) -> None:
    result = run("checklist-import", str(SEED_COPY), "-o", "new.yaml")
    assert result.exit_code == 0, result.output
    assert (
        "已生成 new.yaml：144 项指标；2021 年（来自备注第163行“2021年…指标”）；5 个二级指标；"
        "4 个科室（政务服务中心、办公室、审批服务科、审批监管科）；2 位责任领导（万富春、高秀英）；"
        "牵头 115 项、配合 29 项（备注第163行）；待复核的推断 6 处"
    ) in result.stdout
    assert "第111项：按 text 处理" in result.stdout  # listed for review
    assert (
        "第14–15、20–21、23、30、39–40、47、68–70、77、86、96、131–132项：数量题没有写明单位"
        in result.stdout
    )
    assert run("validate", "new.yaml").exit_code == 0
    compare_with_bundled(run, tmp_path / "new.yaml")


def seed_as_xlsx(path: Path, *, shuffle: bool) -> None:
    """The seed table as a sheet: a title line, the header, the rows, the footnote."""
    order = [2, 0, 5, 1, 3, 4] if shuffle else [0, 1, 2, 3, 4, 5]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件1"
    ws.append(["附件 1"])
    ws.append(["中卫市审批服务管理局营商环境测评指标责任清单"])
    header_seen = False
    for line in seed_text().splitlines():
        cells = line.split("\t")
        if not header_seen:
            if cells[0] == "二级指标":
                header_seen = True
                ws.append([cells[i] for i in order])
            continue
        if line.startswith("备注"):
            ws.append([line])
            continue
        while cells and not cells[-1].strip():
            cells.pop()
        if len(cells) == 5:
            cells.insert(0, "")
        if len(cells) < 6:
            continue
        row: list[object] = [cells[i] for i in order]
        ident = order.index(1)
        row[ident] = int(cells[1])  # numbers as numbers, as Excel keeps them
        ws.append(row)
    wb.save(path)


@pytest.mark.parametrize("shuffle", [False, True])
def test_seed_xlsx_gives_the_bundled_checklist(run, tmp_path: Path, shuffle: bool) -> None:
    seed_as_xlsx(tmp_path / "table.xlsx", shuffle=shuffle)
    result = run("checklist-import", "table.xlsx", "-o", "new.yaml")
    assert result.exit_code == 0, result.output
    compare_with_bundled(run, tmp_path / "new.yaml")


BAD_TABLE = """标题：测试清单
二级指标\t题号\t三级指标\t责任领导\t责任科室\t完成时限
一、甲类\t1\t事项总数？\t张三\t一科\t9月15日前
\t\t是否建立？\t张三\t一科\t9月15日前
\t1\t重复的题号？\t张三\t一科\t9月15日前
\t3\t是否公布？\t\t一科\t9月15日前
\t4\t是否开通？\t张三\t一科\t9月31日前
备注：2021年测评指标
"""


@pytest.mark.parametrize("cell", ["99999999999", "１０００００００"])
def test_a_number_too_large_for_a_题号_is_called_that(run, tmp_path: Path, cell: str) -> None:
    table = BAD_TABLE.replace("\t3\t是否公布？\t\t", f"\t{cell}\t是否公布？\t张三\t")
    (tmp_path / "bad.txt").write_text(table, encoding="utf-8")
    err = run("checklist-import", "bad.txt", "-o", "out.yaml").stderr
    assert f"bad.txt 第6行 B列（题号）：题号 {cell} 过大（最大 999999），是否多打了几个 0？" in err
    assert "没有题号（" + cell not in err


def test_bad_rows_are_each_named_and_nothing_is_written(run, tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_text(BAD_TABLE, encoding="utf-8")
    result = run("checklist-import", "bad.txt", "-o", "out.yaml")
    assert result.exit_code == 3
    err = result.stderr
    assert "bad.txt 中有 4 处无法读取，未生成清单" in err
    assert "bad.txt 第4行 B列（题号）：没有题号（空）" in err
    assert "bad.txt 第5行 B列（题号）：题号 1 重复（bad.txt 第3行已有）" in err
    assert "bad.txt 第6行 D列（责任领导）：第3项没有责任领导" in err
    assert "bad.txt 第7行 F列（完成时限）：第4项的完成时限“9月31日前”无法识别" in err
    assert not (tmp_path / "out.yaml").exists()


def test_refuses_to_overwrite_without_force(run, tmp_path: Path) -> None:
    (tmp_path / "out.yaml").write_text("mine", encoding="utf-8")
    result = run("checklist-import", str(SEED_COPY), "-o", "out.yaml")
    assert result.exit_code == 3 and "已存在" in result.stderr
    assert (tmp_path / "out.yaml").read_text(encoding="utf-8") == "mine"
    assert run("checklist-import", str(SEED_COPY), "-o", "out.yaml", "--force").exit_code == 0


def test_gb18030_text_and_year_option(run, tmp_path: Path) -> None:
    text = BAD_TABLE.splitlines()
    good = "\n".join([text[1], text[2], "\t2\t本地区是否建立？\t李四\t二科\t10月8日前"])
    (tmp_path / "t.txt").write_bytes(good.encode("gb18030"))
    assert run("checklist-import", "t.txt", "--year", "2022", "-o", "o.yaml").exit_code == 0
    got = indicators(run, "--checklist", str(tmp_path / "o.yaml"))
    assert (
        got[2]["due"] == "2022-10-08" and got[2]["category"] == "甲类" and got[2]["kind"] == "yesno"
    )


def test_no_header_is_reported(run, tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("a\tb\n1\t2\n", encoding="utf-8")
    result = run("checklist-import", "t.txt", "-o", "o.yaml")
    assert result.exit_code == 3 and "找不到表头" in result.stderr


@pytest.mark.parametrize(
    ("text", "kind", "unit"),
    [
        ("本地区窗口总数？", "count", "个"),
        ("累积调用量（）次？", "count", "次"),
        ("执法人员总数（ ）人？", "count", "人"),
        ("某某事项数量？", "count", "项"),
        ("入库率？", "percent", "%"),
        ("占比（ ）%？", "percent", "%"),
        ("是否建立？", "yesno", None),
        ("采用以下哪种方式？", "choice", None),
        ("包括哪些？", "multi", None),
        ("是否对以下事项逐项编制？（多选）", "multi", None),
        ("采用哪种方式（多选）？", "multi", None),  # #25: 多选 wins over 哪种
        ("（多选）采用以下哪种方式？", "multi", None),
        ("采用哪种方式（单选）？", "choice", None),
        ("其他举措请一一列举", "text", None),
    ],
)
def test_kind_inference(text: str, kind: str, unit: str | None) -> None:
    inf = infer_kind(text)
    assert (inf.kind, inf.unit, inf.certain) == (kind, unit, True)


def test_uncertain_kinds_are_flagged() -> None:
    assert infer_kind("对特殊群体提供个性化线下服务？").certain is False
    assert infer_kind("评价期内本地区行政审批事项").certain is False


def test_options_listed_in_the_text() -> None:
    inf = infer_kind("是否应用以下功能（多选）？1.甲功能；2.乙功能；3.以上均未实现")
    assert inf.options == ("甲功能", "乙功能", "以上均未实现")


def test_deadlines_and_categories() -> None:
    assert parse_due("9月15日前", 2021) == dt.date(2021, 9, 15)
    assert parse_due("2022年3月1日", 2021) == dt.date(2022, 3, 1)
    assert parse_due("2021/9/15", 2020) == dt.date(2021, 9, 15)
    assert parse_due("尽快", 2021) is None
    assert normalize_category("三、政务服务 创新举措") == (3, "政务服务创新举措")
    assert normalize_category("四、线上线下 融合度") == (4, "线上线下融合度")


def test_the_source_framing_is_kept_verbatim(run, tmp_path: Path) -> None:
    """附件 1, the title, the 备注 paragraph and "9月15日前" come from the table as written."""
    seed = seed_text()
    footnote = next(line for line in seed.splitlines() if line.startswith("备注"))
    result = run("checklist-import", str(SEED_COPY), "-o", "new.yaml")
    assert result.exit_code == 0, result.output
    cl = load_checklist(tmp_path / "new.yaml")
    assert cl.label == "附件 1"
    assert cl.title == "中卫市审批服务管理局营商环境测评指标责任清单"
    assert "备注：" + cl.footnote == footnote.strip()
    assert "线上线下融合度100-115项" in cl.footnote  # the source's typo stays: verbatim
    assert {i.due_text for i in cl.indicators} == {"9月15日前"}
    text = (tmp_path / "new.yaml").read_text(encoding="utf-8")
    assert text.count("9月15日前") == 1  # once, as the wording of the default date


def test_a_changed_date_does_not_keep_the_default_wording(run, tmp_path: Path) -> None:
    table = (
        "附件 2\n营商测评清单\n二级指标\t题号\t三级指标\t责任领导\t责任科室\t完成时限\n"
        "一、甲类\t1\t事项总数？\t张三\t一科\t9月15日前\n"
        "\t2\t是否公布？\t张三\t一科\t10月8日前\n"
        "\t3\t是否开通？\t张三\t一科\t2021-09-15\n"
        "备注：共3项。\n"
    )
    (tmp_path / "t.txt").write_text(table, encoding="utf-8")
    assert run("checklist-import", "t.txt", "-o", "c.yaml", "--year", "2021").exit_code == 0
    cl = load_checklist(tmp_path / "c.yaml")
    assert (cl.label, cl.footnote) == ("附件 2", "共3项。")
    assert [(i.due.isoformat(), i.due_text) for i in cl.indicators] == [
        ("2021-09-15", "9月15日前"),
        ("2021-10-08", "10月8日前"),
        ("2021-09-15", "9月15日前"),  # written as a date; the default wording of that date
    ]


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_date_spelling_reads_back(day: dt.date) -> None:
    y, m, d = day.year, day.month, day.day
    for text in (
        f"{m}月{d}日前",
        f"{m}月{d}号前",
        f"{m}月{d}日前完成",
        f"{y}-{m}-{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}年{m}月{d}日",
        f"截至{m}月{d}日",
    ):
        assert parse_due(text, y) == day, text
    last = dt.date(y, m, calendar.monthrange(y, m)[1])
    assert parse_due(f"{m}月底前", y) == parse_due(f"{y}年{m}月底前", 1999) == last


@given(st.lists(st.tuples(st.integers(1, 500), st.integers(0, 30)), min_size=1, max_size=5))
def test_support_ranges_read_back(spans: list[tuple[int, int]]) -> None:
    text = "，".join(f"{a}—{a + n}" if n else str(a) for a, n in spans)
    want = {i for a, n in spans for i in range(a, a + n + 1)}
    assert parse_ranges(text) == want


@pytest.mark.parametrize("bad", ["", "5-", "x", "9-3", "1-200000"])
def test_unreadable_ranges(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_ranges(bad)


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("政务服务中心、审批服务科", ["政务服务中心", "审批服务科"]),
        ("万富春/高秀英", ["万富春", "高秀英"]),
        ("万富春／高秀英；万富春", ["万富春", "高秀英"]),
        ("审批监管科\n办公室", ["审批监管科", "办公室"]),
        ("政务服务中心", ["政务服务中心"]),
    ],
)
def test_cells_naming_several(cell: str, names: list[str]) -> None:
    assert split_names(cell) == names


def test_an_exported_table_gives_back_no_unassigned_section(run, tmp_path: Path) -> None:
    """The export writes 未指定科室 for an indicator with no section (82); read back by
    checklist-import that is still no section, not a section of that name."""
    import yaml

    assert run("export", "r.xlsx").exit_code == 0
    assert run("checklist-import", "r.xlsx", "--output", "new.yaml").exit_code == 0
    doc = yaml.safe_load((tmp_path / "new.yaml").read_text(encoding="utf-8"))
    assert next(i for i in doc["indicators"] if i["id"] == 82).get("section") is None
    assert "未指定科室" not in (tmp_path / "new.yaml").read_text(encoding="utf-8")


def test_control_characters_in_a_cell_are_taken_out_and_listed(run, tmp_path: Path) -> None:
    """A colour code or a bell pasted into a cell: YAML cannot hold it. Taken out, the
    cell named for review (not "生成的清单：YAML 格式错误" with no place, exit 4)."""
    (tmp_path / "t.txt").write_text(
        "题号\t二级指标\t三级指标\t责任领导\t责任科室\t完成时限\n"
        "1\t政务服务\t本地区\x1b[31m便民\x07服务中心数量（个）？\t万富春\t办公室\t2021-09-15\n"
        "2\t政务服务\t是否公开？\t万富春\t办公室\t2021-09-15\n",
        encoding="utf-8",
    )
    result = run("checklist-import", "t.txt", "-o", "o.yaml", "--year", "2021")
    assert result.exit_code == 0, result.output
    assert "t.txt 第2行 C列（三级指标）：有不可见的控制字符 U+0007、U+001B" in result.output
    from evalcheck.model.loading import load_checklist

    text = load_checklist(tmp_path / "o.yaml").get(1).text
    assert text == "本地区[31m便民服务中心数量（个）？"


def test_invisible_characters_copied_from_a_web_page_are_left_out(run, tmp_path: Path) -> None:
    """A zero-width space after 办公室 in one row (and U+202E in a text) made a fifth
    section that looks like the first; the importer leaves such characters out."""
    text = seed_text().replace("办公室", "办公室\u200b", 1).replace("？", "？\u202e", 1)
    (tmp_path / "表.txt").write_text(text, encoding="utf-8")
    result = run("checklist-import", "表.txt", "-o", "new.yaml")
    assert result.exit_code == 0, result.output
    assert "4 个科室（政务服务中心、办公室、审批服务科、审批监管科）" in result.stdout
    written = (tmp_path / "new.yaml").read_text(encoding="utf-8")
    assert "\u200b" not in written and "\u202e" not in written


def test_a_year_in_the_tables_title_goes_to_the_year_not_the_title(run, tmp_path: Path) -> None:
    """'示例清单（2023年）': the exports add '（2023年）' to the title, which then read
    '示例清单（2023年）（2023年）'."""
    (tmp_path / "t.txt").write_text(
        "示例清单（2023年）\n二级指标\t题号\t三级指标\t责任领导\t责任科室\t完成时限\n"
        "政务服务便利度\t1\t本地区实体综合政务大厅窗口的总数？\t万富春\t政务服务中心\t9月15日前\n",
        encoding="utf-8",
    )
    assert run("checklist-import", "t.txt", "-o", "t.yaml").exit_code == 0
    cl = load_checklist(tmp_path / "t.yaml")
    assert (cl.title, cl.year) == ("示例清单", 2023)
    assert run("--checklist", "t.yaml", "export", "t.xlsx").exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert any(c.value == "示例清单（2023年）" for row in ws.iter_rows(max_row=3) for c in row)
