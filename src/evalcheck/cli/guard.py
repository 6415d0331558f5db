"""The process edge: arguments that are not text, stdout closed, full or cut off.

Called from main() only (tests drive the app through CliRunner, which has its own
streams), so that nothing a user does to the process's streams or arguments ends in a
Python traceback.
"""

import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from evalcheck.errors import EXIT_INPUT, EXIT_WRITE, os_reason


def refuse_undecodable(args: Sequence[str]) -> None:
    """Arguments (and the path variables) must be text: bytes that are not UTF-8 arrive
    as lone surrogates, which could be neither written to YAML nor shown."""
    named = [("参数", a) for a in args] + [
        (f"环境变量 {k}", v) for k, v in os.environ.items() if k.startswith("EVALCHECK_")
    ]
    for what, text in named:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(text).decode("utf-8", "backslashreplace")
            sys.stderr.write(
                f"错误：{what}“{shown}”含有不是 UTF-8 编码的字节，无法识别。"
                "请用 UTF-8 编码的文字（含文件名）重试\n"
            )
            sys.exit(EXIT_INPUT)


def run_guarded(run: Callable[[], int]) -> int:
    """Run the CLI; a closed stdout discards output, a full or cut-off one ends cleanly."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): output goes nowhere
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    try:
        code = run()
        sys.stdout.flush()
        return code
    except OSError as exc:
        _silence_stdout()
        from evalcheck.infra.oscompat import is_closed_pipe

        # `evalcheck list | head`, or quitting `| more`: the reader has all it wanted
        # (EPIPE; on Windows a closed pipe is EINVAL)
        if is_closed_pipe(exc):
            return 0
        why = os_reason(exc)
        if sys.stderr is not None:
            sys.stderr.write(f"错误：写入失败（{why}）；答案文件未受影响\n")
        return EXIT_WRITE


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def exit_now(code: int) -> NoReturn:
    """End the process without tearing the interpreter down.

    Python's own exit frees every module and object one by one: about 20 ms for a
    command (Typer, Click, openpyxl…), a fifth of a whole `list`, that nobody waits for.
    By now every file is written and closed and the lock released (the commands use
    `with` throughout); what exit would still do is done here: the atexit handlers
    run and the output is flushed. A process with other threads, or under a profiler,
    coverage or a debugger (they write their results at exit), exits the usual way.
    """
    import atexit
    import threading

    if threading.active_count() > 1 or sys.getprofile() or sys.gettrace():
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # the reader went away: nothing more to tell it
            pass
    os._exit(code)
