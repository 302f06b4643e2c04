"""A denouncer's identity: apart from the case, never forwarded, read only with its own right, every read logged."""

import pytest
from django.forms.models import model_to_dict

from audit.models import AuditRecord
from petitions import services
from petitions.models import CaseFile, IdentityRead

from .service_fixtures import WHO, letter, media_folder, people, png_bytes, redact  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _denunciation(**kw):
    return letter(None, kind="denunciation", subject="Tố cáo chủ tịch xã ký hợp đồng khống",
                  content="Chủ tịch UBND xã ký hợp đồng khống thuê lao động để rút tiền ngân sách, có bảng lương kèm theo.", **kw)


def _identity_values():
    return [WHO["full_name"], WHO["phone"], WHO["email"], WHO["address"], "0912345678"]


def test_forwarding_a_denunciation_exposes_no_identity_to_the_agency(people):
    case = _denunciation(files=[(png_bytes(), "don-viet-tay.png", True), (png_bytes(), "bang-luong.png", False)])
    redact(people, case, files=[(png_bytes(), "bang-luong-da-che.png")])
    case = services.decide(people["staff"], case, decision="forward", agency=people["env"],
                           note="Đề nghị Sở xác minh nội dung tố cáo.")
    transfer = case.transfers.get()
    seen = services.forwarded_content(people["desk"], transfer)
    reachable = [str(v) for v in model_to_dict(transfer).values()] + [str(v) for v in seen.values()]
    reachable += [f.original_name for f in seen["files"]]
    reachable += [m.text for m in case.milestones.all()]
    for value in _identity_values():
        assert not any(value in text for text in reachable), value
    # Every scan of a denunciation is identifying but the one the office redacted.
    assert [f.original_name for f in seen["files"]] == ["bang-luong-da-che.png"]
    assert CaseFile.objects.filter(case=case, identifying=True).count() == 1


def test_a_note_repeating_the_denouncers_identity_is_refused(people):
    case = _denunciation()
    redact(people, case)
    with pytest.raises(services.PetitionError) as refused:
        services.decide(people["staff"], case, decision="forward", agency=people["env"],
                        note="Người tố cáo là ông Lê Văn Tám, đề nghị liên hệ.")
    assert refused.value.code == "identity_in_note" and not case.transfers.exists()


def test_an_agency_user_cannot_reach_a_transfer_of_another_agency(people):
    case = _denunciation()
    redact(people, case)
    case = services.decide(people["staff"], case, decision="forward", agency=people["env"])
    with pytest.raises(services.PetitionError) as refused:
        services.forwarded_content(people["other_desk"], case.transfers.get())
    assert refused.value.code == "forbidden"


def test_reading_a_denouncers_identity_needs_the_permission_and_is_logged(people):
    case = _denunciation()
    identity = services.reveal_identity(people["guardian"], case, purpose="Thông báo thụ lý cho người tố cáo",
                                        where="office.case")
    assert identity.full_name == "Lê Văn Tám" and identity.phone == "0912 345 678"
    read = IdentityRead.objects.get(case=case)
    assert read.user == people["guardian"] and read.purpose.startswith("Thông báo") and read.where == "office.case"
    assert AuditRecord.objects.filter(action="petitions.reveal_identity", outcome="ok", user=people["guardian"]).exists()


@pytest.mark.parametrize("who", ["staff", "desk", None])
def test_without_the_permission_the_identity_is_refused_and_the_refusal_audited(people, who):
    user = people[who] if who else None
    case = _denunciation()
    with pytest.raises(services.PetitionError) as refused:
        services.reveal_identity(user, case, purpose="Xem thử", where="office.case")
    assert refused.value.code == "forbidden"
    assert not IdentityRead.objects.exists()
    row = AuditRecord.objects.get(action="petitions.reveal_identity")
    assert row.outcome == "forbidden" and row.detail["case"] == case.pk and row.user == user


def test_a_purpose_is_required(people):
    with pytest.raises(services.PetitionError) as refused:
        services.reveal_identity(people["guardian"], _denunciation(), purpose="  ", where="office.case")
    assert refused.value.code == "invalid" and not IdentityRead.objects.exists()


def test_petition_staff_see_other_senders_without_a_read_log(people):
    case = letter(None)
    assert services.reveal_identity(people["staff"], case, purpose="Trả lời công dân", where="office.case").full_name == "Lê Văn Tám"
    assert not IdentityRead.objects.exists()


def test_an_anonymous_denunciation_has_no_identity_at_all(people):
    case = _denunciation(anonymous=True, identity={})
    assert services.reveal_identity(people["guardian"], case, purpose="Kiểm tra", where="office.case") is None


def test_the_identity_lives_apart_from_the_case_content(people):
    case = _denunciation()
    case_values = " ".join(str(v) for v in model_to_dict(case).values()) + case.folded
    assert "Lê Văn Tám" not in case_values and "le van tam" not in case_values
    assert case.identity.person_key == "le van tam|0912345678"
