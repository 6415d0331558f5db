"""A value typed with a unit: the indicator's own unit (or 个 for a count) is taken, another
is refused naming the expected unit, the same in `answer` and in a filled form."""

from __future__ import annotations

from pathlib import Path

from tests.hostile import fill

FORM = Path("forms") / "2021测评填报_政务服务中心.xlsx"  # holds indicator 6 (unit 项)
WRONG = "本项的单位是“项”，填写的是“人”（请填以“项”计的数；单位可不写，也可写“项”或“个”）"


def test_answer_refuses_a_unit_that_is_not_the_indicators(run, tmp_path: Path) -> None:
    run("answer", "47", "--value", "312")
    before = (tmp_path / "answers.yaml").read_bytes()
    result = run("answer", "6", "--value", "300人")
    assert result.exit_code == 3
    assert result.stderr.strip() == f"错误：第6项（数量）不接受“300人”：{WRONG}。例如：312 或 312项"
    assert "Traceback" not in result.output
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_answer_takes_the_own_unit_or_ge(run) -> None:
    assert run("answer", "6", "--value", "300项").stdout.startswith("第6项 已记录：300 项")
    assert run("answer", "6", "--value", "301个").stdout.startswith("第6项 已记录：301 项")


def test_a_form_refuses_the_wrong_unit_as_answer_does(run, tmp_path: Path) -> None:
    assert run("export", "--split", "forms").exit_code == 0
    fill(tmp_path / FORM, {6: {"填报值": "12人"}, 7: {"填报值": "5"}})
    result = run("import", str(FORM))
    assert result.exit_code == 3, result.output
    assert f"（第6项）：第6项（数量）不接受“12人”：{WRONG}" in result.stderr
    assert not (tmp_path / "answers.yaml").exists()  # nothing written, not even row 7
    fill(tmp_path / FORM, {6: {"填报值": "１２个"}})
    result = run("import", str(FORM))
    assert result.exit_code == 0, result.output
    assert "第6项：（无） → 12 项" in result.stdout


def test_traditional_unit_characters_are_the_same_unit(run) -> None:
    """A figure copied from a table in traditional script: 項 is 项, 個 is 个."""
    assert run("answer", "6", "--value", "300項").stdout.startswith("第6项 已记录：300 项")
    assert run("answer", "6", "--value", "301個").stdout.startswith("第6项 已记录：301 项")


def test_an_estimate_is_refused_as_such(run, tmp_path: Path) -> None:
    for typed in ("约300个", "300余个", "300多项", "300个左右"):
        result = run("answer", "6", "--value", typed)
        assert result.exit_code == 3, typed
        assert result.stderr.strip() == (
            f"错误：第6项（数量）不接受“{typed}”：请填确切的数，不要写“约”“余”“多”“左右”等。"
            "例如：312 或 312项"
        )
    assert not (tmp_path / "answers.yaml").exists()


def test_more_estimates_are_refused_and_a_unit_holding_their_words_is_not(
    run, tmp_path: Path
) -> None:
    """300项多, 約300個 (traditional), 300来项, 约95%, 95%以上: estimates. A unit that holds
    one of those characters itself (来访人次) is the unit, not an estimate."""
    refused = {"6": ("300项多", "約300個", "300来项"), "3": ("约95%", "95%以上")}
    for ident, typed_values in refused.items():
        for typed in typed_values:
            result = run("answer", ident, "--value", typed)
            assert result.exit_code == 3, typed
            assert "请填确切的数，不要写“约”“余”“多”“左右”等" in result.stderr, typed
    from evalcheck.model.entity import replace
    from evalcheck.model.kinds import parse
    from evalcheck.model.loading import bundled_checklist_path, load_checklist

    visits = replace(load_checklist(bundled_checklist_path()).get(6), unit="来访人次")
    assert parse(visits, "300来访人次") == 300
