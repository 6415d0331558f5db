"""The units' answers files: `单位/<单位名>/answers.yaml` beside the city's answers file.

Each unit's answers are an ordinary answers file (the same format, history and lock), so a
county that runs evalcheck itself can hand over its own file and it is dropped in here.
"""

from collections.abc import Callable
from pathlib import Path

from evalcheck.answers.store import Answers, load_answers
from evalcheck.errors import InputError
from evalcheck.model.checklist import Checklist
from evalcheck.model.entity import replace

UNITS_DIR = "单位"
UNIT_ANSWERS = "answers.yaml"


def units_root(answers_path: Path) -> Path:
    base = answers_path.parent if str(answers_path.parent) else Path(".")
    return base / UNITS_DIR


def unit_answers_path(answers_path: Path, unit: str) -> Path:
    """单位/沙坡头区/answers.yaml beside the city's answers file."""
    return units_root(answers_path) / unit / UNIT_ANSWERS


def unit_of(answers_path: Path, checklist: Checklist) -> str | None:
    """The unit whose answers file `answers_path` is (单位/<单位名>/answers.yaml, the unit
    one of the checklist's), else None: the city's."""
    plan = checklist.units
    if plan is None or not looks_like_a_units(answers_path):
        return None
    name = Path(answers_path).absolute().parent.name
    return name if name in plan.names else None


def looks_like_a_units(answers_path: Path) -> bool:
    """Whether the file is 单位/<名称>/answers.yaml (however the path is written: from
    inside 单位/沙坡头区 it is just answers.yaml); no checklist needed to tell."""
    path = Path(answers_path).absolute()
    return path.name == UNIT_ANSWERS and path.parent.parent.name == UNITS_DIR


def city_only_error(answers_path: Path, unit: str, command: str) -> InputError:
    return InputError(
        f"{answers_path} 是单位“{unit}”的答案文件，evalcheck {command} 是市级的命令：请在市级的"
        "工作文件夹里运行（不带 --answers）。单位自己的值用 answer、show、list、history、undo、"
        "evidence 填写和查看；各单位的进度：evalcheck status --units"
    )


def refuse_a_units_file(
    answers_path: Path, checklist: Callable[[], Checklist], command: str
) -> None:
    """The city's commands (over its whole list, its leaders and its units) are refused on
    one unit's file (`--answers 单位/中宁县/answers.yaml`), which answer, show, list,
    history, undo and evidence fill in and show. The checklist is read only for a file in
    a units folder."""
    if looks_like_a_units(answers_path):
        unit = unit_of(answers_path, checklist())
        if unit is not None:
            raise city_only_error(answers_path, unit, command)


def as_answered(checklist: Checklist, answers_path: Path) -> Checklist:
    """The checklist as the answers file `answers_path` is filled: a unit's own file
    (`--answers 单位/中宁县/answers.yaml`) as the unit sees it (its deadline, no leaders'
    sign-off: a county's value is never 待审核 under a city leader), else the checklist."""
    return unit_checklist(checklist) if unit_of(answers_path, checklist) else checklist


def load_unit_answers(answers_path: Path, checklist: Checklist) -> dict[str, Answers]:
    """Every unit's answers (an empty set of answers for a unit with no file yet)."""
    from evalcheck.infra import notices

    plan = checklist.units
    if plan is None:
        return {}
    found = {
        name: load_answers(unit_answers_path(answers_path, name), checklist) for name in plan.names
    }
    for name, answers in found.items():  # as the city's own are said (cli Env)
        for ident, why in sorted(answers.misfits.items()):
            notices.warn(
                f"{name}的答案文件中第{ident}项的答案与清单不符，已保留未改动，"
                f"汇总时按未报送计：{why}"
            )
    return found


def unit_checklist(checklist: Checklist) -> Checklist:
    """The checklist as a unit sees it: the collected indicators due by `units_due` (when
    the checklist sets one), and no leaders' sign-off (leaders review the city's answers).
    The same title and year, so a unit's answers file belongs to the city's checklist."""
    plan = checklist.units
    if plan is None:
        return checklist
    due = plan.due
    indicators = tuple(
        replace(i, due=due, due_text=None) if due is not None and plan.is_collected(i.id) else i
        for i in checklist.indicators
    )
    fields = dict(
        zip(Checklist.FIELDS, (getattr(checklist, f) for f in Checklist.FIELDS), strict=True)
    )
    fields.update(indicators=indicators, review=False)
    return Checklist(**fields)
