"""The README and the manual in docs/: every tour, typed in order in an empty folder, prints
what the page shows; the README stays a front door whose links lead into the manual."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .readme_tour import DOCS, README, ROOT, matches, page_name, pages, parse, run_tour

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


# The longest tours (13 to 35 commands, a process each) run only with the slow tests (CI);
# the fast run (-m "not slow") runs the README's and the shorter pages' tours.
LONG_TOURS = {"docs/commands.md", "docs/review.md", "docs/units.md", "docs/year-over-year.md"}


@pytest.mark.parametrize(
    "page",
    [pytest.param(p, marks=pytest.mark.slow) if page_name(p) in LONG_TOURS else p for p in pages()],
    ids=page_name,
)
def test_the_tour_runs_as_written(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVALCHECK_WIDTH", raising=False)
    problems, _ = run_tour(page)
    assert problems == [], "\n\n".join(problems)


def test_the_tours_cover_every_command() -> None:
    steps = [s for page in pages() for s in parse(page.read_text(encoding="utf-8"))]
    typed = [s.command.split() for s in steps if not s.hidden]
    assert len(typed) >= 40
    from evalcheck.cli.table import COMMANDS

    used = {word for words in typed if words[0] == "evalcheck" for word in words[1:]}
    assert set(COMMANDS) - used == set(), "commands without an example in README.md or docs/"


def test_the_readme_is_a_front_door() -> None:
    lines = README.read_text(encoding="utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    assert len(lines) <= 250
    text = "\n".join(lines)
    for heading in ("## 两条命令上手", "## 三个示例命令", "## 手册", "## English"):
        assert heading in text
    for example in (
        "$ evalcheck list --section 审批监管科\n",
        "$ evalcheck answer 47 --value 312\n",
        "$ evalcheck export report.xlsx\n",
    ):
        assert example in text  # the three examples, exactly as written, run by the tour


def test_the_readme_links_only_to_pages_of_the_manual() -> None:
    links = _links(README)
    assert links, "the README says where the manual is"
    for target in links:
        path, _, _ = target.partition("#")
        assert path.startswith("docs/") and path.endswith(".md"), target
    _assert_links_resolve(README)


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=page_name)
def test_the_manuals_links_resolve(page: Path) -> None:
    _assert_links_resolve(page)


def test_every_page_of_the_manual_can_be_reached_from_the_readme() -> None:
    seen: set[Path] = set()
    todo = [README.resolve()]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        for target in _links(page):
            path = (page.parent / target.partition("#")[0]).resolve()
            if path.suffix == ".md" and path.is_file():
                todo.append(path)
    unreached = [page_name(p) for p in sorted(DOCS.glob("*.md")) if p.resolve() not in seen]
    assert unreached == [], "link these pages from README.md or another page of docs/"


def test_the_readmes_test_command_is_the_one_ci_runs() -> None:
    readme = README.read_text(encoding="utf-8")
    found = re.search(r'pip install "\.\[test\]" && \.venv/bin/(python -m pytest[^\n`]*)', readme)
    assert found, "the README shows its test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").split("\n")
    marker = ci.index("# The README's test command:")
    assert ci[marker + 1].strip() == found.group(1).strip()


def test_the_tour_parser_and_matcher() -> None:
    steps = parse(
        "x\n```text\n$ evalcheck a\nout\n\n$ evalcheck b\n[退出码 3]\n```\n<!-- tour: fill f 1=2 -->\n"
    )
    assert [(s.command, s.expected, s.hidden) for s in steps] == [
        ("evalcheck a", ["out"], False),
        ("evalcheck b", ["[退出码 3]"], False),
        ("fill f 1=2", [], True),
    ]
    assert matches(["a", "b"], ["a", "b"]) and not matches(["a"], ["a", "b"])
    assert matches(["a", "……", "d"], ["a", "b", "c", "d"]) and not matches(["a", "……"], ["b"])


def test_anchors_are_made_as_github_makes_them() -> None:
    assert _anchors(
        "# 退出码\n## init：工作文件夹\n## 清单 `data/indicators.yaml`\n## A b\n## A b"
    ) == {
        "退出码",
        "init工作文件夹",
        "清单-dataindicatorsyaml",
        "a-b",
        "a-b-1",
    }


def _links(page: Path) -> list[str]:
    text = _outside_code(page.read_text(encoding="utf-8"))
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]


def _assert_links_resolve(page: Path) -> None:
    for target in _links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page.resolve()
        assert file.is_file(), f"{page_name(page)}: {target} does not exist"
        if anchor and file.suffix == ".md":
            anchors = _anchors(file.read_text(encoding="utf-8"))
            assert anchor in anchors, f"{page_name(page)}: no heading #{anchor} in {path or 'it'}"


def _outside_code(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)


def _anchors(text: str) -> set[str]:
    """The ids GitHub gives a page's headings: lower case, punctuation dropped, spaces as -."""
    out: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", _outside_code(text), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        n, candidate = 0, slug
        while candidate in out:
            n += 1
            candidate = f"{slug}-{n}"
        out.add(candidate)
    return out
