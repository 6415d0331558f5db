"""The command table: every command's name, the module that registers it, its one-line help
in the command list, in the order `evalcheck --help` lists them (a year's work, start to end).

The program reads it in one place (shared.LazyGroup): `evalcheck --help` is written from
this table without importing a command module, and running a command imports only the
module named here. tests/test_startup.py checks the table against what the modules register.
"""

from importlib import import_module
from typing import NamedTuple


class Command(NamedTuple):
    name: str
    module: str  # evalcheck.cli.<module> registers it on shared.app
    help: str  # one line, shown in the command list


TABLE = (
    Command("init", "workfolder",
            "建立一年测评的工作文件夹：一份可以直接修改的清单，以及放答案、科室表格和佐证材料的位置"),
    Command("list", "commands",
            "列出指标，可按科室、领导、二级指标、题型、状态筛选（不同选项为“且”，重复为“或”）"),
    Command("show", "commands", "显示一项指标的全部信息和当前答案"),
    Command("answer", "commands", "填报一项指标的答案（按题型检查后才写入）"),
    Command("history", "commands", "显示一项指标答案的全部修改记录（值、操作人、时间）"),
    Command("undo", "commands", "撤销最近一次修改（填报、清除或一次导入）"),
    Command("status", "progress",
            "填报进度：按科室、领导、二级指标统计总数、已填报、不适用、逾期、缺佐证和完成率"),
    Command("overdue", "progress", "列出已逾期未填报的指标（按科室分组），以及即将到期的"),
    Command("remind", "progress",
            "生成分级提醒文字（可直接粘贴到工作群或邮件）：提醒、催办发给科室，督办、待审核发给领导"),
    Command("check", "progress", "检查答案之间是否一致（如 第132项 ≤ 第131项）以及自动计算的值"),
    Command("review", "review",
            "列出等待责任领导审核的答案（按领导分组）：值、填报人和时间、佐证材料数、规则提示"),
    Command("approve", "review", "责任领导审核通过答案（已审核）"),
    Command("return", "review", "责任领导退回答案（已退回），写明原因"),
    Command("evidence", "evidence", "佐证材料：收入材料库、检查、打包交给测评方"),
    Command("export", "workbooks", "导出局里附件格式的填报总表：Excel（含进度页）或 Word"),
    Command("import", "workbooks",
            "导入填好的 Excel：逐格重新检查，先列出 旧值 → 新值，"
            "再全部写入（有一格不合格则全部不写入）"),
    Command("carry", "carry", "把上年的指标对应到今年的清单，上年答案作为参考值（上年值）"),
    Command("compare", "carry", "同比：按科室列出与上年对应的指标，上年值、今年值和变化"),
    Command("rollup", "units", "单位汇总：各单位（区县、市本级）填报的指标，按规则汇总为市级的值"),
    Command("validate", "commands",
            "检查清单文件：一次列出全部错误和警告，有错误时以退出码 4 结束"),
    Command("checklist-import", "tableimport",
            "从局里的指标表生成清单 YAML：认得常见的列名、合并单元格、两行表头、分类行"),
)  # fmt: skip

# words people try as commands that are options of commands: what to type instead
AS_OPTIONS = {
    "units": "status --units、export --units、remind --units 或 rollup",
    "unit": "status --units、export --units、remind --units 或 rollup",
    "section": "list --section 科室（status、overdue、remind、export 也可按科室）",
    "owner": "list --owner 领导（review、remind、export --review 也可按领导）",
    "split": "export --split 文件夹",
    "final": "export 文件 --final",
    "previous": "list --previous 或 compare",
    "pack": "evidence pack",
}

BY_NAME = {c.name: c for c in TABLE}
# which module registers which command (name -> module)
COMMANDS = {c.name: c.module for c in TABLE}
MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def load_commands(name: str | None = None) -> None:
    """Import the module of the command `name`, or of every command when None."""
    for module in [COMMANDS[name]] if name in COMMANDS else MODULES:
        import_module(f"evalcheck.cli.{module}")
