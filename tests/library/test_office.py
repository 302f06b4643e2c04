"""The office's library pages: a clerk uploads and publishes a session's files.

Personas (tests/conftest.py):
- secretary — thuky, council office staff: uploads, edits, publishes, sees read receipts.
- alice, bob — delegates: read published documents; never reach these pages.
"""

import io
import os
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agenda.models import AgendaItem
from library import services
from library.models import Attachment, Document, DocumentVersion, ReadReceipt
from library.worker import drain

pytestmark = pytest.mark.django_db


def pdf_bytes(text="Tờ trình số 125", pages=1) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for n in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(text=f"To trinh {n + 1}")
    return bytes(pdf.output())


def stored_files(folder) -> list[str]:
    return sorted(os.path.join(d, f) for d, _dirs, files in os.walk(folder) for f in files)


@pytest.fixture(autouse=True)
def document_folder(tmp_path):
    """Files stored by these tests go to a folder of this test alone.

    The documents storage is bound to the model fields when models load, so the
    fields themselves are pointed at the folder (and restored afterwards)."""
    from django.core.files.storage import FileSystemStorage

    folder = tmp_path / "documents"
    fields = [DocumentVersion._meta.get_field(name) for name in ("file", "rendition")]
    before = [f.storage for f in fields]
    for f in fields:
        f.storage = FileSystemStorage(location=str(folder), base_url=None)
    yield folder
    for f, storage in zip(fields, before):
        f.storage = storage


@pytest.fixture
def office(client, users):
    client.force_login(users["secretary"])
    return client


@pytest.fixture
def session(sitting):
    return sitting.session


@pytest.fixture
def draft(sitting, users, django_capture_on_commit_callbacks):
    """A draft submission of the session with one PDF version, uploaded through the service."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.upload(users["secretary"], io.BytesIO(pdf_bytes()), name="to-trinh.pdf",
                               kind="submission", number="125/TTr-UBND", summary="Tờ trình về dự thảo Nghị quyết ngân sách",
                               session=sitting.session)


def _post_upload(client, session, *, data=None, content=None, name="to-trinh.pdf", json=False, **extra):
    payload = {"kind": "submission", "number": "125/TTr-UBND", "summary": "Tờ trình về kế hoạch đầu tư công",
               "issuer": "UBND tỉnh", "signer": "Nguyễn Văn A", "access": "delegates", "session": session.pk,
               "classification": "none", "file": SimpleUploadedFile(name, pdf_bytes() if content is None else content),
               **(data or {})}
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(reverse("library:upload"), payload, **headers, **extra)


# ---- who may come in ---------------------------------------------------------------

def test_every_office_page_opens_for_office_staff(office, session, draft):
    pages = [
        (reverse("library:index"), session.title),
        (reverse("library:session", args=[session.pk]), "Hạn gửi tài liệu"),
        (reverse("library:publish_session", args=[session.pk]), draft.summary),
        (reverse("library:upload") + f"?session={session.pk}", "Tải lên tài liệu"),
        (reverse("library:edit", args=[draft.pk]), "125/TTr-UBND"),
        (reverse("library:new_version", args=[draft.pk]), "Lịch sử phiên bản"),
        (reverse("library:attach", args=[draft.pk]), "Gắn tài liệu"),
        (reverse("library:reads", args=[draft.pk]), "Ai đã đọc tài liệu"),
    ]
    for url, text in pages:
        response = office.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


@pytest.mark.parametrize("who", ["alice", "chair"])
def test_people_outside_the_office_get_the_problem_page(client, users, session, draft, who):
    client.force_login(users[who])
    for url in (reverse("library:index"), reverse("library:session", args=[session.pk]), reverse("library:upload"),
                reverse("library:reads", args=[draft.pk]), reverse("library:edit", args=[draft.pk])):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Chỉ cán bộ Văn phòng HĐND được quản lý tài liệu." in response.content.decode()
    response = client.post(reverse("library:publish", args=[draft.pk]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_anonymous_visitor_is_sent_to_sign_in(client, session):
    response = client.get(reverse("library:session", args=[session.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_publish_and_withdraw_refuse_get(office, draft):
    for name in ("library:publish", "library:withdraw"):
        assert office.get(reverse(name, args=[draft.pk])).status_code == 405
    draft.refresh_from_db()
    assert draft.status == "draft"


# ---- upload ------------------------------------------------------------------------

def test_a_clerk_uploads_a_file_with_its_metadata_and_it_is_attached_to_the_agenda_item(
        office, sitting, session, document_folder, django_capture_on_commit_callbacks):
    item = AgendaItem.objects.filter(sitting=sitting).first()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_upload(office, session, data={"item": item.pk, "issued_on": "2026-11-20"})
    assert response.status_code == 302 and response["Location"] == reverse("library:session", args=[session.pk])
    document = Document.objects.get()
    assert (document.kind, document.number, document.issuer, document.signer, str(document.issued_on)) == (
        "submission", "125/TTr-UBND", "UBND tỉnh", "Nguyễn Văn A", "2026-11-20")
    assert document.status == "draft" and document.current_version.number == 1
    assert len(stored_files(document_folder)) == 1
    assert Attachment.objects.filter(document=document, object_id=item.pk).exists()
    page = office.get(response["Location"]).content.decode()
    assert "Đã tải lên “Tờ trình về kế hoạch đầu tư công”" in page
    assert reverse("library:version_status", args=[document.current_version_id]) in page  # live progress


def test_the_upload_answers_json_for_the_progress_script(office, session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_upload(office, session, json=True)
    answer = response.json()
    version = Document.objects.get().current_version
    assert answer["ok"] and answer["status_url"] == reverse("library:version_status", args=[version.pk])
    assert answer["redirect"] == reverse("library:session", args=[session.pk])


@pytest.mark.parametrize("level", ["toi_mat"])  # every level: tests/library/test_services.py
def test_a_classified_upload_is_refused_next_to_the_form_and_nothing_is_stored(office, session, document_folder, level):
    before = stored_files(document_folder)
    response = _post_upload(office, session, data={"classification": level})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Không tải lên được." in page and "117/2025/QH15" in page and services.CLASSIFIED[level] in page
    assert 'name="summary"' in page and "Tờ trình về kế hoạch đầu tư công" in page  # the form keeps what was typed
    assert Document.objects.count() == 0 and DocumentVersion.objects.count() == 0
    assert stored_files(document_folder) == before


def test_an_upload_larger_than_the_setting_is_refused_before_it_is_read(office, session, settings, document_folder):
    settings.DOCUMENT_MAX_BYTES = 2048
    before = stored_files(document_folder)
    response = _post_upload(office, session, content=pdf_bytes() + b"\0" * 200_000)
    assert response.status_code == 413
    page = response.content.decode()
    assert "Tệp quá lớn" in page and "2,0" in page and "Không có gì được lưu" in page
    json_answer = _post_upload(office, session, content=b"%PDF-" + b"\0" * 200_000, json=True).json()
    assert json_answer == {"ok": False, "error": {"code": "too_large", "message": json_answer["error"]["message"]}}
    assert Document.objects.count() == 0 and stored_files(document_folder) == before


def test_a_file_just_over_the_setting_is_refused_by_the_file_check_with_its_message(office, session, settings, document_folder):
    settings.DOCUMENT_MAX_BYTES = 2048
    before = stored_files(document_folder)
    response = _post_upload(office, session, content=b"%PDF-1.4\n" + b"0" * 4000, json=True)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_large"
    assert Document.objects.count() == 0 and stored_files(document_folder) == before


def test_a_missing_summary_is_shown_on_the_field(office, session):
    response = _post_upload(office, session, data={"summary": ""})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert Document.objects.count() == 0


def test_a_new_version_keeps_the_earlier_one_in_the_history(office, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(reverse("library:new_version", args=[draft.pk]), {
            "file": SimpleUploadedFile("to-trinh-v2.pdf", pdf_bytes(pages=2)), "note": "Sửa số liệu mục 3",
            "classification": "none"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.current_version.number == 2 and draft.versions.count() == 2
    page = office.get(reverse("library:new_version", args=[draft.pk])).content.decode()
    assert "to-trinh-v2.pdf" in page and "to-trinh.pdf" in page and "Sửa số liệu mục 3" in page
    assert "Lê Thu Trang" in page  # who uploaded


# ---- metadata and attachments ------------------------------------------------------

def test_editing_metadata_goes_through_the_service(office, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(reverse("library:edit", args=[draft.pk]), {
            "kind": "review_report", "number": "30/BC-HĐND", "summary": "Báo cáo thẩm tra của Ban Kinh tế - Ngân sách",
            "issuer": "Ban Kinh tế - Ngân sách", "signer": "", "issued_on": "", "access": "delegates",
            "session": draft.session_id})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.kind, draft.number, draft.issuer) == ("review_report", "30/BC-HĐND", "Ban Kinh tế - Ngân sách")


def test_attaching_ticks_sittings_and_items_and_unticking_detaches(office, sitting, draft, django_capture_on_commit_callbacks):
    items = list(AgendaItem.objects.filter(sitting=sitting)[:2])
    url = reverse("library:attach", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        office.post(url, {"target": [f"item:{items[0].pk}", f"item:{items[1].pk}", f"sitting:{sitting.pk}"]})
    assert Attachment.objects.filter(document=draft).count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        office.post(url, {"target": [f"item:{items[1].pk}"]})
    assert list(Attachment.objects.filter(document=draft).values_list("object_id", flat=True)) == [items[1].pk]
    assert 'value="item:%d" checked' % items[1].pk in office.get(url).content.decode()


# ---- publishing --------------------------------------------------------------------

def _dates(session, opens_in_days):
    session.start_date = timezone.localdate() + timedelta(days=opens_in_days)
    session.end_date = session.start_date + timedelta(days=2)
    session.save()


def test_publishing_after_the_due_date_is_allowed_and_flagged(office, session, draft, settings,
                                                              django_capture_on_commit_callbacks):
    settings.DOCUMENTS_DUE_DAYS = 5
    _dates(session, opens_in_days=2)  # due three days ago
    checklist = office.get(reverse("library:session", args=[session.pk])).content.decode()
    assert "sẽ bị đánh dấu muộn" in checklist and "đã quá hạn 3 ngày" in checklist
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(reverse("library:publish", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_late
    page = response.content.decode()
    assert "sau hạn gửi tài liệu" in page and 'class="tag late"' in page


def test_publishing_before_the_due_date_is_not_flagged(office, session, draft, settings, django_capture_on_commit_callbacks):
    settings.DOCUMENTS_DUE_DAYS = 5
    _dates(session, opens_in_days=10)
    page = office.get(reverse("library:session", args=[session.pk])).content.decode()
    assert "còn 5 ngày" in page
    with django_capture_on_commit_callbacks(execute=True):
        office.post(reverse("library:publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "published" and not draft.published_late


def test_publish_all_lists_what_goes_out_and_publishes_only_drafts_with_a_file(
        office, session, users, draft, settings, django_capture_on_commit_callbacks):
    settings.DOCUMENTS_DUE_DAYS = 5
    _dates(session, opens_in_days=1)
    no_file = Document.objects.create(summary="Đề án chưa có tệp", kind="proposal", session=session, body=session.body)
    url = reverse("library:publish_session", args=[session.pk])
    confirm = office.get(url).content.decode()
    assert draft.summary in confirm and "Đề án chưa có tệp" in confirm
    assert "Không được phát hành (chưa có tệp)" in confirm
    assert "Đã quá hạn gửi tài liệu" in confirm and "Vẫn phát hành (muộn)" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(url)
    assert response.status_code == 302
    draft.refresh_from_db()
    no_file.refresh_from_db()
    assert draft.status == "published" and draft.published_late
    assert no_file.status == "draft"


def test_withdrawing_hides_a_published_document(office, draft, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(users["secretary"], [draft])
        office.post(reverse("library:withdraw", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "withdrawn"


def test_the_checklist_names_items_without_papers_and_unpublished_documents(office, sitting, session, draft):
    item = AgendaItem.objects.filter(sitting=sitting, kind__in=["submission", "draft_resolution"]).first()
    if item is None:
        item = AgendaItem.objects.create(sitting=sitting, title="Dự thảo Nghị quyết về giá đất", kind="draft_resolution")
    page = office.get(reverse("library:session", args=[session.pk])).content.decode()
    checklist = page[page.index("Danh mục kiểm tra"):]
    assert item.title[:60] in checklist
    assert draft.summary in checklist  # not yet published
    assert "Tài liệu giấy (mật)" in checklist
    assert reverse("library:convocations", args=[session.pk]) in checklist


# ---- read receipts and processing state --------------------------------------------

def test_read_receipts_show_who_read_which_version(office, session, users, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(users["secretary"], [draft])
    draft.refresh_from_db()
    services.record_read(users["alice"], draft)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_version(users["secretary"], draft, io.BytesIO(pdf_bytes(pages=2)), name="v2.pdf", note="Bản sửa")
    draft.refresh_from_db()
    services.record_read(users["bob"], draft)
    assert ReadReceipt.objects.filter(document=draft).count() == 2

    listing = office.get(reverse("library:session", args=[session.pk])).content.decode()
    members = session.body.memberships.filter(active=True).count()
    assert f"đã đọc 2/{members}" in listing
    page = office.get(reverse("library:reads", args=[draft.pk])).content.decode()
    alice_name = users["alice"].member.full_name
    bob_name = users["bob"].member.full_name
    alice_row = page[page.index(alice_name):].split("</tr>")[0]
    bob_row = page[page.index(bob_name):].split("</tr>")[0]
    assert "v1" in alice_row and "chưa đọc bản mới" in alice_row
    assert "v2" in bob_row and "chưa đọc bản mới" not in bob_row
    assert page.count("chưa đọc</td>") == members - 2
    assert f"<strong>2/{members}</strong>" in page and f"<strong>1/{members}</strong>" in page


@pytest.mark.django_db(transaction=True)  # the worker closes a connection found inside a transaction
def test_version_status_reports_processing_for_staff_only(client, office, users, draft):
    url = reverse("library:version_status", args=[draft.current_version_id])
    queued = office.get(url).json()
    assert queued["state"] in ("queued", "ready") and set(queued) >= {"progress", "pages_ready", "page_count", "error", "done"}
    drain()
    processed = office.get(url).json()
    assert processed["state"] == "ready" and processed["done"] and processed["progress"] == 100
    assert processed["page_count"] == 1 and processed["pages_ready"] == 1
    client.logout()
    client.force_login(users["alice"])
    refused = client.get(url)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def test_index_warns_when_a_session_is_past_due_with_unpublished_documents(office, session, draft, settings):
    settings.DOCUMENTS_DUE_DAYS = 5
    _dates(session, opens_in_days=1)
    page = office.get(reverse("library:index")).content.decode()
    assert "Quá hạn: 1 tài liệu chưa phát hành" in page
    assert draft.summary[:40] in page  # recent uploads
    assert reverse("library:search") in page


def test_a_version_whose_processing_failed_shows_its_error(office, session, users):
    """A version whose processing failed shows the error in the list."""
    doc = Document.objects.create(summary="Báo cáo lỗi", session=session, body=session.body, created_by=users["secretary"])
    v = DocumentVersion(document=doc, number=1, original_name="x.pdf", file_kind="pdf", size=5, sha256="0" * 64,
                        state="failed", error="Tệp PDF hỏng")
    v.file.save("office-test.pdf", ContentFile(b"%PDF-"), save=False)
    v.save()
    Document.objects.filter(pk=doc.pk).update(current_version=v)
    page = office.get(reverse("library:session", args=[session.pk])).content.decode()
    assert "Tệp PDF hỏng" in page


def test_the_staff_home_page_links_to_the_library_and_a_delegates_does_not(client, users):
    office_link = f'href="{reverse("library:index")}"'
    client.force_login(users["secretary"])
    assert office_link in client.get(reverse("home")).content.decode()
    client.force_login(users["alice"])
    home = client.get(reverse("home")).content.decode()
    assert office_link not in home
    assert f'href="{reverse("library:search")}"' in home  # a delegate searches the library


# ---- issue 11, item 7: the office pages in order -------------------------------------------------

def test_the_upload_form_lists_each_sittings_items_numbered_in_reading_order(office, sitting, session):
    from agenda.models import AgendaItem
    from agenda.state import ordered_items

    first = AgendaItem.objects.filter(sitting=sitting, parent=None).order_by("position").first()
    # A child added last still reads right after its parent, numbered under it.
    child = AgendaItem.objects.create(sitting=sitting, parent=first, position=0, title="Thảo luận tổ về mục đầu")
    page = office.get(reverse("library:upload")).content.decode()
    group = page[page.index(f'data-session="{session.pk}"'):]
    group = group[:group.index("</optgroup>")]
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', group)
    expected = [(str(i.pk), f"{i.number}. {i.title}"[:200]) for i in ordered_items(sitting.pk)]
    assert [pk for pk, _ in options] == [pk for pk, _ in expected]
    assert (str(child.pk), "1.1. Thảo luận tổ về mục đầu") in options
    assert sitting.title not in "".join(label for _, label in options)  # the group says the sitting, once


def test_read_receipts_list_delegates_by_given_name_the_vietnamese_way_and_filter_the_unread(
        office, users, draft, django_capture_on_commit_callbacks):
    from library.text import person_key
    from meeting.models import Membership

    with django_capture_on_commit_callbacks(execute=True):
        services.publish(users["secretary"], [draft])
    draft.refresh_from_db()
    services.record_read(users["alice"], draft)
    page = office.get(reverse("library:reads", args=[draft.pk])).content.decode()
    names = [m.member.full_name for m in Membership.objects.filter(body=draft.session.body, active=True)
             .select_related("member")]
    shown = sorted(names, key=lambda n: page.index(f"<td>{n}</td>"))
    assert shown == sorted(names, key=person_key)
    given = [n.split()[-1] for n in shown]
    assert given == sorted(given, key=lambda g: person_key(g))
    unread = office.get(reverse("library:reads", args=[draft.pk]) + "?unread=1").content.decode()
    assert users["alice"].member.full_name not in unread and users["bob"].member.full_name in unread
    assert unread.count('<tr class="unread">') == len(names) - 1
    assert "Xem tất cả" in unread


def test_the_vietnamese_order_puts_letters_then_tones_as_the_dictionary_does():
    from library.text import person_key, vietnamese_key

    words = ["Ánh", "Anh", "Ăn", "An", "Ân", "Dũng", "Duy", "Dung", "Đạt", "Ưng", "Uyên", "Ả"]
    assert sorted(words, key=vietnamese_key) == ["Ả", "An", "Anh", "Ánh", "Ăn", "Ân", "Dung", "Dũng", "Duy",
                                                 "Đạt", "Uyên", "Ưng"]
    assert sorted(["Nguyễn Thị Bình", "Trần Văn An"], key=person_key) == ["Trần Văn An", "Nguyễn Thị Bình"]
