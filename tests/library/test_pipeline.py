"""The background job a new version goes through (library.pipeline), run for
real by the worker: text, the PDF rendition of Office files, page images and
thumbnails in the documents storage, then the version is ready.

The clerk is office staff (like the demo's secretary) and uploads through
library.services.upload; library.worker.drain() runs the queued job.
"""

import io

import pytest
from django.test import override_settings
from PIL import Image

from library import extract, pipeline, rendition, services, worker
from library.models import DocumentVersion, SearchEntry
from library.paths import page_name, thumb_name

from . import samples
from .samples import clerk  # noqa: F401 (fixture)

# Committed transactions: the worker checks its connection between jobs (close_old_connections),
# which closes a connection left inside a test's transaction on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


def _process(user, data: bytes, name: str) -> DocumentVersion:
    doc = services.upload(user, samples.upload(data, name), summary="Tờ trình về dự toán ngân sách năm 2027")
    assert doc.current_version.state == "queued"
    worker.drain()
    return DocumentVersion.objects.get(pk=doc.current_version.pk)


def _storage():
    return DocumentVersion._meta.get_field("file").storage


def _pages_exist(version) -> list[tuple[int, int]]:
    """Every page image and thumbnail is in storage; return the page images' sizes."""
    storage, sizes = _storage(), []
    for n in range(1, version.page_count + 1):
        with storage.open(page_name(version.pk, n)) as fh, Image.open(fh) as page:
            assert page.format == "WEBP"
            sizes.append(page.size)
        with storage.open(thumb_name(version.pk, n)) as fh, Image.open(fh) as thumb:
            assert thumb.format == "WEBP" and thumb.width <= 220
    assert not storage.exists(page_name(version.pk, version.page_count + 1))
    return sizes


def test_a_pdf_becomes_ready_with_its_text_and_page_images(clerk):
    version = _process(clerk, samples.pdf(("Hội đồng nhân dân tỉnh Tuyên Quang", "Nghị quyết về đầu tư công", "Trang ba")),
                       "nghi-quyet.pdf")
    assert (version.state, version.progress, version.error) == ("ready", 100, "")
    assert version.page_count == version.pages_ready == 3
    assert "Hội đồng nhân dân tỉnh Tuyên Quang" in version.text and "Nghị quyết về đầu tư công" in version.text
    sizes = _pages_exist(version)
    assert all(1300 <= w <= 1400 and h > w for w, h in sizes), sizes  # A4 portrait, about 1400 px wide
    assert not version.rendition
    assert "Nghị quyết về đầu tư công" in SearchEntry.objects.get(document=version.document).text


@override_settings(OFFICE_CONVERTER="builtin")
@pytest.mark.parametrize("name, data, words", [
    ("bao-cao-tham-tra.docx", samples.docx, "Chi đầu tư phát triển"),
    ("du-toan.xlsx", samples.xlsx, "Chi thường xuyên"),
])
def test_office_files_get_a_builtin_pdf_rendition_and_page_images(clerk, tmp_path, name, data, words):
    version = _process(clerk, data(), name)
    assert version.state == "ready" and words in version.text
    assert version.rendition_kind == "builtin" and version.rendition.name.startswith("renditions/")
    copy = tmp_path / "rendition.pdf"
    with _storage().open(version.rendition.name) as fh:
        copy.write_bytes(fh.read())
    shown = extract.extract("pdf", copy).text
    assert words in shown and "Bản hiển thị dạng văn bản" in shown
    assert version.page_count == version.pages_ready >= 1
    _pages_exist(version)


@override_settings(OFFICE_CONVERTER="libreoffice")
def test_office_files_are_converted_by_libreoffice_when_it_is_installed(clerk, tmp_path):
    if rendition.office_binary() is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui")
    version = _process(clerk, samples.docx(), "bao-cao-tham-tra.docx")
    assert (version.state, version.rendition_kind) == ("ready", "libreoffice")
    copy = tmp_path / "rendition.pdf"
    with _storage().open(version.rendition.name) as fh:
        copy.write_bytes(fh.read())
    shown = extract.extract("pdf", copy).text
    assert "Chi đầu tư phát triển" in shown and "Bản hiển thị dạng văn bản" not in shown
    _pages_exist(version)


def test_a_photo_is_one_upright_page(clerk):
    # A 320×200 camera image with EXIF orientation 6 (taken rotated): shown 200 wide, 320 tall.
    # A photo cannot be read for a classification stamp: held until its uploader confirms it.
    doc = services.upload(clerk, samples.upload(samples.image("JPEG", (320, 200), exif_orientation=6), "anh-chup.jpg"),
                          summary="Ảnh chụp hiện trường dự án")
    held = doc.versions.get()
    worker.drain()
    held.refresh_from_db()
    assert held.state == "held" and doc.current_version is None
    services.confirm_unclassified(clerk, held)
    worker.drain()
    version = DocumentVersion.objects.get(pk=held.pk)
    assert (version.state, version.page_count, version.text) == ("ready", 1, "")
    assert _pages_exist(version) == [(200, 320)]


def test_processing_again_replaces_the_page_images(clerk):
    version = _process(clerk, samples.pdf(), "to-trinh.pdf")
    folders = (f"pages/{version.pk}", f"thumbs/{version.pk}")
    before = [set(_storage().listdir(folder)[1]) for folder in folders]
    pipeline.process(version.pk)
    version.refresh_from_db()
    assert version.state == "ready"
    _pages_exist(version)
    # Same names, overwritten: no "1_abc123.webp" next to "1.webp".
    assert [set(_storage().listdir(folder)[1]) for folder in folders] == before


def test_a_version_whose_stored_file_is_unreadable_fails_with_a_message(clerk):
    doc = services.upload(clerk, samples.upload(samples.pdf(), "to-trinh.pdf"), summary="Tờ trình")
    version = doc.current_version
    # The stored file is damaged after the check (a disk error): the job fails, the version says why.
    storage = _storage()
    storage.delete(version.file.name)
    storage.save(version.file.name, io.BytesIO(b"%PDF-1.7 broken"))
    worker.drain()
    version.refresh_from_db()
    assert version.state == "failed" and version.error


# ---- issue 10 item 3 / issue 11 item 8: processing reaches the clients --------------------------------

def test_a_client_following_the_sitting_equals_a_fresh_snapshot_at_every_step_of_processing(sitting, users):
    """The version's processing state (queued, processing, ready) is in the snapshot; it reached no
    client, so a client's state and a fresh snapshot at the same seq differed while it was processed."""
    import json

    from realtime.audience import shape_event
    from realtime.models import SittingEvent
    from realtime.publish import encode
    from realtime.snapshot import snapshot_for
    from tests.realtime.reducer import ClientState

    secretary = users["secretary"]
    doc = services.upload(secretary, samples.upload(samples.pdf(("Tờ trình", "Trang hai")), "to-trinh.pdf"),
                          summary="Tờ trình về giá đất năm 2027", session=sitting.session)
    services.attach(secretary, doc, sitting)
    services.publish(secretary, [doc])
    client = ClientState()
    seq, state = snapshot_for(sitting.pk, "staff")
    client.apply({"type": "snapshot", "seq": seq, "data": json.loads(encode(state)),
                  "you": {"role": "secretary", "member_id": None, "display_id": None, "pseq": 0}})
    seen = []

    def follow():
        for event in SittingEvent.objects.filter(sitting=sitting, seq__gt=client.seq).order_by("seq"):
            data = shape_event(event.type, event.data, "staff")
            client.apply({"type": event.type, "seq": event.seq, "data": json.loads(encode(data)) if data is not None
                          else None} if data is not None else {"type": "skip", "seq": event.seq, "data": None})
        fresh_seq, fresh = snapshot_for(sitting.pk, "staff")
        assert (client.seq, client.state) == (fresh_seq, json.loads(encode(fresh)))
        seen.append(next(d["state"] for d in client.state["documents"]["list"] if d["id"] == doc.pk))

    follow()
    worker.drain()
    follow()
    # Each state the job went through reached the sitting as an event, in order.
    states = [next(d["state"] for d in e.data["documents"]["list"] if d["id"] == doc.pk)
              for e in SittingEvent.objects.filter(sitting=sitting, type="documents.changed").order_by("seq")]
    assert states[-2:] == ["processing", "ready"], states
    assert seen == ["queued", "ready"]
