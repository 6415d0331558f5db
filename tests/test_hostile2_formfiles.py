"""Issue 25, class 5: evidence named in form cells is literal and stays inside. A 佐证材料
cell names exact files (no wildcards), resolved inside the form's folder, with no link
leading out; every refusal names the sheet and row, imports nothing, and the answers
file stays byte-identical."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile import ANSWER_47, FORMS, cli, fill, refused, slow_after


@pytest.fixture()
def form(tmp_path: Path, prepared) -> Path:
    prepared(ANSWER_47, FORMS)
    path = next(p for p in (tmp_path / "forms").iterdir() if "政务服务中心" in p.name)
    for name in ("甲.txt", "乙.txt", "a.pdf", "b.pdf"):
        (path.parent / name).write_text(name, encoding="utf-8")
    return path


def refused_cell(form: Path, cell: str, *words: str) -> str:
    folder = form.parent.parent
    fill(form, {47: {"佐证材料": cell}})
    before = (folder / "answers.yaml").read_bytes()
    err = refused(cli(folder, "import", str(form), "--by", "张三"), 3, "第47项", "佐证材料", *words)
    assert (folder / "answers.yaml").read_bytes() == before
    assert not (folder / "佐证材料").exists()
    return err


@pytest.mark.parametrize(
    "cell", slow_after(1, ["*.txt", "*", "?.txt", "[甲乙].txt", "**/甲.txt", "*.pdf", "甲*"])
)
def test_a_wildcard_is_a_name_not_a_pattern(form, cell: str) -> None:
    refused_cell(form, cell, "找不到")


@pytest.mark.skipif(os.name == "nt", reason="* is not allowed in Windows file names")
def test_a_file_really_named_with_a_star_is_taken_exactly(form) -> None:
    (form.parent / "*.txt").write_text("星号", encoding="utf-8")
    fill(form, {47: {"佐证材料": "*.txt"}})
    done = cli(form.parent.parent, "import", str(form), "--by", "张三")
    assert done.returncode == 0, done.stderr
    listed = cli(form.parent.parent, "evidence", "list", "47").stdout
    assert "_.txt" in listed and "甲.txt" not in listed  # stored under a name Windows takes
    stored = form.parent.parent / "佐证材料" / "47" / "_.txt"
    assert stored.read_text(encoding="utf-8") == "星号"


@pytest.mark.parametrize(
    "cell",
    slow_after(2, ["/etc/hostname", "../answers.yaml", "..\\answers.yaml", "sub/../../answers.yaml",
     "C:\\Windows\\win.ini", "\\\\server\\share\\a.pdf"]),
)  # fmt: skip
def test_a_path_leading_out_is_refused(form, cell: str) -> None:
    refused_cell(form, cell)


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_symlink_to_a_file_outside_is_refused(form, tmp_path) -> None:
    secret = tmp_path / "机密.txt"
    secret.write_text("outside", encoding="utf-8")
    (form.parent / "链接.txt").symlink_to(secret)
    err = refused_cell(form, "链接.txt", "以外的链接")
    assert "outside" not in err


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_symlinked_folder_leading_out_is_refused(form, tmp_path) -> None:
    outside = tmp_path / "外面"
    outside.mkdir()
    (outside / "秘.pdf").write_text("outside", encoding="utf-8")
    (form.parent / "材料").symlink_to(outside, target_is_directory=True)
    refused_cell(form, "材料/秘.pdf", "以外的链接")


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_name_found_only_through_a_folder_link_is_not_found(form, tmp_path) -> None:
    outside = tmp_path / "外面"
    outside.mkdir()
    (outside / "秘.pdf").write_text("outside", encoding="utf-8")
    (form.parent / "材料").symlink_to(outside, target_is_directory=True)
    refused_cell(form, "秘.pdf", "找不到")


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_symlink_inside_the_folder_is_followed(form) -> None:
    (form.parent / "sub").mkdir()
    (form.parent / "sub" / "真.pdf").write_text("inside", encoding="utf-8")
    (form.parent / "别名.pdf").symlink_to(form.parent / "sub" / "真.pdf")
    fill(form, {47: {"佐证材料": "别名.pdf"}})
    done = cli(form.parent.parent, "import", str(form), "--by", "张三")
    assert done.returncode == 0, done.stderr


def test_a_file_in_a_subfolder_is_still_found_by_its_exact_name(form) -> None:
    (form.parent / "一" / "二").mkdir(parents=True)
    (form.parent / "一" / "二" / "通知.pdf").write_text("x", encoding="utf-8")
    fill(form, {47: {"佐证材料": "通知.pdf"}})
    done = cli(form.parent.parent, "import", str(form), "--by", "张三")
    assert done.returncode == 0, done.stderr
    assert "通知.pdf" in cli(form.parent.parent, "evidence", "list", "47").stdout


def test_a_file_too_deep_is_not_searched(form) -> None:
    deep = form.parent / "1" / "2" / "3" / "4"
    deep.mkdir(parents=True)
    (deep / "深.pdf").write_text("x", encoding="utf-8")
    refused_cell(form, "深.pdf", "找不到")


def test_a_very_long_name_is_no_crash(form) -> None:
    refused_cell(form, "名" * 300 + ".pdf", "找不到")


def imported(form: Path, cell: str) -> str:
    """The 佐证材料 cell filled and imported: what `evidence list 47` then shows."""
    fill(form, {47: {"佐证材料": cell}})
    done = cli(form.parent.parent, "import", str(form), "--by", "张三")
    assert done.returncode == 0, done.stderr
    return cli(form.parent.parent, "evidence", "list", "47").stdout


@pytest.mark.parametrize("cell", slow_after(1, ["a.pdf、b.pdf", "a.pdf，b.pdf", "a.pdf, b.pdf"]))
def test_names_listed_with_a_comma_are_several_files_when_all_are_there(form, cell) -> None:
    listed = imported(form, cell)
    assert "a.pdf" in listed and "b.pdf" in listed and "、" not in listed


def test_a_link_listed_first_is_split_from_the_files_after_it(form) -> None:
    """A URL takes no full-width comma: 'https://…、a.pdf' is the link and the file (an
    ASCII comma may be part of a link and is left in it)."""
    fill(form, {47: {"佐证材料": "https://x.gov.cn/a、a.pdf"}})
    dry = cli(form.parent.parent, "import", str(form), "--dry-run", "--by", "张三")
    assert "第47项 佐证材料 +https://x.gov.cn/a" in dry.stdout  # whole, as the import says
    listed = imported(form, "https://x.gov.cn/a、a.pdf")
    assert "https://x.gov.cn/a" in listed and "a.pdf" in listed
    assert "https://x.gov.cn/a、a.pdf" not in listed


def test_a_file_named_twice_is_one_file_in_the_preview_and_the_import(form) -> None:
    fill(form, {47: {"佐证材料": "a.pdf、a.pdf"}})
    dry = cli(form.parent.parent, "import", str(form), "--dry-run", "--by", "张三")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("a.pdf") == 1, dry.stdout
    listed = imported(form, "a.pdf\na.pdf")
    assert listed.count("a.pdf") == 1, listed


def test_a_file_named_with_a_comma_is_one_file(form) -> None:
    """甲.txt and 乙.txt are there too: the whole name, when it is a file, wins."""
    (form.parent / "甲、乙.txt").write_text("一个文件", encoding="utf-8")
    listed = imported(form, "甲、乙.txt")
    assert "甲、乙.txt" in listed and "甲.txt" not in listed.replace("甲、乙.txt", "")


def test_names_listed_with_one_missing_say_how_to_list_files(form) -> None:
    err = refused_cell(form, "a.pdf、c.pdf", "佐证材料“a.pdf、c.pdf”在表格所在文件夹")
    assert "中找不到（几个文件请用换行或分号“；”分隔）" in err
