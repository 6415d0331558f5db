"""Every counting view says which rule it counts by (issue 24): overdue and remind too, in
text and JSON, with review on and off. remind's rule line is for the coordinator: after the letters,
never in a letter written to a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalcheck.model.loading import bundled_checklist_path

TODAY = ["--today", "2021-09-20"]  # item 82 (due 2021-09-15) is overdue
RULE = "完成按已审核计（自动计算的值在其各项来源均已审核时计入）"  # as status says
ON_OVERDUE = f"{RULE}；逾期只计未填报的（待审核的不算逾期，被退回未重填的另列）"
ON_REMIND = f"{RULE}；提醒、催办、督办计未填报的，退回重填计被退回未重填的，待审核计等待审核的天数"
OFF = "未启用审核：完成按已填报计"


@pytest.fixture
def review_off(tmp_path: Path) -> list[str]:
    text = bundled_checklist_path().read_text(encoding="utf-8")
    path = tmp_path / "noreview.yaml"
    path.write_text(text.replace("review: true", "review: false"), encoding="utf-8")
    return ["--checklist", str(path)]


def flat(text: str) -> str:
    return "".join(text.split())  # a narrow terminal may wrap the line


def test_overdue_says_what_it_counts_as_overdue(run) -> None:
    text = run("overdue", *TODAY).stdout
    assert flat(ON_OVERDUE) in flat(text)
    data = json.loads(run("overdue", *TODAY, "--format", "json").stdout)
    assert data["rule"] == ON_OVERDUE
    assert "逾期只计" not in run("overdue", *TODAY, "--format", "csv").stdout  # data only
    assert json.loads(run("status", "--format", "json").stdout)["rule"] == RULE


def test_with_review_off_overdue_and_remind_say_so(run, review_off) -> None:
    assert flat(f"{OFF}；逾期只计未填报的") in flat(run(*review_off, "overdue", *TODAY).stdout)
    data = json.loads(run(*review_off, "overdue", *TODAY, "--format", "json").stdout)
    assert data["rule"] == f"{OFF}；逾期只计未填报的"
    status = json.loads(run(*review_off, "status", "--format", "json").stdout)
    assert status["rule"] == OFF  # the same rule as status
    text = run(*review_off, "remind", *TODAY).stdout
    assert flat(text).endswith(flat(f"{OFF}；提醒、催办、督办计未填报的"))


def test_remind_prints_its_rule_after_the_letters_not_in_them(run, tmp_path: Path) -> None:
    text = run("remind", *TODAY).stdout
    assert flat(text).endswith(flat(ON_REMIND))
    result = run("remind", *TODAY, "--output", str(tmp_path / "letters"))
    assert flat(ON_REMIND) in flat(result.stdout)
    letters = list((tmp_path / "letters").glob("*.txt"))
    assert letters
    for letter in letters:
        assert "完成按已审核计" not in letter.read_text(encoding="utf-8")
    nothing = run("remind", "--today", "2021-01-01", "--tier", "督办").stdout
    assert "无需提醒" in nothing and flat(ON_REMIND) in flat(nothing)
