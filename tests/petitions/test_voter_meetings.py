"""Voter-contact meetings entered through their page.

Personas: alice (db010) — a delegate of her delegate group: enters its meetings;
bob (db011) — a delegate of another group: may not enter or read alice's group's;
guest (khachmoi) — in no group: no page at all; staff (service_fixtures) — every group.
"""

import pytest
from django.urls import reverse

from petitions.models import Case, VoterMeeting

from .service_fixtures import media_folder, people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _form(group, session, members, **extra):
    data = {"held_on": str(session.start_date), "when": "before", "session": session.pk, "place": "Nhà văn hóa thôn Cầu",
            "commune": "Xã Yên Phú", "delegate_group": group.pk, "voters": "85",
            "delegates": [m.pk for m in members],
            "p-0-subject": "Đề nghị nâng cấp trạm y tế xã", "p-0-content": "Trạm y tế xuống cấp, thiếu thiết bị.",
            "p-0-level": "province",
            "p-1-subject": "Hỗ trợ giống cây trồng sau lũ", "p-1-level": "commune", "p-1-answered_on_spot": "1",
            "p-1-answer_text": "Xã đã cấp giống ngô cho các hộ bị thiệt hại.",
            "p-2-subject": "", "p-2-content": ""}  # an empty block is ignored
    data.update(extra)
    return data


def test_a_delegate_records_a_meeting_of_their_group_with_its_petitions(client, users, sitting, people):
    alice = users["alice"].member
    client.force_login(users["alice"])
    page = client.get(reverse("petitions:meeting_new")).content.decode()
    assert alice.full_name in page and alice.delegate_group.name in page
    data = _form(alice.delegate_group, sitting.session, [alice], **{"p-0-field": people["health"].pk})
    response = client.post(reverse("petitions:meeting_new"), data)
    assert response.status_code == 302
    meeting = VoterMeeting.objects.get()
    assert response["Location"] == reverse("petitions:meeting", args=[meeting.pk])
    assert meeting.delegate_group == alice.delegate_group and list(meeting.delegates.all()) == [alice]
    assert meeting.voters == 85 and meeting.when == "before" and meeting.created_by == users["alice"]
    pending, on_spot = meeting.petitions.order_by("id")
    assert (pending.kind, pending.level, pending.answered_on_spot, pending.field) == ("voter_petition", "province", False,
                                                                                      people["health"])
    assert on_spot.answered_on_spot and on_spot.level == "commune" and on_spot.answers.get().published_at
    detail = client.get(response["Location"]).content.decode()
    assert "Đề nghị nâng cấp trạm y tế xã" in detail and "cấp giống ngô" in detail
    assert "Nhà văn hóa thôn Cầu" in client.get(reverse("petitions:meetings")).content.decode()


def test_a_delegate_of_another_group_is_refused(client, users, sitting, people):
    alice, bob = users["alice"].member, users["bob"].member
    assert alice.delegate_group_id != bob.delegate_group_id
    client.force_login(users["bob"])
    response = client.post(reverse("petitions:meeting_new"), _form(alice.delegate_group, sitting.session, [alice]))
    assert response.status_code == 403
    assert not VoterMeeting.objects.exists() and not Case.objects.exists()
    # Nor does bob see alice's group's meetings, in the list or by address.
    client.force_login(users["alice"])
    client.post(reverse("petitions:meeting_new"), _form(alice.delegate_group, sitting.session, [alice]))
    meeting = VoterMeeting.objects.get()
    client.force_login(users["bob"])
    assert client.get(reverse("petitions:meeting", args=[meeting.pk])).status_code == 403
    assert "Nhà văn hóa thôn Cầu" not in client.get(reverse("petitions:meetings")).content.decode()


def test_someone_in_no_delegate_group_has_no_page(client, users, sitting):
    client.force_login(users["guest"])
    assert client.get(reverse("petitions:meeting_new")).status_code == 403
    client.logout()
    assert client.get(reverse("petitions:meeting_new")).status_code == 302  # to the login page


def test_petition_staff_enter_any_group_and_a_refusal_keeps_the_blocks(client, users, sitting, people):
    alice = users["alice"].member
    client.force_login(people["staff"])
    data = _form(alice.delegate_group, sitting.session, [alice], **{"p-1-answer_text": ""})
    response = client.post(reverse("petitions:meeting_new"), data)
    assert response.status_code == 400  # answered on the spot, but no answer written
    page = response.content.decode()
    assert "hãy ghi nội dung trả lời" in page
    assert "Đề nghị nâng cấp trạm y tế xã" in page and "Hỗ trợ giống cây trồng sau lũ" in page
    assert not VoterMeeting.objects.exists()
    data["p-1-answer_text"] = "Xã đã cấp giống ngô."
    assert client.post(reverse("petitions:meeting_new"), data).status_code == 302
    assert VoterMeeting.objects.get().petitions.count() == 2
