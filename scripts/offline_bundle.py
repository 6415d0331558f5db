#!/usr/bin/env python3
"""Build the offline bundle for intranet PCs without internet access.

    python scripts/offline_bundle.py                      # Windows x64 + Linux x86_64
    python scripts/offline_bundle.py --platform linux     # what CI builds
    python scripts/offline_bundle.py --zip                # also evalcheck-offline.zip

The bundle folder holds wheels/ (the project's wheel and every dependency's wheels for
CPython 3.11, 3.12 and 3.13 on the chosen platforms, fetched with `pip download
--only-binary=:all: --platform … --python-version …`), install.bat (cmd; no PowerShell
script, no execution-policy change), install.sh, and 安装说明.txt. The installers make a
private virtual environment, install with `pip --no-index --find-links wheels`, and put
`evalcheck` on PATH. This script needs the internet (or a package mirror); the PC that
installs the bundle does not.
"""

# ruff: noqa: E501  (the installers' long command lines are kept whole, as cmd needs them)
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.11", "3.12", "3.13")
PLATFORMS = {
    "windows": ["win_amd64"],
    # manylinux tags old and new: any glibc-based x86_64 Linux from 2014 on
    "linux": ["manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64"],
}

INSTALL_BAT = r"""@echo off
rem evalcheck offline installer for Windows (cmd). It runs no PowerShell script and
rem changes no execution policy. Double-click it, or run it from cmd or PowerShell.
setlocal
set "HERE=%~dp0"
if not defined EVALCHECK_HOME set "EVALCHECK_HOME=%LOCALAPPDATA%\evalcheck"
set "PY="
rem the py launcher, newest Python the wheels are for first; else python on PATH
for %%v in (3.13 3.12 3.11) do if not defined PY py -%%v -c "pass" >nul 2>nul && set "PY=py -%%v"
if not defined PY python -c "pass" >nul 2>nul && set "PY=python"
if not defined PY (
  echo 未找到 Python。请先安装 Python 3.11 或更新版本（安装时勾选 Add python.exe to PATH）。
  goto :fail
)
%PY% -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)"
if errorlevel 1 (
  echo 需要 Python 3.11 或更新版本。
  goto :fail
)
echo 正在安装到 %EVALCHECK_HOME% ...
%PY% -m venv "%EVALCHECK_HOME%\venv"
if errorlevel 1 goto :fail
"%EVALCHECK_HOME%\venv\Scripts\python.exe" -m pip install --quiet --no-index --find-links "%HERE%wheels" --upgrade evalcheck
if errorlevel 1 goto :fail
if not exist "%EVALCHECK_HOME%\bin" mkdir "%EVALCHECK_HOME%\bin"
> "%EVALCHECK_HOME%\bin\evalcheck.cmd" echo @"%EVALCHECK_HOME%\venv\Scripts\evalcheck.exe" %%*
rem Add the bin folder (only it: not the venv's python.exe) to the user's PATH.
rem [Environment]::SetEnvironmentVariable is a .NET call, not a script: no execution policy.
powershell -NoProfile -NonInteractive -Command "$d = $env:EVALCHECK_HOME + '\bin'; $p = [Environment]::GetEnvironmentVariable('Path', 'User'); if (-not $p) { $p = '' }; if (($p -split ';') -notcontains $d) { [Environment]::SetEnvironmentVariable('Path', (($p.TrimEnd(';') + ';' + $d).TrimStart(';')), 'User') }"
if errorlevel 1 (
  echo 未能把 %EVALCHECK_HOME%\bin 加入 PATH，请手动加入（系统属性 - 环境变量）。
)
echo.
echo 安装完成。请打开一个新的命令提示符或 PowerShell 窗口，运行：evalcheck --help
echo 也可以不用 PATH，直接运行："%EVALCHECK_HOME%\bin\evalcheck.cmd" --help
endlocal
exit /b 0
:fail
echo 安装未完成。
endlocal
exit /b 1
"""

INSTALL_SH = r"""#!/bin/sh
# evalcheck offline installer for Linux (and macOS with the right wheels):
#   sh install.sh
# EVALCHECK_HOME (default ~/.local/share/evalcheck) holds the virtual environment;
# EVALCHECK_BIN (default ~/.local/bin) gets the `evalcheck` link; PYTHON picks the interpreter.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
HOME_DIR=${EVALCHECK_HOME:-$HOME/.local/share/evalcheck}
BIN_DIR=${EVALCHECK_BIN:-$HOME/.local/bin}
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "需要 Python 3.11 或更新版本（当前：$("$PY" --version 2>&1)）" >&2
  exit 1
fi
"$PY" -m venv "$HOME_DIR/venv"
"$HOME_DIR/venv/bin/python" -m pip install --quiet --no-index --find-links "$HERE/wheels" \
  --upgrade evalcheck
mkdir -p "$BIN_DIR"
ln -sf "$HOME_DIR/venv/bin/evalcheck" "$BIN_DIR/evalcheck"
echo "安装完成：$BIN_DIR/evalcheck"
case ":$PATH:" in
  *":$BIN_DIR:"*) ;;
  *) echo "请把 $BIN_DIR 加入 PATH，例如：echo 'export PATH=\"$BIN_DIR:\$PATH\"' >> ~/.bashrc" ;;
esac
"""

README = """evalcheck 离线安装包
====================

用于不能上网的内网电脑。需要先安装 Python 3.11、3.12 或 3.13（64 位）。

Windows：双击 install.bat，或在 cmd / PowerShell 中运行 install.bat。
  程序装在 %LOCALAPPDATA%\\evalcheck，并把 %LOCALAPPDATA%\\evalcheck\\bin 加入当前用户的 PATH；
  装好后打开一个新窗口运行 evalcheck --help。不修改 PowerShell 执行策略。

Linux：sh install.sh
  程序装在 ~/.local/share/evalcheck，命令链接在 ~/.local/bin/evalcheck。

wheels 文件夹中是 evalcheck 及其全部依赖（{platforms}；Python {pythons}），
安装时只从这里读取（pip --no-index），不访问网络。
"""


def dependencies() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["project"]["dependencies"])


def target_environment(platform: str, version: str) -> dict[str, str]:
    """PEP 508 marker values of the PCs the bundle is for."""
    common = {
        "python_version": version,
        "python_full_version": f"{version}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }
    if platform == "windows":
        return {**common, "sys_platform": "win32", "platform_system": "Windows",
                "os_name": "nt", "platform_machine": "AMD64"}  # fmt: skip
    return {**common, "sys_platform": "linux", "platform_system": "Linux",
            "os_name": "posix", "platform_machine": "x86_64"}  # fmt: skip


def missing_for(wheels: Path, env: dict[str, str]) -> list[str]:
    """Requirements of the wheels in `wheels` that apply on `env` and have no wheel yet."""
    from email.parser import HeaderParser

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    have = {canonicalize_name(w.name.split("-")[0]) for w in wheels.glob("*.whl")}
    missing: dict[str, str] = {}
    for wheel in wheels.glob("*.whl"):
        with zipfile.ZipFile(wheel) as zf:
            meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            meta = HeaderParser().parsestr(zf.read(meta_name).decode("utf-8"))
        for line in meta.get_all("Requires-Dist") or []:
            req = Requirement(line)
            if req.marker is None or not req.marker.evaluate(env):
                continue
            name = canonicalize_name(req.name)
            if name not in have:
                missing[name] = str(Requirement(f"{req.name}{req.specifier}"))
    return sorted(missing.values())


def run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def build(out: Path, platforms: list[str], pythons: list[str]) -> list[Path]:
    wheels = out / "wheels"
    if out.exists():
        shutil.rmtree(out)
    wheels.mkdir(parents=True)
    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(ROOT)])
    for platform in platforms:
        tags = [arg for tag in PLATFORMS[platform] for arg in ("--platform", tag)]
        for version in pythons:
            wanted = dependencies()
            while wanted:
                run(
                    [*pip, "download", "--quiet", "--only-binary=:all:", *tags,
                     "--python-version", version, "--implementation", "cp",
                     "--dest", str(wheels), *wanted]
                )  # fmt: skip
                # pip evaluates environment markers for this machine, not the target:
                # typer needs colorama on Windows, which a Linux pip never fetches
                wanted = missing_for(wheels, target_environment(platform, version))
    write_installers(out, platforms, pythons)
    return sorted(wheels.iterdir())


def write_installers(out: Path, platforms: list[str], pythons: list[str]) -> None:
    # cmd reads a .bat in the console's code page: GBK on a Chinese Windows, CRLF lines
    (out / "install.bat").write_bytes(INSTALL_BAT.replace("\n", "\r\n").encode("gbk"))
    sh = out / "install.sh"
    sh.write_text(INSTALL_SH, encoding="utf-8", newline="\n")
    sh.chmod(0o755)
    names = {"windows": "Windows x64", "linux": "Linux x86_64"}
    text = README.format(
        platforms="、".join(names[p] for p in platforms), pythons="、".join(pythons)
    )
    # Notepad on every Windows version opens UTF-8 with a BOM correctly
    (out / "安装说明.txt").write_bytes("\ufeff".encode() + text.replace("\n", "\r\n").encode())


def make_zip(out: Path) -> Path:
    target = out.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(out.rglob("*")):
            if path.is_file():
                zf.write(path, Path(out.name) / path.relative_to(out))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "evalcheck-offline")
    parser.add_argument(
        "--platform", choices=["windows", "linux", "all"], default="all", help="default: all"
    )
    parser.add_argument("--python", nargs="+", default=list(PYTHONS), metavar="X.Y")
    parser.add_argument("--zip", action="store_true", help="also write <out>.zip")
    args = parser.parse_args(argv)
    platforms = list(PLATFORMS) if args.platform == "all" else [args.platform]
    wheels = build(args.out, platforms, args.python)
    print(f"{len(wheels)} wheels in {args.out / 'wheels'}")
    if args.zip:
        print(f"zip: {make_zip(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
