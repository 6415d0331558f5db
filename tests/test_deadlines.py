"""`overdue`, `status`, `remind`, with --today fixed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from evalcheck.answers.store import Answers
from evalcheck.errors import InputError
from evalcheck.state.deadlines import open_items, parse_today


@pytest.fixture()
def some_answers(run):
    run("answer", "47", "--value", "312")
    run("answer", "43", "--value", "是")
    run("answer", "109", "--na", "无")
    run("approve", "47", "109", "--by", "万富春")  # the bundled checklist has review on:
    run("approve", "43", "--by", "高秀英")  # an answer counts as done once approved
    return {47, 43, 109}


def one_yesno_checklist(tmp_path) -> object:
    """A checklist of one yes/no indicator, due 2021-09-15, for section 一科."""
    p = tmp_path / "c.yaml"
    p.write_text(
        "title: t\nyear: 2021\ndue: 2021-09-15\ncategories: [甲]\nindicators:\n"
        "  - {id: 1, category: 甲, text: 是否？, section: 一科, kind: yesno}\n",
        encoding="utf-8",
    )
    return p


def overdue_json(run, *args: str) -> dict:
    result = run("overdue", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_before_the_deadline_nothing_is_overdue_and_all_due_soon(run, some_answers) -> None:
    data = overdue_json(run, "--today", "2021-09-10", "--within", "7")
    assert data["overdue_count"] == 0 and data["overdue"] == []
    soon = [i["id"] for i in data["due_soon"]]
    assert sorted(soon) == sorted(set(range(1, 145)) - some_answers)
    assert {i["days_left"] for i in data["due_soon"]} == {5}


def test_window_excludes_later_deadlines(run) -> None:
    assert overdue_json(run, "--today", "2021-09-01", "--within", "7")["due_soon"] == []
    assert len(overdue_json(run, "--today", "2021-09-08", "--within", "7")["due_soon"]) == 144


def test_due_day_itself_is_not_overdue(run) -> None:
    data = overdue_json(run, "--today", "2021-09-15", "--within", "0")
    assert data["overdue_count"] == 0 and len(data["due_soon"]) == 144


def test_the_day_after_every_unanswered_is_one_day_overdue(run, some_answers) -> None:
    data = overdue_json(run, "--today", "2021-09-16")
    items = [i for g in data["overdue"] for i in g["items"]]
    assert sorted(i["id"] for i in items) == sorted(set(range(1, 145)) - some_answers)
    assert {i["days_overdue"] for i in items} == {1}
    assert data["overdue_count"] == 141 and data["due_soon"] == []


def test_grouped_by_section_with_unassigned_last(run, some_answers) -> None:
    data = overdue_json(run, "--today", "2021-09-20")
    sections = [g["section"] for g in data["overdue"]]
    assert sections == ["政务服务中心", "办公室", "审批服务科", "审批监管科", "未指定科室"]
    assert data["overdue"][-1] == {
        "section": "未指定科室",
        "count": 1,
        "items": [
            {
                "id": 82,
                "text": "本地区是否建立相关机制，在研究制定文件政策时充分听取企业、行业协会和群众意见？",
                "section": None,
                "owner": "万富春",
                "sections": [],
                "owners": ["万富春"],
                "due": "2021-09-15",
                "days_overdue": 5,
                "days_left": 0,
                "tier": "催办",  # overdue, not more than 7 days: the section is urged
            }
        ],
    }
    # no indicator of the bundled list has two sections: the groups add up to the total
    assert sum(g["count"] for g in data["overdue"]) == data["overdue_count"]


def test_most_overdue_first(tmp_path, run) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(
        "title: t\nyear: 2021\ncategories: [甲]\nindicators:\n"
        "  - {id: 1, category: 甲, text: a数？, section: 一科, kind: count, due: 2021-09-15}\n"
        "  - {id: 2, category: 甲, text: b数？, section: 一科, kind: count, due: 2021-09-01}\n"
        "  - {id: 3, category: 甲, text: c数？, section: 一科, kind: count, due: 2021-09-30}\n",
        encoding="utf-8",
    )
    result = run(
        "--checklist", str(p), "overdue", "--format", "json", "--today", "2021-09-20", "-w", "10"
    )
    data = json.loads(result.stdout)
    assert [(i["id"], i["days_overdue"]) for i in data["overdue"][0]["items"]] == [(2, 19), (1, 5)]
    assert [(i["id"], i["days_left"]) for i in data["due_soon"]] == [(3, 10)]


def test_filters_section_and_owner(run) -> None:
    data = overdue_json(run, "--today", "2021-09-16", "-s", "审批监管科", "-o", "高秀英")
    assert [i["id"] for g in data["overdue"] for i in g["items"]] == [43]
    bad = run("overdue", "-s", "监管科")
    assert bad.exit_code == 3 and "审批监管科" in bad.stderr


def test_table_output(run) -> None:
    out = run("overdue", "--today", "2021-09-16", "-s", "办公室").stdout
    assert out.startswith("截至 2021-09-16，共 10 项已逾期未填报：")
    assert "办公室（逾期 10 项）" in out
    assert "7 天内没有到期的未填报指标。" in out


def test_csv_output(run) -> None:
    out = run("overdue", "--today", "2021-09-16", "--format", "csv", "-o", "高秀英").stdout
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0][:3] == ["状态", "责任科室", "题号"]
    assert len(rows) == 1 + 15 and {r[0] for r in rows[1:]} == {"逾期"}


def test_fail_exits_with_findings_code_exactly_when_overdue(run) -> None:
    assert run("overdue", "--fail", "--today", "2021-09-15").exit_code == 0
    assert run("overdue", "--fail", "--today", "2021-09-16").exit_code == 1
    assert run("overdue", "--today", "2021-09-16").exit_code == 0  # without --fail
    run("answer", "82", "--value", "是")
    assert run("overdue", "--fail", "--today", "2021-09-16", "-s", "审批监管科").exit_code == 1


def test_fail_passes_once_everything_is_answered(run, tmp_path) -> None:
    p = one_yesno_checklist(tmp_path)
    assert run("--checklist", str(p), "overdue", "--fail", "--today", "2021-10-01").exit_code == 1
    run("--checklist", str(p), "answer", "1", "--value", "否")
    assert run("--checklist", str(p), "overdue", "--fail", "--today", "2021-10-01").exit_code == 0


def test_bad_today(run) -> None:
    result = run("overdue", "--today", "9月16日")
    assert result.exit_code == 2  # a malformed command line (docs/exit-codes.md)
    assert "--today 应为日期 YYYY-MM-DD" in result.stderr
    with pytest.raises(InputError):
        parse_today("2021-02-30")


def test_status_totals_add_up_and_agree_with_list(run, some_answers) -> None:
    data = json.loads(run("status", "--today", "2021-09-16", "--format", "json").stdout)
    assert data["total"] == {
        "name": "合计", "total": 144, "answered": 2, "na": 1, "computed": 0,
        "overdue": 141, "lacking": 2, "open": 141, "final": 3, "remaining": 141, "percent": 2.1, "pending": 0, "approved": 3, "returned": 0,
    }  # fmt: skip
    for key in ("section", "owner", "category"):
        for field in ("total", "answered", "na", "overdue", "lacking"):
            assert sum(g[field] for g in data[key]) == data["total"][field], (key, field)
    for g in data["section"]:
        args = ["--unassigned"] if g["name"] == "未指定科室" else ["-s", g["name"]]
        listed = run("list", *args).stdout.splitlines()[-1]
        assert listed == f"共 {g['total']} 项"
        answered = run("list", *args, "--status", "answered").stdout.splitlines()[-1]
        assert answered == f"共 {g['answered']} 项"
    for g in data["owner"]:
        assert run("list", "-o", g["name"]).stdout.splitlines()[-1] == f"共 {g['total']} 项"
    for n, g in enumerate(data["category"], start=1):
        assert run("list", "-c", str(n)).stdout.splitlines()[-1] == f"共 {g['total']} 项"


def test_status_text_has_bars_and_overall_line(run, some_answers) -> None:
    out = run("status", "--today", "2021-09-16").stdout
    assert "按责任科室" in out and "按责任领导" in out and "按二级指标" in out
    assert "审批监管科\t38\t1\t0\t0\t0\t1\t0\t37\t1\t2.6%\t█" in out  # 1 without 佐证材料
    assert "未指定科室\t1\t0\t0\t0\t0\t0\t0\t1\t0\t0%\t░" in out
    assert out.splitlines()[-1].startswith("合计：144 项，已完成（已审核） 3 项（2.1%）")


def test_derived_values_count_as_done(run) -> None:
    run("answer", "119", "--value", "200")
    run("answer", "120", "--value", "50")
    data = json.loads(run("status", "--today", "2021-09-16", "--format", "json").stdout)
    assert data["total"]["computed"] == 1  # 121 = 120 / 119 * 100
    items = overdue_json(run, "--today", "2021-09-16")["overdue"]
    assert 121 not in [i["id"] for g in items for i in g["items"]]


def test_remind_text(run, some_answers) -> None:
    result = run("remind", "--today", "2021-09-20", "-s", "审批监管科")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "【中卫市审批服务管理局营商环境测评指标责任清单·催办】"
    assert lines[1] == "审批监管科："
    assert lines[2] == (
        "截至2021年9月20日，贵科室负责的以下 37 项测评指标已逾期未填报（责任领导：万富春）："
    )
    assert (
        lines[3]
        == "1. 第84项 是否建立政务服务满意度调查机制，并纳入绩效考核？（责任领导：万富春，完成时限：9月15日，已逾期 5 天）"
    )
    assert len(lines) == 3 + 37 + 1 + 2  # the letter, a blank line, the counting rule
    assert lines[-1].startswith("完成按已审核计")
    assert "第43项" not in result.stdout  # answered


def test_remind_before_deadline_and_unassigned(run) -> None:
    out = run("remind", "--today", "2021-09-13").stdout
    assert "还剩 2 天" in out and "已逾期" not in out
    assert out.count("【中卫市审批服务管理局营商环境测评指标责任清单·提醒】") == 5
    assert "以下 1 项指标尚未指定责任科室" in out and "第82项" in out
    assert "今天到期" in run("remind", "--today", "2021-09-15", "-s", "办公室").stdout


def test_remind_nothing_open(run, tmp_path) -> None:
    p = one_yesno_checklist(tmp_path)
    run("--checklist", str(p), "answer", "1", "--value", "否")
    assert "无需提醒" in run("--checklist", str(p), "remind").stdout


def test_open_items_is_pure(checklist) -> None:
    empty = Answers(path=None, checklist_key=checklist.key)  # type: ignore[arg-type]
    items = open_items(checklist, empty, dt.date(2021, 9, 16))
    assert len(items) == 144 and all(o.days == 1 for o in items)
