"""`list`, `show` and help: filters, their combinations, formats and error paths."""

from __future__ import annotations

import csv
import io
import json

import pytest

from evalcheck.cli import app
from evalcheck.views import render

from .test_checklist import seed_rows


def ids_of(result) -> list[int]:
    """Ids from the plain (tab-separated) listing."""
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("题号\t")
    return [int(line.split("\t")[0]) for line in lines[1:-1]]


def test_section_lists_exactly_the_seed_rows(run) -> None:
    result = run("list", "--section", "审批监管科")
    expected = sorted(i for i, r in seed_rows().items() if r["section"] == "审批监管科")
    assert ids_of(result) == expected
    assert result.stdout.splitlines()[-1] == f"共 {len(expected)} 项"
    assert len(expected) == 38


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-s", "办公室"], [16, 30, 32, 33, 34, 35, 36, 37, 38, 112]),
        (["-o", "高秀英", "-s", "审批监管科"], [43]),
        (["-s", "办公室", "-s", "审批监管科", "-q", "好差评"], [91, 92, 93, 94, 95, 96, 97, 110]),
        (["-c", "三"], list(range(100, 110))),
        (["-c", "3"], list(range(100, 110))),
        (["-c", "政务服务创新举措"], list(range(100, 110))),
        (["-c", "三、政务服务 创新举措"], list(range(100, 110))),
        (["--kind", "choice"], [138, 140, 141]),
        (["--kind", "text"], [109]),
        (["--kind", "percent", "-c", "五"], [121, 128, 133, 136]),
        (["--role", "support", "--kind", "choice"], [138, 140, 141]),
        (["--role", "配合", "-q", "人员"], [116, 134, 135, 136]),
        (["--unassigned"], [82]),
        (["--unassigned", "-s", "办公室", "-q", "意见"], [82]),
        (["-q", "网办深度"], [5, 6, 7, 8, 9]),
        (["-q", "网办深度", "-q", "零跑动"], [5, 6, 7, 8, 9, 12]),
        (["-o", "高秀英", "-c", "一"], [18, 21]),
    ],
)
def test_filters_and_combinations(run, args: list[str], expected: list[int]) -> None:
    assert ids_of(run("list", *args)) == expected


def test_owner_filter_counts(run) -> None:
    wan, gao = ids_of(run("list", "-o", "万富春")), ids_of(run("list", "-o", "高秀英"))
    assert gao == [18, 21, 43, 54, 56, 59, 62, 69, 70, 85, 86, 104, 108, 120, 121]
    assert len(wan) == 129 and not set(wan) & set(gao)


@pytest.mark.parametrize(
    ("args", "fragment", "code"),
    [
        # names from the checklist: refused input (3)
        (["-s", "审批监管"], "未知的责任科室“审批监管”，您是不是要找“审批监管科”？", 3),
        (["-o", "万福春"], "未知的责任领导“万福春”，您是不是要找“万富春”？", 3),
        (["-c", "六"], "未知的二级指标“六”", 3),
        # the program's fixed vocabulary: usage errors (2)
        (["--kind", "decimal"], "未知的题型“decimal”", 2),
        (["--status", "done"], "未知的填报状态“done”", 2),
        (["--role", "x"], "未知的任务类型“x”", 2),
    ],
)
def test_unknown_names_list_the_valid_ones(run, args: list[str], fragment: str, code) -> None:
    result = run("list", *args)
    assert result.exit_code == code
    assert fragment in result.stderr
    assert "可选：" in result.stderr
    assert result.stdout == ""


def test_section_error_lists_every_section(run) -> None:
    result = run("list", "-s", "财务科")
    assert "（可选：政务服务中心、办公室、审批服务科、审批监管科、未指定科室）" in result.stderr


def test_json_carries_every_field(run) -> None:
    data = json.loads(run("list", "-s", "审批监管科", "--format", "json").stdout)
    item = next(i for i in data if i["id"] == 142)
    assert set(item) >= {
        "id", "category", "category_label", "text", "owner", "section", "due", "role",
        "kind", "unit", "options", "range", "formula", "answer",
    }  # fmt: skip
    assert item["answer"]["status"] == "open"
    assert len(item["options"]) == 4


def test_csv_opens_in_excel_with_chinese_intact(run) -> None:
    out = run("list", "-c", "五", "--format", "csv").stdout
    assert out.startswith("\ufeff")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0][:6] == ["题号", "二级指标", "三级指标", "责任领导", "责任科室", "完成时限"]
    assert len(rows) == 1 + 29
    assert rows[1][1] == "五、市场监管"
    assert rows[1][2] == "本地是否建立并完善了中介服务机构及其从业人员的信用记录和披露制度"


def test_rich_table_on_a_terminal(run, monkeypatch) -> None:
    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)
    out = run("list", "-s", "审批监管科").stdout
    assert "┃ 题号" in out or "题号" in out.splitlines()[1]
    assert "共 38 项" in out
    assert "未指定科室" not in out
    out82 = run("list", "--unassigned").stdout
    assert "未指定科室" in out82


def test_show_everything_about_one(run) -> None:
    result = run("show", "142")
    assert result.exit_code == 0
    out = result.stdout
    assert "二级指标：五、市场监管" in out
    assert "责任科室：审批监管科" in out
    assert "选项：1.重点监管事件跟踪预警响应处置的全链条；" in out
    assert "4.以上均未实现（不可与其他选项同选）" in out
    assert "填报状态：未填报" in out


def test_show_unassigned_and_json(run) -> None:
    assert "责任科室：未指定科室" in run("show", "82").stdout
    data = json.loads(run("show", "47", "--format", "json").stdout)
    assert data["id"] == 47 and data["unit"] == "个" and data["answer"]["value"] is None


@pytest.mark.parametrize("ident", ["0", "145", "999"])
def test_show_unknown_id(run, ident: str) -> None:
    result = run("show", ident)
    assert result.exit_code == 3
    assert f"没有第{ident}项指标：题号应在 1–144 之间" in result.stderr


def test_show_non_numeric_id(run) -> None:
    result = run("show", "abc")
    assert result.exit_code == 3
    assert "题号应为数字" in result.stderr


def test_usage_errors_are_typer_code_2(run) -> None:
    assert run("list", "--bogus").exit_code == 2
    assert run("list", "--format", "xml").exit_code == 2


def _commands():
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_with_an_example(run, name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    assert "示例：evalcheck " in result.stdout, name


def test_top_level_help(run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "示例：evalcheck list --section 审批监管科" in result.stdout


def run_main(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """The installed entry point, as a user's shell calls it."""
    from evalcheck.cli import main

    monkeypatch.setattr("sys.argv", ["evalcheck", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--bogus"], "错误：没有选项 --bogus（查看帮助：evalcheck list -h）"),
        (["list", "--fromat", "json"], "错误：没有选项 --fromat，您是不是要用 --format？"),
        (["list", "--forc"], "您是不是要用 --force、--format、--owner？"),
        (["list", "--format", "xml"], "错误：--format 不能是 xml（可选："),
        (
            ["overdue", "--within", "-1"],
            "错误：--within：应为 0 到 36500 之间的整数天数，而不是“-1”",
        ),
        (["overdue", "-w", "abc"], "错误：--within：应为 0 到 36500 之间的整数天数，而不是“abc”"),
        (["show"], "错误：缺少参数 题号"),
        (["show", "47", "48"], "错误：多余的参数：48"),
        (["shw", "47"], "错误：没有命令 shw，您是不是要用 show？"),
    ],
)
def test_usage_errors_are_chinese_with_code_2(monkeypatch, capsys, args, message) -> None:
    code, out, err = run_main(args, monkeypatch, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_entry_point_exit_codes(monkeypatch, capsys) -> None:
    assert run_main(["show", "47"], monkeypatch, capsys)[0] == 0
    assert run_main(["show", "999"], monkeypatch, capsys)[0] == 3
    assert run_main(["overdue", "--fail", "--today", "2021-09-16"], monkeypatch, capsys)[0] == 1
    code, out, _ = run_main(["--help"], monkeypatch, capsys)
    assert code == 0 and "示例：evalcheck list --section 审批监管科" in out


@pytest.mark.parametrize("args", [["--help"], ["show", "--help"], ["export", "-h"]])
def test_help_frame_is_chinese(run, args) -> None:
    out = run(*args).stdout
    assert out.startswith("用法：evalcheck")
    assert "选项：" in out and "显示此帮助并退出。" in out
    for english in (
        "Usage:",
        "Options:",
        "Arguments:",
        "Commands:",
        "Show this message",
        "[required]",
    ):
        assert english not in out
