"""Frozen, slotted entity classes (Indicator, State, Row, the thresholds) without the
start-up cost of dataclasses.

They are declared as a dataclass is: fields as annotations, defaults after the fields
without one, `kw_only=True` in the class line for keyword-only construction. Unlike a
dataclass, nothing is generated as source text and compiled when the module is
imported (@dataclass costs about 1 ms a class, and every command imports four of them):
one __init__, __eq__, __hash__ and __repr__ serve every entity, reading the fields the
class declared. Type checkers read the fields as they read a dataclass's
(typing.dataclass_transform).

An entity is equal only to an entity of its own class with equal fields (never to a
tuple or to another class with the same fields), cannot be changed once built
(FrozenInstanceError), has no __dict__, and is rebuilt with `replace`.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar, dataclass_transform


class FrozenInstanceError(AttributeError):
    """An assignment to a field of an entity (they never change once built)."""


E = TypeVar("E", bound="Entity")
_MISSING: Any = object()


@dataclass_transform(frozen_default=True)
class _EntityMeta(type):
    """Makes each annotated field a slot and keeps the fields' order and defaults."""

    def __new__(
        mcs, name: str, bases: tuple[type, ...], ns: dict[str, Any], *, kw_only: bool = False
    ) -> _EntityMeta:
        if not any(isinstance(base, _EntityMeta) for base in bases):  # Entity itself
            return super().__new__(mcs, name, bases, ns)
        own = tuple(ns.get("__annotations__", {}))
        defaults = {f: ns.pop(f) for f in own if f in ns}
        ns["__slots__"] = own
        inherited: tuple[str, ...] = ()
        for base in bases:  # a subclass adds its fields after its base's, as a dataclass
            inherited += getattr(base, "_fields", ())
            defaults = {**getattr(base, "_defaults", {}), **defaults}
        fields = inherited + tuple(f for f in own if f not in inherited)
        if not kw_only:
            ns["__match_args__"] = fields
        cls = super().__new__(mcs, name, bases, ns)
        cls._fields = fields  # type: ignore[attr-defined]
        cls._defaults = defaults  # type: ignore[attr-defined]
        cls._kw_only = kw_only  # type: ignore[attr-defined]
        return cls


class Entity(metaclass=_EntityMeta):
    """The base of the entities: see the module's docstring."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]]
    _defaults: ClassVar[dict[str, Any]]
    _kw_only: ClassVar[bool]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        fields = cls._fields
        if args and (cls._kw_only or len(args) > len(fields)):
            limit = "its fields by keyword" if cls._kw_only else f"at most {len(fields)} arguments"
            raise TypeError(f"{cls.__name__}() takes {limit}")
        assign = object.__setattr__
        for name, value in zip(fields, args, strict=False):
            assign(self, name, value)
        pop, defaults = kwargs.pop, cls._defaults
        for name in fields[len(args) :] if args else fields:
            value = pop(name, _MISSING)
            if value is _MISSING:
                value = defaults.get(name, _MISSING)
                if value is _MISSING:
                    raise TypeError(f"{cls.__name__}() missing argument: '{name}'")
            assign(self, name, value)
        if kwargs:
            extra = next(iter(kwargs))
            why = "multiple values for" if extra in fields else "an unexpected"
            raise TypeError(f"{cls.__name__}() got {why} argument '{extra}'")

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field '{name}'")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field '{name}'")

    def __getstate__(self) -> tuple[Any, ...]:  # pickle, copy
        return self._values()

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self._fields, state, strict=True):
            object.__setattr__(self, name, value)


def fields(entity: Entity | type[Entity]) -> tuple[str, ...]:
    """The names of an entity's fields, in their declared order."""
    return entity._fields


def replace(entity: E, **changes: Any) -> E:
    """A copy of `entity` with some fields changed (as dataclasses.replace)."""
    unknown = set(changes) - set(entity._fields)
    if unknown:
        raise TypeError(f"{type(entity).__name__} has no field '{sorted(unknown)[0]}'")
    values = {name: changes.get(name, getattr(entity, name)) for name in entity._fields}
    return type(entity)(**values)
