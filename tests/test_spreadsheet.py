"""A real spreadsheet program in the loop: LibreOffice Calc, headless.

Section staff fill the forms in Excel, WPS or LibreOffice, which rewrite the file when they
save. These tests type values into exported forms through LibreOffice (UNO, driven by
tests/lo_helper.py under the system python3 that has python3-uno), save as .xlsx, import
the result; and print the total export to PDF. `.ci/run` installs LibreOffice when missing;
without it these tests are skipped, with the reason shown in pytest's summary.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

HELPER = Path(__file__).with_name("lo_helper.py")
SYSTEM_PYTHON = "/usr/bin/python3"


@cache
def _missing() -> str | None:
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import uno: apt-get install python3-uno"
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        return "pdftotext/pdfinfo are not installed: apt-get install poppler-utils"
    return None


pytestmark = [
    pytest.mark.slow,  # LibreOffice
    pytest.mark.skipif(_missing() is not None, reason=str(_missing())),
]


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LibreOffice user profile for the module: created once (~2 s), never the user's."""
    return tmp_path_factory.mktemp("lo-profile")


def fill_in_calc(profile: Path, src: Path, dst: Path, values: dict[int, str]) -> dict[str, str]:
    """Type `values` into the 填报值 cells of `src` in LibreOffice; save as .xlsx at `dst`."""
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(HELPER), str(profile), str(src), str(dst), json.dumps(values)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert dst.exists()
    typed: dict[str, str] = json.loads(proc.stdout)
    return typed


def stored(tmp_path: Path) -> dict[int, object]:
    data = yaml.safe_load((tmp_path / "answers.yaml").read_text(encoding="utf-8"))
    return {k: v.get("value", v.get("na")) for k, v in data["answers"].items()}


def test_a_form_filled_in_libreoffice_imports(run, tmp_path: Path, profile: Path) -> None:
    assert run("export", "--split", "forms", "-s", "审批监管科").exit_code == 0
    form = tmp_path / "forms" / "2021测评填报_审批监管科.xlsx"
    typed = {
        43: "是",  # a yes/no dropdown cell
        88: "95%",  # Calc stores 0.95 with a percent format
        97: "87.5",
        126: "３次",  # full-width digit and unit: stays text in Calc
        131: "1000",
        132: "800",
        138: "其他方式",
        142: "1、2",
    }
    cells = fill_in_calc(profile, form, tmp_path / "filled.xlsx", typed)
    assert sorted(cells, key=int) == [str(i) for i in typed]  # every value was typed in

    result = run("import", "filled.xlsx", "--by", "审批监管科王五")
    assert result.exit_code == 0, result.stderr
    assert "第88项：（无） → 95%" in result.stdout
    assert "已导入 8 项修改（填报人：审批监管科王五）" in result.stdout
    # no openpyxl warning about the rewritten file (only the note that the folder is not a
    # work folder, test_stray_answers.py)
    assert [x for x in result.stderr.splitlines() if "不是工作文件夹" not in x] == []
    assert stored(tmp_path) == {
        43: True,
        88: 95,
        97: 87.5,
        126: 3,
        131: 1000,
        132: 800,
        138: "其他方式",
        142: ["重点监管事件跟踪预警响应处置的全链条", "记录和分析各监管部门监管质量和效能评估"],
    }
    # the derived 133 (= 132 / 131 * 100) now shows in the next export's form
    assert "80%" in run("show", "133").stdout


def test_a_bad_cell_typed_in_libreoffice_is_refused_with_its_row(
    run, tmp_path: Path, profile: Path
) -> None:
    run("export", "--split", "forms", "-s", "办公室")
    form = tmp_path / "forms" / "2021测评填报_办公室.xlsx"
    fill_in_calc(profile, form, tmp_path / "filled.xlsx", {30: "12", 34: "百分之九十"})
    result = run("import", "filled.xlsx")
    assert result.exit_code == 3
    assert "工作表“测评指标”第8行（第34项）：第34项（数量）不接受“百分之九十”" in result.stderr
    assert not (tmp_path / "answers.yaml").exists()


def test_the_total_export_prints_to_pdf(run, tmp_path: Path, profile: Path) -> None:
    run("answer", "47", "--value", "312")
    assert run("export", "report.xlsx").exit_code == 0
    proc = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(tmp_path / "report.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    pdf = tmp_path / "pdf" / "report.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 2 <= pages <= 20  # 144 rows on A4 plus the progress sheet, not hundreds of slivers
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = float(size.split()[2]), float(size.split()[4])
    assert width > height  # landscape
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "中卫市审批服务管理局营商环境测评指标责任清单（2021年）" in text
    assert "本地区行政许可事项承诺时限总数" in text  # indicator 47, with its answer
    assert text.count("三级指标") >= pages - 1  # the header row repeats on every page
