"""No output ever shows a value that is not final as if it were (issue 24): a hypothesis
state machine answers, imports, approves, returns, undoes and carries to next year in a
work folder with review on, keeps its own model of each answer's stage, and checks `list`, `status`, the xlsx
total table, the Word attachment and `export --final` against that model.

Bounded (a few short runs) and marked slow: every step runs the real commands.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from typer.testing import CliRunner

from evalcheck.cli import app

pytestmark = pytest.mark.slow

OWNER = "万富春"  # the leader of every indicator used here
FILLER = "科室甲"
# plain answers, and the inputs of two derived values (133 = 132/131, 136 = 135/134)
PLAIN = (30, 38, 47)
INPUTS = {133: (131, 132), 136: (134, 135)}
IDS = (*PLAIN, 131, 132, 134, 135)
MARKS = ("（待审核）", "（已退回）")


def value_for(ident: int, n: int) -> int:
    """A new value each time, keeping 132 <= 131 and 135 <= 134 (no rule is broken)."""
    if ident in (131, 134):
        return 1000 + n
    if ident in (132, 135):
        return 1 + n % 900
    return n


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(dir=Path.cwd()))
        os.chdir(self.folder)
        self.runner = CliRunner()
        self.model: dict[int, str | None] = dict.fromkeys(
            IDS
        )  # None | pending | approved | returned
        self.undo: list[dict[int, str | None]] = []
        self.n = 0
        self.carried = 0
        assert self.run("init").exit_code == 0

    def run(self, *args: str) -> Any:
        return self.runner.invoke(app, list(args), catch_exceptions=False)

    def changed(self) -> None:
        self.undo.append(dict(self.model))

    # ------------------------------------------------------------ what the model says

    def final(self, ident: int) -> bool:
        if ident in INPUTS:
            return all(self.model[i] == "approved" for i in INPUTS[ident])
        return self.model[ident] == "approved"

    def shown(self, ident: int) -> bool:
        """Has a value to show (a derived one once both inputs are answered)."""
        if ident in INPUTS:
            return all(self.model[i] is not None for i in INPUTS[ident])
        return self.model[ident] is not None

    # ------------------------------------------------------------ rules

    @rule(ident=st.sampled_from(IDS))
    def answer(self, ident: int) -> None:
        self.n += 1
        r = self.run("answer", str(ident), "--value", str(value_for(ident, self.n)), "--by", FILLER)
        assert r.exit_code == 0, r.output
        self.changed()
        self.model[ident] = "pending"

    @rule(ident=st.sampled_from(IDS))
    def approve(self, ident: int) -> None:
        r = self.run("approve", str(ident), "--by", OWNER)
        if self.model[ident] == "pending":
            assert r.exit_code == 0, r.output
            self.changed()
            self.model[ident] = "approved"
        else:
            assert r.exit_code == 3, r.output  # refused: nothing written

    @rule(ident=st.sampled_from(IDS))
    def give_back(self, ident: int) -> None:
        r = self.run("return", str(ident), "--reason", "请核实", "--by", OWNER)
        if self.model[ident] in ("pending", "approved"):
            assert r.exit_code == 0, r.output
            self.changed()
            self.model[ident] = "returned"
        else:
            assert r.exit_code == 3, r.output

    @precondition(lambda self: bool(self.undo))
    @rule()
    def undo_last(self) -> None:
        r = self.run("undo")
        assert r.exit_code == 0, r.output
        self.model = self.undo.pop()

    @rule(ident=st.sampled_from(IDS))
    def import_table(self, ident: int) -> None:
        """Someone types a new value into the exported total table, which is imported."""
        import openpyxl

        assert (
            self.run("export", "table.xlsx", "--force").exit_code == 0
        )  # the last one: typed into
        wb = openpyxl.load_workbook("table.xlsx")
        ws = wb["测评指标"]
        row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == ident)
        self.n += 1
        ws.cell(row, 7).value = value_for(ident, self.n)
        wb.save("table.xlsx")
        r = self.run("import", "table.xlsx", "--by", FILLER)
        assert r.exit_code == 0, r.output
        self.changed()
        self.model[ident] = "pending"

    @precondition(lambda self: any(v is not None for v in self.model.values()))
    @rule()
    def carry_to_next_year(self) -> None:
        """Next year's folder carries this year's answers: only final ones are prefilled (as
        待审核 there), and 上年值 marks the returned and unreviewed ones."""
        self.carried += 1
        here = Path.cwd()
        nxt = here / f"next{self.carried}"
        nxt.mkdir()
        os.chdir(nxt)
        try:
            assert self.run("init").exit_code == 0
            old = ["--from-checklist", str(here / "indicators.yaml")]
            mapped = self.run("carry", *old, "--from-answers", str(here / "answers.yaml"))
            assert mapped.exit_code == 0, mapped.output
            prefill = self.run("carry", "--prefill", "--by", FILLER)
            assert prefill.exit_code == 0, prefill.output
            rows = {r["id"]: r for r in json.loads(self.run("list", "--format", "json").stdout)}
            for i in IDS:
                stage = self.model[i]
                value, previous = rows[i]["answer"]["value"], rows[i]["previous"]["display"]
                assert (value is not None) == (stage == "approved"), (i, value, self.model)
                assert rows[i]["answer"]["final"] is False, i  # prefilled: 待审核 this year
                if stage == "returned":
                    assert previous.endswith("（上年已退回）"), (i, previous)
                elif stage == "pending":
                    assert previous.endswith("（上年未审核）"), (i, previous)
                else:
                    assert "（上年" not in previous, (i, previous)
        finally:
            os.chdir(here)

    @rule()
    def exports_tell_the_truth(self) -> None:
        from .readback import CalamineWorkbook

        assert self.run("export", "work.xlsx").exit_code == 0
        if WORD:  # Word is an optional part (absent on a PC without lxml wheels)
            assert self.run("export", "work.docx").exit_code == 0
        final = self.run("export", "final.xlsx", "--final", "--allow-incomplete")
        assert final.exit_code == 0, final.output
        grids = {}
        for name in ("work.xlsx", "final.xlsx"):
            rows = CalamineWorkbook.from_path(name).get_sheet_by_name("测评指标").to_python()
            grids[name] = {int(r[1]): r[6] for r in rows[3:] if isinstance(r[1], float)}
        word = docx_values("work.docx") if WORD else {}
        for i in (*IDS, *INPUTS):
            work, fin = grids["work.xlsx"][i], grids["final.xlsx"][i]
            doc = word.get(i, str(work))
            if not self.shown(i):
                assert work == "" and fin == "", i
                continue
            marked = str(work).endswith(MARKS) and doc.endswith(MARKS)
            assert marked == (not self.final(i)), (i, work, doc, self.model)
            assert (fin != "") == self.final(i), (i, fin, self.model)

    # ------------------------------------------------------------ after every step

    @invariant()
    def views_agree_with_the_model(self) -> None:
        rows = {r["id"]: r for r in json.loads(self.run("list", "--format", "json").stdout)}
        for i in (*IDS, *INPUTS):
            assert rows[i]["answer"]["final"] == (self.final(i) and self.shown(i)), (i, self.model)
        total = json.loads(self.run("status", "--format", "json").stdout)["total"]
        assert total["final"] == sum(1 for r in rows.values() if r["answer"]["final"])
        assert total["approved"] == total["final"]

    def teardown(self) -> None:
        os.chdir(self.folder.parent)


def _has_word() -> bool:
    try:
        import docx  # noqa: F401
    except ImportError:
        return False
    return True


WORD = _has_word()


def docx_values(path: str) -> dict[int, str]:
    import docx

    out: dict[int, str] = {}
    for table in docx.Document(path).tables:
        header = [c.text for c in table.rows[0].cells]
        at, value = header.index("题号"), header.index("填报值")
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            if cells[at].isdigit():
                out[int(cells[at])] = cells[value]
    return out


Lifecycle.TestCase.settings = settings(
    max_examples=4,
    stateful_step_count=12,
    deadline=None,
    derandomize=True,  # the same runs everywhere: each rule (carry included) is reached
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # shrinking real commands: minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
test_no_output_shows_a_non_final_value_unmarked = Lifecycle.TestCase
