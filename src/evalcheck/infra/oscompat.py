"""The console and the desktop the output lands on: Windows code pages, the classic
console's double-width box characters, the clipboard, closed pipes.

The OS facts each decision needs (platform, environment, code page) can be passed in,
so the tests can simulate a Chinese Windows on any machine.
"""

import errno
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

ENV_ASCII = "EVALCHECK_ASCII"  # 1: ASCII borders and bars; 0: box characters


def is_windows(platform: str | None = None) -> bool:
    return (sys.platform if platform is None else platform) == "win32"


def codepage_encoding(cp: int) -> str:
    """Python's codec for a Windows code page; 936 (GBK) becomes its superset GB18030,
    so that every character can be written."""
    if cp in (936, 54936):
        return "gb18030"
    if cp == 65001:
        return "utf-8"
    return f"cp{cp}"


def console_codepage() -> int:  # pragma: no cover - Windows only
    """The console's output code page (chcp), else the ANSI code page."""
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    return int(kernel32.GetConsoleOutputCP() or kernel32.GetACP())


def stream_encoding(
    stream: Any,
    *,
    platform: str | None = None,
    env: Mapping[str, str] | None = None,
    codepage: Callable[[], int] | None = None,
) -> str | None:
    """The encoding `stream` should be switched to, or None to leave it as it is.

    - The user chose (PYTHONIOENCODING, PYTHONUTF8=1 or python -X utf8): leave it.
    - Windows, a console window: Python writes Unicode to it already: leave it.
    - Windows, redirected or piped (`> out.txt`, `| more`, `| clip`, PowerShell's `>`):
      the console's code page, as `type`, `more`, `findstr` and PowerShell 5.1 read it
      (GB18030 for 936 on a Chinese Windows).
    - Elsewhere: UTF-8.
    """
    env = os.environ if env is None else env
    if _user_chose(env):
        return None
    current = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    if is_windows(platform):
        isatty = getattr(stream, "isatty", None)
        if isatty is not None and isatty():
            return None
        wanted = codepage_encoding((codepage or console_codepage)())
    else:
        wanted = "utf-8"
    return None if current == wanted else wanted


def configure_streams(
    streams: tuple[Any, ...] | None = None,
    *,
    platform: str | None = None,
    env: Mapping[str, str] | None = None,
    codepage: Callable[[], int] | None = None,
) -> None:
    """Switch stdout and stderr to the encoding their reader expects (see stream_encoding)."""
    for stream in streams if streams is not None else (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None or _user_chose(os.environ if env is None else env):
            continue
        wanted = stream_encoding(stream, platform=platform, env=env, codepage=codepage)
        encoding = wanted or getattr(stream, "encoding", None) or "utf-8"
        utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
        # backslashreplace: a file name with bytes that are not UTF-8 can still be shown;
        # a code page that lacks a character shows "?" rather than stopping the output
        reconfigure(encoding=encoding, errors="backslashreplace" if utf8 else "replace")


def _user_chose(env: Mapping[str, str]) -> bool:
    return bool(env.get("PYTHONIOENCODING") or env.get("PYTHONUTF8") == "1" or sys.flags.utf8_mode)


def ascii_only(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Draw borders and bars in ASCII: the classic Windows console (conhost) with its CJK
    font draws box characters double-width and scrambles tables. Windows Terminal
    (WT_SESSION), VS Code, ConEmu and mintty/Git Bash (TERM) draw them right.
    EVALCHECK_ASCII=1/0 decides instead.
    """
    env = os.environ if env is None else env
    forced = env.get(ENV_ASCII, "").strip().lower()
    if forced in ("1", "true", "yes", "on"):
        return True
    if forced in ("0", "false", "no", "off"):
        return False
    if not is_windows(platform):
        return False
    modern = ("WT_SESSION", "TERM_PROGRAM", "TERM", "ConEmuANSI", "ALACRITTY_LOG")
    return not any(env.get(var) for var in modern)


def is_closed_pipe(exc: BaseException, platform: str | None = None) -> bool:
    """The reader went away (`| more` quit, `| head`): EPIPE, or EINVAL on Windows."""
    if isinstance(exc, BrokenPipeError):
        return True
    return isinstance(exc, OSError) and exc.errno == errno.EINVAL and is_windows(platform)


class Clipboard(NamedTuple):
    argv: list[str]
    encoding: str
    bom: bool = False


def clipboard_command(
    *,
    platform: str | None = None,
    env: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> Clipboard | None:
    """The program that puts text on the clipboard here, or None.

    Windows: clip.exe, fed UTF-16 with a BOM (else it reads the ANSI code page);
    macOS: pbcopy; Linux: wl-copy (Wayland), xclip or xsel (X11).
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if is_windows(platform):
        found = which("clip.exe") or which("clip")
        return Clipboard([found], "utf-16-le", bom=True) if found else None
    if platform == "darwin":
        found = which("pbcopy")
        return Clipboard([found], "utf-8") if found else None
    candidates: list[tuple[str, list[str]]] = []
    if env.get("WAYLAND_DISPLAY"):
        candidates.append(("wl-copy", ["--type", "text/plain;charset=utf-8"]))
    if env.get("DISPLAY"):
        candidates.append(("xclip", ["-selection", "clipboard", "-in"]))
        candidates.append(("xsel", ["--clipboard", "--input"]))
    for name, args in candidates:
        found = which(name)
        if found:
            return Clipboard([found, *args], "utf-8")
    return None


def copy_to_clipboard(text: str, clipboard: Clipboard) -> str | None:
    """Put `text` on the clipboard; None when done, else why not (in Chinese)."""
    import subprocess

    data = text.encode(clipboard.encoding)
    if clipboard.bom:
        data = "\ufeff".encode(clipboard.encoding) + data
    env = {**os.environ, "LC_CTYPE": "UTF-8"} if clipboard.encoding == "utf-8" else None
    try:
        # no pipes for its output: xclip and wl-copy leave a child serving the selection,
        # which would hold a pipe open and make us wait for it
        proc = subprocess.run(
            clipboard.argv,
            input=data,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=10,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"{clipboard.argv[0]} 未能运行：10 秒内没有结束"
    except OSError as exc:
        from evalcheck.errors import os_reason

        return f"{clipboard.argv[0]} 未能运行：{os_reason(exc)}"
    if proc.returncode != 0:
        return f"{clipboard.argv[0]} 出错（退出码 {proc.returncode}）"
    return None
