"""The offline bundle script's own logic (CI builds and installs a real bundle)."""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "offline_bundle.py"


@pytest.fixture(scope="module")
def bundle():
    spec = importlib.util.spec_from_file_location("offline_bundle", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_wheel(folder: Path, name: str, requires: list[str]) -> None:
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(folder / f"{name}-1.0-py3-none-any.whl", "w") as zf:
        zf.writestr(f"{name}-1.0.dist-info/METADATA", meta)


def test_windows_only_dependencies_are_found_from_linux(bundle, tmp_path: Path) -> None:
    fake_wheel(tmp_path, "typer", ['colorama; platform_system == "Windows"', "rich>=13"])
    fake_wheel(tmp_path, "rich", ['pytest; extra == "test"'])
    windows = bundle.target_environment("windows", "3.12")
    linux = bundle.target_environment("linux", "3.12")
    assert bundle.missing_for(tmp_path, windows) == ["colorama"]
    assert bundle.missing_for(tmp_path, linux) == []
    fake_wheel(tmp_path, "colorama", [])
    assert bundle.missing_for(tmp_path, windows) == []


def test_installers(bundle, tmp_path: Path) -> None:
    bundle.write_installers(tmp_path, ["windows", "linux"], ["3.11", "3.12", "3.13"])
    raw = (tmp_path / "install.bat").read_bytes()
    bat = raw.decode("gbk")  # cmd reads a .bat in the console code page (936)
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF throughout
    assert "--no-index --find-links" in bat and "ExecutionPolicy" not in bat
    assert "安装完成" in bat and "py -%%v" in bat
    sh = (tmp_path / "install.sh").read_text(encoding="utf-8")
    assert "--no-index --find-links" in sh and "\r" not in sh
    assert (tmp_path / "install.sh").stat().st_mode & 0o111
    note = (tmp_path / "安装说明.txt").read_bytes()
    assert note.startswith(b"\xef\xbb\xbf") and "Windows x64、Linux x86_64" in note.decode(
        "utf-8-sig"
    )


def test_the_bundle_covers_every_dependency(bundle) -> None:
    deps = bundle.dependencies()
    assert any(d.startswith("typer") for d in deps) and any(d.startswith("pyyaml") for d in deps)


def test_the_installers_check_the_python_version(bundle, tmp_path: Path) -> None:
    """Too old a Python: the installers say in Chinese what to do (issue 27)."""
    bundle.write_installers(tmp_path, ["windows", "linux"], ["3.11"])
    bat = (tmp_path / "install.bat").read_bytes().decode("gbk")
    assert "需要 Python 3.11 或更新版本" in bat and "python.org" in bat
    assert '"evalcheck[all]"' in bat
    sh = tmp_path / "install.sh"
    old = tmp_path / "python3"  # a Python 3.8, as on an old Kylin
    old.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 'Python 3.8.10'\nexit 1\n")
    old.chmod(0o755)
    import subprocess

    done = subprocess.run(
        ["sh", str(sh)], env={"PATH": "/usr/bin:/bin", "PYTHON": str(old), "HOME": str(tmp_path)},
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1
    assert f"本程序需要 Python 3.11 或更新版本，本机的 {old} 是 Python 3.8.10。" in done.stderr
    assert "PYTHON=/opt/python3.11/bin/python3.11 sh install.sh" in done.stderr
    assert not (tmp_path / ".local").exists()


def test_the_pure_installer_names_each_optional_part(bundle, tmp_path: Path) -> None:
    bundle.write_pure_installers(tmp_path, ["3.11"])
    sh = (tmp_path / "install.sh").read_text(encoding="utf-8")
    assert "@" not in sh.replace("$@", "")  # every placeholder filled in
    assert 'optional "导出 Word（python-docx + lxml）"' in sh and "lxml python-docx" in sh
    assert '--no-index --find-links "$HERE/wheels" --upgrade evalcheck;' in sh
    note = (tmp_path / "安装说明.txt").read_bytes().decode("utf-8-sig")
    assert "Linux x86_64、Linux aarch64（ARM64）" in note and "龙芯" in note


def test_aarch64_and_the_extras_are_in_the_bundle(bundle) -> None:
    assert "linux-aarch64" in bundle.PLATFORMS
    assert bundle.target_environment("linux-aarch64", "3.11")["platform_machine"] == "aarch64"
    full = bundle.dependencies("all")
    assert any(d.startswith("python-docx") for d in full)
    assert not any(
        d.startswith(("rapidfuzz", "python-docx", "lxml")) for d in bundle.dependencies()
    )


@pytest.mark.parametrize("pure", [False, True])
def test_the_pages_the_installers_point_to_are_in_the_bundle(bundle, tmp_path: Path, pure) -> None:
    """安装说明.txt and install.sh send the reader to docs/xinchuang.md: an intranet PC has
    no other copy of it."""
    if pure:
        bundle.write_pure_installers(tmp_path, ["3.11"])
    else:
        bundle.write_installers(tmp_path, ["linux"], ["3.11"])
    said = (tmp_path / "安装说明.txt").read_bytes().decode("utf-8-sig")
    said += (tmp_path / "install.sh").read_text(encoding="utf-8")
    for page in re.findall(r"docs/[\w-]+\.md", said):
        assert (tmp_path / page).is_file(), page
    assert (tmp_path / "docs" / "xinchuang.md").read_text(encoding="utf-8").startswith("# ")
