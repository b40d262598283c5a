"""Printed documents carry their own Chinese font and repeat the table heading on every page."""

import io

import pytest
from django.core.checks import Error
from pypdf import PdfReader

from core import checks
from core.pdf import PdfDocument, font_files, pdf_response, read_text


def _embedded_font_files(reader):
    found = []
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                found += [key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor]
    return found


def test_chinese_text_is_embedded_and_readable_back():
    doc = PdfDocument("2026年第1期 成绩单", subtitle="北京市通信管理局")
    doc.heading("第一考场")
    rows = [(f"1101{i:04d}", "欧阳娜娜", "中国通信建设第三工程局有限公司", "B", 86, "合格") for i in range(120)]
    doc.table(["考生编号", "姓名", "企业名称", "人员类型", "成绩", "是否合格"], rows, widths=[18, 12, 40, 10, 8, 10])
    content = doc.output()
    pages = read_text(content)
    assert len(pages) >= 2
    assert "2026年第1期成绩单" in pages[0]
    assert "中国通信建设第三工程局有限公司" in pages[0]
    # The heading row repeats on the next page, and pages are numbered "of N".
    assert "考生编号" in pages[1]
    assert f"共{len(pages)}页" in pages[1]
    assert _embedded_font_files(PdfReader(io.BytesIO(content))), "the CJK font must be embedded"


def test_empty_values_print_as_empty_cells():
    doc = PdfDocument("门贴")
    doc.table(["座位号", "姓名"], [(1, None), (2, "李雷")])
    text = read_text(doc.output())[0]
    assert "None" not in text and "李雷" in text


def test_response_is_a_download_that_is_never_cached():
    response = pdf_response(b"%PDF-1.4", "成绩单.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert "filename*=UTF-8''%E6%88%90%E7%BB%A9%E5%8D%95.pdf" in response["Content-Disposition"]


def test_missing_font_is_reported_by_the_checks(settings, tmp_path):
    settings.PDF_CJK_FONT = {"regular": (str(tmp_path / "none.ttc"), 2)}
    assert font_files()["regular"].path == tmp_path / "none.ttc"
    warnings = checks.pdf_font_present(None)
    errors = checks.pdf_font_present_deploy(None)
    assert [w.id for w in warnings] == ["sanlei.W001"]
    assert [e.id for e in errors] == ["sanlei.E008"] and isinstance(errors[0], Error)


@pytest.mark.parametrize("style", ["regular", "bold"])
def test_installed_fonts_are_found(style):
    assert font_files()[style].path.is_file()
