"""One registry of answer kinds: a kind registered in one place is everywhere at once.

The test registers a dummy kind (金额, money) only in REGISTRY and finds it in the
`--kind` help, `list`'s columns and filter, a section's form and a leader's review
workbook: nothing else in the program knows the kinds by name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from evalcheck.errors import ValueRefused
from evalcheck.model import kinds
from evalcheck.model.kinds import REGISTRY, Kind

ROOT = Path(__file__).resolve().parents[1]
MONEY_FORMAT = '#,##0.00"元"'


def _parse_money(ind: kinds.Spec, items: Sequence[str]) -> kinds.Value:
    text = kinds.normalize(items[0]).removesuffix(ind.unit or "元").strip()
    try:
        return round(float(text), 2)
    except ValueError:
        raise ValueRefused(f"第{ind.id}项（金额）不接受“{items[0]}”：应为金额") from None


MONEY = Kind(
    "金额",
    _parse_money,
    lambda ind, v: f"{v:.2f} {ind.unit or '元'}",
    lambda ind: "1234.50",
    lambda v: isinstance(v, float),
    lambda ind, v: v,
    lambda ind: None,
    number_format=MONEY_FORMAT,
    numeric=True,
    default_range=(0, None),
)


def register() -> None:
    """The one place the dummy kind is defined into the program (also for a subprocess)."""
    REGISTRY["money"] = MONEY


@pytest.fixture()
def money(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setitem(REGISTRY, "money", MONEY)
    checklist = tmp_path / "c.yaml"
    checklist.write_text(
        "title: 测试清单\nyear: 2021\ndue: 2021-09-15\nreview: true\ncategories: [甲类]\n"
        "indicators:\n"
        "  - {id: 1, category: 甲类, text: 事项总数？, owner: 张三, section: 一科, kind: count}\n"
        "  - {id: 2, category: 甲类, text: 减免金额？, owner: 张三, section: 一科, kind: money}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EVALCHECK_CHECKLIST", str(checklist))
    return checklist


def test_the_dummy_kind_is_in_list_columns_and_filters(money: Path, run) -> None:
    assert run("validate").exit_code == 0
    answered = run("answer", "2", "--value", "1234.5", "--by", "李四")
    assert answered.exit_code == 0, answered.output
    rows = json.loads(run("list", "--kind", "金额", "--format", "json").stdout)
    assert [(r["id"], r["kind"], r["answer"]["value"], r["answer"]["display"]) for r in rows] == [
        (2, "money", 1234.5, "1234.50 元")
    ]
    table = run("list", "--kind", "money", "--format", "csv").stdout.splitlines()
    assert len(table) == 2 and ",金额," in table[1] and "1234.50 元" in table[1]  # its label
    shown = run("show", "2").stdout
    assert "金额（money）" in shown
    refused = run("answer", "2", "--value", "很多")
    assert refused.exit_code != 0 and "第2项（金额）不接受“很多”" in refused.output


def _value_cell(path: Path, sheet: str, header: str, ident: int) -> Any:
    ws = openpyxl.load_workbook(path)[sheet]
    for r in range(1, ws.max_row + 1):
        headers = [c.value for c in ws[r]]
        if header in headers:
            col = headers.index(header) + 1
            row = next(n for n in range(r + 1, ws.max_row + 1) if ident in [c.value for c in ws[n]])
            return ws.cell(row, col)
    raise AssertionError(f"no header {header} in {path}")


def test_the_dummy_kind_reaches_forms_and_review_workbooks(money: Path, run, tmp_path) -> None:
    run("answer", "2", "--value", "1234.5", "--by", "李四")
    assert run("export", "--split", "forms").exit_code == 0
    form = next((tmp_path / "forms").iterdir())
    cell = _value_cell(form, "测评指标", "填报值", 2)
    assert (cell.value, cell.number_format) == (1234.5, MONEY_FORMAT)
    prompts = {
        dv.prompt for dv in openpyxl.load_workbook(form)["测评指标"].data_validations.dataValidation
    }
    assert any(p and p.startswith("金额。例如：1234.50") for p in prompts)
    assert run("export", "--review", "审核表").exit_code == 0
    book = next((tmp_path / "审核表").iterdir())
    cell = _value_cell(book, "审核", "填报值", 2)
    assert (cell.value, cell.number_format) == (1234.5, MONEY_FORMAT)


def test_the_dummy_kind_is_in_the_kind_help() -> None:
    """`--kind` help is built when the command module loads: register first, as a program
    that adds a kind would, then ask the command line for help."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from tests.test_kind_registry import register\n"
        "register()\n"
        "from evalcheck.cli import main\n"
        "main()\n"
    )
    env = {**os.environ, "COLUMNS": "200", "EVALCHECK_WIDTH": "200"}
    out = subprocess.run(
        [sys.executable, "-c", code, "list", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "money（金额）" in out.stdout
    for name, kind in REGISTRY.items():
        assert f"{name}（{kind.label}）" in out.stdout  # number too (it was missing)


def test_checklist_and_mapping_refusals_list_every_registered_kind() -> None:
    assert "number（数值）" in kinds.listing() and "money" not in kinds.listing()
    assert kinds.is_numeric("number") and not kinds.is_numeric("text")
