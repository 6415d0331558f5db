"""Issue 25, class 10: argument forms. `--today` is exactly YYYY-MM-DD; a rule that divides
by zero says so; missing arguments and wrong fixed choices are usage errors (2), as the
exit-code table says; metavars and messages in Chinese; 有/无 documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalcheck.model.loading import bundled_checklist_path
from tests.hostile import ANSWER_47, cli, refused, slow_after


@pytest.fixture()
def answered(tmp_path: Path, prepared) -> bytes:
    prepared(ANSWER_47)
    return (tmp_path / "answers.yaml").read_bytes()


@pytest.mark.parametrize(
    "day",
    slow_after(
        1,
        [
            "20210916",
            "2021-W37-4",
            "2021-259",
            "2021-09-16T08:00",
            "2021-9-16",
            "21-09-16",
            "٢٠٢١-٠٩-١٦",
        ],
    ),
)
def test_today_in_another_form_is_a_usage_error(tmp_path, answered, day: str) -> None:
    refused(cli(tmp_path, "overdue", "--today", day), 2, "--today", "YYYY-MM-DD")
    assert (tmp_path / "answers.yaml").read_bytes() == answered


def test_today_that_is_no_day_says_so(tmp_path) -> None:
    refused(cli(tmp_path, "status", "--today", "2021-02-30"), 2, "2021-02-30", "日历上没有这一天")


def test_today_in_full_width_digits_is_read(tmp_path) -> None:
    done = cli(tmp_path, "overdue", "--today", "２０２１-０９-１６")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("pinned", ["20210916", "2021-9-20", "2021-02-30"])
def test_a_malformed_pinned_today_is_refused_as_today_is(tmp_path, pinned) -> None:
    """Ignoring it reported today's day counts as that day's, with exit 0."""
    done = cli(tmp_path, "overdue", EVALCHECK_TODAY=pinned)
    refused(done, 2, f"环境变量 EVALCHECK_TODAY 的值“{pinned}”无效", "删除这个变量")
    assert not (tmp_path / "answers.yaml").exists()
    wrote = cli(tmp_path, "answer", "47", "--value", "312", EVALCHECK_TODAY=pinned)
    refused(wrote, 2, "EVALCHECK_TODAY")
    assert not (tmp_path / "answers.yaml").exists()


def _with_rules(tmp_path: Path, *rules: str) -> Path:
    text = bundled_checklist_path().read_text(encoding="utf-8")
    path = tmp_path / "cl.yaml"
    path.write_text(text.replace("rules:\n", "rules:\n" + "".join(rules), 1), encoding="utf-8")
    return path


def test_a_rule_dividing_by_zero_says_so(tmp_path) -> None:
    cl = _with_rules(tmp_path, "- {id: D1, check: 'q5 / q4 <= 1', message: 除法规则}\n")
    for ident in ("4", "5"):
        assert (
            cli(tmp_path, "--checklist", str(cl), "answer", ident, "--value", "0").returncode == 0
        )
    done = cli(tmp_path, "--checklist", str(cl), "check")
    assert done.returncode == 0, done.stderr
    assert "提醒（D1）：无法检查：除数为 0" in done.stdout
    assert "另有 12 条因相关指标未填报而未检查" in done.stdout  # D1 is not among them


def test_a_rule_on_a_derived_value_that_divides_by_zero_says_so(tmp_path) -> None:
    cl = _with_rules(tmp_path, "- {id: D2, check: 'q121 <= 100', message: 派生规则}\n")
    for ident in ("119", "120"):
        assert (
            cli(tmp_path, "--checklist", str(cl), "answer", ident, "--value", "0").returncode == 0
        )
    done = cli(tmp_path, "--checklist", str(cl), "check")
    assert "提醒（D2）：无法检查：第121项无法计算（除数为 0）" in done.stdout


def test_a_rule_with_an_unanswered_input_is_still_unchecked(tmp_path) -> None:
    cl = _with_rules(tmp_path, "- {id: D1, check: 'q5 / q4 <= 1', message: 除法规则}\n")
    assert cli(tmp_path, "--checklist", str(cl), "answer", "4", "--value", "0").returncode == 0
    done = cli(tmp_path, "--checklist", str(cl), "check")
    assert "D1" not in done.stdout
    assert "另有 14 条因相关指标未填报而未检查" in done.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    slow_after(
        2,
        [
            (("answer", "47"), "--value"),
            (("answer", "47", "--value", "1", "--na", "无"), "只指定一个"),
            (("answer", "47", "--clear", "--evidence", "a.pdf"), "--clear"),
            (("export",), "四选一"),
            (("export", "a.xlsx", "--split", "d"), "四选一"),
            (("approve", "--by", "万富春"), "请给出题号"),
            (("approve", "47", "--all", "--owner", "万富春"), "二选一"),
            (("approve", "--all"), "--owner"),
            (("return", "--reason", "x", "--by", "万富春"), "题号"),
            (("return", "47", "--by", "万富春"), "--reason"),
            (("carry",), "上年"),
            (("remind", "--tier", "boss"), "提醒级别"),
            (("show",), "缺少参数 题号"),
            (("evidence", "add", "47"), "缺少参数 文件..."),
            (("evidence", "rm", "47"), "缺少参数 名称"),
            (("evidence", "pack"), "缺少参数 输出"),
            (("list", "--format", "xml"), "--format"),
        ],
        unpack=True,
    ),
)
def test_a_missing_argument_or_wrong_choice_is_a_usage_error(
    tmp_path, answered, args, said: str
) -> None:
    err = refused(cli(tmp_path, *args), 2, said, "查看帮助")
    assert not any(ch.isascii() and ch.isupper() for ch in err.split("缺少参数")[-1][:4])
    assert (tmp_path / "answers.yaml").read_bytes() == answered


@pytest.mark.parametrize(
    "command",
    slow_after(1, [("show",), ("answer",), ("history",), ("approve",), ("return",), ("import",),
     ("evidence", "add"), ("evidence", "rm"), ("evidence", "list"), ("evidence", "pack")]),
)  # fmt: skip
def test_usage_lines_are_chinese(tmp_path, command) -> None:
    usage = cli(tmp_path, *command, "-h").stdout.splitlines()[0]
    assert usage.startswith("用法：")
    for word in ("ID", "FILE", "NAME", "OUT", "PATH", "TEXT"):
        assert word not in usage, usage


@pytest.mark.parametrize(
    ("word", "shown"),
    slow_after(1, [("有", "是"), ("对", "是"), ("无", "否"), ("没有", "否")], unpack=True),
)
def test_yes_no_words_are_read_and_documented(tmp_path, word: str, shown: str) -> None:
    done = cli(tmp_path, "answer", "108", "--value", word, "--by", "张三")
    assert done.returncode == 0, done.stderr
    assert f"已记录：{shown}" in done.stdout
    docs = (Path(__file__).parents[1] / "docs" / "commands.md").read_text(encoding="utf-8")
    row = next(line for line in docs.splitlines() if line.startswith("| 是否 `yesno`"))
    assert word in row
    refusal = cli(tmp_path, "answer", "108", "--value", "也许")
    refused(refusal, 3, word)
