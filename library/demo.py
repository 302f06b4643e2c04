"""The demo council's documents: real files, made here, uploaded through the
one write path (library.services.upload, with every check), attached to the
agenda items of the demo sitting and published, as the council office would.

- Tờ trình về dự toán ngân sách địa phương năm 2027 (PDF) and its budget
  table (XLSX), on the budget item;
- Báo cáo tình hình kinh tế - xã hội năm 2026 (PDF, public), on the report item;
- Báo cáo thẩm tra of the Ban Kinh tế - Ngân sách (PDF) and of the Ban Pháp
  chế (DOCX, still a draft), on their sub-items;
- Dự thảo Nghị quyết về kế hoạch đầu tư công năm 2027 (PDF), on its item.

The files are the same on every run (dates follow the session), so they are
made once per process. Their processing jobs (text, page images, search) are
only queued here: the demo server's in-process worker runs them, or
`manage.py db_worker --batch` after `manage.py load_demo`.
"""

import datetime as dt
import io
from functools import cache

from . import fonts, services
from .models import Document

PROVINCE = "Tuyên Quang"
UBND = "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG"
UBND_CHAIR = "Nguyễn Văn Sơn"
KTNS_HEAD = "Hoàng Thị Hạnh"
PC_HEAD = "Phạm Quang Dũng"


def _date_line(day: dt.date) -> str:
    return f"{PROVINCE}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


# ---- the files ------------------------------------------------------------------

def _pdf(*, issuer: str, parent: str, number: str, day: dt.date, title: str, subtitle: str, to: str,
         sections: list[tuple[str, list[str]]], signer_role: str, signer: str, recipients: list[str]) -> bytes:
    """An official document laid out as the thể thức requires (Nghị định 30/2020/NĐ-CP), simplified."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("t", "", fonts.regular())
    pdf.add_font("t", "B", fonts.bold())
    pdf.add_font("t", "I", fonts.italic())
    pdf.set_margins(25, 20, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(f"{title} {subtitle}")
    pdf.add_page()
    left, right, top = 72, 95, pdf.get_y()
    pdf.set_font("t", "", 11)
    if parent:
        pdf.multi_cell(left, 5, parent, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("t", "B", 11)
    pdf.multi_cell(left, 5, issuer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("t", "", 11)
    pdf.multi_cell(left, 7, f"Số: {number}", align="C", new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + left, top)
    pdf.set_font("t", "B", 11)
    pdf.multi_cell(right, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("t", "B", 12)
    pdf.multi_cell(right, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("t", "I", 11)
    pdf.multi_cell(right, 7, _date_line(day), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(bottom, pdf.get_y()) + 6)
    pdf.set_font("t", "B", 14)
    pdf.multi_cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("t", "B", 12)
    pdf.multi_cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if to:
        pdf.set_font("t", "", 12)
        pdf.multi_cell(0, 6, f"Kính gửi: {to}.", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    for heading, paragraphs in sections:
        if heading:
            pdf.set_font("t", "B", 12)
            pdf.multi_cell(0, 6.5, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("t", "", 12)
        for text in paragraphs:
            pdf.set_x(pdf.l_margin)
            pdf.multi_cell(0, 6.5, "        " + text, align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_font("t", "B", 10)
    pdf.multi_cell(70, 5, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("t", "", 9)
    for r in recipients:
        pdf.multi_cell(70, 4.5, f"- {r};", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(70, 4.5, "- Lưu: VT.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + 80, top)
    pdf.set_font("t", "B", 12)
    pdf.multi_cell(85, 6, signer_role, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("t", "I", 11)
    pdf.multi_cell(85, 6, "(Đã ký)", align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(12)
    pdf.set_font("t", "B", 12)
    pdf.multi_cell(85, 6, signer, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


BUDGET = [
    # (nội dung, dự toán 2026, ước thực hiện 2026, dự toán 2027) — triệu đồng
    ("A. TỔNG THU NGÂN SÁCH NHÀ NƯỚC TRÊN ĐỊA BÀN", 3_850_000, 4_012_500, 4_250_000),
    ("1. Thu nội địa", 3_650_000, 3_795_000, 4_030_000),
    ("   - Thu từ doanh nghiệp nhà nước", 410_000, 428_300, 445_000),
    ("   - Thu từ khu vực ngoài quốc doanh", 1_020_000, 1_064_200, 1_150_000),
    ("   - Thuế thu nhập cá nhân", 215_000, 226_800, 240_000),
    ("   - Thu tiền sử dụng đất", 1_250_000, 1_301_700, 1_350_000),
    ("   - Thu phí, lệ phí và thu khác", 755_000, 774_000, 845_000),
    ("2. Thu từ hoạt động xuất nhập khẩu", 200_000, 217_500, 220_000),
    ("B. TỔNG CHI NGÂN SÁCH ĐỊA PHƯƠNG", 12_480_000, 12_930_000, 13_560_000),
    ("1. Chi đầu tư phát triển", 3_120_000, 3_250_400, 3_480_000),
    ("2. Chi thường xuyên", 8_960_000, 9_280_600, 9_650_000),
    ("   - Chi sự nghiệp giáo dục, đào tạo và dạy nghề", 3_870_000, 3_952_000, 4_110_000),
    ("   - Chi sự nghiệp y tế, dân số và gia đình", 1_120_000, 1_168_500, 1_215_000),
    ("   - Chi quản lý hành chính", 1_640_000, 1_701_300, 1_735_000),
    ("3. Dự phòng ngân sách", 250_000, 250_000, 270_000),
    ("4. Chi tạo nguồn cải cách tiền lương", 150_000, 149_000, 160_000),
]


def budget_xlsx(day: dt.date) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Dự toán 2027"
    sheet.append([f"{UBND}"])
    sheet.append(["DỰ TOÁN THU, CHI NGÂN SÁCH ĐỊA PHƯƠNG NĂM 2027"])
    sheet.append([f"(Kèm theo Tờ trình số 125/TTr-UBND ngày {day:%d/%m/%Y} của UBND tỉnh)"])
    sheet.append(["Đơn vị: triệu đồng"])
    sheet.append(["STT", "Nội dung", "Dự toán 2026", "Ước thực hiện 2026", "Dự toán 2027", "So sánh DT 2027/ƯTH 2026 (%)"])
    for i, (name, plan, actual, proposal) in enumerate(BUDGET, start=1):
        row = 5 + i
        sheet.append([i, name, plan, actual, proposal, f"=ROUND(E{row}/D{row}*100,1)"])
    for cell in sheet[5]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
    sheet["A2"].font = Font(bold=True, size=13)
    sheet.column_dimensions["B"].width = 52
    for col in "CDEF":
        sheet.column_dimensions[col].width = 16
    notes = wb.create_sheet("Thuyết minh")
    notes.append(["Căn cứ xây dựng dự toán"])
    notes.append(["Luật Ngân sách nhà nước số 83/2015/QH13; Quyết định giao dự toán của Thủ tướng Chính phủ."])
    notes.append(["Dự toán thu nội địa tăng 6,2% so với ước thực hiện năm 2026, chưa tính thu tiền sử dụng đất."])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def review_docx(day: dt.date) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    for text, bold in (("HĐND TỈNH TUYÊN QUANG", False), ("BAN PHÁP CHẾ", True), ("Số: 48/BC-BPC", False)):
        p = d.add_paragraph()
        p.add_run(text).bold = bold
    p = d.add_paragraph()
    p.add_run(_date_line(day)).italic = True
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_heading("BÁO CÁO THẨM TRA", level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = d.add_paragraph()
    p.add_run("Các báo cáo của Ủy ban nhân dân tỉnh về công tác phòng, chống tham nhũng, tiêu cực; công tác "
              "giải quyết khiếu nại, tố cáo năm 2026").bold = True
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraphs = [
        "Thực hiện sự phân công của Thường trực Hội đồng nhân dân tỉnh, Ban Pháp chế đã thẩm tra các báo cáo của "
        "Ủy ban nhân dân tỉnh trình kỳ họp thứ mười hai. Ban Pháp chế báo cáo kết quả thẩm tra như sau:",
        "1. Về công tác phòng, chống tham nhũng, tiêu cực: Ban Pháp chế cơ bản nhất trí với báo cáo của Ủy ban nhân "
        "dân tỉnh. Công tác tuyên truyền, phổ biến pháp luật được quan tâm; việc công khai, minh bạch trong hoạt "
        "động của cơ quan, tổ chức, đơn vị được thực hiện nghiêm túc hơn.",
        "2. Về công tác giải quyết khiếu nại, tố cáo: trong năm, các cơ quan hành chính nhà nước đã tiếp 4.215 lượt "
        "công dân, tiếp nhận 2.870 đơn; tỷ lệ giải quyết khiếu nại đạt 92,4%, tố cáo đạt 95,1%. Tuy nhiên, một số "
        "vụ việc phức tạp, kéo dài chưa được giải quyết dứt điểm.",
        "3. Kiến nghị: đề nghị Ủy ban nhân dân tỉnh chỉ đạo tập trung giải quyết dứt điểm các vụ việc tồn đọng; "
        "nâng cao trách nhiệm của người đứng đầu trong tiếp công dân; đẩy mạnh chuyển đổi số trong quản lý đơn thư.",
    ]
    for text in paragraphs:
        d.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    table = d.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Chỉ tiêu", "Năm 2025", "Năm 2026")):
        cell.text = text
    for row in (("Lượt tiếp công dân", "3.980", "4.215"), ("Đơn tiếp nhận", "2.645", "2.870"),
                ("Tỷ lệ giải quyết khiếu nại", "90,8%", "92,4%")):
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    d.add_paragraph("Trên đây là báo cáo thẩm tra của Ban Pháp chế, kính trình Hội đồng nhân dân tỉnh xem xét, "
                    "quyết định.")
    p = d.add_paragraph()
    p.add_run(f"TM. BAN PHÁP CHẾ\nTRƯỞNG BAN\n\n{PC_HEAD}").bold = True
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _submission(day: dt.date) -> bytes:
    return _pdf(
        issuer=UBND, parent="", number="125/TTr-UBND", day=day, title="TỜ TRÌNH",
        subtitle="Về dự toán ngân sách địa phương và phân bổ dự toán ngân sách cấp tỉnh năm 2027",
        to="Hội đồng nhân dân tỉnh Tuyên Quang khóa XIX, kỳ họp thứ mười hai",
        sections=[
            ("", ["Căn cứ Luật Tổ chức chính quyền địa phương; Luật Ngân sách nhà nước số 83/2015/QH13; Nghị định số "
                  "163/2016/NĐ-CP của Chính phủ quy định chi tiết thi hành một số điều của Luật Ngân sách nhà nước; "
                  "Quyết định của Thủ tướng Chính phủ về việc giao dự toán ngân sách nhà nước năm 2027;",
                  "Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh xem xét, quyết định dự toán ngân sách "
                  "địa phương và phương án phân bổ dự toán ngân sách cấp tỉnh năm 2027 như sau:"]),
            ("I. ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN DỰ TOÁN NĂM 2026", [
                "Năm 2026, trong bối cảnh còn nhiều khó khăn, thách thức, với sự lãnh đạo của Tỉnh ủy, sự giám sát "
                "của Hội đồng nhân dân tỉnh, sự điều hành quyết liệt của Ủy ban nhân dân tỉnh, thu ngân sách nhà nước "
                "trên địa bàn ước đạt 4.012,5 tỷ đồng, bằng 104,2% dự toán Hội đồng nhân dân tỉnh giao.",
                "Chi ngân sách địa phương ước thực hiện 12.930 tỷ đồng, bằng 103,6% dự toán; trong đó chi đầu tư "
                "phát triển 3.250,4 tỷ đồng, chi thường xuyên 9.280,6 tỷ đồng. Các nhiệm vụ chi được bảo đảm theo "
                "dự toán, đáp ứng kịp thời các nhiệm vụ chính trị, an sinh xã hội, phòng, chống thiên tai.",
                "Tuy nhiên, một số khoản thu chưa đạt dự toán; tiến độ giải ngân vốn đầu tư công ở một số dự án "
                "còn chậm; việc thực hiện cơ chế tự chủ tài chính của các đơn vị sự nghiệp công lập còn hạn chế."]),
            ("II. DỰ TOÁN NGÂN SÁCH ĐỊA PHƯƠNG NĂM 2027", [
                "1. Tổng thu ngân sách nhà nước trên địa bàn: 4.250 tỷ đồng, tăng 5,9% so với ước thực hiện năm 2026; "
                "trong đó thu nội địa 4.030 tỷ đồng, thu từ hoạt động xuất nhập khẩu 220 tỷ đồng.",
                "2. Tổng chi ngân sách địa phương: 13.560 tỷ đồng, gồm chi đầu tư phát triển 3.480 tỷ đồng; chi "
                "thường xuyên 9.650 tỷ đồng; dự phòng ngân sách 270 tỷ đồng; chi tạo nguồn cải cách tiền lương "
                "160 tỷ đồng. Chi tiết tại biểu dự toán kèm theo.",
                "3. Bội chi ngân sách địa phương: 95 tỷ đồng, được bù đắp từ nguồn vay lại vốn vay nước ngoài của "
                "Chính phủ, bảo đảm trong giới hạn quy định của Luật Ngân sách nhà nước."]),
            ("III. GIẢI PHÁP TỔ CHỨC THỰC HIỆN", [
                "Tăng cường quản lý thu, chống thất thu, thu hồi nợ đọng thuế; đẩy mạnh cải cách thủ tục hành chính, "
                "cải thiện môi trường đầu tư kinh doanh, nuôi dưỡng nguồn thu.",
                "Quản lý chi chặt chẽ, tiết kiệm, hiệu quả; triệt để tiết kiệm chi thường xuyên để dành nguồn cho "
                "đầu tư phát triển; đẩy nhanh tiến độ giải ngân vốn đầu tư công ngay từ đầu năm.",
                "Tăng cường công tác thanh tra, kiểm tra, kiểm toán; thực hiện nghiêm quy định về công khai ngân sách.",
                "Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh xem xét, quyết định./."]),
        ],
        signer_role="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", signer=UBND_CHAIR,
        recipients=["Như trên", "Thường trực Tỉnh ủy", "Các Ban HĐND tỉnh", "Đại biểu HĐND tỉnh", "Sở Tài chính"])


def _socioeconomic(day: dt.date) -> bytes:
    return _pdf(
        issuer=UBND, parent="", number="310/BC-UBND", day=day, title="BÁO CÁO",
        subtitle="Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2026, phương hướng, nhiệm vụ năm 2027",
        to="",
        sections=[
            ("I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2026", [
                "Tốc độ tăng trưởng kinh tế (GRDP) ước đạt 8,1%, vượt kế hoạch đề ra; thu nhập bình quân đầu người "
                "ước đạt 68,5 triệu đồng. Cơ cấu kinh tế chuyển dịch đúng hướng: nông, lâm nghiệp và thủy sản 19,8%; "
                "công nghiệp - xây dựng 33,6%; dịch vụ 46,6%.",
                "Sản xuất nông, lâm nghiệp phát triển ổn định; tổng sản lượng lương thực đạt 345 nghìn tấn; trồng "
                "rừng tập trung 12.500 ha; tỷ lệ che phủ rừng duy trì 65%. Chương trình mỗi xã một sản phẩm (OCOP) "
                "có thêm 42 sản phẩm đạt từ 3 sao trở lên.",
                "Công nghiệp tiếp tục tăng trưởng khá, giá trị sản xuất công nghiệp tăng 10,2%. Du lịch phục hồi "
                "mạnh, đón 3,6 triệu lượt khách, tổng thu từ khách du lịch đạt 4.800 tỷ đồng.",
                "Giáo dục và đào tạo được quan tâm; tỷ lệ trường đạt chuẩn quốc gia đạt 78%. Công tác chăm sóc sức "
                "khỏe nhân dân được bảo đảm; tỷ lệ người dân tham gia bảo hiểm y tế đạt 96,5%. Tỷ lệ hộ nghèo giảm "
                "còn 8,9%.",
                "Quốc phòng, an ninh được giữ vững; trật tự, an toàn xã hội được bảo đảm. Công tác cải cách hành "
                "chính, chuyển đổi số có nhiều chuyển biến; 100% thủ tục hành chính được cung cấp trực tuyến."]),
            ("II. HẠN CHẾ, KHÓ KHĂN", [
                "Quy mô kinh tế còn nhỏ; thu hút đầu tư chưa tương xứng với tiềm năng. Giải ngân vốn đầu tư công "
                "ở một số dự án còn chậm. Đời sống một bộ phận nhân dân vùng sâu, vùng xa còn nhiều khó khăn.",
                "Tình hình thời tiết diễn biến bất thường, mưa lũ gây thiệt hại đến sản xuất và cơ sở hạ tầng ở "
                "một số huyện vùng cao."]),
            ("III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2027", [
                "Phấn đấu tốc độ tăng trưởng kinh tế đạt 8,5% trở lên; thu ngân sách nhà nước trên địa bàn đạt 4.250 "
                "tỷ đồng; tỷ lệ hộ nghèo giảm 1,5% trở lên; tỷ lệ che phủ rừng duy trì 65%.",
                "Tập trung thực hiện ba khâu đột phá: hoàn thiện hạ tầng giao thông kết nối; cải thiện môi trường "
                "đầu tư kinh doanh; phát triển nguồn nhân lực chất lượng cao gắn với chuyển đổi số.",
                "Tiếp tục đẩy mạnh cải cách hành chính, nâng cao chỉ số năng lực cạnh tranh cấp tỉnh; giữ vững "
                "quốc phòng, an ninh; thực hiện tốt các chính sách an sinh xã hội."]),
        ],
        signer_role="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", signer=UBND_CHAIR,
        recipients=["Thường trực Tỉnh ủy", "Thường trực HĐND tỉnh", "Đại biểu HĐND tỉnh", "Các sở, ban, ngành"])


def _economic_review(day: dt.date) -> bytes:
    return _pdf(
        issuer="BAN KINH TẾ - NGÂN SÁCH", parent="HĐND TỈNH TUYÊN QUANG", number="52/BC-KTNS", day=day,
        title="BÁO CÁO THẨM TRA",
        subtitle="Tờ trình về dự toán ngân sách địa phương và phân bổ dự toán ngân sách cấp tỉnh năm 2027",
        to="Hội đồng nhân dân tỉnh",
        sections=[
            ("", ["Thực hiện sự phân công của Thường trực Hội đồng nhân dân tỉnh, Ban Kinh tế - Ngân sách đã tổ chức "
                  "thẩm tra Tờ trình số 125/TTr-UBND của Ủy ban nhân dân tỉnh; Ban báo cáo kết quả thẩm tra như sau:"]),
            ("1. Về tình hình thực hiện dự toán năm 2026", [
                "Ban nhất trí với đánh giá của Ủy ban nhân dân tỉnh. Thu ngân sách vượt dự toán là kết quả tích cực, "
                "tuy nhiên nguồn thu chưa thật sự bền vững, còn phụ thuộc nhiều vào thu tiền sử dụng đất.",
                "Chi đầu tư phát triển tăng nhưng tỷ lệ giải ngân đến thời điểm thẩm tra mới đạt 71,3% kế hoạch; "
                "đề nghị Ủy ban nhân dân tỉnh làm rõ nguyên nhân và trách nhiệm của chủ đầu tư chậm giải ngân."]),
            ("2. Về dự toán ngân sách năm 2027", [
                "Ban cơ bản nhất trí với dự toán thu 4.250 tỷ đồng và dự toán chi 13.560 tỷ đồng. Dự toán được xây "
                "dựng đúng quy định của Luật Ngân sách nhà nước, bảo đảm nguồn thực hiện cải cách tiền lương.",
                "Đề nghị rà soát, bố trí đủ kinh phí cho các chính sách an sinh xã hội đã được Hội đồng nhân dân tỉnh "
                "ban hành; ưu tiên vốn cho các dự án chuyển tiếp, các công trình trọng điểm có khả năng hoàn thành.",
                "Đối với khoản bội chi 95 tỷ đồng, Ban đề nghị làm rõ danh mục dự án sử dụng vốn vay và kế hoạch "
                "trả nợ trong trung hạn."]),
            ("3. Kiến nghị", [
                "Ban Kinh tế - Ngân sách đề nghị Hội đồng nhân dân tỉnh xem xét, thông qua dự thảo Nghị quyết về "
                "dự toán ngân sách địa phương năm 2027 với các nội dung đã được Ban thẩm tra./."]),
        ],
        signer_role="TM. BAN KINH TẾ - NGÂN SÁCH\nTRƯỞNG BAN", signer=KTNS_HEAD,
        recipients=["Thường trực HĐND tỉnh", "UBND tỉnh", "Đại biểu HĐND tỉnh"])


def _draft_resolution(day: dt.date) -> bytes:
    return _pdf(
        issuer="HỘI ĐỒNG NHÂN DÂN\nTỈNH TUYÊN QUANG", parent="", number="    /NQ-HĐND", day=day,
        title="NGHỊ QUYẾT (DỰ THẢO)", subtitle="Về kế hoạch đầu tư công năm 2027",
        to="",
        sections=[
            ("HỘI ĐỒNG NHÂN DÂN TỈNH TUYÊN QUANG\nKHÓA XIX, KỲ HỌP THỨ MƯỜI HAI", [
                "Căn cứ Luật Tổ chức chính quyền địa phương; Luật Đầu tư công số 58/2024/QH15; Luật Ngân sách nhà "
                "nước số 83/2015/QH13;",
                "Xét Tờ trình của Ủy ban nhân dân tỉnh về kế hoạch đầu tư công năm 2027; Báo cáo thẩm tra của Ban "
                "Kinh tế - Ngân sách Hội đồng nhân dân tỉnh; ý kiến thảo luận của đại biểu Hội đồng nhân dân tỉnh "
                "tại kỳ họp."]),
            ("QUYẾT NGHỊ:", []),
            ("Điều 1. Kế hoạch đầu tư công năm 2027", [
                "1. Tổng vốn đầu tư công năm 2027 là 3.480 tỷ đồng, gồm: vốn ngân sách địa phương 2.150 tỷ đồng; "
                "vốn ngân sách trung ương 1.235 tỷ đồng; vốn nước ngoài 95 tỷ đồng.",
                "2. Nguyên tắc phân bổ: ưu tiên thanh toán nợ đọng xây dựng cơ bản; bố trí vốn cho dự án chuyển "
                "tiếp, dự án hoàn thành trong năm; vốn đối ứng các dự án ODA; sau đó mới bố trí cho dự án khởi công mới.",
                "3. Danh mục dự án và mức vốn cụ thể theo các biểu kèm theo Nghị quyết này."]),
            ("Điều 2. Tổ chức thực hiện", [
                "1. Giao Ủy ban nhân dân tỉnh tổ chức thực hiện Nghị quyết; chỉ đạo đẩy nhanh tiến độ giải ngân, "
                "bảo đảm giải ngân hết kế hoạch vốn được giao.",
                "2. Thường trực Hội đồng nhân dân tỉnh, các Ban của Hội đồng nhân dân tỉnh, các Tổ đại biểu và đại "
                "biểu Hội đồng nhân dân tỉnh giám sát việc thực hiện Nghị quyết."]),
            ("Điều 3. Hiệu lực thi hành", [
                "Nghị quyết này đã được Hội đồng nhân dân tỉnh Tuyên Quang khóa XIX, kỳ họp thứ mười hai thông qua "
                "và có hiệu lực kể từ ngày thông qua./."]),
        ],
        signer_role="CHỦ TỊCH", signer="",
        recipients=["Ủy ban Thường vụ Quốc hội", "Chính phủ", "Bộ Tài chính", "Thường trực Tỉnh ủy", "UBND tỉnh"])


@cache
def _files(start: dt.date) -> dict[str, bytes]:
    """The demo files for a session opening on `start` (made once per process)."""
    return {
        "submission": _submission(start - dt.timedelta(days=20)),
        "budget": budget_xlsx(start - dt.timedelta(days=20)),
        "socioeconomic": _socioeconomic(start - dt.timedelta(days=18)),
        "economic_review": _economic_review(start - dt.timedelta(days=10)),
        "legal_review": review_docx(start - dt.timedelta(days=9)),
        "draft_resolution": _draft_resolution(start),
    }


# ---- loading --------------------------------------------------------------------

def load_demo_documents(session, sitting, user) -> list[Document]:
    """Upload, attach and publish the demo documents of `session` as `user` (office staff)."""
    from agenda.models import AgendaItem

    start = session.start_date
    files = _files(start)
    items = {item.title: item for item in AgendaItem.objects.filter(sitting=sitting)}

    def item(title_start: str):
        return next(i for t, i in items.items() if t.startswith(title_start))

    ubnd = "Ủy ban nhân dân tỉnh Tuyên Quang"
    plan = [
        # (file, name, target item, draft?, metadata)
        ("submission", "125-TTr-UBND Du toan ngan sach 2027.pdf", "Tờ trình về dự toán", False, dict(
            kind=Document.Kind.SUBMISSION, number="125/TTr-UBND", issued_on=start - dt.timedelta(days=20),
            issuer=ubnd, signer=UBND_CHAIR,
            summary="Tờ trình về dự toán ngân sách địa phương và phân bổ dự toán ngân sách cấp tỉnh năm 2027")),
        ("budget", "Bieu du toan thu chi ngan sach 2027.xlsx", "Tờ trình về dự toán", False, dict(
            kind=Document.Kind.OTHER, number="", issued_on=start - dt.timedelta(days=20), issuer=ubnd,
            summary="Biểu dự toán thu, chi ngân sách địa phương năm 2027 (kèm theo Tờ trình số 125/TTr-UBND)")),
        ("socioeconomic", "310-BC-UBND Kinh te xa hoi 2026.pdf", "Báo cáo tình hình kinh tế", False, dict(
            kind=Document.Kind.REPORT, number="310/BC-UBND", issued_on=start - dt.timedelta(days=18), issuer=ubnd,
            signer=UBND_CHAIR, access=Document.Access.PUBLIC,
            summary="Báo cáo tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2026, phương hướng, "
                    "nhiệm vụ năm 2027")),
        ("economic_review", "52-BC-KTNS Tham tra du toan 2027.pdf", "Báo cáo thẩm tra của Ban Kinh tế", False, dict(
            kind=Document.Kind.REVIEW_REPORT, number="52/BC-KTNS", issued_on=start - dt.timedelta(days=10),
            issuer="Ban Kinh tế - Ngân sách HĐND tỉnh", signer=KTNS_HEAD,
            summary="Báo cáo thẩm tra Tờ trình về dự toán ngân sách địa phương năm 2027")),
        ("legal_review", "48-BC-BPC Tham tra phong chong tham nhung.docx", "Báo cáo thẩm tra của Ban Pháp chế", True,
         dict(kind=Document.Kind.REVIEW_REPORT, number="48/BC-BPC", issued_on=start - dt.timedelta(days=9),
              issuer="Ban Pháp chế HĐND tỉnh", signer=PC_HEAD,
              summary="Báo cáo thẩm tra các báo cáo về phòng, chống tham nhũng, tiêu cực; giải quyết khiếu nại, "
                      "tố cáo năm 2026")),
        ("draft_resolution", "Du thao NQ ke hoach dau tu cong 2027.pdf", "Dự thảo Nghị quyết về kế hoạch đầu tư", False,
         dict(kind=Document.Kind.DRAFT_RESOLUTION, number="", issued_on=start, issuer="HĐND tỉnh Tuyên Quang",
              summary="Dự thảo Nghị quyết về kế hoạch đầu tư công năm 2027")),
    ]
    documents, to_publish = [], []
    for key, name, target, draft, meta in plan:
        document = services.upload(user, io.BytesIO(files[key]), name=name, session=session, **meta)
        services.attach(user, document, item(target))
        documents.append(document)
        if not draft:
            to_publish.append(document)
    services.publish(user, to_publish)
    # The demo's history: the office sent the papers a week before the opening and the draft
    # resolution three days before it (late). publish() stamps "now", so set the dates they had.
    from django.utils import timezone

    for document in to_publish:
        days = 3 if document.kind == Document.Kind.DRAFT_RESOLUTION else 7
        when = timezone.make_aware(dt.datetime.combine(start - dt.timedelta(days=days), dt.time(9)))
        Document.objects.filter(pk=document.pk).update(published_at=when, published_late=services.is_late(session, when))
    return documents
