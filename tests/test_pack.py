"""`evidence pack`: the bundle's names, index, hyperlinks, encoding and determinism;
forms that carry their files back into the store."""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from pathlib import Path, PurePosixPath

import openpyxl
import pytest

from evalcheck.answers import evidence as ev

from .readback import CalamineWorkbook
from .test_excel import form_path, split

STORE = "佐证材料"


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture()
def state(run, tmp_path: Path) -> Path:
    """Answers with files for 47 (two), 131 (one, named like a Windows device), a link on 16,
    91 answered without evidence, 109 not applicable."""
    write(tmp_path / "in" / "承诺时限汇总表.xlsx", b"PK summary" * 100)
    write(tmp_path / "in" / "政策文件：2021.pdf", b"%PDF policy")
    write(tmp_path / "in" / "CON.txt", b"device name")
    run(
        "answer",
        "47",
        "--value",
        "312",
        "-e",
        "in/承诺时限汇总表.xlsx",
        "-e",
        "in/政策文件：2021.pdf",
    )
    run("answer", "131", "--value", "1000", "-e", "in/CON.txt")
    run("answer", "16", "--value", "是", "-e", "https://zwfw.example.cn/16")
    run("answer", "91", "--value", "是")
    run("answer", "109", "--na", "本年度无其他创新举措")
    return tmp_path


def test_pack_layout_names_and_utf8_flag(run, state: Path) -> None:
    result = run("evidence", "pack", "bundle.zip")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "已生成 bundle.zip：144 项指标，2 个文件夹，3 个文件（1022 B），目录见 目录.xlsx\n"
        "已审核 0 / 待审核 5 / 已退回 0 / 未填报 139；目录中未定稿的值注明（待审核）（已退回）"
    )
    assert "注意：1 项已填报但缺少佐证材料（第 91 项），目录中已标出" in result.stderr
    with zipfile.ZipFile(state / "bundle.zip") as zf:
        names = zf.namelist()
        assert names == [
            "047_本地区行政许可事项承诺时限总数/承诺时限汇总表.xlsx",
            "047_本地区行政许可事项承诺时限总数/政策文件：2021.pdf",
            "131_本辖区监管对象总数（监管对象仅核算企业）/_CON.txt",
            "目录.xlsx",
        ]
        for info in zf.infolist():
            assert info.flag_bits & 0x800, info.filename  # UTF-8 names for Explorer
            for part in PurePosixPath(info.filename).parts:
                assert ev.is_safe_name(part), part
        assert zf.read("047_本地区行政许可事项承诺时限总数/政策文件：2021.pdf") == b"%PDF policy"
        assert zf.testzip() is None


def test_index_hyperlinks_resolve_to_files_inside_the_bundle(run, state: Path) -> None:
    run("evidence", "pack", "bundle.zip")
    with zipfile.ZipFile(state / "bundle.zip") as zf:
        names = set(zf.namelist())
        (state / "目录.xlsx").write_bytes(zf.read("目录.xlsx"))
    ws = openpyxl.load_workbook(state / "目录.xlsx").active
    header = [c.value for c in ws[2]]
    assert header == ["题号", "三级指标", "责任科室", "填报值", "文件", "链接", "缺失"]
    targets = [c.hyperlink.target for c in ws["E"][2:] if c.hyperlink is not None]
    assert len(targets) == 3
    for target in targets:
        assert not target.startswith(("/", "file:")) and ".." not in target
        assert target in names  # relative to the workbook, which sits at the top
    # independent reader: one row per file, and every indicator has a row
    rows = CalamineWorkbook.from_path(str(state / "目录.xlsx")).get_sheet_by_index(0).to_python()
    by_id: dict[int, list[list]] = {}
    for r in rows[2:]:
        by_id.setdefault(int(r[0]), []).append(r)
    assert len(by_id) == 144
    assert [r[4] for r in by_id[47]] == ["承诺时限汇总表.xlsx", "政策文件：2021.pdf"]
    assert by_id[16][0][5] == "https://zwfw.example.cn/16"
    assert by_id[91][0][6] == "缺佐证材料"
    assert by_id[109][0][3] == "不适用（本年度无其他创新举措）（待审核）" and by_id[109][0][6] == ""
    assert by_id[47][0][3] == "312 个（待审核）"


def test_two_packs_of_the_same_state_are_byte_identical(run, state: Path) -> None:
    assert run("evidence", "pack", "one.zip").exit_code == 0
    time.sleep(1.1)  # a timestamp taken from the clock would now differ
    assert run("evidence", "pack", "two.zip").exit_code == 0
    one, two = (state / "one.zip").read_bytes(), (state / "two.zip").read_bytes()
    assert hashlib.sha256(one).digest() == hashlib.sha256(two).digest()
    assert run("evidence", "pack", "one.zip").exit_code == 3  # exists: not overwritten
    assert run("evidence", "pack", "one.zip", "--overwrite").exit_code == 0
    assert (state / "one.zip").read_bytes() == two


def test_a_changed_file_stops_the_pack_unless_forced(run, state: Path) -> None:
    stored = state / STORE / "47" / "政策文件：2021.pdf"
    stored.write_bytes(b"%PDF pulicy")  # same size
    result = run("evidence", "pack", "bundle.zip")
    assert result.exit_code == 3
    assert "有 1 个文件在登记后被修改过，未生成 bundle.zip" in result.stderr
    assert "第47项 政策文件：2021.pdf：内容与登记时不同（sha256 不符）" in result.stderr
    assert not (state / "bundle.zip").exists()
    assert not [p for p in state.iterdir() if p.name.startswith(".bundle.zip")]  # no leftovers
    forced = run("evidence", "pack", "bundle.zip", "--force")
    assert forced.exit_code == 0
    assert "已按 --force 打包" in forced.stderr


def test_section_and_folder_output(run, state: Path) -> None:
    result = run("evidence", "pack", "监管科材料", "--section", "审批监管科")
    assert result.exit_code == 0, result.output
    out = state / "监管科材料"
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == ["131_本辖区监管对象总数（监管对象仅核算企业）/_CON.txt", "目录.xlsx"]
    rows = CalamineWorkbook.from_path(str(out / "目录.xlsx")).get_sheet_by_index(0).to_python()
    assert {r[2] for r in rows[2:]} == {"审批监管科"}
    assert run("evidence", "pack", "监管科材料", "-s", "审批监管科").exit_code == 3
    # a folder that is not a bundle is never replaced
    (state / "别的文件夹").mkdir()
    refused = run("evidence", "pack", "别的文件夹", "--overwrite")
    assert refused.exit_code == 3 and "不是佐证材料包" in refused.stderr
    (state / "a.txt").write_text("x", encoding="utf-8")  # nor a file that is not a zip
    refused = run("evidence", "pack", "a.txt", "--overwrite")
    assert refused.exit_code == 3 and "a.txt 是已有的文件，不是文件夹" in refused.stderr
    assert (state / "a.txt").read_text(encoding="utf-8") == "x"
    unknown = run("evidence", "pack", "x.zip", "-s", "审批监管")
    assert unknown.exit_code == 3 and "您是不是要找“审批监管科”" in unknown.stderr


def test_missing_store_files_are_listed_in_the_index(run, state: Path) -> None:
    (state / STORE / "131" / "_CON.txt").unlink()
    result = run("evidence", "pack", "bundle.zip")
    assert result.exit_code == 0
    assert "1 个文件不在材料库中，未打包：第131项 _CON.txt" in result.stderr
    with zipfile.ZipFile(state / "bundle.zip") as zf:
        (state / "i.xlsx").write_bytes(zf.read("目录.xlsx"))
    rows = CalamineWorkbook.from_path(str(state / "i.xlsx")).get_sheet_by_index(0).to_python()
    row = next(r for r in rows[2:] if r[0] == 131)
    assert row[6] == "缺佐证材料；文件缺失：_CON.txt"


def test_names_colliding_on_windows_are_made_unique(run, tmp_path: Path) -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    text = f"""format: 1
checklist:
  title: 中卫市审批服务管理局营商环境测评指标责任清单
  year: 2021
answers:
  47:
    value: 1
    evidence:
    - {{file: Report.pdf, size: 1, sha256: {digest}}}
    - {{file: report.pdf, size: 1, sha256: {digest}}}
    by: a
    at: '2021-09-01T10:00:00+08:00'
    seq: 1
    action: set
"""
    write(tmp_path / "answers.yaml", text.encode())
    write(tmp_path / STORE / "47" / "Report.pdf", b"x")
    write(tmp_path / STORE / "47" / "report.pdf", b"x")
    assert run("evidence", "pack", "b.zip").exit_code == 0
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        files = [n.split("/", 1)[1] for n in zf.namelist() if "/" in n]
    assert files == ["Report.pdf", "report (2).pdf"]
    assert len({f.casefold() for f in files}) == 2


def test_a_long_pack_shows_progress_only_on_a_terminal(run, tmp_path: Path, capsys) -> None:
    from evalcheck.cli import evidence as cli_evidence

    bar = cli_evidence._ProgressLine()
    small = bar.MIN_BYTES - 1
    bar(small // 2, small)  # a small pack: no bar
    assert capsys.readouterr().err == ""
    big = 200 * 1024 * 1024
    for done in (0, big // 2, big // 2 + 1, big):
        bar(done, big)
    bar.close()
    err = capsys.readouterr().err
    assert err.count("\r打包中") == 3  # redrawn only when the percentage moves
    assert err.endswith("100%  200.0 MB / 200.0 MB\n")
    write(tmp_path / "big.bin", b"0" * 3_000_000)
    run("evidence", "add", "47", "big.bin")
    # CliRunner's stderr is not a terminal: no progress line
    result = run("evidence", "pack", "b.zip")
    assert result.exit_code == 0 and "打包中" not in result.stderr


# ---------------------------------------------------------------- forms carry evidence back


def set_cells(path: Path, cells: dict[int, dict[str, object]]) -> None:
    """Type into a section form, as a person does in Excel: {id: {header: value}}."""
    from evalcheck.io import xlsx_format

    wb = openpyxl.load_workbook(path)
    ws = wb["测评指标"]
    cols = {c.value: c.column for c in ws[xlsx_format.HEADER_ROW]}
    for r in range(xlsx_format.FIRST_ROW, ws.max_row + 1):
        for header, value in cells.get(ws.cell(r, cols["题号"]).value, {}).items():
            ws.cell(r, cols[header]).value = value
    wb.save(path)


def test_a_form_returned_with_its_files_imports_them(run, tmp_path: Path) -> None:
    split(run)
    path = form_path(tmp_path, "审批监管科")
    set_cells(
        path,
        {
            131: {
                "填报值": 1000,
                "佐证材料": "监管对象清单.xlsx\n附件/说明.pdf\nhttps://x.example.cn/131",
            },
            134: {"佐证材料": "截图.png"},  # evidence without a value
        },
    )
    write(path.parent / "监管对象清单.xlsx", b"list")
    write(path.parent / "附件" / "说明.pdf", b"note")
    write(path.parent / "附件" / "134" / "截图.png", b"png")  # found in a subfolder
    result = run("import", str(path), "--by", "审批监管科")
    assert result.exit_code == 0, result.output
    assert "  第131项 佐证材料 +监管对象清单.xlsx" in result.stdout
    assert (tmp_path / STORE / "131" / "说明.pdf").read_bytes() == b"note"
    assert (tmp_path / STORE / "134" / "截图.png").read_bytes() == b"png"
    got = json.loads(run("evidence", "list", "131", "-f", "json").stdout)
    assert [(i["kind"], i["name"], i["by"]) for i in got] == [
        ("file", "监管对象清单.xlsx", "审批监管科"),
        ("file", "说明.pdf", "审批监管科"),
        ("link", "https://x.example.cn/131", "审批监管科"),
    ]
    # the form exported again and returned untouched changes nothing
    split(run, "forms2")
    again = tmp_path / "forms2" / path.name
    assert (
        run("import", str(again))
        .stdout.strip()
        .endswith("表格中的答案与现有答案相同，没有需要修改的内容")
    )
    # the whole import is one change: undo takes the answers and the files out
    run("undo")
    assert not (tmp_path / STORE / "131" / "说明.pdf").exists()
    assert json.loads(run("evidence", "list", "131", "-f", "json").stdout) == []


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        ("不存在.pdf", "佐证材料“不存在.pdf”在表格所在文件夹"),
        ("../answers.yaml", "不能是绝对路径或上级文件夹"),
        ("/etc/passwd", "不能是绝对路径或上级文件夹"),
    ],
)
def test_a_form_naming_a_file_it_does_not_carry_imports_nothing(
    run, tmp_path: Path, cell: str, why: str
) -> None:
    split(run)
    path = form_path(tmp_path, "审批监管科")
    set_cells(
        path, {131: {"填报值": 1000, "佐证材料": cell}, 132: {"填报值": 10, "佐证材料": "有.pdf"}}
    )
    write(path.parent / "有.pdf", b"ok")
    result = run("import", str(path))
    assert result.exit_code == 3
    assert "（第131项）" in result.stderr and why in result.stderr
    assert not (tmp_path / "answers.yaml").exists()
    assert not (tmp_path / STORE).exists()


def test_two_files_of_the_same_name_in_subfolders_are_ambiguous(run, tmp_path: Path) -> None:
    split(run)
    path = form_path(tmp_path, "审批监管科")
    set_cells(path, {131: {"佐证材料": "说明.pdf"}})
    write(path.parent / "a" / "说明.pdf", b"1")
    write(path.parent / "b" / "说明.pdf", b"2")
    result = run("import", str(path))
    assert result.exit_code == 3
    assert "有多个同名文件（a/说明.pdf、b/说明.pdf）" in result.stderr


def test_a_value_that_begins_like_a_formula_is_shown_as_it_is(run, state: Path) -> None:
    """-10% in 目录.xlsx reads -10%, not '-10%: text with Excel's quote prefix (editing it
    keeps it text), as the total table writes it."""
    assert run("answer", "52", "--value", "-10").exit_code == 0
    run("evidence", "pack", "bundle.zip")
    with zipfile.ZipFile(state / "bundle.zip") as zf:
        (state / "目录.xlsx").write_bytes(zf.read("目录.xlsx"))
    rows = CalamineWorkbook.from_path(str(state / "目录.xlsx")).get_sheet_by_index(0).to_python()
    shown = next(r[3] for r in rows[2:] if r[0] == 52)
    assert shown.startswith("-10%") and "'" not in shown
    ws = openpyxl.load_workbook(state / "目录.xlsx").active
    cell = next(row[3] for row in ws.iter_rows(min_row=3) if row[0].value == 52)
    assert cell.value == shown and cell.data_type == "s" and cell.quotePrefix


def test_a_row_with_a_bad_value_and_a_bad_file_name_names_both(run, tmp_path: Path) -> None:
    """Every refused cell is named at once: a row whose 填报值 is refused has its
    佐证材料 names checked too, so the person does not come back for a second refusal."""
    split(run)
    path = form_path(tmp_path, "审批监管科")
    set_cells(path, {131: {"填报值": "很多", "佐证材料": "../answers.yaml"}})
    before = (
        (tmp_path / "answers.yaml").read_bytes() if (tmp_path / "answers.yaml").exists() else b""
    )
    result = run("import", str(path), "--by", "审批监管科")
    assert result.exit_code == 3, result.output
    lines = [line for line in result.stderr.splitlines() if "第131项" in line]
    assert len(lines) == 2, result.stderr
    assert any("“很多”" in line for line in lines)
    assert any("不能是绝对路径或上级文件夹" in line for line in lines)
    after = (
        (tmp_path / "answers.yaml").read_bytes() if (tmp_path / "answers.yaml").exists() else b""
    )
    assert after == before
