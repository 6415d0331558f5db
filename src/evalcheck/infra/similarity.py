"""Text similarity: rapidfuzz when installed, else a pure-Python scorer with the same scores.

Two scorers are used: `ratio` (the carry matching of last year's texts) and `wratio` (the
"did you mean" hint for a mistyped section, owner or category). The pure versions follow
rapidfuzz's definitions (rapidfuzz/fuzz_py.py, MIT): `ratio` is the normalized Indel
similarity, 100 · (1 − distance / (len1 + len2)), the distance counting insertions and
deletions, i.e. len1 + len2 − 2 · LCS; the LCS length comes from the bit-parallel
algorithm (Hyyrö 2004) on Python integers. tests/test_similarity.py checks that both give
the same scores and the same matches on the checklist's real texts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

Choices = Sequence[str] | Mapping[Any, str]


@cache
def _rapidfuzz() -> Any:
    from evalcheck.infra.optional import present

    if not present("rapidfuzz"):
        return None
    import rapidfuzz

    return rapidfuzz


def accelerated() -> bool:
    return _rapidfuzz() is not None


# ---------------------------------------------------------------- pure scorers


def _masks(s: str) -> dict[str, int]:
    masks: dict[str, int] = {}
    bit = 1
    for ch in s:
        masks[ch] = masks.get(ch, 0) | bit
        bit <<= 1
    return masks


def _lcs(masks: dict[str, int], n: int, other: str) -> int:
    """Length of the longest common subsequence of the masked string (n chars) and `other`."""
    full = (1 << n) - 1
    v = full
    get = masks.get
    for ch in other:
        m = get(ch)
        if m:
            u = v & m
            v = ((v + u) | (v - u)) & full
    return n - v.bit_count()


def _indel_ratio(s1: str, s2: str, masks: dict[str, int] | None = None) -> float:
    lensum = len(s1) + len(s2)
    if not lensum:
        return 100.0
    lcs = _lcs(masks if masks is not None else _masks(s1), len(s1), s2)
    return (1.0 - (lensum - 2 * lcs) / lensum) * 100


def pure_ratio(s1: str, s2: str) -> float:
    return _indel_ratio(s1, s2)


def pure_partial_ratio(s1: str, s2: str) -> float:
    """The best ratio of the shorter text against any window of the longer."""
    if not s1 and not s2:
        return 100.0
    shorter, longer = (s1, s2) if len(s1) <= len(s2) else (s2, s1)
    score = _partial(shorter, longer)
    if score != 100 and len(s1) == len(s2):
        score = max(score, _partial(longer, shorter))
    return score


def _partial(s1: str, s2: str) -> float:
    len1, len2 = len(s1), len(s2)
    chars = set(s1)
    masks = _masks(s1)
    best = 0.0
    windows = (
        [s2[:i] for i in range(1, len1) if s2[i - 1] in chars]
        + [s2[i : i + len1] for i in range(len2 - len1) if s2[i + len1 - 1] in chars]
        + [s2[i:] for i in range(len2 - len1, len2) if s2[i] in chars]
    )
    for window in windows:
        score = _indel_ratio(s1, window, masks)
        if score > best:
            best = score
            if best == 100:
                break
    return best


def _joined(tokens: Any) -> str:
    return " ".join(sorted(tokens))


def _norm(dist: int, lensum: int) -> float:
    return (100 - 100 * dist / lensum) if lensum else 100.0


def _indel_distance(s1: str, s2: str) -> int:
    return len(s1) + len(s2) - 2 * _lcs(_masks(s1), len(s1), s2)


def _token_set_ratio(s1: str, s2: str) -> float:
    a, b = set(s1.split()), set(s2.split())
    if not a or not b:
        return 0.0
    common, ab, ba = a & b, a - b, b - a
    if common and (not ab or not ba):
        return 100.0
    ab_text, ba_text = _joined(ab), _joined(ba)
    sect = len(" ".join(common))
    sect_ab = sect + (sect != 0) + len(ab_text)
    sect_ba = sect + (sect != 0) + len(ba_text)
    result = _norm(_indel_distance(ab_text, ba_text), sect_ab + sect_ba)
    if not sect:
        return result
    return max(
        result,
        _norm((sect != 0) + len(ab_text), sect + sect_ab),
        _norm((sect != 0) + len(ba_text), sect + sect_ba),
    )


def _token_ratio(s1: str, s2: str) -> float:
    return max(_token_set_ratio(s1, s2), pure_ratio(_joined(s1.split()), _joined(s2.split())))


def _partial_token_ratio(s1: str, s2: str) -> float:
    split_a, split_b = s1.split(), s2.split()
    a, b = set(split_a), set(split_b)
    if a & b:
        return 100.0
    ab, ba = a - b, b - a
    result = pure_partial_ratio(_joined(split_a), _joined(split_b))
    if len(split_a) == len(ab) and len(split_b) == len(ba):
        return result
    return max(result, pure_partial_ratio(_joined(ab), _joined(ba)))


def pure_wratio(s1: str, s2: str) -> float:
    """rapidfuzz's WRatio: ratio, or its token and partial variants, scaled."""
    if not s1 or not s2:
        return 0.0
    len1, len2 = len(s1), len(s2)
    len_ratio = len1 / len2 if len1 > len2 else len2 / len1
    end = pure_ratio(s1, s2)
    if len_ratio < 1.5:
        return max(end, _token_ratio(s1, s2) * 0.95)
    scale = 0.9 if len_ratio <= 8.0 else 0.6
    end = max(end, pure_partial_ratio(s1, s2) * scale)
    return max(end, _partial_token_ratio(s1, s2) * 0.95 * scale)


# ---------------------------------------------------------------- the two uses


def extract(
    query: str, choices: Choices, *, limit: int, cutoff: float
) -> list[tuple[str, float, Any]]:
    """The `limit` choices most similar to `query` by `ratio` scoring at least `cutoff`:
    (text, score, index or key), best first, ties in the choices' order."""
    rf = _rapidfuzz()
    if rf is not None:
        found = rf.process.extract(
            query, choices, scorer=rf.fuzz.ratio, processor=None, limit=limit, score_cutoff=cutoff
        )
        return [(str(t), float(s), k) for t, s, k in found]
    items = choices.items() if isinstance(choices, Mapping) else enumerate(choices)
    masks = _masks(query)
    scored = []
    for key, text in items:
        score = _indel_ratio(query, text, masks)
        if score >= cutoff:
            scored.append((text, score, key))
    scored.sort(key=lambda t: -t[1])  # stable: ties keep the choices' order
    return scored[:limit]


def best(query: str, choices: Sequence[str], *, cutoff: float) -> str | None:
    """The choice most similar to `query` by `wratio`, or None below `cutoff`."""
    rf = _rapidfuzz()
    if rf is not None:
        found = rf.process.extractOne(
            query, list(choices), scorer=rf.fuzz.WRatio, score_cutoff=cutoff
        )
        return str(found[0]) if found else None
    top: tuple[float, str] | None = None
    for text in choices:
        score = pure_wratio(query, text)
        if score >= cutoff and (top is None or score > top[0]):
            top = (score, text)
    return top[1] if top else None
