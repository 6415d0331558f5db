"""Time evalcheck's commands as whole processes, against the floor `python -c "import typer"`.

    python benchmarks/bench.py            # bundled checklist and 10,000 indicators
    python benchmarks/bench.py --quick    # bundled checklist only, fewer runs

Each command runs in a scratch folder with its own answers file and parse cache. It is
run once to warm up (bytecode, parse cache), then N times; the table shows medians and
the ratio to the floor, measured alternately with each command (floor, command, floor,
command, ...) so that drift of the machine during the run cancels out. On 10,000
indicators the reference is also "parse both YAML files with the C loader, plus the
floor", as one process.
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
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PY = sys.executable
EXE = [PY, "-m", "evalcheck"]


def scratch_env(folder: Path) -> dict[str, str]:
    # EVALCHECK_JOBS passes through: `EVALCHECK_JOBS=1 python benchmarks/…` builds the
    # forms of `export --split`/`--units` in one process, to compare
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("EVALCHECK_") or k == "EVALCHECK_JOBS"
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    env["EVALCHECK_CACHE_DIR"] = str(folder / "_cache")
    env["EVALCHECK_LOCK_TIMEOUT"] = "60"
    env["EVALCHECK_USER"] = "基准测试"
    return env


def timed(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):  # 1: findings (overdue/check), still a normal run
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()}")
    return elapsed


def first_output(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    """Seconds until the first line of output arrives."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    elapsed = time.perf_counter() - t
    proc.stdout.read()
    proc.wait()
    return elapsed


def median_of(runs: int, make: Callable[[int], float]) -> float:
    make(-1)  # warm-up
    return statistics.median(make(i) for i in range(runs))


def paired(
    runs: int, make: Callable[[int], float], floor: Callable[[], float]
) -> tuple[float, float]:
    """Medians of a command and of the floor, run alternately, so that a machine that
    slows down or speeds up during the benchmark moves both alike."""
    make(-1)  # warm-up
    cmd: list[float] = []
    base: list[float] = []
    for i in range(runs):
        base.append(floor())
        cmd.append(make(i))
    return statistics.median(cmd), statistics.median(base)


# ---------------------------------------------------------------- data


def bundled() -> dict:
    from evalcheck.model.loading import bundled_checklist_path

    return yaml.safe_load(bundled_checklist_path().read_text(encoding="utf-8"))


class NoAliasDumper(yaml.CSafeDumper):  # type: ignore[misc]
    """Repeated sub-objects written out in full: evalcheck refuses YAML aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def make_large(folder: Path, n: int) -> tuple[Path, Path]:
    """A checklist of n indicators (the bundled 144 repeated) and an answer for each."""
    base = bundled()
    inds = base["indicators"]
    out = []
    for i in range(1, n + 1):
        t = dict(inds[(i - 1) % len(inds)])
        t["id"] = i
        t["text"] = f"{t['text']}（{i}）"
        t.pop("formula", None)
        out.append(t)
    doc = {k: v for k, v in base.items() if k != "indicators"}
    doc["title"] = f"{base['title']}（{n}项测试）"
    doc["indicators"] = out
    checklist = folder / "large.yaml"
    checklist.write_text(
        yaml.dump(doc, Dumper=NoAliasDumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )

    answers = {}
    for t in out:
        kind = t["kind"]
        opts = t.get("options") or []
        first = (opts[0] if isinstance(opts[0], str) else opts[0]["text"]) if opts else None
        value = {
            "count": t["id"] % 500,
            "percent": 50,
            "yesno": True,
            "choice": first if opts else "甲",
            "multi": [first] if opts else ["甲"],
            "text": "说明",
        }[kind]
        answers[t["id"]] = {
            "value": value,
            "by": "bench",
            "at": "2021-09-01T10:00:00+08:00",
            "seq": t["id"],
            "action": "set",
        }
    data = {
        "format": 1,
        "checklist": {"title": doc["title"], "year": doc["year"]},
        "answers": answers,
    }
    ans = folder / "answers.yaml"
    ans.write_text(
        yaml.dump(data, Dumper=NoAliasDumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return checklist, ans


def filled_forms(
    folder: Path, env: dict[str, str], section: str, exe: Sequence[str] = EXE
) -> tuple[Path, Path]:
    """Two copies of a section's form with different values, so every import changes rows."""
    import openpyxl

    forms = folder / "forms"
    subprocess.run(
        [*exe, "export", "--split", str(forms), "-s", section, "--force"],
        cwd=folder,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (src,) = forms.glob("*.xlsx")
    copies = []
    for variant in ("a", "b"):
        wb = openpyxl.load_workbook(src)
        ws = wb["测评指标"]
        at = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
        col = {c.value: c.column for c in ws[at]}
        for r in range(at + 1, ws.max_row + 1):
            unit, ident = ws.cell(r, col["单位"]).value, ws.cell(r, col["题号"]).value
            if not isinstance(ident, int):
                continue
            if unit == "%":
                ws.cell(r, col["填报值"]).value = 40 if variant == "a" else 60
            elif unit:
                ws.cell(r, col["填报值"]).value = ident % 100 + (1 if variant == "a" else 2)
        # yes/no rows: the dropdown cells
        for dv in ws.data_validations.dataValidation:
            if dv.formula1 == '"是,否"':
                for cell_range in dv.sqref.ranges:
                    ws[cell_range.coord].value = "是" if variant == "a" else "否"
        path = folder / f"form_{variant}.xlsx"
        wb.save(path)
        copies.append(path)
    return copies[0], copies[1]


# ---------------------------------------------------------------- the run


def run_suite(
    name: str, folder: Path, runs: int, checklist: Path | None, results: list[tuple]
) -> None:
    env = scratch_env(folder)
    if checklist is not None:
        env["EVALCHECK_CHECKLIST"] = str(checklist)
    floor = median_of(runs, lambda i: timed([PY, "-c", "import typer"], folder, env))
    results.append((name, 'python -c "import typer"（下限）', floor, 1.0, "", ""))

    ref = None
    if checklist is not None:
        code = (
            "import typer, yaml; L = yaml.CSafeLoader; "
            f"yaml.load(open({str(checklist)!r}, encoding='utf-8').read(), Loader=L); "
            f"yaml.load(open({str(folder / 'answers.yaml')!r}, encoding='utf-8').read(), Loader=L)"
        )
        ref = median_of(max(1, runs // 2), lambda i: timed([PY, "-c", code], folder, env))
        results.append((name, "下限 + C 解析两个 YAML（参照）", ref, ref / floor, "", ""))

    form_a, form_b = filled_forms(folder, env, "审批监管科")
    commands: list[tuple[str, Callable[[int], list[str]], bool]] = [
        ("--help", lambda i: ["--help"], False),
        ("list --section 审批监管科", lambda i: ["list", "--section", "审批监管科"], False),
        ("show 47", lambda i: ["show", "47"], False),
        ("answer 47 --value 312", lambda i: ["answer", "47", "--value", str(312 + (i % 2))], False),
        ("status", lambda i: ["status"], False),
        ("overdue", lambda i: ["overdue"], False),
        ("check", lambda i: ["check"], False),
        ("export report.xlsx", lambda i: ["export", "report.xlsx"], True),
        ("import（科室表格，38 行）" if checklist is None else "import（科室表格）",
         lambda i: ["import", str(form_a if i % 2 else form_b), "--overwrite-conflicts"], True),
    ]  # fmt: skip

    def floor_once() -> float:
        return timed([PY, "-c", "import typer"], folder, env)

    for label, args, excel in commands:
        t, local_floor = paired(
            runs, lambda i, args=args: timed([*EXE, *args(i)], folder, env), floor_once
        )
        if checklist is None:
            target = 3.0 if excel else 1.5
            ok = "是" if t / local_floor <= target else "否"
            results.append((name, label, t, t / local_floor, f"≤ {target}× 下限", ok))
        else:
            assert ref is not None
            ok = "是" if t <= 2 * ref else "否"
            results.append((name, label, t, t / local_floor, f"≤ 2× 参照（{t / ref:.2f}×）", ok))
    if checklist is not None:
        t = median_of(
            runs, lambda i: first_output([*EXE, "list", "--section", "审批监管科"], folder, env)
        )
        results.append((name, "list --section 审批监管科：首行输出", t, t / floor, "", ""))
    cold = dict(env, EVALCHECK_NO_CACHE="1")
    t = median_of(
        max(1, runs // 2), lambda i: timed([*EXE, "list", "--section", "审批监管科"], folder, cold)
    )
    results.append((name, "list --section 审批监管科（不用解析缓存）", t, t / floor, "", ""))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=9, help="timed runs per command, bundled checklist")
    ap.add_argument(
        "--large-runs", type=int, default=3, help="timed runs per command, 10,000 indicators"
    )
    ap.add_argument(
        "--size", type=int, default=10_000, help="indicators in the generated checklist"
    )
    ap.add_argument("--quick", action="store_true", help="bundled checklist only, 5 runs")
    args = ap.parse_args()

    import evalcheck

    compileall.compile_dir(str(Path(evalcheck.__file__).parent), quiet=1)
    results: list[tuple] = []
    with tempfile.TemporaryDirectory(prefix="evalcheck-bench-") as tmp:
        small = Path(tmp) / "bundled"
        small.mkdir()
        subprocess.run(
            [*EXE, "answer", "43", "--value", "是"],
            cwd=small,
            env=scratch_env(small),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        run_suite("清单 144 项", small, 5 if args.quick else args.runs, None, results)
        if not args.quick:
            large = Path(tmp) / "large"
            large.mkdir()
            checklist, _ = make_large(large, args.size)
            run_suite(f"{args.size:,} 项", large, args.large_runs, checklist, results)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"Python {sys.version.split()[0]} · {os.cpu_count()} 核 · 中位数（毫秒）")
    print(f"{'数据':<12}{'命令':<42}{'中位数':>10}{'与下限之比':>10}  {'目标':<22}{'达标'}")
    for name, label, t, ratio, target, ok in results:
        print(f"{name:<12}{label:<42}{t * 1000:>10.0f}{ratio:>10.2f}  {target:<22}{ok}")


if __name__ == "__main__":
    main()
