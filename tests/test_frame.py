"""Click's frame in Chinese (cli/frame.py): help, metavars, usage errors, the exit-code table.

Typer 0.28 vendors Click; these tests notice when a Typer release moves its English strings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalcheck.cli.frame import describe_range, translate_usage, wrap
from evalcheck.views.render import text_width

from .test_cli_list import _commands, run_main

ENGLISH_FRAME = re.compile(
    r"<str>|<int|<path>|\bTEXT\b|\bINTEGER\b|\bPATH\b|\[OPTIONS\]|COMMAND \[ARGS\]|"
    r"x>=|x<=|\[default|\[required|Usage:|Options:|Arguments:|Commands:|\{\w+\}|env var"
)


@pytest.mark.parametrize("name", [None, *_commands()])
def test_help_has_no_english_frame(run, name: str | None) -> None:
    args = ["--help"] if name is None else [name, "--help"]
    out = run(*args).stdout
    assert out.startswith("用法：evalcheck")
    assert not ENGLISH_FRAME.search(out), ENGLISH_FRAME.search(out)


def test_metavars_name_what_to_type(run) -> None:
    out = run("overdue", "--help").stdout
    assert "-s, --section 科室" in out
    assert "--today 日期" in out
    assert "-w, --within 天数" in out
    assert "[默认：7]" in out
    assert "-f, --format table|json|csv" in out
    # --by is the reviewer in approve and return, the one who fills in elsewhere
    for command in ("approve", "return"):
        assert "--by 审核人" in run(command, "--help").stdout
    assert "--by 填报人" in run("answer", "--help").stdout
    assert run("checklist-import", "--help").stdout.startswith(
        "用法：evalcheck checklist-import [选项] 文件"
    )


@pytest.mark.parametrize("width", [60, 70, 76, 80, 100])
def test_help_fits_a_narrow_terminal_and_keeps_columns(run, monkeypatch, width: int) -> None:
    monkeypatch.setenv("EVALCHECK_WIDTH", str(width))
    from evalcheck.cli.table import TABLE

    for name in (c.name for c in TABLE):  # every command (remind's tier list was too wide)
        out = run(name, "--help").stdout
        lines = out.splitlines()
        # example commands stay whole, to be copied: they may run past the edge
        examples = [ln for ln in lines if "示例" in ln or ln.lstrip().startswith("evalcheck ")]
        too_wide = [ln for ln in lines if text_width(ln) > width and ln not in examples]
        assert not too_wide, too_wide
        # closing punctuation never starts a line (it did after '用）' + '。')
        starts = [ln.strip()[0] for ln in lines if ln.strip()]
        assert not [c for c in starts if c in "，。、；：？！）》」』】”’"], name
        # option help starts in one column, measured in terminal columns (CJK = 2)
        options = lines[lines.index("选项：") + 1 :]
        starts = {
            text_width(m.group(1)) for ln in options if (m := re.match(r"(\s+-\S.*?\s{2,})\S", ln))
        }
        assert len(starts) == 1, (name, starts)


def test_wrap_counts_cjk_as_two_and_keeps_words() -> None:
    lines = wrap("输出格式：table（表格）、json 或 csv。", 20)
    assert all(text_width(ln) <= 20 for ln in lines)
    assert "".join(lines).replace(" ", "") == "输出格式：table（表格）、json或csv。"
    assert any("table" in ln for ln in lines)  # never split inside a word
    assert not any(ln.startswith(("，", "。", "、", "）")) for ln in lines)
    for width in range(8, 30):  # a run of closing punctuation moves with its character
        lines = wrap("只含定稿的值（上交用）。然后", width)
        assert not any(ln.startswith(("）", "。")) for ln in lines), (width, lines)


@pytest.mark.parametrize(
    ("click", "chinese"),
    [
        ("x>=0", "不小于 0"),
        ("x<=100", "不大于 100"),
        ("0<=x<=100", "0 到 100"),
    ],
)
def test_ranges(click: str, chinese: str) -> None:
    assert describe_range(click) == chinese


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Missing option '--output' / '-o'.", "缺少选项 --output"),
        (
            "Invalid value for '--format' / '-f': 'xml' is not one of 'table', 'json', 'csv'.",
            "--format 不能是 xml（可选：table、json、csv）",
        ),
        (
            "Invalid value for '--within' / '-w': -1 is not in the range x>=0.",
            "--within 不能是 -1（应不小于 0）",
        ),
        ("Option '--force' does not take a value.", "选项 --force 不接受值"),
        (
            "Invalid value for '--role': 未知的任务类型“x”（可选：lead、support）",
            "--role：未知的任务类型“x”（可选：lead、support）",
        ),
        ("Invalid value for '--today': --today 应为日期 YYYY-MM-DD", "--today 应为日期 YYYY-MM-DD"),
        ("Got unexpected extra arguments (a b)", "多余的参数：a b"),
        ("Got unexpected extra argument ()", '多余的参数：""（空的参数）'),  # carry ""
    ],
)
def test_usage_messages(english: str, chinese: str) -> None:
    assert translate_usage(english) == chinese


def test_version(monkeypatch, capsys) -> None:
    from evalcheck import __version__

    code, out, _ = run_main(["--version"], monkeypatch, capsys)
    assert code == 0 and out.startswith(f"evalcheck {__version__}\nPython 3.")
    # every optional part is listed, installed or not (infra/optional.py)
    for part in ("PyYAML C 加载器", "rapidfuzz", "python-calamine", "python-docx + lxml"):
        assert part in out


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("lst", "list"),
        ("exprot", "export"),
        ("staus", "status"),
        ("improt", "import"),
        # an option tried as a command: where it is (units was 'init', the closest name)
        ("units", "status --units、export --units、remind --units 或 rollup"),
        ("split", "export --split 文件夹"),
    ],
)
def test_a_mistyped_command_gets_the_closest(monkeypatch, capsys, typed: str, hint: str) -> None:
    code, _, err = run_main([typed], monkeypatch, capsys)
    assert code == 2
    assert f"错误：没有命令 {typed}，您是不是要用 {hint}？" in err


def test_a_command_nothing_like_ours_lists_them(monkeypatch, capsys) -> None:
    code, _, err = run_main(["zzzz"], monkeypatch, capsys)
    assert code == 2 and "（可用的命令：init、list、show、answer" in err


# ---------------------------------------------------------------- the manual's exit-code table


def _exit_cases(tmp: Path) -> list[tuple[list[str], int]]:
    (tmp / "a-file").write_text("x")
    (tmp / "broken.yaml").write_text("title: [\n", encoding="utf-8")
    return [
        (["show", "47"], 0),
        (["overdue", "--fail", "--today", "2021-09-16"], 1),  # findings
        (["list", "--bogus"], 2),  # usage: unknown option
        (["list", "--role", "boss"], 2),  # usage: outside a fixed vocabulary
        (["list", "--kind", "decimal"], 2),
        (["list", "--status", "done"], 2),
        (["list", "-f", "xml"], 2),
        (["overdue", "--today", "2021-02-30"], 2),  # usage: not a date
        (["overdue", "--within", "abc"], 2),
        (["answr", "47"], 2),  # usage: unknown command
        (["list", "-s", "财务科"], 3),  # refused: not in this checklist
        (["show", "999"], 3),
        (["answer", "3", "--value", "150"], 3),
        (["--checklist", "broken.yaml", "list"], 4),  # unusable file
        (["--checklist", "nowhere.yaml", "list"], 4),
        (["export", "--split", "a-file/forms"], 5),  # cannot write
    ]


def test_exit_codes_match_the_manuals_table(tmp_path: Path, monkeypatch, capsys) -> None:
    page = (Path(__file__).parents[1] / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    table = page[page.index("# 退出码") :]
    for args, code in _exit_cases(tmp_path):
        got, _, err = run_main(args, monkeypatch, capsys)
        assert got == code, (args, err)
        assert f"| {code} |" in table
        if code >= 2:
            assert err.startswith(("错误：", "用法：")) and "Traceback" not in err, (args, err)


def test_an_option_missing_its_value_names_its_command(monkeypatch, capsys) -> None:
    code, _, err = run_main(["list", "-s"], monkeypatch, capsys)
    assert code == 2
    assert (
        err
        == "用法：evalcheck list [选项]\n错误：选项 -s 需要一个值（查看帮助：evalcheck list -h）\n"
    )


@pytest.mark.parametrize(
    ("args", "usage", "message"),
    [
        (["answer", "47"], "evalcheck answer [选项] 题号", "请在 --value、--na、--clear 中指定"),
        (
            ["remind", "--units", "--section", "办公室"],
            "evalcheck remind [选项]",
            "--section 不能与",
        ),
        (
            ["compare", "--units", "--section", "办公室"],
            "evalcheck compare [选项]",
            "--section 不能",
        ),
        (["export"], "evalcheck export [选项] [文件]", "请给出导出文件名"),
    ],
)
def test_usage_problems_of_a_command_come_with_its_usage_line(
    monkeypatch, capsys, args: list[str], usage: str, message: str
) -> None:
    """A command's own usage checks (a missing choice, options that exclude each other)
    read as Click's do (docs/exit-codes.md): the usage line, then the error."""
    code, out, err = run_main(args, monkeypatch, capsys)
    assert code == 2 and out == ""
    first, second, *rest = err.splitlines()
    assert first == f"用法：{usage}" and second.startswith(f"错误：{message}") and rest == []
    assert second.endswith(f"（查看帮助：evalcheck {args[0]} -h）")


def test_a_wrong_environment_variable_has_no_usage_line(monkeypatch, capsys) -> None:
    """The command line is right: a usage line would send the reader to the wrong place."""
    monkeypatch.setenv("EVALCHECK_TODAY", "2021/09/16")
    code, out, err = run_main(["list"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.startswith(
        "错误：环境变量 EVALCHECK_TODAY 的值“2021/09/16”无效：应为日期 YYYY-MM-DD"
    )
    assert "用法" not in err and len(err.splitlines()) == 1


def test_install_completion_reports_in_chinese(run, monkeypatch, tmp_path: Path) -> None:
    calls: list[object] = []

    def install(shell: str | None = None) -> tuple[str, Path]:  # detects the shell
        calls.append(shell)  # the real one edits the user's shell profile
        return "bash", tmp_path / "evalcheck.sh"

    monkeypatch.setattr("typer._completion_shared.install", install)
    result = run("--install-completion")
    assert result.exit_code == 0 and calls == [None]
    assert result.stdout.startswith(f"已为 bash 安装命令补全：{tmp_path / 'evalcheck.sh'}\n")


def test_the_command_list_shows_each_commands_first_sentence(monkeypatch, capsys) -> None:
    """Click cut Chinese first sentences (no spaces) down to '...'."""
    code, out, _ = run_main(["--help"], monkeypatch, capsys)
    assert code == 0
    listing = out.split("命令：", 1)[1]
    assert "..." not in listing
    assert "填报进度：按科室、领导、二级指标统计" in listing
    assert "建立一年测评的工作文件夹" in listing


def test_a_first_sentence_over_two_docstring_lines_is_listed_whole(monkeypatch, capsys) -> None:
    """evidence check's and pack's first sentences go on to the docstring's next line:
    the list showed them cut at the line's end ('（sha256）、')."""
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run_main(["evidence", "--help"], monkeypatch, capsys)
    assert code == 0
    listing = "".join(out.split("命令：", 1)[1].split())  # wrapped: joined up again
    assert "文件登记后被修改（sha256）、未收入的旧版路径migrate" in listing
    assert (
        "外加目录.xlsx（题号、指标、科室、填报值、可点击打开的文件、链接、缺失情况）示例" in listing
    )


@given(st.text(alphabet=list("ab1 -[]默认：，。x\t"), max_size=20))
@settings(max_examples=400, deadline=None)
def test_help_words_are_cut_as_the_pattern_says(text: str) -> None:
    """wrap() splits text by hand (a CJK character class costs re 5 ms to compile); it
    cuts exactly where this pattern would: a bracketed note at the end whole, ASCII words
    whole, each CJK character alone, runs of spaces."""
    from evalcheck.cli.frame import _tokens

    pattern = r"\[[^\[\]]*\]$|[^\s\u2e80-\uffef]+|[\u2e80-\uffef]|\s+"
    assert _tokens(text) == re.findall(pattern, text)


def _wrap_reference(text: str, width: int) -> list[str]:
    """wrap() as first written: the whole line measured again for every word."""
    from evalcheck.cli.frame import _NO_BREAK_AFTER, _NO_BREAK_BEFORE, _carried, _tokens

    lines: list[str] = []
    line = ""
    for tok in _tokens(text):
        if tok.isspace():
            if line:
                line += " "
            continue
        if not line or text_width(line + tok) <= width:
            line += tok
        elif tok in _NO_BREAK_BEFORE and (cut := _carried(line)) > 0:
            lines.append(line[:cut].rstrip())
            line = line[cut:] + tok
        elif tok in _NO_BREAK_BEFORE:
            line += tok
        elif len(line) > 1 and line[-1] in _NO_BREAK_AFTER:
            lines.append(line[:-1].rstrip())
            line = line[-1] + tok
        else:
            lines.append(line.rstrip())
            line = tok
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


@given(st.text(alphabet=list("ab1 -[]默认：，。（）x\t"), max_size=60), st.integers(4, 30))
@settings(max_examples=400, deadline=None)
def test_wrap_counts_widths_as_it_goes(text: str, width: int) -> None:
    """wrap() adds up the width word by word; it cuts where measuring each line again would."""
    assert wrap(text, width) == _wrap_reference(text, width)
