"""The mapping file beside the answers (`<answers>.previous.yaml`): which indicator of last
year's list became which of this year's, and last year's answers.

`carry` writes it: one entry per indicator of last year's list (old -> new, how it was
matched, the score, last year's answer). People may correct an entry by hand (`new:` and
`how: manual`); a re-run keeps those."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from evalcheck.answers.paths import previous_path
from evalcheck.answers.store import Answers
from evalcheck.errors import DataError, os_reason
from evalcheck.infra.yamlio import dump_yaml, load_yaml_file
from evalcheck.model.checklist import Checklist
from evalcheck.model.kinds import REGISTRY
from evalcheck.year.carry import EXACT, FUZZY, HOW_NAMES, MANUAL, NONE, Item, Matching
from evalcheck.year.previous import Previous

FORMAT = 1
VERDICTS = ("approved", "pending", "returned")  # last year's sign-off (Review's values)


HEADER = """\
# evalcheck 上年对照（由 evalcheck carry 生成）
# mapping：上年清单的每一项 old 对应今年的哪一项 new，以及上年的答案（value / na）。
#   上年值只作参考，不是今年的答案，不计入填报进度。
#   how：exact 文字相同；fuzzy 文字相似（score 为相似度 0–100）；manual 人工指定；none 未对应。
#   review 列出需要人工核对的原因；verdict 是上年审核的结果（approved 已审核、pending 未审核、
#   returned 已退回；上年未开启审核时不写），未审核和已退回的答案不会被 carry --prefill 沿用。
# 改正对应关系：把 new 改成今年的正确题号（没有对应项就写 null），并把 how 改为 manual。
#   重新运行 evalcheck carry 时，how 为 manual 的条目保持不变。
#   未对应（how: none）的条目里 nearest 是今年最接近的未对应指标（nearest_score 为相似度，
#   低于对应所需的分数）：确是同一指标时把 new: null 改为 new: <nearest> 即可（按人工指定）。
"""
READ_ONLY_HEADER = "".join(HEADER.splitlines(keepends=True)[:6])  # what it holds, not how to edit


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of the mapping file: an indicator of last year's list."""

    old: int
    text: str
    kind: str
    unit: str | None
    value: Any
    na: str | None
    new: int | None
    how: str
    score: float | None
    review: tuple[str, ...] = ()
    new_text: str | None = None
    nearest: int | None = None  # unmatched: this year's closest unmatched indicator
    nearest_score: float | None = None
    # last year's sign-off of that answer: approved, pending or returned; None when last
    # year had review off (or nothing was answered)
    verdict: str | None = None
    # `value` was computed last year by the indicator's formula (121, 133, 136), not typed:
    # shown as last year's value, never prefilled as an answer
    computed: bool = False

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"old": self.old, "new": self.new, "how": self.how}
        if self.score is not None:
            out["score"] = self.score
        if self.review:
            out["review"] = list(self.review)
        out["kind"] = self.kind
        if self.unit:
            out["unit"] = self.unit
        if self.value is not None:
            out["value"] = self.value
        if self.na is not None:
            out["na"] = self.na
        if self.verdict is not None:
            out["verdict"] = self.verdict
        if self.computed:
            out["computed"] = True
        out["text"] = self.text
        if self.new_text is not None and self.new_text != self.text:
            out["new_text"] = self.new_text
        if self.nearest is not None:
            out["nearest"] = self.nearest
            out["nearest_score"] = self.nearest_score
        return out


@dataclass(frozen=True, slots=True)
class CarryFile:
    """The mapping file's content."""

    path: Path
    year: int  # last year's checklist year
    old_key: dict[str, Any]
    new_key: dict[str, Any]
    entries: tuple[Entry, ...]
    new_unmatched: tuple[int, ...] = ()
    from_checklist: str | None = None
    from_answers: str | None = None

    def manual(self) -> dict[int, int | None]:
        return {e.old: e.new for e in self.entries if e.how == MANUAL}

    def edited(self, checklist: Checklist) -> dict[int, int]:
        """Entries whose `new` a person changed without setting `how: manual`.

        The tool writes each match with the text of the indicator it chose; when `new`
        now points at an indicator with another text, someone edited it.
        """
        from evalcheck.year.carry import fold

        out: dict[int, int] = {}
        for e in self.entries:
            if e.how not in (EXACT, FUZZY) or e.new is None or not checklist.has(e.new):
                continue
            if fold(checklist.get(e.new).text) != fold(e.new_text or e.text):
                out[e.old] = e.new
        return out

    def by_new(self, checklist: Checklist) -> dict[int, Previous]:
        """This year's id → last year's value (entries whose `new` is in the checklist)."""
        out: dict[int, Previous] = {}
        for e in self.entries:
            if e.new is None or not checklist.has(e.new):
                continue
            out[e.new] = Previous(
                year=self.year,
                old_id=e.old,
                text=e.text,
                kind=e.kind,
                unit=e.unit,
                value=e.value,
                na=e.na,
                how=e.how,
                score=e.score,
                kind_changed=checklist.get(e.new).kind != e.kind,
                verdict=e.verdict,
            )
        return out

    def to_text(self, *, editable: bool = True) -> str:
        """The file's text; `editable=False` (a unit's, made from the city's): without the
        header's lines on correcting the matching, which is corrected in the city's file."""
        data = {
            "format": FORMAT,
            "checklist": self.new_key,
            "previous": {
                "checklist": self.old_key,
                "checklist_file": self.from_checklist,
                "answers_file": self.from_answers,
            },
            "mapping": [e.to_data() for e in self.entries],
            "new_unmatched": list(self.new_unmatched),
        }
        return (HEADER if editable else READ_ONLY_HEADER) + dump_yaml(data)


def old_items(checklist: Checklist) -> list[Item]:
    return [Item(i.id, i.text, i.kind) for i in checklist.indicators]


def build(
    path: Path,
    old: Checklist,
    old_answers: Answers,
    new: Checklist,
    matching: Matching,
    *,
    from_checklist: str | None,
    from_answers: str | None,
    computed: Mapping[int, tuple[Any, str | None]] | None = None,
) -> CarryFile:
    """The mapping file for a matching of `old` (with its answers) to `new`; each entry
    keeps last year's sign-off of its answer when last year had review on. `computed`:
    last year's values worked out by a formula (id → value, its stage as a verdict), for
    the indicators nobody typed."""
    from evalcheck.answers.review import review_of

    entries = []
    for m in matching.matches:
        ind = old.get(m.old)
        st = old_answers.state(m.old)
        near = matching.near_of(m.old)
        verdict = review_of(old, st)
        value = st.value if st is not None and st.na is None else None
        stage = verdict.value if verdict is not None else None
        by_formula = computed.get(m.old) if computed is not None and st is None else None
        if by_formula is not None:
            value, stage = by_formula
        entries.append(
            Entry(
                old=m.old,
                text=ind.text,
                kind=ind.kind,
                unit=ind.unit,
                value=value,
                na=st.na if st is not None else None,
                new=m.new,
                how=m.how,
                score=m.score,
                review=m.review,
                new_text=new.get(m.new).text if m.new is not None else None,
                nearest=near.new if near is not None else None,
                nearest_score=near.score if near is not None else None,
                verdict=stage,
                computed=by_formula is not None,
            )
        )
    return CarryFile(
        path=path,
        year=old.year,
        old_key=old.key,
        new_key=new.key,
        entries=tuple(entries),
        new_unmatched=matching.new_unmatched,
        from_checklist=from_checklist,
        from_answers=from_answers,
    )


# a mapping file with an error: edit it, or delete it and make it again from last year's
# files (carry reads an existing file first, to keep its manual entries)
AGAIN = (
    "改正后重新运行 evalcheck carry；或删除这个文件，再用 evalcheck carry --from-checklist "
    "上年清单 --from-answers 上年答案 重新生成（手工指定的对应需重新指定）"
)


def load(path: Path, checklist: Checklist) -> CarryFile | None:
    """The mapping file, checked against this year's checklist; None when there is none."""
    from evalcheck.infra.outputguard import MAPPING, note_input

    note_input(path, MAPPING)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DataError(f"无法读取上年对照文件 {path}：{os_reason(exc)}") from None
    try:
        data = load_yaml_file(path, raw)
    except UnicodeDecodeError:
        raise DataError(f"上年对照文件 {path} 不是 UTF-8 文本") from None
    except DataError as exc:
        raise DataError(f"上年对照文件有误：{exc.message}（{AGAIN}）") from None
    return parse(data, lambda: raw.decode("utf-8"), path, checklist)


def parse(data: Any, source: Any, path: Path, checklist: Checklist) -> CarryFile:
    bad = _Bad(path, source)
    old_key, year, prev = _head(data, path, checklist, bad)
    ids = _Ids(checklist, data["mapping"], bad)
    entries = [_entry(raw, n, ids, bad) for n, raw in enumerate(data["mapping"])]
    unmatched = data.get("new_unmatched") or []
    return CarryFile(
        path=path,
        year=year,
        old_key=old_key,
        new_key=checklist.key,
        entries=tuple(entries),
        new_unmatched=tuple(i for i in unmatched if _is_id(i)),
        from_checklist=_opt_str(prev.get("checklist_file")),
        from_answers=_opt_str(prev.get("answers_file")),
    )


class _Bad:
    """A located error in the mapping file: its line, what is wrong, how to go on."""

    def __init__(self, path: Path, source: Any) -> None:
        self.path, self.source = path, source

    def __call__(self, keys: Sequence[Any], why: str) -> DataError:
        from evalcheck.answers.store import line_of

        line = line_of(self.source(), keys)
        where = f"{self.path} 第{line}行" if line else str(self.path)
        return DataError(f"上年对照文件有误：{where}：{why}（{AGAIN}）")


def _head(
    data: Any, path: Path, checklist: Checklist, bad: _Bad
) -> tuple[dict[str, Any], int, Mapping[str, Any]]:
    """The file's head: made for this checklist, from which year's (its key, year, the
    `previous` block)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("mapping"), list):
        raise bad([], "不是 evalcheck 的上年对照文件（缺少 mapping 列表）")
    fmt = data.get("format", FORMAT)
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > FORMAT:
        raise DataError(  # never read, nor rewritten as this version's format
            f"上年对照文件 {path} 由更新版本的 evalcheck 写入（format: {fmt}，本版本只读写 "
            f"format: {FORMAT}），未做任何修改：请升级 evalcheck 后再用"
        )
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 1:
        raise bad(["format"], f"format 应为整数 {FORMAT}")
    key = data.get("checklist")
    if not isinstance(key, Mapping) or dict(key) != checklist.key:
        got = key.get("year") if isinstance(key, Mapping) else None
        raise DataError(
            f"上年对照文件 {path} 是为 {got} 年的清单生成的，而当前清单是 {checklist.year} 年的："
            f"请用 evalcheck carry --from-checklist 上年清单 --from-answers 上年答案 重新生成"
        )
    prev = data.get("previous")
    if not isinstance(prev, Mapping) or not isinstance(prev.get("checklist"), Mapping):
        raise bad(["previous"], "缺少 previous.checklist（上年清单的标题和年份）")
    year = prev["checklist"].get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise bad(["previous", "checklist", "year"], "上年清单的年份应为整数")
    return dict(prev["checklist"]), year, prev


class _Ids:
    """The ids the entries name so far: each old and each new id at most once."""

    def __init__(self, checklist: Checklist, mapping: list[Any], bad: _Bad) -> None:
        self.checklist, self.mapping, self.bad = checklist, mapping, bad
        self.old: dict[int, int] = {}
        self.new: dict[int, int] = {}

    def check(self, raw: Mapping[str, Any], n: int) -> tuple[int, int | None, str]:
        """(old, new, 'old: 45 的条目') of entry n, refused when either is wrong."""
        keys, bad = ["mapping", n], self.bad
        old = raw.get("old")
        if not _is_id(old):
            raise bad([*keys, "old"], f"old 应为上年的题号（正整数），实际为 {old!r}")
        where = f"old: {old} 的条目"
        if old in self.old:
            raise bad([*keys, "old"], f"上年第{old}项出现了两次")
        self.old[old] = n
        new = raw.get("new")
        if new is None:
            return old, None, where
        if not _is_id(new):
            raise bad([*keys, "new"], f"{where}：new 应为今年的题号或 null，实际为 {new!r}")
        if not self.checklist.has(new):
            raise bad([*keys, "new"], f"{where}：今年的清单中没有第{new}项")
        if new in self.new:
            other = self.mapping[self.new[new]].get("old")
            raise bad([*keys, "new"], f"{where}：今年第{new}项已对应上年第{other}项，不能重复对应")
        self.new[new] = n
        return old, new, where


def _entry(raw: Any, n: int, ids: _Ids, bad: _Bad) -> Entry:
    """One entry of the mapping, every field checked."""
    keys = ["mapping", n]
    if not isinstance(raw, Mapping):
        raise bad(keys, "每个条目应为映射（old、new、how 等）")
    old, new, where = ids.check(raw, n)
    how = raw.get("how", MANUAL)
    if how not in HOW_NAMES:
        raise bad([*keys, "how"], f"{where}：how 应为 {'、'.join(HOW_NAMES)} 之一，实际为 {how!r}")
    if new is None and how in (EXACT, FUZZY):
        raise bad(
            [*keys, "new"], f"{where}：how 为 {how} 时 new 不能为空（不对应请写 how: manual）"
        )
    kind, value, na, score, verdict = _answer_fields(raw, keys, where, bad)
    review = raw.get("review") or []
    if not isinstance(review, list):
        review = [str(review)]
    return Entry(
        old=old,
        text=str(raw.get("text") or ""),
        kind=kind,
        unit=_opt_str(raw.get("unit")),
        value=value,
        na=na,
        new=new,
        # `new` filled in on an unmatched entry: a person's mapping (manual)
        how=MANUAL if new is not None and how == NONE else how,
        score=None if score is None else float(score),
        review=tuple(str(r) for r in review),
        new_text=_opt_str(raw.get("new_text")),
        verdict=verdict,
        computed=_flag(raw, "computed", keys, where, bad),
    )


def _flag(raw: Mapping[str, Any], key: str, keys: list[Any], where: str, bad: _Bad) -> bool:
    flag = raw.get(key, False)
    if not isinstance(flag, bool):
        raise bad([*keys, key], f"{where}：{key} 应为 true 或 false")
    return flag


def _answer_fields(
    raw: Mapping[str, Any], keys: list[Any], where: str, bad: _Bad
) -> tuple[str, Any, str | None, Any, str | None]:
    """(kind, value, na, score, verdict) of an entry: last year's answer as recorded."""
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in REGISTRY:
        raise bad([*keys, "kind"], f"{where}：kind 应为 {'、'.join(REGISTRY)} 之一")
    score = raw.get("score")
    if score is not None and (
        isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 100
    ):  # NaN fails the range too
        raise bad([*keys, "score"], f"{where}：score 应为 0 到 100 的数字（相似度）")
    na, value = raw.get("na"), raw.get("value")
    if value is not None and not _fits(kind, value):
        raise bad([*keys, "value"], f"{where}：value {value!r} 不符合题型 {kind}")
    if na is not None and not isinstance(na, str):
        raise bad([*keys, "na"], f"{where}：na 应为不适用的原因（文字）")
    verdict = raw.get("verdict")
    if verdict is not None and verdict not in VERDICTS:
        raise bad([*keys, "verdict"], f"{where}：verdict 应为 {'、'.join(VERDICTS)} 之一或不写")
    return kind, value, na, score, verdict


def _fits(kind: str, value: Any) -> bool:
    """Of the kind, and a number a finite one within the tool's limit (not .nan, .inf)."""
    from evalcheck.model.kinds import REGISTRY, number_ok

    spec = REGISTRY[kind]
    return bool(spec.check(value)) and (not spec.numeric or number_ok(value))


def _is_id(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _opt_str(v: Any) -> str | None:
    return None if v is None or v == "" else str(v)


def resolve_path(value: str | None, base: Path) -> Path | None:
    """A path recorded in the mapping file: relative ones are relative to its folder."""
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else base / path


def relative_path(path: Path, base: Path) -> str:
    """How the mapping file records last year's files: relative to its own folder when
    they are on the same drive, so `carry` re-runs from anywhere (and the folders move)."""
    import os

    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(path.resolve())


def previous_values(answers_path: Path, checklist: Checklist) -> dict[int, Previous]:
    """This year's id → last year's value, from the mapping file beside the answers."""
    mapping = load(previous_path(answers_path), checklist)
    return mapping.by_new(checklist) if mapping is not None else {}
