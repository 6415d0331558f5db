"""Tables on a terminal at 60, 80 and 120 columns: nothing essential vanishes or is cut."""

from __future__ import annotations

import pytest

from evalcheck.views import render


@pytest.fixture()
def terminal(monkeypatch):
    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)

    def at(width: int) -> None:
        monkeypatch.setenv("EVALCHECK_WIDTH", str(width))

    return at


def lines_fit(out: str, width: int) -> None:
    for line in out.splitlines():
        assert render.text_width(line) <= width, line


@pytest.mark.parametrize("width", [60, 80, 120])
def test_list_keeps_id_text_and_value(run, terminal, width: int) -> None:
    run("answer", "47", "--value", "1234567")
    terminal(width)
    out = run("list", "-s", "政务服务中心").stdout
    lines_fit(out, width)
    header = out.splitlines()[1]
    for name in ("题号", "三级指标", "填报值"):
        assert name in header
    assert "1234567 个" in out  # the answer is never cut
    assert "共 81 项" in out
    if width >= 120:
        assert "责任领导" in header and "完成时限" in header
    if width == 60:
        assert "二级指标" not in header  # the least important columns go first


@pytest.mark.parametrize("width", [60, 80, 120])
def test_status_keeps_total_and_overdue(run, terminal, width: int) -> None:
    terminal(width)
    out = run("status", "--today", "2021-09-16").stdout
    lines_fit(out, width)
    header = next(x for x in out.splitlines() if "责任科室" in x and "总数" in x)
    for name in ("总数", "逾期", "完成率"):
        assert name in header
    assert "│   81 │" in out.replace("┃", "│")


@pytest.mark.parametrize("width", [60, 80])
def test_overdue_and_history_fit(run, terminal, width: int) -> None:
    run("answer", "47", "--value", "3", "--note", "含分项" * 10)
    run("answer", "47", "--value", "4")
    terminal(width)
    for args in (("overdue", "--today", "2021-09-16"), ("history", "47")):
        out = run(*args).stdout
        lines_fit(out, width)
        assert "题号" in out or "序号" in out


def test_fit_columns_drops_low_priority_first() -> None:
    from evalcheck.model.loading import bundled_checklist_path, load_checklist
    from evalcheck.views.columns import list_columns

    cols = list_columns(load_checklist(bundled_checklist_path()))
    cells = [
        ["47", "政务服务便利度", "x" * 40, "万富春", "政务服务中心", "2021-09-15", "1 个文件",
         "待审核", "已填报", "3 个"]  # 审核状态 before 状态: the bundled checklist has review on
    ]  # fmt: skip
    kept = [c.header for c in render.fit_columns(cols, cells, 60)]
    assert kept[0] == "题号" and "三级指标" in kept and "填报值" in kept
    assert "二级指标" not in kept
    assert [c.header for c in render.fit_columns(cols, cells, 200)] == [c.header for c in cols]


def test_unassigned_is_a_section_name_too(run, tmp_path) -> None:
    out = run("list", "-s", "未指定科室").stdout
    assert out.splitlines()[-1] == "共 1 项" and "\t未指定科室\t" in out
    result = run("export", "--split", "forms", "-s", "未指定科室")
    assert result.exit_code == 0
    assert [p.name for p in (tmp_path / "forms").iterdir()] == ["2021测评填报_未指定科室.xlsx"]
