"""Tuyên Quang province as it is since 1 July 2025 (two levels of local government): the demo's map.

The merged province (the former Tuyên Quang and Hà Giang, merged by the National Assembly's resolution of
2025 on arranging provinces; its number not confirmed here — chưa kiểm chứng) has 124 commune-level
units, 117 xã and 7 phường (Nghị quyết 1684/NQ-UBTVQH15 of the
NA Standing Committee, 16/6/2025, in force 1/7/2025). The resolution's own text was not found by the
searches made for this file; the names below are the 124 units as listed identically by three independent
public lists of 2025–2026 and the totals as reported by Thanh Niên (30/6/2025: "124 đơn vị hành chính cấp xã,
gồm 117 xã và 7 phường"). Which former communes form which new one is, likewise, taken from a published
summary of the resolution (ever.vn on phường Minh Xuân), and only where one was found: FORMER_TO_NEW.
Data, not law: an installation for another province replaces this module's lists with its own.
"""

PROVINCE = "Tuyên Quang"

WARDS = ["Phường Mỹ Lâm", "Phường Minh Xuân", "Phường Nông Tiến", "Phường An Tường", "Phường Bình Thuận",
         "Phường Hà Giang 1", "Phường Hà Giang 2"]

COMMUNES = [
    # the former Tuyên Quang province
    "Xã Thượng Lâm", "Xã Lâm Bình", "Xã Minh Quang", "Xã Bình An", "Xã Côn Lôn", "Xã Yên Hoa", "Xã Thượng Nông",
    "Xã Hồng Thái", "Xã Nà Hang", "Xã Tân Mỹ", "Xã Yên Lập", "Xã Tân An", "Xã Chiêm Hóa", "Xã Hòa An", "Xã Kiên Đài",
    "Xã Tri Phú", "Xã Kim Bình", "Xã Yên Nguyên", "Xã Yên Phú", "Xã Bạch Xa", "Xã Phù Lưu", "Xã Hàm Yên", "Xã Bình Xa",
    "Xã Thái Sơn", "Xã Thái Hòa", "Xã Hùng Lợi", "Xã Trung Sơn", "Xã Thái Bình", "Xã Tân Long", "Xã Xuân Vân",
    "Xã Lực Hành", "Xã Yên Sơn", "Xã Nhữ Khê", "Xã Tân Trào", "Xã Minh Thanh", "Xã Sơn Dương", "Xã Bình Ca",
    "Xã Tân Thanh", "Xã Sơn Thủy", "Xã Phú Lương", "Xã Trường Sinh", "Xã Hồng Sơn", "Xã Đông Thọ", "Xã Trung Hà",
    "Xã Kiến Thiết", "Xã Hùng Đức",
    # the former Hà Giang province
    "Xã Lũng Cú", "Xã Đồng Văn", "Xã Sà Phìn", "Xã Phố Bảng", "Xã Lũng Phìn", "Xã Sủng Máng", "Xã Sơn Vĩ",
    "Xã Mèo Vạc", "Xã Khâu Vai", "Xã Niêm Sơn", "Xã Tát Ngà", "Xã Thắng Mố", "Xã Bạch Đích", "Xã Yên Minh",
    "Xã Mậu Duệ", "Xã Du Già", "Xã Đường Thượng", "Xã Lùng Tám", "Xã Cán Tỷ", "Xã Nghĩa Thuận", "Xã Quản Bạ",
    "Xã Tùng Vài", "Xã Yên Cường", "Xã Đường Hồng", "Xã Bắc Mê", "Xã Minh Ngọc", "Xã Ngọc Đường", "Xã Lao Chải",
    "Xã Thanh Thủy", "Xã Phú Linh", "Xã Linh Hồ", "Xã Bạch Ngọc", "Xã Vị Xuyên", "Xã Việt Lâm", "Xã Tân Quang",
    "Xã Đồng Tâm", "Xã Liên Hiệp", "Xã Bằng Hành", "Xã Bắc Quang", "Xã Hùng An", "Xã Vĩnh Tuy", "Xã Đồng Yên",
    "Xã Tiên Yên", "Xã Xuân Giang", "Xã Bằng Lang", "Xã Yên Thành", "Xã Quang Bình", "Xã Tân Trịnh",
    "Xã Thông Nguyên", "Xã Hồ Thầu", "Xã Nậm Dịch", "Xã Tân Tiến", "Xã Hoàng Su Phì", "Xã Thàng Tín", "Xã Bản Máy",
    "Xã Pờ Ly Ngài", "Xã Xín Mần", "Xã Pà Vầy Sủ", "Xã Nấm Dẩn", "Xã Trung Thịnh", "Xã Khuôn Lùng", "Xã Minh Sơn",
    "Xã Minh Tân", "Xã Thuận Hòa", "Xã Tùng Bá", "Xã Thượng Sơn", "Xã Cao Bồ", "Xã Ngọc Long", "Xã Giáp Trung",
    "Xã Tiên Nguyên", "Xã Quảng Nguyên",
]

UNITS = WARDS + COMMUNES

# (district, commune) as written before 1/7/2025 -> the commune-level unit it is part of since.
# Phường Minh Xuân: the former phường Ỷ La, Tân Hà, Phan Thiết, Minh Xuân, Tân Quang and xã Trung Môn
# (huyện Yên Sơn), Kim Phú (Yên Sơn until 2020, then thành phố Tuyên Quang) — as summarised from
# Nghị quyết 1684/NQ-UBTVQH15 by ever.vn; the resolution's own text not seen (chưa kiểm chứng from it).
# The same table is frozen in migration 0008b, which moves existing records by it.
FORMER_TO_NEW = {
    ("Thành phố Tuyên Quang", "Phường Ỷ La"): "Phường Minh Xuân",
    ("Thành phố Tuyên Quang", "Phường Tân Hà"): "Phường Minh Xuân",
    ("Thành phố Tuyên Quang", "Phường Phan Thiết"): "Phường Minh Xuân",
    ("Thành phố Tuyên Quang", "Phường Minh Xuân"): "Phường Minh Xuân",
    ("Thành phố Tuyên Quang", "Phường Tân Quang"): "Phường Minh Xuân",
    ("Thành phố Tuyên Quang", "Xã Kim Phú"): "Phường Minh Xuân",
    ("Huyện Yên Sơn", "Xã Trung Môn"): "Phường Minh Xuân",
    ("Huyện Yên Sơn", "Xã Kim Phú"): "Phường Minh Xuân",
}
