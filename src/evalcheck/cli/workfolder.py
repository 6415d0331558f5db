"""init: a work folder for one year's evaluation (see workfolder.py)."""

import os
import re
import shlex
from pathlib import Path
from typing import Annotated, Any

import typer

from evalcheck.cli.frame import CliCommand
from evalcheck.cli.shared import app, ctx_env, echo


@app.command(cls=CliCommand)
def init(
    ctx: typer.Context,
    folder: Annotated[
        Path,
        typer.Argument(help="要建立的工作文件夹，默认为当前文件夹。", show_default=False),
    ] = Path("."),
) -> None:
    """建立一年测评的工作文件夹：一份可以直接修改的清单，以及放答案、科室表格和佐证材料的位置。

    清单从当前使用的清单复制（默认为随程序附带的清单；用 --checklist 文件 指定别的）。
    在这个文件夹里运行的命令会自动使用其中的 indicators.yaml。已有的文件不会被改动。

    \b
    示例：evalcheck init 2021测评
    示例：evalcheck init 2022测评 --checklist 2022.yaml
    """
    from evalcheck.answers.workfolder import create_work_folder
    from evalcheck.model.loading import locate_checklist

    source = locate_checklist(ctx_env(ctx).checklist_option)
    made = create_work_folder(folder, source.path)
    echo(_report(folder, made, source))


def _report(folder: Path, made: Any, source: Any) -> str:
    """What init made, and what to do next."""
    from evalcheck.answers.paths import DEFAULT_ANSWERS
    from evalcheck.answers.workfolder import EVIDENCE_DIR, FORMS_DIR
    from evalcheck.model.loading import WORK_CHECKLIST
    from evalcheck.views.render import text_width

    here = folder.resolve() == Path.cwd().resolve()
    name = "当前文件夹" if here else str(folder)
    origin = "附带的清单" if source.origin == "bundled" else f" {source.path}"
    what = {  # short lines: they fit a 60-column terminal
        WORK_CHECKLIST: f"清单（复制自{origin}），可直接修改",
        f"{FORMS_DIR}/": "发给各科室的填报表",
        f"{EVIDENCE_DIR}/": "佐证材料",
    }
    if made.folder_created:
        head = f"已建立工作文件夹 {folder}："
    elif any(e.created for e in made.entries):
        head = f"已在{name if here else f' {name} '}建立工作文件夹："
    else:
        head = f"{name if here else f'{name} '}已是工作文件夹，未做任何改动："
    lines = [head]
    for entry in made.entries:
        lines.append(f"  {entry.name}：{what[entry.name] if entry.created else '已存在，未改动'}")
    answers = folder / DEFAULT_ANSWERS
    if not answers.exists():
        lines.append(f"  {DEFAULT_ANSWERS}：答案（第一次填报时建立）")
    lines.append("下一步：")
    if not here:
        lines.append(f"  cd {folder}")
    steps = [("evalcheck validate", "检查清单（每次修改后）")]
    example = made.example  # from the checklist in use: its ids and sections
    if example.section is not None:
        steps.append((f"evalcheck list -s {_arg(example.section)}", "一个科室的指标"))
    if example.answer is not None:
        ident, value = example.answer
        steps.append((f"evalcheck answer {ident} --value {value}", "填报一项"))
    steps.append((f"evalcheck export --split {FORMS_DIR}", "导出各科室填报表"))
    if example.units:
        steps.append(("evalcheck export --units 单位表格", "导出各单位（区县）填报表"))
    pad = max(text_width(cmd) for cmd, _ in steps) + 2
    lines += [f"  {cmd}{' ' * (pad - text_width(cmd))}{why}" for cmd, why in steps]
    where = name if here else f" {name} "
    lines.append(f"在{where}中运行的命令都使用其中的 {WORK_CHECKLIST}。")
    return "\n".join(lines)


def _arg(text: str) -> str:
    """A name as typed on a command line: in double quotes when it has spaces or characters
    a shell reads (a section named 'A B' or '综合科(一)'); in single quotes on Linux and macOS
    when it has one that a POSIX shell still reads inside double quotes ('$', '`', '\\', '"',
    '!'), so that the suggested command finds the section as written."""
    if not re.search(r"[\s\"'$`\\&|;<>()*?!#]", text):
        return text
    if os.name != "nt" and re.search(r"[\"$`\\!]", text):
        return shlex.quote(text)
    return f'"{text}"'
