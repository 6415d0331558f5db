"""Issue 25, class 3: deep structure. The answers file, the checklist, the mapping file and
the workbooks' hidden cells nested hundreds or thousands of levels deep: refused in
Chinese naming the file (and where the nesting starts), exit 4, no RecursionError, and the
answers file byte-identical."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from evalcheck.model.loading import bundled_checklist_path
from tests.hostile import ANSWER_47, FORMS, cli, refused, slow_after


@pytest.fixture()
def original(tmp_path: Path, prepared) -> str:
    prepared(ANSWER_47)
    return (tmp_path / "answers.yaml").read_text(encoding="utf-8")


def flow_list(n: int) -> str:
    return "[" * n + "]" * n


def flow_map(n: int) -> str:
    return "{a: " * n + "1" + "}" * n


def block_map(n: int, indent: int) -> str:
    return (
        "".join(" " * (indent + 2 * i) + f"k{i}:\n" for i in range(n))
        + " " * (indent + 2 * n)
        + "1\n"
    )


ANSWER_VARIANTS = {
    "evidence list 40": ("    value: 312\n", f"    value: 312\n    evidence: {flow_list(40)}\n"),
    "evidence list 400": ("    value: 312\n", f"    value: 312\n    evidence: {flow_list(400)}\n"),
    "evidence list 990": ("    value: 312\n", f"    value: 312\n    evidence: {flow_list(990)}\n"),
    "evidence list 5000": (
        "    value: 312\n",
        f"    value: 312\n    evidence: {flow_list(5000)}\n",
    ),
    "value list 400": ("    value: 312\n", f"    value: {flow_list(400)}\n"),
    "note map 400": ("    value: 312\n", f"    value: 312\n    note: {flow_map(400)}\n"),
    "unknown field map 990": ("    value: 312\n", f"    value: 312\n    zz: {flow_map(990)}\n"),
    "history 400": ("    value: 312\n", f"    value: 312\n    history: {flow_list(400)}\n"),
    "block mapping 600": ("answers:\n", "answers:\n" + block_map(600, 2) + "  48:\n"),
    "checklist key 400": ("  year: 2021\n", f"  year: 2021\n  x: {flow_map(400)}\n"),
}


@pytest.mark.parametrize("variant", slow_after(1, ANSWER_VARIANTS))
def test_a_deep_answers_file_is_refused(tmp_path, original, variant: str) -> None:
    old, new = ANSWER_VARIANTS[variant]
    assert old in original
    (tmp_path / "answers.yaml").write_text(original.replace(old, new, 1), encoding="utf-8")
    before = (tmp_path / "answers.yaml").read_bytes()
    for args in (("list",), ("answer", "48", "--value", "是", "--by", "张三"), ("check",)):
        refused(cli(tmp_path, *args), 4, "answers.yaml")
        assert (tmp_path / "answers.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("old", "new"),
    slow_after(
        1,
        [
            ("\ntitle:", f"\nfonts: {flow_map(500)}\ntitle:"),
            ("\ntitle:", f"\nunits: {flow_list(3000)}\ntitle:"),
            ("  kind: percent\n", f"  kind: percent\n  options: {flow_list(400)}\n"),
            ("\ntitle:", "\nplausibility:\n" + block_map(200, 2) + "title:"),
        ],
        unpack=True,
    ),
    ids=["fonts map", "units list 3000", "options list", "block plausibility"],
)
def test_a_deep_checklist_is_refused(tmp_path, original, old: str, new: str) -> None:
    text = bundled_checklist_path().read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "cl.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    done = cli(tmp_path, "validate", "cl.yaml")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "cl.yaml" in done.stdout + done.stderr and "嵌套" in done.stdout + done.stderr
    before = (tmp_path / "answers.yaml").read_bytes()
    refused(cli(tmp_path, "--checklist", "cl.yaml", "list"), 4, "cl.yaml", "嵌套")
    assert (tmp_path / "answers.yaml").read_bytes() == before


KEY = "checklist: {title: 中卫市审批服务管理局营商环境测评指标责任清单, year: 2021}\n"


@pytest.mark.parametrize(
    "text",
    slow_after(
        1,
        [
            f"mapping:\n- {flow_list(500)}\n",
            f"mapping: []\n{KEY}previous: {flow_map(60)}\n",
            f"mapping: []\n{KEY}previous:\n" + block_map(300, 2),
        ],
    ),
    ids=["mapping list", "previous map", "block"],
)
def test_a_deep_mapping_file_is_refused(tmp_path, original, text: str) -> None:
    (tmp_path / "answers.previous.yaml").write_text(text, encoding="utf-8")
    before = (tmp_path / "answers.yaml").read_bytes()
    for args in (("list",), ("show", "47"), ("compare",)):
        refused(cli(tmp_path, *args), 4, "上年对照文件", "answers.previous.yaml", "嵌套")
    assert (tmp_path / "answers.yaml").read_bytes() == before


def _hidden_column(path: Path, header: str, value: str, sheet: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    row = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
    col = next((c.column for c in ws[row] if c.value == header), None)
    assert col is not None, [c.value for c in ws[row]]
    for r in range(row + 1, ws.max_row + 1):
        ws.cell(r, col).value = value
    wb.save(path)


@pytest.mark.parametrize("value", slow_after(1, [flow_list(30000), "{" * 20000, flow_map(5000)]))
def test_a_deep_original_in_a_form_is_no_crash(tmp_path, original, prepared, value: str) -> None:
    prepared(FORMS)
    form = next(p for p in (tmp_path / "forms").iterdir() if "政务服务中心" in p.name)
    _hidden_column(form, "原值", value[:32767], "测评指标")
    done = cli(tmp_path, "import", str(form), "--dry-run")
    assert done.returncode in (0, 3), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert (tmp_path / "answers.yaml").read_text(encoding="utf-8") == original
