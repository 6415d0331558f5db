"""The bundled checklist against the seed table, and the loader's error messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evalcheck.errors import ChecklistInvalid
from evalcheck.model.loading import bundled_checklist_path, load_checklist, read_checklist

from .conftest import SEED, SEED_COPY, seed_text


def seed_rows() -> dict[int, dict[str, str | None]]:
    """An independent reading of the seed: {id: category, text, owner, section, due}."""
    rows: dict[int, dict[str, str | None]] = {}
    category = ""
    for line in seed_text().splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < 5:
            continue
        if cells[0].isdigit():  # the category cell was lost (rows 72-99)
            cells.insert(0, "")
        if not cells[1].isdigit():
            continue
        if cells[0]:
            category = re.sub(r"^[一二三四五]、", "", re.sub(r"\s+", "", cells[0]))
        rows[int(cells[1])] = {
            "category": category,
            "text": cells[2],
            "owner": cells[3] or None,
            "section": cells[4] or None,
            "due": cells[5],
        }
    return rows


def test_seed_copy_is_the_shared_seed() -> None:
    if not SEED.exists():
        pytest.skip("../shared is not beside the checkout")
    assert SEED_COPY.read_bytes() == SEED.read_bytes()


def test_list_json_equals_the_seed_table(run) -> None:
    result = run("list", "--format", "json")
    assert result.exit_code == 0
    listed = {i["id"]: i for i in json.loads(result.stdout)}
    seed = seed_rows()
    assert sorted(listed) == list(range(1, 145)) == sorted(seed)
    for ident, row in seed.items():
        got = listed[ident]
        assert got["text"] == row["text"], ident
        assert got["owner"] == row["owner"], ident
        assert got["section"] == row["section"], ident
        assert got["category"] == row["category"], ident
        assert row["due"] == "9月15日前" and got["due"] == "2021-09-15"
        assert got["role"] == ("lead" if ident <= 115 else "support")


def test_seed_quirks_are_handled(checklist) -> None:
    cats = {i.id: i.category for i in checklist.indicators}
    assert checklist.categories == (
        "网上政务服务能力",
        "政务服务便利度",
        "政务服务创新举措",
        "线上线下融合度",
        "市场监管",
    )
    assert {cats[n] for n in range(72, 100)} == {"政务服务便利度"}
    assert {cats[n] for n in range(100, 110)} == {"政务服务创新举措"}
    assert {cats[n] for n in range(110, 116)} == {"线上线下融合度"}
    assert checklist.get(82).section is None
    assert checklist.category_label("政务服务创新举措") == "三、政务服务创新举措"


@pytest.mark.parametrize(
    ("ident", "kind", "unit"),
    [
        (1, "count", "项"),
        (3, "percent", "%"),
        (16, "yesno", None),
        (17, "multi", None),
        (33, "count", "个"),
        (36, "count", "次"),
        (38, "count", "条"),
        (47, "count", "个"),
        (52, "percent", "%"),
        (109, "text", None),
        (111, "yesno", None),
        (134, "count", "人"),
        (138, "choice", None),
        (142, "multi", None),
    ],
)
def test_kinds_follow_the_wording(checklist, ident: int, kind: str, unit: str | None) -> None:
    ind = checklist.get(ident)
    assert (ind.kind, ind.unit) == (kind, unit)


def test_options_and_ranges(checklist) -> None:
    ind = checklist.get(142)
    assert ind.option_texts == [
        "重点监管事件跟踪预警响应处置的全链条",
        "记录和分析各监管部门监管质量和效能评估",
        "其他（请备注内容）",
        "以上均未实现",
    ]
    assert [o.exclusive for o in ind.options] == [False, False, False, True]
    assert (checklist.get(3).low, checklist.get(3).high) == (0, 100)
    assert (checklist.get(52).low, checklist.get(52).high) == (-100, None)  # growth rate


def test_bundled_file_validates_with_the_82_warning(run) -> None:
    result = run("validate")
    assert result.exit_code == 0
    assert "0 个错误" in result.stdout
    assert "警告：第82项 字段 section：未指定责任科室" in result.stdout


BASE = """\
title: 测试清单
year: 2021
due: 2021-09-15
categories: [甲类, 乙类]
indicators:
  - {id: 1, category: 甲类, text: 事项总数？, owner: 张三, section: 一科, kind: count, unit: 项}
  - {id: 2, category: 乙类, text: 是否建立？, owner: 张三, section: 二科, kind: yesno}
"""


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_small_valid_file_loads(tmp_path: Path) -> None:
    cl = load_checklist(write(tmp_path, BASE))
    assert [i.id for i in cl.indicators] == [1, 2]
    assert cl.sections == ("一科", "二科")


def test_five_mistakes_are_all_reported(tmp_path: Path, run) -> None:
    bad = BASE + (
        "  - {id: 2, category: 甲类, text: 重复？, kind: yesno}\n"
        "  - {id: 3, category: 甲类, text: 某某？, kind: decimal}\n"
        "  - {id: 4, category: 甲类, text: 日期？, kind: yesno, due: 2021-13-40}\n"
        "  - {id: 5, category: 甲类, text: 选项？, kind: count, options: [甲, 乙]}\n"
        "  - {id: 6, category: 丙类, text: '', kind: yesno}\n"
        "  - {id: 7, category: 甲类, text: 题型？}\n"
    )
    p = write(tmp_path, bad)
    result = run("validate", str(p))
    assert result.exit_code == 4
    out = result.stdout
    assert "错误：第2项：题号重复" in out
    assert "错误：第3项 字段 kind：未知的题型 'decimal'" in out
    assert "错误：第4项 字段 due：日期无效" in out
    assert "错误：第5项 字段 options：题型 count 不带选项" in out
    assert "错误：第6项 字段 text：指标内容为空" in out
    assert "错误：第7项 字段 kind：缺少题型，请写明 kind（可选：" in out
    assert "错误：第6项 字段 category：未知的二级指标“丙类”" in out
    assert "7 个错误" in out


def test_missing_id_is_named(tmp_path: Path) -> None:
    p = write(tmp_path, BASE + "  - {category: 甲类, text: 无题号, kind: yesno}\n")
    _, problems = read_checklist(p)
    assert [x.text for x in problems] == [
        "indicators 第3条 字段 id：缺少题号或题号不是正整数（None）"
    ]


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path, run) -> None:
    p = write(tmp_path, BASE + "  - {id: 3, text: [unclosed\n")
    result = run("validate", str(p))
    assert result.exit_code == 4
    assert re.search(r"c\.yaml 第\d+行第\d+列：YAML 格式错误", result.stdout)


def test_python_tags_are_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "!!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ChecklistInvalid) as exc:
        load_checklist(p)
    assert "不允许的 YAML 标签" in exc.value.problems[0]
    assert "第1行" in exc.value.problems[0]


def test_a_broken_checklist_stops_other_commands_with_code_4(tmp_path: Path, run) -> None:
    p = write(tmp_path, BASE.replace("kind: yesno", "kind: bogus"))
    result = run("--checklist", str(p), "list")
    assert result.exit_code == 4
    assert "清单文件" in result.stderr and "1 处错误" in result.stderr
    assert "第2项 字段 kind" in result.stderr
    assert "Traceback" not in result.output


def test_missing_checklist_file(run) -> None:
    result = run("--checklist", "nope.yaml", "list")
    assert result.exit_code == 4
    assert "找不到清单文件：nope.yaml" in result.stderr


def test_env_var_selects_the_checklist(tmp_path: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("EVALCHECK_CHECKLIST", str(write(tmp_path, BASE)))
    result = run("list", "--format", "json")
    assert [i["id"] for i in json.loads(result.stdout)] == [1, 2]


def test_rule_naming_unknown_indicator_fails_validate(tmp_path: Path, run) -> None:
    p = write(tmp_path, BASE + "rules:\n  - {id: R9, check: q999 <= q1}\n")
    result = run("validate", str(p))
    assert result.exit_code == 4
    assert "错误：规则 R9：表达式“q999 <= q1”引用了不存在的第999项" in result.stdout


def test_rule_on_a_yesno_indicator_is_a_kind_mismatch(tmp_path: Path, run) -> None:
    p = write(tmp_path, BASE + "rules:\n  - {id: R1, check: q2 <= q1}\n")
    result = run("validate", str(p))
    assert result.exit_code == 4
    assert "第2项题型为 yesno，只能引用数量、数值或百分比题" in result.stdout


@pytest.mark.parametrize(
    ("check", "why"),
    [("__import__('os')", "不支持的写法：Call"), ("q1 +", "语法错误"), ("x1 <= 2", "未知名称“x1”")],
)
def test_unsafe_or_broken_expressions_are_refused(tmp_path: Path, run, check, why) -> None:
    p = write(tmp_path, BASE + f'rules:\n  - {{id: R1, check: "{check}"}}\n')
    result = run("validate", str(p))
    assert result.exit_code == 4
    assert why in result.stdout


def test_bundled_path_is_inside_the_package() -> None:
    assert bundled_checklist_path().name == "indicators.yaml"
    assert bundled_checklist_path().exists()


def test_the_bundled_checklist_keeps_the_source_framing(checklist) -> None:
    seed = {line.strip() for line in seed_text().splitlines() if line.strip()}
    assert checklist.label == "附件 1" and checklist.label in seed
    assert checklist.title in seed
    assert "备注：" + (checklist.footnote or "") in seed  # verbatim, typo and all
    assert {i.due_text for i in checklist.indicators} == {"9月15日前"}


def test_framing_fields_and_fonts_are_validated(tmp_path: Path, run) -> None:
    text = BASE.replace(
        "year: 2021\n",
        "year: 2021\nlabel: [附件]\nfonts: {title: 宋体, heading: 黑体, body: [仿宋, 3]}\n",
    ).replace("kind: yesno}", "kind: yesno, due_text: 2}")
    result = run("validate", str(write(tmp_path, text)))
    assert result.exit_code == 4
    for message in (
        "清单 字段 label：应为文字",
        "字段 fonts.heading：未知的用途（可用：label、title、header、body）",
        "字段 fonts.body：应为字体名，或按优先顺序排列的字体名列表",
        "第2项 字段 due_text：应为文字，实际为 2",
    ):
        assert message in result.stdout


def test_the_default_wording_belongs_to_the_default_date(tmp_path: Path) -> None:
    text = BASE.replace("due: 2021-09-15\n", "due: 2021-09-15\ndue_text: 9月15日前\n").replace(
        "kind: yesno}", "kind: yesno, due: 2021-10-08}"
    )
    cl = load_checklist(write(tmp_path, text))
    assert [(i.due.isoformat(), i.due_text) for i in cl.indicators] == [
        ("2021-09-15", "9月15日前"),
        ("2021-10-08", None),  # another date: shown as the date, not a stale wording
    ]


@pytest.mark.parametrize(
    ("installed", "title", "body"),
    [
        (None, "方正小标宋简体", "仿宋_GB2312"),  # unknown: the first of each chain
        ({"SimSun & NSimSun", "FangSong", "SimHei"}, "宋体", "仿宋"),  # a fresh Windows
        ({"方正小标宋简体", "仿宋_GB2312", "SimSun"}, "方正小标宋简体", "仿宋_GB2312"),
        ({"Arial"}, "方正小标宋简体", "仿宋_GB2312"),  # none installed: the first
    ],
)
def test_fonts_fall_back_to_what_is_installed(installed, title: str, body: str) -> None:
    from evalcheck.infra.fonts import chains, registry_names, resolve

    names = None
    if installed is not None:
        names = {n for value in installed for n in registry_names(f"{value} (TrueType)")}
    sizes = {"label": 16, "title": 22, "header": 11, "body": 10.5}
    fonts = resolve(chains(), names, sizes)
    assert (fonts.title.name, fonts.body.name, fonts.label.name) == (title, body, "黑体")
    assert fonts.title.size == 22


@pytest.mark.parametrize(
    ("installed", "picked"),
    [
        # WPS for Linux's Founder fonts (as fontconfig lists them in English)
        (
            {"FZHei-B01", "FZShuSong-Z01", "FZFangSong-Z02"},
            ("方正黑体_GBK", "方正书宋_GBK", "方正仿宋_GBK"),
        ),
        # a UOS / deepin PC without WPS fonts: Noto CJK
        (
            {"Noto Sans CJK SC", "Noto Serif CJK SC"},
            ("Noto Sans CJK SC", "Noto Serif CJK SC", "Noto Serif CJK SC"),
        ),
        # an older Kylin: WenQuanYi only
        ({"WenQuanYi Micro Hei"}, ("文泉驿微米黑", "方正小标宋简体", "仿宋_GB2312")),
    ],
)
def test_fonts_fall_back_to_what_kylin_uos_and_wps_ship(installed, picked) -> None:
    """The chains go on, after the Windows names, with what 信创 PCs have (issue 27)."""
    from evalcheck.infra.fonts import chains, resolve

    sizes = {"label": 16, "title": 22, "header": 11, "body": 10.5}
    fonts = resolve(chains(), installed, sizes)
    assert (fonts.label.name, fonts.title.name, fonts.body.name) == picked
    assert fonts.header.name == fonts.label.name


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("title", "标" * 501, "字段 title：有 501 个字符，超过 500 字的上限"),
        ("footnote", "注" * 40_000, "字段 footnote：有 40000 个字符，超过 32751 字的上限"),
        ("footnote", "注" * 32_765, "字段 footnote：有 32765 个字符，超过 32751 字的上限"),
        ("label", "附" * 600, "字段 label：有 600 个字符"),
    ],
)
def test_framing_text_too_long_for_its_cell_is_the_checklists_fault(
    tmp_path: Path, run, field: str, value: str, said: str
) -> None:
    """validate names the checklist's field, rather than every export refusing with a
    message that sends the person to the answers file."""
    lines = bundled_checklist_path().read_text(encoding="utf-8").splitlines()
    lines = [ln for ln in lines if not ln.startswith(f"{field}:")]
    lines.insert(0, f"{field}: {value}")
    (tmp_path / "c.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", "c.yaml")
    assert result.exit_code == 4, result.output
    assert said in result.output
    assert "答案文件" not in result.output


def test_an_option_named_not_applicable_is_refused(tmp_path: Path, run) -> None:
    """The forms' dropdowns offer 不适用 (the answer, with a reason) beside the options: an
    option of that name would be read as one or the other depending on where it is typed."""
    bad = BASE + "  - {id: 5, category: 甲类, text: 方式？, kind: choice, options: [甲, 不适用]}\n"
    result = run("validate", str(write(tmp_path, bad)))
    assert result.exit_code == 4
    assert (
        "错误：第5项 字段 options：选项不能叫“不适用”：不适用是每一项都可以填的答案（须写明原因），"
        "填报表的下拉框里已有；请删去这个选项，或换一个说法（如“未开展”）" in result.stdout
    )
