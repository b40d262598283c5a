"""Printable PDFs with an embedded Chinese font (rosters, booklets, 成绩单).

fpdf2 embeds a subset of the font's glyphs, so a printed page never depends on the reader's fonts.
The font is Noto Sans CJK SC from Debian's fonts-noto-cjk (CFF outlines in an OpenType
collection, which fpdf2 reads through fontTools); `settings.PDF_CJK_FONT` points elsewhere when a
machine keeps it in another place. A missing font is a deploy error (core.checks), not a page of
empty boxes.

Use::

    doc = PdfDocument("2026年第1期 成绩单", subtitle="北京市通信管理局")
    doc.table(["考生编号", "姓名"], rows, widths=[30, 20])
    return pdf_response(doc.output(), "成绩单.pdf")
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

FAMILY = "cjk"


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0  # face number inside a .ttc collection


DEFAULT_FONTS = {
    "regular": FontFile(Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    "bold": FontFile(Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"), 2),
}


def font_files() -> dict[str, FontFile]:
    """The regular and bold faces: settings.PDF_CJK_FONT = {"regular": (path, index), "bold": ...}."""
    configured = getattr(settings, "PDF_CJK_FONT", None) or {}
    fonts = dict(DEFAULT_FONTS)
    for style, value in configured.items():
        path, index = (value, 0) if isinstance(value, str | Path) else value
        fonts[style] = FontFile(Path(path), int(index))
    return fonts


def missing_fonts() -> list[Path]:
    return [f.path for f in font_files().values() if not f.path.is_file()]


def _fpdf_class():
    from fpdf import FPDF  # imported lazily: pages that print nothing never load it

    class _Pdf(FPDF):
        doc_title = ""
        doc_subtitle = ""
        generated = ""

        def header(self):
            self.set_font(FAMILY, "B", 14)
            self.cell(0, 8, self.doc_title, align="C", new_x="LMARGIN", new_y="NEXT")
            if self.doc_subtitle:
                self.set_font(FAMILY, "", 10)
                self.cell(0, 6, self.doc_subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self):
            self.set_y(-12)
            self.set_font(FAMILY, "", 8)
            self.cell(0, 6, f"生成时间 {self.generated}", align="L")
            self.cell(0, 6, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="R")

    return _Pdf


class PdfDocument:
    """An A4 document (portrait or landscape) with a title on every page and page numbers."""

    def __init__(self, title: str, *, subtitle: str = "", landscape: bool = False, font_size: float = 10):
        pdf = _fpdf_class()(orientation="L" if landscape else "P", unit="mm", format="A4")
        fonts = font_files()
        pdf.add_font(FAMILY, "", str(fonts["regular"].path), collection_font_number=fonts["regular"].index)
        pdf.add_font(FAMILY, "B", str(fonts["bold"].path), collection_font_number=fonts["bold"].index)
        pdf.doc_title = title
        pdf.doc_subtitle = subtitle
        pdf.generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        pdf.set_title(title)
        pdf.set_creator("三类人员线上考核系统")
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.alias_nb_pages()
        self.pdf = pdf
        self.font_size = font_size
        self.new_page()

    def new_page(self) -> None:
        self.pdf.add_page()
        self.pdf.set_font(FAMILY, "", self.font_size)

    def heading(self, text: str, size: float = 12) -> None:
        self.pdf.set_font(FAMILY, "B", size)
        self.pdf.multi_cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)
        self.pdf.set_font(FAMILY, "", self.font_size)

    def paragraph(self, text: str) -> None:
        """Left-aligned: fpdf2's default justification stretches the spaces inside Chinese text."""
        self.pdf.set_font(FAMILY, "", self.font_size)
        self.pdf.multi_cell(0, self.font_size * 0.55, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def spacer(self, height: float = 4) -> None:
        self.pdf.ln(height)

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        widths: Sequence[float] | None = None,
        align: str = "LEFT",
        line_height: float | None = None,
    ) -> None:
        """A table whose heading row repeats on every page; None prints as an empty cell.
        `widths` are relative column widths (fpdf2 scales them to the page)."""
        self.pdf.set_font(FAMILY, "", self.font_size)
        with self.pdf.table(
            col_widths=tuple(widths) if widths else None,
            text_align=align,
            line_height=line_height or self.font_size * 0.6,
            repeat_headings=1,
            first_row_as_headings=True,
        ) as table:
            heading = table.row()
            for title in headers:
                heading.cell(str(title))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell("" if value is None else str(value))

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """A PDF download (or inline view); never cached, since these pages hold personal data."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def read_text(content: bytes) -> list[str]:
    """Each page's text, with the spaces and NULs a text extractor puts between CJK glyphs
    removed, so a test can look for "中国通信建设" as printed. For tests only: pypdf is a
    development requirement."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return ["".join(page.extract_text().replace("\x00", "").split()) for page in reader.pages]
