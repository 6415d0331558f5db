"""The README's tour, typed in order in an empty folder, prints what the README shows."""

from __future__ import annotations

import pytest

from .readme_tour import README, matches, parse, run_tour


def test_the_tour_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVALCHECK_WIDTH", raising=False)
    problems, results = run_tour(README)
    commands = [r for r in results if not r[0].hidden]
    assert len(commands) >= 40  # the tour covers every command
    assert problems == [], "\n\n".join(problems)


def test_the_tour_parser_and_matcher() -> None:
    steps = parse(
        "x\n```text\n$ evalcheck a\nout\n\n$ evalcheck b\n[退出码 3]\n```\n<!-- tour: fill f 1=2 -->\n"
    )
    assert [(s.command, s.expected, s.hidden) for s in steps] == [
        ("evalcheck a", ["out"], False),
        ("evalcheck b", ["[退出码 3]"], False),
        ("fill f 1=2", [], True),
    ]
    assert matches(["a", "b"], ["a", "b"]) and not matches(["a"], ["a", "b"])
    assert matches(["a", "……", "d"], ["a", "b", "c", "d"]) and not matches(["a", "……"], ["b"])
