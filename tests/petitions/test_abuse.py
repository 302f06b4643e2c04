"""Bad input and abuse: each refused with a clear message, nothing half-stored."""

import io
import os
import re

import pytest

from audit.models import AuditRecord
from petitions import codes, services
from petitions.models import Answer, Case, CaseFile, Identity, Milestone, SubmissionThrottle

from .service_fixtures import letter, media_folder, people, png_bytes  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _nothing_stored(media):
    assert not Case.objects.exists() and not Identity.objects.exists() and not Milestone.objects.exists()
    assert not CaseFile.objects.exists()
    assert not os.path.exists(media) or not any(files for _d, _s, files in os.walk(media))


def test_a_flood_from_one_client_is_throttled_and_other_clients_are_not(people, settings):
    settings.PETITION_SUBMISSIONS_PER_HOUR = 3
    client = services.client_key("203.0.113.9")
    assert "203.0.113.9" not in client
    for _ in range(3):
        letter(None, client=client)
    with pytest.raises(services.PetitionError) as refused:
        letter(None, client=client)
    assert refused.value.code == "rate_limited" and "giờ" in refused.value.message
    assert Case.objects.count() == 3 and SubmissionThrottle.objects.get(client=client).count == 3
    letter(None, client=services.client_key("198.51.100.7"))
    assert Case.objects.count() == 4


def test_script_in_text_is_stored_as_plain_text_and_control_characters_are_dropped(people):
    script = "<script>alert('x')</script>"
    case = letter(None, subject=f"Đề nghị {script}", content=f"Nội dung\x00 có\u202e mã {script} <b>đậm</b> và xuống\r\ndòng.")
    case.refresh_from_db()
    assert case.subject == f"Đề nghị {script}"
    assert case.content == f"Nội dung có mã {script} <b>đậm</b> và xuống\ndòng."
    assert "&lt;" not in case.content


@pytest.mark.parametrize("fields, code, field", [
    ({"subject": "Ngắn"}, "invalid", "subject"),
    ({"content": "Quá ngắn."}, "invalid", "content"),
    ({"content": "x" * 20_001}, "invalid", "content"),
    ({"kind": "lawsuit"}, "invalid", "kind"),
    ({"source": "fax"}, "invalid", "source"),
    ({"identity": {"full_name": "Lê Văn Tám"}}, "invalid", "phone"),
    ({"identity": {"phone": "0912345678"}}, "invalid", "full_name"),
    ({"identity": {"full_name": "Lê Văn Tám", "email": "không phải email"}}, "invalid", "email"),
    ({"anonymous": True, "identity": {}}, "anonymous_not_allowed", "anonymous"),
    ({"kind": "denunciation", "anonymous": True, "identity": {"full_name": "Lê Văn Tám"}}, "invalid", "anonymous"),
])
def test_bad_fields_are_refused_with_nothing_stored(people, media_folder, fields, code, field):
    with pytest.raises(services.PetitionError) as refused:
        letter(None, **fields)
    assert (refused.value.code, refused.value.field) == (code, field) and refused.value.message
    _nothing_stored(media_folder)


def test_an_oversized_attachment_is_refused_with_nothing_stored(people, settings, media_folder):
    settings.PETITION_MAX_FILE_BYTES = 1024
    big = io.BytesIO(png_bytes().getvalue() + b"\0" * 2048)
    with pytest.raises(services.PetitionError) as refused:
        letter(None, files=[(png_bytes(), "anh-1.png"), (big, "anh-2.png")])
    assert refused.value.code == "file_refused" and "anh-2.png" in refused.value.message
    _nothing_stored(media_folder)


@pytest.mark.parametrize("payload, name", [
    (b"<html><script>alert(1)</script></html>", "don.pdf"),
    (b"MZ\x90\x00" + b"\0" * 200, "don.exe"),
    (b"%PDF-1.7 not really a pdf", "don.pdf"),
])
def test_a_dangerous_attachment_is_refused_with_nothing_stored(people, media_folder, payload, name):
    with pytest.raises(services.PetitionError) as refused:
        letter(None, files=[(png_bytes(), "anh.png"), (io.BytesIO(payload), name)])
    assert refused.value.code == "file_refused" and refused.value.message
    _nothing_stored(media_folder)


def test_too_many_attachments_are_refused(people, settings, media_folder):
    settings.PETITION_MAX_FILES = 1
    with pytest.raises(services.PetitionError) as refused:
        letter(None, files=[(png_bytes(), "a.png"), (png_bytes(), "b.png")])
    assert refused.value.code == "too_many_files"
    _nothing_stored(media_folder)


def test_an_accepted_attachment_is_stored_under_a_random_name(people, media_folder):
    case = letter(None, files=[(png_bytes(), "ảnh hiện trường.png")])
    stored = case.files.get()
    assert stored.original_name == "ảnh hiện trường.png" and stored.content_type == "image/png"
    assert "hiện" not in stored.file.name and stored.file.name.endswith(".png") and not stored.identifying


def test_a_path_in_a_file_name_is_refused(people, media_folder):
    with pytest.raises(services.PetitionError) as refused:
        letter(None, files=[(png_bytes(), "../../etc/anh.png")])
    assert refused.value.code == "file_refused"
    _nothing_stored(media_folder)


def test_a_forged_agency_answer_is_refused_and_audited(people):
    staff, other_desk = people["staff"], people["other_desk"]
    case = services.decide(staff, letter(None), decision="forward", agency=people["env"])
    transfer = case.transfers.get()
    for forger in (other_desk, staff, None):
        with pytest.raises(services.PetitionError) as refused:
            services.answer(forger, transfer, "Sở đã giải quyết xong, đề nghị kết thúc vụ việc.")
        assert refused.value.code == "forbidden"
    assert not Answer.objects.exists()
    case.refresh_from_db()
    assert case.status == "forwarded"
    rows = AuditRecord.objects.filter(action="petitions.answer", outcome="forbidden")
    assert rows.count() == 3 and {r.detail["transfer"] for r in rows} == {transfer.pk}
    with pytest.raises(services.PetitionError) as refused:
        services.acknowledge(other_desk, transfer)
    assert refused.value.code == "forbidden"


def test_office_steps_need_petition_staff(people):
    case = letter(None)
    for user in (people["desk"], None):
        with pytest.raises(services.PetitionError) as refused:
            services.decide(user, case, decision="accept")
        assert refused.value.code == "forbidden"
    with pytest.raises(services.PetitionError) as refused:
        letter(people["desk"], source="reception")
    assert refused.value.code == "forbidden"


def test_tracking_codes_are_unguessable_and_normalized():
    seen = {codes.new_code() for _ in range(2000)}
    assert len(seen) == 2000
    for code in list(seen)[:50]:
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
        assert codes.normalize(code.lower().replace("-", " ")) == code
    assert codes.normalize("K7QX M3RT 9WPA") == "K7QX-M3RT-9WPA"
    assert codes.normalize("K7QX-M3RT-9WP0") is None  # 0 is not in the alphabet
    assert codes.normalize("K7QX-M3RT") is None and codes.normalize("") is None


def test_every_submission_is_committed_with_its_receipt_milestone(people):
    case = letter(None)
    stored = Case.objects.get(tracking_code=case.tracking_code)
    assert stored.milestones.get().kind == "received"
    assert "Lê Văn Tám" not in stored.milestones.get().text
