"""Fonts of the attachment, as Chinese official documents use them.

Each role (the 附件 label, the title, the table's header and body) has a chain of font
names: the first is what the bureau's own documents use, the rest are fallbacks for a
computer that lacks it (方正小标宋简体 and 仿宋_GB2312 are often missing on a fresh
Windows). The chain can be changed in the checklist YAML (`fonts:`). At export time the
first installed font of each chain is written where the installed fonts can be known
(Windows: the registry); elsewhere the first name is written and the program that opens
the file substitutes (a Word file also names the fallback in its font table).
"""

import re
import sys
from collections.abc import Iterable, Mapping
from typing import NamedTuple

ROLES = ("label", "title", "header", "body")
# After the Windows names (which WPS on Kylin/UOS maps too, when the fonts were copied
# over), the names 信创 PCs ship: WPS for Linux brings Founder (方正) fonts under their
# _GBK names, Kylin/UOS/deepin bring Noto CJK (no FangSong cut: 仿宋 falls back to the
# serif Noto) and WenQuanYi (文泉驿). docs/xinchuang.md lists what is verified.
ROLE_NAMES = {"label": "附件标签", "title": "标题", "header": "表头", "body": "正文"}
_SANS = ("方正黑体_GBK", "Noto Sans CJK SC", "文泉驿正黑", "文泉驿微米黑")
DEFAULTS: dict[str, tuple[str, ...]] = {
    "label": ("黑体", *_SANS),
    "title": ("方正小标宋简体", "宋体", "方正小标宋_GBK", "方正书宋_GBK", "Noto Serif CJK SC"),
    "header": ("黑体", *_SANS),
    "body": ("仿宋_GB2312", "仿宋", "方正仿宋_GBK", "Noto Serif CJK SC"),
}
# Windows registers the standard Chinese fonts under English names
ALIASES = {
    "黑体": "SimHei",
    "宋体": "SimSun",
    "新宋体": "NSimSun",
    "仿宋": "FangSong",
    "仿宋_GB2312": "FangSong_GB2312",
    "楷体": "KaiTi",
    "楷体_GB2312": "KaiTi_GB2312",
    "微软雅黑": "Microsoft YaHei",
    # the Founder fonts' family names in English, as fontconfig may list them
    "方正黑体_GBK": "FZHei-B01",
    "方正书宋_GBK": "FZShuSong-Z01",
    "方正仿宋_GBK": "FZFangSong-Z02",
    "方正小标宋_GBK": "FZXiaoBiaoSong-B05",
    "文泉驿正黑": "WenQuanYi Zen Hei",
    "文泉驿微米黑": "WenQuanYi Micro Hei",
}


class Font(NamedTuple):
    name: str  # the font written into the file
    fallback: str | None  # the next in the chain, for programs that can substitute
    size: float  # points


class Fonts(NamedTuple):
    label: Font
    title: Font
    header: Font
    body: Font


def chains(configured: Iterable[tuple[str, tuple[str, ...]]] = ()) -> dict[str, tuple[str, ...]]:
    """The chain of every role: the checklist's `fonts:` over the defaults."""
    out = dict(DEFAULTS)
    out.update(dict(configured))
    return out


def _known(name: str, installed: set[str]) -> bool:
    folded = {n.casefold() for n in installed}
    return name.casefold() in folded or ALIASES.get(name, name).casefold() in folded


def resolve(
    chain_of: Mapping[str, tuple[str, ...]],
    installed: set[str] | None,
    sizes: Mapping[str, float],
) -> Fonts:
    """Pick each role's font: the first of its chain that is installed (the first when
    the installed fonts are unknown or none of the chain is installed)."""
    picked: dict[str, Font] = {}
    for role in ROLES:
        chain = chain_of[role]
        pos = 0
        if installed is not None:
            pos = next((n for n, f in enumerate(chain) if _known(f, installed)), 0)
        rest = chain[pos + 1 :]
        picked[role] = Font(chain[pos], rest[0] if rest else None, sizes[role])
    return Fonts(**picked)


def installed_fonts() -> set[str] | None:
    """Family names of the fonts installed on this computer, where that can be known
    without running another program (Windows registry); None elsewhere."""
    if sys.platform != "win32":
        return None
    import winreg

    names: set[str] = set()
    keys = (
        (winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Fonts"),
        (winreg.HKEY_CURRENT_USER, r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Fonts"),
    )
    for hive, path in keys:
        try:
            with winreg.OpenKey(hive, path) as key:
                n = 0
                while True:
                    try:
                        value = winreg.EnumValue(key, n)[0]
                    except OSError:
                        break
                    names.update(registry_names(str(value)))
                    n += 1
        except OSError:
            continue
    return names or None


def registry_names(value: str) -> list[str]:
    """'SimSun & NSimSun (TrueType)' -> ['SimSun', 'NSimSun']."""
    bare = re.sub(r"\s*\((TrueType|OpenType|All res)\)\s*$", "", value, flags=re.I)
    return [n.strip() for n in bare.split("&") if n.strip()]
