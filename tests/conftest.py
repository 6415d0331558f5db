"""Shared fixtures: a CliRunner in an empty folder, the seed table, helpers."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
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


@pytest.fixture(scope="session")
def _bundled_entry(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The parse cache's entry for the bundled checklist, made once per session (each
    test's own cache folder would otherwise parse and validate it again: ~20 ms a test)."""
    folder = tmp_path_factory.mktemp("bundled_cache")
    saved = os.environ.get("EVALCHECK_CACHE_DIR")
    os.environ["EVALCHECK_CACHE_DIR"] = str(folder)
    try:
        load_checklist(bundled_checklist_path())
    finally:
        if saved is None:
            del os.environ["EVALCHECK_CACHE_DIR"]
        else:
            os.environ["EVALCHECK_CACHE_DIR"] = saved
    found = list(folder.glob("*.entry"))
    return found[0] if len(found) == 1 else None


def _cold_cache(request: pytest.FixtureRequest) -> bool:
    """Tests of the cache itself start with an empty cache folder."""
    node = request.node
    return (
        node.get_closest_marker("cold_cache") is not None
        or "cache" in node.name
        or node.path.name == "test_cache.py"
    )


@pytest.fixture(autouse=True)
def _isolated(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    _bundled_entry: Path | None,
) -> Iterator[None]:
    """Every test runs in an empty folder with no EVALCHECK_* settings and a fixed width;
    its own parse cache holds the bundled checklist already (not for the cache's tests)."""
    for var in list(os.environ):
        if var.startswith("EVALCHECK_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("EVALCHECK_WIDTH", "160")
    # No test depends on the calendar: the tool's today is pinned (see clock.py).
    monkeypatch.setenv("EVALCHECK_TODAY", TEST_TODAY)
    monkeypatch.setenv("EVALCHECK_LOCK_TIMEOUT", "2")
    monkeypatch.setenv("EVALCHECK_CACHE_DIR", str(tmp_path / "_cache"))
    if _bundled_entry is not None and not _cold_cache(request):
        folder = tmp_path / "_cache"
        folder.mkdir(mode=0o700)
        shutil.copyfile(_bundled_entry, folder / _bundled_entry.name)
        (folder / _bundled_entry.name).chmod(0o600)
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture(scope="session")
def checklist() -> Checklist:
    return load_checklist(bundled_checklist_path())


@pytest.fixture(scope="session")
def _prepared_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[object, ...], Path]:
    """The folders `prepared` left, by the steps that made them (one set per test process)."""
    return {}


@pytest.fixture()
def prepared(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    _prepared_folders: dict[tuple[object, ...], Path],
) -> Callable[..., None]:
    """prepared(("answer", "47", "--value", "312", "--by", "张三"), ("export", …)): the test's
    folder as the installed program leaves it after these commands (each must exit 0).

    For the tests that run the installed program as a process (tests/hostile.py): the first
    test asking for a state runs the commands, later ones get a copy of the folder it left
    (files and times as they were) instead of starting the same processes again (~0.3 s
    each). Nothing the commands write depends on where the folder is. Call it before the
    test changes its folder (it may write the files the commands need first: they are part
    of the state's key, as is the checklist named by EVALCHECK_CHECKLIST); a second call
    adds steps to the first's."""
    from tests.hostile import cli

    done: list[object] = []

    def _prepare(*steps: tuple[str, ...]) -> None:
        if not done:
            checklist = os.environ.get("EVALCHECK_CHECKLIST")
            done.append(tuple(_contents(tmp_path)))
            done.append(Path(checklist).read_bytes() if checklist else None)
        # step by step, each state kept: a state has one lineage, so prepared(A, B) and
        # prepared(A) then prepared(B) give the same files (answers.yaml's times too)
        for step in steps:
            done.append(step)
            key = tuple(done)
            saved = _prepared_folders.get(key)
            if saved is not None:
                shutil.copytree(saved, tmp_path, symlinks=True, dirs_exist_ok=True)
                continue
            result = cli(tmp_path, *step)
            assert result.returncode == 0, (step, result.stdout, result.stderr)
            saved = tmp_path_factory.mktemp("prepared") / "folder"
            ignore = shutil.ignore_patterns(Path(os.environ["EVALCHECK_CACHE_DIR"]).name)
            shutil.copytree(tmp_path, saved, symlinks=True, ignore=ignore)
            _prepared_folders[key] = saved

    return _prepare


def _contents(folder: Path) -> list[tuple[str, bytes]]:
    """The files in `folder` (but the cache), as a key: what a test wrote before `prepared`."""
    cache = Path(os.environ["EVALCHECK_CACHE_DIR"])
    return sorted(
        (p.relative_to(folder).as_posix(), p.read_bytes())
        for p in folder.rglob("*")
        if p.is_file() and cache not in p.parents
    )


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
