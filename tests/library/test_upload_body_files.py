"""Behind nginx a request body arrives as a file nginx wrote (config/middleware.py
ProxyRequestBodyMiddleware, docs/decisions/0012): the upload view reads the form and the document
from that file. The header naming the file is believed only with BEHIND_PROXY and UPLOAD_BODY_DIR,
and only for a regular file inside that folder; anything else is ignored, never opened.

(Through the real nginx and two Daphne workers: tests/infra/test_topology.py.)
"""

import hashlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from library.models import Document

from .test_office import document_folder, pdf_bytes  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(tmp_path):
    folder = tmp_path / "upload-bodies"
    (folder / "1" / "00").mkdir(parents=True)
    return folder


def _body(session, content: bytes) -> bytes:
    return encode_multipart(BOUNDARY, {
        "kind": "submission", "summary": "Tờ trình gửi qua tệp của nginx", "access": "delegates",
        "session": session.pk, "classification": "none", "file": SimpleUploadedFile("to-trinh.pdf", content)})


def _post(users, path, **settings):
    """What nginx sends a worker: no body, no Content-Length, the file's path."""
    with override_settings(**settings):
        client = Client()  # middleware is set up with the settings in force
        client.force_login(users["secretary"])
        # (the test client sets Content-Type only with a body: given here as nginx passes it on)
        return client.generic("POST", reverse("library:upload"), b"", CONTENT_TYPE=MULTIPART_CONTENT,
                              HTTP_ACCEPT="application/json", HTTP_X_UPLOAD_BODY_FILE=str(path))


def test_the_upload_view_reads_the_document_from_nginxs_file(users, sitting, bodies):
    content = pdf_bytes("Tờ trình qua tệp")
    path = bodies / "1" / "00" / "0000000001"
    path.write_bytes(_body(sitting.session, content))
    r = _post(users, path, BEHIND_PROXY=True, UPLOAD_BODY_DIR=str(bodies))
    assert r.status_code == 200, r.content
    version = Document.objects.get(pk=r.json()["document"]).versions.get()
    assert version.sha256 == hashlib.sha256(content).hexdigest() and version.size == len(content)
    assert path.exists()  # nginx deletes it once the reply is sent (client_body_in_file_only clean)


@pytest.mark.parametrize("settings", [
    {"BEHIND_PROXY": False, "UPLOAD_BODY_DIR": "BODIES"},  # Daphne alone: a client's header means nothing
    {"BEHIND_PROXY": True, "UPLOAD_BODY_DIR": ""},        # behind a proxy that does not write bodies
])
def test_the_header_is_ignored_unless_behind_nginx_with_a_body_folder(users, sitting, bodies, settings):
    path = bodies / "1" / "00" / "0000000002"
    path.write_bytes(_body(sitting.session, pdf_bytes()))
    settings = {k: (str(bodies) if v == "BODIES" else v) for k, v in settings.items()}
    r = _post(users, path, **settings)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"  # no form: the body was empty
    assert not Document.objects.exists()


def test_a_path_outside_the_body_folder_is_never_opened(users, sitting, bodies, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(_body(sitting.session, pdf_bytes()))
    os.symlink(elsewhere, bodies / "1" / "00" / "0000000003")
    for path in (elsewhere, f"{bodies}/../elsewhere", bodies / "1" / "00" / "0000000003", bodies, bodies / "1"):
        r = _post(users, path, BEHIND_PROXY=True, UPLOAD_BODY_DIR=str(bodies))
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid", path
    assert not Document.objects.exists()
