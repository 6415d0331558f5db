"""The units' answers files: `单位/<单位名>/answers.yaml` beside the city's answers file.

Each unit's answers are an ordinary answers file (the same format, history and lock), so a
county that runs evalcheck itself can hand over its own file and it is dropped in here.
"""

from pathlib import Path

from evalcheck.answers.store import Answers, load_answers
from evalcheck.model.checklist import Checklist

UNITS_DIR = "单位"
UNIT_ANSWERS = "answers.yaml"


def units_root(answers_path: Path) -> Path:
    base = answers_path.parent if str(answers_path.parent) else Path(".")
    return base / UNITS_DIR


def unit_answers_path(answers_path: Path, unit: str) -> Path:
    """单位/沙坡头区/answers.yaml beside the city's answers file."""
    return units_root(answers_path) / unit / UNIT_ANSWERS


def load_unit_answers(answers_path: Path, checklist: Checklist) -> dict[str, Answers]:
    """Every unit's answers (an empty set of answers for a unit with no file yet)."""
    plan = checklist.units
    if plan is None:
        return {}
    return {
        name: load_answers(unit_answers_path(answers_path, name), checklist) for name in plan.names
    }
