"""Accepting a denunciation opens the 5-working-day step to tell the denouncer (Luật Tố cáo 2018, Điều 29)."""

import pytest
from django.urls import reverse

from petitions import services

from .service_fixtures import letter, media_folder, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _accepted(people, **kw):
    case = letter(None, kind="denunciation", subject="Tố cáo cán bộ thuế thu sai",
                  content="Cán bộ thuế xã thu tiền không có biên lai của các hộ kinh doanh ở chợ Tam Cờ.", **kw)
    return services.decide(people["staff"], case, decision="accept")


def test_accepting_opens_the_notice_step_which_the_office_closes_with_the_notice(people, client):
    case = _accepted(people)
    notice = case.deadlines.get(step="denunciation.notify")
    assert notice.met_at is None and notice.due_on <= case.deadlines.get(step="denunciation.resolve").due_on
    case.refresh_from_db()
    assert case.due_on == notice.due_on  # the nearest open step is what lists show

    client.force_login(people["staff"])
    page = client.get(reverse("petitions:case", args=[case.pk])).content.decode()
    assert "Thông báo thụ lý cho người tố cáo" in page
    refused = client.post(reverse("petitions:case_action", args=[case.pk, "notice"]), {"note": ""})
    assert refused.status_code == 400
    client.post(reverse("petitions:case_action", args=[case.pk, "notice"]), {"note": "Thông báo số 15/TB-HĐND ngày 20/11"})
    notice.refresh_from_db()
    assert notice.met_at is not None
    assert case.milestones.filter(kind="notified").exists()
    with pytest.raises(services.PetitionError) as again:
        services.record_denouncer_notice(people["staff"], case, "lần hai")
    assert again.value.code == "bad_state"


def test_an_anonymous_denunciation_has_nobody_to_notify(people):
    """Luật Tố cáo art. 25: an anonymous letter is information, not a denunciation accepted with a deadline."""
    anonymous = letter(None, kind="denunciation", anonymous=True, subject="Tố cáo nặc danh về sai phạm đất đai",
                       content="Chủ tịch UBND xã X cấp đất trái phép cho người nhà, kèm bản sao quyết định giao đất.")
    assert anonymous.information_only and not anonymous.deadlines.exists() and anonymous.due_on is None
    with pytest.raises(services.PetitionError) as refused:
        services.decide(people["staff"], anonymous, decision="accept",
                        note="Nêu rõ người vi phạm (Chủ tịch UBND xã X) và có bản sao quyết định giao đất.")
    assert refused.value.code == "information_only"
    anonymous.refresh_from_db()
    assert anonymous.status == "received" and not anonymous.deadlines.exists()