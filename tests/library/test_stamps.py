"""The classification-stamp corpus: files stamped classified, and clean files
that only look close, each with the verdict library.files must give.

The rule (library/stamps.py, docs/library.md "How a stamp is recognised"):
the three levels of state secrets (Luật Bảo vệ bí mật nhà nước; stamps of
Thông tư 24/2020/TT-BCA, form no. 02) — TUYỆT MẬT, TỐI MẬT, MẬT — in any case, with or without diacritics,
spaced, or with invisible and look-alike letters inside, anywhere in the text
of every page, sheet, header and footer; “ĐỘ MẬT: MẬT” is a stamp, “ĐỘ MẬT:
THƯỜNG” and “GIẢI MẬT” are not; prose (“mất”, “mặt”, “mắt”, “Mặt trận Tổ
quốc”, “bảo mật thông tin”, “tài liệu mật không được đưa lên mạng”) is not.

Every sample is made here (PDF with fpdf2 in the project's Vietnamese font,
DOCX with python-docx, XLSX with openpyxl) and checked by the same call the
upload makes. The secretary (office staff) is the uploader.
"""

import io

import pytest

from library import files, services
from library.stamps import classification

from . import samples

ZW = "\u200b"  # zero-width space
WJ = "\u2060"  # word joiner
SHY = "\u00ad"  # soft hyphen
CYRILLIC_MAT = "\u041c\u1eac\u0422"  # М (Cyrillic) Ậ Т (Cyrillic)
GREEK_MAT = "\u039c\u1eac\u03a4"  # Μ (Greek) Ậ Τ (Greek)
DECOMPOSED_MAT = "MA\u0323\u0302T"  # A, dot below, circumflex: NFC makes it Ậ

PROSE = ("Đồng chí Chủ tịch đã mất sớm. Mặt trận Tổ quốc Việt Nam tỉnh giám sát; mặt bằng giá ổn định; "
         "khám mắt cho người cao tuổi. Hồ sơ đã được giải mật theo quy định. Tăng cường bảo mật thông tin "
         "trên mạng. Tài liệu mật không được đưa lên mạng. Tài liệu MẬT phải được quản lý theo quy định.")

STAMPED = [
    # -- PDF: the stamp's spellings on its own line of page 1
    ("pdf: MẬT", lambda: samples.pdf(stamp="MẬT"), "pdf", "mat"),
    ("pdf: mật in lower case", lambda: samples.pdf(stamp="mật"), "pdf", "mat"),
    ("pdf: MAT without diacritics", lambda: samples.pdf(stamp="MAT"), "pdf", "mat"),
    ("pdf: TOI MAT without diacritics", lambda: samples.pdf(stamp="TOI MAT"), "pdf", "toi_mat"),
    ("pdf: M Ậ T spaced", lambda: samples.pdf(stamp="M Ậ T"), "pdf", "mat"),
    ("pdf: (MẬT) in brackets", lambda: samples.pdf(stamp="(MẬT)"), "pdf", "mat"),
    ("pdf: MẬT - KHẨN with urgency", lambda: samples.pdf(stamp="MẬT - KHẨN"), "pdf", "mat"),
    ("pdf: Tuyệt mật - Hỏa tốc", lambda: samples.pdf(stamp="Tuyệt mật - Hỏa tốc"), "pdf", "tuyet_mat"),
    ("pdf: ĐỘ MẬT: TỐI MẬT", lambda: samples.pdf(stamp="ĐỘ MẬT: TỐI MẬT"), "pdf", "toi_mat"),
    ("pdf: Độ mật: Mật", lambda: samples.pdf(stamp="Độ mật: Mật"), "pdf", "mat"),
    ("pdf: DO MAT: TUYET MAT", lambda: samples.pdf(stamp="DO MAT: TUYET MAT"), "pdf", "tuyet_mat"),
    ("pdf: Cyrillic look-alikes", lambda: samples.pdf(stamp=CYRILLIC_MAT), "pdf", "mat"),
    ("pdf: Greek look-alikes", lambda: samples.pdf(stamp="ΤΟΙ ΜẬΤ".replace("ΤΟΙ", "T\u1ed0I")), "pdf", "toi_mat"),
    # -- PDF: where it stands
    ("pdf: on the line of the document number", lambda: samples.official_pdf(beside_number="MẬT"), "pdf", "mat"),
    ("pdf: in a table cell", lambda: samples.official_pdf(table=(("Nội dung", "TỐI MẬT"), ("Kinh phí", "1.250 tỷ đồng"))),
     "pdf", "toi_mat"),
    ("pdf: on page 2", lambda: samples.pdf(("Trang một", "TUYỆT MẬT\nBáo cáo chi tiết")), "pdf", "tuyet_mat"),
    ("pdf: on page 3 of a long letter", lambda: samples.official_pdf(pages=(samples.WORDS, "Phụ lục\nMẬT")), "pdf", "mat"),
    ("pdf: below the head", lambda: samples.official_pdf(header_cell="ĐỘ MẬT: MẬT"), "pdf", "mat"),
    # -- DOCX
    ("docx: mật in the body", lambda: samples.office_docx(("Báo cáo", "mật", samples.WORDS)), "docx", "mat"),
    ("docx: in the header", lambda: samples.office_docx(header="MẬT"), "docx", "mat"),
    ("docx: in the footer", lambda: samples.office_docx(footer="TỐI MẬT"), "docx", "toi_mat"),
    ("docx: in the first page's header", lambda: samples.office_docx(first_header="TUYỆT MẬT"), "docx", "tuyet_mat"),
    ("docx: in the third table", lambda: samples.office_docx(tables=(
        (("Nội dung", "Số tiền"),), (("Kỳ họp", "Thứ 9"),), (("Phân loại", "MẬT"),))), "docx", "mat"),
    ("docx: beside the number, after a tab", lambda: samples.office_docx((f"{samples.NUMBER}\tMẬT", samples.WORDS)),
     "docx", "mat"),
    ("docx: zero-width space inside", lambda: samples.office_docx((f"M{ZW}Ậ{ZW}T",)), "docx", "mat"),
    ("docx: word joiner and soft hyphen inside", lambda: samples.office_docx((f"TỐI{WJ} M{SHY}ẬT",)), "docx", "toi_mat"),
    ("docx: Cyrillic look-alikes", lambda: samples.office_docx((CYRILLIC_MAT,)), "docx", "mat"),
    ("docx: Greek look-alikes", lambda: samples.office_docx((GREEK_MAT,)), "docx", "mat"),
    ("docx: decomposed marks", lambda: samples.office_docx((DECOMPOSED_MAT,)), "docx", "mat"),
    ("docx: full-width letters", lambda: samples.office_docx(("ＭẬＴ",)), "docx", "mat"),
    ("docx: T Ố I  M Ậ T spaced", lambda: samples.office_docx(("T Ố I   M Ậ T",)), "docx", "toi_mat"),
    ("docx: paragraph 200", lambda: samples.office_docx([f"Đoạn {n}" for n in range(200)] + ["MẬT"]), "docx", "mat"),
    # -- XLSX
    ("xlsx: on sheet 2", lambda: samples.office_xlsx({"Tổng hợp": [("Nội dung", 1)], "Chi tiết": [("MẬT",)]}),
     "xlsx", "mat"),
    ("xlsx: row 50", lambda: samples.office_xlsx({"Bảng 1": [(f"Dòng {n}",) for n in range(49)] + [("TUYỆT MẬT",)]}),
     "xlsx", "tuyet_mat"),
    ("xlsx: column 60", lambda: samples.office_xlsx({"Bảng 1": [tuple([None] * 59 + ["MẬT"])]}), "xlsx", "mat"),
    ("xlsx: in the header", lambda: samples.office_xlsx({"Bảng 1": [("Nội dung",)]}, header="MẬT"), "xlsx", "mat"),
    ("xlsx: in the footer", lambda: samples.office_xlsx({"Bảng 1": [("Nội dung",)]}, footer="Độ mật: Tối mật"),
     "xlsx", "toi_mat"),
    ("xlsx: (mật) in a cell", lambda: samples.office_xlsx({"Bảng 1": [("(mật)",)]}), "xlsx", "mat"),
    ("xlsx: zero-width inside", lambda: samples.office_xlsx({"Bảng 1": [(f"TUYỆT{ZW} MẬT",)]}), "xlsx", "tuyet_mat"),
    ("xlsx: MAT - KHAN", lambda: samples.office_xlsx({"Bảng 1": [("MAT - KHAN",)]}), "xlsx", "mat"),
]

CLEAN = [
    ("pdf: prose with mất, mặt, mắt, giải mật, bảo mật", lambda: samples.pdf(("Báo cáo", PROSE)), "pdf"),
    ("pdf: ĐỘ MẬT: THƯỜNG", lambda: samples.pdf(stamp="ĐỘ MẬT: THƯỜNG"), "pdf"),
    ("pdf: GIẢI MẬT on its own line", lambda: samples.pdf(stamp="GIẢI MẬT"), "pdf"),
    ("pdf: MẶT TRẬN TỔ QUỐC in capitals", lambda: samples.pdf(stamp="ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM TỈNH"), "pdf"),
    ("pdf: the official head, nothing beside the number", lambda: samples.official_pdf((PROSE,)), "pdf"),
    ("pdf: a title about state secrets", lambda: samples.pdf(stamp="QUY CHẾ BẢO VỆ BÍ MẬT NHÀ NƯỚC"), "pdf"),
    ("docx: Mặt trận header, bảo mật footer", lambda: samples.office_docx(
        (PROSE,), header="ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM", footer="Bảo mật thông tin"), "docx"),
    ("docx: a title wrapped after BÍ", lambda: samples.office_docx(("LUẬT BẢO VỆ BÍ\nMẬT NHÀ NƯỚC",)), "docx"),
    ("docx: Độ mật: Thường in a table", lambda: samples.office_docx(tables=((("Độ mật:", "Thường"),),
                                                                          (("Mật độ dân số", "120 người/km²"),))), "docx"),
    ("docx: MẬT KHẨU, MẬT ONG, MẬT ĐỘ", lambda: samples.office_docx(("ĐỔI MẬT KHẨU", "MẬT ONG BẠC HÀ", "MẬT ĐỘ DÂN SỐ")),
     "docx"),
    ("docx: Mất, Mặt, Mắt alone", lambda: samples.office_docx(("Mất", "MẶT", "Mắt", "MẤT")), "docx"),
    ("xlsx: mặt hàng, mất mùa on two sheets", lambda: samples.office_xlsx(
        {"Mặt hàng": [("Mặt hàng", "Giá"), ("Mắt kính", 100)], "Thiệt hại": [("Mất mùa", 12), ("Độ mật: Thường",)]}),
     "xlsx"),
    ("xlsx: unaccented prose", lambda: samples.office_xlsx({"Bang 1": [("mat tran to quoc tinh",), ("MAT TRAN TO QUOC",)]}),
     "xlsx"),
    ("xlsx: Bảo mật header", lambda: samples.office_xlsx({"Bảng 1": [("Nội dung",)]}, header="Bảo mật thông tin"), "xlsx"),
]


def _name(kind: str) -> str:
    return f"tai-lieu.{kind}"


@pytest.mark.parametrize("label, make, kind, level", STAMPED, ids=[s[0] for s in STAMPED])
def test_a_stamped_file_is_refused_as_classified(label, make, kind, level):
    with pytest.raises(files.FileRefused) as caught:
        files.check_upload(io.BytesIO(make()), _name(kind))
    assert (caught.value.code, caught.value.message) == ("classified", services.classified_message(level))


@pytest.mark.parametrize("label, make, kind", CLEAN, ids=[s[0] for s in CLEAN])
def test_a_clean_file_that_only_looks_close_passes(label, make, kind):
    checked = files.check_upload(io.BytesIO(make()), _name(kind))
    assert (checked.kind, checked.unreadable) == (kind, "")


def test_the_corpus_is_large_and_covers_every_format_and_level():
    assert len(STAMPED) >= 36 and len(CLEAN) >= 12
    assert {kind for _l, _m, kind, _v in STAMPED} == {kind for _l, _m, kind in CLEAN} == {"pdf", "docx", "xlsx"}
    assert {level for _l, _m, _k, level in STAMPED} == {"mat", "toi_mat", "tuyet_mat"}


# ---- the rule itself, line by line --------------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("MẬT", "mat"), ("mật", "mat"), ("Tối mật", "toi_mat"), ("TUYỆT MẬT", "tuyet_mat"), ("M . Ậ . T", "mat"),
    ("ĐỘ MẬT: MẬT", "mat"), ("Độ mật: Tuyệt mật", "tuyet_mat"), ("DO MAT: MAT", "mat"),
    (f"{samples.NUMBER} MẬT {samples.MOTTO}", "mat"), ("MẬT Số: 12/BC-UBND", "mat"), ("So: 12/BC-UBND MAT", "mat"),
    ("Ð\u00adỘ MẬT: TỐI MẬT", "toi_mat"),
    ("ĐỘ MẬT: THƯỜNG", None), ("GIẢI MẬT", None), ("giải mật", None), ("bảo mật thông tin", None),
    ("BẢO MẬT", None), ("Mặt trận Tổ quốc", None), ("mất", None), ("mặt", None), ("mắt", None),
    ("tài liệu mật không được đưa lên mạng", None), ("Tài liệu MẬT phải được quản lý theo quy định", None),
    ("BẢO VỆ BÍ MẬT NHÀ NƯỚC", None), ("MAT TRAN TO QUOC", None), ("HỎA TỐC", None), ("MẬT KHẨU", None),
])
def test_the_stamp_rule_line_by_line(text, level):
    assert classification([text]) == level


def test_the_highest_level_found_is_the_verdict():
    assert classification(["MẬT", "Báo cáo", "TUYỆT MẬT", "TỐI MẬT"]) == "tuyet_mat"


# ---- what cannot be read is said, never passed silently -------------------------------------

def test_a_scanned_page_without_text_is_reported_unreadable():
    checked = files.check_upload(io.BytesIO(samples.scanned_pdf(("Trang một có chữ",), image_pages=2)), "quet.pdf")
    assert checked.page_count == 3 and "2, 3" in checked.unreadable and "lớp chữ" in checked.unreadable


def test_an_image_file_is_reported_unreadable():
    checked = files.check_upload(io.BytesIO(samples.image("JPEG")), "anh-chup.jpg")
    assert checked.kind == "jpeg" and "ảnh" in checked.unreadable


def test_pictures_inside_a_docx_are_reported_unreadable():
    checked = files.check_upload(io.BytesIO(samples.office_docx(picture=True)), "bao-cao.docx")
    assert "1 hình ảnh" in checked.unreadable


def test_a_pdf_with_text_on_every_page_is_read_whole():
    checked = files.check_upload(io.BytesIO(samples.official_pdf(pages=("Trang hai", "Trang ba"))), "bao-cao.pdf")
    assert (checked.page_count, checked.unreadable) == (3, "")
