"""Click's frame in Chinese: help headings, the --help text, metavars, usage errors.

Why the Typer pin matters here: Typer 0.28 is pinned below 0.29 (pyproject.toml: 0.29
imports pydantic at start-up, ~130 ms). 0.28 vendors Click as `typer._click`, so the
English strings translated below are that vendored Click's, and they can change with a
Typer release: the pin keeps them stable, and tests/test_frame.py notices when they move.
Public Click API is used where there is one (`Parameter.metavar`, `Command.options_metavar`,
`collect_usage_pieces`, `get_help`, `resolve_command`, `BadParameter`); what Typer does not
export (`UsageError`, `HelpFormatter`, completion's `install`) comes from click_compat.py,
the one module that names Typer's private paths.

Exit codes: a usage error (2) is a command line that is wrong whatever the files say —
an unknown command or option, a missing argument, a value outside a fixed vocabulary
(--format, --kind, --role, --status) or of the wrong type (--within, --today). A refused
input (3) is well-formed but refused by the data: a section, owner or category name the
checklist does not have, an indicator id it does not have, an answer value, a workbook cell.
"""

import re
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from evalcheck.cli.click_compat import HelpFormatter, NoArgsIsHelpError, UsageError
from evalcheck.cli.guard import resume_collector
from evalcheck.errors import (
    EXIT_INTERRUPTED,
    EXIT_WRITE,
    EvalcheckError,
    InputError,
    SettingProblem,
    Terminated,
    UsageProblem,
)
from evalcheck.views import render

HELP_TEXT = "显示此帮助并退出。"
# parameters that name files but are read as text: the global --checklist and --answers,
# and `evidence add`'s files (a file or a link)
FILE_NAME_OPTIONS = frozenset({"checklist", "answers", "files"})
EMPTY_NAME = "文件名或文件夹名不能为空，请写出名字，例如 report.xlsx 或 科室表格"


# Click writes its help frame in English; these are its fixed strings.
_HELP_FRAME = (
    ("Usage: ", "用法："),
    ("\nOptions:\n", "\n选项：\n"),
    ("\nArguments:\n", "\n参数：\n"),
    ("\nCommands:\n", "\n命令：\n"),
    ("[required]", "[必填]"),
    ("[default: ", "[默认："),
    ("; ", "；"),
)
# metavars by parameter name (Click's are the type's: <str>, <int range>, {table})
METAVARS = {
    "section": "科室",
    "owner": "领导",
    "category": "二级指标",
    "search": "文字",
    "today": "日期",
    "within": "天数",
    "soon": "天数",
    "escalate": "天数",
    "review_days": "天数",
    "value": "值",
    "na": "原因",
    "note": "备注",
    "evidence": "文件或网址",
    "by": "填报人",
    "split": "文件夹",
    "output": "文件",
    "year": "年份",
    "sheet": "工作表",
    "checklist": "清单文件",
    "answers": "答案文件",
    "path": "文件",
    "table": "文件",
    "folder": "文件夹",
    "ident": "题号",
    "kind": "题型",
    "role": "任务类型",
    "status": "状态",
    "id": "题号",
}
_TYPE_METAVARS = {"integer": "整数", "float": "数字", "path": "路径", "text": "文字"}


def _metavar(param: Any) -> str | None:
    choices = getattr(param.type, "choices", None)
    if choices:
        return "|".join(str(getattr(c, "value", c)) for c in choices)
    if param.name in METAVARS:
        return METAVARS[param.name]
    name = str(getattr(param.type, "name", "")).lower()
    for key, chinese in _TYPE_METAVARS.items():
        if key in name:
            return chinese
    return "值"


# Click's range descriptions: x>=0, x<=100, 0<=x<=100 (compiled on first use, in help only)
_RANGE = (
    r"(?:(?P<low2>-?[\d.]+)(?P<lop><=?))?x(?:(?P<op>[<>]=?)(?P<bound>-?[\d.]+))?"
    r"(?=[\];)）\s]|$)"
)


def describe_range(text: str) -> str:
    """'x>=0' -> '不小于 0', '0<=x<=100' -> '0 到 100' (Click's IntRange wording)."""

    def repl(m: re.Match[str]) -> str:
        low2, op, bound = m.group("low2"), m.group("op"), m.group("bound")
        if low2 is not None and bound is not None:
            return f"{low2} 到 {bound}"
        if op is None or bound is None:
            return m.group(0)
        words = {">=": "不小于", ">": "大于", "<=": "不大于", "<": "小于"}
        return f"{words[op]} {bound}"

    return re.sub(_RANGE, repl, text)


_COMPLETION_HELP = {
    "install_completion": "为当前 shell 安装命令补全（按 Tab 补全科室、领导名称）。",
    "show_completion": "显示当前 shell 的补全脚本，以便复制或自行安装。",
}


def _wide(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in "WF"


_NO_BREAK_BEFORE = "，。、；：？！）》」』】”’%"
_NO_BREAK_AFTER = "（《「『【“‘"


_CJK_FIRST, _CJK_LAST = "\u2e80", "\uffef"  # CJK characters, full-width forms


def _tokens(text: str) -> list[str]:
    """ASCII words whole, each CJK character alone, runs of spaces; a bracketed note at
    the end ([默认：7]) whole, so that it moves to the next line whole.

    By hand rather than with a regular expression: a character class spanning the CJK
    range takes Python's re 5 ms to compile, paid on every `--help`.
    """
    note = re.search(r"\[[^\[\]]*\]$", text)
    before = text[note.start() - 1] if note and note.start() else " "
    if not (before.isspace() or _CJK_FIRST <= before <= _CJK_LAST):
        note = None  # glued to a word: part of it
    tokens: list[str] = []
    last = ""
    for ch in text[: note.start()] if note else text:
        kind = " " if ch.isspace() else "中" if _CJK_FIRST <= ch <= _CJK_LAST else "a"
        if kind == last and kind != "中":
            tokens[-1] += ch
        else:
            tokens.append(ch)
        last = kind
    return [*tokens, note.group()] if note else tokens


def wrap(text: str, width: int) -> list[str]:
    """Wrap by terminal columns: a CJK character takes two and may end a line anywhere
    (except before closing punctuation or after an opening bracket); ASCII words are kept
    whole."""
    lines: list[str] = []
    line, used = "", 0  # the line so far and its width (widths add up, token by token)
    for tok in _tokens(text):
        if tok.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        w = render.text_width(tok)
        if not line or used + w <= width:
            line, used = line + tok, used + w
        elif tok in _NO_BREAK_BEFORE and (cut := _carried(line)) > 0:
            # closing punctuation never starts a line: the character before comes along,
            # with any closing punctuation between ('用）' + '。')
            lines.append(line[:cut].rstrip())
            line = line[cut:] + tok
            used = render.text_width(line)
        elif tok in _NO_BREAK_BEFORE:
            line, used = line + tok, used + w
        elif len(line) > 1 and line[-1] in _NO_BREAK_AFTER:
            # an opening bracket never ends a line: it goes down with what it opens
            lines.append(line[:-1].rstrip())
            line = line[-1] + tok
            used = render.text_width(line)
        else:
            lines.append(line.rstrip())
            line, used = tok, w
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _carried(line: str) -> int:
    """Where to cut `line` so that closing punctuation coming next does not start a line:
    before its last CJK character or ASCII word and the closing punctuation after it
    ('用）' + '。', 'YYYY-MM-DD）' + '，'); 0 when nothing is left before them (the
    punctuation then stays on this line)."""
    end = len(line)
    while end > 0 and line[end - 1] in _NO_BREAK_BEFORE:
        end -= 1
    cut = end - 1
    if cut > 0 and not _wide(line[cut]):
        while cut > 0 and not _wide(line[cut - 1]) and not line[cut - 1].isspace():
            cut -= 1  # a word is carried whole
    if cut > 1 and line[cut - 1] in _NO_BREAK_AFTER:
        cut -= 1  # with the bracket it opens
    return cut if cut > 0 and not line[cut].isspace() else 0


def _join_lines(lines: list[str]) -> str:
    """A paragraph's source lines as one text: no space between two CJK characters."""
    out = ""
    for part in (ln.strip() for ln in lines):
        if out and part and not (_wide(out[-1]) and _wide(part[0])):
            out += " "
        out += part
    return out


class _Formatter(HelpFormatter):
    """Click's help formatter, measuring by terminal columns (CJK counts two)."""

    def __init__(self, indent_increment: int = 2, width: int | None = None, **kw: Any) -> None:
        import os

        forced = int(os.environ.get(render.ENV_WIDTH, "0") or 0)
        super().__init__(indent_increment, width or (max(forced - 2, 40) if forced else None), **kw)

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        paragraphs: list[list[str]] = [[]]
        for line in text.splitlines():
            if line.strip():
                paragraphs[-1].append(line)
            elif paragraphs[-1]:
                paragraphs.append([])
        out: list[str] = []
        for para in (p for p in paragraphs if p):
            if para[0].strip() == "\b":  # Click's marker: keep these lines as written
                out += [indent + ln.strip() for ln in para[1:]]
            else:
                out += [indent + ln for ln in wrap(_join_lines(para), self.width - len(indent))]
            out.append("")
        self.write("\n".join(out[:-1]) + "\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        headings = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}
        self.write(f"{'':>{self.current_indent}}{headings.get(heading, heading)}：\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(first, _extras(second)) for first, second in rows]
        first_col = min(max((render.text_width(r[0]) for r in rows), default=0), col_max)
        first_col += col_spacing
        pad = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            used = render.text_width(first)
            if used <= first_col - col_spacing:
                self.write(" " * (first_col - used))
            else:
                self.write("\n" + pad)
            lines = wrap(second, max(self.width - first_col - self.current_indent, 10))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(pad + line + "\n")


def _extras(help_text: str) -> str:
    """'… [default: 7; x>=0]' -> '… [默认：7；不小于 0]' (Click's notes after an option's help)."""
    m = re.search(r"\s*\[([^\[\]]+)\]$", help_text)
    if not m:
        return help_text
    notes = m.group(1).replace("default: ", "默认：").replace("required", "必填")
    notes = describe_range(notes).replace("; ", "；")
    return f"{help_text[: m.start()]}  [{notes}]"


class _Context(typer.Context):
    formatter_class = _Formatter


def _install_completion(ctx: Any, param: Any, value: Any) -> Any:
    """Typer's --install-completion, reporting in Chinese."""
    if not value or ctx.resilient_parsing:
        return value
    from evalcheck.cli.click_compat import install_completion

    shell, path = install_completion(value if isinstance(value, str) else None)
    typer.echo(f"已为 {shell} 安装命令补全：{path}")
    typer.echo("重新打开终端后生效（按 Tab 可补全命令、科室和领导名称）。")
    raise typer.Exit()


class _ChineseHelp:
    """Help in Chinese for commands and the group: the --help option's own text and
    the headings Click writes around ours."""

    context_class: Any = _Context

    def get_short_help_str(self, limit: int = 45) -> str:
        """The first sentence of the help, for the command list. Click's own version cuts
        at the last space that fits; Chinese has no spaces, so a long first sentence
        came out as '...'. A sentence may go on to the docstring's next line (its first
        paragraph is joined up: a space only between two Latin words). The list's
        formatter wraps what this returns."""
        import re

        short = getattr(self, "short_help", None)
        if not short:
            lines = (getattr(self, "help", None) or "").strip().split("\n\n")[0].split("\n")
            joined = "\n".join(line.strip() for line in lines)
            short = re.sub(r"(?<=[A-Za-z0-9])\n(?=[A-Za-z0-9])", " ", joined).replace("\n", "")
        return re.split(r"(?<=[。；])", short)[0].rstrip("。；").strip()

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if param.name in _COMPLETION_HELP:
                param.help = _COMPLETION_HELP[param.name]
            if param.name == "install_completion":
                param.callback = _install_completion
            if param.metavar is None and not getattr(param, "is_flag", False):
                param.metavar = _metavar(param)
        return params

    def parse_args(self, ctx: Any, args: list[str]) -> Any:
        """Parser errors (an option missing its value) name the command they belong to:
        Typer 0.28's vendored parser raises them without a context."""
        try:
            self._refuse_empty_names(ctx, args)
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except UsageError as exc:
            if exc.ctx is None:
                exc.ctx, exc.cmd = ctx, ctx.command
            raise

    def _refuse_empty_names(self, ctx: Any, args: list[str]) -> None:
        """An empty file or folder name ("") is a usage error. Python reads it as "."
        (the current folder): `export --split ""` would write the forms here, `--checklist
        ""` would quietly use the default checklist. Checked on the words as given (Click's
        parser, before any conversion or callback turns "" into a path)."""
        if any(a in ("-h", "--help") for a in args):
            return  # help is asked for: shown whatever else the line says
        given, _, _ = self.make_parser(ctx).parse_args(args=list(args))  # type: ignore[attr-defined]
        for param in self.get_params(ctx):
            if param.name not in given:
                continue
            if param.type.name == "path" or param.name in FILE_NAME_OPTIONS:
                value = given[param.name]
                values = value if isinstance(value, list | tuple) else [value]
                if any(isinstance(v, str) and not v.strip() for v in values):
                    raise typer.BadParameter(EMPTY_NAME, ctx=ctx, param=param)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)  # type: ignore[misc]
        frame = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}
        # Typer writes a required argument as {name}: people read it as literal braces
        return [frame.get(p, re.sub(r"^\{(.+)\}$", r"\1", p)) for p in pieces]

    def get_help(self, ctx: Any) -> str:
        text: str = super().get_help(ctx)  # type: ignore[misc]
        for english, chinese in _HELP_FRAME:
            text = text.replace(english, chinese)
        return describe_range(text)


class CliCommand(_ChineseHelp, TyperCommand):
    def invoke(self, ctx: Any) -> Any:
        """A UsageProblem the command raises (answer without --value, remind --units
        --section) is shown as Click's usage errors are: the usage line, then the error.
        A wrong environment variable (SettingProblem) has no usage line: the command line
        is right (CliGroup.invoke reports it)."""
        try:
            return super().invoke(ctx)
        except UsageProblem as exc:
            if isinstance(exc, SettingProblem) or exc.details:
                raise
            show_usage_error(UsageError(exc.message, ctx))
            raise typer.Exit(exc.exit_code) from None


class CliGroup(_ChineseHelp, TyperGroup):
    """Turns every EvalcheckError into its exit code and a one-line message: the one place."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """An unknown command name gets the closest one suggested (did you mean).

        The command is resolved (its module imported): start-up is over (guard.py)."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError:
            name = args[0] if args else ""
            if not name or name.startswith("-"):
                raise
            from evalcheck.cli.table import AS_OPTIONS
            from evalcheck.state.select import closest

            names = self.list_commands(ctx)
            hint = AS_OPTIONS.get(name.lower()) or closest(name, names)
            tip = f"，您是不是要用 {hint}？" if hint else f"（可用的命令：{'、'.join(names)}）"
            raise UsageError(f"没有命令 {name}{tip}", ctx) from None
        finally:
            resume_collector()

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except Terminated as exc:  # SIGTERM, SIGHUP: as Ctrl-C, with the shells' code
            typer.echo("\n已终止（未完成的写入不会留下半个文件）", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("\n已中断（未完成的写入不会留下半个文件）", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except MemoryError:
            typer.echo(
                "错误：内存不足，命令未完成（未完成的写入不会留下半个文件；请关闭其他程序后重试）",
                err=True,
            )
            raise typer.Exit(EXIT_WRITE) from None
        except EvalcheckError as exc:
            hint = ""
            if isinstance(exc, UsageProblem):  # as Click's usage errors: where the help is
                sub = ctx.invoked_subcommand
                hint = f"（查看帮助：{ctx.command_path}{f' {sub}' if sub else ''} -h）"
            typer.echo(f"错误：{exc.message}{hint}", err=True)
            for line in exc.details[:50]:
                typer.echo(f"  - {line}", err=True)
            if len(exc.details) > 50:
                typer.echo(f"  …… 另有 {len(exc.details) - 50} 条", err=True)
            raise typer.Exit(exc.exit_code) from None


def usage_checked(convert: Callable[[str], Any]) -> Callable[[Any, Any, Any], Any]:
    """A Click callback: a value outside a fixed vocabulary (or of the wrong form) is a
    usage error, exit code 2, with the core's Chinese message (see the module docstring)."""

    def callback(ctx: Any, param: Any, value: Any) -> Any:
        if value is None or ctx.resilient_parsing:
            return value
        try:
            for one in value if isinstance(value, list | tuple) else [value]:
                convert(one)
        except InputError as exc:
            raise typer.BadParameter(exc.message, ctx=ctx, param=param) from None
        return value

    return callback


GLOBAL_OPTIONS = ("--checklist", "--answers")


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move --checklist/--answers given after the command name to the front.

    `evalcheck answer 47 --value 1 --answers team.yaml` is what people type; Click only
    accepts a group's options before the command. Stops at `--`.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and rest:  # only after something else: a command
            if "=" in arg:
                front.append(arg)
            elif i + 1 < len(argv):
                front.extend(argv[i : i + 2])
                i += 1
            else:
                rest.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


_USAGE_MESSAGES: list[tuple[str, str]] = [
    (
        r"No such option: (\S+?)\.?(?:\s+\((?:Possible options|Did you mean):? ?(.+?)\??\))?$",
        "没有选项 {0}{1}",
    ),
    (r"No such option: (\S+?)\.?(?:\s+Did you mean (\S+?)\?)?$", "没有选项 {0}{1}"),
    (r"No such command '(.+)'\.", "没有命令 {0}"),
    (r"Missing command\.", "缺少命令"),
    (r"Missing argument '(.+)'\.", "缺少参数 {0}"),
    (r"Missing option '(.+)'\.", "缺少选项 {0}"),
    (r"Missing parameter: (.+)", "缺少参数 {0}"),
    (r"Option '(.+)' requires an argument\.", "选项 {0} 需要一个值"),
    (r"Option '(.+)' requires (\d+) arguments\.", "选项 {0} 需要 {1} 个值"),
    (r"Option '(.+)' does not take a value\.", "选项 {0} 不接受值"),
    (r"Got unexpected extra arguments?(?:\(s\))? \((.*)\)", "多余的参数：{0}"),
    (r"Invalid value for '([^']+)': '?(.+?)'? is not one of (.+)\.", "{0} 不能是 {1}（可选：{2}）"),
    (r"Invalid value for '([^']+)': (.+?) is not in the range (.+)\.", "{0} 不能是 {1}（应{2}）"),
    (
        r"Invalid value for '([^']+)': '?(.+?)'? is not a valid int(?:eger)?(?: range)?\.",
        "{0} 应为整数，而不是 {1}",
    ),
    (r"Invalid value for '([^']+)': '?(.+?)'? is not a valid float(?: range)?\.",
     "{0} 应为数字，而不是 {1}"),
    (r"Invalid value for '([^']+)': '?(.+?)'? is not a valid boolean\..*",
     "{0} 应为 是/否，而不是 {1}"),
    (r"Invalid value for '([^']+)': ([^a-zA-Z].*)", "{0}：{1}"),  # our own (Chinese) message
    (r"Invalid value for '([^']+)': (.+)", "{0} 的值无效：{1}"),
]  # fmt: skip


def _plain_names(message: str) -> str:
    """Click names an option '--output' / '-o': one name, as people type it."""
    return re.sub(r"'([^']+)'(?: / '[^']+')+", r"'\1'", message)


def translate_usage(message: str) -> str:
    """Click's usage messages are English f-strings; the common ones in Chinese."""
    text = _plain_names(message.strip())
    for pattern, template in _USAGE_MESSAGES:
        m = re.match(pattern, text)
        if m:
            groups = [g or "" for g in m.groups()]
            if template.startswith("没有选项") and groups[1]:
                options = "、".join(o.strip() for o in groups[1].split(","))
                groups[1] = f"，您是不是要用 {options}？"
            if template == "{0}：{1}" and groups[1].startswith(groups[0]):
                return groups[1]  # our message names the option already
            if "可选" in template:
                groups[2] = "、".join(c.strip().strip("'") for c in groups[2].split(","))
            if "（应" in template:
                groups[2] = describe_range(groups[2])
            if template.startswith("多余的参数") and not groups[0].strip():
                groups[0] = '""（空的参数）'
            return template.format(*groups)
    return message


def show_usage_error(exc: Any) -> None:
    if isinstance(exc, NoArgsIsHelpError):  # `evalcheck` alone: the help
        exc.show()
        return
    ctx = exc.ctx
    if ctx is not None:
        typer.echo(ctx.get_usage().replace("Usage: ", "用法："), err=True)
    where = ctx.command_path if ctx is not None else "evalcheck"
    typer.echo(f"错误：{translate_usage(exc.format_message())}（查看帮助：{where} -h）", err=True)
