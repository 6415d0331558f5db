"""What the pure-Python fallbacks cost (issue 27): a 龙芯 PC has no native wheels.

    python benchmarks/pure_fallbacks.py            # bundled checklist and 10,000 indicators
    python benchmarks/pure_fallbacks.py -n 2000    # smaller

Each measurement runs twice in a fresh process: once as installed (PyYAML's C loader,
rapidfuzz) and once with the native parts blocked as on a PC without them
(tests/nativeblock/, the same blocker the CI's pure run of the suite uses). Printed: the
medians, and pure ÷ native.

- parse: evalcheck's YAML loading (infra/yamlio.load_yaml_text: the safe loader with the
  alias and duplicate-key checks) of the bundled checklist, and of a 10,000-indicator
  checklist and its answers file (built as benchmarks/bench.py builds them);
- carry: the matching of last year's list to this year's (year/carry.match), on the
  bundled checklist with every text reworded a little (all 144 go through scoring), and
  on benchmarks/carry_match.py's 10,000-indicator scenarios "typical" and "reworded".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
BLOCKER = HERE.parent / "tests" / "nativeblock"


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker(folder: Path, n: int) -> dict[str, float]:
    """Run in the measured process: every timing, in seconds."""
    import random

    sys.path.insert(0, str(HERE))
    from carry_match import reword, scenario

    from evalcheck.infra import similarity, yamlio
    from evalcheck.model.loading import bundled_checklist_path, load_checklist
    from evalcheck.year.carry import Item, match

    out: dict[str, float] = {}
    bundled = bundled_checklist_path().read_text(encoding="utf-8")
    out["parse: bundled checklist (144)"] = _median(lambda: yamlio.load_yaml_text(bundled, "c"), 9)
    for name in ("large.yaml", "answers.yaml"):
        text = (folder / name).read_text(encoding="utf-8")
        label = "checklist" if name == "large.yaml" else "answers"
        out[f"parse: {n:,} {label} ({len(text.encode()) / 1e6:.1f} MB)"] = _median(
            lambda text=text, name=name: yamlio.load_yaml_text(text, name), 3
        )
    cl = load_checklist(bundled_checklist_path())
    chars = sorted({ch for i in cl.indicators for ch in i.text if "\u4e00" <= ch <= "\u9fff"})
    rng = random.Random(1)
    old = [Item(i.id, i.text, i.kind) for i in cl.indicators]
    new = [o._replace(text=reword(rng, o.text, chars)) for o in old]
    out["carry: bundled, all 144 reworded"] = _median(lambda: match(old, new), 5)
    for kind in ("typical", "reworded"):
        a, b = scenario(kind, n)
        out[f"carry: {n:,} × {n:,}, {kind}"] = _median(lambda a=a, b=b: match(a, b), 1)
    out["_native"] = float(yamlio.c_loader() and similarity.accelerated())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.n)))
        return
    sys.path.insert(0, str(HERE))
    from bench import make_large

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        checklist, answers = make_large(folder, args.n)
        assert checklist.name == "large.yaml" and answers.name == "answers.yaml"
        results = {}
        for mode in ("native", "pure"):
            env = dict(os.environ)
            if mode == "pure":
                env["PYTHONPATH"] = os.pathsep.join(
                    [str(BLOCKER), *filter(None, [env.get("PYTHONPATH")])]
                )
            cmd = [sys.executable, __file__, "-n", str(args.n), "--worker", str(folder)]
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
            results[mode] = json.loads(done.stdout)
    assert results["native"].pop("_native") == 1.0, "run this with the native parts installed"
    assert results["pure"].pop("_native") == 0.0
    print(f"Python {sys.version.split()[0]} · {os.cpu_count()} 核 · 中位数（秒）")
    print(f"{'测量':<42} {'C/rapidfuzz':>12} {'纯 Python':>10} {'倍数':>7}")
    for what, native in results["native"].items():
        pure = results["pure"][what]
        print(f"{what:<42} {native:>12.3f} {pure:>10.3f} {pure / native:>6.1f}×")


if __name__ == "__main__":
    main()
