"""Escalating reminders: each tier on a fixed state, with its wording and addressee."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalcheck.answers.tiers import Thresholds, Tier, tier_of

CHECKLIST = """\
title: 测试清单
year: 2021
due: 2021-09-15
review: true
categories: [甲类]
sections: [一科, 二科]
owners: [张局, 李局]
indicators:
- {id: 1, category: 甲类, text: 一号数？, owner: 张局, section: 一科, kind: count}
- {id: 2, category: 甲类, text: 二号数？, owner: 李局, section: 一科, kind: count, due: 2021-09-10}
- {id: 3, category: 甲类, text: 三号数？, owner: 张局, section: 二科, kind: count, due: 2021-09-30}
- {id: 4, category: 甲类, text: 四号数？, owner: 张局, section: 二科, kind: count}
- {id: 5, category: 甲类, text: 五号数？, owner: 李局, section: 一科, kind: count}
- {id: 6, category: 甲类, text: 六号数？, owner: 张局, section: 一科, kind: count}
- {id: 7, category: 甲类, text: 七号数？, owner: 张局, section: 二科, kind: count}
"""

# 4: returned on 9-16; 5: waiting for review since 9-10; 6: since 9-19; 7: approved
ANSWERS = """\
format: 1
checklist: {title: 测试清单, year: 2021}
answers:
  4:
    value: 40
    by: 王五
    at: '2021-09-14T10:00:00+08:00'
    seq: 4
    action: return
    review: returned
    reviewer: 张局
    reviewed_at: '2021-09-16T09:00:00+08:00'
    comment: 与台账不符
    history:
    - {value: 40, by: 王五, at: '2021-09-14T10:00:00+08:00', seq: 1, action: set}
  5: {value: 50, by: 赵六, at: '2021-09-10T10:00:00+08:00', seq: 2, action: set}
  6: {value: 60, by: 赵六, at: '2021-09-19T10:00:00+08:00', seq: 3, action: set}
  7:
    value: 70
    by: 王五
    at: '2021-09-12T10:00:00+08:00'
    seq: 6
    action: approve
    review: approved
    reviewer: 张局
    reviewed_at: '2021-09-13T10:00:00+08:00'
    history:
    - {value: 70, by: 王五, at: '2021-09-12T10:00:00+08:00', seq: 5, action: set}
"""

HEAD = "【测试清单·{}】"
SEP = "\n\n" + "-" * 40 + "\n\n"


@pytest.fixture()
def fixed(run, tmp_path: Path):
    (tmp_path / "c.yaml").write_text(CHECKLIST, encoding="utf-8")
    (tmp_path / "answers.yaml").write_text(ANSWERS, encoding="utf-8")

    def remind(*args: str) -> str:
        result = run("--checklist", "c.yaml", "remind", "--today", "2021-09-20", *args)
        assert result.exit_code == 0, result.output
        letters, rule = result.stdout.rstrip("\n").rsplit("\n\n", 1)  # the counting rule last
        assert rule.startswith("完成按已审核计"), rule
        return letters

    return remind


LATE = "\n".join([
    HEAD.format("催办"),
    "一科：",
    "截至2021年9月20日，贵科室负责的以下 1 项测评指标已逾期未填报（责任领导：张局）：",
    "1. 第1项 一号数？（责任领导：张局，完成时限：9月15日，已逾期 5 天）",
    "请尽快填报，并向责任领导报告进度（evalcheck answer 题号 --value 值，或填写科室表格后交回）。谢谢！",
])  # fmt: skip
REDO_ER = "\n".join([
    HEAD.format("退回重填"),
    "二科：",
    "截至2021年9月20日，贵科室负责的以下 1 项测评指标的答案已被退回，请按退回意见核实后重新填报：",
    "1. 第4项 四号数？（原填报值：40；张局于9月16日退回，原因：与台账不符；完成时限：9月15日，"
    "已逾期 5 天）",
    "请核实后重新填报（evalcheck answer 题号 --value 值，或填写科室表格后交回），"
    "重新填报后交责任领导再次审核。谢谢！",
])  # fmt: skip
ESCALATE_ZHANG = "\n".join([
    HEAD.format("督办"),
    "张局同志：",
    "截至2021年9月20日，您负责的以下 1 项测评指标逾期超过 7 天仍未填报，或被退回后尚未重新填报，"
    "请督促责任科室办理：",
    "1. 第4项 四号数？（二科，9月16日被退回：与台账不符；尚未重新填报）",
    "请督促责任科室尽快办理（进度：evalcheck status；逾期：evalcheck overdue）。",
])  # fmt: skip
ESCALATE_LI = "\n".join([
    HEAD.format("督办"),
    "李局同志：",
    "截至2021年9月20日，您负责的以下 1 项测评指标逾期超过 7 天仍未填报，或被退回后尚未重新填报，"
    "请督促责任科室办理：",
    "1. 第2项 二号数？（一科，完成时限：9月10日，已逾期 10 天）",
    "请督促责任科室尽快办理（进度：evalcheck status；逾期：evalcheck overdue）。",
])  # fmt: skip
REVIEW_LI = "\n".join([
    HEAD.format("待审核"),
    "李局同志：",
    "截至2021年9月20日，以下 1 项答案等待您审核已超过 3 天：",
    "1. 第5项 五号数？（填报值：50；一科 赵六 9月10日填报，已等待 10 天）",
    "请审核：evalcheck review --owner 李局；通过：evalcheck approve 题号 --by 李局；"
    "退回：evalcheck return 题号 --reason 原因 --by 李局（也可用 evalcheck export --review 导出审核表）。",
])  # fmt: skip


def test_every_tier_with_its_addressee(fixed) -> None:
    assert fixed() == SEP.join([LATE, REDO_ER, ESCALATE_ZHANG, ESCALATE_LI, REVIEW_LI])


def test_the_soon_window_reaches_a_later_deadline(fixed) -> None:
    assert fixed("--tier", "提醒") == "所选范围内没有需要提醒的事项，无需提醒。"
    assert fixed("--tier", "提醒", "--soon", "10") == "\n".join([
        HEAD.format("提醒"),
        "二科：",
        "截至2021年9月20日，贵科室负责的以下 1 项测评指标即将到期，尚未填报：",
        "1. 第3项 三号数？（责任领导：张局，完成时限：9月30日，还剩 10 天）",
        "请按时填报（evalcheck answer 题号 --value 值，或填写科室表格后交回）。谢谢！",
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tier", "催办"], [LATE]),
        (["--tier", "urge"], [LATE]),
        (["--tier", "督办"], [ESCALATE_ZHANG, ESCALATE_LI]),
        (["--tier", "待审核"], [REVIEW_LI]),
        (["--tier", "督办", "--tier", "review"], [ESCALATE_ZHANG, ESCALATE_LI, REVIEW_LI]),
        (["--owner", "李局"], [ESCALATE_LI, REVIEW_LI]),
        (["--section", "二科"], [REDO_ER, ESCALATE_ZHANG]),
        (["--tier", "退回重填"], [REDO_ER]),
        (["--tier", "redo"], [REDO_ER]),
        (["--to", "二科"], [REDO_ER]),
        (["--to", "张局"], [ESCALATE_ZHANG]),
        (["--to", "二科", "--to", "李局"], [REDO_ER, ESCALATE_LI, REVIEW_LI]),
    ],
)
def test_tier_and_filters_select(fixed, args, expected) -> None:
    assert fixed(*args) == SEP.join(expected)


def test_thresholds_move_items_between_tiers(fixed) -> None:
    # M = 3: item 1 (5 days late) is now the leader's; K = 0: item 6 (1 day) waits too long
    out = fixed("--escalate", "3", "--review-days", "0")
    assert "催办" not in out.split("\n")[0]
    assert "1. 第1项 一号数？（一科，完成时限：9月15日，已逾期 5 天）" in out
    assert "第6项 六号数？（填报值：60；一科 赵六 9月19日填报，已等待 1 天）" in out
    # M = 10: item 2 (10 days late) is not over it: back to the section
    assert "第2项 二号数？（责任领导：李局，完成时限：9月10日，已逾期 10 天）" in fixed(
        "--escalate", "10", "--tier", "催办"
    )


def test_a_resubmitted_answer_leaves_the_escalation(fixed, run) -> None:
    run("--checklist", "c.yaml", "answer", "4", "--value", "41")
    assert "第4项" not in fixed("--tier", "督办")


def test_unknown_tier(fixed, run) -> None:
    result = run("--checklist", "c.yaml", "remind", "--tier", "警告")
    assert result.exit_code == 2
    assert (
        "未知的提醒级别“警告”（可选：提醒（remind）、催办（urge）、退回重填（redo）、督办（supervise）、"
        "待审核（review））" in (result.stderr)
    )


def test_overdue_marks_the_tier_of_each_item(fixed, run) -> None:
    result = run("--checklist", "c.yaml", "overdue", "--today", "2021-09-20", "-w", "10",
                 "-f", "json")  # fmt: skip
    data = json.loads(result.stdout)
    tiers = {i["id"]: i["tier"] for g in data["overdue"] for i in g["items"]}
    assert tiers == {1: "催办", 2: "督办"}
    assert [(i["id"], i["tier"]) for i in data["due_soon"]] == [(3, None)]  # 10 days > N = 7
    text = run("--checklist", "c.yaml", "overdue", "--today", "2021-09-20").stdout
    assert "2\t二号数？\t李局\t2021-09-10\t10\t督办" in text
    assert "1\t一号数？\t张局\t2021-09-15\t5\t催办" in text
    csv_out = run("--checklist", "c.yaml", "overdue", "--today", "2021-09-20", "-f", "csv").stdout
    # review on: who returned an answer and why, after 级别 (blank for the other rows)
    header, *rows = csv_out.splitlines()
    assert header.endswith(",级别,退回人,退回原因")
    assert next(r for r in rows if r.startswith("已退回待重填")).split(",")[-2] == "张局"


@pytest.mark.parametrize(
    ("open_", "days", "review", "waiting", "expected"),
    [
        (True, -8, None, 0, None),
        (True, -7, None, 0, Tier.SOON),
        (True, 0, None, 0, Tier.SOON),
        (True, 1, None, 0, Tier.LATE),
        (True, 7, None, 0, Tier.LATE),
        (True, 8, None, 0, Tier.ESCALATE),
        (False, 30, None, 0, None),  # answered, review off
        (False, 30, "approved", 99, None),
        (False, -30, "returned", 0, Tier.ESCALATE),
        (False, 30, "pending", 3, None),
        (False, 30, "pending", 4, Tier.REVIEW),
    ],
)
def test_tier_boundaries(open_, days, review, waiting, expected) -> None:
    from evalcheck.answers.review import Review

    got = tier_of(
        open_=open_,
        days=days,
        review=Review(review) if review else None,
        waiting=waiting,
        limits=Thresholds(),
    )
    assert got is expected


# ---------------------------------------------------------------- returned work reaches the section


def test_a_deputy_s_return_names_both_in_the_section_s_letter(fixed, tmp_path: Path) -> None:
    text = (tmp_path / "answers.yaml").read_text(encoding="utf-8")
    text = text.replace("    reviewer: 张局\n    reviewed_at: '2021-09-16", "    reviewer: 王副\n"
                        "    signed_for: 张局\n    reviewed_at: '2021-09-16", 1)  # fmt: skip
    (tmp_path / "answers.yaml").write_text(text, encoding="utf-8")
    assert "王副（代张局）于9月16日退回，原因：与台账不符" in fixed("--to", "二科")


def test_remind_output_writes_one_file_per_recipient(fixed, run, tmp_path: Path) -> None:
    result = run("--checklist", "c.yaml", "remind", "--today", "2021-09-20", "--output", "提醒")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:-1] == [
        "已生成 提醒/2021测评提醒_一科.txt（收件人：一科；催办）",
        "已生成 提醒/2021测评提醒_二科.txt（收件人：二科；退回重填）",
        "已生成 提醒/2021测评提醒_张局.txt（收件人：张局；督办）",
        "已生成 提醒/2021测评提醒_李局.txt（收件人：李局；督办、待审核）",
        "共 4 份提醒文件，每位收件人一份。",
    ]
    assert result.stdout.splitlines()[-1].startswith("完成按已审核计")  # the counting rule
    folder = tmp_path / "提醒"

    def read(name: str) -> str:
        return (folder / name).read_text(encoding="utf-8-sig").replace("\r\n", "\n").rstrip("\n")

    assert read("2021测评提醒_一科.txt") == LATE
    assert read("2021测评提醒_二科.txt") == REDO_ER
    assert read("2021测评提醒_李局.txt") == SEP.join([ESCALATE_LI, REVIEW_LI])
    assert (folder / "2021测评提醒_二科.txt").read_bytes().startswith(b"\xef\xbb\xbf")

    # written again: refused without --force, every file named, nothing changed
    (folder / "2021测评提醒_二科.txt").write_text("科室的笔记", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    again = run("--checklist", "c.yaml", "remind", "--today", "2021-09-20", "--output", "提醒")
    assert again.exit_code == 3
    assert again.stderr.splitlines()[0] == (
        "错误：以下提醒文件已存在，未做任何修改；确认要覆盖请加 --force（或换一个文件夹）："
    )
    assert "  - 提醒/2021测评提醒_二科.txt" in again.stderr.splitlines()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    forced = run("--checklist", "c.yaml", "remind", "--today", "2021-09-20", "--output", "提醒",
                 "--force")  # fmt: skip
    assert forced.exit_code == 0 and read("2021测评提醒_二科.txt") == REDO_ER


def test_remind_output_for_one_recipient(fixed, run, tmp_path: Path) -> None:
    result = run("--checklist", "c.yaml", "remind", "--today", "2021-09-20", "--to", "二科",
                 "--output", "提醒")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "提醒").iterdir()] == ["2021测评提醒_二科.txt"]


def test_remind_output_never_lands_in_the_evidence_store(fixed, run, tmp_path: Path) -> None:
    (tmp_path / "佐证材料").mkdir()
    result = run("--checklist", "c.yaml", "remind", "--today", "2021-09-20", "--output",
                 "佐证材料", "--force")  # fmt: skip
    assert result.exit_code == 3 and "佐证材料库" in result.stderr
    assert list((tmp_path / "佐证材料").iterdir()) == []


def test_remind_output_onto_a_file_is_refused(fixed, run, tmp_path: Path) -> None:
    before = (tmp_path / "answers.yaml").read_bytes()
    result = run("--checklist", "c.yaml", "remind", "--output", "answers.yaml", "--force")
    assert result.exit_code == 3
    assert "answers.yaml 已存在且是文件，不是文件夹" in result.stderr
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_an_unknown_recipient_is_refused_with_a_hint(fixed, run) -> None:
    result = run("--checklist", "c.yaml", "remind", "--to", "二")
    assert result.exit_code == 3
    assert "未知的收件人“二”" in result.stderr and "一科、二科、张局、李局" in result.stderr


def test_overdue_lists_returned_items_past_due_as_their_own_group(fixed, run) -> None:
    args = ("--checklist", "c.yaml", "overdue", "--today", "2021-09-20")
    text = run(*args).stdout
    assert "已退回待重填（已过完成时限 1 项）" in text
    assert "4\t四号数？\t二科\t2021-09-15\t5\t张局\t与台账不符" in text
    data = json.loads(run(*args, "-f", "json").stdout)
    assert data["overdue_count"] == 2 and data["returned_count"] == 1
    (item,) = data["returned"]
    assert (item["id"], item["returned_by"], item["reason"], item["days_overdue"]) == (
        4, "张局", "与台账不符", 5)  # fmt: skip
    rows = run(*args, "-f", "csv").stdout.splitlines()
    assert any(r.startswith("已退回待重填,二科,4,四号数？,张局,2021-09-15,5,,") for r in rows)
    # before its deadline a returned item is not late
    early = run("--checklist", "c.yaml", "overdue", "--today", "2021-09-15")
    assert "已退回待重填" not in early.stdout
    # it counts for --fail, and a refill takes it out
    assert run(*args, "-s", "二科", "--fail").exit_code == 1
    run("--checklist", "c.yaml", "answer", "4", "--value", "41")
    assert "已退回待重填" not in run(*args).stdout


def test_an_undone_sign_off_does_not_restart_the_wait(fixed, run) -> None:
    """The wait counts from when the answer was filled: approving it and undoing that
    leaves it waiting as long as before (it dropped out of 待审核 as waiting 0 days)."""
    checklist = ["--checklist", "c.yaml"]
    assert run(*checklist, "approve", "5", "--by", "李局").exit_code == 0
    assert run(*checklist, "undo").exit_code == 0
    assert fixed("--tier", "待审核") == REVIEW_LI


def test_a_letter_the_run_did_not_rewrite_is_named_as_out_of_date(
    fixed, run, tmp_path: Path
) -> None:
    """Written again with --force after a recipient's last item was dealt with: its old
    letter is left alone (a person may keep it) and named as out of date."""
    base = ("--checklist", "c.yaml", "remind", "--today", "2021-09-20", "--output", "提醒")
    assert run(*base).exit_code == 0
    folder = tmp_path / "提醒"
    (folder / "2021测评提醒_王局.txt").write_text("上次的督办", encoding="utf-8")
    again = run(*base, "--force")
    assert again.exit_code == 0
    assert (
        "注意：文件夹中还有 1 份以前生成的提醒，这次没有更新（收件人现在没有要提醒的事项），"
        "内容已过时，可以删除：2021测评提醒_王局.txt" in again.stderr.replace("\n", "")
    )
    assert (folder / "2021测评提醒_王局.txt").read_text(encoding="utf-8") == "上次的督办"
    one = run(*base, "--force", "--to", "二科")  # one recipient asked for: nothing said
    assert one.exit_code == 0 and "以前生成的提醒" not in one.stderr
