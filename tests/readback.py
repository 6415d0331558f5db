"""Reading an exported workbook back, independently of evalcheck's own reader.

python-calamine (Rust) when installed; otherwise openpyxl, its values made to look like
calamine's (empty cells "", numbers float, whole-day datetimes dates), so that the tests
that check exports also run where the native parts are absent (EVALCHECK_BLOCK_NATIVE=1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

try:
    from python_calamine import CalamineWorkbook
except ImportError:  # a PC without native wheels: tests/nativeblock/

    def _cell(v: Any) -> Any:
        if v is None:
            return ""
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return float(v)
        if isinstance(v, dt.datetime) and v.time() == dt.time(0):
            return v.date()
        return v

    class _Sheet:
        def __init__(self, ws: Any) -> None:
            self.name = ws.title
            self.rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]

        def to_python(self, skip_empty_area: bool = True) -> list[list[Any]]:
            return [list(r) for r in self.rows]

    class CalamineWorkbook:  # type: ignore[no-redef]
        def __init__(self, path: str) -> None:
            import openpyxl

            self.book = openpyxl.load_workbook(path, data_only=True)
            self.sheet_names = self.book.sheetnames

        @classmethod
        def from_path(cls, path: Any) -> CalamineWorkbook:
            return cls(str(path))

        def get_sheet_by_name(self, name: str) -> _Sheet:
            return _Sheet(self.book[name])

        def get_sheet_by_index(self, index: int) -> _Sheet:
            return _Sheet(self.book.worksheets[index])


__all__ = ["CalamineWorkbook"]
