"""Time `carry`'s matching of last year's list to this year's, 10,000 × 10,000 indicators.

    python benchmarks/carry_match.py            # 10,000 × 10,000, three scenarios
    python benchmarks/carry_match.py -n 2000    # smaller

Texts are built from the bundled checklist's characters (so they look like real
indicators: 15–60 Chinese characters). Scenarios:
  typical    90% identical, 6% reworded (1–3 characters changed), 4% dropped / 4% new,
             ids renumbered;
  reworded   every text reworded (no exact match: all 10,000 go through rapidfuzz);
  unrelated  two unrelated lists (nothing matches: the worst case for the cutoff).
Prints the time of evalcheck.year.carry.match() (the pure matching; no YAML) per scenario.
"""

from __future__ import annotations

import argparse
import random
import time

from evalcheck.model.loading import bundled_checklist_path, load_checklist
from evalcheck.year.carry import EXACT, FUZZY, NONE, Item, match


def alphabet() -> list[str]:
    cl = load_checklist(bundled_checklist_path())
    return sorted({ch for i in cl.indicators for ch in i.text if "\u4e00" <= ch <= "\u9fff"})


def text(rng: random.Random, chars: list[str]) -> str:
    return "".join(rng.choice(chars) for _ in range(rng.randint(15, 60))) + "？"


def reword(rng: random.Random, t: str, chars: list[str]) -> str:
    s = list(t)
    for _ in range(rng.randint(1, 3)):
        s[rng.randrange(len(s) - 1)] = rng.choice(chars)
    return "".join(s)


def scenario(name: str, n: int, seed: int = 1) -> tuple[list[Item], list[Item]]:
    rng = random.Random(seed)
    chars = alphabet()
    old = [Item(i, text(rng, chars), "count") for i in range(1, n + 1)]
    if name == "unrelated":
        return old, [Item(i, text(rng, chars), "count") for i in range(1, n + 1)]
    texts: list[str] = []
    for o in old:
        r = rng.random()
        if name == "reworded":
            texts.append(reword(rng, o.text, chars))
        elif r < 0.04:
            continue  # dropped
        elif r < 0.10:
            texts.append(reword(rng, o.text, chars))
        else:
            texts.append(o.text)
    if name == "typical":
        for _ in range(n - len(texts)):
            texts.insert(rng.randrange(len(texts)), text(rng, chars))  # new ones, anywhere
    return old, [Item(i, t, "count") for i, t in enumerate(texts, start=1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10_000)
    args = parser.parse_args()
    heads = ("old", "new", "exact", "fuzzy", "none")
    print(f"{'scenario':<10} " + " ".join(f"{h:>6}" for h in heads) + f" {'seconds':>8}")
    for name in ("typical", "reworded", "unrelated"):
        old, new = scenario(name, args.n)
        start = time.perf_counter()
        result = match(old, new)
        took = time.perf_counter() - start
        counts = [result.count(h) for h in (EXACT, FUZZY, NONE)]
        cells = (len(old), len(new), *counts)
        print(f"{name:<10} " + " ".join(f"{c:>6}" for c in cells) + f" {took:>8.2f}")


if __name__ == "__main__":
    main()
