"""Evidence folder names: a blank to fill in ("（ ）", "（  ）个", "____") is dropped whole,
the words around it stay readable, and the names stay unique and valid on Windows."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from evalcheck.answers import evidence as ev
from evalcheck.model.loading import bundled_checklist_path, load_checklist


def test_blanks_are_dropped_with_their_unit() -> None:
    assert ev.folder_name(134, "本辖区执法人员总数（ ）人？") == "134_本辖区执法人员总数"
    assert ev.folder_name(33, "通过本级数据共享交换平台发布本级数据资源目录数（）个？") == (
        "033_通过本级数据共享交换平台发布本级数据资源目录数"
    )
    assert ev.folder_name(128, "本辖区已完成监管事项目录清单编制的部门覆盖率（ ）%？") == (
        "128_本辖区已完成监管事项目录清单编制的部门覆盖率"
    )
    assert ev.folder_name(7, "本地区窗口____个，其中综合窗口（  ）个") == (
        "007_本地区窗口，其中综合窗口"
    )
    assert ev.folder_name(8, "执法人员＿＿＿人") == "008_执法人员"


def test_the_words_after_a_blank_stay_readable() -> None:
    name = ev.folder_name(131, "本辖区监管对象总数（ ）。（监管对象仅核算企业）")
    assert name == "131_本辖区监管对象总数（监管对象仅核算企业）"


def test_a_cut_never_leaves_a_bracket_or_quote_open() -> None:
    text = (
        "本辖区监管对象已成功汇聚至国家“互联网+监管”系统的监管对象总数（ ）。（监管对象仅核算企业）"
    )
    name = ev.folder_name(132, text)
    assert name == "132_本辖区监管对象已成功汇聚至国家“互联网+监管”系统的监管对象总数"
    assert len(name) <= ev.MAX_FOLDER_CHARS


def test_every_bundled_indicator_has_a_clean_unique_name() -> None:
    cl = load_checklist(bundled_checklist_path())
    names = [ev.folder_name(i.id, i.text) for i in cl.indicators]
    assert len(set(names)) == len(names) == 144
    for name in names:
        body = name.split("_", 1)[1]
        assert ev.is_safe_name(name), name
        assert not re.search(r"[（(]\s*[)）]|__|[？?。]", body), name
        assert body and body[-1] not in "，,、；;：:（(“", name
        assert body.count("（") == body.count("）") and body.count("“") == body.count("”"), name
    assert "134_本辖区执法人员总数" in names
    assert "036_本地区通过本级数据共享交换平台调用数据，累积调用量" in names


@given(st.text(alphabet="本辖区人员总数（）() _＿个%？。“”，", max_size=60))
def test_any_text_gives_a_valid_name_with_no_blank_left(text: str) -> None:
    name = ev.folder_name(5, text)
    assert name.startswith("005_") and len(name) <= ev.MAX_FOLDER_CHARS
    assert ev.is_safe_name(name) or name == "005_"
    assert not re.search(r"[（(]\s*[)）]", name.split("_", 1)[1])


def test_the_bundle_uses_the_readable_names(run, tmp_path: Path) -> None:
    (tmp_path / "名单.xlsx").write_bytes(b"PK list")
    (tmp_path / "目录.pdf").write_bytes(b"%PDF")
    assert run("answer", "134", "--value", "56", "-e", "名单.xlsx").exit_code == 0
    assert run("answer", "33", "--value", "12", "-e", "目录.pdf").exit_code == 0
    result = run("evidence", "pack", "bundle.zip")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "bundle.zip") as zf:
        folders = sorted({n.split("/")[0] for n in zf.namelist() if "/" in n})
    assert folders == [
        "033_通过本级数据共享交换平台发布本级数据资源目录数",
        "134_本辖区执法人员总数",
    ]
