"""Run the README's and the manual's tours as a newcomer would type them; compare outputs.

The pages are README.md and every docs/*.md, in that order (docs by file name). Every
fenced block of a page whose lines start with `$ ` is part of its tour: the commands run
in order, in one empty folder per page, and what they print (stdout and stderr, as a
terminal 100 columns wide shows it) is compared with the lines that follow them.

One fresh folder per page, not one folder for all: a reader lands on one page and types
its examples into a new folder, so each page must work alone (it shows the answers and
files it needs); and a page's outputs cannot change when someone edits another page.

- `[退出码 N]` after an output: the command must end with exit code N (else 0).
- A line `……` stands for any number of lines (an output shortened for the reader).
- `<!-- tour: fill FILE ID=VALUE … -->` between blocks is a step a person does by hand
  (filling a form in Excel); the tour does it with openpyxl on the same file.
  `<!-- tour: write FILE TEXT -->` writes a small file the next step needs.
- Times, today's date and day counts that depend on today are normalised on both sides.

    python tests/readme_tour.py                     # check every page; exit 1 and a diff on drift
    python tests/readme_tour.py docs/review.md      # check one page (or several)
    python tests/readme_tour.py --update [PAGE…]    # write the real outputs into the pages
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
WIDTH = 100
# The day the tour is run on (EVALCHECK_TODAY), so its day counts hold on any date.
TODAY = "2026-12-02"
EXIT = re.compile(r"^\[退出码 (\d+)\]$")
HIDDEN = re.compile(r"<!--\s*tour:\s*(.*?)\s*-->", re.S)
ELLIPSIS = "……"


@dataclass
class Step:
    command: str  # what follows "$ ", or a hidden step ("fill …", "write …")
    expected: list[str] = field(default_factory=list)
    hidden: bool = False
    line: int = 0  # where the command stands in its page (1-based)


def pages() -> list[Path]:
    """The pages whose tours run, in their order: README.md, then docs/*.md by name."""
    return [README, *sorted(DOCS.glob("*.md"))]


def page_name(page: Path) -> str:
    try:
        return page.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(page)


def parse(text: str) -> list[Step]:
    steps: list[Step] = []
    lines = text.split("\n")
    in_block = False
    current: Step | None = None
    for n, line in enumerate(lines, start=1):
        if line.startswith("```"):
            if in_block and current is not None:
                _trim(current)
                current = None
            in_block = not in_block
            continue
        if not in_block:
            for m in HIDDEN.finditer(line):
                steps.append(Step(m.group(1), hidden=True, line=n))
            continue
        if line.startswith("$ "):
            if current is not None:
                _trim(current)
            current = Step(line[2:].strip(), line=n)
            steps.append(current)
        elif current is not None:
            current.expected.append(line)
    return steps


def _trim(step: Step) -> None:
    while step.expected and not step.expected[-1].strip():
        step.expected.pop()


def as_shown(text: str, folder: Path) -> str:
    """The tour's folder as the page shows it: '.'; but the answers file a first write
    outside a work folder creates is named whole (the folder may be the wrong one), on
    the page as <当前文件夹>."""
    text = text.replace(f"新建的 {folder}", "新建的 <当前文件夹>")
    return text.replace(str(folder), ".")


def normalise(text: str, folder: Path) -> str:
    today = TODAY
    text = as_shown(text, folder)
    text = re.sub(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?", "<时间>", text
    )
    text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?", "<时间>", text)
    text = text.replace(today, "<今天>")
    text = re.sub(r"逾期\d+天", "逾期N天", text)
    from evalcheck.model.loading import bundled_checklist_path

    text = text.replace(str(bundled_checklist_path()), "<安装目录>/indicators.yaml")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def matches(expected: list[str], actual: list[str]) -> bool:
    pattern = "".join(
        r"(?:.*\n)*?" if line.strip() == ELLIPSIS else re.escape(line) + r"\n" for line in expected
    )
    return re.fullmatch(pattern, "".join(a + "\n" for a in actual)) is not None


def environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALCHECK_")}
    env.update(
        EVALCHECK_WIDTH=str(WIDTH),
        EVALCHECK_TABLE="rich",  # tables as a terminal shows them
        EVALCHECK_CACHE_DIR=str(folder / ".cache"),
        PYTHONUNBUFFERED="1",  # stdout and stderr in the order they were written
        PYTHONIOENCODING="utf-8",
        LOGNAME="王芳",
        USER="王芳",
        USERNAME="王芳",
        COLUMNS=str(WIDTH),
        EVALCHECK_TODAY=TODAY,
    )
    env.pop("EVALCHECK_USER", None)
    return env


def run_step(step: Step, folder: Path, env: dict[str, str]) -> tuple[list[str], int]:
    if step.hidden:
        hidden_step(step.command, folder)
        return [], 0
    words = shlex.split(step.command)
    extra = {}  # `EVALCHECK_WIDTH=60 evalcheck …`: settings for this command only
    while words and re.fullmatch(r"EVALCHECK_[A-Z_]+=\S*", words[0]):
        key, _, value = words.pop(0).partition("=")
        extra[key] = value
    if words[0] == "evalcheck":
        cmd = [sys.executable, "-m", "evalcheck", *words[1:]]
        env = {**env, **extra}
    else:
        cmd = ["bash", "-c", step.command]
    proc = subprocess.run(
        cmd, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120
    )
    out = proc.stdout.decode("utf-8", errors="replace").rstrip("\n")
    lines = out.split("\n") if out else []
    return lines, proc.returncode


def hidden_step(command: str, folder: Path) -> None:
    words = shlex.split(command)
    if words[0] == "fill":
        fill(folder / words[1], dict(w.split("=", 1) for w in words[2:]))
    elif words[0] == "write":
        (folder / words[1]).parent.mkdir(parents=True, exist_ok=True)  # 单位/沙坡头区/…
        (folder / words[1]).write_text(
            " ".join(words[2:]).replace("\\t", "\t").replace("\\n", "\n"), encoding="utf-8"
        )
    else:
        raise SystemExit(f"unknown tour step: {command}")


def fill(path: Path, cells: dict[str, str]) -> None:
    """What a person does in Excel: type values into 填报值 (or COLUMN:ID=VALUE)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    header_row = next(r for r in range(1, 8) if any(c.value == "题号" for c in ws[r]))
    cols = {c.value: c.column for c in ws[header_row]}
    rows = {ws.cell(r, cols["题号"]).value: r for r in range(header_row + 1, ws.max_row + 1)}
    for key, value in cells.items():
        column, _, ident = key.rpartition(":")
        typed: object = value
        if re.fullmatch(r"\d+(\.\d+)?", value):
            typed = float(value) if "." in value else int(value)
        ws.cell(rows[int(ident)], cols[column or "填报值"]).value = typed
    wb.save(path)


def _native_blocked() -> bool:
    """Whether the suite runs as on a PC without native wheels (tests/nativeblock/)."""
    return any(type(f).__name__ == "NativeBlocker" for f in sys.meta_path)


def run_tour(readme: Path = README) -> tuple[list[str], list[tuple[Step, list[str], int]]]:
    """Run every step of one page in a fresh folder; return (problems, [(step, output, code)])."""
    name = page_name(readme)
    steps = parse(readme.read_text(encoding="utf-8"))
    problems: list[str] = []
    results: list[tuple[Step, list[str], int]] = []
    with tempfile.TemporaryDirectory(prefix="evalcheck-tour-") as tmp:
        folder = Path(tmp)
        env = environment(folder)
        for step in steps:
            actual, code = run_step(step, folder, env)
            actual = [as_shown(a, folder) for a in actual]
            results.append((step, actual, code))
            if step.hidden:
                continue
            expected = list(step.expected)
            want = 0
            if expected and (m := EXIT.match(expected[-1].strip())):
                want = int(m.group(1))
                expected.pop()
            if code == 6 != want and _native_blocked():
                continue  # an optional feature (Word export) without its parts: skipped
            exp = normalise("\n".join(expected), folder).split("\n") if expected else []
            act = normalise("\n".join(actual), folder).split("\n") if actual else []
            if not matches(exp, act):
                diff = "\n".join(difflib.unified_diff(exp, act, name, "actual", lineterm=""))
                problems.append(f"{name}:{step.line}: $ {step.command}\n{diff}")
            if code != want:
                problems.append(
                    f"{name}:{step.line}: $ {step.command}: exit {code}, the page says {want}"
                )
    return problems, results


def update(readme: Path = README) -> None:
    """Write the real outputs (and exit codes) under each command of one page."""
    _, results = run_tour(readme)
    lines = readme.read_text(encoding="utf-8").split("\n")
    for step, actual, code in reversed(results):
        if step.hidden:
            continue
        start = step.line  # index of the line after the command
        end = start + len(step.expected)
        new = [line.rstrip() for line in _shortened(step.expected, actual)]
        if code:
            new.append(f"[退出码 {code}]")
        lines[start:end] = new
    readme.write_text("\n".join(lines), encoding="utf-8")


def _shortened(expected: list[str], actual: list[str]) -> list[str]:
    """Keep a README's …… where it was: as many lines before and after it as before."""
    body = [e for e in expected if not EXIT.match(e.strip())]
    if ELLIPSIS not in [e.strip() for e in body]:
        return list(actual)
    cut = [e.strip() for e in body].index(ELLIPSIS)
    head, tail = cut, len(body) - cut - 1
    if head + tail >= len(actual):
        return list(actual)
    return [*actual[:head], ELLIPSIS, *(actual[len(actual) - tail :] if tail else [])]


def main(argv: list[str]) -> int:
    chosen = [Path(a).resolve() for a in argv if a != "--update"] or pages()
    if "--update" in argv:
        for page in chosen:
            update(page)
            print(f"{page_name(page)}: updated")
        return 0
    total = failed = 0
    for page in chosen:
        problems, results = run_tour(page)
        for p in problems:
            print(p, end="\n\n")
        count = len([r for r in results if not r[0].hidden])
        total += count
        failed += len(problems)
        print(f"{page_name(page)}: {count} commands, {len(problems)} problems")
    print(f"{len(chosen)} pages, {total} commands, {failed} problems")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
