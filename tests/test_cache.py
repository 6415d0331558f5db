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


def _fill(folder: Path, n: int, size: int = 10, start: float = 1_000_000.0) -> list[Path]:
    """n entries (named as the cache names them) written at start, start+1, … seconds."""
    import os

    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    made = []
    for i in range(n):
        p = folder / f"{i:08x}.entry"
        p.write_bytes(b"x" * size)
        p.chmod(0o600)
        os.utime(p, (start + i, start + i))
        made.append(p)
    return made


def test_the_cache_folder_stays_bounded_oldest_entries_go_first(
    tmp_path: Path, monkeypatch
) -> None:
    """Every new file name a user exports to adds an entry: past the limit the oldest go
    (down to three quarters), the one just written stays, and what is not ours is left."""
    folder = tmp_path / "_cache"
    old = _fill(folder, 20)
    foreign = folder / "notes.txt"
    foreign.write_text("mine", encoding="utf-8")
    monkeypatch.setattr(cache, "MAX_ENTRIES", 16)
    src = tmp_path / "a.yaml"
    src.write_bytes(b"x: 1\n")
    assert cache.parse_cached(src, src.read_bytes(), lambda t: {"x": 1}) == {"x": 1}
    left = entries(tmp_path)
    assert len(left) == 12  # 16 * 3/4, the new one among them
    assert cache._entry(folder, src) in left
    assert all(p in left for p in old[-11:]) and not any(p.exists() for p in old[:9])
    assert foreign.read_text(encoding="utf-8") == "mine"
    calls: list[str] = []
    cache.parse_cached(src, src.read_bytes(), lambda t: calls.append(t) or {"x": 1})
    assert calls == []  # the new entry is used


def test_the_cache_folder_stays_bounded_in_bytes(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "_cache"
    old = _fill(folder, 4, size=400)
    monkeypatch.setattr(cache, "MAX_BYTES", 1000)
    src = tmp_path / "a.yaml"
    src.write_bytes(b"x: 1\n")
    cache.parse_cached(src, src.read_bytes(), lambda t: {"x": 1})
    left = entries(tmp_path)
    assert sum(p.stat().st_size for p in left) <= 750
    assert cache._entry(folder, src) in left and old[-1] in left and not old[0].exists()


def test_an_entry_rewritten_in_place_does_not_look_the_folder_over(
    tmp_path: Path, monkeypatch
) -> None:
    """Only a new entry prunes: a changed file's entry replaces its old one."""
    folder = tmp_path / "_cache"
    src = tmp_path / "a.yaml"
    src.write_bytes(b"x: 1\n")
    cache.parse_cached(src, src.read_bytes(), lambda t: {"x": 1})
    old = _fill(folder, 20)
    monkeypatch.setattr(cache, "MAX_ENTRIES", 16)
    src.write_bytes(b"x: 2\n")
    cache.parse_cached(src, src.read_bytes(), lambda t: {"x": 2})
    assert all(p.exists() for p in old)


def test_temporary_files_left_by_a_dead_process_are_removed(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "_cache"
    folder.mkdir(mode=0o700)
    stale, fresh = folder / "0000abcd.4242.tmp", folder / "0000abce.4243.tmp"
    for p in (stale, fresh):
        p.write_bytes(b"half")
    os.utime(stale, (1_000_000, 1_000_000))
    src = tmp_path / "a.yaml"
    src.write_bytes(b"x: 1\n")
    cache.parse_cached(src, src.read_bytes(), lambda t: {"x": 1})
    assert not stale.exists() and fresh.exists()  # fresh: maybe another process's, now
