"""File names that stay distinct and openable on Windows.

Windows compares names without case, refuses \\ / : * ? " < > | and control characters,
drops trailing dots and spaces and reserves CON, PRN, AUX, NUL, COM1… and LPT1…; people
also mix full-width and half-width forms (Ａ/Ｂ科 and A/B科). Two sections whose names
differ only in those ways must still get two files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

MAX_PATH = 260  # Windows' classic limit, including the final NUL: 259 characters usable
EXCEL_MAX_PATH = 218  # Excel refuses to open a workbook whose full path is longer

_REFUSED = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')
_RESERVED = (
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"{d}{n}" for d in ("com", "lpt") for n in [*range(10), "¹", "²", "³"]}
)  # fmt: skip


def safe_name(name: str) -> str:
    """`name` with what Windows refuses replaced by "_" and invisible characters left out
    (case and width kept as given)."""
    safe = _REFUSED.sub("_", visible(name)).rstrip(" .") or "_"
    if safe.split(".")[0].casefold() in _RESERVED:
        safe = "_" + safe
    return safe


def folder_name_problem(name: str) -> str | None:
    """Why `name` cannot be a folder's name as it is on Windows (and so everywhere the
    folder may be copied), or None: a refused or control character, a trailing dot or
    space (Windows drops them: "名称." is the folder "名称"), a device name (CON, aux)."""
    if re.search(r'[\\/:*?"<>|\x00-\x1f\x7f]', name):
        return '含有 \\ / : * ? " < > | 或控制字符'
    if name != name.rstrip(" ."):
        return "以点或空格结尾（Windows 会去掉它们）"
    if name.split(".")[0].strip().casefold() in _RESERVED:
        return "是 Windows 保留的设备名（CON、PRN、AUX、NUL、COM1、LPT1 等）"
    return None


# characters that change how a name shows without showing themselves: bidirectional
# controls (U+202E makes 'fdp.exe' read as 'exe.pdf'), zero-width ones, the BOM
INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                      "\u2066\u2067\u2068\u2069\u2060\ufeff")  # fmt: skip


def visible(text: str) -> str:
    """`text` without the INVISIBLE characters."""
    return "".join(ch for ch in text if ch not in INVISIBLE)


def name_key(name: str) -> str:
    """What Windows (and a person) would take for the same name: width, case, refused
    and invisible characters folded."""
    return safe_name(unicodedata.normalize("NFKC", visible(name))).casefold()


def unique_names(names: Iterable[str]) -> list[str]:
    """Safe names, in order, made distinct after folding by a suffix _2, _3, … ."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = safe_name(name)
        candidate, n = base, 1
        while name_key(candidate) in seen:
            n += 1
            candidate = f"{base}_{n}"
        seen.add(name_key(candidate))
        out.append(candidate)
    return out


def long_path_warnings(path: Path) -> list[str]:
    """Chinese warnings when `path`'s full path passes the Windows or Excel limit."""
    full = str(path.absolute())
    n = len(full)
    out = []
    if n >= MAX_PATH:
        out.append(
            f"路径长 {n} 个字符，超过 Windows 的 {MAX_PATH - 1} 字符限制，"
            f"在很多电脑上会打不开或报“找不到路径”：{full}；请换一个浅一些的文件夹"
        )
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") and n > EXCEL_MAX_PATH:
        out.append(
            f"路径长 {n} 个字符，Excel 无法打开完整路径超过 {EXCEL_MAX_PATH} 个字符的工作簿："
            f"{full}；请换一个浅一些的文件夹或更短的文件名"
        )
    return out
