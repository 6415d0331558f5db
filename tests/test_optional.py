"""The pure-Python core (issue 27): without the native wheels every command but the
optional features works, and those say in Chinese what is missing and how to get it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalcheck.errors import EXIT_DATA, EXIT_MISSING
from evalcheck.infra import optional, yamlio
from tests import NATIVE_BLOCKED
from tests.conftest import ROOT

BLOCKER = ROOT / "tests" / "nativeblock"


def without_native(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    env.update(PYTHONPATH=str(BLOCKER), EVALCHECK_TODAY="2026-12-02", EVALCHECK_USER="测试")
    return subprocess.run(
        [sys.executable, "-m", "evalcheck", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version_lists_what_is_missing(tmp_path: Path) -> None:
    done = without_native(tmp_path, "--version")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "evalcheck 0.3.0" and lines[2] == "可选组件："
    assert [line.split()[0] for line in lines[3:]] == ["没有"] * 4
    assert "rapidfuzz" in lines[4] and "改用纯 Python 实现" in lines[4]
    assert "导出 Word 附件" in lines[6] and "此功能不可用" in lines[6]
    assert 'pip install "evalcheck[word]"' in lines[6]


def test_the_core_commands_run_and_word_export_says_what_is_missing(tmp_path: Path) -> None:
    listed = without_native(tmp_path, "list", "--section", "审批监管科")
    assert listed.returncode == 0 and "审批监管科" in listed.stdout
    assert without_native(tmp_path, "answer", "47", "--value", "312").returncode == 0
    assert without_native(tmp_path, "export", "report.xlsx").returncode == 0
    assert (tmp_path / "report.xlsx").stat().st_size > 0
    hint = without_native(tmp_path, "list", "--section", "审批监管")  # the pure scorer
    assert hint.returncode == 3 and "您是不是要找“审批监管科”" in hint.stderr
    word = without_native(tmp_path, "export", "report.docx")
    assert word.returncode == EXIT_MISSING and word.stdout == ""
    assert word.stderr.startswith("错误：导出 Word 附件（.docx）需要可选组件 python-docx + lxml")
    assert "python3-lxml" in word.stderr and "Traceback" not in word.stderr
    assert not (tmp_path / "report.docx").exists()


def test_every_component_is_present_in_the_full_install() -> None:
    if NATIVE_BLOCKED:
        assert not any(optional.present(k) for k in optional.COMPONENTS)
        pytest.skip("EVALCHECK_BLOCK_NATIVE=1：可选组件被有意屏蔽")
    assert all(optional.present(k) for k in optional.COMPONENTS)  # `.[test]` pulls them all


@pytest.mark.cold_cache  # the file must be parsed, not found in the cache
def test_the_pure_loader_refuses_a_huge_file(run, tmp_path: Path, monkeypatch) -> None:
    """Without libyaml a file over the pure loader's cap fails at once, with the reason."""
    monkeypatch.setattr(yamlio, "c_loader", lambda: False)
    monkeypatch.setattr(yamlio, "PURE_LOADER_MAX_BYTES", 30_000)
    result = run("--checklist", str(ROOT / "data" / "indicators.yaml"), "list")
    assert result.exit_code == EXIT_DATA
    assert "本机没有 PyYAML 的 C 加载器，纯 Python 解析最多读取 0 MB" in result.stderr
    assert "python3-yaml" in result.stderr
    monkeypatch.setattr(yamlio, "PURE_LOADER_MAX_BYTES", 16 * 1024 * 1024)
    assert run("--checklist", str(ROOT / "data" / "indicators.yaml"), "list").exit_code == 0


def test_the_pure_yaml_writer_keeps_line_separators(tmp_path: Path) -> None:
    """PyYAML's pure emitter writes NEL and U+2028/9 raw, which reading folds into spaces;
    yamlio quotes such text (found by the suite's run without libyaml)."""
    code = (
        "from evalcheck.infra.yamlio import c_loader, dump_yaml, load_yaml_text\n"
        "assert not c_loader()\n"
        "data = {'na': '\\x85', 'note': 'a\\u2028b\\u2029c', 'plain': '原因'}\n"
        "text = dump_yaml(data)\n"
        "assert load_yaml_text(text, 'x') == data, text\n"
        'assert "plain: 原因" in text\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    env["PYTHONPATH"] = str(BLOCKER)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
