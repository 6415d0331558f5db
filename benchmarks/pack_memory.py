"""Peak memory and time of `evalcheck evidence pack` on bundles of growing size.

    python benchmarks/pack_memory.py             # 20 MB and 200 MB bundles of many files
    python benchmarks/pack_memory.py --mb 50     # one size

Each bundle is made of many files (half random bytes, which do not compress, half text),
spread over the 144 indicators and recorded through the library (answers.evidence.add_items, as
`evidence add` does). The pack then runs as its own process, once to a .zip and once to a
folder; its peak resident memory is read with `resource.getrusage(RUSAGE_CHILDREN)` from a
small wrapper process that runs nothing else. Files are streamed in 1 MiB pieces, so the
peak should not grow with the bundle: the table shows it next to the floor
(`evalcheck --help`, the same interpreter and imports without packing).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PY = sys.executable

# run one command in a child and report the child's peak RSS (KiB on Linux) and its time
WRAPPER = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": rc, "peak_kib": peak, "seconds": elapsed}))
"""


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [PY, "-c", WRAPPER, *cmd], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    data: dict[str, float] = json.loads(out.stdout)
    if data["rc"] != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return data


def make_bundle(folder: Path, total_mb: int, files: int) -> None:
    """Files of ~total_mb/files MB each, recorded for indicators 1..144 in turn."""
    from evalcheck.answers.evidence import add_items, sync
    from evalcheck.answers.paths import store_root
    from evalcheck.answers.store import now_iso, transaction
    from evalcheck.model.loading import bundled_checklist_path, load_checklist
    from evalcheck.services.evidence import store_changes

    src = folder / "src"
    src.mkdir()
    rng = random.Random(15)
    size = total_mb * 1024 * 1024 // files
    paths: list[Path] = []
    for n in range(files):
        p = src / f"材料{n:04d}.{'bin' if n % 2 else 'txt'}"
        if n % 2:
            p.write_bytes(os.urandom(size))
        else:
            line = ("营商环境测评佐证材料 " * 8 + "\n").encode()
            p.write_bytes((line * (size // len(line) + 1))[:size] + rng.randbytes(16))
        paths.append(p)
    cl = load_checklist(bundled_checklist_path())
    answers = folder / "answers.yaml"
    root = store_root(answers)
    by_ind: dict[int, list[str]] = {}
    for n, p in enumerate(paths):
        by_ind.setdefault(cl.indicators[n % len(cl.indicators)].id, []).append(str(p))
    with store_changes() as ops, transaction(answers, cl) as a:
        for ident, sources in by_ind.items():  # as services.evidence.add_evidence does
            ind = cl.get(ident)
            current = a.evidence(ind.id)
            items, _, incoming = add_items(
                root, ind.id, current, sources, ops, by="bench", at=now_iso()
            )
            if a.set_evidence(ind, items, by="bench") is not None:
                sync(root, ind.id, current, items, ops, incoming)
    shutil.rmtree(src)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, action="append", help="bundle size(s) in MB")
    parser.add_argument("--files", type=int, default=400, help="files per bundle")
    args = parser.parse_args()
    sizes = args.mb or [20, 200]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
        env["EVALCHECK_CACHE_DIR"] = str(base / "_cache")
        floor = measure([PY, "-m", "evalcheck", "--help"], base, env)
        for mb in sizes:
            folder = base / f"b{mb}"
            folder.mkdir()
            make_bundle(folder, mb, args.files)
            to_zip = measure([PY, "-m", "evalcheck", "evidence", "pack", "out.zip"], folder, env)
            zipped = (folder / "out.zip").stat().st_size
            to_dir = measure([PY, "-m", "evalcheck", "evidence", "pack", "out"], folder, env)
            rows.append((mb, to_zip, to_dir, zipped))
            shutil.rmtree(folder)
    print(
        f"files per bundle: {args.files}; floor (evalcheck --help): "
        f"peak {floor['peak_kib'] / 1024:.1f} MiB, {floor['seconds']:.2f} s"
    )
    cols = ["bundle", "files", "zip: peak RSS", "zip: time", "zip size"]
    cols += ["folder: peak RSS", "folder: time"]
    print("| " + " | ".join(cols) + " |")
    print("|---|---|---|---|---|---|---|")
    for mb, z, d, size in rows:
        print(
            f"| {mb} MB | {args.files} | {z['peak_kib'] / 1024:.1f} MiB | {z['seconds']:.1f} s "
            f"| {size / 1024 / 1024:.0f} MB | {d['peak_kib'] / 1024:.1f} MiB "
            f"| {d['seconds']:.1f} s |"
        )


if __name__ == "__main__":
    main()
