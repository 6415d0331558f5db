"""An indicator with several sections or leaders (the first leads): every view counts it
under each of them, and the totals say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalcheck.model.loading import load_checklist

from .readback import CalamineWorkbook

CHECKLIST = """\
title: 测试清单
year: 2022
categories: [甲类]
indicators:
  - {id: 1, category: 甲类, text: 是否建立？, owner: [万富春, 高秀英],
     section: [政务服务中心, 审批服务科], due: 2022-09-15, kind: yesno}
  - {id: 2, category: 甲类, text: 窗口总数？, owner: 万富春, section: 政务服务中心,
     due: 2022-09-15, kind: count, unit: 个}
  - {id: 3, category: 甲类, text: 平均用时多少天？, owner: 高秀英, section: 审批服务科,
     due: 2022-10-31, kind: number, unit: 天}
"""


@pytest.fixture()
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(CHECKLIST, encoding="utf-8")
    monkeypatch.setenv("EVALCHECK_CHECKLIST", str(path))
    return path


def test_model_keeps_the_lead_and_every_name(shared: Path) -> None:
    cl = load_checklist(shared)
    one = cl.get(1)
    assert (one.section, one.owner) == ("政务服务中心", "万富春")
    assert (one.sections, one.owners) == (("政务服务中心", "审批服务科"), ("万富春", "高秀英"))
    assert cl.get(2).sections == ("政务服务中心",)
    assert set(cl.sections) == {"政务服务中心", "审批服务科"}


def test_validate_accepts_lists_and_names_a_bad_one(run, shared: Path, tmp_path: Path) -> None:
    assert run("validate", str(shared)).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        CHECKLIST.replace("owner: [万富春, 高秀英]", "owner: [万富春, 3]")
        + "sections: [政务服务中心]\n",
        encoding="utf-8",
    )
    out = run("validate", str(bad)).stdout
    assert "第1项 字段 owner：应为名称，或名称的列表（牵头的在前）" in out
    assert "第1项 字段 section：“审批服务科”不在 sections 列表中" in out


@pytest.mark.parametrize(
    ("option", "name", "ids"),
    [("-s", "审批服务科", [1, 3]), ("-s", "政务服务中心", [1, 2]), ("-o", "高秀英", [1, 3])],
)
def test_list_finds_an_indicator_under_each_name(run, shared, option, name, ids) -> None:
    result = run("list", option, name, "--format", "json")
    got = json.loads(result.stdout)
    assert [i["id"] for i in got] == ids
    assert got[0]["sections"] == ["政务服务中心", "审批服务科"]


def test_status_counts_it_under_each_and_says_so(run, shared: Path) -> None:
    data = json.loads(run("status", "--today", "2022-09-01", "--format", "json").stdout)
    sections = {p["name"]: p["total"] for p in data["section"]}
    owners = {p["name"]: p["total"] for p in data["owner"]}
    assert sections == {"政务服务中心": 2, "审批服务科": 2}
    assert owners == {"万富春": 2, "高秀英": 2}
    assert data["total"]["total"] == 3 and data["shared"] == {"section": 1, "owner": 1}
    text = run("status", "--today", "2022-09-01").stdout
    assert (
        "其中 1 项由多个科室共同负责、1 项由多个领导共同负责，在每个科室、领导下各计一次"
        "（各组之和多于合计）"
    ) in text


def test_remind_lists_it_for_each_section(run, shared: Path) -> None:
    out = run("remind", "--today", "2022-09-20").stdout
    texts = {t.strip().splitlines()[1]: t for t in out.split("-" * 40)}
    center, service = texts["政务服务中心："], texts["审批服务科："]
    assert "第1项 是否建立？（与审批服务科共同负责，本科室牵头；责任领导：万富春、高秀英" in center
    assert "第1项 是否建立？（与政务服务中心共同负责，政务服务中心牵头；" in service
    assert "（其中 1 项由多个科室共同负责，已在每个科室的提醒中列出）" in out


def test_each_section_form_contains_it(run, shared: Path, tmp_path: Path) -> None:
    result = run("export", "--split", "forms")
    assert result.exit_code == 0, result.output
    forms = sorted((tmp_path / "forms").glob("*.xlsx"))
    assert len(forms) == 2
    for form in forms:
        wb = CalamineWorkbook.from_path(str(form))
        rows = wb.get_sheet_by_index(0).to_python()
        ids = [r[1] for r in rows if r and isinstance(r[1], int | float)]
        assert 1 in ids, form.name
        section_cells = [r[4] for r in rows if r and r[1] == 1]
        assert section_cells == ["政务服务中心、审批服务科"]


def test_number_kind_takes_decimals(run, shared: Path) -> None:
    assert run("answer", "3", "--value", "2.5天").exit_code == 0
    shown = run("show", "3").stdout
    assert "2.5 天" in shown
    refused = run("answer", "3", "--value", "-1")
    assert refused.exit_code == 3 and "不接受“-1”：应不小于 0。" in refused.stderr
