"""Issue 25, class 6: evidence store names and permissions. Stored names stay unique (no
silent replacement: not after the cut to 80 characters, not by a ligature's case folding,
not after invalid characters are replaced); stored files get the folder's normal
permissions; a killed `evidence add`'s partial copy is reported by `evidence check` and
removed under the answers lock."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.hostile import ANSWER_47, cli, held_lock, slow_after

STORE = Path("佐证材料") / "47"


@pytest.fixture()
def answered(tmp_path: Path, prepared) -> Path:
    prepared(ANSWER_47)
    return tmp_path


def add(folder: Path, *names: str) -> None:
    done = cli(folder, "evidence", "add", "47", *names, "--by", "张三")
    assert done.returncode == 0, done.stderr


def stored(folder: Path) -> dict[str, bytes]:
    items = json.loads(cli(folder, "show", "47", "--format", "json").stdout)["answer"]["evidence"]
    return {e["name"]: (folder / STORE / e["name"]).read_bytes() for e in items}


LONG = "报告" * 40  # 80 characters: cut to fit the store's 80


@pytest.mark.parametrize(
    ("first", "second"),
    slow_after(
        1,
        [
            (f"{LONG}甲.txt", f"{LONG}乙.txt"),  # alike up to the cut
            ("a" * 90 + "1.pdf", "a" * 90 + "2.pdf"),
            ("file.txt", "ﬁle.txt"),  # the ligature ﬁ case-folds to "fi"
            ("STRASSE.txt", "straße.txt"),  # ß case-folds to "ss"
            ("a_b.txt", "a:b.txt"),  # ":" is made "_" in the store
            ("a?.txt", "a*.txt"),
            ("报告", "报告."),  # a trailing dot is dropped
        ],
        unpack=True,
    ),
)
@pytest.mark.parametrize("together", [False, True], ids=["one by one", "in one go"])
def test_two_names_that_meet_in_the_store_both_stay(answered, first, second, together) -> None:
    (answered / first).write_bytes(b"first")
    (answered / second).write_bytes(b"second")
    if together:
        add(answered, first, second)
    else:
        add(answered, first)
        add(answered, second)
    kept = stored(answered)
    assert sorted(kept.values()) == [b"first", b"second"], kept
    check = cli(answered, "evidence", "check", "47")
    assert "文件已变化" not in check.stdout and "文件缺失" not in check.stdout


def test_the_same_name_with_new_content_still_replaces(answered) -> None:
    (answered / "说明.pdf").write_bytes(b"one")
    add(answered, "说明.pdf")
    (answered / "说明.pdf").write_bytes(b"two")
    done = cli(answered, "evidence", "add", "47", "说明.pdf", "--by", "张三")
    assert "替换" in done.stdout or "更新" in done.stdout, done.stdout
    assert stored(answered) == {"说明.pdf": b"two"}


def test_a_name_differing_only_in_case_still_replaces(answered) -> None:
    (answered / "说明.PDF").write_bytes(b"one")
    add(answered, "说明.PDF")
    (answered / "说明.pdf").write_bytes(b"two")
    add(answered, "说明.pdf")
    assert list(stored(answered).values()) == [b"two"]


def test_removing_by_a_ligature_name_removes_only_that_file(answered) -> None:
    (answered / "file.txt").write_bytes(b"plain")
    (answered / "ﬁle.txt").write_bytes(b"ligature")
    add(answered, "file.txt", "ﬁle.txt")
    assert cli(answered, "evidence", "rm", "47", "ﬁle.txt").returncode == 0
    assert stored(answered) == {"file.txt": b"plain"}


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
@pytest.mark.parametrize("how", ["evidence add", "answer --evidence", "undo of rm"])
def test_stored_files_get_the_folders_normal_permissions(answered, how) -> None:
    (answered / "说明.pdf").write_bytes(b"x")
    if how == "answer --evidence":
        args = ("answer", "47", "--value", "5", "--evidence", "说明.pdf", "--by", "张三")
        assert cli(answered, *args).returncode == 0
    else:
        add(answered, "说明.pdf")
    if how == "undo of rm":
        assert cli(answered, "evidence", "rm", "47", "说明.pdf").returncode == 0
        assert cli(answered, "undo", "--by", "张三").returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    mode = stat.S_IMODE((answered / STORE / "说明.pdf").stat().st_mode)
    assert mode == 0o666 & ~umask


@pytest.mark.parametrize("name", [".adding.k3j_x9.tmp", ".restoring.说明.pdf.tmp"])
def test_a_killed_adds_leftover_is_reported_and_removed(answered, name) -> None:
    (answered / "说明.pdf").write_bytes(b"x")
    add(answered, "说明.pdf")
    (answered / STORE / name).write_bytes(b"half a cop")
    before = (answered / "answers.yaml").read_bytes()
    done = cli(answered, "evidence", "check")
    assert "中断留下的临时文件" in done.stdout and name in done.stdout and "已删除" in done.stdout
    assert not (answered / STORE / name).exists()
    assert (answered / STORE / "说明.pdf").exists()
    assert (answered / "answers.yaml").read_bytes() == before
    assert "中断" not in cli(answered, "evidence", "check").stdout  # gone for good


def test_a_leftover_while_someone_writes_is_kept(answered, monkeypatch) -> None:
    (answered / STORE).mkdir(parents=True)
    (answered / STORE / ".adding.abc.tmp").write_bytes(b"someone is copying")
    monkeypatch.setenv("EVALCHECK_LOCK_TIMEOUT", "0.2")
    with held_lock(answered / ".answers.yaml.lock"):
        done = cli(answered, "evidence", "check")
    assert "未删除" in done.stdout, done.stdout
    assert (answered / STORE / ".adding.abc.tmp").exists()
    assert "Traceback" not in done.stderr


def test_a_leftover_is_not_packed(answered) -> None:
    (answered / "说明.pdf").write_bytes(b"x")
    add(answered, "说明.pdf")
    (answered / STORE / ".adding.abc.tmp").write_bytes(b"half")
    assert cli(answered, "evidence", "pack", "包").returncode == 0
    assert not [p for p in (answered / "包").rglob("*") if "adding" in p.name]
