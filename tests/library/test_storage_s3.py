"""DOCUMENT_STORAGE_URL=s3://… works end to end: upload through the service,
background processing through the worker, download through the access-checked
view, against a real S3 server (moto's, started here on loopback).

Personas (tests/conftest.py):
- secretary — office staff: uploads and publishes.
- alice     — a delegate: reads once published, never before.
"""

import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.storage.handler import StorageHandler
from django.urls import reverse

from config import env
from library import services
from library.models import DocumentVersion
from library.worker import drain

moto_server = pytest.importorskip(
    "moto.server", reason="moto[server] is not installed (pip install -r requirements-dev.txt -c constraints.txt): "
                          "the S3 storage is not checked")

pytestmark = pytest.mark.django_db

BUCKET = "hdnd-documents"
PREFIX = "council/documents"


def pdf_bytes(pages=2) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for n in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(text=f"Bao cao tham tra, trang {n + 1}")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_documents(s3_endpoint, monkeypatch, settings, tmp_path):
    """Point the documents storage at the S3 server, exactly as DOCUMENT_STORAGE_URL does."""
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_S3_ENDPOINT_URL": s3_endpoint, "AWS_S3_REGION_NAME": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    config = env.document_storage(f"s3://{BUCKET}/{PREFIX}", tmp_path / "unused")
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    storage = StorageHandler({"documents": config})["documents"]
    # The storage is bound to the model fields when models load: rebind them for this test.
    fields = [DocumentVersion._meta.get_field(name) for name in ("file", "rendition")]
    before = [f.storage for f in fields]
    for f in fields:
        f.storage = storage
    # X-Accel-Redirect is for a folder storage: with S3, Django streams even when it is set.
    settings.DOCUMENT_ACCEL_REDIRECT = "/protected-documents/"
    yield client
    for f, old in zip(fields, before):
        f.storage = old
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.mark.django_db(transaction=True)  # the worker closes a connection found inside a transaction
def test_a_document_in_s3_is_uploaded_processed_and_downloaded_through_the_access_check(
        s3_documents, client, users, sitting, django_capture_on_commit_callbacks):
    content = pdf_bytes(pages=2)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.upload(users["secretary"], io.BytesIO(content), name="bao-cao-tham-tra.pdf",
                                   kind="review_report", summary="Báo cáo thẩm tra dự toán ngân sách",
                                   session=sitting.session)
    version = document.current_version
    assert not isinstance(version.file.storage, FileSystemStorage)
    assert f"{PREFIX}/{version.file.name}" in keys(s3_documents)
    stored = s3_documents.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{version.file.name}")["Body"].read()
    assert stored == content

    drain()
    version.refresh_from_db()
    assert version.state == "ready", version.error
    assert version.page_count == 2 and version.pages_ready == 2
    assert len(keys(s3_documents)) > 1  # page images and thumbnails went to the bucket too

    file_url = reverse("library:file", args=[document.pk])
    client.force_login(users["alice"])
    assert client.get(file_url).status_code == 404  # a draft: not for delegates yet

    with django_capture_on_commit_callbacks(execute=True):
        services.publish(users["secretary"], [document])
    response = client.get(file_url)
    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == content
    response.close()
    page = client.get(reverse("library:page", args=[version.pk, 1]))
    assert page.status_code == 200 and page["Content-Type"] == "image/webp"
    page.close()


def test_a_refused_upload_leaves_nothing_in_the_bucket(s3_documents, users, sitting):
    with pytest.raises(services.LibraryError) as refused:
        services.upload(users["secretary"], io.BytesIO(b"MZ\x90\x00 not a document"), name="setup.pdf",
                        summary="Tệp lạ", session=sitting.session)
    assert refused.value.code
    assert keys(s3_documents) == []
