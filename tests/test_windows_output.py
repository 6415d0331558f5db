"""Output that lands right on a Windows office PC, simulated: text-mode newline
translation, a code-page 936 console, --output files for Excel, the classic console's
box characters, the clipboard, a closed pipe."""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from evalcheck.cli import app, main
from evalcheck.infra import oscompat
from evalcheck.views import render


def windows_text_stdout(encoding: str) -> io.TextIOWrapper:
    """stdout as Windows opens it for `> file`: text mode, "\\n" written as "\\r\\n"."""
    return io.TextIOWrapper(io.BytesIO(), encoding=encoding, newline="\r\n")


def run_to(stream: io.TextIOWrapper, monkeypatch, *args: str) -> bytes:
    monkeypatch.setattr(sys, "stdout", stream)
    try:
        app(args=list(args), prog_name="evalcheck", standalone_mode=False)
    finally:
        stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue()


@pytest.mark.parametrize("command", [["list"], ["overdue", "--today", "2021-09-20"]])
def test_csv_through_windows_text_mode_has_one_cr_per_row(monkeypatch, command) -> None:
    data = run_to(windows_text_stdout("utf-8"), monkeypatch, *command, "--format", "csv")
    assert b"\r\r\n" not in data  # was: a blank row after every row in Excel
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    assert data.startswith("\ufeff".encode())  # UTF-8: Excel needs the BOM
    assert len(lines) > 10


def test_csv_on_a_cp936_stream_is_gb18030_without_bom(monkeypatch) -> None:
    data = run_to(
        windows_text_stdout("gb18030"), monkeypatch, "list", "-s", "审批监管科", "-f", "csv"
    )
    text = data.decode("gb18030")
    assert not text.startswith("\ufeff")  # Excel reads the ANSI code page without one
    assert text.splitlines()[0].startswith("题号,二级指标,三级指标")
    assert "审批监管科" in text and b"\r\r\n" not in data


# ---------------------------------------------------------------- console encoding


class FakeStream:
    def __init__(self, encoding: str, tty: bool) -> None:
        self.encoding = encoding
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("platform", "tty", "env", "cp", "expected"),
    [
        ("win32", False, {}, 936, "gb18030"),  # `> out.txt`, `| more`, `| clip`, PowerShell 5.1
        ("win32", False, {}, 65001, "utf-8"),  # chcp 65001
        ("win32", False, {}, 950, "cp950"),  # Traditional Chinese
        ("win32", True, {}, 936, None),  # a console window: Python writes Unicode to it
        ("win32", False, {"PYTHONIOENCODING": "utf-8"}, 936, None),  # the user chose
        ("win32", False, {"PYTHONUTF8": "1"}, 936, None),
        ("linux", False, {}, 936, "utf-8"),
    ],
)
def test_stream_encoding(platform, tty, env, cp, expected) -> None:
    stream = FakeStream("cp1252", tty)
    got = oscompat.stream_encoding(stream, platform=platform, env=env, codepage=lambda: cp)
    assert got == expected


def test_redirected_output_on_chinese_windows_is_written_in_gb18030() -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # what main() used to force
    oscompat.configure_streams((out,), platform="win32", env={}, codepage=lambda: 936)
    out.write("审批监管科 ≥ 95%\n")
    out.flush()
    raw = out.buffer.getvalue()  # type: ignore[attr-defined]
    assert raw.decode("gb18030") == "审批监管科 ≥ 95%\n"
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


# ---------------------------------------------------------------- --output FILE


def test_output_csv_is_utf8_with_bom_and_the_same_rows(run, tmp_path: Path) -> None:
    shown = run("list", "-s", "审批监管科", "-f", "csv").stdout
    result = run("list", "-s", "审批监管科", "-f", "csv", "--output", "清单.csv")
    assert result.exit_code == 0 and result.stdout == ""
    assert "已写入 清单.csv" in result.stderr
    data = (tmp_path / "清单.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\r\n" not in data
    assert data[3:].decode("utf-8").replace("\r\n", "\n") == shown.lstrip("\ufeff")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_output_table_is_plain_text_even_on_a_terminal(run, tmp_path: Path, monkeypatch) -> None:
    piped = run("list", "-s", "审批监管科").stdout
    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)
    assert "━" in run("list", "-s", "审批监管科").stdout  # on a terminal: a drawn table
    assert run("list", "-s", "审批监管科", "--output", "清单.txt").exit_code == 0
    text = (tmp_path / "清单.txt").read_bytes().decode("utf-8-sig")
    assert text.split("\r\n")[0].startswith("题号\t二级指标\t三级指标\t")
    assert text.replace("\r\n", "\n") == piped
    assert "━" in run("list", "-s", "审批监管科").stdout  # the next command draws again


@pytest.mark.parametrize("command", [["list"], ["overdue", "--today", "2021-09-20"], ["status"]])
def test_output_json_parses(run, tmp_path: Path, command) -> None:
    assert run(*command, "-f", "json", "--output", "out.json").exit_code == 0
    raw = (tmp_path / "out.json").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert json.loads(raw) == json.loads(run(*command, "-f", "json").stdout)


def test_output_into_a_missing_folder_is_refused(run, tmp_path: Path) -> None:
    result = run("list", "--output", "没有的文件夹/清单.csv", "-f", "csv")
    assert result.exit_code == 5
    assert "没有的文件夹" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- closed pipe


class ClosedPipe(io.TextIOWrapper):
    def write(self, s: str) -> int:
        raise OSError(errno.EINVAL, "Invalid argument")  # Windows, after `| more` quits


def test_a_closed_pipe_on_windows_ends_quietly(monkeypatch, capsys) -> None:
    monkeypatch.setattr(oscompat, "is_windows", lambda platform=None: True)
    monkeypatch.setattr(oscompat, "configure_streams", lambda *a, **k: None)
    monkeypatch.setattr(sys, "stdout", ClosedPipe(io.BytesIO(), encoding="utf-8"))
    monkeypatch.setattr(sys, "argv", ["evalcheck", "list"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 0
    assert "Traceback" not in capsys.readouterr().err


def test_einval_elsewhere_is_not_mistaken_for_a_closed_pipe() -> None:
    exc = OSError(errno.EINVAL, "Invalid argument")
    assert oscompat.is_closed_pipe(exc, platform="win32")
    assert not oscompat.is_closed_pipe(exc, platform="linux")
    assert oscompat.is_closed_pipe(BrokenPipeError(), platform="linux")


# ---------------------------------------------------------------- classic console


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({}, "win32", True),  # conhost: box characters double-width in 新宋体
        ({"WT_SESSION": "abc"}, "win32", False),  # Windows Terminal
        ({"TERM_PROGRAM": "vscode"}, "win32", False),
        ({"TERM": "xterm-256color"}, "win32", False),  # Git Bash (mintty)
        ({"WT_SESSION": "abc", "EVALCHECK_ASCII": "1"}, "win32", True),
        ({"EVALCHECK_ASCII": "0"}, "win32", False),
        ({}, "linux", False),
        ({"EVALCHECK_ASCII": "1"}, "linux", True),
    ],
)
def test_ascii_only(env, platform, expected) -> None:
    assert oscompat.ascii_only(env, platform) is expected


def test_ascii_tables_and_bars(monkeypatch) -> None:
    monkeypatch.setenv("EVALCHECK_ASCII", "1")
    drawn = render.table(["题号", "三级指标"], [[47, "事项数"]], rich=True)
    assert "+" in drawn and "|" in drawn and drawn.isascii() is False  # CJK text kept
    assert not any(ch in drawn for ch in "━┃│─┏┗╇")
    assert render.bar(0.5, 10) == "#####....."
    monkeypatch.setenv("EVALCHECK_ASCII", "0")
    assert render.bar(0.5, 10) == "█████░░░░░"


def test_status_bars_in_ascii(run, monkeypatch) -> None:
    monkeypatch.setenv("EVALCHECK_ASCII", "1")
    out = run("status").stdout
    assert "░" not in out and "█" not in out and "...................." in out


# ---------------------------------------------------------------- clipboard


def fake_clipboard(tmp_path: Path, name: str) -> Path:
    """A program called `name` on PATH that saves what it is given."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    saved = tmp_path / "clipboard.bin"
    prog = bindir / name
    prog.write_text(f"#!/bin/sh\ncat > '{saved}'\n", encoding="utf-8")
    prog.chmod(prog.stat().st_mode | stat.S_IXUSR)
    return saved


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for xclip")
def test_remind_copy_puts_the_text_on_the_clipboard(run, tmp_path: Path, monkeypatch) -> None:
    saved = fake_clipboard(tmp_path, "xclip")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run("remind", "-s", "审批监管科", "--today", "2021-09-20", "--copy")
    assert result.exit_code == 0, result.output
    copied = saved.read_bytes().decode("utf-8")
    letters, rule = result.stdout.rstrip("\n").rsplit("\n\n", 1)
    assert copied == letters  # the letters, not the coordinator's counting rule after them
    assert rule.startswith("完成按已审核计") and "完成按已审核计" not in copied
    assert "已复制到剪贴板" in result.stderr


def test_remind_copy_without_a_clipboard_program(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run("remind", "-s", "审批监管科", "--today", "2021-09-20", "--copy")
    assert result.exit_code == 5
    assert "找不到剪贴板程序" in result.stderr and "clip.exe" in result.stderr
    assert "审批监管科" in result.stdout  # the text is still there to copy by hand


def test_windows_clipboard_is_clip_exe_fed_utf16() -> None:
    found = {"clip.exe": r"C:\Windows\System32\clip.exe"}
    clip = oscompat.clipboard_command(platform="win32", env={}, which=found.get)
    assert clip == oscompat.Clipboard([r"C:\Windows\System32\clip.exe"], "utf-16-le", bom=True)
    wayland = oscompat.clipboard_command(
        platform="linux", env={"WAYLAND_DISPLAY": "w", "DISPLAY": ":0"}, which=lambda n: n
    )
    assert wayland is not None and wayland.argv[0] == "wl-copy"
    assert oscompat.clipboard_command(platform="linux", env={}, which=lambda n: n) is None


def test_utf8_streams_show_undecodable_file_names() -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    oscompat.configure_streams((out,), platform="linux", env={}, codepage=lambda: 936)
    out.write("坏文件名 \udcff\n")  # a byte that is not UTF-8, as os.listdir gives it
    out.flush()
    assert out.buffer.getvalue().decode("utf-8") == "坏文件名 \\udcff\n"  # type: ignore[attr-defined]


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_output_onto_a_folder_says_it_is_a_folder(run, tmp_path: Path, force) -> None:
    """Not "已存在…加 --force" (which then fails on the folder): a folder is no file to
    write, with or without --force (exit 3, as an export onto a folder)."""
    (tmp_path / "汇总").mkdir()
    result = run("status", "--output", "汇总", *force)
    assert result.exit_code == 3
    assert "“汇总”是一个文件夹，请给出文件名" in result.stderr and "--force" not in result.stderr
    assert list((tmp_path / "汇总").iterdir()) == []
