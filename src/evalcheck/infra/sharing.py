"""Where a shared file lives, and who else has it: network shares, sync folders,
sync clients' conflict copies, and the `~$` owner files of Excel and WPS.

Pure functions over paths (the OS facts they need can be passed in, so tests can
simulate Windows and other machines).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePath

# Folder names the sync clients create, matched case-insensitively against each part of
# the absolute path. Values are the names users know.
SYNC_FOLDERS: dict[str, str] = {
    "onedrive": "OneDrive",
    "企业微信微盘": "企业微信微盘",
    "微盘": "企业微信微盘",
    "wedrive": "企业微信微盘",
    "我的坚果云": "坚果云",
    "坚果云": "坚果云",
    "nutstore": "坚果云",
    "nutstore files": "坚果云",
    "百度网盘同步空间": "百度网盘同步空间",
    "baidusyncdisk": "百度网盘同步空间",
    "baidunetdiskworkspace": "百度网盘同步空间",
    "wps云盘": "WPS云盘",
    "wpsdrive": "WPS云盘",
    "wps cloud files": "WPS云盘",
    "微云同步盘": "腾讯微云",
    "阿里云盘": "阿里云盘",
    "dropbox": "Dropbox",
    "google drive": "Google Drive",
    "icloud drive": "iCloud",
    "iclouddrive": "iCloud",
    "synologydrive": "Synology Drive",
    "nextcloud": "Nextcloud",
    "owncloud": "ownCloud",
    "seafile": "Seafile",
}
# OneDrive for Business: "OneDrive - 某某单位"
_ONEDRIVE_BUSINESS = r"^onedrive\s*-\s*.+$"  # patterns compiled on first use (re caches them)
_ONEDRIVE_ENV = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")

NETWORK_FS = {"cifs", "smb3", "smbfs", "nfs", "nfs4", "9p", "afs", "davfs", "fuse.sshfs"}
DRIVE_REMOTE = 4  # GetDriveTypeW


def sync_client(path: Path, env: Mapping[str, str] | None = None) -> str | None:
    """The sync client whose folder holds `path` (OneDrive, 坚果云, …), or None."""
    env = os.environ if env is None else env
    full = _absolute(path)
    for var in _ONEDRIVE_ENV:
        root = env.get(var)
        if root and _is_under(full, root):
            return "OneDrive"
    for part in PurePath(full).parts[:-1]:
        key = part.strip().casefold()
        if key in SYNC_FOLDERS:
            return SYNC_FOLDERS[key]
        if key.startswith("onedrive") and re.match(_ONEDRIVE_BUSINESS, key, re.IGNORECASE):
            return "OneDrive"
    return None


_CONFLICT_WORDS = r"conflict|冲突|副本|copy|\(\d+\)|（\d+）|-(desktop|laptop|pc|win)[-\w]*$"


def conflict_copies(path: Path, names: Iterable[str] | None = None) -> list[str]:
    """Names next to `path` that look like a sync client's conflict copy of it.

    OneDrive: answers-DESKTOP-1AB2C3.yaml; Dropbox: answers (张三's conflicted copy …).yaml;
    坚果云/百度/WPS: answers(冲突…).yaml, answers (1).yaml, answers_副本.yaml.
    """
    folder = path.parent
    if names is None:
        try:
            names = [p.name for p in folder.iterdir()]
        except OSError:
            return []
    stem, suffix = path.stem.casefold(), path.suffix.casefold()
    found = []
    for name in names:
        low = name.casefold()
        if low == path.name.casefold() or not low.endswith(suffix) or low.startswith("."):
            continue
        rest = low[: len(low) - len(suffix)] if suffix else low
        if rest.startswith(stem) and re.search(_CONFLICT_WORDS, rest[len(stem) :], re.IGNORECASE):
            found.append(name)
    return sorted(found)


ENV_SYNC_OK = "EVALCHECK_SYNC_OK"  # 1: the team knows the answers file is in a sync folder


def sharing_warnings(path: Path, *, writing: bool) -> list[str]:
    """Chinese warnings about where the answers file lives (see the module docstring)."""
    out: list[str] = []
    copies = conflict_copies(path)
    if copies:
        out.append(
            f"答案文件旁有同步程序生成的冲突副本：{'、'.join(copies)}；其中的答案不会被读取，"
            f"请核对后把需要的答案补录到 {path.name}，再删除副本"
        )
    client = sync_client(path)
    if client and os.environ.get(ENV_SYNC_OK) != "1":
        out.append(
            f"答案文件 {path} 位于 {client} 同步文件夹中：每台电脑只锁住自己的副本，两人同时填报时"
            f"同步程序会生成冲突副本或以后写入者为准，答案可能丢失。请改放到网络共享文件夹"
            f"（如 \\\\服务器\\共享 或映射的网络盘），或只由一人填报"
            + f"（确认无误可设置 {ENV_SYNC_OK}=1 不再提示）"
        )
    if writing:
        from evalcheck.infra.winnames import long_path_warnings

        out.extend(long_path_warnings(path))
    return out


def is_network_path(
    path: Path,
    *,
    platform: str | None = None,
    drive_type: Callable[[str], int] | None = None,
    mounts: str | None = None,
) -> bool:
    """A UNC path, a mapped network drive (Windows) or a network mount (elsewhere)."""
    platform = sys.platform if platform is None else platform
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    full = text if re.match(r"^[A-Za-z]:[\\/]", text) else _absolute(path)
    if platform == "win32":
        if full.startswith(("\\\\", "//")):
            return True
        drive = full[:2]
        if len(drive) == 2 and drive[1] == ":":
            get = drive_type or _drive_type
            return get(drive + "\\") == DRIVE_REMOTE
        return False
    if mounts is None:
        try:
            with open("/proc/mounts", encoding="utf-8", errors="replace") as f:
                mounts = f.read()
        except OSError:
            return False
    best, best_fs = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if _is_under(full, point) and len(point) > len(best):
            best, best_fs = point, fields[2]
    return best_fs in NETWORK_FS


def _drive_type(root: str) -> int:  # pragma: no cover - Windows only
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def owner_of_open_file(path: Path) -> str | None:
    """Who has `path` open in Excel/WPS, from their `~$` owner file beside it.

    None: no owner file; "": an owner file whose user name cannot be read.
    """
    name = path.name
    candidates = [f"~${name}"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")  # Word-style owner files drop two characters
    for candidate in candidates:
        owner = path.parent / candidate
        try:
            data = owner.read_bytes()[:1024]
        except OSError:
            continue
        return parse_owner_file(data)
    return None


def parse_owner_file(data: bytes) -> str:
    """The user name in an Office owner file (`~$…`): a length byte and the name in the
    ANSI code page, then (from byte 54) a 16-bit length and the name in UTF-16.
    """
    if len(data) >= 56:
        n = int.from_bytes(data[54:56], "little")
        raw = data[56 : 56 + 2 * n]
        if n > 0 and len(raw) == 2 * n:
            try:
                name = raw.decode("utf-16-le").strip("\x00 ")
            except UnicodeDecodeError:
                name = ""
            if name.isprintable() and name:
                return name
    if data:
        n = data[0]
        raw = data[1 : 1 + n]
        for enc in ("utf-8", "gb18030"):
            try:
                name = raw.decode(enc).strip("\x00 ")
            except UnicodeDecodeError:
                continue
            if name.isprintable():
                return name
    return ""


def _absolute(path: Path) -> str:
    try:
        return str(path.absolute())
    except OSError:
        return str(path)


def _is_under(full: str, root: str) -> bool:
    a = full.replace("\\", "/").rstrip("/").casefold()
    b = root.replace("\\", "/").rstrip("/").casefold()
    return a == b or a.startswith(b + "/") or b == ""
