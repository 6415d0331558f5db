"""Issue 25, class 11: next year's table, the remaining shapes. A header with no rows says
so; 题号 formulas saved without results say how to fix it; inline options are extracted
where 单选/多选/以下哪些 (or the options alone) mark the kind; "请填写…的名称" is text; every
inference goes to the list to review."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from tests.hostile import cli, refused

HEAD = "二级指标,题号,三级指标,责任领导,责任科室,完成时限\n"


def table(tmp_path: Path, *texts: str) -> Path:
    rows = "".join(f"甲类,{n},{t},万富春,审批科,2022-09-15\n" for n, t in enumerate(texts, 1))
    path = tmp_path / "表.csv"
    path.write_text(HEAD + rows, encoding="utf-8")
    return path


def imported(tmp_path: Path, *texts: str) -> tuple[list[dict], str]:
    done = cli(tmp_path, "checklist-import", str(table(tmp_path, *texts)), "-o", "o.yaml",
               "--year", "2022")  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = yaml.safe_load((tmp_path / "o.yaml").read_text(encoding="utf-8"))
    return doc["indicators"], done.stdout


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_header_with_no_rows_says_so(tmp_path, suffix: str) -> None:
    path = tmp_path / f"表.{suffix}"
    if suffix == "csv":
        path.write_text(HEAD, encoding="utf-8")
    else:
        wb = openpyxl.Workbook()
        wb.active.append(HEAD.strip().split(","))
        wb.save(path)
    args = ("checklist-import", str(path), "-o", "o.yaml", "--year", "2022")
    err = refused(cli(tmp_path, *args), 3, "没有指标行")
    assert "不一致" not in err
    assert not (tmp_path / "o.yaml").exists()


@pytest.mark.parametrize("formula", ["=ROW()-2", "=A2+1"])
def test_id_formulas_without_saved_results_say_how_to_fix(tmp_path, formula: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2022年营商环境测评指标"])
    ws.append(["二级指标", "题号", "三级指标", "责任领导", "责任科室", "完成时限"])
    for i in range(3):
        ws.append(["甲类", formula, f"本地区事项总数{i}？", "万富春", "审批科", "2022-09-15"])
    wb.save(tmp_path / "表.xlsx")
    err = refused(cli(tmp_path, "checklist-import", "表.xlsx", "-o", "o.yaml"), 3, "表.xlsx")
    assert "题号是公式" in err and "没有保存计算结果" in err and "保存一次" in err
    assert "没有题号（空）" not in err


@pytest.mark.parametrize(
    ("text", "kind", "options"),
    [
        ("本地区政务服务事项支持以下哪些功能（A.在线预约 B.在线支付 C.物流配送）？", "multi",
         ["在线预约", "在线支付", "物流配送"]),
        ("本地区窗口设置方式（单选）：1.综合窗口 2.分类窗口 3.专科窗口", "choice",
         ["综合窗口", "分类窗口", "专科窗口"]),
        ("本地区数据共享频率为（A.实时 B.每日 C.每周）", "choice", ["实时", "每日", "每周"]),
        ("本地区已开通哪些渠道（多选）1.网站 2.APP 3.小程序", "multi", ["网站", "APP", "小程序"]),
        ("本地区审批模式为（1.串联 2.并联）？", "choice", ["串联", "并联"]),
    ],
)  # fmt: skip
def test_inline_options_are_extracted(tmp_path, text, kind, options) -> None:
    inds, out = imported(tmp_path, text)
    assert (inds[0]["kind"], inds[0]["options"]) == (kind, options)
    assert "从文字中提取的选项：" + "、".join(options) in out  # listed for review


@pytest.mark.parametrize(
    "text",
    [
        "请填写本地区政务服务平台的名称",
        "请写明本地区牵头单位的名称",
        "本地区一体化平台的名称是什么？",
    ],
)
def test_a_name_asked_for_is_text(tmp_path, text: str) -> None:
    inds, _ = imported(tmp_path, text)
    assert inds[0]["kind"] == "text"


def test_numbers_in_a_text_are_not_options(tmp_path) -> None:
    inds, _ = imported(tmp_path, "本地区办件量比上年提高 1.5 倍的事项数")
    assert inds[0]["kind"] == "count" and "options" not in inds[0]
