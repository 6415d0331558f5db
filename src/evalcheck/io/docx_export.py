"""The attachment as a Word document (python-docx, imported only here).

A4 landscape; the label ("附件 1") at the top left in 黑体, the title in 小标宋/宋体, the
table with the category cells merged and a header row on every page, the answers, the
备注 paragraph, and page numbers in the "— 1 —" style. Word, WPS and LibreOffice Writer
open it.

A category merged across a page break shows on its first page only, so the pages are
laid out here, as for the Excel export (pages.py): every row gets a least height
computed from its text, and each page is its own table (header row, rows, category
cells merged within the page). The tables flow: none starts with a page break, so a
word processor whose fonts run narrower fills the page with the next table (its header
row and category shown again) instead of leaving the page part empty; one whose fonts
run wider carries a table over (its header row repeats, no row splits).
"""

from __future__ import annotations

import copy
import io
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evalcheck.infra.fileio import atomic_write_bytes
from evalcheck.infra.fonts import Font
from evalcheck.model.kinds import without_control
from evalcheck.views.attachment import Attachment, runs
from evalcheck.views.pages import SAFETY, page_starts

PAGE_W, PAGE_H = 29.7, 21.0  # A4 landscape, cm
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 1.8, 2.4, 2.2
FOOTNOTE_SIZE = 12.0  # 小四
PAGE_NUMBER = Font("宋体", None, 14.0)  # 四号, as official documents number their pages
# centimetres on the page, by column key (scaled to the text width); a column not named
# here gets a width in proportion to its spreadsheet width
WIDTHS_CM = {
    "category": 2.6, "id": 1.3, "text": 6.9, "owner": 2.0, "section": 2.8, "due": 2.7,
    "display": 3.4, "note": 2.3, "evidence": 2.0,
}  # fmt: skip


def write_docx(path: Path, att: Attachment) -> None:
    """Write the attachment to `path` (atomically)."""
    from evalcheck.infra.optional import require
    from evalcheck.infra.outputguard import check_export_target, refuse_onto_input

    check_export_target(path, "report.docx")
    refuse_onto_input(path)  # refused as it would be with Word installed
    require("word", "导出 Word 附件（.docx）")
    atomic_write_bytes(path, docx_bytes(att))


def docx_bytes(att: Attachment) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(PAGE_W), Cm(PAGE_H)
    sec.left_margin = sec.right_margin = Cm(MARGIN_X)
    sec.top_margin, sec.bottom_margin = Cm(MARGIN_TOP), Cm(MARGIN_BOTTOM)
    sec.footer_distance = Cm(1.0)
    fonts = att.fonts
    normal = doc.styles["Normal"]
    _set_font(normal.element, fonts.body)
    normal.paragraph_format.space_after = Pt(0)

    if att.label:
        p = doc.add_paragraph()
        _run(p, att.label, fonts.label)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(12)
    _run(p, att.title, fonts.title)

    cols = att.columns
    cm = [WIDTHS_CM.get(c.key, c.width / 6) for c in cols]
    scale = (PAGE_W - 2 * MARGIN_X) / sum(cm)
    widths_cm = [w * scale for w in cm]
    header_h = _row_height([c.header for c in cols], widths_cm, fonts.header.size)
    # the merged category cell spans its rows: it does not set any one row's height
    spare = [w if n != att.group else 1e6 for n, w in enumerate(widths_cm)]
    heights = [_row_height(values, spare, fonts.body.size) for values in att.rows]
    footnote_h = 0.0
    if att.footnote:
        footnote_h = 8 + LINE * FOOTNOTE_SIZE * _lines(att.footnote, PAGE_W - 2 * MARGIN_X, 12)
    room = (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) * PT_PER_CM * SAFETY
    above = (LINE * fonts.label.size if att.label else 0) + LINE * fonts.title.size + 18
    starts = page_starts([*heights, footnote_h], room - above - header_h, room - header_h)
    bounds = [0, *[s for s in starts if s < len(heights)], len(heights)]
    for page, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        if page > 0:  # each page its own table (its header row, its category cells)
            gap = doc.add_paragraph()  # keeps the tables apart; no page break: they flow
            gap.paragraph_format.line_spacing = Pt(1)  # a Length: exactly 1 point tall
        _table(doc, att, range(lo, hi), widths_cm, (header_h, heights))

    if att.footnote:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(8)
        p.paragraph_format.keep_together = True
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _run(p, att.footnote, fonts.body._replace(size=FOOTNOTE_SIZE))

    footer = sec.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)
    _declare_fallbacks(doc, [fonts.label, fonts.title, fonts.header, fonts.body])
    _no_theme_fonts(doc, fonts.title, fonts.body)
    # the document's 标题 property holds at most 255 characters (python-docx refuses more);
    # the page shows the whole title
    doc.core_properties.title = att.title if len(att.title) <= 255 else att.title[:254] + "…"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _table(
    doc: Any,
    att: Attachment,
    rows: range,
    widths_cm: list[float],
    heights: tuple[float, list[float]],
) -> None:
    """One page of the table: the header row (marked to repeat, should a page ever
    overflow), the rows, the category cells merged within the page."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    fonts, cols = att.fonts, att.columns
    table = doc.add_table(rows=2, cols=len(cols))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Cm(w) for w in widths_cm]
    for col, w in zip(table.columns, widths, strict=True):
        col.width = w  # w:gridCol: WPS sizes a table by its grid, not by the table width
    _fixed_width(table, sum(int(w.twips) for w in widths))
    header = table.rows[0]
    _row_flags(header, heights[0], header=True)
    for cell, col, w in zip(header.cells, cols, widths, strict=True):
        _cell(cell, col.header, fonts.header, center=True, width=w)
    # every data row is a copy of one row laid out through python-docx (widths, alignment,
    # fonts), its texts filled in with lxml: python-docx takes ~1 ms per cell, 10,000
    # rows would take minutes
    template = table.rows[1]
    _row_flags(template, 0, header=False)
    for cell, col, w in zip(template.cells, cols, widths, strict=True):
        _cell(cell, "-", fonts.body, center=col.center, width=w)
    # each page's table is kept on one page (every row "keep with next" but the last): a
    # table that no longer fits where the one before it ended moves to the next page
    # whole, with its header row and its category cells, instead of splitting there
    for p in (*header.cells, *template.cells):
        p.paragraphs[0].paragraph_format.keep_with_next = True
    proto = template._tr
    tbl = table._tbl
    page_rows = [att.rows[n] for n in rows]
    group_runs = runs([r[att.group] for r in page_rows])
    starts = {a: b for a, b in group_runs}
    merged_until = -1
    for n, values in enumerate(page_rows):
        tr = copy.deepcopy(proto)
        tr.find(f"{W}trPr/{W}trHeight").set(f"{W}val", str(round(heights[1][rows[n]] * 20)))
        for i, tc in enumerate(tr.findall(f"{W}tc")):
            text = values[i]
            if i == att.group:
                if n in starts and starts[n] > n:
                    _vmerge(tc, "restart")
                    merged_until = starts[n]
                elif n <= merged_until:
                    _vmerge(tc, None)
                    text = ""  # shown by the first cell of the merge
            _fill(tc, text)
        tbl.append(tr)
    tbl.remove(proto)
    for keep in tbl.findall(f"{W}tr")[-1].iter(f"{W}keepNext"):
        keep.getparent().remove(keep)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _vmerge(tc: Any, val: str | None) -> None:
    from lxml import etree

    tcpr = tc.find(f"{W}tcPr")
    el = etree.SubElement(tcpr, f"{W}vMerge")
    if val is not None:
        el.set(f"{W}val", val)
    # vMerge belongs before vAlign in a cell's properties (schema order)
    valign = tcpr.find(f"{W}vAlign")
    if valign is not None:
        valign.addprevious(el)


def _fill(tc: Any, text: str) -> None:
    """Put `text` into the cell's prepared run; line breaks become <w:br/>."""
    from lxml import etree

    run = tc.find(f"{W}p/{W}r")
    for el in run.findall(f"{W}t"):
        run.remove(el)
    if not text:
        run.getparent().remove(run)
        return
    for n, line in enumerate(text.split("\n")):
        if n:
            etree.SubElement(run, f"{W}br")
        t = etree.SubElement(run, f"{W}t")
        t.text = without_control(line)  # lxml refuses control characters
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


LINE = 1.3  # line height as a multiple of the font size: room for CJK fonts' tall lines
PT_PER_CM = 72 / 2.54
CELL_PADDING_PT = 2 * 0.19 * PT_PER_CM + 2  # Word's default left + right cell margins


def _lines(text: str, width_cm: float, size: float) -> int:
    """Lines a text wraps to in a column, CJK characters a full em, others half."""
    from evalcheck.views.linebreak import line_count

    per_line = max((width_cm * PT_PER_CM - CELL_PADDING_PT) / (size / 2), 2)
    return line_count(text, int(per_line))  # Chinese line breaking (views/linebreak.py)


def _row_height(values: Sequence[str], widths_cm: list[float], size: float) -> float:
    """A row's height in points: its longest cell's lines, set as the row's least height,
    so that Word, WPS and LibreOffice all lay the page out as computed here."""
    lines = max(_lines(v, w, size) for v, w in zip(values, widths_cm, strict=True))
    return round(lines * size * LINE + 4, 1)


def _set_font(element: Any, font: Font) -> None:
    """Font name for Chinese (eastAsia) and Latin text, and size, on a run or a style."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font.name)
    size = str(round(font.size * 2))  # half-points
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            from docx.oxml import OxmlElement

            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), size)


def _run(paragraph: Any, text: str, font: Font) -> Any:
    run = paragraph.add_run(without_control(text))
    _set_font(run._element, font)
    return run


def _cell(cell: Any, text: str, font: Font, *, center: bool, width: Any) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.width = width
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        lines = text.split("\n")
        run = _run(p, lines[0], font)
        for line in lines[1:]:
            run.add_break()
            run.add_text(line)


def _row_flags(row: Any, height: float, *, header: bool) -> None:
    """The row's least height; never split a row across pages; the header row repeats."""
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    row.height = Pt(height)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _page_number(paragraph: Any) -> None:
    """'— 1 —': the PAGE field between two dashes."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    _run(paragraph, "— ", PAGE_NUMBER)
    for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = _run(paragraph, "", PAGE_NUMBER)
        if kind is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._element.append(fld)
        elif instr == " PAGE ":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = instr
            run._element.append(it)
        else:
            run.text = instr
    end = _run(paragraph, "", PAGE_NUMBER)
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    end._element.append(fld)
    _run(paragraph, " —", PAGE_NUMBER)


def _fixed_width(table: Any, twips: int) -> None:
    """The table's width is its grid's (python-docx writes `auto`), in twentieths of a point:
    Word, WPS and LibreOffice then agree on the column widths."""
    from docx.oxml.ns import qn

    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(twips))


THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _no_theme_fonts(doc: Any, title: Font, body: Font) -> None:
    """Name no font the attachment does not use. WPS warns about every font a document
    names that the PC lacks, and python-docx's template names Calibri, Cambria, ＭＳ 明朝…
    through its theme (a Kylin/UOS PC has none of them): the styles get explicit fonts,
    the theme's fonts become the title's (major) and the body's (minor) font, and the font
    table keeps only the fonts the document uses."""
    from docx.oxml.ns import qn
    from lxml import etree

    def explicit(root: Any) -> None:  # every style's fonts: the body font (Courier → it too)
        for rfonts in root.iter(qn("w:rFonts")):
            for attr in THEME_FONT_ATTRS:
                rfonts.attrib.pop(qn(attr), None)
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                rfonts.set(qn(attr), body.name)

    explicit(doc.styles.element)
    math = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
    for el in doc.settings.element.iter(f"{math}mathFont"):  # Cambria Math
        el.set(f"{math}val", body.name)
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    used: set[str] = set()
    for part in doc.part.package.iter_parts():
        name = str(part.partname)
        if name.endswith("stylesWithEffects.xml") or name.startswith("/word/theme/"):
            root = etree.fromstring(part.blob)
            if name.startswith("/word/theme/"):
                for kind, font in (("majorFont", title), ("minorFont", body)):
                    for group in root.iter(f"{{{a}}}{kind}"):
                        for child in list(group):
                            if etree.QName(child).localname in ("latin", "ea", "cs"):
                                child.set("typeface", font.name)
                            else:  # per-script fonts: ＭＳ 明朝, 바탕, Angsana New …
                                group.remove(child)
                        etree.SubElement(group, f"{{{a}}}font", script="Hans", typeface=font.name)
            else:
                explicit(root)
            part._blob = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    for root in (doc.element, doc.styles.element, doc.sections[0].footer._element):
        for rfonts in root.iter(qn("w:rFonts")):
            used.update(v for k, v in rfonts.attrib.items() if not k.endswith("hint"))
    table = next(p for p in doc.part.package.iter_parts() if p.partname.endswith("fontTable.xml"))
    root = etree.fromstring(table.blob)
    w = root.nsmap["w"]
    fallbacks = {el.get(f"{{{w}}}val") for el in root.iter(f"{{{w}}}altName")}
    for el in list(root):
        if el.get(f"{{{w}}}name") not in used | fallbacks:
            root.remove(el)
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _declare_fallbacks(doc: Any, fonts: list[Font]) -> None:
    """Name each font's fallback in the font table (w:altName), which Word and WPS use
    when the font itself is not installed (e.g. 方正小标宋简体 -> 宋体)."""
    from lxml import etree

    part = next(p for p in doc.part.package.iter_parts() if p.partname.endswith("fontTable.xml"))
    root = etree.fromstring(part.blob)
    w = root.nsmap["w"]
    seen = {el.get(f"{{{w}}}name") for el in root}
    for font in fonts:
        if font.name in seen:
            continue
        seen.add(font.name)
        el = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": font.name})
        if font.fallback:
            etree.SubElement(el, f"{{{w}}}altName", {f"{{{w}}}val": font.fallback})
        etree.SubElement(el, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
        etree.SubElement(el, f"{{{w}}}family", {f"{{{w}}}val": "auto"})
    # the font table is a plain part in python-docx: its bytes are all there is to set
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
