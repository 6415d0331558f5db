"""Who may sign (审核): the owners, their listed deputies; nobody signs their own answer."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml

from evalcheck.model.loading import bundled_checklist_path

GAO = "审核表/2021测评审核_高秀英.xlsx"


def current(ident: int) -> dict:
    return yaml.safe_load(Path("answers.yaml").read_text(encoding="utf-8"))["answers"][ident]


def fill(path: str, ident: int, decision: str, comment: str | None = None) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["审核"]
    col = {c.value: c.column for c in ws[2]}
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == ident)
    ws.cell(row, col["审核结论"]).value = decision
    ws.cell(row, col["审核意见"]).value = comment
    wb.save(path)


# ---------------------------------------------------------------- the checklist's schema


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("deputies: 张三", "字段 deputies：应为映射：责任领导 → 代签人姓名列表，例如 deputies: {万富春: [张三]}"),
        ("deputies:\n  万福春: [张三]", "字段 deputies.万福春：“万福春”不是清单中的责任领导（可选："),
        ("deputies:\n  万富春: []", "字段 deputies.万富春：应为代签人姓名，或姓名的列表"),
        ("deputies:\n  万富春: [张三, '']", "字段 deputies.万富春：应为代签人姓名，或姓名的列表"),
        ("deputies:\n  万富春: [万富春]", "字段 deputies.万富春：代签人不能是万富春本人"),
        ("deputies:\n  万富春: [张三, 张三]", "字段 deputies.万富春：代签人重复：张三"),
    ],
)  # fmt: skip
def test_a_bad_deputies_block_is_located(run, block: str, message: str) -> None:
    text = bundled_checklist_path().read_text(encoding="utf-8").rstrip()
    Path("bad.yaml").write_text(f"{text}\n{block}\n", encoding="utf-8")
    result = run("validate", "bad.yaml")
    assert result.exit_code == 4, result.output
    assert message in result.stdout


def test_deputies_as_a_single_name_or_a_list_are_valid(run) -> None:
    text = bundled_checklist_path().read_text(encoding="utf-8").rstrip()
    block = "deputies:\n  万富春: 张三\n  高秀英: [李四, 赵六]\n"
    Path("ok.yaml").write_text(f"{text}\n{block}", encoding="utf-8")
    assert run("validate", "ok.yaml").exit_code == 0


# ---------------------------------------------------------------- approve / return


def test_a_listed_deputy_signs_for_the_owner_and_both_names_are_shown(run, with_deputies) -> None:
    with_deputies({"万富春": ["张三"]})
    run("answer", "47", "--value", "312", "--by", "李四")
    result = run("approve", "47", "--by", "张三")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "第47项 已审核通过（张三）：312 个",
        "注意：第47项的责任领导是万富春，由张三代为审核（已同时记录两人姓名）",
        "共审核通过 1 项。如需撤销：evalcheck undo",
    ]
    cur = current(47)
    assert (cur["reviewer"], cur["signed_for"]) == ("张三", "万富春")
    assert "审核人：张三（代万富春）" in run("show", "47").stdout.replace(" ", "")
    assert "\t张三\t审核通过（代万富春）\t312 个\t" in run("history", "47").stdout


def test_the_owner_signs_in_their_own_name(run, with_deputies) -> None:
    with_deputies({"万富春": ["张三"]})
    run("answer", "47", "--value", "312", "--by", "李四")
    assert run("approve", "47", "--by", "万富春").exit_code == 0
    assert "signed_for" not in current(47)


@pytest.mark.parametrize("action", ["approve", "return"])
def test_someone_neither_owner_nor_deputy_is_refused_and_nothing_is_written(
    run, with_deputies, action: str
) -> None:
    with_deputies({"万富春": ["张三"]})
    run("answer", "47", "--value", "312", "--by", "李四")
    before = Path("answers.yaml").read_bytes()
    extra = ["--reason", "不对"] if action == "return" else []
    result = run(action, "47", "--by", "赵六", *extra)
    assert result.exit_code == 3, result.output
    what = "审核通过" if action == "approve" else "退回"
    assert result.stderr.splitlines() == [
        f"错误：未{what}任何指标：赵六不能审核第47项：只有责任领导万富春或登记的代签人张三（代万富春）"
        "可以审核。如需他人代签，请在清单的 deputies 中登记，例如 deputies: {万富春: [赵六]}"
    ]
    assert Path("answers.yaml").read_bytes() == before


def test_another_leader_is_no_deputy_unless_listed(run) -> None:
    run("answer", "18", "--value", "否", "--by", "李四")  # 高秀英's
    before = Path("answers.yaml").read_bytes()
    result = run("approve", "18", "--by", "万富春")
    assert result.exit_code == 3
    assert "只有责任领导高秀英（清单中没有为其登记代签人）可以审核" in result.stderr
    assert Path("answers.yaml").read_bytes() == before


@pytest.mark.parametrize("action", ["approve", "return"])
def test_nobody_signs_an_answer_they_filled(run, with_deputies, action: str) -> None:
    with_deputies({"万富春": ["李四"]})
    run("answer", "30", "--value", "5", "--by", "李四")
    before = Path("answers.yaml").read_bytes()
    extra = ["--reason", "不对"] if action == "return" else []
    result = run(action, "30", "--by", "李四", *extra)
    assert result.exit_code == 3, result.output
    what = "审核通过" if action == "approve" else "退回"
    assert result.stderr.splitlines() == [
        f"错误：未{what}任何指标：第30项的当前答案是李四本人填报的，不能由本人{what}"
        "（请由其他审核人审核）"
    ]
    assert Path("answers.yaml").read_bytes() == before
    # the owner filling their own item cannot approve it either
    run("answer", "47", "--value", "312", "--by", "万富春")
    assert run("approve", "47", "--by", "万富春").exit_code == 3


def test_an_imported_version_is_the_importer_s(run, with_deputies) -> None:
    """The import's --by is the author of the versions it writes."""
    with_deputies({"万富春": ["李四"]})
    assert run("export", "--split", "表", "--section", "政务服务中心").exit_code == 0
    form = next(Path("表").glob("*.xlsx"))
    wb = openpyxl.load_workbook(form)
    ws = wb["测评指标"]
    header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
    col = {c.value: c.column for c in ws[header]}
    row = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, col["题号"]).value == 47)
    ws.cell(row, col["填报值"]).value = 312
    wb.save(form)
    assert run("import", str(form), "--by", "李四").exit_code == 0
    result = run("approve", "47", "--by", "李四")
    assert result.exit_code == 3 and "李四本人填报的" in result.stderr
    assert run("approve", "47", "--by", "万富春").exit_code == 0


def test_approve_all_skips_and_lists_the_reviewer_s_own_answers(run, with_deputies) -> None:
    with_deputies({"万富春": ["李四"]})
    run("answer", "47", "--value", "312", "--by", "张三")
    run("answer", "30", "--value", "5", "--by", "李四")
    result = run("approve", "--owner", "万富春", "--all", "--by", "李四")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "以下 1 项未审核通过（未写入）：",
        "  - 第30项的当前答案是李四本人填报的，不能由本人审核通过（请由其他审核人审核）",
        "第47项 已审核通过（李四）：312 个",
        "注意：第47项的责任领导是万富春，由李四代为审核（已同时记录两人姓名）",
        "共审核通过 1 项。如需撤销：evalcheck undo",
    ]
    assert current(30)["action"] == "set"


def test_approve_all_by_a_stranger_is_refused(run) -> None:
    run("answer", "47", "--value", "312", "--by", "张三")
    before = Path("answers.yaml").read_bytes()
    result = run("approve", "--owner", "万富春", "--all", "--by", "赵六")
    assert result.exit_code == 3 and "赵六不能审核第47项" in result.stderr
    assert Path("answers.yaml").read_bytes() == before


# ---------------------------------------------------------------- review workbooks


def test_a_review_workbook_follows_the_same_rules(run, with_deputies) -> None:
    with_deputies({"高秀英": ["王五"]})
    run("answer", "21", "--value", "3", "--by", "李四")
    run("answer", "43", "--value", "是", "--by", "王五")
    assert run("export", "--review", "审核表").exit_code == 0
    fill(GAO, 21, "通过")
    before = Path("answers.yaml").read_bytes()
    stranger = run("import", GAO, "--by", "赵六")
    assert stranger.exit_code == 3, stranger.output
    assert "赵六不能审核第21项" in stranger.stderr
    assert Path("answers.yaml").read_bytes() == before

    fill(GAO, 43, "通过")
    own = run("import", GAO, "--by", "王五")
    assert own.exit_code == 3
    assert "第43项的当前答案是王五本人填报的，不能由本人审核通过" in own.stderr
    assert "审核 第" in own.stderr or "行" in own.stderr  # located
    assert Path("answers.yaml").read_bytes() == before

    fill(GAO, 43, "", None)
    deputy = run("import", GAO, "--by", "王五")
    assert deputy.exit_code == 0, deputy.output
    assert "注意：第21项的责任领导是高秀英，由王五代为审核" in deputy.stdout
    assert (current(21)["reviewer"], current(21)["signed_for"]) == ("王五", "高秀英")


def test_evidence_or_an_undo_does_not_make_a_leader_the_answers_filler(run) -> None:
    """填报人 is who filled the answer: a leader who adds a file to it, or undoes his own
    approval, may still approve it (and is not shown as its 填报人)."""
    Path("台账.pdf").write_bytes(b"%PDF-1.4")
    assert run("answer", "30", "--value", "12", "--by", "办公室李四").exit_code == 0
    assert run("evidence", "add", "30", "台账.pdf", "--by", "万富春").exit_code == 0
    shown = run("show", "30").stdout
    assert "填报人：办公室李四" in shown.replace(" ", ""), shown
    listed = json.loads(run("list", "--format", "json").stdout)
    assert next(i for i in listed if i["id"] == 30)["answer"]["by"] == "办公室李四"
    done = run("approve", "30", "--by", "万富春")
    assert done.exit_code == 0, done.stderr
    assert run("undo", "--by", "万富春").exit_code == 0  # his own approval undone
    again = run("approve", "30", "--by", "万富春")
    assert again.exit_code == 0, again.stderr
    # the one who filled it still may not sign it
    run("answer", "33", "--value", "5", "--by", "万富春")
    run("evidence", "add", "33", "台账.pdf", "--by", "办公室李四")
    refused = run("approve", "33", "--by", "万富春")
    assert refused.exit_code == 3 and "本人填报" in refused.stderr


def test_evidence_through_a_form_keeps_the_filler_and_the_time(run, monkeypatch) -> None:
    """A form that only adds 佐证材料 or 备注 to an answer keeps who filled it and when
    (show, JSON, review -f json); a form that changes the value makes the importer its
    填报人."""
    from tests.test_excel import col, fill, form_path, split

    monkeypatch.setenv("EVALCHECK_TODAY", "2026-12-01")
    assert run("answer", "47", "--value", "320", "--by", "张三").exit_code == 0
    split(run)
    path = form_path(Path.cwd(), "政务服务中心")
    (path.parent / "f.pdf").write_bytes(b"%PDF-1.4")
    fill(path, {47: "f.pdf"}, column=col("佐证材料"))
    monkeypatch.setenv("EVALCHECK_TODAY", "2026-12-03")
    done = run("import", str(path), "--by", "万富春")
    assert done.exit_code == 0 and "佐证材料" in done.stdout, done.stdout + done.stderr
    answer = json.loads(run("show", "47", "--format", "json").stdout)["answer"]
    assert (answer["by"], answer["at"][:10]) == ("张三", "2026-12-01")
    assert [e["name"] for e in answer["evidence"]] == ["f.pdf"]
    pending = json.loads(run("review", "--owner", "万富春", "--format", "json").stdout)
    item = next(i for g in pending for i in g["items"] if i["id"] == 47)
    assert (item["by"], item["at"][:10]) == ("张三", "2026-12-01")
    assert run("approve", "47", "--by", "万富春").exit_code == 0
    run("undo", "--by", "万富春")
    fill(path, {47: 330})
    assert run("import", str(path), "--by", "万富春").exit_code == 0
    assert json.loads(run("show", "47", "--format", "json").stdout)["answer"]["by"] == "万富春"


def test_an_answer_submitted_again_after_a_return_is_filled_anew(run, monkeypatch) -> None:
    """The same value submitted again (with a note) after a return: its submitter is its
    填报人, and 待审核 waits from then, not from the first submission."""
    monkeypatch.setenv("EVALCHECK_TODAY", "2021-08-01")
    assert run("answer", "16", "--value", "是", "--by", "办公室王五").exit_code == 0
    assert run("return", "16", "--reason", "请附说明", "--by", "万富春").exit_code == 0
    monkeypatch.setenv("EVALCHECK_TODAY", "2021-09-20")
    again = run("answer", "16", "--value", "是", "--note", "已核实", "--by", "办公室李四")
    assert again.exit_code == 0, again.stderr
    answer = json.loads(run("show", "16", "--format", "json").stdout)["answer"]
    assert (answer["by"], answer["at"][:10]) == ("办公室李四", "2021-09-20")
    monkeypatch.setenv("EVALCHECK_TODAY", "2021-09-25")
    letters = run("remind", "--tier", "待审核").stdout
    assert "办公室 办公室李四 9月20日填报，已等待 5 天" in letters, letters
