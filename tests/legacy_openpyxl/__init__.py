"""The Excel writers as they were with openpyxl (0.2.0 to 0.3), kept frozen as the
reference that tests/test_xlsx_equivalence.py compares the XlsxWriter writers with."""
