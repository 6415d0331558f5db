"""Shared fixtures: a CliRunner in an empty folder, the seed table, helpers."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
import typer
from typer.testing import CliRunner, Result

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


class BuiltOnceRunner(CliRunner):
    """Typer's CliRunner, but the Click command tree is built from the app once per test
    session instead of on every invoke (Typer's `invoke` rebuilds all the commands from
    their signatures, ~60 ms, which was a fifth of the suite's time). The tree holds no
    state between runs: Click makes a new context for each. The body is Typer's
    `CliRunner.invoke` (0.28) with only that line changed."""

    _built: ClassVar[dict[int, Any]] = {}

    def invoke(  # type: ignore[override]
        self,
        app: typer.Typer,
        args: Sequence[str] | None = None,
        input: str | None = None,
        env: dict[str, str | None] | None = None,
        catch_exceptions: bool = True,
        color: bool = False,
        **extra: Any,
    ) -> Result:
        cli = self._built.get(id(app))
        if cli is None:
            cli = self._built[id(app)] = typer.main.get_command(app)
        exc_info = None
        with self.isolation(input=input, env=env, color=color) as outstreams:
            return_value = None
            exception: BaseException | None = None
            exit_code = 0
            prog_name = extra.pop("prog_name", None) or self.get_default_prog_name(cli)
            try:
                return_value = cli.main(args=args or (), prog_name=prog_name, **extra)
            except SystemExit as e:
                exc_info = sys.exc_info()
                code = 0 if e.code is None else e.code
                if code != 0:
                    exception = e
                if not isinstance(code, int):
                    sys.stdout.write(f"{code}\n")
                    code = 1
                exit_code = code
            except Exception as e:
                if not catch_exceptions:
                    raise
                exception, exit_code, exc_info = e, 1, sys.exc_info()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                stdout, stderr, output = (s.getvalue() for s in outstreams[:3])
        return Result(self, stdout, stderr, output, return_value, exit_code, exception, exc_info)  # type: ignore[arg-type]


@pytest.fixture()
def run():
    """run("list", "--section", "审批监管科") -> Result, with stdout and stderr apart."""
    runner = BuiltOnceRunner()

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
