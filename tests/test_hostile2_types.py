"""Issue 25, class 4: types and versions in the answers file. Every field is type-checked on
load; !!binary, !!set, !!omap and !!pairs are refused; a file from a newer evalcheck is
refused ("由更新版本的 evalcheck 写入") and never rewritten as format 1. Every refusal is
exit 4 with the file and line, and the file stays byte-identical, also under a write."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile import ANSWER_47, FORMS, cli, refused, slow_after


@pytest.fixture()
def original(tmp_path: Path, prepared) -> str:
    prepared(ANSWER_47)
    return (tmp_path / "answers.yaml").read_text(encoding="utf-8")


def edit(tmp_path: Path, text: str, old: str, new: str) -> bytes:
    assert old in text, old
    (tmp_path / "answers.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return (tmp_path / "answers.yaml").read_bytes()


FIELD = "    by: 张三\n"

VARIANTS = [
    ("binary by", "    by: 张三\n", "    by: !!binary aGVsbG8=\n", "!!binary"),
    ("binary value", "    value: 312\n", "    value: !!binary aGVsbG8=\n", "!!binary"),
    ("set value", "    value: 312\n", "    value: !!set {a, b}\n", "!!set"),
    ("set note", FIELD, FIELD + "    note: !!set {a}\n", "!!set"),
    ("omap note", FIELD, FIELD + "    note: !!omap [a: 1]\n", "!!omap"),
    ("pairs note", FIELD, FIELD + "    note: !!pairs [a: 1]\n", "!!pairs"),
    ("list note", FIELD, FIELD + "    note: [甲, 乙]\n", "note（备注）应为文字，实际为列表"),
    ("mapping note", FIELD, FIELD + "    note: {a: 1}\n", "实际为映射"),
    ("bool note", FIELD, FIELD + "    note: yes\n", "实际为是/否"),
    ("list na", FIELD, FIELD + "    na: [不适用]\n", "na（不适用原因）"),
    ("list by", FIELD, "    by: [张三, 李四]\n", "by（填报人）"),
    ("list at", "    at: '", "    at: [] #'", "at（填报时间）"),
    ("list reviewed_at", FIELD, FIELD + "    reviewed_at: [1]\n", "reviewed_at（审核时间）"),
    ("mapping comment", FIELD, FIELD + "    comment: {a: 1}\n", "comment（审核意见）"),
    ("list reviewer", FIELD, FIELD + "    reviewer: [万富春]\n", "reviewer（审核人）"),
    ("text reverts", FIELD, FIELD + "    reverts: 一\n", "reverts 应为整数"),
    ("text seq", "    seq: 1\n", "    seq: two\n", "seq（修改序号）应为整数，实际为“two”"),
    ("text id", "  47:\n", "  '47':\n", "题号应为整数，实际为“47”"),
    ("dict value", "    value: 312\n", "    value: {a: 1}\n", "实际为映射"),
    ("date value", "    value: 312\n", "    value: 2021-09-01\n", "实际为日期"),
    ("list of numbers", "    value: 312\n", "    value: [1, 2]\n", "文字列表"),
    ("format as text", "format: 1\n", "format: '1'\n", "format 应为整数 1"),
    ("format zero", "format: 1\n", "format: 0\n", "format 应为整数 1"),
    ("format list", "format: 1\n", "format: [1]\n", "format 应为整数 1"),
    ("year as text", "year: 2021\n", "year: '2021'\n", "year 应为整数年份"),
    ("year as list", "year: 2021\n", "year: [2021]\n", "year 应为整数年份"),
    ("title as number", "title:", "title: 1\n  old_title:", "未知字段"),
    ("unknown top field", "format: 1\n", "format: 1\nextra: 1\n", "未知字段 ['extra']"),
    ("evidence by list", FIELD, FIELD + "    evidence: [{url: 'https://a.cn', by: [x]}]\n", "by"),
    # a verdict nobody signed would reach a --final export as 已审核
    ("unsigned approval", FIELD, FIELD + "    review: approved\n", "第47项记为审核通过"),
    ("unsigned return", FIELD, FIELD + "    review: returned\n    reviewer: ' '\n", "没有审核人"),
    (
        "verdict on nothing",
        "    value: 312\n",
        "    review: approved\n    reviewer: 万富春\n",
        "没有填报值",
    ),
    (
        "return without reason",
        FIELD,
        FIELD + "    review: returned\n    reviewer: 万富春\n",
        "退回原因",
    ),
    ("list explanation", FIELD, FIELD + "    explanation: [a, b]\n", "explanation（说明）应为文字"),
    ("junk at", "    at: '", "    at: '昨天' #'", "at（填报时间）应为时间"),
    (
        "junk reviewed_at",
        FIELD,
        FIELD + "    reviewed_at: 昨天\n",
        "reviewed_at（审核时间）应为时间",
    ),
]


# in the fast run (-m "not slow"): a tag refused and a field of the wrong type;
# every variant runs the installed program three times (~1 s), CI runs them all
FAST = ("binary by", "list note", "unsigned approval")


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [v[1:] if v[0] in FAST else pytest.param(*v[1:], marks=pytest.mark.slow) for v in VARIANTS],
    ids=[v[0] for v in VARIANTS],
)
def test_a_field_of_the_wrong_type_is_refused(tmp_path, original, old, new, said) -> None:
    before = edit(tmp_path, original, old, new)
    for args in (("list",), ("answer", "48", "--value", "是", "--by", "张三"), ("undo",)):
        refused(cli(tmp_path, *args), 4, "answers.yaml", "未做任何修改", said)
        assert (tmp_path / "answers.yaml").read_bytes() == before


@pytest.mark.parametrize("fmt", slow_after(1, ["2", "99", "100000"]))
def test_a_file_from_a_newer_evalcheck_is_refused_and_kept(tmp_path, original, fmt) -> None:
    before = edit(tmp_path, original, "format: 1\n", f"format: {fmt}\n")
    for args in (("list",), ("answer", "48", "--value", "是"), ("undo",), ("export", "r.xlsx")):
        err = refused(cli(tmp_path, *args), 4, "由更新版本的 evalcheck 写入", f"format: {fmt}")
        assert "请升级" in err
        assert (tmp_path / "answers.yaml").read_bytes() == before
    assert not (tmp_path / "r.xlsx").exists()


def test_a_year_as_text_does_not_name_the_same_year_twice(tmp_path, original) -> None:
    edit(tmp_path, original, "year: 2021\n", "year: '2021'\n")
    err = refused(cli(tmp_path, "list"), 4, "文字“2021”")
    assert err.count("2021") == 2  # the value and the example, not "2021年 … 2021年"
    assert "属于清单" not in err


def test_a_year_of_another_checklist_still_names_both(tmp_path, original) -> None:
    edit(tmp_path, original, "year: 2021\n", "year: 2020\n")
    refused(cli(tmp_path, "list"), 4, "2020年", "2021年")


def test_a_number_typed_as_a_note_is_still_read(tmp_path, original) -> None:
    edit(tmp_path, original, FIELD, FIELD + "    note: 123\n")
    done = cli(tmp_path, "show", "47")
    assert done.returncode == 0, done.stderr
    assert "备注：123" in done.stdout


def test_a_file_without_format_is_read(tmp_path, original) -> None:
    edit(tmp_path, original, "format: 1\n", "")
    assert cli(tmp_path, "list").returncode == 0


def test_binary_in_the_checklist_is_refused(tmp_path) -> None:
    from evalcheck.model.loading import bundled_checklist_path

    text = bundled_checklist_path().read_text(encoding="utf-8")
    (tmp_path / "cl.yaml").write_text(
        text.replace("\ntitle:", "\ntitle: !!binary aGVsbG8=\nold_title:", 1), "utf-8"
    )
    done = cli(tmp_path, "validate", "cl.yaml")
    assert done.returncode == 4
    assert "!!binary" in done.stdout + done.stderr


@pytest.mark.parametrize(
    "at", ["9999-12-31T23:00:00+00:00", "9999-12-31T23:59:59-23:00", "0001-01-01T00:00:00+14:00"]
)
def test_a_time_at_the_calendars_end_is_shown_as_written(tmp_path, original, at) -> None:
    """A hand-typed year 9999 (or 0001) has no local time in every zone: the commands
    that show or export it run (no OverflowError), the time as written."""
    edit(tmp_path, original, "    at: '", f"    at: '{at}' #'")
    for args in (("show", "47"), ("history", "47"), ("export", "r.xlsx"), FORMS,
                 ("evidence", "pack", "p.zip")):  # fmt: skip
        done = cli(tmp_path, *args, TZ="Asia/Shanghai")
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stderr)
    assert "填报时间：" + at[:4] in cli(tmp_path, "show", "47", TZ="Asia/Shanghai").stdout


@pytest.mark.parametrize("text", ["", "# 只有注释\n"])
def test_an_empty_answers_file_is_said_once(tmp_path, original, text) -> None:
    """evalcheck never writes an empty answers file: one is a truncation or a slip, said
    (once a command), and read as no answers."""
    (tmp_path / "answers.yaml").write_text(text, encoding="utf-8")
    shown = cli(tmp_path, "list", "-s", "办公室")
    assert shown.returncode == 0 and shown.stderr.count("answers.yaml 是空的") == 1, shown.stderr
    written = cli(tmp_path, "answer", "47", "--value", "3", "--by", "张三")
    assert written.returncode == 0 and written.stderr.count("是空的") == 1, written.stderr
    assert "是空的" not in cli(tmp_path, "list", "-s", "办公室").stderr  # written since


def test_an_answers_file_given_as_the_checklist_is_named(tmp_path, original) -> None:
    """`validate answers.yaml` (or --checklist answers.yaml) says which file it is, once."""
    for args in (("validate", "answers.yaml"), ("--checklist", "answers.yaml", "list")):
        done = cli(tmp_path, *args)
        assert done.returncode == 4
        said = done.stdout + done.stderr
        assert "这是答案文件（有 answers 字段），不是清单" in said
        assert "None" not in said and "year" not in said.split("不是清单")[0]


OLD_HEADER = (  # the header of answers files written before they ended with "# 文件结束"
    "# evalcheck 填报记录（由 evalcheck answer / import / undo 写入，请勿与清单文件混用）\n"
    "# answers: 题号 -> 当前答案；history 保存此前的每一个版本\n"
)


def test_an_older_answers_file_cut_after_its_answers_line_is_said(tmp_path, original) -> None:
    """`answers:` with nothing after it (evalcheck writes `answers: {}` when there is none),
    in a file from before the end line: the file was cut short; said, as an empty file is,
    and read as no answers."""
    assert cli(tmp_path, "answer", "47", "--value", "3", "--by", "张三").returncode == 0
    path = tmp_path / "answers.yaml"
    text = path.read_text(encoding="utf-8").split("\n", 3)[3]  # without the header
    cut = text.index("\nanswers:\n") + len("\nanswers:\n")
    path.write_text(OLD_HEADER + text[:cut], encoding="utf-8")
    shown = cli(tmp_path, "status")
    assert shown.returncode == 0 and "Traceback" not in shown.stderr
    assert shown.stderr.count("在“answers:”之后是空的") == 1, shown.stderr
    assert "请先从备份恢复" in shown.stderr


@pytest.mark.parametrize("at", ["\nanswers:\n", "  47:\n", "    history:\n", "    action: set\n"])
def test_an_answers_file_cut_anywhere_is_refused_and_kept(tmp_path, original, at) -> None:
    """A file cut off at a line end still parses: without its last line ("# 文件结束") it
    is refused (exit 4) and never written back, so the answers after the cut are not lost
    by the next write. Wherever the cut falls; a file that ends without its last newline,
    or with Windows line ends, is whole."""
    for ident, value in (("16", "是"), ("47", "3"), ("47", "4"), ("30", "5")):
        assert cli(tmp_path, "answer", ident, "--value", value, "--by", "张三").returncode == 0
    path = tmp_path / "answers.yaml"
    whole = path.read_bytes()
    cut = whole[: whole.index(at.encode()) + len(at)]
    path.write_bytes(cut)
    for args in (("status",), ("answer", "18", "--value", "是", "--by", "张三")):
        done = cli(tmp_path, *args)
        assert done.returncode == 4, done.stderr
        assert "不完整：缺少最后一行“# 文件结束”" in done.stderr and "Traceback" not in done.stderr
        assert path.read_bytes() == cut
    end = "# 文件结束\n".encode()
    retyped = [
        whole[: whole.rindex(end)] + w.encode() + b"\n" for w in ("#文件结束", "#\u3000文件结束")
    ]
    for fine in (whole.rstrip(b"\n"), whole.replace(b"\n", b"\r\n"), *retyped):
        path.write_bytes(fine)
        assert cli(tmp_path, "status").returncode == 0


def test_a_note_holding_the_end_line_does_not_hide_a_cut(tmp_path, original) -> None:
    """A note with a line '# 文件结束' is in the file too (indented, in the YAML): a cut
    after it must still be found, or the next write drops the answers after the cut."""
    note = "核对说明\n# 文件结束\n以上"
    done = cli(tmp_path, "answer", "1", "--value", "12", "--note", note, "--by", "张三")
    assert done.returncode == 0, done.stderr
    for ident in ("2", "4", "5"):
        assert cli(tmp_path, "answer", ident, "--value", "3", "--by", "张三").returncode == 0
    path = tmp_path / "answers.yaml"
    whole = path.read_bytes()
    cut = whole[: whole.index(b"\n  2:\n") + 1]
    path.write_bytes(cut)
    refused = cli(tmp_path, "answer", "6", "--value", "1", "--by", "张三")
    assert refused.returncode == 4, refused.stderr
    assert path.read_bytes() == cut
