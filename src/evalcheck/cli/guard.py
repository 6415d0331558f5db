"""The process edge: arguments that are not text, stdout closed, full or cut off.

Called from main() only (tests drive the app through CliRunner, which has its own
streams), so that nothing a user does to the process's streams or arguments ends in a
Python traceback.
"""

import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable, Sequence

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


class _PipeSafe(io.RawIOBase):
    """Standard output's file descriptor, for a reader that may go away (`| head`, `| true`,
    quitting `| more`): once a write finds the pipe closed, the output goes to the null
    device and the command finishes its work with its own exit code. A write that
    succeeded then exits 0 (not Click's 1 for EPIPE), a read ends quietly; nothing is said
    on stderr. Any other error (a full disk) is raised as before."""

    def __init__(self, fd: int, *, quiet: bool = False) -> None:
        super().__init__()
        self._fd = fd
        self.gone = False
        # standard error: any failed write (a full disk too) is dropped, as there is
        # nowhere left to say it; the command keeps its own exit code
        self._quiet = quiet

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return False

    def write(self, data: "bytes | bytearray | memoryview") -> int:  # type: ignore[override]
        if self.gone:
            return len(data)
        try:
            return os.write(self._fd, data)
        except OSError as exc:
            from evalcheck.infra.oscompat import is_closed_pipe

            if not is_closed_pipe(exc) and not self._quiet:
                raise
            self.gone = True
            _silence(self._fd)
            return len(data)


def _pipe_safe(out: object) -> "io.TextIOWrapper | None":
    """`out` (standard output or error) on `_PipeSafe` when it is a pipe or a file; None
    for a console (left as Python set it up: on Windows it is not a plain file descriptor)
    or a stream replaced already (the null device when started with it closed)."""
    if not isinstance(out, io.TextIOWrapper) or out not in (sys.__stdout__, sys.__stderr__):
        return None
    try:
        fd = out.fileno()
        if os.isatty(fd):
            return None
        out.flush()
    except (OSError, ValueError):
        return None
    return io.TextIOWrapper(
        io.BufferedWriter(_PipeSafe(fd, quiet=out is sys.__stderr__)),  # type: ignore[type-var]
        encoding=out.encoding,
        errors=out.errors,
        line_buffering=out.line_buffering,
        write_through=out is sys.__stderr__,  # messages appear as they are written
    )


def pipe_safe_stdout() -> None:
    """Standard output, and standard error, on `_PipeSafe`: a reader that went away
    (`2>&1 | head`) changes neither the work done nor the exit code."""
    out = _pipe_safe(sys.stdout)
    if out is not None:
        sys.stdout = out
    err = _pipe_safe(sys.stderr)
    if err is not None:
        sys.stderr = err


def run_guarded(run: Callable[[], int]) -> int:
    """Run the CLI; a closed stdout discards output, a full or cut-off one ends cleanly."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): output goes nowhere
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    pipe_safe_stdout()
    try:
        code = run()
        sys.stdout.flush()
        return code
    except OSError as exc:
        _silence_stdout()
        from evalcheck.infra.oscompat import is_closed_pipe

        # `evalcheck list | head`, or quitting `| more`: the reader has all it wanted
        # (EPIPE; on Windows a closed pipe is EINVAL), or stdout was closed before we
        # started (`evalcheck list >&-`, EBADF): nobody reads, nothing to say
        if is_closed_pipe(exc) or exc.errno == errno.EBADF:
            return 0
        why = os_reason(exc)
        if sys.stderr is not None:
            sys.stderr.write(
                f"错误：输出写不出（{why}），显示或写出的结果不完整；答案文件如有修改已经保存"
                "（可用 evalcheck history 题号 查看）\n"
            )
        return EXIT_WRITE


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the flush at exit does not fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        _silence(sys.stdout.fileno())


def _silence(fd: int) -> None:
    """Point the file descriptor `fd` at the null device."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (OSError, ValueError):
        pass


def stop_as_interrupted() -> None:
    """SIGTERM and SIGHUP end a command as Ctrl-C does (errors.Terminated, a
    KeyboardInterrupt): the `with` blocks and `finally` clauses on the way out remove the
    temporary files (a half-written answers file's temp, XlsxWriter's folder of a large
    export) and release the lock, where the system's default action would end the process
    at once and leave them. Called first thing in `program()` (the main thread)."""
    import signal

    from evalcheck.errors import Terminated

    def stop(signum: int, frame: object) -> None:
        raise Terminated(signum)

    for name in ("SIGTERM", "SIGHUP"):  # no SIGHUP on Windows
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, stop)


ENV_NO_FAST_EXIT = "EVALCHECK_NO_FAST_EXIT"


def skip_teardown() -> None:
    """Let the program end without tearing the interpreter down, once exit has done the rest.

    Python's own exit frees every module and object one by one: about 20 ms for a command
    (Typer, Click, openpyxl…), nobody waits for it. Called first thing in `program()`, this
    registers an exit handler; handlers run last-registered first, so ours runs after every
    handler registered during the run, once Python has waited for the other threads. It
    flushes stdout and stderr, then ends the process with the exit code (`os._exit`). Every
    file is closed by then: src opens files only in `with` blocks (tests/test_startup.py
    checks this), and the answers lock is released by its `with`.

    It does nothing, and the interpreter exits the usual way, when the user asks for that
    (EVALCHECK_NO_FAST_EXIT=1), or when a profiler, coverage, a debugger or any other tool
    is watching the process (sys.gettrace, sys.getprofile, and on Python 3.12+
    sys.monitoring): such tools write their results at exit, after our handler.
    """
    import atexit

    if os.environ.get(ENV_NO_FAST_EXIT, "").strip() not in ("", "0"):
        return
    atexit.register(_end_now)


_COLLECTOR = {"paused": False}
# A command's young objects between two passes of the cycle collector (CPython's default,
# 700, is made for long-running programs). What a command makes dies by reference count
# (an export of the bundled checklist: 34 passes found 116 objects in all); at 700 the
# passes cost an export about 4 ms and an import of a filled form about 9 ms. Cycles are
# still collected, every 20,000 new objects: the 10,000-row export's peak is unchanged.
RUN_GEN0_THRESHOLD = 20_000


def pause_collector() -> None:
    """Start-up without the cycle collector. Importing Typer, Click and the command's
    modules makes a few hundred thousand objects (modules, functions, classes) that live
    as long as the process and are never garbage; the collector's full passes over them
    cost a command about 3–4 ms. Called first thing in `program()`; resume_collector()
    ends the pause once the command is resolved."""
    import gc

    if gc.isenabled():
        gc.disable()
        _COLLECTOR["paused"] = True


def resume_collector() -> None:
    """Start-up is over: what exists now (the imported modules and the command) is moved
    out of the collector's sight (`gc.freeze`) and collection resumes for whatever the
    command makes, every RUN_GEN0_THRESHOLD new objects. Does nothing unless
    pause_collector() paused it (tests run commands inside their own process, through
    CliRunner, and are not touched)."""
    if _COLLECTOR["paused"]:
        import gc

        _COLLECTOR["paused"] = False
        gc.freeze()
        gc.set_threshold(RUN_GEN0_THRESHOLD, *gc.get_threshold()[1:])
        gc.enable()


def watched() -> bool:
    """Whether a tracer, profiler or sys.monitoring tool (3.12+) is attached."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is None:  # Python 3.11
        return False
    return any(monitoring.get_tool(tool) is not None for tool in range(6))


def _end_now() -> None:
    code = _exit_code
    if code is None or watched():  # not through program()'s end (an uncaught error)
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # the reader went away: nothing more to tell it
            pass
    os._exit(code)


_exit_code: int | None = None


def set_exit_code(code: int) -> None:
    """The code the program exits with, as `_end_now` ends the process with it."""
    global _exit_code
    _exit_code = code
