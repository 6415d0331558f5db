"""Random bytes and random workbook XML through `import` and `checklist-import`, in a
child process under a memory cap: every input ends with a clean exit code and (when
refused) a one-line Chinese message, no traceback, and the answers file byte-identical.

The corpus is generated from a fixed seed (reproducible) plus hand-made bombs: a huge
declared dimension, far row numbers, a zip bomb, entity expansion, deep nesting.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

MEMORY_CAP = 1536 * 1024 * 1024  # bytes of address space for the child (RLIMIT_AS)
CASES = 40  # random inputs of each family

# The child: cap memory, then run the real entry point (main) once per input file.
CHILD = r"""
import io, json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))
from evalcheck.cli import main
out = []
for args in json.loads(sys.argv[1]):
    sys.argv = ["evalcheck", *args]
    err, sys.stderr = sys.stderr, io.StringIO()
    sys.stdout = io.StringIO()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException as exc:  # a traceback: reported to the test, which fails
        import traceback
        code = "crash"
        sys.stderr.write("Traceback " + "".join(traceback.format_exception(exc)))
    text, sys.stderr = sys.stderr.getvalue(), err
    out.append([args, code, text])
sys.__stdout__.write(json.dumps(out))
"""

SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "{dimension}<sheetData>{rows}</sheetData></worksheet>"
)


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _random_cell_value(rng: random.Random) -> str:
    return rng.choice(
        [
            str(rng.randint(-(10**6), 10**6)),
            "9" * rng.choice([20, 400, 5000]),
            "1e400",
            "NaN",
            "-inf",
            "题号",
            "填报值",
            "校验键",
            "=1+1",
            "\u0000",
            "&amp;&lt;",
            "x" * rng.choice([1, 100, 40000]),
            f"{rng.randint(1, 144)}:{rng.getrandbits(40):010x}",
        ]
    )


def _random_sheet(rng: random.Random) -> bytes:
    dimension = rng.choice(
        [
            "",
            '<dimension ref="A1:XFD1048576"/>',
            '<dimension ref="A1:C3"/>',
            '<dimension ref="ZZ"/>',
        ]
    )
    rows = []
    r = 0
    for _ in range(rng.randint(0, 30)):
        r = rng.choice([r + 1, r + rng.randint(1, 5), rng.randint(1, 1048576)])
        cells = []
        for _ in range(rng.randint(0, 6)):
            col = rng.choice([rng.randint(1, 20), 16384, rng.randint(1, 16384)])
            t = rng.choice(
                ["", ' t="s"', ' t="n"', ' t="str"', ' t="b"', ' t="e"', ' t="inlineStr"']
            )
            v = _random_cell_value(rng)
            body = f"<is><t>{v}</t></is>" if "inlineStr" in t else f"<v>{v}</v>"
            if rng.random() < 0.1:
                body = f"<f>{v}</f>" + body
            cells.append(f'<c r="{_col(col)}{r}"{t}>{body}</c>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    text = SHEET.format(dimension=dimension, rows="".join(rows))
    if rng.random() < 0.2:  # truncated or garbled XML
        cut = rng.randint(0, len(text))
        text = text[:cut] + rng.choice(
            ["", "<", "&bogus;", "\udcff".encode("utf-8", "surrogatepass").decode("latin-1")]
        )
    return text.encode("utf-8", "surrogatepass")


def _workbook(base: bytes, replace: dict[str, bytes], *, stored: bool = False) -> bytes:
    """`base` (an .xlsx) with some members replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = replace.get(info.filename, src.read(info.filename))
            mode = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            dst.writestr(info.filename, data, compress_type=mode)
    return out.getvalue()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[str]]:
    """Files to feed: random bytes, random sheets in real forms, and bombs."""
    folder = tmp_path_factory.mktemp("corpus")
    import openpyxl

    from evalcheck.io.xlsx_forms import export_forms  # noqa: F401  (the forms are made by the CLI)
    from evalcheck.model.loading import bundled_checklist_path, load_checklist

    load_checklist(bundled_checklist_path())
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    subprocess.run(
        [sys.executable, "-m", "evalcheck", "export", "--split", "forms"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    form = next((folder / "forms").iterdir()).read_bytes()
    plain = io.BytesIO()
    openpyxl.Workbook().save(plain)
    bases = [form, plain.getvalue()]
    with zipfile.ZipFile(io.BytesIO(form)) as zf:
        sheet_names = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]

    rng = random.Random(20211)
    names: list[str] = []

    def add(name: str, data: bytes) -> None:
        (folder / name).write_bytes(data)
        names.append(name)

    for n in range(CASES):
        size = rng.choice([0, 1, 10, 1000, 100_000])
        prefix = rng.choice([b"", b"PK\x03\x04", b"\xef\xbb\xbf", form[:200]])
        add(f"bytes{n}.xlsx", prefix + rng.randbytes(size))
    for n in range(CASES):
        base = rng.choice(bases)
        target = rng.choice(sheet_names) if base is form else "xl/worksheets/sheet1.xml"
        add(f"xml{n}.xlsx", _workbook(base, {target: _random_sheet(rng)}))
    for n in range(CASES // 2):  # byte flips inside a real form's XML
        with zipfile.ZipFile(io.BytesIO(form)) as zf:
            member = rng.choice(zf.namelist())
            data = bytearray(zf.read(member))
        for _ in range(rng.randint(1, 20)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        add(f"flip{n}.xlsx", _workbook(form, {member: bytes(data)}))

    # hand-made bombs
    far = SHEET.format(
        dimension='<dimension ref="A1:XFD1048576"/>',
        rows='<row r="1"><c r="A1" t="inlineStr"><is><t>题号</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    ).encode()
    add("dimension_bomb.xlsx", _workbook(form, {sheet_names[0]: far}))
    wide_rows = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(1, 60001))
    add(
        "wide_rows.xlsx",
        _workbook(form, {sheet_names[0]: SHEET.format(dimension="", rows=wide_rows).encode()}),
    )
    add("zip_bomb.xlsx", _workbook(form, {sheet_names[0]: b" " * (60 * 1024 * 1024)}))
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" if i > 1 else "&lol;"}'.encode()
            + (f"&lol{i - 1};".encode() if i > 1 else b"&lol;") * 9
            + b'">'
            for i in range(1, 10)
        )
        + b']><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    add("entities.xlsx", _workbook(form, {sheet_names[0]: laughs}))
    deep = SHEET.format(dimension="", rows="<row>" * 100_000).encode()
    add("deep.xlsx", _workbook(form, {sheet_names[0]: deep}))
    add(
        "stored_big.xlsx", _workbook(form, {sheet_names[0]: b" " * (30 * 1024 * 1024)}, stored=True)
    )
    return folder, names


def _run_child(folder: Path, calls: list[list[str]]) -> list[tuple[list[str], object, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    env["EVALCHECK_CACHE_DIR"] = str(folder / "_cache")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.replace("CAP", str(MEMORY_CAP)), json.dumps(calls)],
        cwd=folder,
        env=env,
        capture_output=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-3000:]
    return [tuple(x) for x in json.loads(proc.stdout)]


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.slow  # a generated corpus of hostile workbooks
@pytest.mark.parametrize("command", ["import", "checklist-import"])
def test_random_and_hostile_workbooks_fail_cleanly(corpus, command: str) -> None:
    folder, names = corpus
    answers = folder / "answers.yaml"
    if not answers.exists():
        env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
        subprocess.run(
            [sys.executable, "-m", "evalcheck", "answer", "47", "--value", "312"],
            cwd=folder,
            env=env,
            check=True,
            capture_output=True,
        )
    before = answers.read_bytes()
    if command == "import":
        calls = [["import", name] for name in names]
    else:
        calls = [["checklist-import", name, "-o", f"out_{name}.yaml"] for name in names]
    results = _run_child(folder, calls)
    assert len(results) == len(names)
    for args, code, err in results:
        assert "Traceback" not in err, (args, err[-2000:])
        assert code in (0, 3, 4), (args, code, err)
        if code:
            assert err.startswith("错误：") and _chinese(err), (args, err)
        assert answers.read_bytes() == before, args
    refused = {args[1]: code for args, code, _ in results}
    for bomb in (
        "dimension_bomb.xlsx",
        "wide_rows.xlsx",
        "zip_bomb.xlsx",
        "entities.xlsx",
        "stored_big.xlsx",
    ):
        assert refused[bomb] in (3, 4) or (command == "import" and refused[bomb] == 0), bomb


# ---------------------------------------------------------------- the readers added in 0.2.0

EVIDENCE_ATOMS = [
    "*", "?", "[a]", "**/", "../", "..\\", "/", "\\\\srv\\", "C:", "~", "%", "$HOME", "\u202e",
    "名", "a.pdf", ".", " ", "；", ";", "\n", "http://", "https://a.cn/", "\t", "ﬁ", "𝟒", "\x7f",
]  # fmt: skip


def _random_evidence(rng: random.Random) -> str:
    return "".join(rng.choice(EVIDENCE_ATOMS) for _ in range(rng.randint(1, 12)))[:300]


def _random_yaml(rng: random.Random) -> str:
    atoms = ["mapping:", "- ", "  ", "{", "}", "[", "]", "old: ", "new: ", "1", "-1", "null",
             "checklist: ", "previous: ", "year: ", "'", '"', ":", "\n", "#", "!!binary ",
             "!!set ", "&a ", "*a", "1e400", "9" * 50, "题号", "score: "]  # fmt: skip
    return "".join(rng.choice(atoms) for _ in range(rng.randint(1, 80)))


@pytest.fixture(scope="module")
def answered_folder(tmp_path_factory) -> Path:
    import openpyxl

    folder = tmp_path_factory.mktemp("fuzz_new")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    for args in (["answer", "47", "--value", "312", "--by", "张三"],
                 ["answer", "21", "--value", "3", "--by", "张三"],
                 ["export", "--split", "forms"], ["export", "--review", "审核表"]):  # fmt: skip
        subprocess.run([sys.executable, "-m", "evalcheck", *args], cwd=folder, env=env,
                       check=True, capture_output=True)  # fmt: skip
    rng = random.Random(25)
    form = next(p for p in (folder / "forms").iterdir() if "政务服务中心" in p.name)
    review = next((folder / "审核表").iterdir())
    for n in range(CASES):
        wb = openpyxl.load_workbook(form)
        ws = wb["测评指标"]
        header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
        col = {c.value: c.column for c in ws[header]}
        rows = [r for r in range(header + 1, ws.max_row + 1)
                if isinstance(ws.cell(r, col["题号"]).value, int)]  # fmt: skip
        for r in rng.sample(rows, 3):
            ws.cell(r, col["佐证材料"]).value = _random_evidence(rng).replace("\x7f", "")
        wb.save(folder / f"ev{n}.xlsx")
        wb = openpyxl.load_workbook(review)
        ws = wb["审核"]
        cols = {c.value: c.column for c in ws[2]}
        for r in range(3, ws.max_row + 1):
            if not isinstance(ws.cell(r, cols["题号"]).value, int):
                continue
            for name in ("审核结论", "审核意见", "填报值", "答案版本", "校验键", "题号"):
                if rng.random() < 0.4:
                    choice = rng.choice(["通过", "退回", "", None, 5, -1, 1e300, "=1+1",
                                         _random_evidence(rng), "x" * 40000])  # fmt: skip
                    ws.cell(r, cols[name]).value = (
                        choice[:32767] if isinstance(choice, str) else choice
                    )
        wb.save(folder / f"rv{n}.xlsx")
        data = bytearray((folder / f"rv{n}.xlsx").read_bytes())
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(data))
            data[i] = rng.randrange(256)
        (folder / f"rvflip{n}.xlsx").write_bytes(bytes(data))
        (folder / f"map{n}.yaml").write_text(_random_yaml(rng), encoding="utf-8")
    return folder


@pytest.mark.slow  # a generated corpus through the real entry point
@pytest.mark.parametrize("family", ["evidence cells", "review workbooks", "mapping file"])
def test_the_new_readers_fail_cleanly(answered_folder: Path, family: str) -> None:
    folder = answered_folder
    answers = folder / "answers.yaml"
    before = answers.read_bytes()
    if family == "evidence cells":
        calls = [["import", f"ev{n}.xlsx", "--by", "张三", "--dry-run"] for n in range(CASES)]
    elif family == "review workbooks":
        calls = [["import", f"{p}{n}.xlsx", "--by", "高秀英", "--dry-run"]
                 for n in range(CASES) for p in ("rv", "rvflip")]  # fmt: skip
    else:  # the mapping file beside the answers (answers.previous.yaml), read by list/compare
        calls = []
        for n in range(CASES):
            text = (folder / f"map{n}.yaml").read_text(encoding="utf-8")
            calls.append(["--answers", f"a{n}/answers.yaml", "list"])
            (folder / f"a{n}").mkdir(exist_ok=True)
            (folder / f"a{n}" / "answers.yaml").write_bytes(before)
            (folder / f"a{n}" / "answers.previous.yaml").write_text(text, encoding="utf-8")
    results = _run_child(folder, calls)
    assert len(results) == len(calls)
    for args, code, err in results:
        assert "Traceback" not in err, (args, err[-2000:])
        assert code in (0, 1, 3, 4), (args, code, err)
        if code:
            assert err.startswith("错误：") and _chinese(err), (args, err)
    assert answers.read_bytes() == before
    for n in range(CASES if family == "mapping file" else 0):
        assert (folder / f"a{n}" / "answers.yaml").read_bytes() == before
