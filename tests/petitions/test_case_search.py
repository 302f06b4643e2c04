"""The full-text index over cases (migration 0003): the public answers search and the register
find words with or without diacritics, through the index on either database."""

import pytest
from django.db import connection
from django.urls import reverse

from petitions import services
from petitions.models import Case

from .service_fixtures import letter, media_folder, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _published(people, subject, content):
    staff, desk = people["staff"], people["desk"]
    case = letter(None, subject=subject, content=content)
    case = services.decide(staff, case, decision="forward", agency=people["env"])
    reply = services.answer(desk, case.transfers.get(), "Sở đã kiểm tra và có kế hoạch xử lý trong quý I năm sau.")
    services.review_answer(staff, reply, approve=True)
    return services.publish_answer(staff, case)


def test_the_index_is_there_and_kept_in_step_by_the_database(people):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND name LIKE 'petitions_case_fts_%'")
            assert {r[0] for r in cursor.fetchall()} == {"petitions_case_fts_insert", "petitions_case_fts_update",
                                                         "petitions_case_fts_delete"}
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'petitions_case_search'")
            assert "gin" in cursor.fetchone()[0].lower()
    case = letter(None, subject="Đề nghị nạo vét kênh mương nội đồng", content="Kênh mương nội đồng xã Kim Phú bị bồi lắng.")
    assert list(services_match("kenh muong")) == [case.pk]
    Case.objects.filter(pk=case.pk).update(folded="noi dung khac hoan toan")
    assert list(services_match("kenh muong")) == []


def services_match(q):
    from petitions.search import matching

    return matching(Case.objects.all(), q).values_list("pk", flat=True)


def test_the_public_answers_search_finds_words_with_or_without_diacritics(people, client):
    wanted = _published(people, "Đề nghị sửa chữa đường liên thôn Khuôn Thống",
                        "Đường liên thôn Khuôn Thống - Đồng Bài xuống cấp nghiêm trọng sau mùa mưa lũ.")
    other = _published(people, "Phản ánh tiếng ồn của xưởng gỗ", "Xưởng gỗ hoạt động ban đêm gây ồn ào cho khu dân cư.")
    for q in ("đường liên thôn", "duong lien thon", "DUONG LIEN TH", '"lien thon"'):
        page = client.get(reverse("petitions:answers"), {"q": q}).content.decode()
        assert wanted.subject in page and other.subject not in page, q
    hostile = client.get(reverse("petitions:answers"), {"q": '"* NEAR( OR \'; drop'})
    assert hostile.status_code == 200


def test_the_register_finds_by_words_and_by_tracking_code(people, client):
    wanted = letter(None, subject="Khiếu nại về bồi thường giải phóng mặt bằng",
                    content="Gia đình tôi chưa nhận được tiền bồi thường khi thu hồi đất làm đường.", kind="complaint")
    other = letter(None, subject="Phản ánh đèn đường hỏng", content="Đèn chiếu sáng trên quốc lộ 2 hỏng nhiều ngày.")
    client.force_login(people["staff"])
    page = client.get(reverse("petitions:register"), {"q": "boi thuong"}).content.decode()
    assert wanted.tracking_code in page and other.tracking_code not in page
    page = client.get(reverse("petitions:register"), {"q": other.tracking_code.lower().replace("-", " ")}).content.decode()
    assert other.tracking_code in page and wanted.tracking_code not in page


def test_a_search_matching_more_than_the_cap_says_so_instead_of_counting_everything(people, client, monkeypatch):
    from petitions.search import CappedPaginator

    for n in range(3):
        _published(people, f"Đề nghị sửa chữa đường giao thông nông thôn số {n}",
                   "Đường giao thông nông thôn xuống cấp, đề nghị sửa chữa trước mùa mưa.")
    monkeypatch.setattr(CappedPaginator, "CAP", 2)
    page = client.get(reverse("petitions:answers"), {"q": "giao thong"}).content.decode()
    assert "Hơn 2 kết quả" in page
    monkeypatch.setattr(CappedPaginator, "CAP", 5)
    page = client.get(reverse("petitions:answers"), {"q": "giao thong"}).content.decode()
    assert "3 kết quả" in page and "Hơn" not in page
