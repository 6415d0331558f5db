"""An older version (0.2.0) against this one, as whole processes, interleaved with the floor.

    python benchmarks/compare_versions.py [--runs 31] [--old-python /tmp/oldvenv/bin/python]
        [--old-label 0.2.0]

Needs the old version installed in a venv of its own, with the dependencies pip resolves
for it today (0.2.0 is commit 1822c43; this version installed with `pip install .`, not -e:
an editable install's import hook costs every process a few ms):

    git worktree add /tmp/old 1822c43
    python3 -m venv /tmp/oldvenv && /tmp/oldvenv/bin/pip install /tmp/old

Both versions run from compiled bytecode (this script compiles both trees, as `pip install`
does) in a scratch folder of their own, each with its own answers file (47 and 43 answered)
and a warm parse cache. Every round runs the floor (`python -c "import typer"`), the old
command and this version's command, so a machine that speeds up or slows down during the
run moves all three alike. `answer 47 --value 312/313` alternates the value, so every run
writes; `answer 47 --value 312` gives the value already recorded (nothing to write).
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import filled_forms, make_large

NEW = sys.executable
COMMANDS: list[tuple[str, list[str]]] = [
    ("--help", ["--help"]),
    ("list --section 审批监管科", ["list", "--section", "审批监管科"]),
    ("show 47", ["show", "47"]),
    ("answer 47 --value 312（未变化）", ["answer", "47", "--value", "312"]),
    ("answer 47 --value 312/313（写入）", ["answer", "47", "--value", "ALTERNATE"]),
    ("status", ["status"]),
    ("overdue", ["overdue"]),
    ("check", ["check"]),
    ("export report.xlsx", ["export", "report.xlsx"]),
    ("import（科室表格，38 行）", ["import", "FORM"]),
]


def scratch_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    env["EVALCHECK_CACHE_DIR"] = str(folder / "_cache")
    env["EVALCHECK_USER"] = "基准测试"
    if (folder / "large.yaml").exists():  # --size: the generated checklist
        env["EVALCHECK_CHECKLIST"] = str(folder / "large.yaml")
    return env


def timed(cmd: list[str], folder: Path) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=folder, env=scratch_env(folder), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):  # 1: findings (overdue, check)
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


def package_dir(python: str) -> str:
    code = "import evalcheck, os; print(os.path.dirname(evalcheck.__file__))"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=31, help="interleaved rounds per command")
    ap.add_argument(
        "--old-python", default="/tmp/oldvenv/bin/python", help="the old version's python"
    )
    ap.add_argument("--old-label", default="0.2.0", help="what to call the old version")
    ap.add_argument("--only", help="just the commands whose label starts with this")
    ap.add_argument(
        "--size",
        type=int,
        default=0,
        help="a generated checklist of this many indicators, "
        "each answered (bench.make_large), instead of the bundled one",
    )
    args = ap.parse_args()
    versions = {"old": args.old_python, "now": NEW}
    old = args.old_label
    for python in versions.values():
        compileall.compile_dir(package_dir(python).strip(), quiet=1)

    with tempfile.TemporaryDirectory(prefix="evalcheck-compare-") as tmp:
        folders = {name: Path(tmp) / name for name in versions}
        forms: dict[str, tuple[Path, Path]] = {}
        for name, folder in folders.items():
            folder.mkdir()
            if args.size:
                make_large(folder, args.size)
            for answer in (["47", "--value", "312"], ["43", "--value", "是"]):
                timed([versions[name], "-m", "evalcheck", "answer", *answer], folder)
            exe = [versions[name], "-m", "evalcheck"]
            forms[name] = filled_forms(folder, scratch_env(folder), "审批监管科", exe)

        machine = f"Python {sys.version.split()[0]} · {os.cpu_count()} 核"
        data = f"生成的清单 {args.size:,} 项" if args.size else "附带清单 144 项"
        print(f"{machine} · {data} · {args.runs} 轮 · 中位数（毫秒）：墙钟时间（CPU 时间）")
        print(f"{'命令':<34}{'下限':>12}{old:>12}{'现在':>12}   与下限之比 {old} → 现在")
        for label, words in COMMANDS:
            if args.only and not label.startswith(args.only):
                continue
            wall: dict[str, list[float]] = {"floor": [], **{name: [] for name in versions}}
            cpu: dict[str, list[float]] = {"floor": [], **{name: [] for name in versions}}
            for i in range(args.runs + 1):  # round 0 warms up
                value = str(312 + i % 2)
                cmd = [value if w == "ALTERNATE" else w for w in words]
                runs = {"floor": timed([NEW, "-c", "import typer"], Path(tmp))}
                for name, python in versions.items():
                    run = [str(forms[name][i % 2]) if w == "FORM" else w for w in cmd]
                    if "FORM" in cmd:  # both forms alternate: the other one's cells changed
                        run.append("--overwrite-conflicts")
                    runs[name] = timed([python, "-m", "evalcheck", *run], folders[name])
                if i:
                    for name, (w, c) in runs.items():
                        wall[name].append(w * 1000)
                        cpu[name].append(c * 1000)
            w_med = {k: statistics.median(v) for k, v in wall.items()}
            c_med = {k: statistics.median(v) for k, v in cpu.items()}
            cells = "".join(f"{w_med[k]:>6.0f} ({c_med[k]:>3.0f})" for k in ("floor", "old", "now"))
            floor = w_med["floor"]
            print(f"{label:<34}{cells}   {w_med['old'] / floor:.2f}× → {w_med['now'] / floor:.2f}×")


if __name__ == "__main__":
    main()
