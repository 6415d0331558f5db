"""Rendering exported files to PDF with LibreOffice (where installed), and reading the pages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None,
    reason="LibreOffice (soffice) and poppler (pdftotext) are needed to render pages",
)


def to_pdf(path: Path, profile: Path) -> Path:
    """Convert with a private LibreOffice profile (other runs may use the default one)."""
    assert SOFFICE is not None
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(path.parent),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = path.with_suffix(".pdf")
    if not pdf.exists():
        # soffice exits 0 without output when the component for this file type is missing
        # (libreoffice-writer-nogui for .docx, libreoffice-calc-nogui for .xlsx)
        pytest.skip(
            f"LibreOffice made no PDF from {path.suffix} (is its Writer/Calc part installed?): "
            f"{done.stderr.decode(errors='replace').strip()[:200]}"
        )
    return pdf


def pdf_pages(pdf: Path) -> list[str]:
    """The text of every page ("\\f" separates pages in pdftotext's output)."""
    assert PDFTOTEXT is not None
    out = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _calibri_metrics() -> bool:
    """LibreOffice lays out an Excel file's column widths in its default font, Calibri;
    without Calibri or its metric twin Carlito it makes every column wider than Excel."""
    fc = shutil.which("fc-match")
    if fc is None:
        return False
    out = subprocess.run([fc, "Calibri"], capture_output=True, text=True).stdout
    return "Calibri" in out or "Carlito" in out


needs_soffice_calc = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None or not _calibri_metrics(),
    reason="LibreOffice, poppler and Calibri's metrics (fonts-crosextra-carlito) are needed",
)
