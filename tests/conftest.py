"""Shared fixtures: a CliRunner in an empty folder, the seed table, helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evalcheck.cli import app
from evalcheck.model.checklist import Checklist
from evalcheck.model.loading import bundled_checklist_path, load_checklist

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "000_b92121885e920284.txt"
SEED_COPY = Path(__file__).parent / "data" / "seed_2021.txt"
# The date every test runs on; override with EVALCHECK_TEST_TODAY to try another day.
TEST_TODAY = os.environ.get("EVALCHECK_TEST_TODAY", "2026-12-02")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test runs in an empty folder with no EVALCHECK_* settings and a fixed width."""
    for var in list(os.environ):
        if var.startswith("EVALCHECK_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("EVALCHECK_WIDTH", "160")
    # No test depends on the calendar: the tool's today is pinned (see clock.py).
    monkeypatch.setenv("EVALCHECK_TODAY", TEST_TODAY)
    monkeypatch.setenv("EVALCHECK_LOCK_TIMEOUT", "2")
    monkeypatch.setenv("EVALCHECK_CACHE_DIR", str(tmp_path / "_cache"))
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture(scope="session")
def checklist() -> Checklist:
    return load_checklist(bundled_checklist_path())


@pytest.fixture()
def run():
    """run("list", "--section", "审批监管科") -> Result, with stdout and stderr apart."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return _run


def seed_text() -> str:
    """The bureau's own table (a copy is kept in tests/data so the tests stand alone)."""
    return SEED_COPY.read_text(encoding="utf-8")


@pytest.fixture()
def with_deputies(monkeypatch: pytest.MonkeyPatch):
    """with_deputies({"高秀英": ["万富春"]}): the bundled checklist plus `deputies`, in use."""

    def _use(deputies: dict[str, list[str]], name: str = "清单.yaml") -> Path:
        text = bundled_checklist_path().read_text(encoding="utf-8")
        lines = "".join(f"  {owner}: [{', '.join(names)}]\n" for owner, names in deputies.items())
        path = Path(name)
        path.write_text(f"{text.rstrip()}\ndeputies:\n{lines}", encoding="utf-8")
        monkeypatch.setenv("EVALCHECK_CHECKLIST", str(path.resolve()))
        return path

    return _use
