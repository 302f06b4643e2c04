"""Reading a document: the file views, the viewer, private notes and highlights, the offline copy.

Personas (tests/conftest.py): the secretary manages documents and sees drafts;
delegates Alice and Bob read published documents of access "delegates" and
"public"; a signed-in person with no council membership reads public ones
only; an anonymous visitor reads published public documents and annotates
nothing.

Rule under test for refusals: a document one may not read answers 404, exactly
like a document that does not exist; only the viewer page sends someone who is
not signed in to the login page.

A version's bytes here are written straight to the storage (the upload checks
and page drawing are tested with library.files and library.pages).
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from audit.models import AuditRecord
from library.models import Annotation, Document, DocumentVersion, ReadReceipt
from library.paths import page_name, thumb_name

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 test bytes"


def make_document(sitting, user, *, status="published", access="delegates", pages=3, name="Tờ trình số 1.pdf", **meta):
    doc = Document.objects.create(created_by=user, summary=meta.pop("summary", "Tờ trình về kế hoạch đầu tư công"),
                                  number="125/TTr-UBND", access=access, session=sitting.session, body=sitting.body, **meta)
    add_version(doc, user, pages=pages, name=name)
    Document.objects.filter(pk=doc.pk).update(status=status)
    return Document.objects.select_related("current_version").get(pk=doc.pk)


def add_version(doc, user, *, pages=3, name="Tờ trình số 1.pdf", content=PDF):
    number = doc.versions.count() + 1
    version = DocumentVersion(document=doc, number=number, original_name=name, file_kind="pdf", size=len(content),
                              sha256=f"{number:064x}", uploaded_by=user, page_count=pages, pages_ready=pages, state="ready")
    version.file.save("viewer-test.pdf", ContentFile(content), save=False)
    version.save()
    storage = version.file.storage
    for n in range(1, pages + 1):
        for name, data in ((page_name(version.pk, n), b"RIFF-page-%d" % n), (thumb_name(version.pk, n), b"RIFF-thumb-%d" % n)):
            storage.delete(name)  # an earlier test's version may have had the same id
            storage.save(name, ContentFile(data))
    Document.objects.filter(pk=doc.pk).update(current_version=version)
    return version


@pytest.fixture(autouse=True)
def private_document_folder(document_folder):
    """Files written here go to the test folder (the field's storage was built before the settings changed)."""
    storage = DocumentVersion._meta.get_field("file").storage
    saved = storage.__dict__.copy()
    storage._location = document_folder
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
    yield
    storage.__dict__.clear()
    storage.__dict__.update(saved)


def read(response) -> bytes:
    """The bytes of a (streaming) reply, its file closed (not response.close(): that signals the
    end of a request, and Django would close the test's database connection)."""
    try:
        return b"".join(response.streaming_content) if response.streaming else response.content
    finally:
        stream = getattr(response, "file_to_stream", None)
        if stream is not None:
            stream.close()


def client_for(user=None, **kwargs) -> Client:
    c = Client(**kwargs)
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def doc(sitting, users):
    return make_document(sitting, users["secretary"])


@pytest.fixture
def outsider(db):
    """Signed in, but no council membership and no office role."""
    return get_user_model().objects.create_user("nguoingoai", password="x")


def audits(action, user=None):
    rows = AuditRecord.objects.filter(action=action)
    return rows.filter(user=user) if user else rows


# ---- files -----------------------------------------------------------------------------------

def test_a_delegate_downloads_the_file_with_its_vietnamese_name_a_receipt_and_an_audit_row(doc, users):
    r = client_for(users["alice"]).get(reverse("library:file", args=[doc.pk]))
    assert r.status_code == 200 and read(r) == PDF
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''T%E1%BB%9D%20tr%C3%ACnh%20s%E1%BB%91%201.pdf" in r["Content-Disposition"]
    assert ReadReceipt.objects.filter(user=users["alice"], version=doc.current_version).count() == 1
    row = audits("library.download", users["alice"]).get()
    assert row.detail == {"document": doc.pk, "version": 1, "access": "delegates"}


def test_files_are_cached_privately_with_the_sha256_as_etag_and_a_revisit_is_a_304_without_audit(doc, users):
    c = client_for(users["alice"])
    url = reverse("library:file", args=[doc.pk])
    first = c.get(url)
    read(first)
    assert first["ETag"] == f'"{doc.current_version.sha256}"'
    assert first["Cache-Control"].startswith("private") and "public" not in first["Cache-Control"]
    again = c.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert audits("library.download", users["alice"]).count() == 1
    assert ReadReceipt.objects.get(user=users["alice"]).count == 1


def test_behind_nginx_a_revalidation_is_a_304_before_any_read_is_counted(doc, users, settings):
    # X-Accel-Redirect (DOCUMENT_ACCEL_REDIRECT): nginx sends the bytes, and passes the
    # ETag and Vary given here (deploy/nginx.conf; tests/infra/test_proxy_caching.py).
    settings.DOCUMENT_ACCEL_REDIRECT = "/protected-documents/"
    c = client_for(users["alice"])
    url = reverse("library:file", args=[doc.pk])
    first = c.get(url)
    assert first.status_code == 200
    assert first["X-Accel-Redirect"] == "/protected-documents/" + doc.current_version.file.name
    assert first["ETag"] == f'"{doc.current_version.sha256}"' and first["Vary"] == "Cookie"
    for _ in range(3):
        again = c.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and "X-Accel-Redirect" not in again
        assert again["ETag"] == first["ETag"] and again["Vary"] == "Cookie"
    assert ReadReceipt.objects.get(user=users["alice"]).count == 1
    assert audits("library.download", users["alice"]).count() == 1
    other = c.get(url, HTTP_IF_NONE_MATCH='"an-older-version"')
    assert other.status_code == 200 and "X-Accel-Redirect" in other
    assert ReadReceipt.objects.get(user=users["alice"]).count == 2


@pytest.mark.parametrize("who, status, access", [
    ("alice", "draft", "delegates"),
    ("alice", "published", "internal"),
    ("alice", "withdrawn", "delegates"),
    ("outsider", "published", "delegates"),
    (None, "published", "delegates"),
])
def test_a_document_one_may_not_read_is_a_404_on_every_file_view(sitting, users, outsider, who, status, access):
    doc = make_document(sitting, users["secretary"], status=status, access=access)
    user = outsider if who == "outsider" else users.get(who)
    c = client_for(user)
    v = doc.current_version
    for url in (reverse("library:file", args=[doc.pk]), reverse("library:version_file", args=[v.pk]),
                reverse("library:rendition", args=[v.pk]), reverse("library:page", args=[v.pk, 1]),
                reverse("library:thumb", args=[v.pk, 1])):
        assert c.get(url).status_code == 404, url
    assert not ReadReceipt.objects.exists() and not audits("library.download").exists()


def test_staff_read_drafts_without_a_read_receipt_but_with_an_audit_row(sitting, users):
    doc = make_document(sitting, users["secretary"], status="draft")
    r = client_for(users["secretary"]).get(reverse("library:file", args=[doc.pk]))
    assert r.status_code == 200 and read(r) == PDF
    assert not ReadReceipt.objects.exists()
    assert audits("library.download", users["secretary"]).count() == 1


def test_a_public_document_is_read_by_anyone_and_its_downloads_are_not_audited(sitting, users):
    doc = make_document(sitting, users["secretary"], access="public")
    r = client_for().get(reverse("library:file", args=[doc.pk]))
    assert r.status_code == 200 and read(r) == PDF
    assert not audits("library.download").exists() and not ReadReceipt.objects.exists()
    assert "public" not in r["Cache-Control"]


def test_an_earlier_version_stays_downloadable_by_its_own_url(doc, users):
    first = doc.current_version
    add_version(doc, users["secretary"], name="Tờ trình (sửa).pdf", content=b"%PDF-2")
    r = client_for(users["bob"]).get(reverse("library:version_file", args=[first.pk]))
    assert read(r) == PDF
    assert ReadReceipt.objects.get(user=users["bob"]).version == first


def test_page_images_are_served_privately_without_receipts_or_audit(doc, users):
    v = doc.current_version
    c = client_for(users["alice"])
    r = c.get(reverse("library:page", args=[v.pk, 2]))
    assert r.status_code == 200 and r["Content-Type"] == "image/webp"
    assert read(r) == b"RIFF-page-2"
    assert r["Cache-Control"].startswith("private")
    assert c.get(reverse("library:page", args=[v.pk, 2]), HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 304
    assert read(c.get(reverse("library:thumb", args=[v.pk, 3]))) == b"RIFF-thumb-3"
    assert c.get(reverse("library:page", args=[v.pk, 4])).status_code == 404
    assert not ReadReceipt.objects.exists() and not AuditRecord.objects.filter(action__startswith="library.").exists()


def test_a_page_not_drawn_yet_is_a_404(doc, users):
    DocumentVersion.objects.filter(pk=doc.current_version_id).update(pages_ready=1, state="processing")
    c = client_for(users["alice"])
    assert read(c.get(reverse("library:page", args=[doc.current_version_id, 1]))) == b"RIFF-page-1"
    assert c.get(reverse("library:page", args=[doc.current_version_id, 2])).status_code == 404


def test_behind_nginx_the_reply_is_an_accel_redirect_after_the_check(doc, users, settings):
    settings.DOCUMENT_ACCEL_REDIRECT = "/_protected/documents/"
    r = client_for(users["alice"]).get(reverse("library:file", args=[doc.pk]))
    assert r["X-Accel-Redirect"] == "/_protected/documents/" + doc.current_version.file.name
    assert r.content == b""
    assert audits("library.download", users["alice"]).count() == 1
    assert client_for(None).get(reverse("library:file", args=[doc.pk])).status_code == 404


def test_a_pdf_is_its_own_rendition_and_a_docx_without_one_has_none(doc, users, sitting):
    c = client_for(users["alice"])
    r = c.get(reverse("library:rendition", args=[doc.current_version_id]))
    assert read(r) == PDF and r["Content-Disposition"].startswith("inline;")
    DocumentVersion.objects.filter(pk=doc.current_version_id).update(file_kind="docx")
    assert c.get(reverse("library:rendition", args=[doc.current_version_id])).status_code == 404


# ---- the viewer ------------------------------------------------------------------------------

def test_opening_the_viewer_records_a_read_receipt_and_audits_the_view(doc, users):
    r = client_for(users["alice"]).get(reverse("library:view", args=[doc.pk]) + "?embed=1")
    assert r.status_code == 200
    html = r.content.decode()
    assert "125/TTr-UBND" in html and "Tờ trình về kế hoạch đầu tư công" in html
    assert 'class="topbar"' not in html  # embedded: no site chrome
    assert r["X-Frame-Options"] == "SAMEORIGIN"
    assert ReadReceipt.objects.filter(user=users["alice"]).count() == 1
    assert audits("library.view", users["alice"]).count() == 1


def test_the_viewer_tells_a_reader_who_read_an_earlier_version(doc, users):
    c = client_for(users["alice"])
    c.get(reverse("library:view", args=[doc.pk]))
    add_version(doc, users["secretary"])
    html = c.get(reverse("library:view", args=[doc.pk])).content.decode()
    assert "Bạn đã đọc phiên bản 1. Đây là phiên bản 2." in html
    assert "Bạn đã đọc" not in c.get(reverse("library:view", args=[doc.pk])).content.decode()


def test_the_viewer_sends_an_anonymous_visitor_to_sign_in_and_refuses_others_with_404(doc, users, outsider):
    r = client_for().get(reverse("library:view", args=[doc.pk]))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert client_for(outsider).get(reverse("library:view", args=[doc.pk])).status_code == 404


def test_the_terminals_offline_copy_is_not_a_reading(doc, users):
    r = client_for(users["alice"]).get(reverse("library:view", args=[doc.pk]) + "?embed=1", HTTP_X_OFFLINE_COPY="1")
    assert r.status_code == 200
    assert not ReadReceipt.objects.exists() and not audits("library.view").exists()


def test_the_viewer_reports_processing_progress_as_json(doc, users):
    DocumentVersion.objects.filter(pk=doc.current_version_id).update(state="processing", progress=40, pages_ready=1)
    r = client_for(users["alice"]).get(reverse("library:view", args=[doc.pk]) + "?status=1")
    assert r.json() == {"id": doc.current_version_id, "number": 1, "page_count": 3, "pages_ready": 1,
                        "state": "processing", "progress": 40, "error": ""}
    assert not ReadReceipt.objects.exists()


# ---- notes and highlights ----------------------------------------------------------------------

def post(c, doc, body, **extra):
    return c.post(reverse("library:annotations", args=[doc.pk]), data=json.dumps(body),
                  content_type="application/json", **extra)


def test_a_delegate_adds_a_note_and_a_highlight_and_lists_them(doc, users):
    c = client_for(users["alice"])
    note = post(c, doc, {"page": 2, "kind": "note", "text": "Hỏi về vốn đối ứng"})
    assert note.status_code == 201 and note.json()["annotation"]["text"] == "Hỏi về vốn đối ứng"
    hl = post(c, doc, {"page": 1, "kind": "highlight", "rect": {"x": .1, "y": .2, "w": .5, "h": .05}, "color": "green"})
    assert hl.status_code == 201
    listed = c.get(reverse("library:annotations", args=[doc.pk])).json()["annotations"]
    assert [(a["page"], a["kind"]) for a in listed] == [(1, "highlight"), (2, "note")]
    assert listed[0]["rect"] == {"x": .1, "y": .2, "w": .5, "h": .05}


def test_a_note_sent_again_with_its_client_id_is_stored_once(doc, users):
    # Alice wrote the note offline; the first send reached the server but its reply was lost.
    c = client_for(users["alice"])
    body = {"page": 2, "kind": "note", "text": "Viết khi mất mạng", "client_id": "6f1c0a52-3f55-4c1e-9d3e-1b2a7c9e0d11"}
    first = post(c, doc, body)
    again = post(c, doc, body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["annotation"] == first.json()["annotation"]
    assert first.json()["annotation"]["client_id"] == body["client_id"]
    assert Annotation.objects.filter(user=users["alice"]).count() == 1


def test_a_client_id_is_each_readers_own(doc, users):
    body = {"page": 1, "kind": "note", "text": "x", "client_id": "6f1c0a52-3f55-4c1e-9d3e-1b2a7c9e0d12"}
    assert post(client_for(users["alice"]), doc, body).status_code == 201
    bob = post(client_for(users["bob"]), doc, dict(body, text="y"))
    assert bob.status_code == 201 and bob.json()["annotation"]["text"] == "y"
    assert Annotation.objects.count() == 2


@pytest.mark.parametrize("client_id", ["not-a-uuid", 12, ["x"], ""])
def test_a_client_id_that_is_not_a_uuid_is_refused(doc, users, client_id):
    r = post(client_for(users["alice"]), doc, {"page": 1, "kind": "note", "text": "x", "client_id": client_id})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    assert not Annotation.objects.exists()


def test_annotations_are_visible_only_to_their_author(doc, users):
    a = post(client_for(users["alice"]), doc, {"page": 1, "kind": "note", "text": "Chỉ Alice biết 7731"}).json()["annotation"]
    bob = client_for(users["bob"])
    assert bob.get(reverse("library:annotations", args=[doc.pk])).json() == {"annotations": []}
    url = reverse("library:annotation", args=[a["id"]])
    for r in (bob.get(url), bob.patch(url, data='{"text": "x"}', content_type="application/json"), bob.delete(url)):
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert Annotation.objects.get(pk=a["id"]).text == "Chỉ Alice biết 7731"
    html = bob.get(reverse("library:view", args=[doc.pk])).content.decode()
    assert "7731" not in html


def test_the_author_edits_and_deletes_their_note(doc, users):
    c = client_for(users["alice"])
    a = post(c, doc, {"page": 1, "kind": "note", "text": "a"}).json()["annotation"]
    url = reverse("library:annotation", args=[a["id"]])
    r = c.patch(url, data=json.dumps({"text": "b", "color": "blue"}), content_type="application/json")
    assert r.json()["annotation"]["text"] == "b" and r.json()["annotation"]["color"] == "blue"
    assert c.delete(url).status_code == 204
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("body", [
    {"page": 0, "kind": "note", "text": "x"},
    {"page": 4, "kind": "note", "text": "x"},
    {"page": "1", "kind": "note", "text": "x"},
    {"page": 1, "kind": "sticker", "text": "x"},
    {"page": 1, "kind": "note", "text": ""},
    {"page": 1, "kind": "note", "text": "x" * 5001},
    {"page": 1, "kind": "highlight"},
    {"page": 1, "kind": "highlight", "rect": {"x": .5, "y": .1, "w": .6, "h": .1}},
    {"page": 1, "kind": "highlight", "rect": {"x": -.1, "y": .1, "w": .2, "h": .1}},
    {"page": 1, "kind": "highlight", "rect": {"x": .1, "y": .1, "w": .2}},
    {"page": 1, "kind": "highlight", "rect": {"x": True, "y": .1, "w": .2, "h": .1}},
    {"page": 1, "kind": "note", "text": "x", "color": "black"},
    {"page": 1, "kind": "note", "text": "x", "user": 1},
    {"page": 1, "kind": "note", "text": "x", "version": 999999},
    [1, 2],
])
def test_invalid_annotations_are_refused_with_the_invalid_code(doc, users, body):
    r = post(client_for(users["alice"]), doc, body)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    assert r.json()["error"]["message"]
    assert not Annotation.objects.exists()


def test_a_body_that_is_not_json_is_invalid(doc, users):
    r = client_for(users["alice"]).post(reverse("library:annotations", args=[doc.pk]), data="{page:",
                                        content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"


def test_a_body_over_16_kb_is_too_large(doc, users):
    r = post(client_for(users["alice"]), doc, {"page": 1, "kind": "note", "text": "x" * 17000})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_an_anonymous_visitor_may_not_annotate_even_a_public_document(sitting, users):
    doc = make_document(sitting, users["secretary"], access="public")
    r = post(client_for(), doc, {"page": 1, "kind": "note", "text": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_no_annotation_on_a_document_one_may_not_read(sitting, users):
    draft = make_document(sitting, users["secretary"], status="draft")
    r = post(client_for(users["alice"]), draft, {"page": 1, "kind": "note", "text": "x"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_a_withdrawn_document_hides_its_notes_even_from_their_author(doc, users):
    c = client_for(users["alice"])
    a = post(c, doc, {"page": 1, "kind": "note", "text": "x"}).json()["annotation"]
    Document.objects.filter(pk=doc.pk).update(status="withdrawn")
    assert c.get(reverse("library:annotation", args=[a["id"]])).status_code == 404


def test_annotating_needs_the_csrf_token(doc, users):
    c = client_for(users["alice"], enforce_csrf_checks=True)
    r = post(c, doc, {"page": 1, "kind": "note", "text": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    c.get(reverse("library:view", args=[doc.pk]))  # sets the CSRF cookie, as the viewer page does
    token = c.cookies["csrftoken"].value
    assert post(c, doc, {"page": 1, "kind": "note", "text": "x"}, HTTP_X_CSRFTOKEN=token).status_code == 201


# ---- offline ------------------------------------------------------------------------------------

def test_the_offline_manifest_lists_what_this_delegate_may_read_of_the_session(sitting, users):
    published = make_document(sitting, users["secretary"], pages=2)
    make_document(sitting, users["secretary"], status="draft", summary="Bản nháp")
    make_document(sitting, users["secretary"], access="internal", summary="Nội bộ")
    url = reverse("library:offline_manifest", args=[sitting.session_id])
    data = client_for(users["alice"]).get(url).json()
    assert [d["id"] for d in data["documents"]] == [published.pk]
    v = published.current_version_id
    entry = data["documents"][0]
    assert entry["viewer"] == reverse("library:view", args=[published.pk]) + "?embed=1"
    assert entry["images"] == [f"/library/version/{v}/page/1.webp", f"/library/version/{v}/page/2.webp",
                               f"/library/version/{v}/thumb/1.webp", f"/library/version/{v}/thumb/2.webp"]
    assert data["cache"] == f"hdnd-docs-u{users['alice'].pk}-s{sitting.session_id}"
    assert "/static/library/viewer.js" in data["static"]
    assert len(client_for(users["secretary"]).get(url).json()["documents"]) == 3
    # The copy is not a reading, but it is a download: one audit row per manifest names the documents.
    copies = AuditRecord.objects.filter(action="library.offline_copy").order_by("id")
    assert [(r.user, r.detail["documents"]) for r in copies][0] == (users["alice"], [published.pk])
    assert sorted(copies[1].detail["documents"]) == sorted(Document.objects.filter(session=sitting.session).values_list("pk", flat=True))


def test_nothing_is_kept_offline_for_an_anonymous_visitor(sitting, users):
    make_document(sitting, users["secretary"], access="public")
    r = client_for().get(reverse("library:offline_manifest", args=[sitting.session_id]))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_the_service_worker_is_served_from_the_root_uncached(db):
    r = Client().get("/library-sw.js")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/javascript")
    assert r["Service-Worker-Allowed"] == "/"
    assert "no-cache" in r["Cache-Control"]
    assert b"hdnd-docs-" in r.content
