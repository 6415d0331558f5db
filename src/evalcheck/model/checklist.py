"""The checklist's models: indicators, options, rules, thresholds and the whole list.

Loading is loading.py's, validation validation.py's.

The checklist file is the single source of truth and is edited by people, so every
problem is reported with the indicator id and the field, all at once.
"""

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from evalcheck.errors import NotFound
from evalcheck.model.entity import Entity
from evalcheck.model.kinds import is_numeric

if TYPE_CHECKING:  # units.py (and its rollups) load only where a checklist has units
    from evalcheck.model.units import UnitsPlan

ROLES = ("lead", "support")
ROLE_NAMES = {"lead": "牵头", "support": "配合"}
SEVERITIES = ("error", "warning")
CN_NUMERALS = "一二三四五六七八九十"
UNASSIGNED = "未指定科室"
EVIDENCE_REQUIREMENTS = ("required", "optional")  # 佐证材料 an indicator asks for
ENV_CHECKLIST = "EVALCHECK_CHECKLIST"

INDICATOR_FIELDS = (
    "id",
    "category",
    "text",
    "owner",
    "section",
    "due",
    "due_text",
    "role",
    "kind",
    "unit",
    "options",
    "range",
    "formula",
    "plausibility",
    "evidence",
    "collect",
    "rollup",
)
PLAUSIBILITY_FIELDS = ("count_factor", "percent_points")


# Small values (Option, Rule) are NamedTuples; the entities and the thresholds are frozen,
# slotted entities (model/entity.py): equal only to their own class, not iterable, and built already
# normalised (validation gives the lead-first lists; nothing is fixed up behind the
# constructor).


class Option(NamedTuple):
    text: str
    exclusive: bool = False  # e.g. "以上均未实现": cannot be combined with others


class Thresholds(Entity):
    """How far this year's answer may move from last year's before `check` asks.

    count_factor: a count changing by more than this fraction of last year's (0.5 = 50%);
    percent_points: a percent moving more than this many points. None = inherit the
    checklist's value (for an indicator's override); enabled False = no such warnings.
    """

    count_factor: float | None = None
    percent_points: float | None = None
    enabled: bool = True

    def over(self, base: "Thresholds") -> "Thresholds":
        """These thresholds, with what they leave open taken from `base`."""
        return Thresholds(
            base.count_factor if self.count_factor is None else self.count_factor,
            base.percent_points if self.percent_points is None else self.percent_points,
            self.enabled and base.enabled,
        )


DEFAULT_THRESHOLDS = Thresholds(count_factor=0.5, percent_points=20)


class Indicator(Entity, kw_only=True):
    """One indicator of the checklist (immutable).

    `sections`/`owners` are every responsible section and leader, the lead first;
    `section`/`owner` (the lead) are read from them, so the two cannot disagree.
    """

    id: int
    category: str
    text: str
    due: dt.date
    role: str
    kind: str
    sections: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    unit: str | None = None
    options: tuple[Option, ...] = ()
    low: float | None = None  # numeric range; None = unbounded
    high: float | None = None
    formula: str | None = None  # derived value, e.g. "q120 / q119 * 100"
    plausibility: Thresholds | None = None  # overrides of the checklist's thresholds
    due_text: str | None = None  # 完成时限 as the bureau wrote it, e.g. "9月15日前"
    evidence: str = "optional"  # 佐证材料: "required" | "optional" (checklist default applied)

    @property
    def section(self) -> str | None:
        """The lead section (None when none is named)."""
        return self.sections[0] if self.sections else None

    @property
    def owner(self) -> str | None:
        """The lead's leader (None when none is named)."""
        return self.owners[0] if self.owners else None

    @property
    def evidence_required(self) -> bool:
        return self.evidence == "required"

    @property
    def option_texts(self) -> list[str]:
        return [o.text for o in self.options]

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-friendly (dates as ISO strings)."""
        return {
            "id": self.id,
            "category": self.category,
            "text": self.text,
            "owner": self.owner,
            "section": self.section,
            "owners": list(self.owners),
            "sections": list(self.sections),
            "due": self.due.isoformat(),
            "due_text": self.due_text,
            "role": self.role,
            "kind": self.kind,
            "unit": self.unit,
            "options": self.option_texts,
            "range": [self.low, self.high] if is_numeric(self.kind) else None,
            "formula": self.formula,
            "evidence": self.evidence,
        }


class Rule(NamedTuple):
    id: str
    check: str
    severity: str
    message: str

    @property
    def refs(self) -> list[int]:
        from evalcheck.model import expr

        return expr.references(self.check)


class Checklist:
    """The whole checklist. Immutable by convention (nothing assigns to it after
    validation builds it); `with_path` makes a copy that names another file."""

    FIELDS = (
        "title", "year", "categories", "sections", "owners", "indicators", "rules", "review",
        "path", "warnings", "plausibility", "label", "footnote", "fonts", "units", "deputies",
    )  # fmt: skip
    __slots__ = (*FIELDS, "_by_id")

    def __init__(
        self,
        title: str,
        year: int,
        categories: tuple[str, ...],
        sections: tuple[str, ...],
        owners: tuple[str, ...],
        indicators: tuple[Indicator, ...],
        rules: tuple[Rule, ...] = (),
        review: bool = False,  # leaders sign off answers (审核): pending -> approved / returned
        path: str = "",
        warnings: tuple[str, ...] = (),
        plausibility: Thresholds = DEFAULT_THRESHOLDS,  # year-over-year warnings in `check`
        # the source's framing of the attachment, kept verbatim: "附件 1" and the 备注 paragraph
        label: str | None = None,
        footnote: str | None = None,
        fonts: tuple[tuple[str, tuple[str, ...]], ...] = (),  # (role, font names), fonts.py
        units: "UnitsPlan | None" = None,  # sub-units that fill collected indicators (units.py)
        # who may sign on a leader's behalf (审核代签): (owner, (deputy, ...)), in file order
        deputies: tuple[tuple[str, tuple[str, ...]], ...] = (),
    ) -> None:
        self.title = title
        self.year = year
        self.categories = categories
        self.sections = sections
        self.owners = owners
        self.indicators = indicators
        self.rules = rules
        self.review = review
        self.path = path
        self.warnings = warnings
        self.plausibility = plausibility
        self.label = label
        self.footnote = footnote
        self.fonts = fonts
        self.units = units
        self.deputies = deputies
        self._by_id = {i.id: i for i in indicators}

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled by its fields; the index is rebuilt
        return (Checklist, self._values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Checklist) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"Checklist({self.title!r}, {self.year}, {len(self.indicators)} 项, {self.path!r})"

    def with_path(self, path: str) -> "Checklist":
        fields = dict(zip(self.FIELDS, self._values(), strict=True))
        fields["path"] = path
        return Checklist(**fields)

    @property
    def key(self) -> dict[str, Any]:
        """What an answers file records to say which checklist it belongs to."""
        return {"title": self.title, "year": self.year}

    def deputies_of(self, owner: str) -> tuple[str, ...]:
        """The people listed in `deputies` to sign for `owner` (empty when none)."""
        return next((names for name, names in self.deputies if name == owner), ())

    def signs_for(self, ind: Indicator, reviewer: str) -> tuple[bool, str | None]:
        """Whether `reviewer` may sign `ind`'s answer, and for whom: (True, None) for one
        of its leaders, (True, leader) for a deputy listed for one of them, else (False, None)."""
        if reviewer in ind.owners:
            return True, None
        for owner in ind.owners:
            if reviewer in self.deputies_of(owner):
                return True, owner
        return False, None

    def get(self, ident: int) -> Indicator:
        ind = self._by_id.get(ident)
        if ind is None:
            lo, hi = min(self._by_id), max(self._by_id)
            raise NotFound(f"没有第{ident}项指标：题号应在 {lo}–{hi} 之间（清单：{self.path}）")
        return ind

    def has(self, ident: int) -> bool:
        return ident in self._by_id

    def thresholds(self, ind: Indicator) -> Thresholds:
        """The year-over-year thresholds of one indicator (its own, else the checklist's)."""
        if ind.plausibility is None:
            return self.plausibility
        return ind.plausibility.over(self.plausibility)

    def category_label(self, name: str) -> str:
        """'网上政务服务能力' -> '一、网上政务服务能力', as the bureau's table writes it."""
        try:
            n = self.categories.index(name)
        except ValueError:
            return name
        return f"{cn_numeral(n + 1)}、{name}"


def id_ranges(nums: Iterable[int]) -> str:
    """'1–3、7' for [1, 2, 3, 7]: indicator ids as people write them."""
    out: list[str] = []
    ns = sorted(set(nums))
    i = 0
    while i < len(ns):
        j = i
        while j + 1 < len(ns) and ns[j + 1] == ns[j] + 1:
            j += 1
        out.append(str(ns[i]) if i == j else f"{ns[i]}–{ns[j]}")
        i = j + 1
    return "、".join(out)


def cn_numeral(n: int) -> str:
    if 1 <= n <= 10:
        return CN_NUMERALS[n - 1]
    if n < 20:
        return "十" + CN_NUMERALS[n - 11]
    return str(n)


# the model classes the parse cache may rebuild (see cache.py)
CACHEABLE = {
    *((__name__, cls) for cls in ("Checklist", "Indicator", "Option", "Rule", "Thresholds")),
    ("evalcheck.model.units", "UnitsPlan"),
    ("evalcheck.model.rollups", "Spec"),
}
