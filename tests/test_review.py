"""Leaders sign off: review states, approve / return, deputies, errors, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from evalcheck.answers.review import Review, review_of
from evalcheck.answers.store import Answers, load_answers
from evalcheck.model.checklist import Checklist
from evalcheck.model.loading import bundled_checklist_path, load_checklist


def review_state(checklist: Checklist, ident: int, path: Path | None = None) -> Review | None:
    answers = load_answers(path or Path("answers.yaml"), checklist)
    return review_of(checklist, answers.state(ident))


def current(ident: int) -> dict:
    data = yaml.safe_load(Path("answers.yaml").read_text(encoding="utf-8"))
    return data["answers"][ident]


# ---------------------------------------------------------------- transitions


def test_an_answer_waits_for_review_and_approval_records_who_when_and_note(run, checklist) -> None:
    assert review_state(checklist, 47) is None
    run("answer", "47", "--value", "312", "--by", "张三")
    assert review_state(checklist, 47) is Review.PENDING
    result = run("approve", "47", "--by", "万富春", "--note", "已核对台账")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "第47项 已审核通过（万富春）：312 个",
        "共审核通过 1 项。如需撤销：evalcheck undo",
    ]
    assert review_state(checklist, 47) is Review.APPROVED
    cur = current(47)
    assert (cur["value"], cur["by"], cur["action"], cur["review"]) == (312, "张三", "approve",
                                                                       "approved")  # fmt: skip
    assert (cur["reviewer"], cur["comment"]) == ("万富春", "已核对台账")
    assert cur["reviewed_at"][:4].isdigit() and "signed_for" not in cur


@pytest.mark.parametrize(
    "change",
    [
        ["--value", "320"],
        ["--na", "本地无此业务"],
        ["--value", "312", "--note", "补充说明"],
        ["--value", "312", "--evidence", "台账.xlsx"],
    ],
)
def test_any_change_to_an_approved_answer_makes_it_pending(run, checklist, change) -> None:
    Path("台账.xlsx").write_bytes(b"PK")  # evidence files are copied into the store
    run("answer", "47", "--value", "312")
    run("approve", "47", "--by", "万富春")
    assert run("answer", "47", *change).exit_code == 0
    assert review_state(checklist, 47) is Review.PENDING


def test_the_same_answer_again_keeps_the_approval(run, checklist) -> None:
    run("answer", "47", "--value", "312")
    run("approve", "47", "--by", "万富春")
    assert "未变化" in run("answer", "47", "--value", "312").stdout
    assert review_state(checklist, 47) is Review.APPROVED


def test_clearing_an_approved_answer_leaves_nothing_to_review(run, checklist) -> None:
    run("answer", "47", "--value", "312")
    run("approve", "47", "--by", "万富春")
    run("answer", "47", "--clear")
    assert review_state(checklist, 47) is None


def test_a_return_needs_a_reason_and_a_resubmission_makes_it_pending(run, checklist) -> None:
    run("answer", "47", "--value", "312")
    result = run("return", "47", "--reason", "与台账不符，请核实", "--by", "万富春")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "第47项 已退回（万富春）：312 个；原因：与台账不符，请核实。请政务服务中心重新填报"
    )
    assert review_state(checklist, 47) is Review.RETURNED
    assert current(47)["comment"] == "与台账不符，请核实"
    # the section answers the same number again: that is a resubmission, pending again
    result = run("answer", "47", "--value", "312", "--note", "已核实")
    assert review_state(checklist, 47) is Review.PENDING


@pytest.mark.parametrize("again", [["--value", "312"], ["--value", "300"], ["--na", "无此业务"]])
def test_any_new_answer_after_a_return_is_pending(run, checklist, again) -> None:
    run("answer", "47", "--value", "312")
    run("return", "47", "--reason", "请核实", "--by", "万富春")
    assert run("answer", "47", *again).exit_code == 0
    assert review_state(checklist, 47) is Review.PENDING


def test_a_leader_may_return_an_approved_answer(run, checklist) -> None:
    run("answer", "47", "--value", "312")
    run("approve", "47", "--by", "万富春")
    assert run("return", "47", "--reason", "复查发现错误", "--by", "万富春").exit_code == 0
    assert review_state(checklist, 47) is Review.RETURNED


def test_not_applicable_answers_are_reviewed_too(run, checklist) -> None:
    run("answer", "109", "--na", "本年度无其他创新举措")
    assert review_state(checklist, 109) is Review.PENDING
    assert "不适用（本年度无其他创新举措）" in run("approve", "109", "--by", "万富春").stdout
    assert review_state(checklist, 109) is Review.APPROVED


# ---------------------------------------------------------------- undo


def test_undo_of_an_approval_makes_it_pending_again(run, checklist) -> None:
    run("answer", "47", "--value", "312")
    run("approve", "47", "--by", "万富春")
    result = run("undo")
    assert result.stdout.startswith("已撤销第47项的审核通过（第2次修改，万富春，")
    assert "312 个（已审核 → 待审核）" in result.stdout
    assert review_state(checklist, 47) is Review.PENDING


def test_undo_of_a_change_after_approval_restores_the_approval(run, checklist) -> None:
    run("answer", "47", "--value", "312")
    run("approve", "47", "--by", "万富春", "--note", "好")
    run("answer", "47", "--value", "320")
    result = run("undo")
    assert "320 个（待审核） → 312 个（已审核）" in result.stdout
    assert review_state(checklist, 47) is Review.APPROVED
    assert (current(47)["reviewer"], current(47)["comment"]) == ("万富春", "好")


def test_undo_of_a_return(run, checklist) -> None:
    run("answer", "47", "--value", "312")
    run("return", "47", "--reason", "请核实", "--by", "万富春")
    assert "312 个（已退回 → 待审核）" in run("undo").stdout
    assert review_state(checklist, 47) is Review.PENDING


def test_one_undo_reverts_a_whole_approve_all(run, checklist) -> None:
    for ident, value in (("21", "3"), ("69", "12"), ("43", "是")):  # 高秀英's
        run("answer", ident, "--value", value)
    run("answer", "47", "--value", "312")  # 万富春's: not touched
    result = run("approve", "--owner", "高秀英", "--all")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "第21项 已审核通过（高秀英）：3 个",
        "第43项 已审核通过（高秀英）：是",
        "第69项 已审核通过（高秀英）：12 个",
        "共审核通过 3 项。如需撤销：evalcheck undo",
    ]
    assert review_state(checklist, 47) is Review.PENDING
    assert "没有待审核的答案" in run("approve", "--owner", "高秀英", "--all").stdout
    undone = [line for line in run("undo").stdout.splitlines() if line.startswith("已撤销")]
    assert [line[:9] for line in undone] == [
        "已撤销第21项的审",
        "已撤销第43项的审",
        "已撤销第69项的审",
    ]
    assert {review_state(checklist, i) for i in (21, 43, 69)} == {Review.PENDING}


# ---------------------------------------------------------------- deputy


def test_a_deputy_may_approve_and_both_names_are_recorded(run, with_deputies) -> None:
    with_deputies({"高秀英": ["万富春"]})
    run("answer", "21", "--value", "3")  # 高秀英's indicator
    result = run("approve", "21", "--by", "万富春")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        "第21项 已审核通过（万富春）：3 个",
        "注意：第21项的责任领导是高秀英，由万富春代为审核（已同时记录两人姓名）",
    ]
    cur = current(21)
    assert (cur["reviewer"], cur["signed_for"]) == ("万富春", "高秀英")
    assert "\t万富春\t审核通过（代高秀英）\t3 个\t" in run("history", "21").stdout


# ---------------------------------------------------------------- errors: nothing written


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ([["answer", "47", "--clear"]], ["approve", "47", "--by", "万富春"],
         "第47项还没有填报，没有可审核的答案"),
        ([], ["approve", "133", "--by", "万富春"],
         "第133项按公式由第132项、第131项自动计算，不单独审核：审核第132项、第131项即可"),
        ([], ["return", "133", "--reason", "错", "--by", "万富春"], "不单独审核"),
        ([["approve", "47", "--by", "万富春"]], ["approve", "47", "--by", "万富春"],
         "第47项已由万富春于"),
        ([["return", "47", "--reason", "错", "--by", "万富春"]],
         ["approve", "47", "--by", "万富春"], "第47项已被万富春退回（错），需责任科室重新填报"),
        ([["return", "47", "--reason", "错", "--by", "万富春"]],
         ["return", "47", "--reason", "再退", "--by", "万富春"], "正等待重新填报"),
        ([], ["return", "47", "--by", "万富春"], "退回需要写明原因"),
        ([], ["return", "47", "--reason", "  ", "--by", "万富春"], "退回需要写明原因"),
        ([], ["return", "47", "--reason", "错"], "请用 --by 写明审核人姓名"),
        ([], ["approve", "47"], "请用 --by 写明审核人姓名"),
        ([], ["approve", "--all", "--by", "万富春"], "--all 需要和 --owner 一起用"),
        ([], ["approve", "47", "--owner", "万富春", "--all"], "题号和 --all 只能二选一"),
        ([], ["approve", "--by", "万富春"], "请给出题号"),
        ([], ["approve", "--owner", "万福春", "--all"], "未知的责任领导“万福春”，您是不是要找“万富春”"),
        ([], ["approve", "999", "--by", "万富春"], "没有第999项指标"),
    ],
)  # fmt: skip
def test_refused_sign_offs_write_nothing(run, setup, args, message) -> None:
    run("answer", "47", "--value", "312")
    for step in setup:
        assert run(*step).exit_code == 0
    before = Path("answers.yaml").read_bytes()
    result = run(*args)
    usage = ("退回需要写明原因", "--all 需要和", "题号和 --all", "请给出题号")  # the command line
    code = 2 if message.startswith(usage) else 3
    assert result.exit_code == code, result.output
    assert message in result.stderr
    # a usage error starts with the command's usage line, as Click's own (exit-codes.md)
    assert result.stderr.startswith(f"用法：evalcheck {args[0]} " if code == 2 else "错误：")
    assert Path("answers.yaml").read_bytes() == before


def test_one_refused_id_refuses_the_whole_approval(run) -> None:
    run("answer", "47", "--value", "312")
    run("answer", "16", "--value", "是")
    before = Path("answers.yaml").read_bytes()
    result = run("approve", "47", "30", "16", "31", "--by", "万富春")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "错误：有 2 项不能审核通过，未做任何修改：",
        "  - 第30项还没有填报，没有可审核的答案",
        "  - 第31项还没有填报，没有可审核的答案",
    ]
    assert Path("answers.yaml").read_bytes() == before


def test_with_review_off_nothing_of_it_appears(run, tmp_path: Path) -> None:
    text = (
        bundled_checklist_path()
        .read_text(encoding="utf-8")
        .replace("review: true", "review: false")
    )
    path = tmp_path / "noreview.yaml"
    path.write_text(text, encoding="utf-8")
    run("--checklist", str(path), "answer", "47", "--value", "312")
    result = run("--checklist", str(path), "approve", "47", "--by", "万富春")
    assert result.exit_code == 3 and "当前清单未开启审核" in result.stderr
    assert run("--checklist", str(path), "review").exit_code == 3
    assert review_of(load_checklist(path), load_answers(Path("answers.yaml"),
                                                        load_checklist(path)).state(47)) is None  # fmt: skip


def test_a_bad_review_flag_in_the_checklist_is_located(run, tmp_path: Path) -> None:
    text = (
        bundled_checklist_path().read_text(encoding="utf-8").replace("review: true", "review: 是")
    )
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    result = run("validate", "bad.yaml")
    assert result.exit_code == 4 and "字段 review：应为 true 或 false" in result.stdout


def test_a_hand_broken_review_mark_is_reported_with_its_line(run) -> None:
    run("answer", "47", "--value", "312")
    run("approve", "47", "--by", "万富春")
    path = Path("answers.yaml")
    text = path.read_text(encoding="utf-8").replace("review: approved", "review: ok")
    path.write_text(text, encoding="utf-8")
    result = run("show", "47")
    assert result.exit_code == 4
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "review: ok" in t)
    assert f"第{line}行" in result.stderr and "未知的审核状态 'ok'" in result.stderr


# ---------------------------------------------------------------- review listing


def test_review_lists_pending_answers_by_leader_with_evidence_and_findings(run) -> None:
    Path("a.pdf").write_bytes(b"a")
    Path("b.pdf").write_bytes(b"b")
    run("answer", "21", "--value", "3", "--by", "李四", "-e", "a.pdf", "-e", "b.pdf")
    run("answer", "131", "--value", "1000")
    run("answer", "132", "--value", "1200")
    run("answer", "47", "--value", "312")
    run("approve", "47", "--by", "万富春")
    out = run("review").stdout
    assert out.index("高秀英：待审核 1 项") < out.index("万富春：待审核 2 项") or (
        out.index("万富春：待审核 2 项") < out.index("高秀英：待审核 1 项")
    )
    lines = out.splitlines()
    row21 = next(line for line in lines if line.startswith("21\t")).split("\t")
    assert row21[2:4] == ["3 个", "李四"] and row21[5] == "2"
    row132 = next(line for line in lines if line.startswith("132\t")).split("\t")
    assert row132[6].startswith("错误（R132）：已汇聚至国家系统的监管对象数")
    assert not any(line.startswith("47\t") for line in lines)
    assert "共 3 项待审核" in out
    only = run("review", "--owner", "高秀英").stdout
    assert "高秀英：待审核 1 项" in only and "万富春" not in only


def test_review_json(run) -> None:
    import json

    Path("a.pdf").write_bytes(b"a")
    run("answer", "21", "--value", "3", "--by", "李四", "-e", "a.pdf")
    data = json.loads(run("review", "-f", "json").stdout)
    assert [(g["owner"], g["count"]) for g in data] == [("高秀英", 1)]
    item = data[0]["items"][0]
    assert (item["id"], item["value"], item["by"], item["evidence"]) == (21, 3, "李四", 1)


def test_review_with_nothing_pending(run) -> None:
    assert run("review").stdout.strip() == "没有等待审核的答案。"


# ---------------------------------------------------------------- a model of the transitions


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["set1", "set2", "na", "clear", "approve", "return", "undo"]),
                max_size=14))  # fmt: skip
def test_review_state_follows_a_simple_model(tmp_path_factory, ops) -> None:
    """Against a stack model: a change pushes a (content, review) version; undo pops one."""
    from evalcheck.answers.review import plan_signoffs
    from evalcheck.errors import InputError

    cl = load_checklist(bundled_checklist_path())
    ind = cl.get(47)
    answers = Answers(path=tmp_path_factory.mktemp("m") / "a.yaml", checklist_key=cl.key)
    model: list[tuple[object, Review | None]] = [(None, None)]
    for op in ops:
        content, review = model[-1]
        if op in ("set1", "set2", "na"):
            new = {"set1": 1, "set2": 2, "na": "na"}[op]
            if new == content and review is not Review.RETURNED:
                continue
            answers.apply(ind, value=None if new == "na" else new, na="无" if new == "na" else None,
                          by="x", action="na" if new == "na" else "set")  # fmt: skip
            model.append((new, Review.PENDING))
        elif op == "clear":
            if content is None:
                continue
            answers.clear(ind, by="x")
            model.append((None, None))
        elif op in ("approve", "return"):
            try:
                plan_signoffs(
                    cl, [(ind, answers.state(47))], action=op, reviewer="万富春",
                    authors={47: answers.author(47)},
                )  # fmt: skip
            except InputError:
                allowed = {"approve": [Review.PENDING],
                           "return": [Review.PENDING, Review.APPROVED]}[op]  # fmt: skip
                assert review not in allowed
                continue
            answers.sign(47, action=op, reviewer="万富春", comment="c", signed_for=None)
            model.append((content, Review.APPROVED if op == "approve" else Review.RETURNED))
        else:
            if len(model) == 1:
                continue
            answers.undo(by="x")
            model.pop()
        assert review_of(cl, answers.state(47)) is model[-1][1]
    # and the answers file keeps it all
    path = answers.path
    path.write_text(answers.to_text(), encoding="utf-8")
    assert load_answers(path, cl).to_data() == answers.to_data()


# ---------------------------------------------------------------- every view agrees


@pytest.fixture()
def reviewed(run):
    """4 answers of 万富春 and 2 of 高秀英: 2 approved, 1 returned, 3 pending."""
    for ident, value in (("47", "312"), ("16", "是"), ("30", "12"), ("109", None)):
        if value is None:
            run("answer", ident, "--na", "无")
        else:
            run("answer", ident, "--value", value)
    run("answer", "21", "--value", "3")
    run("answer", "43", "--value", "是")
    run("approve", "47", "109", "--by", "万富春")
    run("return", "21", "--reason", "不对", "--by", "高秀英")
    return {"pending": {16, 30, 43}, "approved": {47, 109}, "returned": {21}}


def test_status_export_json_and_list_agree_on_review_counts(run, reviewed) -> None:
    import json

    from .readback import CalamineWorkbook

    data = json.loads(run("status", "--today", "2021-09-16", "-f", "json").stdout)
    total = data["total"]
    assert (total["pending"], total["approved"], total["returned"]) == (3, 2, 1)
    assert total["answered"] + total["na"] == 6 and total["percent"] == round(100 * 2 / 144, 1)
    for key in ("section", "owner", "category"):
        for field in ("pending", "approved", "returned"):
            assert sum(g[field] for g in data[key]) == total[field]
    for state, ids in reviewed.items():
        listed = json.loads(run("list", "--status", state, "-f", "json").stdout)
        assert {i["id"] for i in listed} == ids
        assert {i["answer"]["review"]["state"] for i in listed} == {state}
    owners = {g["name"]: g for g in data["owner"]}
    assert (owners["高秀英"]["pending"], owners["高秀英"]["returned"]) == (1, 1)
    run("export", "report.xlsx", "--today", "2021-09-16")
    book = CalamineWorkbook.from_path("report.xlsx")
    sheet = book.get_sheet_by_name("测评指标").to_python()
    at = next(n for n, r in enumerate(sheet) if "题号" in r)  # the header row
    header, data = sheet[at], [r for r in sheet[at + 1 :] if isinstance(r[1], float)]
    col = header.index("审核状态")
    states = [r[col] for r in data]
    assert (states.count("待审核"), states.count("已审核"), states.count("已退回")) == (3, 2, 1)
    row21 = next(r for r in data if r[1] == 21)
    assert row21[col : col + 4][:2] == ["已退回", "高秀英"] and row21[col + 3] == "不对"
    summary = book.get_sheet_by_name("填报进度").to_python()
    total_row = next(r for r in summary if r[0] == "合计" and isinstance(r[1], float))
    assert total_row[9:12] == [3, 2, 1]  # 待审核 已审核 已退回
    assert total_row[6] == 138  # 未填报; the rest: 3 pending, 1 returned, 2 approved
    assert total["open"] == 138 and 138 + 3 + 1 + 2 == 144


def test_status_text_has_review_columns_and_line(run, reviewed) -> None:
    out = run("status", "--today", "2021-09-16").stdout
    assert "责任领导\t总数\t已填报\t不适用\t自动计算\t待审核\t已审核\t已退回\t逾期" in out
    assert out.splitlines()[-1] == (
        "合计：144 项，已完成（已审核） 2 项（1.4%）░░░░░░░░░░░░░░░░░░░░，未完成 142 项，"
        "其中逾期 138 项、待审核 3 项、已退回 1 项（截至 2021-09-16）"
    )


def test_show_has_the_review_state(run, reviewed) -> None:
    out = run("show", "21").stdout.splitlines()
    assert out[-4:-2] == ["审核状态：已退回", "审核人：高秀英"] and out[-1] == "退回原因：不对"
    assert run("show", "16").stdout.splitlines()[-1] == "审核状态：待审核（责任领导：万富春）"


def test_review_states_are_refused_in_list_when_review_is_off(run, tmp_path: Path) -> None:
    import json

    text = (
        bundled_checklist_path()
        .read_text(encoding="utf-8")
        .replace("review: true", "review: false")
    )
    path = tmp_path / "off.yaml"
    path.write_text(text, encoding="utf-8")
    run("--checklist", str(path), "answer", "47", "--value", "312")
    bad = run("--checklist", str(path), "list", "--status", "pending")
    assert bad.exit_code == 3 and "未知的填报状态“pending”" in bad.stderr
    shown = json.loads(run("--checklist", str(path), "show", "47", "-f", "json").stdout)
    assert "review" not in shown["answer"]
    status = run("--checklist", str(path), "status").stdout
    assert "待审核" not in status and "已完成 1 项" in status
    assert "审核状态" not in run("--checklist", str(path), "list").stdout


# ---------------------------------------------------------------- verdicts typed into a table


def _type_into(path: str, ident: int, header: str, text: str | None) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    at = next(r for r in ws.iter_rows() if any(c.value == "题号" for c in r))
    col = next(c.column for c in at if c.value == header)
    ident_col = next(c.column for c in at if c.value == "题号")
    row = next(r for r in range(at[0].row + 1, ws.max_row + 1)
               if ws.cell(r, ident_col).value == ident)  # fmt: skip
    ws.cell(row, col).value = text
    wb.save(path)


@pytest.mark.parametrize(
    ("ident", "header", "text", "exported"),
    [
        (16, "审核状态", "通过", "待审核"),  # a leader approving in the total table
        (47, "审核人", None, "万富春"),  # a verdict wiped
        (21, "审核意见", "可以", "不对"),
    ],
)
def test_a_verdict_typed_into_the_total_table_is_refused_not_dropped(
    run, reviewed, ident, header, text, exported
) -> None:
    run("export", "report.xlsx", "--today", "2021-09-16")
    _type_into("report.xlsx", ident, header, text)
    _type_into("report.xlsx", 30, "填报值", 13)  # a real change beside it is not written
    before = Path("answers.yaml").read_bytes()
    result = run("import", "report.xlsx")
    assert result.exit_code == 3, result.output
    assert f"（第{ident}项）：“{header}”是责任领导的审核结论，导入不会改它" in result.stderr
    assert f"导出时为“{exported}”" in result.stderr and "evalcheck approve" in result.stderr
    assert Path("answers.yaml").read_bytes() == before
    # exporting over it again would lose what was typed: refused without --force
    again = run("export", "report.xlsx", "--today", "2021-09-16")
    assert again.exit_code != 0 and f"（第{ident}项）：{header}已改动" in again.stderr


def test_untouched_verdicts_and_a_form_import_as_before(run, reviewed) -> None:
    run("export", "--split", "forms", "--today", "2021-09-16")
    form = next(Path("forms").glob("*政务服务中心*"))
    _type_into(str(form), 47, "备注", "已核对")  # 47 approved: its verdict cells untouched
    result = run("import", str(form))
    assert result.exit_code == 0, result.output
    assert current(47)["note"] == "已核对"
    _type_into(str(form), 109, "审核状态", "已退回")
    refused = run("import", str(form))
    assert refused.exit_code == 3 and "“审核状态”是责任领导的审核结论" in refused.stderr


def test_a_long_verdict_changed_in_a_table_is_described_not_digested(run, reviewed) -> None:
    """The 原值 keeps a text over 1,000 characters as its digest: the refusal says it was a
    long text (and where to copy it from), not 'sha256:…'."""
    run("return", "16", "--reason", "请核实" * 400, "--by", "万富春")
    run("export", "report.xlsx", "--today", "2021-09-16")
    _type_into("report.xlsx", 16, "审核意见", "改短了")
    result = run("import", "report.xlsx")
    assert (
        result.exit_code == 3
        and "导出时是一段长文字，可从 evalcheck show 题号 复制" in result.stderr
    )
    assert "sha256:" not in result.stderr


def test_history_says_when_a_change_undid_a_verdict(run, tmp_path) -> None:
    """A new value, evidence added, a clear or an undo after a verdict: history's 备注 says
    what became of it ('审核状态：已审核 → 待审核'); an approval shows its 说明."""
    run("answer", "16", "--value", "是", "--by", "王芳")
    run("approve", "16", "--by", "万富春")
    (tmp_path / "a.png").write_bytes(b"x")
    assert run("evidence", "add", "16", str(tmp_path / "a.png"), "--by", "王芳").exit_code == 0
    run("return", "16", "--by", "万富春", "--reason", "请补充")
    run("answer", "16", "--clear", "--by", "王芳")
    lines = [line.split("\t") for line in run("history", "16").stdout.splitlines()[2:-1]]
    notes = [(line[3], line[5]) for line in lines]
    assert notes == [
        ("填报", ""),
        ("审核通过", ""),
        ("佐证材料", "审核状态：已审核 → 待审核"),
        ("退回", "退回原因：请补充"),
        ("清除", "审核状态：已退回 → 未填报"),
    ]
    run("answer", "131", "--value", "1000", "--by", "王芳")
    run("answer", "132", "--value", "1200", "--by", "王芳")
    assert run("approve", "132", "--by", "万富春", "--explain", "口径不同").exit_code == 0
    last = run("history", "132").stdout.splitlines()[-2].split("\t")
    assert (last[3], last[5]) == ("审核通过", "已说明：口径不同")
    run("undo")
    last = run("history", "132").stdout.splitlines()[-2].split("\t")
    assert last[3].startswith("撤销") and last[5] == "审核状态：已审核 → 待审核"
    # an undo that brings a verdict back says so too; a sign-off shows only its own words
    run("answer", "47", "--value", "312", "--by", "王芳", "--note", "按台账")
    run("approve", "47", "--by", "万富春")
    run("answer", "47", "--value", "400", "--by", "王芳")
    run("undo")
    rows = [line.split("\t") for line in run("history", "47").stdout.splitlines()[2:-1]]
    assert [(r[3][:2], r[5]) for r in rows][1:] == [
        ("审核", ""),
        ("填报", "按台账；审核状态：已审核 → 待审核"),
        ("撤销", "按台账；审核状态：待审核 → 已审核"),
    ]
