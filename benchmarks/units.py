"""Time the units' commands at scale: 20 units × 400 collected indicators.

    python benchmarks/units.py               # 20 units × 400 indicators, 5 runs each
    python benchmarks/units.py --units 20 --size 400 --runs 5

Whole processes, against the floor `python -c "import typer"`, run alternately with each
command so that drift of the machine cancels out (as benchmarks/bench.py does); each row
shows the command's median, the floor's median measured beside it, and their ratio. The data: a
generated checklist of `size` indicators, every one collected from the units (counts summed,
percents recomputed from summed counts, yes/no `any`, multi `union`, texts pooled, numbers
averaged), and every unit's answers file filled except for a few gaps (so some roll-ups are
incomplete, as in a real year). Targets: `rollup` under 1 s; `export report.xlsx` (with the
汇总 sheet) and `export --units` measured, the latter also with EVALCHECK_JOBS=1 (its forms
built in one process instead of shared out over child processes).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import EXE, PY, NoAliasDumper, paired, scratch_env, timed

UNIT_NAMES = ["沙坡头区", "中宁县", "海原县", "市本级"]


def unit_names(n: int) -> list[str]:
    return [*UNIT_NAMES, *(f"第{i}区" for i in range(len(UNIT_NAMES) + 1, n + 1))][:n]


def make_units(folder: Path, n_units: int, size: int) -> Path:
    """A checklist of `size` collected indicators, and an answers file for every unit."""
    inds: list[dict[str, Any]] = []
    for i in range(1, size + 1):
        base = {
            "id": i,
            "category": "政务服务便利度",
            "text": f"本地区第{i}项基层数据？",
            "owner": "万富春",
            "section": "政务服务中心",
            "due": "2021-09-15",
            "role": "lead",
            "collect": "units",
        }
        slot = i % 10
        if slot == 3 and i > 2:  # a percent over the two counts before it
            base.update(kind="percent", unit="%", formula=f"q{i - 1} / q{i - 2} * 50")
        elif slot == 5:
            base.update(kind="yesno", rollup="any")
        elif slot == 6:
            base.update(kind="multi", options=["网站", "APP", "窗口", "自助机"])
        elif slot == 7:
            base.update(kind="text")
        elif slot == 8:
            base.update(kind="number", unit="天", rollup="mean")
        else:
            base.update(kind="count", unit="个")
        inds.append(base)
    doc = {
        "title": f"单位汇总基准（{n_units} 个单位 × {size} 项）",
        "year": 2021,
        "categories": ["政务服务便利度"],
        "sections": ["政务服务中心"],
        "owners": ["万富春"],
        "units": unit_names(n_units),
        "units_due": "2021-09-10",
        "indicators": inds,
    }
    checklist = folder / "indicators.yaml"
    checklist.write_text(
        yaml.dump(doc, Dumper=NoAliasDumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    for u, unit in enumerate(unit_names(n_units)):
        answers: dict[int, Any] = {}
        for t in inds:
            i = t["id"]
            if t.get("formula") or (i + u) % 97 == 0:  # derived, or a gap
                continue
            value: Any = {
                "count": 1000 + (i * 7 + u * 13) % 500,
                "yesno": (i + u) % 3 == 0,
                "multi": [["网站", "APP", "窗口", "自助机"][(i + u) % 4]],
                "text": f"{unit}的做法{i}",
                "number": round(1 + ((i + u) % 40) / 10, 1),
            }[t["kind"]]
            answers[i] = {
                "value": value,
                "by": unit,
                "at": "2021-09-01T10:00:00+08:00",
                "seq": i,
                "action": "set",
            }
        data = {"format": 1, "checklist": {"title": doc["title"], "year": 2021}, "answers": answers}
        path = folder / "单位" / unit / "answers.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(
            yaml.dump(data, Dumper=NoAliasDumper, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
    return checklist


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--units", type=int, default=20, help="units (default 20)")
    ap.add_argument("--size", type=int, default=400, help="collected indicators (default 400)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command")
    args = ap.parse_args()

    results: list[tuple[str, float, float, float, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="evalcheck-units-") as tmp:
        folder = Path(tmp)
        make_units(folder, args.units, args.size)
        env = scratch_env(folder)

        def floor_once() -> float:
            return timed([PY, "-c", "import typer"], folder, env)

        split = ["export", "--units", "单位表格", "--force"]
        one = {**env, "EVALCHECK_JOBS": "1"}  # the forms in one process (infra/forked.py)
        commands: list[tuple[str, list[str], float | None, dict[str, str]]] = [
            ("rollup", ["rollup"], 1.0, env),
            ("rollup --format json", ["rollup", "--format", "json"], 1.0, env),
            ("status --units", ["status", "--units"], None, env),
            ("export report.xlsx（含“汇总”工作表）", ["export", "report.xlsx"], None, env),
            (f"export --units（{args.units} 份单位填报表）", split, None, env),
            ("  （EVALCHECK_JOBS=1：一个进程）", split, None, one),
        ]
        for label, argv, limit, how in commands:
            t, floor_t = paired(
                args.runs,
                lambda i, argv=argv, how=how: timed([*EXE, *argv], folder, how),
                floor_once,
            )
            target = f"< {limit:g} 秒" if limit is not None else ""
            ok = ("是" if t < limit else "否") if limit is not None else ""
            results.append((label, t, floor_t, t / floor_t, target, ok))

    print(
        f"Python {sys.version.split()[0]} · {args.units} 个单位 × {args.size} 项 · "
        f"每个命令 {args.runs} 次的中位数（毫秒）"
    )
    print(f"{'命令':<40}{'中位数':>8}{'下限':>8}{'与下限之比':>10}  {'目标':<10}{'达标'}")
    for label, t, base, ratio, target, ok in results:
        print(f"{label:<40}{t * 1000:>8.0f}{base * 1000:>8.0f}{ratio:>10.2f}  {target:<10}{ok}")


if __name__ == "__main__":
    main()
