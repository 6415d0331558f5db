"""`checklist-import TABLE --from-checklist LAST.yaml`: next year's checklist keeps this
year's work (rules, formulas, options with `exclusive`, hand-reviewed kinds, units,
collect/rollup, evidence), carried to the new ids; what cannot be carried is listed."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from evalcheck.model.loading import bundled_checklist_path, load_checklist

from .conftest import seed_text

DROPPED = 131  # next year's table has no 131: the ids after it move up by one


def new_id(old: int) -> int:
    return old - 1 if old > DROPPED else old


def next_year_table(path: Path, *, reword: dict[int, str] | None = None) -> Path:
    """The bureau's 2021 table as next year's: 131 dropped, the rest renumbered."""
    lines = []
    for line in seed_text().splitlines():
        cells = line.split("\t")
        if len(cells) > 2 and cells[1].strip().isdigit():
            ident = int(cells[1])
            if ident == DROPPED:
                continue
            cells[1] = str(new_id(ident))
            if reword and ident in reword:
                cells[2] = reword[ident]
            line = "\t".join(cells)
        lines.append(line.replace("2021年测评指标共计144项", "2022年测评指标共计143项"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def last_year(tmp_path: Path) -> Path:
    """This year's checklist with units and evidence as a team has it."""
    text = bundled_checklist_path().read_text(encoding="utf-8")
    text = re.sub(r"^(\s*)# ((?:units|units_due|collect|rollup): )", r"\1\2", text, flags=re.M)
    path = tmp_path / "2021.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_carried_to_the_new_ids(run, tmp_path: Path) -> None:
    last = last_year(tmp_path)
    table = next_year_table(tmp_path / "2022表.txt")
    result = run("checklist-import", str(table), "-o", "2022.yaml", "--from-checklist", str(last))
    assert result.exit_code == 0, result.output
    out = result.stdout
    old = load_checklist(last)
    cl = load_checklist(tmp_path / "2022.yaml")
    assert len(cl.indicators) == 143 and cl.year == 2022
    # hand-reviewed kind, options with exclusive, formulas renumbered
    assert cl.get(111).kind == "yesno"
    opts = cl.get(new_id(142)).options
    assert [o.exclusive for o in opts] == [o.exclusive for o in old.get(142).options]
    assert opts[-1].text == "以上均未实现" and opts[-1].exclusive
    assert cl.get(121).formula == old.get(121).formula
    assert cl.get(new_id(136)).formula == "q134 / q133 * 100"  # q135 / q134 in 2021
    assert cl.get(new_id(133)).formula is None  # it used q131, which is gone
    # units, collect, rollup (weighted: q96 keeps its id), evidence
    assert cl.units is not None and cl.units.names == old.units.names  # type: ignore[union-attr]
    collected = {new_id(i) for i in old.units.ids if i not in (DROPPED, 133)}  # type: ignore[union-attr]
    assert set(cl.units.ids) == collected  # type: ignore[union-attr]  # 133: its formula went
    assert cl.units.spec(97).text() == "weighted: q96"  # type: ignore[union-attr]
    # rules: every one whose indicators are all still there, renumbered
    carried = {r.id: r.check for r in cl.rules}
    gone = [r for r in old.rules if "q131" in r.check.replace(" ", "") or "q131" in r.check]
    assert len(carried) == len(old.rules) - len(gone)
    assert carried["R15"] == "q15 <= q14"
    for r in old.rules:
        if any(int(n) > DROPPED for n in re.findall(r"q(\d+)", r.check)) and r not in gone:
            renamed = re.sub(r"\d+", lambda m: str(new_id(int(m.group()))), r.id)
            assert renamed in carried, r.id
    # what it says
    assert "沿用上年清单" in out and "上年未对应 1 项" in out
    assert "第111项（上年第111项）：题型 是否（表格推断为 文字）" in out
    assert f"第{new_id(142)}项（上年第142项）：选项 4 个（1 个不可同选）" in out
    assert f"第{new_id(136)}项（上年第136项）：公式 q134 / q133 * 100" in out
    assert "未能沿用" in out
    assert (
        f"第{new_id(133)}项（上年第133项）的 formula（q132 / q131 * 100）：第131项今年没有对应的指标"
        in out
    )
    for r in gone:
        assert f"规则 {r.id}（{r.check}）：第131项今年没有对应的指标" in out
    assert "清单的 units_due（2021-09-10）：是上年的日期，请为今年重新填写" in out
    assert run("validate", "2022.yaml").exit_code == 0


def test_a_reworded_indicator_is_matched_and_keeps_its_kind(run, tmp_path: Path) -> None:
    table = next_year_table(
        tmp_path / "2022表.txt",
        reword={111: "对特殊群体（如残疾人、老年人等）提供个性化的线下服务？"},
    )
    last = tmp_path / "2021.yaml"
    last.write_bytes(bundled_checklist_path().read_bytes())
    result = run("checklist-import", str(table), "-o", "2022.yaml", "--from-checklist", str(last))
    assert result.exit_code == 0, result.output
    assert re.search(r"第111项（上年第111项，文字相似 \d+(\.\d)? 分）：题型 是否", result.stdout)
    assert load_checklist(tmp_path / "2022.yaml").get(111).kind == "yesno"


def test_without_from_checklist_nothing_is_carried(run, tmp_path: Path) -> None:
    table = next_year_table(tmp_path / "2022表.txt")
    result = run("checklist-import", str(table), "-o", "2022.yaml")
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load((tmp_path / "2022.yaml").read_text(encoding="utf-8"))
    assert "rules" not in doc and "沿用上年清单" not in result.stdout


def test_a_broken_last_year_is_refused_and_nothing_written(run, tmp_path: Path) -> None:
    table = next_year_table(tmp_path / "2022表.txt")
    (tmp_path / "bad.yaml").write_text("title: x\nyear: [\n", encoding="utf-8")
    result = run("checklist-import", str(table), "-o", "2022.yaml", "--from-checklist", "bad.yaml")
    assert result.exit_code in (3, 4)
    assert "bad.yaml" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "2022.yaml").exists()
