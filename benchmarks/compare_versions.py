"""0.1.0 against this version, as whole processes, interleaved with the floor.

    python benchmarks/compare_versions.py [RUNS]

Needs 0.1.0 installed in its own venv: `git worktree add /tmp/old ee0d3c8`, then
`python3 -m venv /tmp/oldvenv && /tmp/oldvenv/bin/pip install -e /tmp/old` (and compile
both trees: `python -m compileall src`, since PYTHONDONTWRITEBYTECODE may be set).
Each round runs the floor, the old command and the new one, so machine drift hits all three.
"""

import os, statistics, subprocess, sys, time
OLD = ["/tmp/oldvenv/bin/python", "-m", "evalcheck"]
NEW = [sys.executable, "-m", "evalcheck"]
FLOOR = [sys.executable, "-c", "import typer"]
cmds = [["--help"], ["list", "--section", "审批监管科"], ["show", "47"], ["answer", "47", "--value", "312"],
        ["status"], ["overdue"], ["check"], ["export", "report.xlsx"]]
def env(d):
    e = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    e["EVALCHECK_CACHE_DIR"] = d + "/_cache"; e["EVALCHECK_USER"] = "bench"
    return e
def t(cmd, cwd):
    s = time.perf_counter(); subprocess.run(cmd, cwd=cwd, env=env(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); return time.perf_counter() - s
N = int(sys.argv[1]) if len(sys.argv) > 1 else 11
print(f"{'command':34} {'floor':>6} {'0.1.0':>6} {'0.2.0':>6}  ratio 0.1.0 / 0.2.0")
for c in cmds:
    for pre in (OLD, NEW):
        d = "/tmp/cmp_old" if pre is OLD else "/tmp/cmp_new"
        t(pre + c, d)  # warm
    f, o, n = [], [], []
    for _ in range(N):
        f.append(t(FLOOR, "/tmp")); o.append(t(OLD + c, "/tmp/cmp_old")); n.append(t(NEW + c, "/tmp/cmp_new"))
    mf, mo, mn = (statistics.median(x) * 1000 for x in (f, o, n))
    print(f"{' '.join(c):34} {mf:6.0f} {mo:6.0f} {mn:6.0f}  {mo/mf:.2f}× / {mn/mf:.2f}×")
