"""One exception hierarchy; each error knows its exit code.

The CLI turns any `EvalcheckError` into a one-line Chinese message on stderr and
`exit_code`; nothing else in the project decides exit codes.
"""

from __future__ import annotations

# Exit codes, documented in docs/exit-codes.md (its table is checked by tests/test_exit_codes.py).
EXIT_OK = 0
EXIT_FINDINGS = 1  # the command worked and found something: overdue items (--fail), failed checks
EXIT_USAGE = 2  # Typer/Click: unknown option, missing argument
EXIT_INPUT = 3  # a refused input: bad value, unknown id, unknown section/owner/category
EXIT_DATA = 4  # a file that cannot be used: invalid checklist, corrupted answers, wrong checklist
EXIT_WRITE = 5  # cannot write: lock not obtained, file open elsewhere, disk error
EXIT_MISSING = 6  # an optional component a feature needs is not installed (infra/optional.py)
EXIT_INTERRUPTED = 130  # Ctrl-C (as shells report SIGINT), not Click's 1 = findings
EXIT_HANGUP = 129  # SIGHUP: the terminal or remote session closed (128 + 1, as shells say)
EXIT_TERMINATED = 143  # SIGTERM: shutdown, `kill` (128 + 15)


class Terminated(KeyboardInterrupt):
    """SIGTERM (shutdown, `kill`) or SIGHUP (the terminal or remote session closed), taken
    as Ctrl-C is: what is being written is cleaned up on the way out. Its exit code is the
    shells' 128 + the signal (143, 129)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return EXIT_HANGUP if self.signum == EXIT_HANGUP - 128 else EXIT_TERMINATED


class EvalcheckError(Exception):
    """Base of every error the user may see."""

    exit_code = EXIT_DATA

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InputError(EvalcheckError):
    """Something the user typed was refused; nothing was written."""

    exit_code = EXIT_INPUT


class UsageProblem(EvalcheckError):
    """The command line itself is incomplete or contradictory (a required choice between
    options not made, options that exclude each other): a usage error, as Click's own."""

    exit_code = EXIT_USAGE


class SettingProblem(UsageProblem):
    """An environment variable's value is wrong (EVALCHECK_TODAY=2021/09/16): exit 2, as
    the same value given as an option would be; but the command line itself is right, so
    no usage line is shown with it (the other usage problems have one)."""


class ValueRefused(InputError):
    """An answer value did not fit the indicator's kind."""


class NotFound(InputError):
    """An unknown indicator id, section, owner or category."""


class DataError(EvalcheckError):
    """A checklist, answers file or workbook that cannot be used as it is."""

    exit_code = EXIT_DATA


class ChecklistInvalid(DataError):
    """The checklist YAML failed validation."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message, details=problems)
        self.problems = problems


class AnswersCorrupted(DataError):
    """The answers file cannot be read; it is left untouched."""


class WriteError(EvalcheckError):
    """A file could not be written (lock busy, permission, file open elsewhere)."""

    exit_code = EXIT_WRITE


class MissingComponent(EvalcheckError):
    """An optional part (Word export, .xls/.ods reading) is not installed on this PC."""

    exit_code = EXIT_MISSING


# ---------------------------------------------------------------- OS errors in Chinese

# errno name -> what a user reads; names (not numbers) so one table serves every platform
_ERRNO_TEXT = {
    "ENOENT": "文件或文件夹不存在",
    "EACCES": "没有权限",
    "EPERM": "不允许此操作（没有权限）",
    "EEXIST": "已存在同名的文件或文件夹",
    "ENOTDIR": "路径中有一部分是文件而不是文件夹",
    "EISDIR": "这是一个文件夹，不是文件",
    "ENOSPC": "磁盘已满",
    "EDQUOT": "超出磁盘配额",
    "EROFS": "所在位置是只读的",
    "EBUSY": "文件正被占用",
    "ETXTBSY": "文件正被占用",
    "ENAMETOOLONG": "文件名或路径太长",
    "ELOOP": "符号链接层数过多（可能是循环链接）",
    "EMFILE": "打开的文件过多",
    "ENFILE": "打开的文件过多",
    "EIO": "读写设备出错（磁盘或网络盘可能有问题）",
    "EINVAL": "文件名或参数无效",
    "EXDEV": "不能跨磁盘移动文件",
    "ENOTEMPTY": "文件夹不是空的",
    "ETIMEDOUT": "网络盘连接超时",
    "EHOSTDOWN": "网络盘所在的主机不可用",
    "ESTALE": "网络盘上的文件已失效，请重新打开",
}
# Windows error numbers that errno maps too coarsely (all become EACCES or EINVAL)
_WINERROR_TEXT = {
    32: "文件正被其他程序占用（例如在 Excel 或 WPS 中打开），请关闭后重试",
    33: "文件的一部分被其他程序锁定（例如在 Excel 或 WPS 中打开），请关闭后重试",
    123: "文件名、文件夹名或卷标语法不正确",
    206: "文件名或路径太长",
}


def os_reason(exc: OSError) -> str:
    """Why an OS call failed, in Chinese, from its errno (never the English strerror).

    Every place that reports an OSError goes through here.
    """
    import errno

    winerror = getattr(exc, "winerror", None)
    if winerror in _WINERROR_TEXT:
        return _WINERROR_TEXT[winerror]
    name = errno.errorcode.get(exc.errno or -1, "")
    if name in _ERRNO_TEXT:
        return _ERRNO_TEXT[name]
    return f"系统错误 {name or exc.errno or type(exc).__name__}"
