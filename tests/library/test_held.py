"""A file the library cannot read whole — a scan, a photo, a PDF page without
a text layer, pictures inside a DOCX — may carry a classification stamp the
system cannot see. It is never passed silently: the version is held (not
current, not processed, not published, not read by delegates) until the
person who uploaded it confirms it is not classified, in an audited step;
or they cancel the upload and the file is deleted (docs/library.md).

Personas: secretary — thuky, office staff, uploads; clerk — vanthu, another
office clerk, who did not upload the file; alice — a delegate.
"""

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from library import services, worker
from library.models import Document, DocumentVersion

from . import samples
from .samples import clerk  # noqa: F401 (fixture)

# Committed transactions: the worker checks its connection between jobs (see test_pipeline).
pytestmark = pytest.mark.django_db(transaction=True)

SCAN_SUMMARY = "Biên bản kiểm tra hiện trường (bản quét)"


@pytest.fixture
def scan(users, sitting):
    """The secretary uploads a letter whose second page is a scan (no text layer)."""
    data = samples.scanned_pdf(("Trang một: Biên bản kiểm tra hiện trường",), image_pages=1)
    return services.upload(users["secretary"], samples.upload(data, "bien-ban-quet.pdf"), summary=SCAN_SUMMARY,
                           session=sitting.session, access=Document.Access.DELEGATES)


def _audit(action: str) -> list:
    return list(AuditRecord.objects.filter(action=action).values_list("user__username", "outcome"))


def test_a_scanned_page_holds_the_upload_unprocessed_and_unpublishable(scan, users):
    version = scan.versions.get()
    worker.drain()
    version.refresh_from_db()
    scan.refresh_from_db()
    assert (version.state, scan.current_version_id, version.pages_ready) == ("held", None, 0)
    assert "trang 2" in version.unreadable
    upload_row = AuditRecord.objects.get(action="library.upload")
    assert upload_row.detail["held"] is True and "trang 2" in upload_row.detail["unreadable"]
    with pytest.raises(services.LibraryError) as caught:
        services.publish(users["secretary"], [scan])
    assert caught.value.code == "no_file"


def test_the_uploaders_confirmation_is_audited_and_releases_the_file(scan, users):
    version = scan.versions.get()
    services.confirm_unclassified(users["secretary"], version)
    assert _audit("library.confirm_unclassified") == [("thuky", "ok")]
    confirmed = AuditRecord.objects.get(action="library.confirm_unclassified")
    assert confirmed.detail["version"] == 1 and "trang 2" in confirmed.detail["unreadable"]
    worker.drain()
    scan.refresh_from_db()
    assert scan.current_version_id == version.pk and scan.current_version.state == "ready"
    assert scan.current_version.page_count == 2
    assert services.publish(users["secretary"], [scan]) == [scan]


def test_only_the_uploader_may_confirm_or_cancel(scan, clerk):
    version = scan.versions.get()
    for act in (services.confirm_unclassified, services.discard_held):
        with pytest.raises(services.LibraryError) as caught:
            act(clerk, version)
        assert caught.value.code == "forbidden"
    assert _audit("library.confirm_unclassified") == [("vanthu", "forbidden")]
    assert _audit("library.discard_held") == [("vanthu", "forbidden")]
    version.refresh_from_db()
    assert version.state == "held"


def test_a_delegate_can_neither_confirm_nor_read_a_held_file(scan, users, client):
    version = scan.versions.get()
    with pytest.raises(services.LibraryError) as caught:
        services.confirm_unclassified(users["alice"], version)
    assert caught.value.code == "forbidden"
    client.force_login(users["alice"])
    assert client.get(reverse("library:version_file", args=[version.pk])).status_code == 404


def test_confirming_twice_is_refused_with_a_code(scan, users):
    version = scan.versions.get()
    services.confirm_unclassified(users["secretary"], version)
    with pytest.raises(services.LibraryError) as caught:
        services.confirm_unclassified(users["secretary"], version)
    assert caught.value.code == "not_held"
    assert len(_audit("library.confirm_unclassified")) == 1


def test_cancelling_deletes_the_file_and_the_document_it_created(scan, users):
    version = scan.versions.get()
    storage = DocumentVersion._meta.get_field("file").storage
    name = version.file.name
    assert storage.exists(name)
    assert services.discard_held(users["secretary"], version) is None
    assert not Document.objects.filter(pk=scan.pk).exists() and not storage.exists(name)
    row = AuditRecord.objects.get(action="library.discard_held")
    assert (row.user.username, row.detail["document"], row.detail["file"]) == ("thuky", scan.pk, "bien-ban-quet.pdf")


def test_a_held_new_version_leaves_the_current_one_to_readers(users, sitting):
    secretary = users["secretary"]
    doc = services.upload(secretary, samples.upload(samples.pdf(), "to-trinh.pdf"), summary="Tờ trình về dự toán",
                          session=sitting.session)
    worker.drain()
    services.publish(secretary, [doc])
    held = services.add_version(secretary, doc, samples.upload(samples.image("PNG"), "so-do.png"), note="Thêm sơ đồ")
    doc.refresh_from_db()
    assert held.state == "held" and doc.current_version.number == 1
    assert services.discard_held(secretary, held) == doc
    doc.refresh_from_db()
    assert list(doc.versions.values_list("number", flat=True)) == [1] and doc.current_version.number == 1


def test_docx_pictures_and_photos_are_held_too(users):
    secretary = users["secretary"]
    for data, name in ((samples.office_docx(picture=True), "bao-cao.docx"), (samples.image("JPEG"), "anh.jpg")):
        doc = services.upload(secretary, samples.upload(data, name), summary="Báo cáo kèm hình ảnh")
        assert doc.versions.get().state == "held" and doc.current_version is None


def test_a_readable_file_is_not_held(users):
    doc = services.upload(users["secretary"], samples.upload(samples.official_pdf(), "bao-cao.pdf"), summary="Báo cáo")
    assert doc.current_version.state == "queued" and doc.current_version.unreadable == ""


# ---- the office page: upload, then the confirm step --------------------------------------------

@pytest.fixture
def office(client, users):
    client.force_login(users["secretary"])
    return client


def _post_scan(office, sitting, **extra):
    data = samples.scanned_pdf(("Trang một",), image_pages=1)
    return office.post(reverse("library:upload"), {
        "kind": "minutes", "summary": SCAN_SUMMARY, "access": "delegates", "session": sitting.session.pk,
        "classification": "none", "file": samples.upload(data, "bien-ban-quet.pdf")}, **extra)


def test_the_upload_page_leads_the_uploader_to_the_confirm_step(office, sitting):
    response = _post_scan(office, sitting)
    version = DocumentVersion.objects.get(document__summary=SCAN_SUMMARY)
    confirm_url = reverse("library:confirm", args=[version.pk])
    assert response.status_code == 302 and response["Location"] == confirm_url
    page = office.get(confirm_url).content.decode()
    assert "csrfmiddlewaretoken" in page and 'name="not_classified"' in page
    assert "không chứa bí mật nhà nước" in page and "trang 2" in page
    assert version.state == "held"


def test_the_upload_answers_json_with_the_confirm_step(office, sitting):
    answer = _post_scan(office, sitting, HTTP_ACCEPT="application/json").json()
    version = DocumentVersion.objects.get(document__summary=SCAN_SUMMARY)
    assert answer["ok"] and answer["held"] and answer["redirect"] == reverse("library:confirm", args=[version.pk])
    status = office.get(answer["status_url"]).json()
    assert (status["state"], status["done"], status["held"]) == ("held", True, True)


def test_confirming_on_the_page_needs_the_box_ticked(office, sitting):
    _post_scan(office, sitting)
    version = DocumentVersion.objects.get(document__summary=SCAN_SUMMARY)
    url = reverse("library:confirm", args=[version.pk])
    unticked = office.post(url, {"action": "confirm"})
    assert unticked.status_code == 400 and "Hãy đánh dấu ô xác nhận" in unticked.content.decode()
    version.refresh_from_db()
    assert version.state == "held" and not _audit("library.confirm_unclassified")
    ticked = office.post(url, {"action": "confirm", "not_classified": "yes"})
    assert ticked.status_code == 302 and ticked["Location"] == reverse("library:session", args=[sitting.session.pk])
    version.refresh_from_db()
    assert version.state == "queued" and _audit("library.confirm_unclassified") == [("thuky", "ok")]


def test_cancelling_on_the_page_deletes_the_upload(office, sitting):
    _post_scan(office, sitting)
    version = DocumentVersion.objects.get(document__summary=SCAN_SUMMARY)
    response = office.post(reverse("library:confirm", args=[version.pk]), {"action": "discard"})
    assert response.status_code == 302 and not Document.objects.filter(summary=SCAN_SUMMARY).exists()


def test_the_session_page_lists_held_files(office, scan, sitting):
    page = office.get(reverse("library:session", args=[sitting.session.pk])).content.decode()
    assert "Tệp chờ xác nhận không mật" in page
    assert reverse("library:confirm", args=[scan.versions.get().pk]) in page
