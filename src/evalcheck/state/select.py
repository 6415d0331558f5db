"""Filtering indicators and resolving the names people type (pure)."""

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from evalcheck.errors import NotFound
from evalcheck.model.checklist import (
    CN_NUMERALS,
    ROLE_NAMES,
    ROLES,
    UNASSIGNED,
    Checklist,
    Indicator,
)
from evalcheck.model.kinds import REGISTRY
from evalcheck.state.snapshot import STATUS_ALIASES, Row, Snapshot, Status

STATUSES = tuple(s.value for s in Status)


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s).lower()


def closest(given: str, valid: Sequence[str]) -> str | None:
    """The most similar valid name, or None when nothing is close."""
    if not valid:
        return None
    from evalcheck.infra.similarity import best  # only on the error path

    # WRatio's partial_ratio rewards a typed prefix ("审批监管" -> 审批监管科)
    return best(given, valid, cutoff=50)


def resolve(
    what: str, given: str, valid: Sequence[str], aliases: dict[str, str] | None = None
) -> str:
    """Exact name (ignoring spaces and case) or alias; otherwise an error listing the valid ones."""
    key = _squash(given)
    for name in valid:
        if _squash(name) == key:
            return name
    if aliases and key in aliases:
        return aliases[key]
    hint = closest(given, valid)
    tip = f"，您是不是要找“{hint}”？" if hint else ""
    raise NotFound(f"未知的{what}“{given}”{tip}（可选：{'、'.join(valid)}）")


def category_aliases(checklist: Checklist) -> dict[str, str]:
    """'1', '一', '一、网上政务服务能力' -> '网上政务服务能力'."""
    out: dict[str, str] = {}
    for n, name in enumerate(checklist.categories, start=1):
        out[str(n)] = name
        if n <= len(CN_NUMERALS):
            out[CN_NUMERALS[n - 1]] = name
        out[_squash(checklist.category_label(name))] = name
    return out


class Filters(NamedTuple):
    sections: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    unassigned: bool = False


def _section_names(checklist: Checklist) -> list[str]:
    unassigned = any(i.section is None for i in checklist.indicators)
    return [*checklist.sections, *([UNASSIGNED] if unassigned else [])]


def resolve_kind(given: str) -> str:
    """A kind by its name or its label (count, 数量)."""
    aliases = {_squash(k.label): name for name, k in REGISTRY.items()}
    return resolve("题型", given, tuple(REGISTRY), aliases)


def resolve_role(given: str) -> str:
    return resolve("任务类型", given, ROLES, {v: k for k, v in ROLE_NAMES.items()})


def resolve_status(given: str, review: bool = True) -> str:
    """A status (answered, na, computed, open), the lifecycle's final (定稿), or a review
    stage (pending, approved, returned); the review stages only when `review` (the
    checklist has review on)."""
    from evalcheck.answers.review import REVIEW_ALIASES, Review
    from evalcheck.state.lifecycle import STAGE_ALIASES

    aliases = {k: v.value for k, v in STATUS_ALIASES.items()}
    aliases.update({k: v.value for k, v in STAGE_ALIASES.items()})
    if not review:
        return resolve("填报状态", given, (*STATUSES, "final"), aliases)
    aliases.update({k: v.value for k, v in REVIEW_ALIASES.items()})
    valid = (*STATUSES, *(r.value for r in Review), "final")
    return resolve("填报状态", given, valid, aliases)


def stage_names(r: Row) -> tuple[str, ...]:
    """The `--status` names a row's lifecycle stage answers to: 'final' (and 'approved'
    with review on), 'pending', 'returned' — derived values by their inputs."""
    from evalcheck.state.lifecycle import Stage

    if r.stage is Stage.FINAL:
        return ("final", "approved") if r.review_on else ("final",)
    if r.stage is Stage.OPEN or not r.review_on:
        return ()
    return (r.stage.value,)


def resolve_filters(checklist: Checklist, f: Filters) -> Filters:
    """Canonical names for everything typed; unknown names raise NotFound."""
    # 未指定科室 is shown as a section name everywhere, so it is accepted as one
    unassigned = [s for s in f.sections if _squash(s) == _squash(UNASSIGNED)]
    named = [s for s in f.sections if s not in unassigned]
    return Filters(
        sections=tuple(resolve("责任科室", s, _section_names(checklist)) for s in named),
        owners=tuple(resolve("责任领导", o, checklist.owners) for o in f.owners),
        categories=tuple(
            resolve("二级指标", c, checklist.categories, category_aliases(checklist))
            for c in f.categories
        ),
        kinds=tuple(resolve_kind(k) for k in f.kinds),
        roles=tuple(resolve_role(r) for r in f.roles),
        search=f.search,
        statuses=tuple(_status(checklist, s) for s in f.statuses),
        unassigned=f.unassigned or bool(unassigned),
    )


def _status(checklist: Checklist, given: str) -> str:
    return resolve_status(given, checklist.review)


def select(checklist: Checklist, f: Filters) -> list[Indicator]:
    """AND across kinds of filter; a repeated filter means OR. Names must be resolved first.

    The status filter needs the snapshot: see `select_rows`.
    """
    tests: list[Callable[[Indicator], bool]] = []
    if f.sections or f.unassigned:
        secs = set(f.sections)
        tests.append(
            lambda i: not secs.isdisjoint(i.sections) or (f.unassigned and i.section is None)
        )
    if f.owners:
        owners = set(f.owners)
        tests.append(lambda i: not owners.isdisjoint(i.owners))
    if f.categories:
        tests.append(lambda i: i.category in f.categories)
    if f.kinds:
        tests.append(lambda i: i.kind in f.kinds)
    if f.roles:
        tests.append(lambda i: i.role in f.roles)
    if f.search:
        needles = [_squash(q) for q in f.search]
        tests.append(lambda i: any(n in _squash(i.text) for n in needles))
    return [i for i in checklist.indicators if all(t(i) for t in tests)]


def select_rows(snap: Snapshot, f: Filters) -> list[Row]:
    """The snapshot rows that pass every filter, in checklist order."""
    rows = snap.where(i.id for i in select(snap.checklist, f))
    if f.statuses:
        wanted = set(f.statuses)
        rows = [
            r for r in rows if r.status.value in wanted or not wanted.isdisjoint(stage_names(r))
        ]
    return rows
