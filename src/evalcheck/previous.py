"""Last year's values: the mapping file beside the answers, and what it gives each indicator.

`carry` writes `<answers>.previous.yaml` (answers.yaml → answers.previous.yaml): one entry
per indicator of last year's list, saying which indicator of this year's list it became
(old → new, how it was matched, the score) and what last year's answer was. People may
correct an entry by hand (`new:` and `how: manual`); a re-run keeps those.

Last year's values are a reference, never an answer: they live only in this file, and
nothing here counts towards progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from .carry import EXACT, FUZZY, HOW_NAMES, MANUAL, NONE, Item, Matching
from .checklist import Checklist, Indicator
from .errors import DataError, os_reason
from .store import Answers, previous_path
from .values import KINDS, format_value
from .yamlio import dump_yaml, load_yaml_file

if TYPE_CHECKING:
    from .snapshot import Row, Snapshot

FORMAT = 1
HEADER = """\
# evalcheck 上年对照（由 evalcheck carry 生成）
# mapping：上年清单的每一项 old 对应今年的哪一项 new，以及上年的答案（value / na）。
#   上年值只作参考，不是今年的答案，不计入填报进度。
#   how：exact 文字相同；fuzzy 文字相似（score 为相似度 0–100）；manual 人工指定；none 未对应。
#   review 列出需要人工核对的原因。
# 改正对应关系：把 new 改成今年的正确题号（没有对应项就写 null），并把 how 改为 manual。
#   重新运行 evalcheck carry 时，how 为 manual 的条目保持不变。
"""


@dataclass(frozen=True, slots=True)
class Previous:
    """Last year's answer of the indicator an indicator of this year was matched to."""

    year: int
    old_id: int
    text: str
    kind: str
    unit: str | None
    value: Any  # None when last year's answer was 不适用 or missing
    na: str | None
    how: str
    score: float | None
    kind_changed: bool

    @property
    def answered(self) -> bool:
        return self.value is not None or self.na is not None

    @property
    def display(self) -> str:
        """'312 个', '不适用（…）', '' (not answered last year)."""
        if self.na is not None:
            return f"不适用（{self.na}）"
        if self.value is None:
            return ""
        return format_value(self.indicator(), self.value)

    @property
    def source(self) -> str:
        """'2021年第47项，文字相似 91 分'."""
        how = HOW_NAMES.get(self.how, self.how)
        score = f" {self.score:.0f} 分" if self.score is not None else ""
        changed = "，题型已改变" if self.kind_changed else ""
        return f"{self.year}年第{self.old_id}项，{how}{score}{changed}"

    def indicator(self) -> Indicator:
        """Last year's indicator, as far as formatting its value needs."""
        return Indicator(
            id=self.old_id,
            category="",
            text=self.text,
            owner=None,
            section=None,
            due=dt.date.min,
            role="lead",
            kind=self.kind,
            unit=self.unit,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "id": self.old_id,
            "value": self.value,
            "na": self.na,
            "display": self.display,
            "how": self.how,
            "score": self.score,
            "kind_changed": self.kind_changed,
        }


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
        out["text"] = self.text
        if self.new_text is not None and self.new_text != self.text:
            out["new_text"] = self.new_text
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
        from .carry import fold

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
            )
        return out

    def to_text(self) -> str:
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
        return HEADER + dump_yaml(data)


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
) -> CarryFile:
    """The mapping file for a matching of `old` (with its answers) to `new`."""
    entries = []
    for m in matching.matches:
        ind = old.get(m.old)
        st = old_answers.state(m.old)
        entries.append(
            Entry(
                old=m.old,
                text=ind.text,
                kind=ind.kind,
                unit=ind.unit,
                value=st.value if st is not None and st.na is None else None,
                na=st.na if st is not None else None,
                new=m.new,
                how=m.how,
                score=m.score,
                review=m.review,
                new_text=new.get(m.new).text if m.new is not None else None,
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


# ---------------------------------------------------------------- reading


def load(path: Path, checklist: Checklist) -> CarryFile | None:
    """The mapping file, checked against this year's checklist; None when there is none."""
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
    return parse(data, lambda: raw.decode("utf-8"), path, checklist)


def parse(data: Any, source: Any, path: Path, checklist: Checklist) -> CarryFile:
    from .store import _line_of

    def bad(keys: Sequence[Any], why: str) -> DataError:
        line = _line_of(source(), keys)
        where = f"{path} 第{line}行" if line else str(path)
        return DataError(f"上年对照文件有误：{where}：{why}（改正后重新运行 evalcheck carry）")

    if not isinstance(data, Mapping) or not isinstance(data.get("mapping"), list):
        raise bad([], "不是 evalcheck 的上年对照文件（缺少 mapping 列表）")
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
    old_key = dict(prev["checklist"])
    year = old_key.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise bad(["previous", "checklist", "year"], "上年清单的年份应为整数")
    entries: list[Entry] = []
    seen_old: dict[int, int] = {}
    seen_new: dict[int, int] = {}
    for n, raw in enumerate(data["mapping"]):
        keys = ["mapping", n]
        if not isinstance(raw, Mapping):
            raise bad(keys, "每个条目应为映射（old、new、how 等）")
        old = raw.get("old")
        if not _is_id(old):
            raise bad([*keys, "old"], f"old 应为上年的题号（正整数），实际为 {old!r}")
        where = f"old: {old} 的条目"
        if old in seen_old:
            raise bad([*keys, "old"], f"上年第{old}项出现了两次")
        seen_old[old] = n
        new = raw.get("new")
        if new is not None and not _is_id(new):
            raise bad([*keys, "new"], f"{where}：new 应为今年的题号或 null，实际为 {new!r}")
        if new is not None and not checklist.has(new):
            raise bad([*keys, "new"], f"{where}：今年的清单中没有第{new}项")
        if new is not None and new in seen_new:
            other = data["mapping"][seen_new[new]].get("old")
            raise bad([*keys, "new"], f"{where}：今年第{new}项已对应上年第{other}项，不能重复对应")
        if new is not None:
            seen_new[new] = n
        how = raw.get("how", MANUAL)
        if how not in HOW_NAMES:
            raise bad(
                [*keys, "how"], f"{where}：how 应为 {'、'.join(HOW_NAMES)} 之一，实际为 {how!r}"
            )
        if new is None and how in (EXACT, FUZZY):
            raise bad(
                [*keys, "new"], f"{where}：how 为 {how} 时 new 不能为空（不对应请写 how: manual）"
            )
        kind = raw.get("kind")
        if kind not in KINDS:
            raise bad([*keys, "kind"], f"{where}：kind 应为 {'、'.join(KINDS)} 之一")
        score = raw.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
            raise bad([*keys, "score"], f"{where}：score 应为数字")
        review = raw.get("review") or []
        if not isinstance(review, list):
            review = [str(review)]
        na = raw.get("na")
        value = raw.get("value")
        if value is not None and not _fits(kind, value):
            raise bad([*keys, "value"], f"{where}：value {value!r} 不符合题型 {kind}")
        if na is not None and not isinstance(na, str):
            raise bad([*keys, "na"], f"{where}：na 应为不适用的原因（文字）")
        entries.append(
            Entry(
                old=old,
                text=str(raw.get("text") or ""),
                kind=kind,
                unit=_opt_str(raw.get("unit")),
                value=value,
                na=na,
                new=new,
                how=NONE if new is None and how == NONE else how,
                score=None if score is None else float(score),
                review=tuple(str(r) for r in review),
                new_text=_opt_str(raw.get("new_text")),
            )
        )
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


def _fits(kind: str, value: Any) -> bool:
    from .values import REGISTRY

    return bool(REGISTRY[kind].check(value))


def _is_id(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _opt_str(v: Any) -> str | None:
    return None if v is None or v == "" else str(v)


def previous_values(answers_path: Path, checklist: Checklist) -> dict[int, Previous]:
    """This year's id → last year's value, from the mapping file beside the answers."""
    mapping = load(previous_path(answers_path), checklist)
    return mapping.by_new(checklist) if mapping is not None else {}


# ---------------------------------------------------------------- this year against last year


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _num_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def change_text(ind: Indicator, prev: Previous, state: Any) -> str:
    """How this year's answer differs from last year's: '+12（+4%）', '−5 个百分点', '是→否'.

    `state` is this year's answer (a store.State) or None.
    """
    if prev.kind_changed:
        return "题型已改变"
    now_na = state is not None and state.na is not None
    now = state.value if state is not None and not now_na else None
    if not prev.answered:
        return "上年未填报"
    if state is None:
        return "今年未填报"
    if prev.na is not None or now_na:
        return "不变" if prev.na is not None and now_na else "适用情况改变"
    old_n, new_n = _number(prev.value), _number(now)
    if ind.kind == "count" and old_n is not None and new_n is not None:
        if new_n == old_n:
            return "不变"
        diff = f"{new_n - old_n:+g}"
        return f"{diff}（{(new_n - old_n) / old_n:+.0%}）" if old_n else diff
    if ind.kind == "percent" and old_n is not None and new_n is not None:
        return "不变" if new_n == old_n else f"{new_n - old_n:+.4g} 个百分点"
    if ind.kind == "yesno":
        return "不变" if prev.value == now else f"{prev.display}→{format_value(ind, now)}"
    return "不变" if prev.value == now else "有变化"


def plausibility(checklist: Checklist, rows: Iterable[Row]) -> list[Any]:
    """`check`'s warnings against last year (rules.Finding, severity warning).

    A count changing by more than the count factor, a percent moving more than the
    percent points, 是 → 否, and answered last year but not applicable now. Indicators
    whose kind changed are not compared.
    """
    from .rules import Finding, Involved

    out: list[Finding] = []
    for row in rows:
        ind, p, st = row.ind, row.previous, row.state
        if p is None or st is None or p.kind_changed or not p.answered:
            continue
        limits = checklist.thresholds(ind)
        if not limits.enabled:
            continue
        last = f"上年 {p.display}（{p.year}年第{p.old_id}项）"
        message = None
        rule = ""
        if st.na is not None:
            if p.na is None:
                rule, message = "上年对比:不适用", f"第{ind.id}项上年已填报，今年标为不适用"
        elif p.na is None:
            old_n, new_n = _number(p.value), _number(st.value)
            if ind.kind == "count" and old_n is not None and new_n is not None:
                f = limits.count_factor
                if f is not None and abs(new_n - old_n) > f * old_n:
                    rule = "上年对比:数量"
                    message = f"第{ind.id}项数量比上年变化超过 {f:.0%}"
            elif ind.kind == "percent" and old_n is not None and new_n is not None:
                pts = limits.percent_points
                if pts is not None and abs(new_n - old_n) > pts:
                    rule = "上年对比:百分比"
                    message = f"第{ind.id}项比上年变化超过 {_num_text(pts)} 个百分点"
            elif ind.kind == "yesno" and p.value is True and st.value is False:
                rule, message = "上年对比:是否", f"第{ind.id}项上年为“是”，今年为“否”"
        if message is None:
            continue
        now = row.display
        out.append(
            Finding(
                "previous",
                "warning",
                rule,
                f"{message}：{last} → 今年 {now}，请向{row.section}核实",
                (Involved(ind.id, now, ind.section, ind.owner),),
            )
        )
    return out


class CompareRow(NamedTuple):
    """One line of the year-on-year report (`compare`, the export's 同比 sheet)."""

    section: str
    id: int
    text: str
    previous_id: int
    previous: str
    current: str
    change: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self._asdict())


def compare_rows(snap: Snapshot, rows: Sequence[Row]) -> list[CompareRow]:
    """Matched indicators answered in either year, grouped by section (checklist order)."""
    from .snapshot import group_rows

    out: list[CompareRow] = []
    for section, group in group_rows(snap, rows, "section"):
        for row in group:
            p = row.previous
            if p is None or (row.state is None and not p.answered):
                continue  # nothing to compare in either year
            current = row.display if row.state is not None else ""
            change = change_text(row.ind, p, row.state)
            out.append(
                CompareRow(section, row.id, row.ind.text, p.old_id, p.display, current, change)
            )
    return out


# ---------------------------------------------------------------- carry: rematch and prefill

NO_MAPPING = (
    "还没有上年对照：请先运行 evalcheck carry --from-checklist 上年清单.yaml "
    "--from-answers 上年答案.yaml"
)


class Rematch(NamedTuple):
    mapping: CarryFile
    matching: Matching
    old: Checklist
    edited: dict[int, int]  # entries a person changed without `how: manual`, kept as manual


def rematch(
    target: Path,
    checklist: Checklist,
    existing: CarryFile | None,
    from_checklist: Path | None,
    from_answers: Path | None,
    answers_path: Path,
) -> Rematch:
    """Match last year's list (with its answers) to this year's again, keeping what a
    person fixed by hand in `existing`, and write the mapping file `target`."""
    from .carry import match
    from .checklist import load_checklist
    from .errors import InputError
    from .fileio import atomic_write_text
    from .store import load_answers

    if existing is not None:
        from_checklist = from_checklist or _path(existing.from_checklist, target.parent)
        from_answers = from_answers or _path(existing.from_answers, target.parent)
    if from_checklist is None or from_answers is None:
        raise InputError(
            "请同时给出上年的清单和答案，例如：evalcheck carry --from-checklist "
            "2021清单.yaml --from-answers 2021答案.yaml"
        )
    if from_answers.resolve() == answers_path.resolve():
        raise InputError(f"--from-answers {from_answers} 就是今年的答案文件，请给出上年的答案文件")
    old = load_checklist(from_checklist)
    if not from_answers.exists():
        raise InputError(f"找不到上年的答案文件：{from_answers}")
    try:
        old_answers = load_answers(from_answers, old)
    except DataError as exc:
        if "属于清单" not in exc.message:
            raise
        raise DataError(
            f"上年的答案文件 {from_answers} 不属于上年的清单 {from_checklist}"
            f"（“{old.title}”{old.year}年）：请检查 --from-checklist 和 --from-answers"
        ) from None
    manual: dict[int, int | None] = {}
    edited: dict[int, int] = {}
    if existing is not None:
        manual.update(existing.manual())
        edited = existing.edited(checklist)
        manual.update(edited)
    unknown = sorted(o for o in manual if not old.has(o))
    if unknown:
        raise InputError(
            f"上年对照文件 {target} 中人工指定的上年第{'、'.join(map(str, unknown))}项"
            f"不在上年清单 {from_checklist} 中：请改正或删除这些条目"
        )
    matching = match(old_items(old), old_items(checklist), manual)
    mapping = build(
        target,
        old,
        old_answers,
        checklist,
        matching,
        from_checklist=_relative(from_checklist, target.parent),
        from_answers=_relative(from_answers, target.parent),
    )
    atomic_write_text(target, mapping.to_text())
    return Rematch(mapping, matching, old, edited)


def _path(value: str | None, base: Path) -> Path | None:
    """A path recorded in the mapping file: relative ones are relative to its folder."""
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else base / path


def _relative(path: Path, base: Path) -> str:
    """How the mapping file records last year's files: relative to its own folder when
    they are on the same drive, so `carry` re-runs from anywhere (and the folders move)."""
    import os

    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(path.resolve())


NOT_CONFIRMED = "文字相似，未经人工确认"


def prefill(
    checklist: Checklist, answers: Answers, mapping: CarryFile, by: str
) -> tuple[list[int], dict[str, list[int]]]:
    """Copy last year's answers as this year's, in one change (one `undo`), marked 沿用上年.

    Only for identical text or a match a person confirmed (`manual`), the same kind, a
    value that fits this year's indicator, and nothing answered yet this year. Returns
    the ids filled and, by reason, the ids left alone (not those unanswered last year).
    """
    from .carry import EXACT, MANUAL
    from .values import value_fits

    skipped: dict[str, list[int]] = {}
    done: list[int] = []
    seq = answers.next_seq()
    for e in mapping.entries:
        if e.new is None or not checklist.has(e.new) or (e.value is None and e.na is None):
            continue
        ind = checklist.get(e.new)
        reason = None
        if e.how not in (EXACT, MANUAL):
            reason = NOT_CONFIRMED
        elif e.kind != ind.kind:
            reason = "题型改变"
        elif answers.state(ind.id) is not None:
            reason = "今年已填报"
        elif e.value is not None and not value_fits(ind, e.value):
            reason = "上年的值不符合今年的题型或范围"
        if reason is not None:
            skipped.setdefault(reason, []).append(ind.id)
            continue
        value = e.value if e.na is None else None
        if answers.apply(ind, value=value, na=e.na, by=by, action="carry", seq=seq):
            done.append(ind.id)
    return done, skipped
