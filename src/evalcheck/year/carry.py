"""Year over year: match last year's indicators to this year's (pure, no file IO).

Identical text first (after folding full-width characters and whitespace), then similar
text scored by infra/similarity.py's ratio (rapidfuzz, or its pure twin with the same
scores; 0–100, character based, which suits Chinese), then what is left is unmatched
on either side. Pairs a person fixed by hand (`manual`) are taken as given and never
re-matched. A match is flagged for review when its score is low, when another
candidate scored almost as well (ambiguous), or when the answer kind changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

EXACT = "exact"
FUZZY = "fuzzy"
MANUAL = "manual"
NONE = "none"
HOW_NAMES = {EXACT: "文字相同", FUZZY: "文字相似", MANUAL: "人工指定", NONE: "未对应"}

MIN_SCORE = 60.0  # below this, similar text is not a match at all
NEAR_SCORE = 30.0  # a near miss below MIN_SCORE is shown from this score up
REVIEW_BELOW = 85.0  # a fuzzy match scoring less is listed for review
AMBIGUOUS_WITHIN = 3.0  # a runner-up this close to the best makes a match ambiguous
CANDIDATES = 3  # candidates kept per old indicator in each round
FULL_SCAN_LIMIT = 1_000_000  # above this many pairs, score only a shortlist per text
SHORTLIST = 20  # texts sharing the most rare two-character pieces, scored in full

_SPACE = re.compile(r"\s+")


def shown_score(score: float) -> str:
    """A similarity as every message shows it: one decimal, as the mapping file keeps it
    ('76.0', '57.1'; a whole number could read 85 for 84.6, below the 85 it is compared to)."""
    return f"{score:.1f}"


class Item(NamedTuple):
    """What matching needs of an indicator."""

    id: int
    text: str
    kind: str


class Match(NamedTuple):
    old: int
    new: int | None
    how: str  # EXACT | FUZZY | MANUAL | NONE
    score: float | None  # fuzzy matches only
    review: tuple[str, ...] = ()  # why a person should look at it ('' when fine)
    kind_change: tuple[str, str] | None = None  # (last year's kind, this year's kind)


class Near(NamedTuple):
    """The closest of this year's unmatched indicators to an unmatched one of last year,
    scoring below the threshold: likely a rewording that one manual line fixes."""

    old: int
    new: int
    score: float


class Matching(NamedTuple):
    matches: tuple[Match, ...]  # one per old indicator, in old id order
    new_unmatched: tuple[int, ...]  # this year's indicators nothing maps to
    near: tuple[Near, ...] = ()  # near misses: unmatched old → closest unmatched new

    def near_of(self, old: int) -> Near | None:
        return next((n for n in self.near if n.old == old), None)

    def count(self, how: str) -> int:
        return sum(1 for m in self.matches if m.how == how)

    @property
    def to_review(self) -> list[Match]:
        return [m for m in self.matches if m.review]


def fold(text: str) -> str:
    """Text as compared: NFKC (full-width → half-width), no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def match(
    old: Sequence[Item],
    new: Sequence[Item],
    manual: Mapping[int, int | None] | None = None,
    *,
    min_score: float = MIN_SCORE,
    review_below: float = REVIEW_BELOW,
) -> Matching:
    """Map every old indicator to a new one (or none). `manual`: old id → new id or None."""
    manual = dict(manual or {})
    kind_of_new = {i.id: i.kind for i in new}
    taken: set[int] = {n for n in manual.values() if n is not None}
    result: dict[int, Match] = {}
    for o in old:
        if o.id in manual:
            n = manual[o.id]
            result[o.id] = _finish(o, n, MANUAL, None, (), kind_of_new)

    rest = _exact(old, new, taken, result, kind_of_new)

    # 2. similar text: best pairs first, over rounds until nothing more pairs up
    for o, n, score, doubts in _fuzzy(rest, [i for i in new if i.id not in taken], min_score):
        reasons = list(doubts)
        if score < review_below:
            reasons.insert(0, f"相似度 {shown_score(score)} 分，低于 {review_below:g} 分")
        taken.add(n)
        result[o.id] = _finish(o, n, FUZZY, score, tuple(reasons), kind_of_new)
    for o in old:
        if o.id not in result:
            result[o.id] = Match(o.id, None, NONE, None)
    unmatched = tuple(i.id for i in new if i.id not in taken)
    gone = [o for o in old if result[o.id].how == NONE]
    left = [i for i in new if i.id not in taken]
    near = tuple(_near(gone, left, min_score))
    return Matching(tuple(result[o.id] for o in old), unmatched, near)


def _exact(
    old: Sequence[Item],
    new: Sequence[Item],
    taken: set[int],
    result: dict[int, Match],
    kind_of_new: Mapping[int, str],
) -> list[Item]:
    """Pair identical texts (repeated texts pair up in id order); the old items left over."""
    free_new: dict[str, list[int]] = {}
    for i in new:
        if i.id not in taken:
            free_new.setdefault(fold(i.text), []).append(i.id)
    rest: list[Item] = []
    for o in old:
        if o.id in result:
            continue
        same = free_new.get(fold(o.text))
        if same:
            n = same.pop(0)
            taken.add(n)
            result[o.id] = _finish(o, n, EXACT, None, (), kind_of_new)
        else:
            rest.append(o)
    return rest


def _near(old: Sequence[Item], new: Sequence[Item], below: float) -> Iterable[Near]:
    """For each unmatched old item, the best-scoring unmatched new one (NEAR_SCORE up to
    `below`), best pairs first, each new item offered once."""
    if not old or not new:
        return
    from evalcheck.infra.similarity import extract  # rapidfuzz, or its pure twin

    texts = {i.id: fold(i.text) for i in new}
    found: list[tuple[float, int, int]] = []
    for o in old:
        for _, score, n in extract(fold(o.text), texts, limit=CANDIDATES, cutoff=NEAR_SCORE):
            if score < below:
                found.append((float(score), o.id, n))
    found.sort(key=lambda p: (-p[0], p[1], p[2]))
    seen_old: set[int] = set()
    seen_new: set[int] = set()
    for score, o_id, n in found:
        if o_id in seen_old or n in seen_new:
            continue
        seen_old.add(o_id)
        seen_new.add(n)
        yield Near(o_id, n, round(score, 1))


def _finish(
    o: Item,
    n: int | None,
    how: str,
    score: float | None,
    reasons: tuple[str, ...],
    kind_of_new: Mapping[int, str],
) -> Match:
    change = None
    if n is not None and n in kind_of_new and kind_of_new[n] != o.kind:
        change = (o.kind, kind_of_new[n])
        from evalcheck.model.kinds import label

        reasons = (*reasons, f"题型由{label(o.kind)}改为{label(change[1])}")
    if how == NONE:
        n = None
    return Match(o.id, n, how, None if score is None else round(score, 1), reasons, change)


def _fuzzy(
    old: Sequence[Item], new: Sequence[Item], min_score: float
) -> Iterable[tuple[Item, int, float, list[str]]]:
    """(old item, new id, score, doubts) for every similar pair chosen.

    Each round scores every remaining old text against the remaining new texts (similarity.extract,
    keeping the best few per old text), then takes pairs best first while both sides are
    free. Old texts that lost their candidates to better pairs try again next round.
    A pair is doubtful when the old text had another candidate almost as good, or another
    old text scored almost as well against the same new one.
    """
    left = list(old)
    free = {i.id: fold(i.text) for i in new}
    while left and free:
        scored = _Round(left, free, min_score)
        if not scored.pairs:
            return
        scored.pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        done: set[int] = set()
        for score, _, n, o in scored.pairs:
            if o.id in done or n not in free:
                continue
            doubts = scored.doubts(o, n, score, free)
            done.add(o.id)
            del free[n]
            yield o, n, score, doubts
        left = [o for o in left if o.id not in done]


class _Round:
    """One round of `_fuzzy`: every remaining old text scored against the free new ones."""

    def __init__(self, left: Sequence[Item], free: Mapping[int, str], min_score: float) -> None:
        from evalcheck.infra.similarity import extract

        ids = list(free)
        texts = [free[i] for i in ids]
        self.pairs: list[tuple[float, int, int, Item]] = []
        self.found_by_old: dict[int, list[tuple[int, float]]] = {}
        self.claims: dict[int, list[tuple[int, float]]] = {}  # new id -> (old id, score)
        shortlist = _Shortlist(texts) if len(left) * len(texts) > FULL_SCAN_LIMIT else None
        for pos, o in enumerate(left):
            query = fold(o.text)
            near = shortlist.near(query) if shortlist is not None else None
            choices = texts if near is None else {i: texts[i] for i in near}
            found = extract(query, choices, limit=CANDIDATES, cutoff=min_score)
            self.found_by_old[o.id] = [(ids[idx], float(score)) for _, score, idx in found]
            for n, score in self.found_by_old[o.id]:
                self.pairs.append((score, pos, n, o))
                self.claims.setdefault(n, []).append((o.id, score))

    def doubts(self, o: Item, n: int, score: float, free: Mapping[int, str]) -> list[str]:
        """Why pairing o with n may be wrong: a near-equal rival on either side."""
        doubts = [
            f"与今年第{m}项也相近（{s:.0f} 分）"
            for m, s in self.found_by_old[o.id]
            if m != n and m in free and score - s <= AMBIGUOUS_WITHIN
        ][:1]
        doubts += [
            f"上年第{p}项与之也相近（{s:.0f} 分）"
            for p, s in self.claims[n]
            if p != o.id and score - s <= AMBIGUOUS_WITHIN
        ][:1]
        return doubts


class _Shortlist:
    """Which texts could be similar to a query, without scoring every pair.

    An inverted index of two-character pieces (bigrams) of the texts. Pieces found in
    many texts (本地, 是否) say little and would make lookups slow, so they are left
    out; a query's shortlist is the texts sharing the most of its remaining pieces.
    A query that shares none of them is scored against every text (`near` → None).
    """

    def __init__(self, texts: Sequence[str]) -> None:
        postings: dict[str, list[int]] = {}
        for n, t in enumerate(texts):
            for piece in {t[i : i + 2] for i in range(len(t) - 1)}:
                postings.setdefault(piece, []).append(n)
        common = max(50, len(texts) // 50)
        self.postings = {k: v for k, v in postings.items() if len(v) <= common}

    def near(self, query: str) -> list[int] | None:
        from collections import Counter

        shared: Counter[int] = Counter()
        for piece in {query[i : i + 2] for i in range(len(query) - 1)}:
            shared.update(self.postings.get(piece, ()))
        if not shared:
            return None
        return [n for n, _ in shared.most_common(SHORTLIST)]
