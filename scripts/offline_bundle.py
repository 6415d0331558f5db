#!/usr/bin/env python3
"""Build the offline bundle for intranet PCs without internet access.

    python scripts/offline_bundle.py                       # Windows x64, Linux x86_64 + aarch64
    python scripts/offline_bundle.py --platform linux      # what CI builds (and linux-aarch64)
    python scripts/offline_bundle.py --platform pure       # any CPU (龙芯 LoongArch …)
    python scripts/offline_bundle.py --zip                 # also evalcheck-offline.zip

The bundle folder holds wheels/ (the project's wheel and every dependency's wheels for
CPython 3.11, 3.12 and 3.13 on the chosen platforms, fetched with `pip download
--only-binary=:all: --platform … --python-version …`), install.bat (cmd; no PowerShell
script, no execution-policy change), install.sh, and 安装说明.txt. The installers check the
Python version (and say in Chinese what to do when it is too old), make a private virtual
environment, install `evalcheck[all]` with `pip --no-index --find-links wheels`, and put
`evalcheck` on PATH.

The "pure" bundle is for any CPU (信创 PCs: 龙芯 LoongArch, and ARM64 / x86-64 too): wheels/
holds pure-Python wheels only (PyYAML built from its source without libyaml), enough for
every command but the optional features; native/ holds the optional native wheels for
Linux x86_64 and aarch64. Its install.sh installs the core, then each optional part that
native/ (or the system, with EVALCHECK_SYSTEM_SITE=1) has for this CPU, and says in Chinese
what was left out. This script needs the internet (or a package mirror); the PC that
installs the bundle does not.
"""

# ruff: noqa: E501  (the installers' long command lines are kept whole, as cmd needs them)
from __future__ import annotations

import argparse
import os
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
    # 飞腾 / 鲲鹏 PCs with Kylin or UOS (glibc 2.28 and later)
    "linux-aarch64": ["manylinux2014_aarch64", "manylinux_2_17_aarch64", "manylinux_2_28_aarch64"],
}
NAMES = {
    "windows": "Windows x64",
    "linux": "Linux x86_64",
    "linux-aarch64": "Linux aarch64（ARM64）",
}
MACHINES = {"windows": "AMD64", "linux": "x86_64", "linux-aarch64": "aarch64"}
# The pure bundle's optional native parts: (what the user reads, requirements, what else to do)
NATIVE_PARTS = (
    ("PyYAML C 加载器（读取 YAML 更快）", ["pyyaml"], "系统软件包 python3-yaml"),
    (
        "rapidfuzz（名称提示和上年对应更快）",
        ["rapidfuzz"],
        "系统软件包 python3-rapidfuzz；没有也能用，只是慢一些",
    ),
    (
        "读取 .xls/.ods 表格（python-calamine）",
        ["python-calamine"],
        "用 WPS 把表格另存为 .xlsx 再导入",
    ),
    (
        "导出 Word（python-docx + lxml）",
        ["lxml", "python-docx"],
        "系统软件包 python3-lxml，或导出 .xlsx 后用 WPS 转存",
    ),
)
PURE_NATIVE = ("linux", "linux-aarch64")  # the CPUs native/ of the pure bundle has wheels for

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
  echo 需要 Python 3.11 或更新版本，本机的 Python 是：
  %PY% --version
  echo 请从 https://www.python.org/downloads/windows/ 下载 Python 3.11 或更新版本的 64 位安装程序
  echo （内网电脑请信息化部门拷贝过来），安装时勾选 Add python.exe to PATH，再运行本文件。
  echo Windows 7 上最高只能装 Python 3.8，无法运行本程序，请换用 Windows 10 或更新的电脑。
  goto :fail
)
echo 正在安装到 %EVALCHECK_HOME% ...
%PY% -m venv "%EVALCHECK_HOME%\venv"
if errorlevel 1 goto :fail
"%EVALCHECK_HOME%\venv\Scripts\python.exe" -m pip install --quiet --no-index --find-links "%HERE%wheels" --upgrade "evalcheck[all]"
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

# The start of both install.sh: a Python of 3.11 or later (in Chinese what to do when
# there is none), its venv module, the virtual environment.
SH_HEAD = r"""#!/bin/sh
# evalcheck offline installer for Linux:
#   sh install.sh
# EVALCHECK_HOME (default ~/.local/share/evalcheck) holds the virtual environment;
# EVALCHECK_BIN (default ~/.local/bin) gets the `evalcheck` link; PYTHON picks the interpreter
# (default: the newest of python3.13, python3.12, python3.11, python3 that is 3.11 or later);
# EVALCHECK_SYSTEM_SITE=1 lets the environment see the system's packages (python3-lxml …).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
HOME_DIR=${EVALCHECK_HOME:-$HOME/.local/share/evalcheck}
BIN_DIR=${EVALCHECK_BIN:-$HOME/.local/bin}
NEW_ENOUGH='import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "$NEW_ENOUGH" 2>/dev/null; then
      PY=$candidate
      break
    fi
  done
  PY=${PY:-python3}
fi
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "没有找到 Python（$PY）。本程序需要 Python 3.11 或更新版本。" >&2
  TOO_OLD=1
elif ! "$PY" -c "$NEW_ENOUGH"; then
  echo "本程序需要 Python 3.11 或更新版本，本机的 $PY 是 $("$PY" --version 2>&1)。" >&2
  TOO_OLD=1
else
  TOO_OLD=0
fi
if [ "$TOO_OLD" = 1 ]; then
  echo "办法（麒麟、统信 UOS 等信创电脑详见说明文档 docs/xinchuang.md）：" >&2
  echo "  1. 在软件商店里，或用 apt search python3.11 / python3.12 查找系统提供的新版 Python，装好后重新运行本文件；" >&2
  echo "  2. 请信息化部门提供 Python 3.11 或更新版本（例如在同型号电脑上用 python.org 的源码编译，装到 /opt/python3.11），" >&2
  echo "     然后运行：PYTHON=/opt/python3.11/bin/python3.11 sh install.sh" >&2
  exit 1
fi
if ! "$PY" -m venv --help >/dev/null 2>&1; then
  echo "$PY 缺少 venv 模块：请安装系统软件包 python3-venv（或 python3.11-venv），再运行本文件。" >&2
  exit 1
fi
VENV_OPTS=""
if [ "${EVALCHECK_SYSTEM_SITE:-0}" = 1 ]; then VENV_OPTS="--system-site-packages"; fi
"$PY" -m venv $VENV_OPTS "$HOME_DIR/venv"
VPY="$HOME_DIR/venv/bin/python"
"""

SH_TAIL = r"""mkdir -p "$BIN_DIR"
ln -sf "$HOME_DIR/venv/bin/evalcheck" "$BIN_DIR/evalcheck"
echo "安装完成：$BIN_DIR/evalcheck"
case ":$PATH:" in
  *":$BIN_DIR:"*) ;;
  *) echo "请把 $BIN_DIR 加入 PATH，例如：echo 'export PATH=\"$BIN_DIR:\$PATH\"' >> ~/.bashrc" ;;
esac
"""

INSTALL_SH = (
    SH_HEAD
    + r"""if ! "$VPY" -m pip install --quiet --no-index --find-links "$HERE/wheels" --upgrade "evalcheck[all]"; then
  echo "安装失败：wheels 中没有适合本机（$(uname -m)，$("$VPY" --version 2>&1)）的安装包。" >&2
  echo "龙芯等其他 CPU 请用“纯 Python”安装包（offline_bundle.py --platform pure）。" >&2
  exit 1
fi
"""
    + SH_TAIL
)

# The pure bundle: the core from wheels/ (pure Python), then each native part it can get
INSTALL_PURE_SH = (
    SH_HEAD
    + r"""if ! "$VPY" -m pip install --quiet --no-index --find-links "$HERE/wheels" --upgrade evalcheck; then
  echo "安装失败（核心部分只用纯 Python 的安装包；请把上面 pip 的信息发给信息化部门）。" >&2
  exit 1
fi
LEFT_OUT=""
optional() {  # optional "what the user reads" "what else to do" requirement...
  what=$1; other=$2; shift 2
  if "$VPY" -m pip install --quiet --no-index --only-binary=:all: --find-links "$HERE/native" \
      --find-links "$HERE/wheels" "$@" >/dev/null 2>&1; then
    echo "已安装可选组件：$what"
  else
    LEFT_OUT="$LEFT_OUT
  - $what（可改用：$other）"
  fi
}
# PyYAML's wheel for this CPU (with libyaml) replaces the pure one, when native/ has it
if "$VPY" -m pip install --quiet --no-index --only-binary=:all: --no-deps --force-reinstall \
    --find-links "$HERE/native" pyyaml >/dev/null 2>&1 \
    && "$VPY" -c 'import yaml; yaml.CSafeLoader' >/dev/null 2>&1; then
  echo "已安装可选组件：@YAML@"
else
  "$VPY" -m pip install --quiet --no-index --no-deps --force-reinstall --find-links "$HERE/wheels" pyyaml
  LEFT_OUT="$LEFT_OUT
  - @YAML@（可改用：@YAML_OTHER@）"
fi
@OPTIONAL@
if [ -n "$LEFT_OUT" ]; then
  echo "本机（$(uname -m)，$("$VPY" --version 2>&1)）没有以下可选组件的安装包，已略过：$LEFT_OUT"
  echo "除导出 Word 和读取 .xls/.ods 外，所有命令都能使用（缺少加速组件时只是慢一些）。"
  echo "装好系统软件包后，可以用 EVALCHECK_SYSTEM_SITE=1 sh install.sh 重新安装，让 evalcheck 用上它们。"
fi
"""
    + SH_TAIL
    + r""""$HOME_DIR/venv/bin/evalcheck" --version
"""
)

README = """evalcheck 离线安装包
====================

用于不能上网的内网电脑。需要先安装 Python 3.11、3.12 或 3.13（64 位）。
麒麟、统信 UOS 等信创电脑见说明文档 docs/xinchuang.md；龙芯等其他 CPU 用“纯 Python”安装包。

Windows：双击 install.bat，或在 cmd / PowerShell 中运行 install.bat。
  程序装在 %LOCALAPPDATA%\\evalcheck，并把 %LOCALAPPDATA%\\evalcheck\\bin 加入当前用户的 PATH；
  装好后打开一个新窗口运行 evalcheck --help。不修改 PowerShell 执行策略。

Linux：sh install.sh
  程序装在 ~/.local/share/evalcheck，命令链接在 ~/.local/bin/evalcheck。

wheels 文件夹中是 evalcheck 及其全部依赖（{platforms}；Python {pythons}），
安装时只从这里读取（pip --no-index），不访问网络。
"""

README_PURE = """evalcheck 离线安装包（纯 Python，任何 CPU）
==========================================

用于不能上网的内网电脑，包括龙芯（LoongArch）、飞腾/鲲鹏（ARM64）、兆芯/海光（x86-64）上的
麒麟、统信 UOS 等 Linux。需要先有 Python 3.11 或更新版本（见说明文档 docs/xinchuang.md）。

安装：sh install.sh
  程序装在 ~/.local/share/evalcheck，命令链接在 ~/.local/bin/evalcheck。

wheels 文件夹中只有纯 Python 的安装包：除导出 Word 和读取 .xls/.ods 外，所有命令都能用。
native 文件夹中是可选的本机组件（{platforms}；Python {pythons}）：C 加速、Word 导出、.xls/.ods 读取。
install.sh 先装核心部分，再逐个安装本机 CPU 能用的可选组件，并说明哪些没有装上；
装完后运行 evalcheck --version 可以看到有哪些可选组件。安装时不访问网络。
"""


def dependencies(extra: str | None = None) -> list[str]:
    """The core requirements, and those of the optional `extra` (e.g. "all") when given."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    return [*project["dependencies"], *(project["optional-dependencies"][extra] if extra else [])]


def target_environment(platform: str, version: str) -> dict[str, str]:
    """PEP 508 marker values of the PCs the bundle is for (a Linux CPU by its machine name)."""
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
            "os_name": "posix", "platform_machine": MACHINES.get(platform, platform)}  # fmt: skip


def missing_for(wheels: Path, env: dict[str, str], ignore: tuple[str, ...] = ()) -> list[str]:
    """Requirements of the wheels in `wheels` that apply on `env` and have no wheel yet
    (except those named in `ignore`)."""
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
            if name not in have and name not in ignore:
                missing[name] = str(Requirement(f"{req.name}{req.specifier}"))
    return sorted(missing.values())


def requires(wheel: Path, env: dict[str, str]) -> list[str]:
    """The requirements of a wheel that apply on `env` (names only, canonical)."""
    from email.parser import HeaderParser

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = HeaderParser().parsestr(zf.read(meta_name).decode("utf-8"))
    reqs = [Requirement(line) for line in meta.get_all("Requires-Dist") or []]
    return [canonicalize_name(r.name) for r in reqs if r.marker is None or r.marker.evaluate(env)]


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=env)


PIP = [sys.executable, "-m", "pip"]


def download(
    dest: Path, tags: list[str], version: str, wanted: list[str], env: dict[str, str],
    pure: bool = False,
) -> None:  # fmt: skip
    """Fetch `wanted` and, round after round, what their wheels need on `env`."""
    kind = ["--implementation", "py", "--abi", "none"] if pure else ["--implementation", "cp"]
    platform_args = [arg for tag in tags for arg in ("--platform", tag)]
    while wanted:
        run(
            [*PIP, "download", "--quiet", "--only-binary=:all:", *platform_args,
             "--python-version", version, *kind, "--dest", str(dest), *wanted]
        )  # fmt: skip
        # pip evaluates environment markers for this machine, not the target:
        # typer needs colorama on Windows, which a Linux pip never fetches.
        # python-docx's lxml is native: the pure bundle keeps it in native/
        wanted = missing_for(dest, env, ignore=("lxml",) if pure else ())


def build(out: Path, platforms: list[str], pythons: list[str]) -> list[Path]:
    wheels = out / "wheels"
    if out.exists():
        shutil.rmtree(out)
    wheels.mkdir(parents=True)
    run([*PIP, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(ROOT)])
    if platforms == ["pure"]:
        return build_pure(out, pythons)
    for platform in platforms:
        for version in pythons:
            env = target_environment(platform, version)
            download(wheels, PLATFORMS[platform], version, dependencies("all"), env)
    write_installers(out, platforms, pythons)
    return sorted(wheels.iterdir())


def build_pure(out: Path, pythons: list[str]) -> list[Path]:
    """wheels/: pure Python only; native/: the optional native wheels for Linux."""
    wheels, native = out / "wheels", out / "native"
    # PyYAML has no pure wheel on PyPI: one is built from its source with libyaml left out
    # (its setup.py reads PYYAML_FORCE_LIBYAML); the result is py3-none-any
    pyyaml = next(d for d in dependencies() if d.lower().startswith("pyyaml"))
    run(
        [*PIP, "wheel", "--quiet", "--no-deps", "--no-binary", "pyyaml",
         "--wheel-dir", str(wheels), pyyaml],
        env={**os.environ, "PYYAML_FORCE_LIBYAML": "0"},
    )  # fmt: skip
    core = [d for d in dependencies() if d != pyyaml]
    docx = [d for d in dependencies("word") if d.startswith("python-docx")]
    for version in pythons:
        env = target_environment("loongarch64", version)  # a CPU with no native wheels
        download(wheels, ["any"], version, core, env, pure=True)
        # python-docx is pure, but pip cannot resolve its lxml here: fetched alone, then
        # whatever else it needs
        run([*PIP, "download", "--quiet", "--no-deps", "--only-binary=:all:", "--platform",
             "any", "--python-version", version, "--implementation", "py", "--abi", "none",
             "--dest", str(wheels), *docx])  # fmt: skip
        needs = [r for r in requires(next(wheels.glob("python_docx-*.whl")), env) if r != "lxml"]
        download(wheels, ["any"], version, needs, env, pure=True)
    native.mkdir()
    wanted = [r for _, names, _ in NATIVE_PARTS for r in names if r != "python-docx"]
    for platform in PURE_NATIVE:
        for version in pythons:
            env = target_environment(platform, version)
            download(native, PLATFORMS[platform], version, wanted, env)
    for wheel in wheels.glob("*.whl"):  # a native wheel here would defeat the point
        if not wheel.name.endswith("-none-any.whl"):
            raise SystemExit(f"not a pure-Python wheel: {wheel.name}")
    write_pure_installers(out, pythons)
    return sorted([*wheels.iterdir(), *native.iterdir()])


def write_pure_installers(out: Path, pythons: list[str]) -> None:
    (yaml_what, _, yaml_other), *others = NATIVE_PARTS
    lines = [f'optional "{what}" "{other}" {" ".join(names)}' for what, names, other in others]
    script = (
        INSTALL_PURE_SH.replace("@OPTIONAL@", "\n".join(lines))
        .replace("@YAML_OTHER@", yaml_other)
        .replace("@YAML@", yaml_what)
    )
    sh = out / "install.sh"
    sh.write_text(script, encoding="utf-8", newline="\n")
    sh.chmod(0o755)
    text = README_PURE.format(
        platforms="、".join(NAMES[p] for p in PURE_NATIVE), pythons="、".join(pythons)
    )
    (out / "安装说明.txt").write_bytes("\ufeff".encode() + text.replace("\n", "\r\n").encode())
    copy_docs(out)


# the pages the installers and 安装说明.txt point to, for a PC with no network to read them on
BUNDLED_DOCS = ("xinchuang.md", "windows-intranet.md")


def copy_docs(out: Path) -> None:
    (out / "docs").mkdir(exist_ok=True)
    for name in BUNDLED_DOCS:
        shutil.copyfile(ROOT / "docs" / name, out / "docs" / name)


def write_installers(out: Path, platforms: list[str], pythons: list[str]) -> None:
    # cmd reads a .bat in the console's code page: GBK on a Chinese Windows, CRLF lines
    (out / "install.bat").write_bytes(INSTALL_BAT.replace("\n", "\r\n").encode("gbk"))
    sh = out / "install.sh"
    sh.write_text(INSTALL_SH, encoding="utf-8", newline="\n")
    sh.chmod(0o755)
    text = README.format(
        platforms="、".join(NAMES[p] for p in platforms), pythons="、".join(pythons)
    )
    # Notepad on every Windows version opens UTF-8 with a BOM correctly
    (out / "安装说明.txt").write_bytes("\ufeff".encode() + text.replace("\n", "\r\n").encode())
    copy_docs(out)


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
        "--platform",
        nargs="+",
        choices=[*PLATFORMS, "pure", "all"],
        default=["all"],
        help="default: all (Windows x64, Linux x86_64 and aarch64; pure is a bundle of its own)",
    )
    parser.add_argument("--python", nargs="+", default=list(PYTHONS), metavar="X.Y")
    parser.add_argument("--zip", action="store_true", help="also write <out>.zip")
    args = parser.parse_args(argv)
    platforms = list(PLATFORMS) if "all" in args.platform else list(dict.fromkeys(args.platform))
    if "pure" in platforms and len(platforms) > 1:
        parser.error("--platform pure builds a bundle of its own: give it alone")
    wheels = build(args.out, platforms, args.python)
    print(f"{len(wheels)} wheels in {args.out}")
    if args.zip:
        print(f"zip: {make_zip(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
