"""Evidence (佐证材料): the store, add/rm/undo, duplicates, requirements, checks, migration."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalcheck.answers import evidence as ev
from evalcheck.infra import fileio

STORE = "佐证材料"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def items(run, ident: int) -> list[dict]:
    return json.loads(run("evidence", "list", str(ident), "-f", "json").stdout)


def answers_bytes(tmp_path: Path) -> bytes:
    p = tmp_path / "answers.yaml"
    return p.read_bytes() if p.exists() else b""


# ---------------------------------------------------------------- add / rm / undo


def test_add_copies_into_the_store_and_records_name_size_hash_who(run, tmp_path: Path) -> None:
    src = write(tmp_path / "docs" / "承诺时限汇总表.xlsx", b"x" * 1000)
    result = run("evidence", "add", "47", str(src), "https://zwfw.example.cn/47", "--by", "张三")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "第47项 已添加 承诺时限汇总表.xlsx（1000 B）",
        "第47项 已记录链接 https://zwfw.example.cn/47",
        "操作人：张三",
    ]
    stored = tmp_path / STORE / "47" / "承诺时限汇总表.xlsx"
    assert stored.read_bytes() == src.read_bytes()
    got = items(run, 47)
    assert [(i["kind"], i["name"], i["size"], i["by"], i["state"]) for i in got] == [
        ("file", "承诺时限汇总表.xlsx", 1000, "张三", "ok"),
        ("link", "https://zwfw.example.cn/47", None, "张三", "ok"),
    ]
    assert got[0]["sha256"] == hashlib.sha256(b"x" * 1000).hexdigest()
    assert "action: evidence" in (tmp_path / "answers.yaml").read_text(encoding="utf-8")


def test_rm_and_undo_move_the_file_out_and_back(run, tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", b"AAA")
    write(tmp_path / "b.pdf", b"BBB")
    run("evidence", "add", "47", "a.pdf", "b.pdf")
    stored = tmp_path / STORE / "47"
    result = run("evidence", "rm", "47", "a.pdf", "--by", "王芳")
    assert (
        result.stdout.strip() == "第47项 已移除文件 a.pdf（操作人：王芳；可用 evalcheck undo 恢复）"
    )
    assert sorted(p.name for p in stored.iterdir()) == ["b.pdf"]
    assert [i["name"] for i in items(run, 47)] == ["b.pdf"]
    history = run("history", "47").stdout
    assert history.count("佐证材料") == 2  # the add and the rm are both in history

    undone = run("undo")
    assert undone.exit_code == 0
    assert "：佐证材料 +a.pdf\n" in undone.stdout
    assert (stored / "a.pdf").read_bytes() == b"AAA"
    assert [i["name"] for i in items(run, 47)] == ["a.pdf", "b.pdf"]

    run("undo")  # undoes the add: both files leave the store, the list is empty
    assert not [p for p in stored.iterdir()]
    assert items(run, 47) == []


def test_rm_of_an_unknown_name_lists_the_recorded_ones(run, tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", b"A")
    run("evidence", "add", "47", "a.pdf")
    before = answers_bytes(tmp_path)
    result = run("evidence", "rm", "47", "x.pdf")
    assert result.exit_code == 3
    assert "没有名为“x.pdf”的佐证材料（已登记：a.pdf）" in result.stderr
    assert answers_bytes(tmp_path) == before


def test_the_same_content_is_recognised_by_its_hash(run, tmp_path: Path) -> None:
    write(tmp_path / "政策文件.pdf", b"same bytes")
    write(tmp_path / "copy of it.pdf", b"same bytes")
    run("evidence", "add", "47", "政策文件.pdf")
    before = answers_bytes(tmp_path)
    result = run("evidence", "add", "47", "copy of it.pdf", "政策文件.pdf")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "第47项 copy of it.pdf 与已登记的 政策文件.pdf 内容相同，未重复添加",
        "第47项 政策文件.pdf 与已登记的 政策文件.pdf 内容相同，未重复添加",
    ]
    assert answers_bytes(tmp_path) == before
    assert [p.name for p in (tmp_path / STORE / "47").iterdir()] == ["政策文件.pdf"]


def test_a_new_version_replaces_the_old_and_undo_restores_it(run, tmp_path: Path) -> None:
    write(tmp_path / "v1" / "表.xlsx", b"version 1")
    write(tmp_path / "v2" / "表.xlsx", b"version 2")
    run("evidence", "add", "47", "v1/表.xlsx")
    result = run("evidence", "add", "47", "v2/表.xlsx")
    assert "已用新版本替换 表.xlsx" in result.stdout
    stored = tmp_path / STORE / "47" / "表.xlsx"
    assert stored.read_bytes() == b"version 2"
    run("undo")
    assert stored.read_bytes() == b"version 1"
    assert items(run, 47)[0]["sha256"] == hashlib.sha256(b"version 1").hexdigest()


def test_two_files_of_one_name_in_one_add_are_both_kept(run, tmp_path: Path) -> None:
    write(tmp_path / "a" / "说明.pdf", b"one")
    write(tmp_path / "b" / "说明.pdf", b"two")
    run("evidence", "add", "47", "a/说明.pdf", "b/说明.pdf")
    assert [i["name"] for i in items(run, 47)] == ["说明.pdf", "说明 (2).pdf"]


def test_a_missing_file_is_refused_and_nothing_is_written(run, tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", b"A")
    result = run("evidence", "add", "47", "a.pdf", "nothere.pdf")
    assert result.exit_code == 3
    assert "找不到以下文件（或不是文件），未做任何修改：nothere.pdf" in result.stderr
    assert not (tmp_path / "answers.yaml").exists()
    assert not (tmp_path / STORE).exists()


def test_a_failed_save_leaves_the_store_as_it_was(run, tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "a.pdf", b"A")

    def refuse(path: Path, text: str, **_: object) -> None:
        raise fileio.WriteError(f"无法写入 {path}")

    monkeypatch.setattr(fileio, "atomic_write_text", refuse)
    result = run("evidence", "add", "47", "a.pdf")
    assert result.exit_code == 5
    assert not list((tmp_path / STORE / "47").iterdir())


def test_answer_evidence_does_the_same_as_add(run, tmp_path: Path) -> None:
    write(tmp_path / "对接说明.pdf", b"%PDF")
    result = run("answer", "16", "--value", "是", "-e", "对接说明.pdf", "--by", "王芳")
    assert result.stdout.splitlines() == [
        "第16项 已记录：是（存为 true，填报人：王芳）",
        "第16项 已添加 对接说明.pdf（4 B）",
    ]
    assert (tmp_path / STORE / "16" / "对接说明.pdf").read_bytes() == b"%PDF"
    # --evidence alone adds, keeping the answer
    write(tmp_path / "截图.png", b"PNG")
    assert run("answer", "16", "-e", "截图.png").exit_code == 0
    show = json.loads(run("show", "16", "-f", "json").stdout)["answer"]
    assert show["value"] is True
    assert [e["name"] for e in show["evidence"]] == ["对接说明.pdf", "截图.png"]
    # a missing file refuses the whole answer
    before = answers_bytes(tmp_path)
    bad = run("answer", "16", "--value", "否", "-e", "nothere.pdf")
    assert bad.exit_code == 3 and answers_bytes(tmp_path) == before


def test_clear_keeps_the_evidence(run, tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", b"A")
    run("answer", "16", "--value", "是", "-e", "a.pdf")
    run("answer", "16", "--clear")
    assert [i["name"] for i in items(run, 16)] == ["a.pdf"]
    assert (tmp_path / STORE / "16" / "a.pdf").exists()


def test_the_store_is_beside_the_answers_file_or_configured(
    run, tmp_path: Path, monkeypatch
) -> None:
    write(tmp_path / "a.pdf", b"A")
    (tmp_path / "team").mkdir()
    run("--answers", "team/answers.yaml", "evidence", "add", "47", "a.pdf")
    assert (tmp_path / "team" / STORE / "47" / "a.pdf").exists()
    monkeypatch.setenv("EVALCHECK_EVIDENCE_DIR", "材料库")
    run("evidence", "add", "48", "a.pdf")
    assert (tmp_path / "材料库" / "48" / "a.pdf").exists()


# ---------------------------------------------------------------- requirements and checks


def test_check_reports_changed_and_missing_files_per_section(run, tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", b"AAAA")
    write(tmp_path / "b.pdf", b"BBBB")
    run("answer", "47", "--value", "312", "-e", "a.pdf", "-e", "b.pdf")  # 政务服务中心
    run("answer", "131", "--value", "10", "-e", "https://x.example.cn/131")  # 审批监管科
    ok = run("evidence", "check", "-s", "审批监管科")
    assert ok.exit_code == 0, ok.output
    assert "链接（请人工核对）　第131项" in ok.stdout
    assert "0 个问题，佐证材料齐全" in ok.stdout

    stored = tmp_path / STORE / "47"
    (stored / "a.pdf").write_bytes(b"AAAB")  # same size, other content: only the hash tells
    (stored / "b.pdf").unlink()
    result = run("evidence", "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "政务服务中心（2 个问题）："
    assert any(
        line.startswith("  文件已变化　第47项") and "a.pdf：内容与登记时不同（sha256 不符）" in line
        for line in lines
    )
    assert any(line.startswith("  文件缺失　第47项") and "b.pdf" in line for line in lines)
    data = json.loads(run("evidence", "check", "-f", "json").stdout)
    kinds = {(f["id"], f["kind"], f["name"]) for s in data["sections"] for f in s["findings"]}
    assert {(47, "changed", "a.pdf"), (47, "missing", "b.pdf")} <= kinds
    assert data["problems"] == 2


def test_required_but_absent_is_reported_per_section_and_na_needs_no_file(run) -> None:
    run("answer", "16", "--value", "是")  # 办公室
    run("answer", "91", "--value", "是")  # 审批监管科
    run("answer", "109", "--na", "本年度无其他创新举措")  # not applicable: no file needed
    result = run("evidence", "check")
    assert result.exit_code == 1
    text = result.stdout
    assert "办公室（1 个问题）：\n  缺少佐证材料　第16项" in text
    assert "审批监管科（1 个问题）：\n  缺少佐证材料　第91项" in text
    assert "第109项" not in text
    assert "共检查 144 项指标：2 个问题" in text
    one = run("evidence", "check", "--section", "办公室")
    assert "第91项" not in one.stdout and one.exit_code == 1


def test_checklist_default_and_per_indicator_override(run, tmp_path: Path) -> None:
    from evalcheck.model.loading import bundled_checklist_path

    text = bundled_checklist_path().read_text(encoding="utf-8")
    text = text.replace("evidence: required ", "evidence: optional ", 1)
    text = text.replace("- id: 16\n", "- id: 16\n  evidence: required\n", 1)
    write(tmp_path / "cl.yaml", text)
    run("--checklist", "cl.yaml", "answer", "16", "--value", "是")
    run("--checklist", "cl.yaml", "answer", "91", "--value", "是")
    result = run("--checklist", "cl.yaml", "evidence", "check")
    assert "第16项" in result.stdout and "第91项" not in result.stdout
    bad = text.replace("evidence: optional ", "evidence: maybe ", 1)
    write(tmp_path / "bad.yaml", bad)
    v = run("validate", "bad.yaml")
    assert v.exit_code == 4
    assert "字段 evidence：应为 required（必须提供佐证材料）或 optional，实际为 'maybe'" in v.stdout


def test_files_dropped_in_by_hand_are_reported_not_packed(run, tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", b"A")
    run("answer", "47", "--value", "1", "-e", "a.pdf")
    write(tmp_path / STORE / "47" / "手工放入.docx", b"D")
    result = run("evidence", "check")
    assert "未登记的文件　第47项" in result.stdout
    assert result.exit_code == 0  # reported, not a problem of the recorded evidence


# ---------------------------------------------------------------- evalcheck 0.1 paths

LEGACY = """format: 1
checklist:
  title: 中卫市审批服务管理局营商环境测评指标责任清单
  year: 2021
answers:
  16:
    value: true
    evidence:
    - 旧文件/对接说明.pdf
    - https://x.example.cn/16
    - 不存在/丢失.pdf
    by: 张三
    at: '2021-09-01T10:00:00+08:00'
    seq: 1
    action: set
"""


def test_paths_recorded_by_0_1_are_reported_then_migrated_never_dropped(
    run, tmp_path: Path
) -> None:
    write(tmp_path / "answers.yaml", LEGACY)
    write(tmp_path / "旧文件" / "对接说明.pdf", b"%PDF old")
    listed = {i["name"]: i["kind"] for i in items(run, 16)}
    assert listed == {
        "旧文件/对接说明.pdf": "path",
        "https://x.example.cn/16": "link",
        "不存在/丢失.pdf": "path",
    }
    result = run("evidence", "check")
    assert result.exit_code == 1
    assert "旧版路径未收入　第16项" in result.stdout
    assert "可用 evalcheck evidence migrate 收入" in result.stdout
    assert "文件不存在，请重新添加" in result.stdout

    migrated = run("evidence", "migrate", "--by", "李四")
    assert migrated.stdout.splitlines() == [
        "第16项 已收入 旧文件/对接说明.pdf → 对接说明.pdf",
        "第16项 找不到 不存在/丢失.pdf：保留原记录，请找到文件后用 evidence add 添加",
        "共收入 1 个文件，1 个找不到",
    ]
    after = {i["name"]: i["kind"] for i in items(run, 16)}
    assert after == {
        "对接说明.pdf": "file",
        "https://x.example.cn/16": "link",
        "不存在/丢失.pdf": "path",
    }
    assert (tmp_path / STORE / "16" / "对接说明.pdf").read_bytes() == b"%PDF old"
    # the unmigrated path is written back exactly as 0.1 wrote it
    assert "- 不存在/丢失.pdf" in (tmp_path / "answers.yaml").read_text(encoding="utf-8")
    run("undo")
    assert (tmp_path / "answers.yaml").read_text(encoding="utf-8").count("旧文件/对接说明.pdf") >= 1
    assert items(run, 16)[0]["name"] == "旧文件/对接说明.pdf"


@pytest.mark.parametrize(
    ("item", "why"),
    [
        ("{file: ../../etc/passwd, size: 1, sha256: " + "0" * 64 + "}", "不含路径的文件名"),
        ("{file: a.pdf, size: -1, sha256: " + "0" * 64 + "}", "size 应为不小于 0 的整数"),
        ("{file: a.pdf, size: 1, sha256: abc}", "sha256 应为 64 位十六进制数字"),
        ("{url: 'javascript:alert(1)'}", "url 应为网址"),
        ("{file: a.pdf, size: 1, sha256: " + "0" * 64 + ", x: 1}", "未知字段"),
    ],
)
def test_a_crafted_evidence_item_is_refused_with_its_line(
    run, tmp_path: Path, item: str, why: str
) -> None:
    text = LEGACY.replace("    - 旧文件/对接说明.pdf\n", f"    - {item}\n")
    write(tmp_path / "answers.yaml", text)
    result = run("show", "16")
    assert result.exit_code == 4
    assert "answers.yaml 第" in result.stderr and why in result.stderr
    assert (tmp_path / "answers.yaml").read_text(encoding="utf-8") == text


def test_undo_of_an_answer_keeps_the_store_in_step(run, tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", b"A")
    run("answer", "47", "--value", "1")
    run("answer", "47", "--value", "2", "-e", "a.pdf")
    run("undo")
    assert not (tmp_path / STORE / "47" / "a.pdf").exists()
    assert json.loads(run("show", "47", "-f", "json").stdout)["answer"]["value"] == 1


# ---------------------------------------------------------------- names (pure)


names_st = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=120
)


@given(names_st)
def test_safe_name_is_always_a_valid_windows_name(name: str) -> None:
    safe = ev.safe_name(name)
    assert ev.is_safe_name(safe), (name, safe)
    assert ev.safe_name(safe) == safe  # idempotent: a stored name stays as it is


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ('a:b*c?"d<e>f|g.pdf', "a_b_c__d_e_f_g.pdf"),
        ("报告. . .", "报告"),
        ("CON.txt", "_CON.txt"),
        ("lpt1", "_lpt1"),
        ("  空格  .docx ", "空格.docx"),
        ("#1 方案.pdf", "_1 方案.pdf"),
        ("长" * 100 + ".xlsx", "长" * 75 + ".xlsx"),
        ("", "_"),
    ],
)
def test_safe_name_rules(given_name: str, expected: str) -> None:
    assert ev.safe_name(given_name) == expected


@given(st.lists(names_st, min_size=1, max_size=12))
def test_unique_names_never_collide_on_windows(raw: list[str]) -> None:
    taken: list[str] = []
    for name in raw:
        n = ev.unique_name(ev.safe_name(name), taken)
        assert ev.is_safe_name(n)
        assert n.casefold() not in {t.casefold() for t in taken}
        taken.append(n)


@given(st.integers(min_value=1, max_value=99999), names_st)
def test_folder_names_are_valid_and_keep_the_id(ident: int, text: str) -> None:
    name = ev.folder_name(ident, text)
    assert ev.is_safe_name(name), name
    assert name.startswith(f"{ident:03d}_")
    assert len(name) <= ev.MAX_FOLDER_CHARS


def test_folder_name_of_indicator_47() -> None:
    assert (
        ev.folder_name(47, "本地区行政许可事项承诺时限总数？")
        == "047_本地区行政许可事项承诺时限总数"
    )
    assert ev.folder_name(16, "是否建立政府门户网站与政务服务平台的对接?") == (
        "016_是否建立政府门户网站与政务服务平台的对接"
    )


def test_the_evidence_core_imports_no_cli_or_spreadsheet_library() -> None:
    from .test_startup import imported_after

    mods = imported_after(
        "import evalcheck.answers.evidence, evalcheck.services.evidence, evalcheck.io.pack"
    )
    assert not {m for m in mods if m.split(".")[0] in ("typer", "rich", "click", "openpyxl")}


items_st = st.lists(
    st.one_of(
        st.builds(
            ev.Evidence,
            names_st.map(ev.safe_name),
            st.just("file"),
            st.integers(min_value=0, max_value=2**40),
            st.binary(min_size=32, max_size=32).map(bytes.hex),
            st.none() | st.just("2026-11-25T13:08:33+00:00"),
            st.none() | names_st.filter(str.strip),
        ),
        st.builds(
            ev.Evidence,
            st.from_regex(r"https://[a-z]{1,12}\.cn/[a-z0-9]{0,8}", fullmatch=True),
            st.just("link"),
            st.none(),
            st.none(),
            st.none() | st.just("2026-11-25T13:08:33+00:00"),
            st.none() | st.just("张三"),
        ),
        names_st.filter(lambda t: t.strip() == t and t and not ev.is_url(t)).map(
            lambda t: ev.Evidence(t, "path")
        ),
    ),
    max_size=6,
)


@given(items_st)
def test_evidence_items_survive_the_answers_file(items: list[ev.Evidence]) -> None:
    from evalcheck.infra.yamlio import dump_yaml, load_yaml_text

    text = dump_yaml({"evidence": [e.to_data() for e in items]})
    assert ev.parse_items(load_yaml_text(text, "answers.yaml")["evidence"]) == tuple(items)


def test_changing_an_approved_answers_evidence_says_it_needs_review_again(
    run, tmp_path: Path
) -> None:
    assert run("answer", "47", "--value", "312", "--by", "张三").exit_code == 0
    plain = write(tmp_path / "a.pdf", b"a")
    assert "原已审核通过" not in run("evidence", "add", "47", str(plain), "--by", "张三").stdout
    assert run("approve", "47", "--by", "万富春").exit_code == 0
    second = write(tmp_path / "b.pdf", b"b")
    added = run("evidence", "add", "47", str(second), "--by", "张三")
    assert added.exit_code == 0
    assert "注意：第47项原已审核通过；佐证材料变了，现为待审核" in added.stdout
    assert "待审核" in run("show", "47").stdout
    assert run("approve", "47", "--by", "万富春").exit_code == 0
    removed = run("evidence", "rm", "47", "b.pdf", "--by", "张三")
    assert removed.exit_code == 0 and "原已审核通过" in removed.stdout


def test_changing_a_returned_answers_evidence_says_it_is_pending_again(run, tmp_path: Path) -> None:
    """Evidence added to a returned answer re-files it (review.md): said, not silent."""
    assert run("answer", "30", "--value", "12", "--by", "李四").exit_code == 0
    assert run("return", "30", "--reason", "缺台账", "--by", "万富春").exit_code == 0
    added = run("evidence", "add", "30", str(write(tmp_path / "台账.pdf", b"x")), "--by", "李四")
    assert added.exit_code == 0
    assert "注意：第30项原已被退回；佐证材料变了，现为待审核" in added.stdout
    assert "审核状态：待审核" in run("show", "30").stdout


def test_a_link_with_a_space_is_named_as_such(run) -> None:
    run("answer", "47", "--value", "312")
    before = Path("answers.yaml").read_bytes()
    done = run("evidence", "add", "47", "https://zwfw.example.gov.cn/a b")
    assert done.exit_code == 3
    assert "网址中不能有空格" in done.stderr and "%20" in done.stderr
    assert "找不到以下文件" not in done.stderr
    assert Path("answers.yaml").read_bytes() == before


def test_a_file_named_like_the_stores_temporary_copies_is_never_cleaned_up(
    run, tmp_path: Path
) -> None:
    """`evidence check` removes the hidden partial copies a killed add left
    ('.adding.….tmp'): a file a person added under such a name is stored without the
    leading dot, and one recorded under such a name (an older version's) is never removed."""
    run("answer", "47", "--value", "1", "--by", "王芳")
    write(tmp_path / ".adding.扫描件.tmp", "scan")
    assert run("evidence", "add", "47", ".adding.扫描件.tmp").exit_code == 0
    assert [i["name"] for i in items(run, 47)] == ["_adding.扫描件.tmp"]
    store = tmp_path / "佐证材料" / "47"
    # an answers file that records a dot-name, as one written before this rule may
    (store / "_adding.扫描件.tmp").rename(store / ".restoring.合同.pdf.tmp")
    answers = tmp_path / "answers.yaml"
    text = answers.read_text(encoding="utf-8").replace(
        "_adding.扫描件.tmp", ".restoring.合同.pdf.tmp"
    )
    answers.write_text(text, encoding="utf-8")
    write(store / ".adding.x1.tmp", "partial")  # a real leftover
    done = run("evidence", "check")
    assert "中断留下的临时文件" in done.stdout and ".adding.x1.tmp" in done.stdout
    assert (store / ".restoring.合同.pdf.tmp").read_bytes() == b"scan"
    assert not (store / ".adding.x1.tmp").exists()


def test_invisible_characters_leave_a_stored_name() -> None:
    """U+202E makes 'fdp.exe' show as 'exe.pdf'; zero-width spaces make two names that
    look alike: the store keeps names as they show."""
    assert ev.safe_name("\u202efdp.exe") == "fdp.exe"
    assert ev.safe_name("合\u200b同.pdf") == "合同.pdf"
