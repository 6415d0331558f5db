"""The answers file: load, lock, atomic save, history and undo.

Answers live in their own YAML file (default ./answers.yaml), never in the checklist.
Each answer is a timeline of states, oldest first; the last one is current. Every
change gets a sequence number (one per operation, shared by the rows of an import),
which is what `undo` walks back through.
"""

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalcheck.answers.paths import current_user
from evalcheck.errors import AnswersCorrupted, DataError, InputError, WriteError, os_reason
from evalcheck.infra import clock
from evalcheck.infra.yamlio import dump_yaml, load_yaml_file, load_yaml_text
from evalcheck.model.checklist import Checklist, Indicator
from evalcheck.model.entity import Entity, replace
from evalcheck.model.kinds import (
    Value,
    check_text_length,
    format_value,
    misfit_reason,
    number_ok,
    value_fits,
)

if TYPE_CHECKING:  # evidence.py is imported only where an answer has evidence
    from evalcheck.answers.evidence import Evidence

ENV_LOCK_TIMEOUT = "EVALCHECK_LOCK_TIMEOUT"
LOCK_WAIT = 5.0  # seconds to wait for the lock on a local disk
LOCK_WAIT_NETWORK = 30.0  # on a network share, where a colleague's save takes longer
FORMAT = 1
ACTIONS = {
    "set": "填报",
    "na": "标为不适用",
    "clear": "清除",
    "undo": "撤销",
    "import": "导入",
    "carry": "沿用上年",
    "approve": "审核通过",
    "return": "退回",
    "evidence": "佐证材料",
    "rollup": "单位汇总",
}
REVIEW_ACTIONS = ("approve", "return")
SUBMISSIONS = ("set", "na", "import", "carry", "rollup")  # an answer given (again)
# a returned answer given again unchanged is sent again (waits for review), by hand or as
# the units' roll-up (`rollup --apply`: the units confirmed the returned total)
SUBMITS_AGAIN = ("set", "na", "rollup")
REVIEW_MARKS = ("approved", "returned")  # what a state may record; pending is the absence
STATE_FIELDS = (
    "value", "na", "note", "evidence", "by", "at", "seq", "action", "reverts",
    "review", "reviewer", "reviewed_at", "comment", "signed_for", "explanation",
)  # fmt: skip
HEADER = (
    "# evalcheck 填报记录（由 evalcheck answer / import / undo 写入，请勿与清单文件混用）\n"
    "# answers: 题号 -> 当前答案；history 保存此前的每一个版本\n"
    "# 最后一行是“# 文件结束”：缺了这一行，说明文件不完整（复制或保存时被截断）\n"
)
# The last line of every answers file written since the header above says so: a file cut
# off at a line end still parses, and the answers after the cut would be lost at the next
# write. Files with the older header (no such line) are read as before.
END = "# 文件结束\n"
END_EXPECTED = HEADER.splitlines()[2].encode("utf-8")


def now_iso() -> str:
    return clock.now_iso()


class State(Entity):
    """One version of an answer (immutable; a new version is `entity.replace`).

    `by`/`at` are who recorded the answer and when. A leader's sign-off is a version
    of its own (action approve/return) that keeps the answer and its `by`/`at` and adds
    `review` (approved | returned), `reviewer`, `reviewed_at`, `comment` (the approval
    note or the reason for a return) and `signed_for` (the responsible leader, when a
    deputy signed). Any other new version carries no review mark: it waits for review.
    """

    seq: int
    action: str
    by: str
    at: str
    value: Any = None
    na: str | None = None
    note: str | None = None
    evidence: "tuple[Evidence, ...]" = ()
    reverts: int | None = None
    review: str | None = None
    reviewer: str | None = None
    reviewed_at: str | None = None
    comment: str | None = None
    signed_for: str | None = None
    explanation: str | None = None  # 说明: why an approval accepts an error-level rule break

    @property
    def actor(self) -> str:
        """Who made this version: the reviewer for a sign-off, else `by`."""
        return (self.reviewer or self.by) if self.action in REVIEW_ACTIONS else self.by

    @property
    def acted_at(self) -> str:
        return (self.reviewed_at or self.at) if self.action in REVIEW_ACTIONS else self.at

    @property
    def recorded(self) -> bool:
        """An answer (a value or not applicable), not a cleared state. Whether an indicator
        counts as answered, computed or open is decided in snapshot.py, not here."""
        return self.na is not None or self.value is not None

    def same_content(self, other: "State") -> bool:
        return (self.value, self.na, self.note, self.evidence) == (
            other.value,
            other.na,
            other.note,
            other.evidence,
        )

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.value is not None:
            out["value"] = self.value
        if self.na is not None:
            out["na"] = self.na
        if self.note:
            out["note"] = self.note
        if self.evidence:
            out["evidence"] = [e.to_data() for e in self.evidence]
        out.update(by=self.by, at=self.at, seq=self.seq, action=self.action)
        if self.reverts is not None:
            out["reverts"] = self.reverts
        if self.review is not None:
            out["review"] = self.review
            for key in ("reviewer", "reviewed_at", "comment", "signed_for", "explanation"):
                if getattr(self, key) is not None:
                    out[key] = getattr(self, key)
        return out

    def review_fields(self) -> dict[str, Any]:
        return {
            "review": self.review,
            "reviewer": self.reviewer,
            "reviewed_at": self.reviewed_at,
            "comment": self.comment,
            "signed_for": self.signed_for,
            "explanation": self.explanation,
        }


class Record:
    """One indicator's answer: its states, oldest first; the last is current."""

    __slots__ = ("id", "timeline")

    def __init__(self, id: int, timeline: list[State]) -> None:
        self.id = id
        self.timeline = timeline

    @property
    def current(self) -> State:
        return self.timeline[-1]

    def author(self) -> str:
        """Who filled the current answer (its 填报人): see authorship."""
        return self.authorship()[0]

    def authorship(self) -> tuple[str, str]:
        """(填报人, 填报时间) of the current answer: the `by`/`at` of the version that set its
        value or not-applicable. A version that keeps the value (evidence added or removed,
        a sign-off, a note changed) keeps its author; an undo gives back the author of the
        version it restores. An answer submitted again after a return is submitted anew,
        the same value too: its submitter fills it, and 待审核 waits from then. (`by`/`at`
        of each version say who made it, and when: `history` shows them.)"""
        authors: list[tuple[str, str]] = []
        position: dict[int, int] = {}
        prev: State | None = None
        for pos, st in enumerate(self.timeline):
            kept = prev is not None and (st.value, st.na) == (prev.value, prev.na)
            if kept and prev is not None and prev.review == "returned":
                kept = st.action not in SUBMISSIONS
            if authors and kept and st.recorded:
                who = authors[-1]
            elif st.action == "undo" and position.get(st.reverts or -1, 0) > 0:
                who = authors[position[st.reverts or -1] - 1]
            else:
                who = (st.by, st.at)
            position.setdefault(st.seq, pos)
            authors.append(who)
            prev = st
        return authors[-1]


class Answers:
    """A snapshot of the answers file (a plain class: a dataclass costs start-up time)."""

    __slots__ = ("checklist_key", "exists", "misfits", "orphans", "path", "records")

    def __init__(
        self,
        path: Path,
        checklist_key: dict[str, Any],
        records: dict[int, Record] | None = None,
        orphans: list[int] | None = None,
        misfits: dict[int, str] | None = None,
        exists: bool = True,
    ) -> None:
        self.path = path
        self.checklist_key = checklist_key
        self.records: dict[int, Record] = {} if records is None else records
        self.orphans: list[int] = [] if orphans is None else orphans  # not in the checklist
        # current values that no longer fit their indicator (its kind, options or range
        # changed in the checklist, or the file was edited by hand): kept untouched,
        # reported, and left out of every computation
        self.misfits: dict[int, str] = {} if misfits is None else misfits
        self.exists = exists

    def __repr__(self) -> str:
        return f"Answers({str(self.path)!r}, {len(self.records)} 项)"

    def author(self, ident: int) -> str | None:
        """The 填报人 of an indicator's current answer (Record.authorship), or None."""
        rec = self.records.get(ident)
        return rec.author() if rec is not None else None

    def authorship(self, ident: int) -> tuple[str, str] | None:
        """(填报人, 填报时间) of an indicator's current answer (Record.authorship), or None."""
        rec = self.records.get(ident)
        return rec.authorship() if rec is not None else None

    def state(self, ident: int) -> State | None:
        rec = self.records.get(ident)
        if rec is None or not rec.current.recorded:
            return None
        return rec.current

    def numeric_values(self) -> dict[int, float]:
        out: dict[int, float] = {}
        for ident, rec in self.records.items():
            v = rec.current.value
            if ident not in self.misfits and number_ok(v):
                out[ident] = float(v)
        return out

    def next_seq(self) -> int:
        return 1 + max((s.seq for r in self.records.values() for s in r.timeline), default=0)

    # ---------------------------------------------------------------- changes

    def apply(
        self,
        ind: Indicator,
        *,
        value: Value | None = None,
        na: str | None = None,
        note: str | None = None,
        evidence: "Sequence[Evidence] | None" = None,
        by: str,
        action: str,
        seq: int | None = None,
    ) -> State | None:
        """Record a new state; None when it would change nothing.

        note/evidence of None keep the current ones; value and na replace each other.
        """
        for what, text in (
            ("备注", note),
            ("不适用的原因", na),
            *(("佐证材料", e.name) for e in evidence or ()),
        ):
            if text is not None:  # an Excel cell must carry it whole (values.MAX_TEXT)
                check_text_length(f"第{ind.id}项的{what}", text)
        rec = self.records.get(ind.id)
        prev = rec.current if rec else None
        keep_note = prev.note if prev and note is None else note
        keep_ev = prev.evidence if prev and evidence is None else tuple(evidence or ())
        new = State(
            seq=seq or self.next_seq(),
            action=action,
            by=by,
            at=now_iso(),
            value=None if na is not None else value,
            na=na,
            note=keep_note or None,
            evidence=keep_ev,
        )
        resubmit = prev is not None and prev.review == "returned" and action in SUBMITS_AGAIN
        if prev is not None and prev.same_content(new) and not resubmit:
            return None
        if rec is None:
            self.records[ind.id] = Record(ind.id, [new])
        else:
            rec.timeline.append(new)
        return new

    def clear(self, ind: Indicator, *, by: str, seq: int | None = None) -> State | None:
        """Clear the answer; its evidence stays (remove files with `evidence rm`). `seq`:
        part of a larger change (one `undo` reverts it whole)."""
        rec = self.records.get(ind.id)
        if rec is None or not rec.current.recorded:
            return None
        new = State(
            seq=seq or self.next_seq(),
            action="clear",
            by=by,
            at=now_iso(),
            evidence=rec.current.evidence,
        )
        rec.timeline.append(new)
        return new

    def sign(
        self,
        ident: int,
        *,
        action: str,
        reviewer: str,
        comment: str | None,
        signed_for: str | None,
        seq: int | None = None,
        explanation: str | None = None,
    ) -> State:
        """Record a leader's approval or return of the current answer (checked by the caller).
        The note and the 说明 are exported in one 审核意见 cell ('note；已说明：…'): together
        they must fit it (each alone was checked where it was given)."""
        exported = "；已说明：".join(t for t in (comment, explanation) if t)
        check_text_length(f"第{ident}项的审核意见（连同说明）", exported)
        rec = self.records[ident]
        new = replace(
            rec.current,
            seq=seq or self.next_seq(),
            action=action,
            reverts=None,
            review="approved" if action == "approve" else "returned",
            reviewer=reviewer,
            reviewed_at=now_iso(),
            comment=comment or None,
            signed_for=signed_for,
            explanation=explanation or None,
        )
        rec.timeline.append(new)
        return new

    def evidence(self, ident: int) -> "tuple[Evidence, ...]":
        """The evidence recorded for an indicator (also when it has no answer yet)."""
        rec = self.records.get(ident)
        return rec.current.evidence if rec else ()

    def set_evidence(
        self, ind: Indicator, evidence: "Sequence[Evidence]", *, by: str, seq: int | None = None
    ) -> State | None:
        """Record a new list of evidence, keeping the answer and note; None if unchanged."""
        rec = self.records.get(ind.id)
        prev = rec.current if rec else None
        new = State(
            seq=seq or self.next_seq(),
            action="evidence",
            by=by,
            at=now_iso(),
            value=prev.value if prev else None,
            na=prev.na if prev else None,
            note=prev.note if prev else None,
            evidence=tuple(evidence),
        )
        if prev is not None and prev.same_content(new):
            return None
        if prev is None and not new.evidence:
            return None
        if rec is None:
            self.records[ind.id] = Record(ind.id, [new])
        else:
            rec.timeline.append(new)
        return new

    def last_change(self) -> int | None:
        """The newest change that undo would revert (undos and undone changes are skipped)."""
        states = [s for r in self.records.values() for s in r.timeline]
        undone = {s.reverts for s in states if s.action == "undo"}
        candidates = [s.seq for s in states if s.action != "undo" and s.seq not in undone]
        return max(candidates, default=None)

    def undo(self, *, by: str) -> list[tuple[int, State, State, State]]:
        """Revert the newest change.

        Returns (id, the reverted change, the state before the undo, the restored state).
        """
        target = self.last_change()
        if target is None:
            raise InputError("没有可以撤销的修改")
        seq = self.next_seq()
        done: list[tuple[int, State, State, State]] = []
        for ident, rec in sorted(self.records.items()):
            for pos, st in enumerate(rec.timeline):
                if st.seq != target:
                    continue
                before = rec.timeline[pos - 1] if pos > 0 else None
                restored = State(
                    seq=seq,
                    action="undo",
                    by=by,
                    at=now_iso(),
                    value=before.value if before else None,
                    na=before.na if before else None,
                    note=before.note if before else None,
                    evidence=before.evidence if before else (),
                    reverts=target,
                    **(before.review_fields() if before else {}),
                )
                current = rec.current
                rec.timeline.append(restored)
                done.append((ident, st, current, restored))
                break
        return done

    # ---------------------------------------------------------------- serialization

    def to_text(self) -> str:
        return HEADER + dump_yaml(self.to_data()) + END

    def to_data(self) -> dict[str, Any]:
        answers: dict[int, Any] = {}
        for ident in sorted(self.records):
            rec = self.records[ident]
            data = rec.current.to_data()
            if len(rec.timeline) > 1:
                data["history"] = [s.to_data() for s in rec.timeline[:-1]]
            answers[ident] = data
        return {"format": FORMAT, "checklist": self.checklist_key, "answers": answers}


# ---------------------------------------------------------------- loading


def load_answers(
    path: Path, checklist: Checklist, *, cached: bool = True, proved: bool = False
) -> Answers:
    """Read the answers file; a missing file is an empty set of answers.

    `cached=False` parses the bytes directly. `proved` (for writing): the parse cache's
    data only when writing it gives back exactly these bytes, so what is written back
    never depends on a cache entry that differs from the file.
    """
    from evalcheck.infra.safepath import read_regular

    try:
        raw = read_regular(path, "答案文件")
    except FileNotFoundError:
        return Answers(path=path, checklist_key=checklist.key, exists=False)
    _check_complete(raw, path)
    try:
        if cached:
            data = load_yaml_file(path, raw, proof=_writes_back(raw) if proved else None)
        else:
            data = load_yaml_text(raw.decode("utf-8"), str(path))
    except UnicodeDecodeError:
        raise AnswersCorrupted(f"答案文件 {path} 不是 UTF-8 文本，未做任何修改") from None
    except DataError as exc:
        raise AnswersCorrupted(f"答案文件已损坏，未做任何修改：{exc.message}") from None
    return parse_answers(data, lambda: raw.decode("utf-8"), path, checklist)


def _check_complete(raw: bytes, path: Path) -> None:
    """A file whose header promises the end line but that lacks it was cut off: refused,
    so that the answers after the cut are not lost by the next write."""
    import re

    if END_EXPECTED not in raw[:4096]:  # a file from before the end line, or edited away
        return
    # a line of its own at the start of a line, as a person may retype it ('#文件结束', a
    # full-width space), with lines after it or not (added by hand); never indented: a
    # note's own line "# 文件结束" is inside the YAML, indented under its answer
    space = "[ \t\u3000]*".encode()
    end = b"(?:^|[\r\n])#" + space + "文件结束".encode() + space + b"(?:[\r\n]|$)"
    if re.search(end, raw):
        return
    lines = max(raw.count(b"\n"), raw.count(b"\r"))
    raise AnswersCorrupted(
        f"答案文件 {path} 不完整：缺少最后一行“# 文件结束”（文件只有 {lines} 行，可能在复制或保存时"
        "被截断），未做任何修改。请从备份恢复这个文件；如果是手工修改时删掉了这一行，请在文件末尾补上"
        "“# 文件结束”一行"
    )


def _writes_back(raw: bytes) -> Callable[[Any], bool]:
    """Whether parsed data, written as the answers file, gives exactly `raw`."""
    from evalcheck.infra.yamlemit import emit

    def proof(data: Any) -> bool:
        text = emit(data)
        return text is not None and (HEADER + text + END).encode("utf-8") == raw

    return proof


def parse_answers(
    data: Any, source: Callable[[], str], path: Path, checklist: Checklist
) -> Answers:
    """Answers from parsed YAML data; `source()` gives the text, to find lines in errors."""
    name = str(path)
    if data is None:  # 0 bytes, or comments only: never what evalcheck writes
        from evalcheck.infra import notices

        notices.warn(
            f"答案文件 {name} 是空的（没有任何答案），按尚未填报处理；"
            "如果它原来有答案（文件被截断或清空），请先从备份恢复，再填报"
        )
        return Answers(path=path, checklist_key=checklist.key)

    def broken(keys: Sequence[Any], why: str) -> AnswersCorrupted:
        line = line_of(source(), keys)
        where = f"{name} 第{line}行" if line else name
        return AnswersCorrupted(f"答案文件已损坏，未做任何修改：{where}：{why}")

    if not isinstance(data, Mapping) or "answers" not in data:
        raise broken([], "不是 evalcheck 的答案文件（缺少 answers）")
    _check_format(data, name, broken)
    key = data.get("checklist")
    if not isinstance(key, Mapping):
        raise broken(["checklist"], "缺少 checklist（答案所属的清单）")
    _check_key(key, checklist, broken)
    if dict(key) != checklist.key:
        raise DataError(
            f"答案文件 {name} 属于清单“{key.get('title')}”（{key.get('year')}年），"
            f"而当前清单是“{checklist.title}”（{checklist.year}年）：请用 --answers 指定"
            f"对应的答案文件，或用 --checklist 指定对应的清单"
        )
    raw_answers = data.get("answers")
    if raw_answers is None:  # `answers:` and nothing after it: evalcheck writes `answers: {}`
        from evalcheck.infra import notices

        notices.warn(
            f"答案文件 {name} 在“answers:”之后是空的（没有任何答案），按尚未填报处理；"
            "如果它原来有答案（文件被截断），请先从备份恢复，再填报"
        )
        raw_answers = {}
    if not isinstance(raw_answers, Mapping):
        raise broken(["answers"], "answers 应为 题号 -> 答案 的映射")
    answers = Answers(path=path, checklist_key=checklist.key)
    for ident, raw in raw_answers.items():
        if not isinstance(ident, int) or isinstance(ident, bool):
            raise broken(["answers", ident], f"题号应为整数，实际为{_kind_of(ident)}")
        if not isinstance(raw, Mapping):
            raise broken(["answers", ident], f"第{ident}项的答案应为映射")
        ind = checklist._by_id.get(ident)
        history = raw.get("history") or []
        if not isinstance(history, list):
            raise broken(["answers", ident, "history"], "history 应为列表")
        timeline: list[State] = []
        for n, item in enumerate([*history, raw]):
            keys: list[Any] = ["answers", ident] + (["history", n] if n < len(history) else [])
            timeline.append(_state(item, ind, ident, keys, broken))
        answers.records[ident] = Record(ident, timeline)
        if ind is None:
            answers.orphans.append(ident)
        elif timeline[-1].value is not None and not value_fits(ind, timeline[-1].value):
            answers.misfits[ident] = misfit_reason(ind, timeline[-1].value)
    return answers


TOP_FIELDS = ("format", "checklist", "answers")


def _check_format(data: Mapping[Any, Any], name: str, broken: Any) -> None:
    """`format` is this version's (1), or absent (files written before it was recorded).
    A file from a newer evalcheck is refused, never read and written back as format 1."""
    unknown = sorted(map(str, set(data) - set(TOP_FIELDS)))
    fmt = data.get("format", FORMAT)
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > FORMAT:
        raise AnswersCorrupted(
            f"答案文件 {name} 由更新版本的 evalcheck 写入（format: {fmt}，本版本只读写 "
            f"format: {FORMAT}），未做任何修改：请升级 evalcheck 后再用"
        )
    if unknown:
        raise broken([unknown[0]], f"未知字段 {unknown}（答案文件只有 {'、'.join(TOP_FIELDS)}）")
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 1:
        raise broken(["format"], f"format 应为整数 {FORMAT}，实际为{_kind_of(fmt)}")


def _check_key(key: Mapping[Any, Any], checklist: Checklist, broken: Any) -> None:
    """checklist: {title: 文字, year: 整数}: a year written as text ('2021') is named as such
    (it would otherwise read "属于 2021年的清单，而当前是 2021年的清单")."""
    unknown = sorted(map(str, set(key) - {"title", "year"}))
    if unknown:
        raise broken(["checklist", unknown[0]], f"checklist 中有未知字段 {unknown}")
    title, year = key.get("title"), key.get("year")
    if not isinstance(title, str):
        raise broken(
            ["checklist", "title"], f"checklist 的 title 应为文字，实际为{_kind_of(title)}"
        )
    if isinstance(year, bool) or not isinstance(year, int):
        said = f"文字“{year}”" if isinstance(year, str) else _kind_of(year)
        raise broken(
            ["checklist", "year"],
            f"checklist 的 year 应为整数年份（例如 {checklist.year}，不加引号），实际为{said}",
        )


def _kind_of(v: Any) -> str:
    """What a YAML value is, in words, for a message: 列表 [1, 2], 二进制数据 …."""
    if v is None:
        return "空"
    if isinstance(v, bool):
        return f"是/否（{'true' if v else 'false'}）"
    if isinstance(v, bytes):
        return "二进制数据（!!binary）"
    if isinstance(v, set | frozenset):
        return "集合（!!set）"
    if isinstance(v, list | tuple):
        return "列表"
    if isinstance(v, Mapping):
        return "映射"
    if isinstance(v, dt.datetime | dt.date):
        return f"日期 {v.isoformat()}"
    shown = str(v) if len(str(v)) <= 40 else str(v)[:40] + "……"
    return f"“{shown}”" if isinstance(v, str) else f" {shown}"


_TEXT_FIELDS = {
    "na": "不适用原因",
    "note": "备注",
    "by": "填报人",
    "reviewer": "审核人",
    "comment": "审核意见",
    "signed_for": "代签的责任领导",
    "explanation": "说明",
}
_TIME_FIELDS = {"at": "填报时间", "reviewed_at": "审核时间"}


def _checked_fields(item: Mapping[Any, Any], ident: int, keys: list[Any], broken: Any) -> None:
    """Every field of a state has its type: text is text (a number typed without quotes
    passes as its digits), times are text or YAML timestamps, seq/reverts are integers.
    A list, a mapping, !!binary or !!set is refused: it would be written back as Python
    text (b'hello')."""
    for key, label in (*_TEXT_FIELDS.items(), *_TIME_FIELDS.items()):
        v = item.get(key)
        if key in _TIME_FIELDS and isinstance(v, str) and v.strip() and not _is_time(v.strip()):
            raise broken(
                [*keys, key],
                f"第{ident}项的 {key}（{label}）应为时间，例如 2021-09-20T10:30:00+08:00，"
                f"实际为“{v[:40]}”",
            )
        if v is None or isinstance(v, str):
            continue
        if key in _TIME_FIELDS and isinstance(v, dt.datetime | dt.date):
            continue
        if key in _TEXT_FIELDS and isinstance(v, int | float) and not isinstance(v, bool):
            continue
        raise broken([*keys, key], f"第{ident}项的 {key}（{label}）应为文字，实际为{_kind_of(v)}")
    reverts = item.get("reverts")
    if reverts is not None and (isinstance(reverts, bool) or not isinstance(reverts, int)):
        raise broken(
            [*keys, "reverts"], f"第{ident}项的 reverts 应为整数，实际为{_kind_of(reverts)}"
        )


def _is_time(text: str) -> bool:
    """An ISO date and time as evalcheck writes it (any offset, year 1–9999)."""
    return clock.local_datetime(text) is not None


def _state(item: Any, ind: Indicator | None, ident: int, keys: list[Any], broken: Any) -> State:
    # A value that does not fit its indicator is not "corrupted": it is kept and
    # reported (Answers.misfits); only the file's own structure is checked here.
    if not isinstance(item, Mapping):
        raise broken(keys, f"第{ident}项的历史记录应为映射")
    unknown = set(item) - set(STATE_FIELDS) - {"history"}
    if unknown:
        raise broken([*keys, sorted(map(str, unknown))[0]], f"未知字段 {sorted(map(str, unknown))}")
    seq = item.get("seq")
    if seq is None:
        raise broken(keys, f"第{ident}项缺少 seq（修改序号）")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise broken(
            [*keys, "seq"], f"第{ident}项的 seq（修改序号）应为整数，实际为{_kind_of(seq)}"
        )
    _checked_fields(item, ident, keys, broken)
    action = item.get("action", "set")
    if action not in ACTIONS:
        raise broken([*keys, "action"], f"未知的 action {action!r}")
    value = item.get("value")
    if value is not None and not _plain_value(value):
        raise broken(
            [*keys, "value"],
            f"第{ident}项的值应为数字、是/否、文字或文字列表，实际为{_kind_of(value)}",
        )
    evidence: tuple[Evidence, ...] | str = ()
    if item.get("evidence") is not None:
        from evalcheck.answers.evidence import parse_items

        evidence = parse_items(item["evidence"])
    if isinstance(evidence, str):
        raise broken([*keys, "evidence"], f"第{ident}项的{evidence}")
    at = item.get("at")
    answered = value is not None or item.get("na") is not None
    review, reviewer = _verdict(item, keys, ident, broken, answered)
    return State(
        seq=seq,
        action=str(action),
        by=str(item.get("by") or ""),
        at=at.isoformat() if isinstance(at, dt.datetime) else str(at or ""),
        value=value,
        na=None if item.get("na") is None else str(item["na"]),
        note=None if item.get("note") is None else str(item["note"]),
        evidence=evidence,
        reverts=item.get("reverts"),
        review=review,
        reviewer=reviewer,
        reviewed_at=_text(item.get("reviewed_at")),
        comment=_text(item.get("comment")),
        signed_for=_text(item.get("signed_for")),
        explanation=_text(item.get("explanation")),
    )


def _verdict(
    item: Mapping[str, Any],
    keys: Sequence[Any],
    ident: Any,
    broken: Callable[[Sequence[Any], str], AnswersCorrupted],
    answered: bool,
) -> tuple[str | None, str | None]:
    """A state's review and reviewer: a verdict is one of REVIEW_MARKS, given to an answer
    (a value or 不适用), always signed, and a return always has its reason."""
    review = item.get("review")
    if review is None:
        return None, _text(item.get("reviewer"))
    if review not in REVIEW_MARKS:
        raise broken([*keys, "review"], f"未知的审核状态 {review!r}（应为 approved 或 returned）")
    said = f"第{ident}项记为{'审核通过' if review == 'approved' else '退回'}（review: {review}）"
    reviewer = _text(item.get("reviewer"))
    if not (reviewer or "").strip():
        raise broken([*keys, "reviewer"], f"{said}，但没有审核人")
    if not answered:
        raise broken([*keys, "review"], f"{said}，但没有填报值")
    if review == "returned" and not (_text(item.get("comment")) or "").strip():
        raise broken([*keys, "review"], f"{said}，但没有退回原因（comment）")
    return review, reviewer


def _plain_value(v: Any) -> bool:
    if isinstance(v, bool | int | float | str):
        return True
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _text(v: Any) -> str | None:
    if v is None:
        return None
    return v.isoformat() if isinstance(v, dt.datetime) else str(v)


def line_of(text: str, keys: Sequence[Any]) -> int | None:
    """1-based line of the node at `keys` (best effort; used only to report errors)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if str(k.value) == str(key):
                    line, node = k.start_mark.line + 1, v
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


# ---------------------------------------------------------------- writing


def holder_path(path: Path) -> Path:
    """Who holds the lock (user@host, since when), written while the lock is held.

    Kept apart from the lock file itself: on Windows the lock's byte range cannot be
    read by the waiting process.
    """
    return path.with_name(f".{path.name}.lock.owner")


def lock_timeout(path: Path) -> float:
    """EVALCHECK_LOCK_TIMEOUT, else longer on a network share than on a local disk."""
    raw = os.environ.get(ENV_LOCK_TIMEOUT, "").strip()
    if raw:
        try:
            seconds = float(raw)
        except ValueError:
            seconds = -1.0
        # nan, inf or a negative number would crash the lock or wait forever: the default
        if 0 <= seconds <= 3600:
            return seconds
    from evalcheck.infra.sharing import is_network_path

    return LOCK_WAIT_NETWORK if is_network_path(path) else LOCK_WAIT


def read_holder(path: Path) -> str | None:
    """'张三@PC-07（自 09:12:03 起）' from the holder file, or None."""
    try:
        lines = holder_path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or not lines[0].strip():
        return None
    since = lines[2][11:19] if len(lines) > 2 and len(lines[2]) >= 19 else ""
    return lines[0].strip() + (f"（自 {since} 起）" if since else "")


def kept_files(path: Path) -> list[tuple[Path, str]]:
    """The files a year's work keeps beside the answers file `path` (no output may
    replace one: outputguard.py)."""
    from evalcheck.answers.paths import previous_path
    from evalcheck.infra.outputguard import ANSWERS, MAPPING

    return [
        (path, ANSWERS),
        (lock_path(path), "答案文件的锁文件"),
        (holder_path(path), "答案文件的锁文件"),
        (previous_path(path), MAPPING),
    ]


def lock_path(path: Path) -> Path:
    """The lock beside the answers file (it must be shared with whoever shares the file),
    as a dot file so it does not clutter the user's folder: `.answers.yaml.lock`.

    It stays after release (deleting a lock file another process may be waiting on is a
    race), hidden.
    """
    return path.with_name(f".{path.name}.lock")


@contextmanager
def transaction(path: Path, checklist: Checklist) -> Iterator[Answers]:
    """Lock, load fresh, let the caller change the answers, save atomically.

    If the body raises, nothing is written. The lock file is hidden beside the answers
    file; while it is held, the holder file says who holds it.
    """
    from evalcheck.infra.cache import prime
    from evalcheck.infra.fileio import atomic_write_text
    from evalcheck.infra.locking import LockBusy, acquire
    from evalcheck.infra.outputguard import ANSWERS
    from evalcheck.infra.safepath import check_target

    path = check_target(path)  # a symlink is written through: lock and temp file by the target
    timeout = lock_timeout(path)
    try:
        lock = acquire(lock_path(path), timeout)
    except LockBusy:
        who = read_holder(path)
        by = f"正被 {who} 写入" if who else "正被其他人写入"
        raise WriteError(
            f"答案文件 {path} {by}，已等待 {timeout:g} 秒仍未轮到，未做修改；请稍后再试"
            f"（锁文件 {lock_path(path)}）"
        ) from None
    except OSError as exc:
        where = lock_path(path)
        if where.exists() and not where.is_file():
            raise WriteError(
                f"锁文件 {where} 不是普通文件（文件夹或特殊文件），无法加锁，未做修改；"
                "请删除或改名后重试"
            ) from None
        raise WriteError(f"无法在 {path.parent} 创建锁文件：{os_reason(exc)}") from None
    holder = holder_path(path)
    try:
        _write_holder(holder)
        answers = load_answers(path, checklist, proved=True)
        before = answers.to_data() if answers.exists else None
        yield answers
        data = answers.to_data()
        # plain data compared: YAML is dumped once, only to write; a command that changed
        # nothing where there was no file (e.g. --clear of nothing) creates none
        if data != before and (answers.exists or answers.records):
            text = HEADER + dump_yaml(data) + END
            atomic_write_text(path, text, replacing=ANSWERS)
            prime(path, text.encode("utf-8"), data)
    finally:
        with suppress(OSError):
            holder.unlink()
        lock.close()


def host_name() -> str:
    """This computer's name, without importing socket (3 ms)."""
    if hasattr(os, "uname"):
        return os.uname().nodename or "unknown"
    return os.environ.get("COMPUTERNAME") or "unknown"  # Windows sets it for every session


def _write_holder(holder: Path) -> None:
    text = f"{current_user()}@{host_name()}\n{os.getpid()}\n{now_iso()}\n"
    # Not given Windows' hidden attribute: reopening a hidden file for writing is refused.
    with suppress(OSError):  # only used to name the holder in a message
        holder.unlink(missing_ok=True)
        holder.write_text(text, encoding="utf-8")


def describe_state(ind: Indicator | None, st: State) -> str:
    """'312 个', '不适用（本地无此业务）', '（无）' for messages and history."""
    if st.na is not None:
        return f"不适用（{st.na}）"
    if st.value is None:
        return "（无）"
    return format_value(ind, st.value) if ind else str(st.value)
