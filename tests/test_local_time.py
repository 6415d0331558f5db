"""Times people read are local and to the minute ("2026-12-02 14:54"); JSON keeps ISO."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from evalcheck.infra.clock import local, local_datetime

UTC_FIRST = "2026-12-02T06:54:23+00:00"
UTC_SECOND = "2026-12-02T07:10:05+00:00"


@pytest.fixture()
def shanghai(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def answered(run, tmp_path: Path) -> None:
    """Two answers to 47 recorded on a machine in UTC."""
    assert run("answer", "47", "--value", "3", "--by", "王五").exit_code == 0
    assert run("answer", "47", "--value", "4", "--by", "张三", "--note", "复核").exit_code == 0
    path = tmp_path / "answers.yaml"
    text = path.read_text(encoding="utf-8").splitlines()
    ats = [i for i, line in enumerate(text) if line.strip().startswith("at:")]
    assert len(ats) == 2
    text[ats[0]] = text[ats[0]].split("at:")[0] + f"at: '{UTC_SECOND}'"  # current (seq 2)
    text[ats[1]] = text[ats[1]].split("at:")[0] + f"at: '{UTC_FIRST}'"  # history (seq 1)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")


def test_the_helper_converts_to_the_machines_zone(shanghai) -> None:
    assert local(UTC_FIRST) == "2026-12-02 14:54"
    assert local("2026-12-02T23:30:00+00:00") == "2026-12-03 07:30"  # the next local day
    assert local("2026-12-02T14:54:23") == "2026-12-02 14:54"  # no zone: local already
    assert local(None) == "" and local("") == ""
    assert local("昨天") == "昨天"  # a hand-edited value is shown, not dropped
    assert str(local_datetime(UTC_FIRST)) == "2026-12-02 14:54:23"


def test_show_prints_local_minutes(run, tmp_path, shanghai) -> None:
    answered(run, tmp_path)
    out = run("show", "47").stdout
    assert "填报时间：2026-12-02 15:10\n" in out
    assert "T07:10" not in out and "+00:00" not in out


def test_history_and_undo_print_local_minutes(run, tmp_path, shanghai) -> None:
    answered(run, tmp_path)
    out = run("history", "47").stdout
    rows = [line.split("\t") for line in out.splitlines()[2:-1]]
    assert [r[1] for r in rows] == ["2026-12-02 14:54", "2026-12-02 15:10"]
    assert "+00:00" not in out
    out = run("undo").stdout
    assert "（第2次修改，张三，2026-12-02 15:10）" in out


def test_json_keeps_iso(run, tmp_path, shanghai) -> None:
    answered(run, tmp_path)
    data = json.loads(run("show", "47", "-f", "json").stdout)
    assert data["answer"]["at"] == UTC_SECOND
    csv = run("list", "-q", "承诺时限总数", "-f", "csv").stdout
    assert UTC_SECOND in csv  # CSV is for scripts too: ISO


def test_review_table_and_show_agree(run, tmp_path, shanghai) -> None:
    answered(run, tmp_path)
    out = run("review").stdout
    assert "2026-12-02 15:10" in out
    assert run("approve", "47", "--by", "万富春").exit_code == 0
    shown = run("show", "47").stdout
    line = next(x for x in shown.splitlines() if x.startswith("审核时间："))
    assert len(line.removeprefix("审核时间：")) == len("2026-12-02 14:54")
