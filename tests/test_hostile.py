"""Hostile and careless input (issue 12): every class refused with a located Chinese
message, a documented exit code, no traceback and an untouched answers file."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evalcheck.model import expr
from evalcheck.model.loading import bundled_checklist_path

BUNDLED = bundled_checklist_path().read_text(encoding="utf-8")


def edited_checklist(tmp_path: Path, old: str, new: str, name: str = "cl.yaml") -> str:
    assert old in BUNDLED, old
    path = tmp_path / name
    path.write_text(BUNDLED.replace(old, new, 1), encoding="utf-8")
    return str(path)


def answers_file(tmp_path: Path) -> Path:
    return tmp_path / "answers.yaml"


def clean(result, code: int) -> None:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    if code:
        assert "错误：" in result.output


# ---------------------------------------------------------------- 1. numbers beyond range


@pytest.mark.parametrize(
    ("ident", "raw"),
    [
        ("47", "9" * 400),  # overflows float
        ("47", "9" * 5000),  # over Python's int digit limit
        ("47", "1" + "0" * 16),  # above 10^15
        ("3", "1e400"),
        ("3", "9" * 400),
        ("3", "inf"),
        ("3", "nan"),
        ("3", "-" + "9" * 400 + "%"),
    ],
)
def test_numbers_beyond_range_are_refused_at_answer(run, tmp_path, ident: str, raw: str) -> None:
    run("answer", "4", "--value", "10")
    before = answers_file(tmp_path).read_bytes()
    result = run("answer", ident, "--value", raw)
    clean(result, 3)
    assert f"第{ident}项" in result.stderr
    assert len(result.stderr) < 400  # the value is shortened in the message
    assert answers_file(tmp_path).read_bytes() == before
    clean(run("list"), 0)


def test_the_largest_number_is_accepted(run) -> None:
    clean(run("answer", "47", "--value", "1000000000000000"), 0)
    clean(run("check"), 0)


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e400", "9" * 400, "9" * 5000])
def test_a_hand_edited_number_is_reported_and_every_command_works(
    run, tmp_path, value: str
) -> None:
    run("answer", "47", "--value", "312")
    run("answer", "3", "--value", "95")
    path = answers_file(tmp_path)
    path.write_text(path.read_text("utf-8").replace("value: 312", f"value: {value}"), "utf-8")
    before = path.read_bytes()
    for cmd in (["list"], ["show", "47"], ["status"], ["check"], ["overdue"], ["history", "47"]):
        result = run(*cmd)
        assert result.exit_code in (0, 1), (cmd, result.output)
        assert "Traceback" not in result.output
        assert "第47项的答案与当前清单不符，已保留未改动" in result.stderr
    data = json.loads(run("list", "--format", "json").stdout)  # strict JSON: no Infinity
    assert {i["id"] for i in data} >= {3, 47}
    clean(run("export", "r.xlsx"), 0)
    assert path.read_bytes() == before
    clean(run("answer", "47", "--value", "5"), 0)  # a new answer replaces it, the old is history
    assert "value: 5" in path.read_text("utf-8")


@pytest.mark.parametrize(
    "old, new",
    [
        ("  kind: percent\n  unit: '%'\n", "  kind: percent\n  unit: '%'\n  range: [0, .inf]\n"),
        ("  kind: percent\n  unit: '%'\n", "  kind: percent\n  unit: '%'\n  range: [.nan, 1]\n"),
        (
            "  kind: percent\n  unit: '%'\n",
            f"  kind: percent\n  unit: '%'\n  range: [0, 1{'0' * 400}]\n",
        ),
        ("year: 2021", f"year: {'9' * 5000}"),
    ],
)
def test_numbers_beyond_range_in_the_checklist(run, tmp_path, old: str, new: str) -> None:
    path = edited_checklist(tmp_path, old, new)
    result = run("validate", path)
    clean(result, 4)
    assert "字段" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "check",
    [
        "q4 <= 1e400",
        f"q4 <= {'9' * 5000}",
        "q4 <= 10000000000000000",
        "q4" + " * 1e15" * 21 + " > 0",
    ],
)
def test_rule_constants_beyond_range(run, tmp_path, check: str) -> None:
    old = "  check: q15 <= q14\n"
    path = edited_checklist(tmp_path, old, f"  check: '{check}'\n")
    result = run("validate", path)
    if "1e15" in check:  # constants fine, the result overflows: "not computable", no crash
        clean(result, 0)
        run("--checklist", path, "answer", "4", "--value", "10")
        clean(run("--checklist", path, "check"), 0)
    else:
        clean(result, 4)
        assert "超出范围" in result.stdout or "过长" in result.stdout
        assert len(result.stdout) < 1000


# ---------------------------------------------------------------- 2. sizes that lie


def test_an_id_typo_does_not_allocate_by_its_size(run, tmp_path) -> None:
    path = edited_checklist(tmp_path, "- id: 47\n", "- id: 1440000000\n")
    result = run("validate", path)
    clean(result, 4)
    assert "题号 1440000000 过大" in result.stdout


def test_gaps_are_listed_from_the_ids_present(run, tmp_path) -> None:
    path = edited_checklist(tmp_path, "- id: 47\n", "- id: 900000\n")
    result = run("validate", path)
    clean(result, 0)
    assert "47、145–899999" in result.stdout


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("q1 + " * 1000 + "q1", "过长"),
        ("(" * 60 + "q1" + ")" * 60, "嵌套过深"),
        ("-" * 300 + "q1", "嵌套过深"),
    ],
)
def test_expression_length_and_nesting_are_capped(source: str, why: str) -> None:
    with pytest.raises(expr.ExprError, match=why):
        expr.references(source)


# ---------------------------------------------------------------- 3. YAML traps

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_alias_bomb_in_the_answers_file(run, tmp_path) -> None:
    run("answer", "47", "--value", "312")
    path = answers_file(tmp_path)
    path.write_text(
        path.read_text("utf-8") + "x:\n" + "".join(f"  {line}\n" for line in BOMB.splitlines()),
        "utf-8",
    )
    before = path.read_bytes()
    for cmd in (["list"], ["answer", "47", "--value", "5"]):
        result = run(*cmd)
        clean(result, 4)
        assert "不允许使用 YAML 锚点和别名" in result.stderr and "第" in result.stderr
    assert path.read_bytes() == before


def test_alias_bomb_in_the_checklist(run, tmp_path) -> None:
    path = tmp_path / "cl.yaml"
    path.write_text(BUNDLED + "\n" + BOMB.replace("a:", "extra_a:", 1), encoding="utf-8")
    result = run("validate", str(path))
    clean(result, 4)
    assert "锚点和别名" in result.stdout + result.stderr


def test_any_alias_is_refused_even_a_small_one(run, tmp_path) -> None:
    path = edited_checklist(
        tmp_path,
        "  kind: count\n  unit: 个\n",
        "  kind: count\n  unit: &u 个\n  range: [0, null]\n",
    )
    path2 = Path(path).read_text("utf-8").replace("  unit: 项\n", "  unit: *u\n", 1)
    Path(path).write_text(path2, encoding="utf-8")
    clean(run("validate", path), 4)


def test_duplicate_answer_key_names_the_line(run, tmp_path) -> None:
    run("answer", "47", "--value", "312")
    run("answer", "48", "--value", "是")
    path = answers_file(tmp_path)
    text = path.read_text("utf-8").replace("  48:\n", "  47:\n")
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  47:", text.splitlines().index("  47:") + 1) + 1
    before = path.read_bytes()
    for cmd in (["list"], ["answer", "49", "--value", "是"], ["undo"]):
        result = run(*cmd)
        clean(result, 4)
        assert f"第{line}行" in result.stderr and "键 47 重复" in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("1: a\n0x1: b\n", "键 0x1 重复"),  # the same integer, written two ways
        ("047: a\n39: b\n", "键 39 重复"),  # YAML 1.1 reads 047 as octal 39
        ("47: a\n'47': b\n", None),  # a text key and an integer key: two keys
        ("a: &x [1]\nb: *x\n", "锚点和别名"),
        ("note: '5 * 3'\nseq: 1\n", None),  # a "*" inside text is no alias
    ],
)
def test_keys_and_aliases_without_and_with_a_star(text: str, refusal: str | None) -> None:
    """A text with no "*" is read without the alias check (no alias can be in it); keys
    are compared as values either way."""
    from evalcheck.errors import DataError
    from evalcheck.infra.yamlio import load_yaml_text

    if refusal is None:
        assert load_yaml_text(text, "t")
    else:
        with pytest.raises(DataError, match=refusal):
            load_yaml_text(text, "t")


def test_duplicate_field_in_the_checklist_names_the_line(run, tmp_path) -> None:
    path = edited_checklist(
        tmp_path, "  kind: count\n  unit: 个\n", "  kind: count\n  kind: text\n"
    )
    line = Path(path).read_text("utf-8").splitlines().index("  kind: text") + 1
    result = run("validate", path)
    clean(result, 4)
    assert f"第{line}行" in result.stdout + result.stderr
    assert "键 kind 重复" in result.stdout + result.stderr


# ---------------------------------------------------------------- 4. files that are not what they seem


def test_symlinked_answers_are_written_through_to_the_target(run, tmp_path) -> None:
    shared = tmp_path / "share"
    shared.mkdir()
    target = shared / "answers.yaml"
    run("--answers", str(target), "answer", "47", "--value", "1")
    link = tmp_path / "answers.yaml"
    link.symlink_to(target)
    clean(run("answer", "47", "--value", "2"), 0)
    assert link.is_symlink() and "value: 2" in target.read_text("utf-8")
    assert (shared / ".answers.yaml.lock").exists()  # the lock sits by the real file
    assert not (tmp_path / ".answers.yaml.lock").exists()


def test_a_read_only_answers_file_is_not_replaced(run, tmp_path) -> None:
    run("answer", "47", "--value", "1")
    path = answers_file(tmp_path)
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        result = run("answer", "47", "--value", "2")
        clean(result, 5)
        assert "只读" in result.stderr
        assert path.read_bytes() == before
        clean(run("list"), 0)  # reading still works
    finally:
        path.chmod(0o644)


def test_a_missing_folder_is_not_created(run, tmp_path) -> None:
    result = run("--answers", "unmounted/share/answers.yaml", "answer", "47", "--value", "1")
    clean(result, 5)
    assert "不存在" in result.stderr
    assert not (tmp_path / "unmounted").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_a_fifo_as_answers_file_neither_hangs_nor_is_replaced(run, tmp_path) -> None:
    os.mkfifo(tmp_path / "answers.yaml")
    for cmd, code in ((["list"], 4), (["answer", "47", "--value", "1"], 5)):
        result = run(*cmd)
        clean(result, code)
        assert "命名管道" in result.stderr
    assert stat.S_ISFIFO(os.stat(tmp_path / "answers.yaml").st_mode)


@pytest.mark.parametrize("name", ["answers.yaml", "folder.xlsx"])
def test_a_folder_where_a_file_belongs(run, tmp_path, name: str) -> None:
    (tmp_path / name).mkdir()
    if name == "answers.yaml":
        clean(run("list"), 4)
        clean(run("answer", "47", "--value", "1"), 5)
    else:
        clean(run("import", name), 3)
        clean(run("checklist-import", name, "-o", "x.yaml"), 3)


def test_a_device_is_not_read(run) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    clean(run("--checklist", "/dev/zero", "list"), 4)
    clean(run("--answers", "/dev/zero", "list"), 4)
    clean(run("checklist-import", "/dev/zero", "-o", "x.yaml"), 4)


def _cli(*args: str | bytes, stdout=subprocess.PIPE, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    env["EVALCHECK_CACHE_DIR"] = str(cwd / "_cache")
    return subprocess.run(
        [sys.executable, "-m", "evalcheck", *args],
        cwd=cwd,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
    )


def test_non_utf8_bytes_in_arguments(tmp_path) -> None:
    proc = _cli("answer", "47", "--value", b"\xff\xfe", cwd=tmp_path)
    assert proc.returncode == 3
    err = proc.stderr.decode("utf-8")
    assert err.startswith("错误：参数") and "\\xff" in err and "Traceback" not in err
    assert not (tmp_path / "answers.yaml").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_stdout_full(tmp_path) -> None:
    with open("/dev/full", "w") as full:
        proc = _cli("list", stdout=full, cwd=tmp_path)
    assert proc.returncode == 5
    err = proc.stderr.decode("utf-8")
    assert "磁盘已满" in err and "Traceback" not in err


def test_stdout_closed_or_cut_off(tmp_path) -> None:
    proc = _cli("answer", "47", "--value", "1", stdout=subprocess.DEVNULL, cwd=tmp_path)
    assert proc.returncode == 0
    closed = subprocess.run(
        [sys.executable, "-m", "evalcheck", "list"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=None,
        stderr=subprocess.PIPE,
        pass_fds=(),
        preexec_fn=lambda: os.close(1),
        timeout=60,
    )
    assert closed.returncode == 0 and b"Traceback" not in closed.stderr
    pipe = subprocess.Popen(
        [sys.executable, "-m", "evalcheck", "list"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert pipe.stdout is not None
    pipe.stdout.read(10)
    pipe.stdout.close()  # like `| head -1`
    assert pipe.wait(60) in (0, 5)
    assert pipe.stderr is not None and b"Traceback" not in pipe.stderr.read()


# ---------------------------------------------------------------- 6. lengths Excel cannot hold


@pytest.mark.parametrize(
    "args",
    [
        ["answer", "47", "--value", "1", "--note", "长" * 32768],
        ["answer", "47", "--na", "长" * 32768],
        ["answer", "47", "--value", "1", "-e", "x" * 32768],
        ["answer", "111", "--value", "是", "--note", "长" * 40000],
    ],
)
def test_text_longer_than_a_cell_is_refused_with_the_limit(run, tmp_path, args) -> None:
    result = run(*args)
    clean(result, 3)
    assert "32767" in result.stderr
    assert not answers_file(tmp_path).exists()


def test_a_note_and_a_说明_that_together_overflow_the_cell_are_refused(run, tmp_path) -> None:
    """Each fits a cell, but the export writes them in one 审核意见 cell: the approval is
    refused (every later export failed), nothing written."""
    clean(run("answer", "131", "--value", "1000", "--by", "李四"), 0)
    clean(run("answer", "132", "--value", "1200", "--by", "李四"), 0)  # breaks R132
    before = answers_file(tmp_path).read_bytes()
    args = ["approve", "132", "--by", "万富春", "--note", "长" * 32000, "--explain", "说" * 3000]
    result = run(*args)
    clean(result, 3)
    assert "第132项的审核意见（连同说明）有 35005 个字符" in result.stderr, result.stderr
    assert answers_file(tmp_path).read_bytes() == before
    clean(run("export", "report.xlsx"), 0)


def test_text_of_exactly_a_cell_survives_a_form_round_trip(run, tmp_path) -> None:
    import openpyxl

    note = "注" * 32767
    clean(run("answer", "47", "--value", "1"), 0)
    clean(run("export", "--split", "forms"), 0)
    form = next(p for p in (tmp_path / "forms").iterdir() if "政务服务中心" in p.name)
    wb = openpyxl.load_workbook(form)
    ws = wb["测评指标"]
    header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
    col = {c.value: c.column for c in ws[header]}
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, col["题号"]).value == 47)
    ws.cell(row, col["备注"]).value = note
    wb.save(form)
    clean(run("import", str(form)), 0)
    shown = json.loads(run("show", "47", "--format", "json").stdout)["answer"]
    assert shown["note"] == note
    clean(run("export", "r.xlsx"), 0)  # and it exports whole


# ---------------------------------------------------------------- 7. injection


def test_csv_neutralises_formulas_like_the_xlsx_export(run) -> None:
    run("answer", "47", "--value", "1", "--note", '=HYPERLINK("http://x","y")')
    run("answer", "48", "--value", "是", "--note", "@SUM(1)")
    run("answer", "49", "--value", "是", "--note", "+1+1")
    out = run("list", "--format", "csv").stdout
    rows = {r[0]: r for r in csv.reader(io.StringIO(out.lstrip("\ufeff")))}
    notes = {k: rows[k][14] for k in ("47", "48", "49")}
    assert notes == {"47": '\'=HYPERLINK("http://x","y")', "48": "'@SUM(1)", "49": "'+1+1"}


def test_a_tab_in_a_note_does_not_break_tab_separated_output(run) -> None:
    run("answer", "47", "--value", "1", "--note", "a\tb\nc")
    run("answer", "109", "--value", "甲\t乙\r\n丙")
    for cmd, first in ((["history", "47"], "序号"), (["list", "--kind", "text"], "题号")):
        lines = run(*cmd).stdout.splitlines()
        header = next(line for line in lines if line.startswith(first))
        data = [line for line in lines if line[:1].isdigit()]
        assert len(data) == 1 and data[0].count("\t") == header.count("\t"), cmd


def test_a_table_cell_cannot_inject_yaml(run, tmp_path) -> None:
    from tests.conftest import seed_text

    text = seed_text()
    row = next(line for line in text.splitlines() if "\t47\t" in line)
    evil = row.replace("本地区", "本地区\n  kind: text\nrules: [{id: X, check: 'q1 > 0'}]\n#", 1)
    name = "表\n格.txt"
    (tmp_path / name).write_text(text.replace(row, evil), encoding="utf-8")
    result = run("checklist-import", name, "-o", "out.yaml")
    if result.exit_code == 0:
        out = (tmp_path / "out.yaml").read_text("utf-8")
        assert "\nrules:" not in out
        clean(run("validate", "out.yaml"), 0)
    else:
        clean(result, 3)
        assert not (tmp_path / "out.yaml").exists()


# ---------------------------------------------------------------- 8. the parse cache


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "_cache").glob("*.entry"))


def test_cache_is_owner_only_and_named_by_path(run, tmp_path) -> None:
    run("answer", "47", "--value", "1")
    clean(run("list"), 0)
    folder = tmp_path / "_cache"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    entries = _entries(tmp_path)
    assert entries and all(stat.S_IMODE(e.stat().st_mode) == 0o600 for e in entries)
    assert all(len(e.stem) == 8 for e in entries)  # a CRC-32 of the file's path


def _record(entry: Path) -> Any:
    """A cache entry's record: (head, data), after its frame (magic and CRC-32)."""
    import marshal

    return marshal.loads(entry.read_bytes()[8:])


def _rewrite(entry: Path, record: Any) -> None:
    """Write `record` into the entry, framed as the tool frames it (as an attacker who is
    the same user could: the frame guards against damage, not against the owner)."""
    import marshal
    import zlib

    from evalcheck.infra.cache import MAGIC

    body = marshal.dumps(record)
    entry.write_bytes(MAGIC + zlib.crc32(body).to_bytes(4, "little") + body)


def _poison(entry: Path) -> bool:
    """Change answer 47 in an answers file's entry (its head, then its data); True if it was one."""
    head, data = _record(entry)
    if isinstance(data, dict) and "answers" in data:
        data["answers"][47]["value"] = 999
        _rewrite(entry, (head, data))
        return True
    return False


def test_a_cache_entry_others_can_write_is_ignored(run, tmp_path) -> None:
    run("answer", "47", "--value", "1")
    run("list")
    poisoned = 0
    for entry in _entries(tmp_path):
        poisoned += _poison(entry)
        entry.chmod(0o666)
    assert poisoned == 1
    shown = json.loads(run("show", "47", "--format", "json").stdout)["answer"]
    assert shown["value"] == 1


def test_a_poisoned_cache_never_changes_what_is_written(run, tmp_path) -> None:
    run("answer", "47", "--value", "1")
    run("list")
    poisoned = [_poison(entry) for entry in _entries(tmp_path)]  # as if the attacker were us
    assert poisoned.count(True) == 1
    clean(run("answer", "48", "--value", "是"), 0)
    text = answers_file(tmp_path).read_text("utf-8")
    assert "value: 999" not in text and "value: 1\n" in text


def test_a_cache_entry_that_loops_is_a_miss_for_a_write(run, tmp_path) -> None:
    """A write checks an entry by writing its data again; data that refers to itself (or
    is nested past the interpreter's limit) cannot be written: the file is parsed."""
    run("answer", "47", "--value", "1")
    run("list")
    for entry in _entries(tmp_path):
        head, data = _record(entry)
        if isinstance(data, dict) and "answers" in data:
            loop: dict[str, object] = {}
            loop["x"] = loop
            data["answers"][47]["note"] = loop
            _rewrite(entry, (head, data))
    clean(run("answer", "48", "--value", "是"), 0)
    text = answers_file(tmp_path).read_text("utf-8")
    assert "value: 1\n" in text and "x:" not in text


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-50] + bytes([b[-50] ^ 0x55]) + b[-49:],  # one byte flipped in the data
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"(" + (0x7FFFFFFF).to_bytes(4, "little"),  # a tuple of 2**31 items
    ],
)
def test_a_damaged_cache_entry_is_a_miss(run, tmp_path, damage) -> None:
    """The frame's CRC-32 makes a damaged entry a miss: it never shows other data, invents
    a corrupted answers file, or asks marshal for gigabytes."""
    run("answer", "47", "--value", "1")
    expected = run("list", "-f", "json").stdout
    for entry in _entries(tmp_path):
        entry.write_bytes(damage(entry.read_bytes()))
    assert run("list", "-f", "json").stdout == expected
    assert json.loads(run("show", "47", "--format", "json").stdout)["answer"]["value"] == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_as_a_cache_entry_does_not_hang(run, tmp_path) -> None:
    run("list")
    for entry in _entries(tmp_path):
        entry.unlink()
        os.mkfifo(entry, 0o600)
    clean(run("list", "-s", "办公室"), 0)  # a miss (it blocked on open, for ever)


def test_a_cached_checklist_that_is_no_checklist_is_a_miss(run, tmp_path) -> None:
    """An entry whose head matches the checklist file but whose data is something else
    (a list, written by the owner's own hand): parsed again, no traceback."""
    from evalcheck.infra import cache
    from evalcheck.model.loading import bundled_checklist_path

    clean(run("list"), 0)
    entry = cache._entry(tmp_path / "_cache", bundled_checklist_path())
    head, _ = _record(entry)
    _rewrite(entry, (head, [1, 2, 3]))
    clean(run("list", "-s", "办公室"), 0)


def test_a_shared_cache_folder_is_not_used(run, tmp_path, monkeypatch) -> None:
    shared = tmp_path / "shared_cache"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("EVALCHECK_CACHE_DIR", str(shared))
    run("answer", "47", "--value", "1")
    clean(run("list"), 0)
    assert list(shared.iterdir()) == []


# ---------------------------------------------------------------- 9. checklist edits that strand answers


def test_a_changed_kind_strands_only_its_answers(run, tmp_path) -> None:
    run("answer", "47", "--value", "312")
    run("answer", "48", "--value", "是")
    before = answers_file(tmp_path).read_bytes()
    block = "  text: 本地区行政许可事项承诺时限总数？\n"
    i = BUNDLED.index(block)
    old = BUNDLED[i : BUNDLED.index("  kind: count\n", i) + len("  kind: count\n")]
    path = edited_checklist(tmp_path, old, old.replace("kind: count", "kind: text"))
    for cmd in (["list"], ["status"], ["check"], ["show", "48"], ["export", "r.xlsx"]):
        result = run("--checklist", path, *cmd)
        assert result.exit_code in (0, 1), (cmd, result.output)
        assert "第47项的答案与当前清单不符" in result.stderr and "312" in result.stderr
        assert "损坏" not in result.stderr
    assert answers_file(tmp_path).read_bytes() == before
    clean(run("--checklist", path, "answer", "49", "--value", "是"), 0)
    assert "value: 312" in answers_file(tmp_path).read_text("utf-8")


def test_removed_options_strand_only_their_answers(run, tmp_path) -> None:
    run("answer", "142", "--value", "1")
    path = edited_checklist(
        tmp_path, "  - 重点监管事件跟踪预警响应处置的全链条\n", "  - 别的选项\n"
    )
    result = run("--checklist", path, "list")
    clean(result, 0)
    assert "第142项的答案与当前清单不符" in result.stderr and "选项" in result.stderr


# ---------------------------------------------------------------- careless settings and arguments


def test_an_id_over_the_digit_limit_is_refused(run) -> None:
    result = run("answer", "9" * 5000, "--value", "1")
    clean(result, 3)
    assert "过大" in result.stderr and len(result.stderr) < 200


@pytest.mark.parametrize("timeout", ["nan", "inf", "-1", "1e400", "abc"])
def test_a_careless_lock_timeout_falls_back_to_the_default(run, monkeypatch, timeout) -> None:
    monkeypatch.setenv("EVALCHECK_LOCK_TIMEOUT", timeout)
    clean(run("answer", "48", "--value", "是"), 0)


@pytest.mark.parametrize(
    ("raw", "width"),
    [("60", 60), ("abc", None), ("99999999999", None), ("5", 20), ("5000", 1000), ("", None)],
)
def test_a_careless_table_width_is_ignored_or_clamped(monkeypatch, raw, width) -> None:
    from evalcheck.views.render import env_width

    monkeypatch.setenv("EVALCHECK_WIDTH", raw)
    assert env_width() == width


def test_the_hidden_original_of_a_full_cell_still_fits_a_cell(run, tmp_path) -> None:
    import openpyxl

    link = "https://x.cn/" + "证" * (32767 - len("https://x.cn/"))  # evidence: a link
    run("answer", "109", "--value", "文" * 32767, "--note", "注" * 32767, "-e", link)
    clean(run("export", "--split", "forms"), 0)
    form = next(p for p in (tmp_path / "forms").iterdir() if "政务服务中心" in p.name)
    ws = openpyxl.load_workbook(form)["测评指标"]
    longest = max(len(str(c.value)) for row in ws.iter_rows() for c in row if c.value)
    assert longest == 32767
    result = run("import", str(form))
    clean(result, 0)
    assert "没有需要修改的内容" in result.stdout


def test_a_hand_edited_text_too_long_for_a_cell_is_not_exported_truncated(run, tmp_path) -> None:
    run("answer", "47", "--value", "1", "--note", "短")
    path = answers_file(tmp_path)
    path.write_text(path.read_text("utf-8").replace("note: 短", "note: " + "长" * 40000), "utf-8")
    result = run("export", "r.xlsx")
    clean(result, 4)
    assert "32767" in result.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_an_xlsx_cell_cannot_inject_yaml_into_the_generated_checklist(run, tmp_path) -> None:
    import openpyxl
    import yaml

    evil = "本地区\n  kind: text\nrules: [{id: X, check: 'q1 > 0'}]\n# 总数？"
    wb = openpyxl.Workbook()
    ws = wb.active
    from evalcheck.model.loading import bundled_checklist_path, load_checklist

    cl = load_checklist(bundled_checklist_path())
    ws.append([f"{cl.title}（{cl.year}年）"])
    ws.append(["二级指标", "题号", "三级指标", "责任领导", "责任科室", "完成时限"])
    for i in cl.indicators:
        text = evil if i.id == 47 else i.text
        ws.append([i.category, i.id, text, i.owner, i.section, "9月15日前"])
    wb.save(tmp_path / "表.xlsx")
    clean(run("checklist-import", "表.xlsx", "-o", "out.yaml"), 0)
    doc = yaml.safe_load((tmp_path / "out.yaml").read_text("utf-8"))
    assert "rules" not in doc
    ind = next(i for i in doc["indicators"] if i["id"] == 47)
    assert ind["text"] == evil and ind["kind"] == "count"


def test_a_cache_entry_of_models_with_other_fields_is_a_miss(run, tmp_path) -> None:
    """An entry written by a version whose models had other fields (same file, same
    FORMAT) must be a miss, not an object that breaks every command."""
    from evalcheck.infra import cache
    from evalcheck.model.loading import bundled_checklist_path

    clean(run("list"), 0)
    path = bundled_checklist_path()
    entry = cache._entry(tmp_path / "_cache", path)
    (fingerprint, shapes, packed), data = _record(entry)
    key = "evalcheck.model.checklist:Indicator"
    assert packed and shapes[key][:2] == ("id", "category")
    older = {**shapes, key: shapes[key][:-1]}  # as written by a version without the last field
    _rewrite(entry, ((fingerprint, older, packed), data))
    clean(run("list"), 0)
    assert _record(entry)[0] == (fingerprint, shapes, packed)  # a miss: parsed, written anew


@pytest.mark.parametrize(
    "args",
    [
        ["export", "report.xlsx", "--force"],
        ["export", "附件1.docx", "--force"],
        ["export", "--review", "审核表", "--force"],
        ["evidence", "pack", "材料包.zip", "--overwrite"],
        ["status", "--output", "s.csv", "--force"],
    ],
)
def test_no_output_replaces_a_read_only_file(run, tmp_path, args) -> None:
    """A file someone set read-only (or received read-only through WeChat) is never
    replaced, by any output: exit 5, named, the file as it was (on Windows the system
    refuses; on Linux the tool does, not the rename)."""
    run("answer", "47", "--value", "312")
    first = run(*args)
    if first.exit_code == 6:  # Word export's optional python-docx/lxml not on this machine
        pytest.skip("可选功能 Word 导出：python-docx/lxml 未安装（evalcheck[word]）")
    assert first.exit_code == 0, first.output
    target = tmp_path / next(a for a in args[1:] if "." in a or a == "审核表")
    files = sorted(target.iterdir()) if target.is_dir() else [target]
    before = {p: p.read_bytes() for p in files}
    run("answer", "47", "--value", "313")  # the output would change
    for p in files:
        p.chmod(0o444)
    try:
        result = run(*args)
        clean(result, 5)
        assert "文件是只读的" in result.stderr and "属性" in result.stderr
        assert {p: p.read_bytes() for p in files} == before
    finally:
        for p in files:
            p.chmod(0o644)


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_folder_where_a_form_goes_is_named_as_a_folder(run, tmp_path, force) -> None:
    """Not "已存在…可能含有科室尚未导入的填报内容，加 --force" and then "这是一个文件夹":
    a folder in a form's place is said at once, with or without --force."""
    (tmp_path / "forms" / "2021测评填报_办公室.xlsx").mkdir(parents=True)
    result = run("export", "--split", "forms", *force)
    clean(result, 3)
    assert "位置上是同名的文件夹" in result.stderr and "2021测评填报_办公室.xlsx" in result.stderr
    assert [p.name for p in (tmp_path / "forms").iterdir()] == ["2021测评填报_办公室.xlsx"]


def test_an_empty_workbook_file_is_called_empty(run, tmp_path) -> None:
    (tmp_path / "表.xlsx").write_bytes(b"")
    result = run("import", "表.xlsx")
    clean(result, 4)
    assert "表.xlsx 是空文件（0 字节）" in result.stderr


def test_a_blank_cache_setting_is_no_folder_named_blank(run, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EVALCHECK_CACHE_DIR", "  ")
    assert run("list", "-s", "办公室").exit_code == 0
    assert not (tmp_path / "  ").exists()


def test_a_bundle_folder_with_a_read_only_file_is_not_replaced(run, tmp_path) -> None:
    run("answer", "47", "--value", "312")
    assert run("evidence", "pack", "包").exit_code == 0
    index = tmp_path / "包" / "目录.xlsx"
    before = index.read_bytes()
    index.chmod(0o444)
    try:
        run("answer", "47", "--value", "313")
        result = run("evidence", "pack", "包", "--overwrite")
        clean(result, 5)
        assert "文件是只读的" in result.stderr and index.read_bytes() == before
    finally:
        index.chmod(0o644)


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_a_folder_named_like_a_zip_bundle_is_said_at_once(run, tmp_path, overwrite) -> None:
    (tmp_path / "包.zip").mkdir()
    result = run("evidence", "pack", "包.zip", *overwrite)
    clean(result, 3)
    assert "“包.zip”是一个文件夹，不是 .zip 文件" in result.stderr
    assert (tmp_path / "包.zip").is_dir() and not list((tmp_path / "包.zip").iterdir())


def test_review_workbooks_are_all_checked_before_the_first_is_written(run, tmp_path) -> None:
    """One leader's workbook read-only: none is replaced (the other was, before)."""
    run("answer", "47", "--value", "312")
    run("answer", "43", "--value", "是")
    assert run("export", "--review", "审核表").exit_code == 0
    books = sorted((tmp_path / "审核表").iterdir())
    assert len(books) == 2
    before = {p: p.read_bytes() for p in books}
    run("answer", "47", "--value", "313")
    run("answer", "43", "--value", "否")
    books[0].chmod(0o444)
    try:
        result = run("export", "--review", "审核表", "--force")
        clean(result, 5)
        assert "未写入任何审核表" in result.stderr and "文件是只读的" in result.stderr
        assert {p: p.read_bytes() for p in books} == before
    finally:
        books[0].chmod(0o644)


def test_reminders_are_all_checked_before_the_first_is_written(run, tmp_path) -> None:
    assert run("remind", "--output", "提醒").exit_code == 0
    letters = sorted((tmp_path / "提醒").iterdir())
    assert len(letters) > 1
    before = {p: p.read_bytes() for p in letters}
    run("answer", "16", "--value", "是")
    letters[-1].chmod(0o444)
    try:
        result = run("remind", "--output", "提醒", "--force")
        clean(result, 5)
        assert "未写入任何提醒" in result.stderr
        assert {p: p.read_bytes() for p in letters} == before
    finally:
        letters[-1].chmod(0o644)
    letters[0].unlink()
    letters[0].mkdir()  # a folder in a letter's place: said at once, with or without --force
    for force in ([], ["--force"]):
        result = run("remind", "--output", "提醒", *force)
        clean(result, 3)
        assert "位置上是同名的文件夹" in result.stderr
    assert {p: p.read_bytes() for p in letters[1:]} == {p: before[p] for p in letters[1:]}


def test_a_line_break_excel_kept_as_x000d_is_read_as_one(run, tmp_path) -> None:
    """Excel stores a pasted CR-LF as `_x000D_` + LF; openpyxl hands `_x000D_` on as text:
    the note is "第一行\\n第二行", not "第一行_x000D_\\n第二行"."""
    from tests.test_excel import office_form_at_16

    path, wb, cell = office_form_at_16(run, tmp_path)
    cell("填报值").value = "是"
    cell("备注").value = "第一行_x000D_\n第二行"  # as Excel writes it
    wb.save(path)
    clean(run("import", str(path), "--by", "张三"), 0)
    import json

    got = json.loads(run("show", "16", "-f", "json").stdout)
    assert got["answer"]["note"] == "第一行\n第二行"


def test_a_control_character_excel_escaped_is_listed_by_checklist_import(run, tmp_path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    ws = wb.add_worksheet("指标")
    rows = [
        ["题号", "二级指标", "三级指标", "责任领导", "责任科室", "完成时限"],
        [1, "政务服务", "本地区\x07便民服务中心数量（个）？", "万富春\x03", "办公室", "2021-09-15"],
        [2, "政务服务", "是否公开？", "万富春", "办公室", "2021-09-15"],
    ]
    for r, cells in enumerate(rows):
        for c, v in enumerate(cells):
            ws.write(r, c, v)
    wb.close()
    result = run("checklist-import", "t.xlsx", "-o", "o.yaml", "--year", "2021")
    assert result.exit_code == 0, result.output
    assert "有不可见的控制字符 U+0007" in result.output
    assert "有不可见的控制字符 U+0003" in result.output
    text = (tmp_path / "o.yaml").read_text(encoding="utf-8")
    assert "_x000" not in text and "万富春_x" not in text
