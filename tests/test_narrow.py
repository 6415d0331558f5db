"""Narrow terminals say what they hide: one line names the dropped columns and how to see them.

Rendered screens at 60, 80 and 120 columns for list, status, overdue, history, rollup,
status --units, compare --units and review.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evalcheck.model.loading import bundled_checklist_path
from evalcheck.views import render

NOTE = re.compile(r"窄终端未显示：(?P<cols>[^；]+)；(?P<hint>[^；]*?查看)")


@pytest.fixture()
def terminal(monkeypatch):
    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)

    def at(width: int) -> None:
        monkeypatch.setenv("EVALCHECK_WIDTH", str(width))

    return at


def header_of(out: str, first: str) -> list[str]:
    line = next(x for x in out.splitlines() if x.startswith("┃") and first in x)
    return [c.strip() for c in line.strip("┃").split("┃")]


def notes(out: str) -> list[re.Match[str]]:
    """The notes, with a note that wrapped joined back into one line."""
    # a note that wrapped at a space lost that space: compare hints without spaces
    found = list(NOTE.finditer(out.replace("\n", "").replace(" ", "")))
    assert len(found) == out.count("窄终端未显示"), out
    return found


def hidden(out: str) -> list[str]:
    found = notes(out)
    assert len(found) <= 1, out  # one line per command
    if not found:
        return []
    cols = found[0]["cols"].split("、")
    return cols


def all_headers(out: str) -> set[str]:
    seen: set[str] = set()
    for line in out.splitlines():
        if line.startswith("┃"):
            seen.update(c.strip() for c in line.strip("┃").split("┃"))
    return seen


@pytest.mark.parametrize("width", [60, 80, 120])
def test_list_names_what_it_hides(run, terminal, width: int) -> None:
    run("answer", "16", "--value", "是")
    terminal(width)
    out = run("list", "-s", "办公室").stdout
    shown = header_of(out, "题号")
    gone = hidden(out)
    terminal(400)
    every = header_of(run("list", "-s", "办公室").stdout, "题号")
    # every column is either on the screen or named in the note, never silently gone
    assert sorted(shown + gone, key=every.index) == every
    if width == 60:
        assert "审核状态" in gone and "审核状态" not in shown
        assert notes(out)[0]["hint"] == "用-fcsv或加宽窗口查看"
    if width == 120:
        assert gone == ["二级指标"]


@pytest.mark.parametrize("width", [60, 200])
def test_a_value_says_its_stage_when_the_review_column_is_hidden(run, terminal, width) -> None:
    """At 60 columns 审核状态 gives way: 填报值 then says the stage in the cell, as an
    export does ('12 个（已退回）'); with room for 审核状态 the value stays plain."""
    run("answer", "30", "--value", "12", "--by", "王芳")
    assert run("return", "30", "--by", "万富春", "--reason", "请核实").exit_code == 0
    run("answer", "16", "--value", "是", "--by", "王芳")
    terminal(width)
    out = run("list", "-s", "办公室").stdout
    if width == 60:
        assert "审核状态" in hidden(out)
        cells = [c.strip() for line in out.splitlines() for c in line.split("│")]
        assert "12 个（已退回）" in cells and "是（待审核）" in cells
    else:
        cells = [c.strip() for line in out.splitlines() for c in line.split("│")]
        assert "12 个" in cells and "已退回" in cells and "是" in cells and "待审核" in cells
        assert not any("（已退回）" in c or "（待审核）" in c for c in cells)


def test_list_at_60_columns_the_note_is_the_last_line(run, terminal) -> None:
    terminal(60)
    out = run("list", "-s", "办公室").stdout
    assert "共 10 项" in out
    assert out.rstrip().replace("\n", "").replace(" ", "").endswith("用-fcsv或加宽窗口查看")
    for line in out.splitlines():
        assert render.text_width(line) <= 60, line


@pytest.mark.parametrize("width", [60, 80, 120])
def test_status_says_once_which_counts_it_hides(run, terminal, width: int) -> None:
    terminal(width)
    out = run("status", "--today", "2021-09-16").stdout
    gone = hidden(out)
    shown = all_headers(out)
    for name in ("不适用", "待审核", "已退回", "缺佐证"):
        assert name in shown or name in gone, (name, out)
    if gone:  # status has CSV, which carries every count
        assert notes(out)[0]["hint"] == "用-fcsv或加宽窗口查看"
        assert not set(gone) & shown  # a count shown in one of the tables is not "hidden"
    if width == 60:
        assert {"不适用", "待审核", "已退回", "缺佐证"} <= set(gone)


@pytest.mark.parametrize("width", [60, 80])
def test_overdue_names_hidden_columns_once_after_all_its_tables(run, terminal, width) -> None:
    terminal(width)
    out = run("overdue", "--today", "2021-09-16", "--within", "3").stdout
    gone = hidden(out)
    assert out.count("┏") > 1  # several tables, one note
    for name in ("责任领导", "完成时限", "逾期天数", "级别"):
        assert name in all_headers(out) or name in gone
    if width == 60:
        assert gone and "用 -f csv" in out.replace("\n", " ")


def test_overdue_with_a_returned_answer_keeps_who_and_why_in_one_note(run, terminal) -> None:
    """The 已退回待重填 group is there for who returned an answer and why: at 60 columns
    they stay and the other columns go, named with the rest in the one note at the end."""
    run("answer", "30", "--value", "12", "--by", "李四")
    run("return", "30", "--reason", "核实", "--by", "万富春")
    terminal(60)
    out = run("overdue", "--today", "2021-09-20", "-s", "办公室").stdout
    gone = hidden(out)  # one note
    assert out.rstrip().endswith("查看"), out  # at the end
    back = out[out.index("已退回待重填") :]
    assert {"退回人", "退回原因"} <= all_headers(back), out
    assert "完成时限" in gone
    csv = run("overdue", "--today", "2021-09-20", "-s", "办公室", "-f", "csv").stdout
    header, *rows = csv.splitlines()
    assert header.split(",")[-2:] == ["退回人", "退回原因"]
    assert any(r.startswith("已退回待重填") and r.endswith("万富春,核实") for r in rows), csv


def test_history_at_60_columns_names_time_and_note(run, terminal) -> None:
    run("answer", "47", "--value", "3", "--note", "按承诺时限合计")
    terminal(60)
    out = run("history", "47").stdout
    gone = hidden(out)
    for name in ("时间", "备注"):
        assert name in all_headers(out) or name in gone
    if gone:  # history has no --format: a wider window is the way
        assert notes(out)[0]["hint"] == "加宽窗口查看"
    # a short value does not hold the room: who and when stay at 60, the note too at 80
    assert {"时间", "操作人", "值"} <= all_headers(out), out
    terminal(80)
    assert {"时间", "操作人", "值", "备注"} <= all_headers(run("history", "47").stdout)


def test_a_wide_terminal_says_nothing(run, terminal) -> None:
    terminal(200)
    for args in (("list", "-s", "办公室"), ("status",), ("overdue",)):
        assert "窄终端" not in run(*args).stdout
    assert "窄终端" not in run("list", "-s", "办公室", "-f", "csv").stdout


def test_piped_output_never_has_the_note(run) -> None:
    out = run("list", "-s", "办公室").stdout  # not a terminal: tab-separated, every column
    assert "窄终端" not in out and "审核状态" in out.splitlines()[0]


@pytest.fixture()
def units_folder(tmp_path: Path, run) -> Path:
    text = bundled_checklist_path().read_text(encoding="utf-8")
    enabled = re.sub(r"^(\s*)# ((?:units|units_due|collect|rollup): )", r"\1\2", text, flags=re.M)
    (tmp_path / "indicators.yaml").write_text(enabled, encoding="utf-8")
    for unit, value in (("沙坡头区", "120"), ("中宁县", "80")):
        (tmp_path / "单位" / unit).mkdir(parents=True)
        answers = f"单位/{unit}/answers.yaml"
        assert run("--answers", answers, "answer", "69", "--value", value).exit_code == 0
    return tmp_path


@pytest.mark.parametrize("width", [60, 80, 120])
def test_rollup_names_rule_and_formula_when_it_hides_them(run, terminal, units_folder, width):
    terminal(width)
    out = run("--checklist", "indicators.yaml", "rollup", "69").stdout
    gone = hidden(out)
    shown = header_of(out, "题号")
    for name in ("汇总规则", "汇总值", "算式", "未报送单位"):
        assert name in shown or name in gone, (name, out)
    if width == 60:
        assert "汇总规则" in gone and "算式" in gone
    if width == 120:
        assert gone == []


@pytest.mark.parametrize("width", [60, 120])
def test_unit_tables_name_what_they_hide(run, terminal, units_folder, width) -> None:
    terminal(width)
    out = run("--checklist", "indicators.yaml", "compare", "--units").stdout
    gone = hidden(out)
    for name in ("沙坡头区", "中宁县", "海原县", "市本级", "汇总", "规则"):
        assert name in all_headers(out) or name in gone
    out = run("--checklist", "indicators.yaml", "status", "--units").stdout
    assert len(notes(out)) <= 1


def test_review_tables_share_one_note(run, terminal) -> None:
    for ident in ("16", "30", "43"):
        run("answer", ident, "--value", "是" if ident != "30" else "12", "--by", "张三")
    terminal(60)
    out = run("review").stdout
    assert out.count("┏") >= 2  # one table per leader
    gone = hidden(out)
    assert gone and notes(out)[0]["hint"] == "用-fjson或加宽窗口查看"


def test_review_at_60_columns_keeps_a_broken_rules_hint(run, terminal) -> None:
    """The leader of 131/132 must see that they break R132 before approving: the 规则提示
    column wraps narrow rather than go where it has something to say."""
    run("answer", "131", "--value", "1000", "--by", "王芳")
    run("answer", "132", "--value", "1200", "--by", "王芳")
    terminal(60)
    out = run("review", "--owner", "万富春").stdout
    assert "规则提示" in header_of(out, "题号") and "R132" in out.replace("\n", ""), out
    assert "规则提示" not in hidden(out)


def test_compare_keeps_both_values_at_60_columns(run, terminal, tmp_path, monkeypatch) -> None:
    """变化 is worked out from the two values: on a narrow terminal it gives way first."""
    from tests.nextyear import write_years

    old_cl, old_ans, new_cl = write_years(tmp_path / "years")
    monkeypatch.setenv("EVALCHECK_CHECKLIST", str(new_cl))
    assert (
        run("carry", "--from-checklist", str(old_cl), "--from-answers", str(old_ans)).exit_code == 0
    )
    run("answer", "1", "--value", "300")
    run("answer", "56", "--na", "本年度仍无此类业务")  # long values: 不适用（……）
    terminal(60)
    compared = run("compare").stdout
    headers = [ln for ln in compared.splitlines() if ln.startswith("┃")]
    assert headers and all("上年值" in h and "今年值" in h for h in headers), compared
    assert "│ 不适用（本年 │" in compared, compared  # this year's value, wrapped in its column
    listed = run("list", "--previous").stdout  # what was asked for stays, wrapped
    assert {"填报值", "上年值"} <= all_headers(listed), listed
    assert "变化" in hidden(compared)


def test_a_table_drawn_without_a_width_is_drawn_at_the_width_it_was_fitted_to(
    run, monkeypatch
) -> None:
    """Tables forced on (EVALCHECK_TABLE=rich) with no width given and no terminal: the
    columns are fitted to the fallback width and drawn at that width (rich alone drew 80
    columns, and the columns fitted to 100 lost their last cells without a note)."""
    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)
    monkeypatch.delenv("EVALCHECK_WIDTH", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(render, "_width", lambda: 100)  # what shutil falls back to
    run("answer", "16", "--value", "是")
    out = run("list", "-s", "办公室").stdout
    assert max(render.text_width(line) for line in out.splitlines()) > 80
    assert all(render.text_width(line) <= 100 for line in out.splitlines())
    shown = header_of(out, "题号")
    assert "填报值" in shown and "状态" in shown


@pytest.mark.parametrize("width", [60, 120])
def test_review_on_a_narrow_terminal_names_the_rule_not_its_sentence(run, terminal, width) -> None:
    """At 60 columns the whole R132 sentence wrapped into a 12-line row: there 规则提示 says
    which rule (错误（R132）) and where the sentence is; a wide terminal shows it whole."""
    run("answer", "131", "--value", "1000", "--by", "张三")
    run("answer", "132", "--value", "1200", "--by", "张三")
    terminal(width)
    out = run("review").stdout
    flat = out.replace("\n", "").replace(" ", "").replace("│", "")
    if width == 60:
        assert "错误（R132）" in flat and "不能多于" not in flat
        assert "规则提示只写了规则，全文见evalcheckcheck或加宽窗口" in flat
        for line in out.splitlines():
            assert render.text_width(line) <= 60, line
    else:
        assert "不能多于" in flat and "全文见" not in flat


def test_a_footer_under_a_table_breaks_as_chinese_text_does(run, terminal) -> None:
    """The line under the table is folded like the other prose: '共 1 项' never splits
    between the number and its measure word (rich's caption broke it at the space)."""
    run("answer", "16", "--value", "是", "--by", "王芳")
    run("approve", "16", "--by", "万富春")
    terminal(60)
    out = run("list", "--status", "final").stdout
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("共"))
    assert lines[at].startswith("共 1 项；完成按已审核计"), lines[at]
    assert all(render.text_width(line) <= 60 for line in lines)
