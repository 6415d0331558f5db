"""Finding and loading the checklist file: which file a command uses, read through the
parse cache, validated (validation.py) when it is not cached."""

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from evalcheck.errors import ChecklistInvalid, DataError
from evalcheck.model.checklist import CACHEABLE, ENV_CHECKLIST, Checklist

if TYPE_CHECKING:
    from evalcheck.model.validation import Problem

# ---------------------------------------------------------------- locating the file


def bundled_checklist_path() -> Path:
    """data/indicators.yaml, shipped in the wheel as the package `evalcheck.data`."""
    import importlib

    # a package marker, mapped from the repository's data/ folder (see pyproject.toml);
    # cheaper at start-up than importlib.resources
    data = importlib.import_module("evalcheck.data")
    return Path(str(data.__file__)).with_name("indicators.yaml")


WORK_CHECKLIST = "indicators.yaml"  # the checklist of a work folder (evalcheck init)


class ChecklistSource(NamedTuple):
    """Which checklist a command uses, and why."""

    path: Path
    origin: str  # "option" (--checklist) | "env" | "folder" (./indicators.yaml) | "bundled"

    def describe(self) -> str:
        """One line for users: '清单：indicators.yaml（当前文件夹中的清单）'."""
        why = {
            "option": "由 --checklist 指定",
            "env": f"由环境变量 {ENV_CHECKLIST} 指定",
            "folder": "当前文件夹中的清单",
        }
        if self.origin == "bundled":
            return "清单：随程序附带的清单（要修改请先 evalcheck init）"
        return f"清单：{self.path}（{why[self.origin]}）"


def locate_checklist(option: str | None) -> ChecklistSource:
    """--checklist, else $EVALCHECK_CHECKLIST, else ./indicators.yaml, else the bundled file."""
    if option:
        return ChecklistSource(Path(option), "option")
    env = os.environ.get(ENV_CHECKLIST)
    if env:
        return ChecklistSource(Path(env), "env")
    here = Path(WORK_CHECKLIST)
    if here.is_file():
        return ChecklistSource(here, "folder")
    return ChecklistSource(bundled_checklist_path(), "bundled")


def resolve_checklist_path(option: str | None) -> Path:
    """The checklist file a command uses (see locate_checklist for the order)."""
    return locate_checklist(option).path


def read_checklist_bytes(path: Path) -> bytes:
    from evalcheck.infra.safepath import (
        read_regular,  # a folder, FIFO or device is refused, not read
    )

    try:
        return read_regular(path, "清单文件")
    except FileNotFoundError:
        raise DataError(f"找不到清单文件：{path}") from None


def load_checklist(path: Path) -> Checklist:
    """Load and validate; raise ChecklistInvalid listing every error.

    A checklist that validated before is taken from the parse cache (cache.py) as
    long as the file's bytes are unchanged: no YAML parsing, no validation.
    """
    from evalcheck.infra.cache import parse_cached

    raw = read_checklist_bytes(path)

    def build(text: str) -> Checklist:
        # start-up time: a cached checklist needs no validator
        from evalcheck.model.validation import validate_text

        checklist, problems = validate_text(text, path)
        errors = [p.text for p in problems if p.level == "error"]
        if errors or checklist is None:
            raise ChecklistInvalid(
                f"清单文件 {path} 有 {len(errors)} 处错误（用 evalcheck validate {path} 查看全部）",
                errors,
            )
        return checklist

    try:
        checklist: Checklist = parse_cached(
            path, raw, build, CACHEABLE, tag="checklist", proof=_is_checklist
        )
    except UnicodeDecodeError:
        raise ChecklistInvalid(f"清单文件 {path} 不是 UTF-8 编码的文本", []) from None
    if checklist.path != str(path):
        checklist = checklist.with_path(str(path))
    return checklist


def _is_checklist(found: object) -> bool:
    """A cache entry of the checklist holds a Checklist (else: parse the file again)."""
    return isinstance(found, Checklist)


def read_checklist(path: Path) -> tuple[Checklist | None, list["Problem"]]:
    """Parse and validate a checklist file; return it (if usable) and every problem."""
    from evalcheck.model.validation import Problem, validate_text

    raw = read_checklist_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, [Problem("error", f"{path} 不是 UTF-8 编码的文本")]
    return validate_text(text, path)
