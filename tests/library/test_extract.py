"""library.extract: the text search and the builtin rendition read, from real files."""

import unicodedata

from library import extract

from . import samples


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pdf_text_is_every_page_in_nfc_separated_by_form_feeds(tmp_path):
    path = _write(tmp_path, "a.pdf", samples.pdf(("Hội đồng nhân dân tỉnh", "Nghị quyết về đầu tư công", "Trang ba")))
    result = extract.extract("pdf", path)
    assert result.page_count == 3
    pages = result.text.split("\f")
    assert len(pages) == 3
    assert "Hội đồng nhân dân tỉnh" in pages[0] and "Nghị quyết về đầu tư công" in pages[1]
    assert unicodedata.is_normalized("NFC", result.text)


def test_a_pdf_page_without_text_contributes_nothing(tmp_path):
    result = extract.extract("pdf", _write(tmp_path, "a.pdf", samples.pdf(("Trang có chữ", ""))))
    assert result.page_count == 2 and result.text.split("\f")[1].strip() == ""


def test_docx_paragraphs_and_table_rows_in_order(tmp_path):
    data = samples.docx(paragraphs=("BÁO CÁO THẨM TRA", "Ban Kinh tế - Ngân sách nhất trí"),
                        table=(("Nội dung", "Số tiền"), ("Chi đầu tư phát triển", "1.250 tỷ đồng")))
    lines = extract.extract("docx", _write(tmp_path, "a.docx", data)).text.split("\n")
    assert lines == ["BÁO CÁO THẨM TRA", "Ban Kinh tế - Ngân sách nhất trí", "Nội dung\tSố tiền",
                     "Chi đầu tư phát triển\t1.250 tỷ đồng"]


def test_xlsx_sheets_are_headed_by_their_names_with_cached_values(tmp_path):
    data = samples.xlsx({"Thu ngân sách": [("Nội dung", "Dự toán"), ("Thuế, phí", 1250000.0), (None, None)],
                         "Chi ngân sách": [("Chi thường xuyên", 4200000)]})
    text = extract.extract("xlsx", _write(tmp_path, "a.xlsx", data)).text
    sheets = text.split("\f")
    assert sheets[0].split("\n") == ["Thu ngân sách", "Nội dung\tDự toán", "Thuế, phí\t1250000"]
    assert sheets[1].split("\n") == ["Chi ngân sách", "Chi thường xuyên\t4200000"]


def test_images_have_no_text_and_one_page(tmp_path):
    result = extract.extract("png", _write(tmp_path, "a.png", samples.image()))
    assert (result.text, result.page_count) == ("", 1)


def test_control_characters_are_dropped_and_text_is_composed():
    decomposed = unicodedata.normalize("NFD", "Nghị quyết")
    assert extract.clean(decomposed + "\x00\x07\r\nđiều 1") == "Nghị quyết\nđiều 1"
