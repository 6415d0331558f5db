"""The domain entities are classes: equal only to their own kind, not tuples in disguise."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

from evalcheck.answers import tiers
from evalcheck.answers.store import State, load_answers
from evalcheck.model import checklist as cl
from evalcheck.model.checklist import Indicator
from evalcheck.model.entity import FrozenInstanceError, fields, replace
from evalcheck.state.snapshot import Row, take

DUE = dt.date(2021, 9, 15)


def test_indicator_state_and_row_are_frozen_classes_not_tuples(run, checklist) -> None:
    ind = checklist.get(47)
    st = State(seq=1, action="answer", by="李四", at="2021-09-01T10:00:00", value=3)
    assert run("answer", "47", "--value", "312").exit_code == 0
    row = take(checklist, load_answers(Path("answers.yaml"), checklist), DUE).row(47)
    for entity in (ind, st, row):
        assert not isinstance(entity, tuple)
        assert entity != tuple(getattr(entity, name) for name in fields(entity))
        with pytest.raises(TypeError):
            iter(entity)  # type: ignore[call-overload]
        with pytest.raises(FrozenInstanceError):  # an AttributeError, as a dataclass's
            setattr(entity, fields(entity)[0], 5)
        with pytest.raises(AttributeError):
            delattr(entity, fields(entity)[0])
        assert not hasattr(entity, "__dict__")  # slotted
        assert entity == replace(entity) and hash(entity) == hash(replace(entity))
    assert isinstance(row, Row) and row.state is not None and row.state.value == 312
    assert replace(st, value=4).value == 4 and st.value == 3
    with pytest.raises(TypeError):
        replace(st, no_such_field=1)


def test_an_entity_is_built_as_a_dataclass_is() -> None:
    """Positional and keyword fields, defaults, keyword-only where declared; a missing or
    unknown field is a TypeError, as a dataclass's constructor says."""
    st = State(1, "set", "李四", "2021-09-01T10:00:00", 3)
    assert (st.seq, st.value, st.na, st.evidence) == (1, 3, None, ())
    assert st == State(seq=1, action="set", by="李四", at="2021-09-01T10:00:00", value=3)
    assert repr(st).startswith("State(seq=1, action='set', by='李四'")
    for bad in ((), (1, "set", "李四", "at", 3, None, None, (), None, None, None, None, None, None,
                     None, "one too many")):  # fmt: skip
        with pytest.raises(TypeError):
            State(*bad)
    with pytest.raises(TypeError):
        State(1, "set", "李四", "at", typo=1)  # type: ignore[call-arg]
    assert cl.Thresholds(0.5) == cl.Thresholds(count_factor=0.5, percent_points=None)
    with pytest.raises(TypeError, match="multiple values for argument 'count_factor'"):
        cl.Thresholds(1, count_factor=2)


def test_an_entity_subclass_keeps_its_base_s_fields() -> None:
    class Wider(cl.Thresholds):
        extra: int = 0

    wide = Wider(1, 2, True, 5)
    assert fields(wide) == ("count_factor", "percent_points", "enabled", "extra")
    assert (wide.count_factor, wide.extra) == (1, 5) and Wider(1).extra == 0
    assert wide != cl.Thresholds(1, 2, True) and not hasattr(wide, "__dict__")


def test_an_indicator_is_built_normalised_and_pickles_whole(checklist) -> None:
    ind = checklist.get(47)
    assert ind.section == ind.sections[0] and ind.owner == ind.owners[0]
    assert pickle.loads(pickle.dumps(ind)) == ind
    bare = Indicator(id=1, category="甲", text="?", due=DUE, role="lead", kind="text")
    assert (bare.section, bare.owner) == (None, None)
    with pytest.raises(TypeError):
        Indicator(1, "甲", "?", DUE, "lead", "text")  # type: ignore[misc]  # keywords only


def test_the_two_thresholds_are_not_equal_to_each_other() -> None:
    checked = cl.Thresholds(7, 7, 7)  # type: ignore[arg-type]
    reminded = tiers.Thresholds(7, 7, 7)
    assert checked != reminded and reminded != checked
    assert checked == cl.Thresholds(7, 7, 7) and reminded == tiers.Thresholds(7, 7, 7)
