"""Drives LibreOffice Calc over UNO, as a person filling a form would.

Run with the system interpreter that has python3-uno (/usr/bin/python3), never imported
by the test suite itself (the project's venv has no `uno`):

    /usr/bin/python3 tests/lo_helper.py PROFILE_DIR IN.xlsx OUT.xlsx '{"30": "12"}'

Opens IN.xlsx in a headless Calc, types each value into the 填报值 cell of the row whose
题号 is the key (typed as a person types: "12" becomes a number, "是" text), saves the
result as .xlsx (Calc's own "Excel 2007-365" writer) at OUT.xlsx and prints, as JSON, the
cell each value went into.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

SHEET = "测评指标"


def prop(name: str, value: Any) -> Any:
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def start(profile: Path) -> tuple[subprocess.Popen[bytes], Any, Any]:
    pipe = f"evalcheck_{uuid.uuid4().hex}"
    proc = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.2)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, ctx, desktop


def fill(ctx: Any, desktop: Any, src: Path, dst: Path, values: dict[str, str]) -> dict[str, str]:
    doc = desktop.loadComponentFromURL(src.resolve().as_uri(), "_blank", 0, (prop("Hidden", True),))
    dispatcher = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.DispatchHelper", ctx
    )
    controller = doc.getCurrentController()
    frame = controller.getFrame()
    sheet = doc.Sheets.getByName(SHEET)
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    last_row, last_col = cursor.RangeAddress.EndRow, cursor.RangeAddress.EndColumn

    def text(c: int, r: int) -> str:
        return str(sheet.getCellByPosition(c, r).getString()).strip()

    header = next(
        r
        for r in range(min(last_row, 20) + 1)
        if "填报值" in [text(c, r) for c in range(last_col + 1)]
    )
    names = [text(c, header) for c in range(last_col + 1)]
    id_col, value_col = names.index("题号"), names.index("填报值")
    typed: dict[str, str] = {}
    for r in range(header + 1, last_row + 1):
        ident = text(id_col, r)
        if ident in values:
            cell = sheet.getCellByPosition(value_col, r)
            # select the cell and enter the text through the view, as typing does
            # (cell.setFormula would skip Calc's input handling: "95%" -> percent format)
            controller.select(cell)
            dispatcher.executeDispatch(
                frame, ".uno:EnterString", "", 0, (prop("StringName", values[ident]),)
            )
            typed[ident] = str(cell.AbsoluteName)
    doc.storeToURL(dst.resolve().as_uri(), (prop("FilterName", "Calc MS Excel 2007 XML"),))
    # no doc.close(): Calc sometimes crashes closing a document after dispatched input;
    # the file is stored, and terminate() below ends the office anyway
    return typed


def main() -> None:
    profile, src, dst, values = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    proc, ctx, desktop = start(profile)
    try:
        print(json.dumps(fill(ctx, desktop, src, dst, json.loads(values)), ensure_ascii=False))
    finally:
        with contextlib.suppress(Exception):  # the bridge goes down as terminate() returns
            desktop.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
