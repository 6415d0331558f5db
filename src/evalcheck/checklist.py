"""The checklist: indicator models, loading and validation of the checklist YAML.

The checklist file is the single source of truth and is edited by people, so every
problem is reported with the indicator id and the field, all at once.
"""

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ChecklistInvalid, DataError, NotFound
from .values import KIND_NAMES, KINDS, NUMERIC_KINDS, OPTION_KINDS  # the kinds live in values.py

__all__ = ["KINDS", "KIND_NAMES", "NUMERIC_KINDS", "OPTION_KINDS"]  # re-exported

ROLES = ("lead", "support")
ROLE_NAMES = {"lead": "牵头", "support": "配合"}
SEVERITIES = ("error", "warning")
CN_NUMERALS = "一二三四五六七八九十"
UNASSIGNED = "未指定科室"
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
)
PLAUSIBILITY_FIELDS = ("count_factor", "percent_points")


# The models are NamedTuples and one plain class, not dataclasses: a dataclass costs about
# half a millisecond to define (it compiles its methods), paid by every command at start-up,
# and unpickles (from the parse cache) field by field.


class Option(NamedTuple):
    text: str
    exclusive: bool = False  # e.g. "以上均未实现": cannot be combined with others


class Thresholds(NamedTuple):
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


class _IndicatorFields(NamedTuple):
    id: int
    category: str
    text: str
    owner: str | None
    section: str | None
    due: dt.date
    role: str
    kind: str
    unit: str | None = None
    options: tuple[Option, ...] = ()
    low: float | None = None  # numeric range; None = unbounded
    high: float | None = None
    formula: str | None = None  # derived value, e.g. "q120 / q119 * 100"
    plausibility: Thresholds | None = None  # overrides of the checklist's thresholds
    due_text: str | None = None  # 完成时限 as the bureau wrote it, e.g. "9月15日前"
    evidence: str = "optional"  # 佐证材料: "required" | "optional" (checklist default applied)
    # every responsible section and leader, the lead first (section/owner are the lead)
    sections: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()


class Indicator(_IndicatorFields):
    """One indicator of the checklist (immutable)."""

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> "Indicator":
        self = super().__new__(cls, *args, **kwargs)
        # one source of truth for callers that give only the lead, or only the lists
        sections = self.sections or ((self.section,) if self.section is not None else ())
        owners = self.owners or ((self.owner,) if self.owner is not None else ())
        section = sections[0] if sections else None
        owner = owners[0] if owners else None
        if (sections, owners, section, owner) == (
            self.sections,
            self.owners,
            self.section,
            self.owner,
        ):
            return self
        return self._replace(sections=sections, owners=owners, section=section, owner=owner)

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
            "range": [self.low, self.high] if self.kind in NUMERIC_KINDS else None,
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
        from . import expr

        return expr.references(self.check)


class Checklist:
    """The whole checklist. Immutable by convention (nothing assigns to it after
    validation builds it); `with_path` makes a copy that names another file."""

    FIELDS = (
        "title", "year", "categories", "sections", "owners", "indicators", "rules", "review",
        "path", "warnings", "plausibility", "label", "footnote", "fonts",
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


# ---------------------------------------------------------------- locating the file


def bundled_checklist_path() -> Path:
    """data/indicators.yaml, shipped in the wheel as the package `evalcheck.data`."""
    import importlib

    # a package marker, mapped from the repository's data/ folder (see pyproject.toml);
    # cheaper at start-up than importlib.resources
    data = importlib.import_module("evalcheck.data")
    return Path(str(data.__file__)).with_name("indicators.yaml")


WORK_CHECKLIST = "indicators.yaml"  # the checklist of a work folder (evalcheck init)


class ChecklistSource(NamedTuple):
    """Which checklist a command uses, and why."""

    path: Path
    origin: str  # "option" (--checklist) | "env" | "folder" (./indicators.yaml) | "bundled"

    def describe(self) -> str:
        """One line for users: '清单：indicators.yaml（当前文件夹中的清单）'."""
        why = {
            "option": "由 --checklist 指定",
            "env": f"由环境变量 {ENV_CHECKLIST} 指定",
            "folder": "当前文件夹中的清单",
        }
        if self.origin == "bundled":
            return "清单：随程序附带的清单（要修改请先 evalcheck init）"
        return f"清单：{self.path}（{why[self.origin]}）"


def locate_checklist(option: str | None) -> ChecklistSource:
    """--checklist, else $EVALCHECK_CHECKLIST, else ./indicators.yaml, else the bundled file."""
    if option:
        return ChecklistSource(Path(option), "option")
    env = os.environ.get(ENV_CHECKLIST)
    if env:
        return ChecklistSource(Path(env), "env")
    here = Path(WORK_CHECKLIST)
    if here.is_file():
        return ChecklistSource(here, "folder")
    return ChecklistSource(bundled_checklist_path(), "bundled")


def resolve_checklist_path(option: str | None) -> Path:
    """The checklist file a command uses (see locate_checklist for the order)."""
    return locate_checklist(option).path


def read_checklist_bytes(path: Path) -> bytes:
    from .safepath import read_regular  # a folder, FIFO or device is refused, not read

    try:
        return read_regular(path, "清单文件")
    except FileNotFoundError:
        raise DataError(f"找不到清单文件：{path}") from None


def load_checklist(path: Path) -> Checklist:
    """Load and validate; raise ChecklistInvalid listing every error.

    A checklist that validated before is taken from the parse cache (cache.py) as
    long as the file's bytes are unchanged: no YAML parsing, no validation.
    """
    from .cache import parse_cached

    raw = read_checklist_bytes(path)

    def build(text: str) -> Checklist:
        from .validation import validate_text

        checklist, problems = validate_text(text, path)
        errors = [p.text for p in problems if p.level == "error"]
        if errors or checklist is None:
            raise ChecklistInvalid(
                f"清单文件 {path} 有 {len(errors)} 处错误（用 evalcheck validate {path} 查看全部）",
                errors,
            )
        return checklist

    try:
        checklist: Checklist = parse_cached(path, raw, build, CACHEABLE, tag="checklist")
    except UnicodeDecodeError:
        raise ChecklistInvalid(f"清单文件 {path} 不是 UTF-8 编码的文本", []) from None
    if checklist.path != str(path):
        checklist = checklist.with_path(str(path))
    return checklist


# the model classes the parse cache may rebuild (see cache.py)
CACHEABLE = {(__name__, cls) for cls in ("Checklist", "Indicator", "Option", "Rule", "Thresholds")}
