"""The parse cache: used when a file is unchanged, never trusted beyond plain data."""

from __future__ import annotations

import pickle
from pathlib import Path

from evalcheck.infra import cache


def entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "_cache").glob("*.entry"))


def test_second_read_comes_from_the_cache(tmp_path: Path) -> None:
    src = tmp_path / "a.yaml"
    src.write_bytes(b"x: 1\n")
    calls: list[str] = []

    def parse(text: str) -> dict:
        calls.append(text)
        return {"x": 1}

    assert cache.parse_cached(src, src.read_bytes(), parse) == {"x": 1}
    assert cache.parse_cached(src, src.read_bytes(), parse) == {"x": 1}
    assert len(calls) == 1
    src.write_bytes(b"x: 2\n")  # changed content: parsed again, one entry per file
    cache.parse_cached(src, src.read_bytes(), parse)
    assert len(calls) == 2 and len(entries(tmp_path)) == 1


def test_a_malicious_cache_entry_is_never_run(tmp_path: Path, run) -> None:
    assert run("list").exit_code == 0  # fills the cache for the bundled checklist
    (entry,) = entries(tmp_path)

    class Evil:
        def __reduce__(self):
            return (Path.write_text, (tmp_path / "pwned", "x"))

    entry.write_bytes(pickle.dumps(("whatever", Evil())))
    result = run("list", "-s", "办公室")
    assert result.exit_code == 0 and result.stdout.splitlines()[-1] == "共 10 项"
    assert not (tmp_path / "pwned").exists()


def test_cache_can_be_turned_off(tmp_path: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("EVALCHECK_NO_CACHE", "1")
    assert run("list").exit_code == 0
    assert entries(tmp_path) == []


def test_an_unwritable_cache_does_not_break_commands(tmp_path: Path, run, monkeypatch) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("EVALCHECK_CACHE_DIR", str(blocker / "sub"))
    assert run("answer", "47", "--value", "312").exit_code == 0
    assert "填报值：312 个" in run("show", "47").stdout


def test_the_cached_checklist_is_the_validated_one(tmp_path: Path, run) -> None:
    """The checklist models come back from the cache whole: fields, index and lead-first lists."""
    from evalcheck.model.checklist import Indicator
    from evalcheck.model.loading import bundled_checklist_path, load_checklist, read_checklist

    path = bundled_checklist_path()
    fresh, _ = read_checklist(path)
    assert fresh is not None
    load_checklist(path)  # fills the cache
    assert entries(tmp_path)
    cached = load_checklist(path)
    assert cached == fresh and cached is not fresh
    assert cached.get(47) == fresh.get(47) and cached.get(47).sections == (cached.get(47).section,)
    assert cached.indicators == fresh.indicators and cached.rules == fresh.rules
    assert pickle.loads(pickle.dumps(cached)).get(133).formula == fresh.get(133).formula

    # the lead is read from the lists, so the two cannot disagree (no fixing-up behind
    # the constructor: validation gives the lists, lead first)
    lists_only = Indicator(
        id=1, category="甲", text="?", due=fresh.get(1).due, role="lead", kind="count",
        sections=("二科", "一科"), owners=("李四",),
    )  # fmt: skip
    assert (lists_only.section, lists_only.owner) == ("二科", "李四")
    none = Indicator(id=2, category="甲", text="?", due=fresh.get(1).due, role="lead", kind="text")
    assert (none.section, none.owner, none.sections) == (None, None, ())
