"""Shared answers that stay shared: refused replaces (Windows' WinError 5/32) retried
and explained, `~$` owner files, the lock naming its holder, network shares, sync
folders and their conflict copies, who answered (EVALCHECK_USER)."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from evalcheck.answers import store
from evalcheck.errors import WriteError
from evalcheck.infra import fileio, sharing


def refusal(winerror: int) -> PermissionError:
    exc = PermissionError(13, "拒绝访问。" if winerror == 5 else "另一个程序正在使用此文件")
    exc.winerror = winerror  # type: ignore[attr-defined]  # as Windows raises it
    return exc


@pytest.fixture()
def sleeps(monkeypatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(fileio.time, "sleep", slept.append)
    return slept


def refuse_replace(monkeypatch, winerror: int, times: int) -> list[int]:
    """os.replace refused `times` times (then allowed) on the user's files (not the cache);
    returns the attempts made."""
    real = os.replace
    attempts: list[int] = []

    def replace(src: str, dst: str) -> None:
        if "_cache" in str(dst):
            return real(src, dst)
        attempts.append(1)
        if len(attempts) <= times:
            raise refusal(winerror)
        real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", replace)
    return attempts


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("winerror", [5, 32])
def test_a_moment_of_refusal_is_retried(run, tmp_path, monkeypatch, sleeps, winerror) -> None:
    attempts = refuse_replace(monkeypatch, winerror, times=3)  # antivirus, indexer, a reader
    result = run("answer", "47", "--value", "312")
    assert result.exit_code == 0, result.output
    assert len(attempts) == 4 and sleeps == list(fileio.BACKOFF[:3])
    assert yaml.safe_load((tmp_path / "answers.yaml").read_text("utf-8"))["answers"][47]["value"]
    assert temp_files(tmp_path) == []


def test_a_lasting_refusal_is_explained_and_nothing_is_lost(run, tmp_path, monkeypatch, sleeps):
    assert run("answer", "47", "--value", "312").exit_code == 0
    before = (tmp_path / "answers.yaml").read_bytes()
    attempts = refuse_replace(monkeypatch, 32, times=100)
    result = run("answer", "47", "--value", "400")
    assert result.exit_code == 5
    assert "被其他程序占用" in result.stderr and f"已重试 {len(fileio.BACKOFF)} 次" in result.stderr
    assert len(attempts) == len(fileio.BACKOFF) + 1 and sum(sleeps) < 3
    assert (tmp_path / "answers.yaml").read_bytes() == before
    assert temp_files(tmp_path) == []


def test_posix_permission_errors_are_not_retried(run, monkeypatch, sleeps) -> None:
    def replace(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")  # no winerror: a final refusal

    monkeypatch.setattr(fileio.os, "replace", replace)
    assert run("answer", "47", "--value", "1").exit_code == 5
    assert sleeps == []


def test_a_read_only_file_is_named_and_no_read_only_temp_is_left(
    tmp_path, monkeypatch, sleeps
) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"received by WeChat")
    target.chmod(0o444)  # as WeChat saves a received file
    removed: list[int] = []
    real_unlink = os.unlink

    def unlink(p: str) -> None:
        removed.append(os.stat(p).st_mode & 0o200)  # Windows refuses to delete read-only files
        real_unlink(p)

    monkeypatch.setattr(fileio.os, "unlink", unlink)
    refuse_replace(monkeypatch, 5, times=100)  # Windows refuses to replace a read-only file
    with pytest.raises(WriteError) as refused:
        fileio.atomic_write_bytes(target, b"new")
    assert "文件是只读的" in refused.value.message and "属性" in refused.value.message
    assert sleeps == []  # WinError 5 may pass in a moment, but not on a read-only file
    assert temp_files(tmp_path) == [] and removed == []  # refused before any temp file
    assert target.read_bytes() == b"received by WeChat"


def test_a_read_only_answers_file_is_refused_before_writing(run, tmp_path) -> None:
    assert run("answer", "47", "--value", "312").exit_code == 0
    (tmp_path / "answers.yaml").chmod(0o444)
    result = run("answer", "47", "--value", "400")
    assert result.exit_code == 5 and "只读" in result.stderr
    assert temp_files(tmp_path) == []


def office_owner_file(user: str) -> bytes:
    """A `~$` owner file as Excel writes it: length + ANSI name, then UTF-16 at byte 54."""
    ansi = user.encode("gbk")
    head = bytes([len(user)]) + ansi.ljust(53, b" ")
    return head + len(user).to_bytes(2, "little") + user.encode("utf-16-le") + b"\x00" * 10


def test_open_in_excel_names_who_has_it(run, tmp_path, monkeypatch, sleeps) -> None:
    (tmp_path / "~$report.xlsx").write_bytes(office_owner_file("王会计"))
    refuse_replace(monkeypatch, 32, times=100)
    result = run("export", "report.xlsx")
    assert result.exit_code == 5
    assert "正在 Excel 或 WPS 中打开（王会计）" in result.stderr
    assert not (tmp_path / "report.xlsx").exists() and temp_files(tmp_path) == []


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (office_owner_file("王会计"), "王会计"),
        (office_owner_file("Administrator"), "Administrator"),
        (bytes([6]) + "张三".encode(), "张三"),  # only the first part (WPS, old Office)
        (b"", ""),
    ],
)
def test_owner_file_names(data: bytes, name: str) -> None:
    assert sharing.parse_owner_file(data) == name


# ---------------------------------------------------------------- the lock


HOLD = """
import sys, time
from pathlib import Path
from evalcheck.model.loading import bundled_checklist_path, load_checklist
from evalcheck.answers.store import transaction
with transaction(Path("answers.yaml"), load_checklist(bundled_checklist_path())):
    print("holding", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def test_a_held_lock_names_the_user_at_host(tmp_path, monkeypatch) -> None:
    env = {**os.environ, "EVALCHECK_USER": "王五"}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, "20"], cwd=tmp_path, env=env, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"holding\n"
        proc = subprocess.run(
            [sys.executable, "-m", "evalcheck", "answer", "47", "--value", "1"],
            cwd=tmp_path, capture_output=True, timeout=60,
            env={**os.environ, "EVALCHECK_LOCK_TIMEOUT": "0.3"},
        )  # fmt: skip
    finally:
        holder.kill()
        holder.wait()
    err = proc.stderr.decode()
    assert proc.returncode == 5
    import socket

    assert f"answers.yaml 正被 王五@{socket.gethostname()}（自 " in err
    assert "已等待 0.3 秒" in err and ".answers.yaml.lock" in err
    assert not (tmp_path / "answers.yaml").exists()


def test_the_lock_is_hidden_and_the_holder_file_goes_away(run, tmp_path: Path) -> None:
    assert run("answer", "47", "--value", "312").exit_code == 0
    visible = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith((".", "_")))
    assert visible == ["answers.yaml"]
    assert not (tmp_path / ".answers.yaml.lock.owner").exists()


@pytest.mark.parametrize(
    ("path", "platform", "drive", "mounts", "network"),
    [
        (r"\\fileserver\测评\answers.yaml", "win32", 3, "", True),  # UNC
        (r"Z:\测评\answers.yaml", "win32", 4, "", True),  # a mapped network drive
        (r"D:\测评\answers.yaml", "win32", 3, "", False),
        ("/mnt/share/answers.yaml", "linux", 0, "//srv/s /mnt/share cifs rw 0 0\n", True),
        ("/mnt/share/answers.yaml", "linux", 0, "/dev/sda1 / ext4 rw 0 0\n", False),
        (
            "/srv/nfs/a/answers.yaml",
            "linux",
            0,
            "/dev/sda1 / ext4 rw 0 0\nh:/x /srv/nfs nfs4 rw 0 0\n",
            True,
        ),
    ],
)
def test_network_paths(path, platform, drive, mounts, network) -> None:
    got = sharing.is_network_path(
        Path(path), platform=platform, drive_type=lambda root: drive, mounts=mounts
    )
    assert got is network


def test_lock_wait_is_longer_on_a_network_share(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("EVALCHECK_LOCK_TIMEOUT")
    monkeypatch.setattr(sharing, "is_network_path", lambda p: True)
    assert store.lock_timeout(tmp_path / "answers.yaml") == store.LOCK_WAIT_NETWORK
    monkeypatch.setattr(sharing, "is_network_path", lambda p: False)
    assert store.lock_timeout(tmp_path / "answers.yaml") == store.LOCK_WAIT
    monkeypatch.setenv("EVALCHECK_LOCK_TIMEOUT", "12")
    assert store.lock_timeout(tmp_path / "answers.yaml") == 12


# ---------------------------------------------------------------- sync folders


@pytest.mark.parametrize(
    ("folder", "client"),
    [
        ("OneDrive/测评", "OneDrive"),
        ("OneDrive - 中卫市审批服务管理局/测评", "OneDrive"),
        ("企业微信微盘/测评", "企业微信微盘"),
        ("我的坚果云/测评", "坚果云"),
        ("BaiduSyncdisk/测评", "百度网盘同步空间"),
        ("WPS云盘/测评", "WPS云盘"),
        ("共享/测评", None),
    ],
)
def test_sync_folders_are_warned_about(run, tmp_path, monkeypatch, folder, client) -> None:
    for var in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        monkeypatch.delenv(var, raising=False)
    where = tmp_path / folder
    where.mkdir(parents=True)
    monkeypatch.chdir(where)
    result = run("answer", "47", "--value", "312", "--by", "张三")
    assert result.exit_code == 0
    if client is None:  # only the note that this is not a work folder (test_stray_answers.py)
        assert "同步文件夹" not in result.stderr and "网络共享" not in result.stderr
        assert result.stderr.count("\n") == 1 and "不是工作文件夹" in result.stderr
    else:
        assert f"位于 {client} 同步文件夹中" in result.stderr and "网络共享文件夹" in result.stderr
        assert "同步文件夹" in run("list").stderr  # reading too
        monkeypatch.setenv("EVALCHECK_SYNC_OK", "1")
        assert run("list").stderr == ""


def test_onedrive_is_found_by_its_environment_variable(tmp_path: Path) -> None:
    path = tmp_path / "公司文档" / "answers.yaml"
    assert sharing.sync_client(path, env={"OneDriveCommercial": str(tmp_path)}) == "OneDrive"
    assert sharing.sync_client(path, env={}) is None


def test_conflict_copies_next_to_the_answers_file(run, tmp_path: Path) -> None:
    names = [
        "answers-DESKTOP-1AB2C3D.yaml",  # OneDrive
        "answers (张三's conflicted copy 2021-09-16).yaml",  # Dropbox
        "answers(1).yaml",
        "answers_冲突副本_2021-09-16.yaml",
    ]
    for name in [*names, "answers-2022.yaml", "answers.yaml.bak", "other (1).yaml"]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    result = run("status")
    assert result.exit_code == 0
    (warning,) = [line for line in result.stderr.splitlines() if "冲突副本" in line]
    assert all(name in warning for name in names)
    assert "answers-2022.yaml" not in warning and "other (1)" not in warning


# ---------------------------------------------------------------- who answered


def test_evalcheck_user_is_the_default_writer(run, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EVALCHECK_USER", "审批监管科 张三")
    assert "填报人：审批监管科 张三" in run("answer", "47", "--value", "312").stdout
    assert "填报人：李四" in run("answer", "48", "--value", "1", "--by", "李四").stdout
    undo = run("undo")
    assert undo.exit_code == 0 and "操作人：审批监管科 张三" in undo.stdout
    data = yaml.safe_load((tmp_path / "answers.yaml").read_text("utf-8"))["answers"]
    assert data[47]["by"] == "审批监管科 张三"


@pytest.mark.parametrize("login", ["Administrator", "user", "lenovo"])
def test_a_shared_pc_login_gets_a_hint(run, monkeypatch, login) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: login)
    result = run("answer", "47", "--value", "312")
    assert result.exit_code == 0 and f"填报人：{login}" in result.stdout
    assert "这是电脑的登录名" in result.stderr and "EVALCHECK_USER" in result.stderr
    assert "登录名" not in run("answer", "47", "--value", "3", "--by", login).stderr


def test_retry_backoff_stays_short() -> None:
    assert list(fileio.BACKOFF) == sorted(fileio.BACKOFF) and sum(fileio.BACKOFF) < 3
    start = time.monotonic()
    assert fileio.is_transient(refusal(32)) and not fileio.is_transient(PermissionError(13, "x"))
    assert time.monotonic() - start < 1
