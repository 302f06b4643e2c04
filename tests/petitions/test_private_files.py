"""Citizens' letters' files are private; member photos are public (issue 17, item 4).

A letter's scans and attachments and the Fatherland Front's report live in the private documents
storage (petitions/files.py), never under MEDIA_ROOT; they leave only through the access-checked
views, which behind nginx answer with X-Accel-Redirect to its internal location. Under /media/,
Django serves member photos only (config/media.py), in DEBUG as without it: no path there returns
a letter's file, even one still lying in MEDIA_ROOT. (nginx's side: tests/infra/test_media_through_nginx.py.)
"""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse

from petitions import files
from petitions.models import CaseFile, PetitionCompilation

from .service_fixtures import letter, media_folder, people, png_bytes  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_letters_files_are_in_the_private_documents_storage_never_under_media_root():
    for field in (CaseFile._meta.get_field("file"), PetitionCompilation._meta.get_field("front_file")):
        assert field._storage_callable is files.private_storage  # what the models (and migrations) name
    storage = files.private_storage()
    assert storage is storages["documents"]
    assert Path(storage.location).resolve() == Path(django_settings.DOCUMENT_ROOT).resolve()
    assert not Path(storage.location).resolve().is_relative_to(Path(django_settings.MEDIA_ROOT).resolve())


def test_an_attachment_is_stored_in_the_private_folder_and_nothing_in_media(people, media_folder):
    case = letter(None, files=[(png_bytes(), "ảnh.png")])
    stored = case.files.get()
    private = Path(media_folder) / "private"
    assert (private / stored.file.name).is_file() and stored.file.name.startswith("petitions/")
    media = Path(media_folder) / "media"
    assert not media.exists() or not any(files for _d, _s, files in os.walk(media))


def test_the_office_gets_the_file_streamed_without_nginx(people, settings):
    settings.DOCUMENT_ACCEL_REDIRECT = ""
    case = letter(None, files=[(png_bytes(), "hiện trường.png")])
    stored = case.files.get()
    r = _signed_in(people["staff"]).get(reverse("petitions:case_file", args=[case.pk, stored.pk]))
    with stored.file.open("rb") as handle:
        expected = handle.read()
    assert r.status_code == 200 and b"".join(r.streaming_content) == expected
    r.close()
    assert r["Content-Type"] == "image/png" and r["Cache-Control"] == "private, no-store"
    assert r["X-Content-Type-Options"] == "nosniff" and "attachment" in r["Content-Disposition"]
    assert "X-Accel-Redirect" not in r


def test_behind_nginx_the_office_gets_an_accel_redirect_after_the_check(people, settings):
    settings.DOCUMENT_ACCEL_REDIRECT = "/protected-documents/"
    case = letter(None, files=[(png_bytes(), "hiện trường.png")])
    stored = case.files.get()
    url = reverse("petitions:case_file", args=[case.pk, stored.pk])
    r = _signed_in(people["staff"]).get(url)
    assert r.status_code == 200 and r.content == b""
    assert r["X-Accel-Redirect"] == "/protected-documents/" + stored.file.name
    assert r["Content-Type"] == "image/png" and r["Cache-Control"] == "private, no-store"
    assert "hi%E1%BB%87n%20tr%C6%B0%E1%BB%9Dng.png" in r["Content-Disposition"]
    # Whoever the check refuses gets no redirect to follow.
    refused = _signed_in(people["desk"]).get(url)
    assert refused.status_code in (302, 403, 404) and "X-Accel-Redirect" not in refused
    assert "X-Accel-Redirect" not in Client().get(url)


def _photo_and_a_letter_in_media(media_root: Path, name: str) -> bytes:
    """A member photo where it belongs, and a letter's file where versions before 0011 kept it."""
    (media_root / "members").mkdir(parents=True)
    (media_root / "members" / "db001.png").write_bytes(png_bytes().getvalue())
    secret = b"%PDF-1.4 CCCD 001234567890 Le Van Tam"
    (media_root / name).parent.mkdir(parents=True, exist_ok=True)
    (media_root / name).write_bytes(secret)
    return secret


@pytest.mark.parametrize("debug", [True, False])
def test_under_media_django_serves_member_photos_and_no_letter(settings, tmp_path, debug):
    settings.DEBUG = debug
    settings.MEDIA_ROOT = str(tmp_path / "media")
    name = "petitions/2025/06/0a1b2c3d4e5f6a7b.pdf"
    secret = _photo_and_a_letter_in_media(tmp_path / "media", name)
    client = Client(raise_request_exception=False)

    photo = client.get("/media/members/db001.png")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content) == png_bytes().getvalue()
    photo.close()
    assert photo["Cache-Control"].startswith("public")

    for path in [f"/media/{name}", f"/media/members/../{name}", f"/media/members/%2e%2e/{name}",
                 f"/media/members/..%2f{name}", f"/media/members/%2E%2E%2F{name}", f"/media/members//../../media/{name}",
                 "/media/petitions/", "/media/members/", "/media/", f"/static/../media/{name}"]:
        r = client.get(path)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        r.close()
        assert r.status_code in (400, 404), (path, r.status_code)
        assert secret not in body, path
