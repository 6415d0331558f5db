"""Issue 25, class 2: numbers and ids in every script, one guard for every numeric path.

Ids and numbers are written with 0–9 (full-width ０–９ too, as a Chinese input method types
them); a digit of another script (٤ ① ² 𝟒 ፩) is refused in Chinese, never read as a number
and never a traceback. `number` answers keep within ±10^15 and finite, by answer and import.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile import ANSWER_47, FORMS, cli, fill, refused, slow_after

FOREIGN = ["٤٧", "①", "፩", "²", "𝟒𝟕", "४७", "⑩"]  # Arabic-Indic, circled, Ethiopic, …

NUMBERED = """\
title: 测试清单
year: 2022
categories: [甲类]
indicators:
  - {id: 1, category: 甲类, text: 是否建立？, owner: 万富春, section: 政务服务中心,
     due: 2022-09-15, kind: yesno}
  - {id: 2, category: 甲类, text: 窗口总数？, owner: 万富春, section: 政务服务中心,
     due: 2022-09-15, kind: count, unit: 个}
  - {id: 3, category: 甲类, text: 平均用时多少天？, owner: 万富春, section: 政务服务中心,
     due: 2022-10-31, kind: number, unit: 天}
  - {id: 4, category: 甲类, text: 网办率？, owner: 万富春, section: 政务服务中心,
     due: 2022-10-31, kind: percent, unit: '%'}
"""


@pytest.fixture()
def answered(tmp_path: Path, prepared) -> bytes:
    prepared(ANSWER_47)
    return (tmp_path / "answers.yaml").read_bytes()


@pytest.fixture()
def numbered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prepared) -> bytes:
    (tmp_path / "c.yaml").write_text(NUMBERED, encoding="utf-8")
    monkeypatch.setenv("EVALCHECK_CHECKLIST", str(tmp_path / "c.yaml"))
    prepared(("answer", "2", "--value", "5", "--by", "张三"))
    return (tmp_path / "answers.yaml").read_bytes()


@pytest.mark.parametrize("ident", slow_after(1, FOREIGN))
@pytest.mark.parametrize(
    "command",
    [
        ("answer", "{}", "--value", "1"),
        ("show", "{}"),
        ("history", "{}"),
        ("evidence", "list", "{}"),
        ("evidence", "add", "{}", "x.txt"),
        ("approve", "{}", "--by", "万富春"),
        ("return", "{}", "--reason", "重填", "--by", "万富春"),
    ],
)
def test_an_id_in_another_script_is_refused(tmp_path, answered, command, ident: str) -> None:
    args = [a.format(ident) for a in command]
    done = cli(tmp_path, *args)
    refused(done, 3, "题号", "不是 0–9 的数字")
    assert (tmp_path / "answers.yaml").read_bytes() == answered


def test_an_id_in_full_width_digits_is_read(tmp_path, answered) -> None:
    done = cli(tmp_path, "answer", "４７", "--value", "３１３", "--by", "张三")
    assert done.returncode == 0, done.stderr
    assert "第47项 已记录：313" in done.stdout


@pytest.mark.parametrize(
    ("ident", "raw"),
    slow_after(
        1,
        [
            ("47", "٣١٢"),
            ("47", "①"),
            ("47", "3①2个"),
            ("3", "٩٥%"),
            ("3", "²"),
            ("108", "①"),  # yes/no: 1 means 是, ① is not 1
            ("142", "①"),  # an option number
            ("142", "1、②"),
        ],
        unpack=True,
    ),
)
def test_a_value_in_another_script_is_refused(tmp_path, answered, ident: str, raw: str) -> None:
    done = cli(tmp_path, "answer", ident, "--value", raw)
    refused(done, 3, f"第{ident}项", "不是 0–9 的数字")
    assert (tmp_path / "answers.yaml").read_bytes() == answered


@pytest.mark.parametrize(
    "raw",
    slow_after(
        1,
        [
            "100000000000000000000",
            "1" + "0" * 400,
            "9" * 5000,
            "-1000000000000001",
            "1,000,000,000,000,000,000",
        ],
    ),
)
def test_a_number_beyond_the_bound_is_refused_at_answer(tmp_path, numbered, raw: str) -> None:
    done = cli(tmp_path, "answer", "3", "--value", raw)
    err = refused(done, 3, "第3项", "10^15")
    assert len(err) < 400
    assert (tmp_path / "answers.yaml").read_bytes() == numbered


@pytest.mark.parametrize("raw", slow_after(1, ["inf", "nan", "-inf", "1e20", "Infinity"]))
def test_a_non_finite_or_exponent_number_is_refused_at_answer(tmp_path, numbered, raw) -> None:
    refused(cli(tmp_path, "answer", "3", "--value", raw), 3, "第3项")
    assert (tmp_path / "answers.yaml").read_bytes() == numbered


def test_the_bound_itself_is_a_number(tmp_path, numbered) -> None:
    done = cli(tmp_path, "answer", "3", "--value", "1,000,000,000,000,000", "--by", "张三")
    assert done.returncode == 0, done.stderr
    assert cli(tmp_path, "check").returncode == 0


@pytest.mark.parametrize(
    ("ident", "cell"),
    slow_after(
        1,
        [(3, 1e300), (3, 1e20), (3, -1e16), (2, 1e300), (4, 1e300), (3, "1e300"), (3, "٣")],
        unpack=True,
    ),
)
def test_a_cell_beyond_the_bound_is_refused_at_import(
    tmp_path, numbered, prepared, ident, cell
) -> None:
    prepared(FORMS)
    form = next((tmp_path / "forms").iterdir())
    fill(form, {ident: {"填报值": cell}})
    done = cli(tmp_path, "import", str(form))
    refused(done, 3, f"第{ident}项", form.name)
    assert (tmp_path / "answers.yaml").read_bytes() == numbered


@pytest.mark.parametrize(
    ("args", "said"),
    slow_after(
        2,
        [
            (("overdue", "--within", "٣"), "不是 0–9 的数字"),
            (("overdue", "--within", "-1"), "0 到 36500"),
            (("overdue", "--within", "99999999999999999999"), "0 到 36500"),
            (("remind", "--soon", "①"), "不是 0–9 的数字"),
            (("remind", "--escalate", "1e3"), "0 到 36500"),
            (("remind", "--review-days", "٣"), "不是 0–9 的数字"),
        ],
        unpack=True,
    ),
)
def test_a_number_of_days_in_another_script_or_beyond_is_a_usage_error(
    tmp_path, answered, args, said: str
) -> None:
    refused(cli(tmp_path, *args), 2, args[1], said)
    assert (tmp_path / "answers.yaml").read_bytes() == answered


def test_days_in_full_width_digits_are_read(tmp_path) -> None:
    done = cli(tmp_path, "overdue", "--within", "３", "--today", "2021-09-10")
    assert done.returncode == 0, done.stderr
    assert "3 天内" in done.stdout


@pytest.mark.parametrize("check", slow_after(1, ["q① > 0", "q4 > ٣", "q４ > 0", "q4 <= 1e400"]))
def test_a_rule_with_a_foreign_digit_or_constant_is_refused(tmp_path, check: str) -> None:
    from evalcheck.model.loading import bundled_checklist_path

    text = bundled_checklist_path().read_text(encoding="utf-8")
    rule = f"rules:\n- {{id: X1, check: '{check}', message: 坏规则}}\n"
    (tmp_path / "cl.yaml").write_text(text.replace("rules:\n", rule, 1), encoding="utf-8")
    done = cli(tmp_path, "validate", "cl.yaml")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "X1" in done.stdout + done.stderr
