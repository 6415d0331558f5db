"""Click's frame in Chinese: help headings, the --help text, usage errors.

Typer 0.28 is pinned (pyproject.toml explains why: start-up time). It vendors Click as
`typer._click`; the only non-public names used here are that module path for
`UsageError` and the class names Click gives its usage errors.
"""

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from ..errors import EXIT_INTERRUPTED, EvalcheckError

HELP_TEXT = "显示此帮助并退出。"


# Click writes its help frame in English; these are its fixed strings.
_HELP_FRAME = (
    ("Usage: ", "用法："),
    ("\nOptions:\n", "\n选项：\n"),
    ("\nArguments:\n", "\n参数：\n"),
    ("\nCommands:\n", "\n命令：\n"),
    ("[required]", "[必填]"),
    ("[default: ", "[默认："),
)
_COMPLETION_HELP = {
    "install_completion": "为当前 shell 安装命令补全（按 Tab 补全科室、领导名称）。",
    "show_completion": "显示当前 shell 的补全脚本，以便复制或自行安装。",
}


class _ChineseHelp:
    """Help in Chinese for commands and the group: the --help option's own text and
    the headings Click writes around ours."""

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
        return params

    def get_help(self, ctx: Any) -> str:
        text: str = super().get_help(ctx)  # type: ignore[misc]
        for english, chinese in _HELP_FRAME:
            text = text.replace(english, chinese)
        return text


class _Command(_ChineseHelp, TyperCommand):
    pass


class _Group(_ChineseHelp, TyperGroup):
    """Turns every EvalcheckError into its exit code and a one-line message: the one place."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            typer.echo("\n已中断（未完成的写入不会留下半个文件）", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except EvalcheckError as exc:
            typer.echo(f"错误：{exc.message}", err=True)
            for line in exc.details[:50]:
                typer.echo(f"  - {line}", err=True)
            if len(exc.details) > 50:
                typer.echo(f"  …… 另有 {len(exc.details) - 50} 条", err=True)
            raise typer.Exit(exc.exit_code) from None


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
    (r"Missing argument '(.+)'\.", "缺少参数 {0}"),
    (r"Missing option '(.+)'\.", "缺少选项 {0}"),
    (r"Option '(.+)' requires an argument\.", "选项 {0} 需要一个值"),
    (r"Got unexpected extra arguments?(?:\(s\))? \((.+)\)", "多余的参数：{0}"),
    (
        r"Invalid value for '([^']+)'(?: / '[^']+')?: '?(.+?)'? is not one of (.+)\.",
        "{0} 不能是 {1}（可选：{2}）",
    ),
    (
        r"Invalid value for '([^']+)'(?: / '[^']+')?: (.+?) is not in the range (.+)\.",
        "{0} 不能是 {1}（应满足 {2}）",
    ),
    (
        r"Invalid value for '([^']+)'(?: / '[^']+')?: '?(.+?)'? "
        r"is not a valid int(?:eger)?(?: range)?\.",
        "{0} 应为整数，而不是 {1}",
    ),
    (r"Invalid value for '([^']+)'(?: / '[^']+')?: (.+)", "{0} 的值无效：{1}"),
]


def translate_usage(message: str) -> str:
    """Click's usage messages are English f-strings; the common ones in Chinese."""
    import re

    for pattern, template in _USAGE_MESSAGES:
        m = re.match(pattern, message.strip())
        if m:
            groups = [g or "" for g in m.groups()]
            if template.startswith("没有选项") and groups[1]:
                groups[1] = f"，您是不是要用 {groups[1]}？"
            return template.format(*groups)
    return message


def _show_usage_error(exc: Any) -> None:
    if type(exc).__name__ == "NoArgsIsHelpError":  # `evalcheck` alone: the help
        exc.show()
        return
    ctx = exc.ctx
    if ctx is not None:
        typer.echo(ctx.get_usage().replace("Usage: ", "用法："), err=True)
    where = ctx.command_path if ctx is not None else "evalcheck"
    typer.echo(f"错误：{translate_usage(exc.format_message())}（查看帮助：{where} -h）", err=True)
