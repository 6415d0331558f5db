"""evalcheck init (a work folder) and which checklist a command uses."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest

from evalcheck.cli import hoist_global_options
from evalcheck.model.loading import bundled_checklist_path, locate_checklist
from evalcheck.views.render import text_width

from .test_checklist import BASE, write


def test_init_makes_a_work_folder_with_a_copy_of_the_checklist(run, tmp_path: Path) -> None:
    result = run("init", "2021测评")
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "2021测评"
    assert (folder / "indicators.yaml").read_bytes() == bundled_checklist_path().read_bytes()
    assert (folder / "科室表格").is_dir() and (folder / "佐证材料").is_dir()
    assert not (folder / "answers.yaml").exists()  # made by the first answer
    lines = result.stdout.splitlines()
    assert lines[0] == "已建立工作文件夹 2021测评："
    assert "  indicators.yaml：清单（复制自附带的清单），可直接修改" in lines
    assert "  answers.yaml：答案（第一次填报时建立）" in lines
    assert "  cd 2021测评" in lines
    assert lines[-1] == "在 2021测评 中运行的命令都使用其中的 indicators.yaml。"
    assert max(text_width(line) for line in lines) <= 60  # fits a narrow terminal


def test_init_again_changes_nothing(run, tmp_path: Path) -> None:
    run("init", "w")
    edited = (tmp_path / "w" / "indicators.yaml").read_text(encoding="utf-8") + "# 已修改\n"
    (tmp_path / "w" / "indicators.yaml").write_text(edited, encoding="utf-8")
    result = run("init", "w")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        "w 已是工作文件夹，未做任何改动：",
        "  indicators.yaml：已存在，未改动",
    ]
    assert (tmp_path / "w" / "indicators.yaml").read_text(encoding="utf-8") == edited


def test_init_in_the_current_folder(run, tmp_path: Path) -> None:
    result = run("init")
    assert result.stdout.startswith("已在当前文件夹建立工作文件夹：")
    assert "cd " not in result.stdout
    assert (tmp_path / "indicators.yaml").is_file()


def test_init_copies_the_checklist_given_after_the_command(run, tmp_path: Path) -> None:
    """`--checklist` is global; written after `init` it is still the list copied."""
    from evalcheck.cli import hoist_global_options

    write(tmp_path, BASE, "2022.yaml")
    args = hoist_global_options(["init", "2022测评", "--checklist", "2022.yaml"])
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert "清单（复制自 2022.yaml），可直接修改" in result.stdout
    assert (tmp_path / "2022测评" / "indicators.yaml").read_text(encoding="utf-8") == BASE


def _steps(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    return [line.split("  ")[1] for line in lines[lines.index("下一步：") + 1 : -1]]


def _init_steps(run, tmp_path: Path, text: str, folder: str) -> list[str]:
    """`init folder` with the checklist `text`: its next steps."""
    write(tmp_path, text, "given.yaml")
    result = run("--checklist", "given.yaml", "init", folder)
    assert result.exit_code == 0, result.stderr
    return _steps(result.stdout)


UNITS_HEAD = "units: [沙坡头区, 中宁县]\nunits_due: 2021-09-10\ncategories:"


def test_inits_next_steps_come_from_the_checklist_copied(run, tmp_path: Path, monkeypatch) -> None:
    """Not the bundled list's 47 and 审批监管科: this checklist has neither. The first
    indicator typed in whose kind has a plain value, and its section; each step runs."""
    text = BASE.replace(
        "id: 1, category: 甲类, text: 事项总数？", "id: 1, category: 甲类, text: 名称？"
    )
    text = text.replace("kind: count, unit: 项}", "kind: text}").replace(
        "section: 二科", "section: 二 科"
    )
    write(tmp_path, text, "2022.yaml")
    result = run("--checklist", "2022.yaml", "init", "2022测评")
    assert result.exit_code == 0, result.stderr
    steps = _steps(result.stdout)
    assert steps == [
        "cd 2022测评",
        "evalcheck validate",
        'evalcheck list -s "二 科"',
        "evalcheck answer 2 --value 是",
        "evalcheck export --split 科室表格",
    ]
    monkeypatch.chdir(tmp_path / "2022测评")
    assert run("list", "-s", "二 科").exit_code == 0
    done = run("answer", "2", "--value", "是")
    assert done.exit_code == 0 and done.stdout.startswith("第2项 已记录：是"), done.stderr


def test_inits_next_steps_leave_out_what_the_checklist_has_no_example_for(run, tmp_path) -> None:
    """Only text indicators, none with a section: no `answer` or `list -s` example."""
    text = BASE.replace("kind: count, unit: 项}", "kind: text}").replace(
        "kind: yesno}", "kind: text}"
    )
    write(tmp_path, text.replace(", section: 一科", "").replace(", section: 二科", ""), "t.yaml")
    result = run("--checklist", "t.yaml", "init", "w")
    assert result.exit_code == 0, result.stderr
    assert _steps(result.stdout) == [
        "cd w",
        "evalcheck validate",
        "evalcheck export --split 科室表格",
    ]


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        (lambda p: write(p, "title: x\n", "bad.yaml"), 4, "清单文件 bad.yaml 有 3 处错误"),
        (lambda p: (p / "w").write_text("x"), 3, "w 已存在且是文件，不是文件夹"),
    ],
)
def test_init_refuses_and_makes_nothing(run, tmp_path: Path, setup, code, message) -> None:
    def files() -> list[str]:
        return sorted(p.name for p in tmp_path.iterdir() if p.name != "_cache")

    setup(tmp_path)
    before = files()
    result = run("--checklist", "bad.yaml", "init", "w") if code == 4 else run("init", "w")
    assert result.exit_code == code
    assert message in result.stderr
    assert files() == before


def test_commands_in_the_work_folder_use_its_edited_checklist(run, tmp_path, monkeypatch) -> None:
    run("init", "w")
    folder = tmp_path / "w"
    text = (folder / "indicators.yaml").read_text(encoding="utf-8")
    text = text.replace("text: 本地区行政许可事项承诺时限总数？", "text: 承诺时限总数（已改）？")
    (folder / "indicators.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(folder)
    assert "三级指标：承诺时限总数（已改）？" in run("show", "47").stdout
    assert run("answer", "47", "--value", "312").exit_code == 0
    assert (folder / "answers.yaml").is_file()
    assert run("status").stdout.splitlines()[0] == "清单：indicators.yaml（当前文件夹中的清单）"
    validate = run("validate").stdout.splitlines()
    assert validate[0] == "清单：indicators.yaml（当前文件夹中的清单）"
    assert validate[-1] == "indicators.yaml：共 144 项指标，0 个错误，1 个警告"


def test_outside_a_work_folder_the_bundled_list_is_used_and_said(run) -> None:
    first = "清单：随程序附带的清单（要修改请先 evalcheck init）"
    assert run("status").stdout.splitlines()[0] == first
    assert run("validate").stdout.splitlines()[0] == first


def test_status_json_stays_pure_json(run, tmp_path) -> None:
    run("init")
    assert json.loads(run("status", "-f", "json").stdout)["total"]["total"] == 144


@pytest.mark.parametrize(
    ("option", "env", "folder", "expected", "origin"),
    [
        ("a.yaml", "b.yaml", True, "a.yaml", "option"),
        (None, "b.yaml", True, "b.yaml", "env"),
        (None, None, True, "indicators.yaml", "folder"),
        (None, None, False, str(bundled_checklist_path()), "bundled"),
    ],
)
def test_which_checklist_wins(tmp_path, monkeypatch, option, env, folder, expected, origin) -> None:
    if env:
        monkeypatch.setenv("EVALCHECK_CHECKLIST", env)
    if folder:
        (tmp_path / "indicators.yaml").write_text(BASE, encoding="utf-8")
    source = locate_checklist(option)
    assert (str(source.path), source.origin) == (expected, origin)


def test_a_folder_named_indicators_yaml_is_not_a_checklist(tmp_path: Path) -> None:
    (tmp_path / "indicators.yaml").mkdir()
    assert locate_checklist(None).origin == "bundled"


TABLE = (
    "2022年测评指标\n序号\t评价内容\t分管领导\t责任单位\t完成时间\n（一）网上政务服务能力\n"
    "1\t本地区政务服务事项总数？\t万富春\t政务服务中心\t9月底前\n"
    "2\t依申请行政权力事项总数？\t万富春\t政务服务中心\t9月底前\n"
)


def test_the_new_year_steps_in_year_over_year_md_run_as_written(run, tmp_path, monkeypatch) -> None:
    """The page's steps, in its order, beside last year's work folder: each one succeeds
    (init used to come first and copy the bundled list, and checklist-import then refused
    to overwrite 2022测评/indicators.yaml)."""
    page = (Path(__file__).parents[1] / "docs" / "year-over-year.md").read_text("utf-8")
    block = page.split("每年一个工作文件夹时", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    steps = block.splitlines()
    assert any(s.startswith("evalcheck init ") for s in steps)
    run("init", "2021测评")
    monkeypatch.chdir(tmp_path / "2021测评")
    assert run("answer", "1", "--value", "20", "--by", "张三").exit_code == 0
    monkeypatch.chdir(tmp_path)
    (tmp_path / "指标表.txt").write_text(TABLE, encoding="utf-8")
    for step in steps:
        if step.startswith("cd "):
            monkeypatch.chdir(Path.cwd() / step[3:])
            continue
        args = shlex.split(step)
        assert args[0] == "evalcheck"
        result = run(*hoist_global_options(args[1:]))
        assert result.exit_code == 0, (step, result.stderr)
    folder = tmp_path / "2022测评"
    assert (folder / "indicators.yaml").read_bytes() == (tmp_path / "2022.yaml").read_bytes()
    shown = run("show", "2").stdout  # last year's 依申请行政权力事项总数 was item 1
    assert "上年值：20 项" in shown and "（2021年第1项，文字相同；仅供参考）" in shown


def test_inits_next_steps_name_the_unit_forms_when_the_checklist_has_units(
    run, tmp_path: Path, monkeypatch
) -> None:
    """Every indicator filled by the counties: the unit forms are the step that applies,
    besides the sections' own forms; no `answer` example (the city does not type them)."""
    text = BASE.replace("categories:", UNITS_HEAD)
    text = text.replace("unit: 项}", "unit: 项, collect: units}").replace(
        "kind: yesno}", "kind: yesno, collect: units, rollup: any}"
    )
    steps = _init_steps(run, tmp_path, text, "w")
    assert steps[-1] == "evalcheck export --units 单位表格"
    assert not any(s.startswith("evalcheck answer") for s in steps)
    monkeypatch.chdir(tmp_path / "w")
    assert run("export", "--units", "单位表格").exit_code == 0


def test_inits_next_steps_leave_the_unit_forms_out_when_units_fill_nothing(
    run, tmp_path: Path
) -> None:
    """Units named, but no indicator collected from them: their forms would be empty."""
    steps = _init_steps(run, tmp_path, BASE.replace("categories:", UNITS_HEAD), "w")
    assert "evalcheck export --units 单位表格" not in steps


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell reads the suggested command")
@pytest.mark.parametrize("section", ["综合科(一)", "价格科$HOME", 'A "B" 科', "督查`科`!"])
def test_inits_list_example_reaches_its_section_through_a_shell(
    run, tmp_path: Path, section: str
) -> None:
    """The `list -s` step, as a POSIX shell reads it, names the section as written: '$',
    '`', '"' and '!' mean something inside double quotes, so such a name is single-quoted."""
    text = BASE.replace("section: 一科", "section: " + json.dumps(section, ensure_ascii=False))
    steps = _init_steps(run, tmp_path, text, "w")
    (step,) = [s for s in steps if s.startswith("evalcheck list -s ")]
    words = subprocess.run(
        ["sh", "-c", 'printf "%s\\n" ' + step.removeprefix("evalcheck list -s ")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert words == [section]
