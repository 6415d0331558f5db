"""Which optional parts are installed: native accelerators and optional file formats.

The core runs on pure-Python wheels only (a 龙芯 PC has no LoongArch wheels for the
native ones). Everything that asks "is X here?" asks this module, and nothing imports an
optional library at start-up: `present` imports it when a command is about to use it
(an installed but broken native wheel, e.g. for the wrong CPU, counts as missing).

- accelerators have a pure fallback: the program works without them, only slower;
- formats have none: the feature stops with `MissingComponent` (exit code 6), whose
  Chinese message names the missing part and how to get it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from evalcheck.errors import MissingComponent


@dataclass(frozen=True)
class Component:
    key: str
    label: str  # what the user reads
    modules: tuple[str, ...]  # all must import
    accelerator: bool  # True: a pure fallback exists
    pip: str  # how to get it with pip (the offline bundle's install.sh does this too)
    distro: str  # the Kylin / UOS / Debian package names


COMPONENTS = {
    c.key: c
    for c in (
        Component(
            "yaml-c",
            "PyYAML C 加载器（libyaml，读取 YAML 约快 4 倍）",
            ("yaml._yaml",),
            True,
            "pip install --force-reinstall pyyaml（本机 CPU 有其 wheel 时自带）",
            "python3-yaml",
        ),
        Component(
            "rapidfuzz",
            "rapidfuzz（名称提示与上年指标对应的文字相似度，C++ 实现）",
            ("rapidfuzz",),
            True,
            'pip install "evalcheck[fast]"',
            "python3-rapidfuzz",
        ),
        Component(
            "calamine",
            "python-calamine（读取 .xls / .ods 表格）",
            ("python_calamine",),
            False,
            'pip install "evalcheck[xls]"',
            "（发行版一般没有此包；也可用 WPS/Excel 把表格另存为 .xlsx）",
        ),
        Component(
            "word",
            "python-docx + lxml（导出 Word 附件 .docx）",
            ("lxml.etree", "docx"),
            False,
            'pip install "evalcheck[word]"',
            "python3-lxml python3-docx",
        ),
    )
}


def present(key: str) -> bool:
    """Whether the component imports here (imports it: call this only before using it)."""
    try:
        for module in COMPONENTS[key].modules:
            importlib.import_module(module)
    except ImportError:
        return False
    return True


def how_to_get(key: str) -> str:
    c = COMPONENTS[key]
    return f"安装方法：{c.pip}；或用系统的软件包 {c.distro}"


def require(key: str, feature: str) -> None:
    """Raise MissingComponent naming what `feature` needs, when it is not installed."""
    if not present(key):
        c = COMPONENTS[key]
        raise MissingComponent(
            f"{feature}需要可选组件 {c.label.split('（')[0]}，本机没有安装（或与本机 CPU 不符）。"
            f"{how_to_get(key)}"
        )


def report() -> list[str]:
    """One line per component, for `evalcheck --version`."""
    lines = []
    for c in COMPONENTS.values():
        if present(c.key):
            lines.append(f"  有    {c.label}")
        else:
            fallback = "，改用纯 Python 实现" if c.accelerator else "，此功能不可用"
            lines.append(f"  没有  {c.label}{fallback}（{c.pip}）")
    return lines
