"""Forms written safely for Windows: names unique after Windows' folding, --split --force
all or nothing, and warnings for paths beyond Windows' and Excel's limits."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalcheck.infra import fileio, winnames

from .test_sharing import office_owner_file, refusal

COLLIDING = """\
title: 测试清单
year: 2021
due: 2021-09-15
categories: [甲类]
indicators:
  - {id: 1, category: 甲类, text: 事项总数？, owner: 张三, section: A/B科, kind: count, unit: 项}
  - {id: 2, category: 甲类, text: 是否建立？, owner: 张三, section: "A:B科", kind: yesno}
  - {id: 3, category: 甲类, text: 人数？, owner: 张三, section: a/b科, kind: count, unit: 人}
  - {id: 4, category: 甲类, text: 次数？, owner: 张三, section: Ａ／Ｂ科, kind: count, unit: 次}
  - {id: 5, category: 甲类, text: 条数？, owner: 张三, section: 审批科, kind: count, unit: 条}
"""


def windows_key(name: str) -> str:
    """How a Windows folder (and a person) compares two names, independently written."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    for ch in '\\/:*?"<>|':
        folded = folded.replace(ch, "_")
    return folded.rstrip(" .")


@pytest.fixture()
def colliding(tmp_path: Path) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(COLLIDING, encoding="utf-8")
    return path


def test_sections_that_fold_together_get_their_own_forms(run, tmp_path, colliding) -> None:
    result = run("--checklist", str(colliding), "export", "--split", "forms")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "forms").iterdir())
    assert len(files) == 5 and "共 5 份科室填报表" in result.stdout
    assert len({windows_key(f) for f in files}) == 5
    for f in files:  # every form reads back as its own section
        assert run("--checklist", str(colliding), "import", f"forms/{f}", "-n").exit_code == 0


@given(st.lists(st.text(min_size=1, max_size=12), max_size=12))
def test_unique_names_stay_unique_after_windows_folding(names: list[str]) -> None:
    safe = winnames.unique_names(names)
    assert len({windows_key(n) for n in safe}) == len(names)
    for n in safe:
        assert not set('\\/:*?"<>|') & set(n) and n == n.rstrip(" .") and n


@pytest.mark.parametrize("name", ["CON", "con.xlsx", "NUL", "com1", "LPT9"])
def test_reserved_device_names_are_avoided(name: str) -> None:
    assert winnames.safe_name(name).startswith("_")


def test_an_existing_file_differing_only_in_case_counts_as_existing(run, tmp_path, colliding):
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "2021测评填报_审批科.XLSX").write_bytes(b"filled by the section")
    result = run("--checklist", str(colliding), "export", "--split", "forms")
    assert result.exit_code == 3 and "已存在" in result.stderr
    assert (
        tmp_path / "forms" / "2021测评填报_审批科.XLSX"
    ).read_bytes() == b"filled by the section"


# ---------------------------------------------------------------- --split --force


def split(run) -> list[Path]:
    result = run("export", "--split", "forms")
    assert result.exit_code == 0, result.output
    return sorted(Path("forms").iterdir())


def snapshot(files: list[Path]) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in files if p.suffix == ".xlsx"}


def test_force_checks_every_form_before_writing_any(run, tmp_path, monkeypatch) -> None:
    files = split(run)
    assert run("answer", "47", "--value", "312", "--by", "张三").exit_code == 0
    before = snapshot(files)
    last = files[-1]  # open in Excel: the first forms must not be overwritten either
    (last.parent / f"~${last.name}").write_bytes(office_owner_file("科室小王"))
    result = run("export", "--split", "forms", "--force")
    assert result.exit_code == 5
    assert "无法覆盖，未写入任何表格" in result.stderr
    assert f"{last.name}：正在 Excel 或 WPS 中打开（科室小王）" in result.stderr
    assert snapshot(files) == before
    (last.parent / f"~${last.name}").unlink()
    assert run("export", "--split", "forms", "--force").exit_code == 0
    assert snapshot(files) != before


def test_force_lists_every_refused_form(run, tmp_path) -> None:
    files = split(run)
    files[0].chmod(0o444)
    (files[1].parent / f"~${files[1].name}").write_bytes(office_owner_file("王会计"))
    before = snapshot(files)
    result = run("export", "--split", "forms", "--force")
    assert result.exit_code == 5 and "有 2 份表格无法覆盖" in result.stderr
    assert "只读" in result.stderr and "王会计" in result.stderr
    assert snapshot(files) == before


def test_a_replace_refused_midway_says_what_was_written(run, tmp_path, monkeypatch) -> None:
    split(run)
    real = os.replace
    count: list[int] = []

    def replace(src: str, dst: str) -> None:
        if str(dst).endswith(".xlsx"):
            count.append(1)
            if len(count) == 2:
                raise refusal(5)
        real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", replace)
    monkeypatch.setenv("EVALCHECK_REPLACE_RETRIES", "0")
    result = run("export", "--split", "forms", "--force")
    assert result.exit_code == 5
    refused, written = result.stderr.split("（此前已写入：")
    assert written.count(".xlsx") == 1 and written.split("）")[0] not in refused


# ---------------------------------------------------------------- long paths


def deep_folder(base: Path, length: int) -> Path:
    folder = base
    while len(str(folder.absolute())) < length:
        folder = folder / "营商环境测评资料汇总文件夹"
    folder.mkdir(parents=True)
    return folder


def test_a_workbook_path_too_long_for_excel_is_warned_about(run, tmp_path) -> None:
    folder = deep_folder(tmp_path, 200)
    result = run("export", str(folder / "2021年营商环境测评指标责任清单填报总表.xlsx"))
    assert result.exit_code == 0  # written: it opens elsewhere, and can be moved
    assert "Excel 无法打开完整路径超过 218 个字符的工作簿" in result.stderr


def test_split_forms_beyond_the_limit_are_warned_before_writing(run, tmp_path) -> None:
    folder = deep_folder(tmp_path, 210)
    result = run("export", "--split", str(folder))
    assert result.exit_code == 0 and "218" in result.stderr


def test_windows_260_limit() -> None:
    short = Path("/tmp/a.yaml")
    assert winnames.long_path_warnings(short) == []
    long = Path("/" + "测" * 270 + ".yaml")
    (warning,) = winnames.long_path_warnings(long)
    assert "超过 Windows 的 259 字符限制" in warning


def test_output_beyond_the_limit_is_warned_about(run, tmp_path) -> None:
    folder = deep_folder(tmp_path, 250)
    result = run("list", "-f", "csv", "--output", str(folder / "营商环境测评指标清单.csv"))
    assert result.exit_code == 0 or "Windows" in result.stderr
    assert "超过 Windows 的 259 字符限制" in result.stderr


def test_names_that_differ_only_by_invisible_characters_are_one_name() -> None:
    """办公室 and 办公室 followed by a zero-width space (copied from a web page) look the
    same: their forms must not be two files that look the same."""
    from evalcheck.infra.winnames import name_key, unique_names

    assert name_key("办公室\u200b") == name_key("办公室")
    assert unique_names(["办公室", "办公室\u200b"]) == ["办公室", "办公室_2"]
