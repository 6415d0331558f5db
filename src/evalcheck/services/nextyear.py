"""`checklist-import TABLE --from-checklist LAST`: next year's checklist from the bureau's
table, with last year's rules, formulas, options, reviewed kinds, units and evidence
carried to the new ids (year/carryover.py). Nothing here prints."""

from pathlib import Path
from typing import Any

from evalcheck.year.carryover import CarriedOver, carry_over


def carry_from_checklist(doc: dict[str, Any], last: Path) -> tuple[dict[str, Any], CarriedOver]:
    """`doc` (built from the table) with what last year's checklist `last` adds to it.

    `last` must be a valid checklist (a broken one is refused with its problems, as
    everywhere); its own YAML is what is carried, comments aside.
    """
    from evalcheck.infra.yamlio import load_yaml_file
    from evalcheck.model.loading import load_checklist, read_checklist_bytes

    load_checklist(last)  # validated: refused with located problems otherwise
    raw = load_yaml_file(last, read_checklist_bytes(last))
    return carry_over(doc, raw)
