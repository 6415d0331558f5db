"""The Typer app, what every command shares (the loaded files, common options), and main().

No `from __future__ import annotations` in the CLI: Typer would then evaluate every
annotation string at start-up (about 20 ms on this CLI).
"""

import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evalcheck.answers.paths import resolve_answers_path
from evalcheck.answers.store import Answers, load_answers, transaction
from evalcheck.cli.frame import (
    CliGroup,
    hoist_global_options,
    show_usage_error,
    usage_checked,
)
from evalcheck.errors import (
    EXIT_INTERRUPTED,
    EvalcheckError,
    InputError,
    SettingProblem,
    UsageProblem,
)
from evalcheck.infra import notices
from evalcheck.model.checklist import ENV_CHECKLIST, Checklist
from evalcheck.model.loading import load_checklist, resolve_checklist_path
from evalcheck.views import render

if TYPE_CHECKING:
    from evalcheck.state.select import Filters
    from evalcheck.state.snapshot import Snapshot


class Fmt(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ShowFmt(StrEnum):
    text = "text"
    json = "json"


class LazyGroup(CliGroup):
    """The program's command group, read off the command table (table.py).

    Click asks a group for its command names (`list_commands`) and for one command by
    name (`get_command`); both consult the table, so a run imports only the module of the
    command it runs, and the command list is written from the table without importing
    any (`format_commands`). A command module registers its commands on `app` as usual;
    Typer turns the one being run into a Click command here.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        from evalcheck.cli.table import TABLE

        names = [c.name for c in TABLE]
        return names + [n for n in self.commands if n not in names]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        cmd = self.commands.get(cmd_name)
        if cmd is None:
            cmd = _build_command(cmd_name)
            if cmd is not None:
                self.add_command(cmd, cmd_name)
        return cmd

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        from evalcheck.cli.table import BY_NAME, TABLE

        rows = [(c.name, c.help) for c in TABLE]
        rows += [
            (name, cmd.get_short_help_str())
            for name, cmd in self.commands.items()
            if name not in BY_NAME and not cmd.hidden
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _build_command(name: str) -> Any:
    """The Click command `name`: its module imported (table.py), then built by Typer from
    what the module registered on `app`. None for a name no module registers."""
    import typer.main

    from evalcheck.cli.table import BY_NAME, load_commands

    if name not in BY_NAME:
        return None
    load_commands(name)
    for info in app.registered_commands:
        callback_name = info.callback.__name__ if info.callback else ""
        if (info.name or typer.main.get_command_name(callback_name)) == name:
            return typer.main.get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    for group in app.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                suggest_commands=app.suggest_commands,
                rich_markup_mode=app.rich_markup_mode,
            )
    return None


app = typer.Typer(
    cls=LazyGroup,
    name="evalcheck",
    help="营商环境测评指标责任清单：查看、填报、进度、逾期、一致性检查，导出/导入 Excel。",
    epilog="示例：evalcheck list --section 审批监管科 · evalcheck answer 47 --value 312 · "
    "evalcheck export report.xlsx",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Env:
    """What every command needs: the checklist and answers, loaded once, lazily."""

    def __init__(self, checklist_option: str | None, answers_option: str | None) -> None:
        self.checklist_option = checklist_option
        self.answers_option = answers_option
        self._checklist: Checklist | None = None
        self._warned = False
        self._orphans_said = False

    @property
    def checklist(self) -> Checklist:
        if self._checklist is None:
            checklist = load_checklist(resolve_checklist_path(self.checklist_option))
            if checklist.units is not None:  # a unit's own file is read as the unit's
                from evalcheck.answers.units import as_answered

                checklist = as_answered(checklist, self.answers_path)
            self._checklist = checklist
        return self._checklist

    @property
    def answers_path(self) -> Path:
        return resolve_answers_path(self.answers_option)

    def answers(self) -> Answers:
        self._warn_sharing(writing=False)
        return self._warn_orphans(load_answers(self.answers_path, self.checklist))

    def saved(self) -> Answers:
        """The answers as saved, for a writing command to see, without the lock, whether
        it would change anything: the warnings are the ones a write says (once)."""
        self._warn_sharing(writing=True)
        return self._warn_orphans(load_answers(self.answers_path, self.checklist))

    def snapshot(self, today: str | None = None) -> "Snapshot":
        """The state of every indicator (snapshot.py): what every view reads."""
        from evalcheck.state.deadlines import parse_today
        from evalcheck.state.snapshot import previous_for, take

        answers = self.answers()  # first: an answers file of another checklist says so
        previous = previous_for(self.answers_path, self.checklist)  # after `carry`
        return take(self.checklist, answers, parse_today(today), previous)

    @contextmanager
    def writing(self) -> Iterator[Answers]:
        """Lock, load, change, save atomically (see store.transaction)."""
        self._warn_sharing(writing=True)
        path = self.answers_path
        new = not path.exists()
        with transaction(path, self.checklist) as answers:
            yield self._warn_orphans(answers)
        if new and path.exists():
            self._stray_note(path)

    def _stray_note(self, path: Path) -> None:
        """A new answers file outside a work folder: say where it went (stderr)."""
        import os

        from evalcheck.answers.paths import ENV_ANSWERS
        from evalcheck.answers.workfolder import stray_answers_note
        from evalcheck.model.loading import locate_checklist

        chosen = bool(self.answers_option or os.environ.get(ENV_ANSWERS))
        source = locate_checklist(self.checklist_option).origin
        note = stray_answers_note(path, chosen=chosen, checklist_source=source)
        if note:
            typer.echo(note, err=True)

    def _warn_sharing(self, *, writing: bool) -> None:
        """Sync folder, conflict copies, long path: said once per command."""
        if self._warned:
            return
        self._warned = True
        from evalcheck.infra.sharing import sharing_warnings

        for text in sharing_warnings(self.answers_path, writing=writing):
            warn(text)

    def _warn_orphans(self, answers: Answers) -> Answers:
        """Answers the checklist does not take (misfits, orphans): said once per command."""
        if self._orphans_said:
            return answers
        self._orphans_said = True
        for ident, why in sorted(answers.misfits.items()):
            typer.echo(
                f"注意：答案文件中第{ident}项的答案与当前清单不符，已保留未改动，"
                f"也不参与统计和计算：{why}",
                err=True,
            )
        if answers.orphans:
            ids = "、".join(map(str, answers.orphans))
            typer.echo(
                f"注意：答案文件中第 {ids} 项不在当前清单中，已保留未删除"
                f"（清单：{self.checklist.path}）",
                err=True,
            )
        return answers


def refuse_unused(ctx: typer.Context, names: Sequence[str], target: str, why: str) -> None:
    """Options (by parameter name) that `target` has no use for: given on the command line,
    a usage error (exit 2) that names them and says `why` ({these}: 这个选项/这些选项),
    never silently ignored."""
    given = [
        max(p.opts, key=len)
        for p in ctx.command.params
        if p.name is not None
        and p.name in names
        and (source := ctx.get_parameter_source(p.name)) is not None
        and source.name in ("COMMANDLINE", "ENVIRONMENT")
    ]
    if given:
        these = "这些选项" if len(given) > 1 else "这个选项"
        raise UsageProblem(
            f"{'、'.join(given)} 不能与 {target} 同时使用：{why.format(these=these)}"
        )


def ctx_env(ctx: typer.Context) -> Env:
    env = ctx.find_object(Env)
    assert env is not None
    if ctx.command.name in CITY_ONLY:  # not on one unit's file
        from evalcheck.answers.units import refuse_a_units_file

        refuse_a_units_file(env.answers_path, lambda: env.checklist, ctx.command.name)
    return env


CITY_ONLY = {"status", "overdue", "remind", "export", "rollup", "compare", "import", "carry"}
CITY_ONLY |= {"review"}  # the commands over the city's whole list, leaders and units


def _show_version(value: bool) -> None:
    if value:
        import platform

        from evalcheck import __version__
        from evalcheck.infra.optional import report

        typer.echo(f"evalcheck {__version__}")
        typer.echo(
            f"Python {platform.python_version()}（{platform.system()} {platform.machine()}）"
        )
        typer.echo("可选组件：")
        for line in report():
            typer.echo(line)
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    checklist: Annotated[
        str | None,
        typer.Option(
            "--checklist",
            envvar="EVALCHECK_CHECKLIST",
            show_envvar=False,
            help="清单文件（YAML），也可用环境变量 EVALCHECK_CHECKLIST。"
            "默认为当前文件夹中的 indicators.yaml，没有时用随程序附带的 2021 年清单。",
            show_default=False,
        ),
    ] = None,
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            envvar="EVALCHECK_ANSWERS",
            show_envvar=False,
            help="答案文件，也可用环境变量 EVALCHECK_ANSWERS。默认为当前目录下的 answers.yaml。",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="显示版本号并退出。",
            is_eager=True,
            callback=_show_version,
        ),
    ] = False,
) -> None:
    """营商环境测评指标责任清单工具。"""
    _refuse_blank_settings()
    notices.set_sink(warn)
    render.plain_tables(False)  # set again by a command whose output goes to a file
    env = ctx.obj = Env(checklist, answers)
    _protect_inputs(env)


def _refuse_blank_settings() -> None:
    """A file or folder setting that is only spaces (EVALCHECK_ANSWERS=" ") is a usage
    error, as `--answers " "` is: it named a file called " " (an empty one is unset)."""
    import os

    from evalcheck.answers.paths import ENV_ANSWERS, ENV_EVIDENCE_DIR

    for var in (ENV_CHECKLIST, ENV_ANSWERS, ENV_EVIDENCE_DIR):
        raw = os.environ.get(var)
        if raw and not raw.strip():
            raise SettingProblem(
                f"环境变量 {var} 只有空格：请写出文件或文件夹的名字，或删除这个环境变量"
            )


def _protect_inputs(env: Env) -> None:
    """No output of this run may replace a file the year's work keeps (outputguard.py)."""
    from evalcheck.infra import outputguard

    def files() -> list[tuple[Path, str]]:
        from evalcheck.answers.store import kept_files

        return [
            *kept_files(env.answers_path),
            (resolve_checklist_path(env.checklist_option), "清单文件"),
        ]

    def folders() -> list[tuple[Path, str]]:
        from evalcheck.answers.paths import store_root

        return [(store_root(env.answers_path), "佐证材料库")]

    outputguard.reset()
    outputguard.keep(files, folders)


# ---------------------------------------------------------------- completion


def completer(attr: str) -> Any:
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        try:
            params = ctx.find_root().params
            cl = load_checklist(resolve_checklist_path(params.get("checklist")))
        except EvalcheckError:
            return []
        names: list[str] = list(getattr(cl, attr))
        return [n for n in names if n.startswith(incomplete)]

    return complete


# ---------------------------------------------------------------- shared options

SectionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--section",
        "-s",
        help="责任科室，可重复（任一即可）。",
        autocompletion=completer("sections"),
    ),
]
OwnerOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--owner", "-o", help="责任领导，可重复（任一即可）。", autocompletion=completer("owners")
    ),
]
FormatOpt = Annotated[
    Fmt, typer.Option("--format", "-f", help="输出格式：table（表格）、json 或 csv。")
]
ListFormatOpt = Annotated[
    Fmt | None,
    typer.Option(
        "--format",
        "-f",
        help="输出格式：table（表格，默认）、json 或 csv；--output 文件名以 .csv 或 .json "
        "结尾时不写也按它写出。",
        show_default=False,
    ),
]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="把这一天当作今天（YYYY-MM-DD），用于复现报告。",
        show_default=False,
        callback=usage_checked(lambda v: _parse_today(v)),
    ),
]
UnitsFlag = Annotated[
    bool, typer.Option("--units", help="按填报单位（区县、市本级）查看，见 evalcheck rollup。")
]
ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="填报人，默认为环境变量 EVALCHECK_USER，未设置时为当前登录用户名。",
        show_default=False,
    ),
]
ActorOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="操作人（记入修改记录；不改变答案的填报人），默认为环境变量 EVALCHECK_USER，"
        "未设置时为当前登录用户名。",
        show_default=False,
    ),
]


def _to_file(output: Path | None) -> Path | None:
    """--output given: tables are written as tab-separated text, as for a pipe."""
    if output is not None:
        render.plain_tables()
    return output


ToFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        help="写入此文件而不是屏幕（UTF-8 带 BOM，Excel 和记事本可直接打开）；以 .csv 或 .json "
        "结尾时写 CSV 或 JSON，其他为制表符分隔的文字。",
        show_default=False,
        callback=_to_file,
    ),
]


ForceOutOpt = Annotated[
    bool,
    typer.Option("--force", help="--output 的文件已存在时覆盖它（答案文件、清单等仍不能覆盖）。"),
]


def refuse_existing(output: Path | None, force: bool) -> None:
    """An existing --output file is replaced only with --force (nothing written otherwise);
    a folder is refused first, as an export's file is (exit 3, with or without --force)."""
    if output is not None:
        from evalcheck.infra.outputguard import refuse_folder

        refuse_folder(output, "输出.csv")
    if output is not None and not force and (output.exists() or output.is_symlink()):
        raise InputError(f"{output} 已存在，未做修改；确认要覆盖请加 --force（或换一个文件名）")


def filters_of(cl: Checklist, **given: Any) -> "Filters":
    """Filters from options as typed (None for an option not given), names resolved."""
    from evalcheck.state.select import Filters, resolve_filters

    raw: dict[str, Any] = {
        k: v if isinstance(v, bool) else tuple(v or ()) for k, v in given.items()
    }
    return resolve_filters(cl, Filters(**raw))


def _parse_today(raw: str) -> Any:
    from evalcheck.state.deadlines import parse_today

    return parse_today(raw)


def echo(text: str) -> None:
    typer.echo(text)


def warn(text: str) -> None:
    """A warning the command goes on after: one line on stderr."""
    typer.echo(f"注意：{text}", err=True)


def emit_output(
    text: str, *, kind: str = "text", output: Path | None = None, force: bool = False
) -> None:
    """Print a listing, or write it to --output (see render.emit): an existing file only
    with --force, and never a file the tool reads or keeps (outputguard.py)."""
    from evalcheck.views import render

    if output is not None:
        from evalcheck.infra.outputguard import refuse_onto_input

        refuse_onto_input(output)  # before the existence check: --force cannot help here
        refuse_existing(output, force)
        from evalcheck.infra.winnames import long_path_warnings

        for w in long_path_warnings(output):
            warn(w)
    done = render.emit(text, kind=kind, output=output)
    if done:
        typer.echo(done, err=True)


def writer_name(by: str | None) -> str:
    """Who writes: --by, else EVALCHECK_USER, else the login name."""
    from evalcheck.answers.paths import current_user

    return by.strip() if by and by.strip() else current_user()


def by_note(who: str, by: str | None, what: str = "填报人") -> str:
    """'填报人：张三' ('操作人：张三' for a change that keeps the answer's filler: evidence,
    undo), shown on every write; a hint on stderr when the name is a shared PC's login
    (Administrator, user, lenovo …) rather than a person's."""
    from evalcheck.answers.paths import ENV_USER, is_generic_user

    if not by and is_generic_user(who):
        warn(
            f"填报人记为“{who}”，这是电脑的登录名；请用 --by 姓名，"
            f"或设置环境变量 {ENV_USER}=姓名（Windows：setx {ENV_USER} 张三）"
        )
    return f"{what}：{who}"


MAX_DAYS = 36500  # a hundred years: beyond it a number of days is a typo


def parse_days(raw: str | int) -> int:
    """--within/--soon/--escalate/--review-days: whole days from 0 to MAX_DAYS, written in
    0–9 (full-width too); other scripts' digits are refused as in ids and values."""
    from evalcheck.model.kinds import FOREIGN_DIGIT, foreign_digit, normalize

    if isinstance(raw, int):
        return raw  # the default
    ch = foreign_digit(raw)
    if ch is not None:
        raise typer.BadParameter(FOREIGN_DIGIT.format(ch))
    t = normalize(raw)
    if not re.fullmatch(r"\+?[0-9]{1,9}", t) or int(t) > MAX_DAYS:
        shown = raw if len(raw) <= 20 else raw[:20] + "……"
        raise typer.BadParameter(f"应为 0 到 {MAX_DAYS} 之间的整数天数，而不是“{shown}”")
    return int(t)


def parse_id(raw: str) -> int:
    from evalcheck.model.kinds import FOREIGN_DIGIT, foreign_digit, normalize

    shown = raw if len(raw) <= 40 else raw[:20] + "……"
    ch = foreign_digit(raw)
    if ch is not None:
        raise InputError(f"题号“{shown}”中的{FOREIGN_DIGIT.format(ch)}，例如 47")
    t = normalize(raw).lstrip("#第").rstrip("项")
    if not re.fullmatch(r"[0-9]+", t):
        raise InputError(f"题号应为数字，例如 47，而不是“{shown}”")
    if len(t) > 9:  # and int() below Python's digit limit
        raise InputError(f"题号 {t[:12]}…… 过大：题号是清单中的编号，例如 47")
    return int(t)


def main() -> None:
    from evalcheck.infra.oscompat import configure_streams

    # the console's code page when redirected on Windows, else UTF-8 (oscompat)
    configure_streams()
    from evalcheck.cli.guard import refuse_undecodable, run_guarded

    refuse_undecodable(sys.argv[1:])
    sys.exit(run_guarded(_run))


def _run() -> int:
    from evalcheck.cli.click_compat import UsageError

    args = hoist_global_options(sys.argv[1:])
    try:
        rv = app(args=args, prog_name="evalcheck", standalone_mode=False)
    except UsageError as exc:
        show_usage_error(exc)
        return exc.exit_code
    except typer.Abort:
        typer.echo("\n已中断", err=True)
        return EXIT_INTERRUPTED
    return rv if isinstance(rv, int) else 0
