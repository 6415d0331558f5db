"""The manual's exit-code table (docs/exit-codes.md) is true: every reason it lists has a scenario
here that ends with that code, and every code in errors.py is in the table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from evalcheck import errors
from evalcheck.infra import fileio
from evalcheck.io import xlsx_format
from tests.conftest import ROOT
from tests.hostile import held_lock

Scenario = Callable[..., int]


def _table() -> dict[int, list[str]]:
    """{code: [reason, ...]} from the table of docs/exit-codes.md."""
    text = (ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    section = text.split("# 退出码", 1)[1].split("\n## ", 1)[0]
    out: dict[int, list[str]] = {}
    for code, meaning in re.findall(r"^\| (\d+) \| (.+) \|$", section, flags=re.M):
        meaning = meaning.replace("**", "")
        reasons = meaning.split("：", 1)[1] if "：" in meaning else meaning
        out[int(code)] = [r.strip() for r in re.split(r"[、；]", reasons) if r.strip()]
    return out


def _cli(tmp_path: Path, *args: str | bytes, stdout=subprocess.PIPE) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    return subprocess.run(
        [sys.executable, "-m", "evalcheck", *args],
        cwd=tmp_path,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
    ).returncode


def _without_native(tmp_path: Path, *args: str) -> int:
    """The CLI as on a PC without the native wheels (tests/nativeblock/)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    env["PYTHONPATH"] = str(ROOT / "tests" / "nativeblock")
    done = subprocess.run(
        [sys.executable, "-m", "evalcheck", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "需要可选组件" in done.stderr and "Traceback" not in done.stderr, done.stderr
    return done.returncode


def _no_calamine(run, tmp_path, monkeypatch) -> int:
    from tests.test_tableimport_variants import table, write_ods

    write_ods(tmp_path / "t.ods", table())
    return _without_native(tmp_path, "checklist-import", "t.ods", "-o", "out.yaml")


def _answered(run) -> None:
    assert run("answer", "47", "--value", "312").exit_code == 0


def _checklist_with(tmp_path: Path, extra: str) -> str:
    from evalcheck.model.loading import bundled_checklist_path

    path = tmp_path / "cl.yaml"
    path.write_text(bundled_checklist_path().read_text("utf-8") + extra, encoding="utf-8")
    return str(path)


def _bad_today(run, monkeypatch) -> int:
    monkeypatch.setenv("EVALCHECK_TODAY", "2021/09/16")
    return int(run("list").exit_code)


def _locked(run, tmp_path, monkeypatch) -> int:
    _answered(run)
    monkeypatch.setenv("EVALCHECK_LOCK_TIMEOUT", "0.1")
    with held_lock(tmp_path / ".answers.yaml.lock"):
        return int(run("answer", "47", "--value", "1").exit_code)


def _replace_denied(run, tmp_path, monkeypatch) -> int:
    _answered(run)

    def denied(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fileio.os, "replace", denied)
    return int(run("answer", "47", "--value", "1").exit_code)


def _read_only(run, tmp_path, monkeypatch) -> int:
    _answered(run)
    (tmp_path / "answers.yaml").chmod(0o444)
    try:
        return int(run("answer", "47", "--value", "1").exit_code)
    finally:
        (tmp_path / "answers.yaml").chmod(0o644)


def _read_only_output(run, tmp_path, monkeypatch) -> int:
    _answered(run)
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"received")
    out.chmod(0o444)
    try:
        return int(run("export", "report.xlsx", "--force").exit_code)
    finally:
        out.chmod(0o644)


def _corrupt(run, tmp_path, monkeypatch) -> int:
    (tmp_path / "answers.yaml").write_text("answers: {47: [\n", encoding="utf-8")
    return int(run("list").exit_code)


def _other_checklist(run, tmp_path, monkeypatch) -> int:
    _answered(run)
    path = tmp_path / "answers.yaml"
    path.write_text(path.read_text("utf-8").replace("year: 2021", "year: 2020"), "utf-8")
    return int(run("list").exit_code)


def _ctrl_c(run, tmp_path, monkeypatch) -> int:
    import importlib

    app_module = importlib.import_module("evalcheck.cli.shared")

    def interrupted(path: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(app_module, "load_checklist", interrupted)
    return int(run("list").exit_code)


def _terminated(signum: int):
    def scenario(run, tmp_path, monkeypatch) -> int:
        import importlib

        from evalcheck.errors import Terminated

        app_module = importlib.import_module("evalcheck.cli.shared")

        def stopped(path: Path) -> None:  # what the handler raises (guard.stop_as_interrupted)
            raise Terminated(signum)

        monkeypatch.setattr(app_module, "load_checklist", stopped)
        return int(run("list").exit_code)

    return scenario


def _export_form(run, tmp_path) -> Path:
    assert run("export", "--split", "forms").exit_code == 0
    return next((tmp_path / "forms").iterdir())


def _bad_cell(run, tmp_path, monkeypatch) -> int:
    import openpyxl

    _export_form(run, tmp_path)
    form = tmp_path / "forms" / "2021测评填报_办公室.xlsx"  # holds indicator 16 (是否)
    wb = openpyxl.load_workbook(form)
    ws = wb["测评指标"]
    col = {c.value: c.column for c in ws[xlsx_format.HEADER_ROW]}
    for r in range(xlsx_format.FIRST_ROW, ws.max_row + 1):
        if ws.cell(r, col["题号"]).value == 16:
            ws.cell(r, col["填报值"]).value = "也许"
    wb.save(form)
    return int(run("import", str(form)).exit_code)


def _zip_bomb(run, tmp_path, monkeypatch) -> int:
    import zipfile

    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (3 * 1024 * 1024))
    return int(run("import", "bomb.xlsx").exit_code)


def _stdout_full(run, tmp_path, monkeypatch) -> int:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        return _cli(tmp_path, "list", stdout=full)


def _out_of_memory(run, tmp_path, monkeypatch) -> int:
    """A MemoryError anywhere in a command (here: while the table is laid out)."""
    import evalcheck.services.exporting as exporting

    def huge(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(exporting, "export_table", huge)
    return int(run("export", "report.xlsx").exit_code)


def _no_clipboard(run, tmp_path, monkeypatch) -> int:
    """`remind --copy` on a PC with no clipboard program (none on PATH)."""
    (tmp_path / "no-programs").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    return int(run("remind", "--copy", "--today", "2021-10-01").exit_code)


def _same(*codes: int) -> int:
    """The code all these ended with (-1 when they differ)."""
    return codes[0] if len(set(codes)) == 1 else -1


def _form_without_its_file(run, tmp_path, monkeypatch) -> int:
    import openpyxl

    path = _export_form(run, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["测评指标"]
    col = {c.value: c.column for c in ws[xlsx_format.HEADER_ROW]}
    ws.cell(xlsx_format.FIRST_ROW, col["佐证材料"]).value = "不在这里.pdf"
    wb.save(path)
    return int(run("import", str(path)).exit_code)


def _changed_evidence(run, tmp_path, monkeypatch) -> int:
    (tmp_path / "a.pdf").write_bytes(b"one")
    assert run("evidence", "add", "47", "a.pdf").exit_code == 0
    (tmp_path / "佐证材料" / "47" / "a.pdf").write_bytes(b"two")
    return int(run("evidence", "pack", "b.zip").exit_code)


def _units_checklist(tmp_path: Path) -> str:
    """The bundled checklist with its units block enabled (as docs/units.md does)."""
    from evalcheck.model.loading import bundled_checklist_path

    text = bundled_checklist_path().read_text(encoding="utf-8")
    enabled = re.sub(r"^(\s*)# ((?:units|units_due|collect|rollup): )", r"\1\2", text, flags=re.M)
    path = tmp_path / "区县清单.yaml"
    path.write_text(enabled, encoding="utf-8")
    return str(path)


def _rollup_conflict(run, tmp_path, monkeypatch) -> int:
    checklist = _units_checklist(tmp_path)
    for unit in ("沙坡头区", "中宁县", "海原县", "市本级"):
        (tmp_path / "单位" / unit).mkdir(parents=True)
        where = ("--checklist", checklist, "--answers", f"单位/{unit}/answers.yaml")
        assert run(*where, "answer", "69", "--value", "10").exit_code == 0
    assert run("--checklist", checklist, "answer", "69", "--value", "41").exit_code == 0
    return int(run("--checklist", checklist, "rollup", "--apply", "69").exit_code)


def _r(*args: str) -> Scenario:
    return lambda run, tmp_path, monkeypatch: int(run(*args).exit_code)


SCENARIOS: dict[int, dict[str, Scenario]] = {
    0: {"成功": _r("list")},
    1: {
        "`overdue --fail` 有逾期指标": _r("overdue", "--fail", "--today", "2021-10-01"),
        "`evidence check` 发现缺少或被改过的佐证材料": lambda run, tmp_path, monkeypatch: (
            _answered(run),
            int(run("evidence", "check").exit_code),
        )[-1],
        "`rollup --apply` 有冲突（市级已填写的答案与汇总值不同，未覆盖，其余照常写入）": (
            _rollup_conflict
        ),
        "`check` 有错误级规则不满足": lambda run, tmp_path, monkeypatch: (
            run("answer", "14", "--value", "1"),
            run("answer", "15", "--value", "2"),
            int(run("check").exit_code),
        )[-1],
    },
    2: {
        "未知的命令（会提示最接近的命令）": _r("lst"),
        "未知选项": _r("list", "--nope"),
        "缺少参数": _r("answer"),
        "缺少必须的选项或互斥的选项同时给出（`answer` 没有 `--value`/`--na`/`--clear`，`export` "
        "没有目标或给了两个，`approve`/`return` 没有题号，`return` 没有 `--reason`，`carry` "
        "缺少上年文件）": (
            lambda run, tmp_path, monkeypatch: _same(
                run("answer", "47").exit_code,
                run("answer", "47", "--value", "1", "--clear").exit_code,
                run("export").exit_code,
                run("export", "a.xlsx", "--split", "d").exit_code,
                run("approve", "--by", "万富春").exit_code,
                run("return", "--reason", "x", "--by", "万富春").exit_code,
                run("return", "47", "--by", "万富春").exit_code,
                run("carry").exit_code,
            )
        ),
        "只用于科室视图的选项与 `--units` 同时给出（`compare --units` 的 `--section`，"
        "`remind --units` 的 `--section`/`--owner`/`--tier`/`--soon`/`--escalate`/"
        "`--review-days`）": lambda run, tmp_path, monkeypatch: _same(
            run(
                "--checklist", _units_checklist(tmp_path), "compare", "--units", "-s", "办公室"
            ).exit_code,
            run(
                "--checklist", _units_checklist(tmp_path), "remind", "--units", "-s", "办公室"
            ).exit_code,
            run(
                "--checklist", _units_checklist(tmp_path), "remind", "--units", "--soon", "3"
            ).exit_code,
        ),
        "选项值不在程序固定的可选范围内（`--format`/`--kind`/`--role`/`--status`/`--tier`）": (
            lambda run, tmp_path, monkeypatch: _same(
                run("list", "--format", "pdf").exit_code,
                run("list", "--kind", "decimal").exit_code,
                run("list", "--role", "boss").exit_code,
                run("list", "--status", "done").exit_code,
                run("remind", "--tier", "boss").exit_code,
            )
        ),
        "值的形式不对（`--within` 等天数不是 0–36500 的整数/`--today` 不是 YYYY-MM-DD 日期，"
        "`20210916` 或 `2021-W37-4` 也不行，环境变量 `EVALCHECK_TODAY` 也一样）": (
            lambda run, tmp_path, monkeypatch: _same(
                run("overdue", "--within", "abc").exit_code,
                run("overdue", "--within", "٣").exit_code,
                run("overdue", "--today", "9月").exit_code,
                run("status", "--today", "2021-02-30").exit_code,
                run("overdue", "--today", "20210916").exit_code,
                run("overdue", "--today", "2021-W37-4").exit_code,
                _bad_today(run, monkeypatch),
            )
        ),
        '文件名或文件夹名为空（如 `export --split ""`，空名字会被当作当前文件夹，环境变量只有空格也一样）': (
            lambda run, tmp_path, monkeypatch: _same(
                run("export", "--split", "").exit_code,
                run("list", "--output", "").exit_code,
                run("--checklist", "", "list").exit_code,
            )
        ),
    },
    3: {
        "值不符合题型": _r("answer", "47", "--value", "很多"),
        "数值超出范围（绝对值最大 10^15）": _r("answer", "47", "--value", "9" * 400),
        "文字超过 Excel 单元格的 32767 字": _r(
            "answer", "47", "--value", "1", "--note", "字" * 32768
        ),
        "题号不存在": _r("answer", "999", "--value", "1"),
        "未知的科室/领导/二级指标": _r("list", "--section", "不存在科"),
        "表格中有不合格单元格": _bad_cell,
        "要导入的是文件夹或找不到": lambda run, tmp_path, monkeypatch: (
            (tmp_path / "d.xlsx").mkdir(),
            max(run("import", "d.xlsx").exit_code, run("import", "none.xlsx").exit_code),
        )[-1],
        "输出文件已存在（未加 `--force`）": lambda run, tmp_path, monkeypatch: (
            _export_form(run, tmp_path),
            int(run("export", "--split", "forms").exit_code),
        )[-1],
        "输出文件是答案文件/清单/上年对照文件或在佐证材料库中（加 `--force` 也不行）": lambda run, tmp_path, monkeypatch: (
            (
                run("answer", "47", "--value", "1"),
                int(run("list", "--output", "answers.yaml", "--force").exit_code),
            )[-1]
        ),
        "`status -f text` 写进 .csv 文件": _r("status", "-f", "text", "--output", "a.csv"),
        "表格中写的佐证文件找不到": _form_without_its_file,
        "材料包已存在（未加 `--overwrite`）": lambda run, tmp_path, monkeypatch: (
            (tmp_path / "b.zip").write_bytes(b""),
            int(run("evidence", "pack", "b.zip").exit_code),
        )[-1],
        "要添加的佐证文件不存在": _r("evidence", "add", "47", "none.pdf"),
        "要打包的文件登记后被改过（未加 `--force`）": _changed_evidence,
        "导出的文件名不以 .xlsx/.docx 结尾": _r("export", "r.csv"),
        "导出到的文件夹不存在或不是文件夹": lambda run, tmp_path, monkeypatch: (
            (tmp_path / "f").write_text("x"),
            _same(run("export", "none/r.xlsx").exit_code, run("export", "f/r.xlsx").exit_code),
        )[-1],
        "清单没有 `units:` 时用 `--units`": _r("status", "--units"),
        "还没有 `carry` 就 `compare`": _r("compare"),
        "参数不是 UTF-8 编码": lambda run, tmp_path, monkeypatch: _cli(
            tmp_path, "answer", "47", "--value", b"\xff"
        ),
    },
    4: {
        "清单未通过检查": lambda run, tmp_path, monkeypatch: int(
            run("--checklist", _checklist_with(tmp_path, "bogus: [\n"), "list").exit_code
        ),
        "找不到清单": _r("--checklist", "none.yaml", "list"),
        "答案文件损坏或属于别的清单": lambda run, tmp_path, monkeypatch: max(
            _other_checklist(run, tmp_path, monkeypatch), _corrupt(run, tmp_path, monkeypatch)
        ),
        "YAML 中有重复的键或锚点/别名": lambda run, tmp_path, monkeypatch: int(
            run("--checklist", _checklist_with(tmp_path, "year: 2022\n"), "list").exit_code
        ),
        "清单或答案文件是文件夹/管道/设备": lambda run, tmp_path, monkeypatch: (
            (tmp_path / "answers.yaml").mkdir(),
            int(run("list").exit_code),
        )[-1],
        "工作簿不是本工具导出的或已损坏/过大/疑似压缩炸弹": _zip_bomb,
    },
    5: {
        "答案文件正被他人写入（等锁超时）": _locked,
        "文件被 Excel 占用": _replace_denied,
        "没有写权限": _replace_denied,
        "答案文件只读": _read_only,
        "要覆盖的输出文件只读（任何输出都不替换只读文件）": _read_only_output,
        "答案文件所在的文件夹不存在（不会自动创建）": _r(
            "--answers", "no/such/answers.yaml", "answer", "47", "--value", "1"
        ),
        "输出写不出（如磁盘已满）": _stdout_full,
        "内存不足": _out_of_memory,
        "`remind --copy` 复制到剪贴板失败（提醒已打印）": _no_clipboard,
    },
    6: {
        "导出 Word（.docx）需要的 python-docx 和 lxml 没有安装": lambda run, tmp_path, mp: (
            _without_native(tmp_path, "export", "report.docx")
        ),
        "读取 .xls/.ods 表格需要的 python-calamine 没有安装": _no_calamine,
    },
    130: {"按 Ctrl-C 中断（写入是原子的，不会留下写了一半的文件）": _ctrl_c},
    129: {"终端或远程会话关闭（SIGHUP），与 Ctrl-C 一样清理后退出": _terminated(1)},
    143: {
        "关机或被 `kill` 终止（SIGTERM），与 Ctrl-C 一样清理后退出（临时文件删除，不留下写了一半的文件）": (
            _terminated(15)
        )
    },
}


def test_every_code_is_in_the_table() -> None:
    codes = {v for k, v in vars(errors).items() if k.startswith("EXIT_")}
    assert set(_table()) == codes


def test_every_reason_in_the_table_has_a_scenario() -> None:
    assert {code: sorted(r) for code, r in _table().items()} == {
        code: sorted(s) for code, s in SCENARIOS.items()
    }


@pytest.mark.parametrize(
    ("code", "reason"), [(c, r) for c, s in SCENARIOS.items() for r in s], ids=lambda x: str(x)
)
def test_the_table_is_true(run, tmp_path, monkeypatch, code: int, reason: str) -> None:
    assert SCENARIOS[code][reason](run, tmp_path, monkeypatch) == code


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_clean_up_as_ctrl_c_does(tmp_path: Path, signame: str) -> None:
    """The computer shutting down (SIGTERM) or the terminal closing (SIGHUP) mid-export:
    XlsxWriter's temporary folder of a streamed workbook is removed, no half-written file
    is left, and the exit code is the shells' 128 + the signal."""
    import signal
    import time

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    marker = tmp_path / "closing"
    script = f"""
import sys, time
from pathlib import Path
from evalcheck.io import xlsx_book, xlsx_write
xlsx_write.STREAM_ROWS = 10  # the bundled checklist is streamed: XlsxWriter's temp folder
real_close = xlsx_book.Book.close
def close(self):
    Path({str(marker)!r}).write_text("x")
    time.sleep(60)  # the signal comes here, the workbook half put together
    return real_close(self)
xlsx_book.Book.close = close
sys.argv = ["evalcheck", "export", "report.xlsx"]
from evalcheck.cli import program
program()
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    env["TMPDIR"] = str(scratch)
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), proc.stderr.read() if proc.stderr else ""
    assert [p.name for p in scratch.iterdir() if p.name.startswith("evalcheck-xlsx-")]
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + getattr(signal, signame), err
    assert "已终止" in err and "Traceback" not in err
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "report.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
