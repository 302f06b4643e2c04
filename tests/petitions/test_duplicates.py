"""Likely duplicates on intake, and a confirmed duplicate linked to its original, never handled twice."""

import pytest

from petitions import services

from .service_fixtures import letter, media_folder, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

SUBJECT = "Đề nghị xử lý ô nhiễm tiếng ồn của xưởng gỗ thôn 3"
CONTENT = "Xưởng cưa gỗ của hộ ông K ở thôn 3 xã Tràng Đà hoạt động cả đêm, gây ồn và bụi, ảnh hưởng sức khỏe người dân."


def test_the_same_sender_is_found_by_name_and_phone_in_any_spelling(people):
    first = letter(None, district="Huyện Yên Sơn")
    found = services.likely_duplicates({"subject": "Một việc khác hẳn", "content": "Nội dung khác hẳn.",
                                        "identity": {"full_name": "LE VAN  TAM", "phone": "+84 912 345 678"}})
    assert [(c.pk, why) for c, _score, why in found] == [(first.pk, "cùng người gửi")]


def test_similar_text_is_found_with_or_without_diacritics(people):
    first = letter(None, subject=SUBJECT, content=CONTENT, district="Huyện Yên Sơn",
                   identity={"full_name": "Phạm Thị Mai", "phone": "0987000111"})
    unrelated = letter(None, subject="Đề nghị cấp giấy chứng nhận quyền sử dụng đất",
                       content="Gia đình tôi đã nộp hồ sơ cấp giấy chứng nhận từ năm 2024 nhưng chưa được giải quyết.",
                       district="Huyện Yên Sơn", identity={"full_name": "Hà Văn Nam", "phone": "0987000222"})
    plain = {"subject": "De nghi xu ly o nhiem tieng on cua xuong go thon 3",
             "content": "Xuong cua go cua ho ong K o thon 3 xa Trang Da hoat dong ca dem, gay on va bui.",
             "district": "Huyện Yên Sơn", "identity": {"full_name": "Người Khác", "email": "khac@example.vn"}}
    found = services.likely_duplicates(plain)
    assert [c.pk for c, _s, _w in found] == [first.pk]
    case, score, why = found[0]
    assert 0.3 <= score <= 1 and why.startswith("nội dung tương tự")
    assert unrelated.pk not in [c.pk for c, _s, _w in found]
    # The same search from a stored case (it never finds itself).
    second = letter(None, subject=SUBJECT, content=CONTENT + " Đề nghị kiểm tra.", district="Huyện Yên Sơn",
                    identity={"full_name": "Hoàng Văn Lợi", "phone": "0987000333"})
    assert [c.pk for c, _s, _w in services.likely_duplicates(second)] == [first.pk]


def test_a_confirmed_duplicate_is_linked_to_the_original_and_cannot_be_forwarded_or_decided(people):
    staff = people["staff"]
    original = letter(None, subject=SUBJECT, content=CONTENT)
    again = letter(None, subject=SUBJECT, content=CONTENT)
    dup = services.mark_duplicate(staff, again, original, note="Gửi lần hai cùng nội dung.")
    assert dup.status == "duplicate" and dup.duplicate_of == original
    assert not dup.deadlines.filter(met_at__isnull=True).exists()
    public = dup.milestones.get(kind="duplicate")
    assert public.public and original.tracking_code not in public.text
    for decision in ("forward", "accept", "not_eligible"):
        with pytest.raises(services.PetitionError) as refused:
            services.decide(staff, dup, decision=decision, agency=people["env"], reason="other")
        assert refused.value.code == "duplicate"
    assert not dup.transfers.exists()
    # A duplicate of the duplicate is linked to the original, and duplicates are not offered as originals.
    third = letter(None, subject=SUBJECT, content=CONTENT)
    assert [c.pk for c, _s, _w in services.likely_duplicates(third)] == [original.pk]
    assert services.mark_duplicate(staff, third, dup).duplicate_of == original


def test_only_undecided_cases_can_be_marked_duplicate(people):
    staff = people["staff"]
    original = letter(None)
    forwarded = services.decide(staff, letter(None), decision="forward", agency=people["env"])
    with pytest.raises(services.PetitionError) as refused:
        services.mark_duplicate(staff, forwarded, original)
    assert refused.value.code == "bad_state"
    with pytest.raises(services.PetitionError) as refused:
        services.mark_duplicate(staff, original, original)
    assert refused.value.code == "invalid"
