"""People and reference data for the petitions service tests.

Personas (the demo council is not needed, except by voter meetings: ask for `sitting` there):
- staff      — "donthu", petition staff (petitions.handle_cases): classifies, forwards, reviews, publishes.
- guardian   — "baomat", petition staff who may also read a denouncer's identity (view_denouncer_identity).
- desk       — "sotnmt", works the desk of Sở Tài nguyên và Môi trường: acknowledges and answers its transfers.
- other_desk — "soyte", works the desk of Sở Y tế: nothing forwarded to the other agency is theirs.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from petitions import services
from petitions.models import Agency, AgencyMember, Field


def _perm(codename):
    return Permission.objects.get(codename=codename, content_type__app_label="petitions")


@pytest.fixture(autouse=True)
def media_folder(settings, tmp_path, monkeypatch):
    """Attachments go to a temporary folder, never var/: the folder returned holds both the
    public media (MEDIA_ROOT, where no letter's file may land) and the private storage of
    letters' files (petitions/files.py), so a test finds any file stored anywhere under it."""
    from django.core.files.storage import FileSystemStorage

    from petitions.models import CaseFile, PetitionCompilation

    settings.MEDIA_ROOT = str(tmp_path / "media")
    private = FileSystemStorage(location=str(tmp_path / "private"), base_url=None)
    monkeypatch.setattr(CaseFile._meta.get_field("file"), "storage", private)
    monkeypatch.setattr(PetitionCompilation._meta.get_field("front_file"), "storage", private)
    return str(tmp_path)


@pytest.fixture
def people(db):
    User = get_user_model()
    staff = User.objects.create(username="donthu", first_name="Nguyễn Thị Hoa")
    staff.user_permissions.add(_perm("handle_cases"))
    guardian = User.objects.create(username="baomat", first_name="Trần Văn Bảo")
    guardian.user_permissions.add(_perm("handle_cases"), _perm("view_denouncer_identity"))
    land = Field.objects.create(code="dat-dai", name="Đất đai")
    health = Field.objects.create(code="y-te", name="Y tế")
    env = Agency.objects.create(name="Sở Tài nguyên và Môi trường", short_name="Sở TN&MT", kind=Agency.Kind.DEPARTMENT)
    hospital = Agency.objects.create(name="Sở Y tế", short_name="Sở Y tế", kind=Agency.Kind.DEPARTMENT)
    desk = User.objects.create(username="sotnmt", first_name="Cán bộ Sở TN&MT")
    other_desk = User.objects.create(username="soyte", first_name="Cán bộ Sở Y tế")
    AgencyMember.objects.create(agency=env, user=desk)
    AgencyMember.objects.create(agency=hospital, user=other_desk)
    # Permissions are cached per user object: fetch fresh ones.
    fresh = {u.username: User.objects.get(pk=u.pk) for u in (staff, guardian, desk, other_desk)}
    return {"staff": fresh["donthu"], "guardian": fresh["baomat"], "desk": fresh["sotnmt"], "other_desk": fresh["soyte"],
            "land": land, "health": health, "env": env, "hospital": hospital}


WHO = {"full_name": "Lê Văn Tám", "phone": "0912 345 678", "address": "Thôn 5, xã Tràng Đà", "email": "tam@example.vn"}


def letter(user=None, *, kind="petition", source="web", subject="Đề nghị sửa đường liên thôn bị sạt lở",
           content="Đoạn đường liên thôn từ thôn 3 đi thôn 5 bị sạt lở sau mưa lũ, đề nghị sửa chữa sớm.",
           identity=None, anonymous=False, **kw):
    if identity is None and not anonymous:
        identity = dict(WHO)
    return services.submit(user, kind=kind, source=source, subject=subject, content=content, identity=identity or {},
                           anonymous=anonymous, **kw)


def redact(people, case, content=None, files=()):
    """The guardian prepares the copy an agency reads of a (former) denunciation: here the letter's own
    subject and text, which carry no identity in these tests (the check would refuse them otherwise)."""
    return services.prepare_redacted_copy(people["guardian"], case, subject=case.subject, content=content or case.content,
                                          files=files)


def png_bytes():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    out.seek(0)
    return out
