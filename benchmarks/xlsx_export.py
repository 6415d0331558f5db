"""The exports before and after XlsxWriter (issue 28), as whole processes, with the floor.

    python benchmarks/xlsx_export.py --old-python /tmp/oldvenv/bin/python [--runs 11]
        [--large 10000] [--large-runs 3]

`--old-python`: a venv with the version before (the openpyxl writers), e.g. commit
a8f74ae installed with `pip install` (not -e); this version runs with the interpreter
that runs this script (also installed with `pip install .`).

Bundled checklist (144 indicators, 47 answered): every round runs the floor
(`python -c "import typer"`), then old and new `export report.xlsx` and `export --split`
(with --force), and the new split once more with EVALCHECK_JOBS=1 (in one process, not
shared out over child processes), so that a machine that speeds up or slows down moves
them alike; the table gives medians and their ratio to the floor of the same round.

Large checklists (bench.make_large: every indicator answered): `export report.xlsx`,
old and new alternately, wall time and the process's peak memory (ru_maxrss from
os.wait4, one process at a time), at a quarter, half and all of --large, to show how
memory grows with the rows; and `status` (the new version), the memory that reading the
checklist and answers takes alone, which an export cannot go below.

Linux keeps a process's peak across fork and exec: a child's ru_maxrss is at least what
this process held when it started it. So the large checklists are generated in a child
process, and this one stays small (its own peak is printed): the figures are the
commands' own.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEW = sys.executable
HERE = Path(__file__).resolve().parent


def make_large(folder: Path, n: int) -> Path:
    """bench.make_large in a child process (see above): the checklist's path."""
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
        "from bench import make_large; print(make_large(Path(sys.argv[2]), int(sys.argv[3]))[0])"
    )
    args = [sys.executable, "-c", code, str(HERE), str(folder), str(n)]
    made = subprocess.run(args, capture_output=True, text=True, check=True)
    return Path(made.stdout.strip().splitlines()[-1])


def env_for(folder: Path, checklist: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    env["EVALCHECK_CACHE_DIR"] = str(folder / "_cache")
    env["EVALCHECK_USER"] = "基准测试"
    env["EVALCHECK_TODAY"] = "2021-09-20"
    if checklist is not None:
        env["EVALCHECK_CHECKLIST"] = str(checklist)
    return env


def run(python: str, args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of one process."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        [python, "-m", "evalcheck", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {python} {' '.join(args)}\n{err}")
    return elapsed, usage.ru_maxrss


def floor(python: str) -> float:
    t = time.perf_counter()
    subprocess.run([python, "-c", "import typer"], check=True)
    return time.perf_counter() - t


def compile_package(python: str) -> None:
    code = "import evalcheck, os; print(os.path.dirname(evalcheck.__file__))"
    where = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    compileall.compile_dir(where.stdout.strip(), quiet=1)


def bundled(old: str, runs: int) -> None:
    jobs = {
        "export report.xlsx": ["export", "report.xlsx"],
        "export --split 科室表格/": ["export", "--split", "forms", "--force"],
    }
    folders = {}
    for label, python in (("old", old), ("new", NEW)):
        folder = Path(tempfile.mkdtemp(prefix=f"xlsx-{label}-"))
        env = env_for(folder)
        for ident, value in ((47, "312"), (16, "是"), (1, "3")):
            run(python, ["answer", str(ident), "--value", value], folder, env)
        for args in jobs.values():  # warm up: bytecode, parse cache
            run(python, args, folder, env)
        folders[label] = (python, folder, env)
    # the new version's split again in one process (infra/forked.py shares the forms out
    # over child processes where it can): what the children bring, in the same rounds
    python, folder, env = folders["new"]
    folders["one process"] = (python, folder, {**env, "EVALCHECK_JOBS": "1"})
    times: dict[tuple[str, str], list[float]] = {}
    floors: list[float] = []
    for _ in range(runs):
        floors.append(floor(NEW))
        for name, args in jobs.items():
            for label, (python, folder, env) in folders.items():
                if label == "one process" and "--split" not in args:
                    continue
                times.setdefault((name, label), []).append(run(python, args, folder, env)[0])
    f = statistics.median(floors) * 1000
    print(f'\n清单 144 项，{runs} 轮，中位数（毫秒）；下限 python -c "import typer" = {f:.0f} ms')
    print(f"{'命令':<28}{'之前':>8}{'之后':>8}{'之前/下限':>10}{'之后/下限':>10}")
    for name in jobs:
        o = statistics.median(times[(name, "old")]) * 1000
        n = statistics.median(times[(name, "new")]) * 1000
        print(f"{name:<28}{o:>8.0f}{n:>8.0f}{o / f:>10.2f}{n / f:>10.2f}")
        if (name, "one process") in times:
            one = statistics.median(times[(name, "one process")]) * 1000
            print(f"{'  （EVALCHECK_JOBS=1）':<28}{'':>8}{one:>8.0f}{'':>10}{one / f:>10.2f}")
    for _, folder, _ in folders.values():
        shutil.rmtree(folder, ignore_errors=True)


def large(old: str, n_max: int, runs: int) -> None:
    print(f"\n大清单 export report.xlsx，各 {runs} 次，中位数（秒）与峰值内存（MiB）")
    print(
        f"{'指标数':>8}{'之前 秒':>10}{'之后 秒':>10}{'之前 MiB':>10}{'之后 MiB':>10}"
        f"{'status MiB':>12}"
    )
    for n in (n_max // 4, n_max // 2, n_max):
        folder = Path(tempfile.mkdtemp(prefix=f"xlsx-large-{n}-"))
        env = env_for(folder, make_large(folder, n))
        got: dict[str, list[tuple[float, int]]] = {"old": [], "new": []}
        for python in (old, NEW):  # warm the parse cache
            run(python, ["export", "warm.xlsx"], folder, env)
        for _ in range(runs):
            for label, python in (("old", old), ("new", NEW)):
                got[label].append(run(python, ["export", f"{label}.xlsx", "--force"], folder, env))
        o, w = got["old"], got["new"]
        status = max(run(NEW, ["status"], folder, env)[1] for _ in range(runs))
        print(
            f"{n:>8}{statistics.median(t for t, _ in o):>10.2f}"
            f"{statistics.median(t for t, _ in w):>10.2f}"
            f"{max(m for _, m in o) / 1024:>10.0f}{max(m for _, m in w) / 1024:>10.0f}"
            f"{status / 1024:>12.0f}"
        )
        shutil.rmtree(folder, ignore_errors=True)
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"（本进程的峰值 {own:.0f} MiB：子进程的峰值不低于它）")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old-python", required=True, help="the interpreter of the version before")
    ap.add_argument("--runs", type=int, default=11, help="rounds on the bundled checklist")
    ap.add_argument("--large", type=int, default=10_000, help="indicators of the large run")
    ap.add_argument("--large-runs", type=int, default=3, help="runs of each large export")
    args = ap.parse_args()
    for python in (args.old_python, NEW):
        compile_package(python)
    print(f"Python {sys.version.split()[0]} · {os.cpu_count()} 核")
    bundled(args.old_python, args.runs)
    if args.large:
        large(args.old_python, args.large, args.large_runs)


if __name__ == "__main__":
    main()
