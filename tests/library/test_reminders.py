"""Reminding the delegates who have not read a document (issue 11, item 7).

Personas: the secretary (office staff) sends the reminder from the read receipts page; delegate
Alice has read the current version, delegate Bob has not; the chair is no office staff.
A reminder is stored (Bob's terminal lists it when it loads, until he reads the version it names),
audited `library.remind`, told at once to Bob's open terminal as a never-stored per-member event,
and not sent to the same person twice within REMINDER_INTERVAL.
"""

import io
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from audit.models import AuditRecord
from library import services
from library.models import ReadReminder
from library.services import LibraryError
from tests.library.test_office import pdf_bytes
from tests.realtime.conftest import cookies, hub  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(sitting, users, django_capture_on_commit_callbacks):
    """A published submission of the session, read by Alice only."""
    with django_capture_on_commit_callbacks(execute=True):
        document = services.upload(users["secretary"], io.BytesIO(pdf_bytes()), name="to-trinh.pdf",
                                   kind="submission", number="125/TTr-UBND", summary="Tờ trình về ngân sách 2027",
                                   session=sitting.session)
        services.publish(users["secretary"], [document])
    document.refresh_from_db()
    services.record_read(users["alice"], document)
    return document


def remind(user, document):
    return services.remind_unread(user, document)


def audits(outcome="ok"):
    return AuditRecord.objects.filter(action="library.remind", outcome=outcome)


def test_the_unread_are_reminded_and_the_reader_is_not(published, users, sitting):
    reminded = remind(users["secretary"], published)
    members = sitting.session.body.memberships.filter(active=True, member__user__isnull=False).count()
    assert len(reminded) == members - 1
    assert users["bob"].member in reminded and users["alice"].member not in reminded
    assert set(ReadReminder.objects.values_list("user_id", flat=True)) == {m.user_id for m in reminded}
    record = audits().get()
    assert record.detail["document"] == published.pk and sorted(record.detail["members"]) == sorted(m.pk for m in reminded)


def test_a_reminder_is_not_sent_twice_within_the_interval(published, users):
    remind(users["secretary"], published)
    before = ReadReminder.objects.count()
    with pytest.raises(LibraryError) as refused:
        remind(users["secretary"], published)  # a double click, or a second clerk
    assert refused.value.code == "too_soon"
    assert ReadReminder.objects.count() == before
    assert audits().count() == 1 and audits("too_soon").count() == 1
    # Once the interval has passed, the still-unread are reminded again.
    ReadReminder.objects.update(sent_at=ReadReminder.objects.first().sent_at - services.REMINDER_INTERVAL
                                - timedelta(seconds=1))
    assert len(remind(users["secretary"], published)) == before


def test_only_office_staff_remind_and_only_of_a_published_document(published, users, sitting):
    with pytest.raises(LibraryError) as refused:
        remind(users["chair"], published)
    assert refused.value.code == "forbidden"
    with pytest.raises(LibraryError) as refused:
        remind(users["bob"], published)
    assert refused.value.code == "forbidden"
    draft = services.upload(users["secretary"], io.BytesIO(pdf_bytes()), name="du-thao.pdf", kind="other",
                            summary="Dự thảo chưa phát hành", session=sitting.session)
    with pytest.raises(LibraryError) as refused:
        remind(users["secretary"], draft)
    assert refused.value.code == "not_published"
    assert not ReadReminder.objects.exists()
    assert audits("forbidden").count() == 2 and audits("not_published").count() == 1


def test_when_everyone_has_read_there_is_nobody_to_remind(published, users, sitting):
    for membership in sitting.session.body.memberships.filter(active=True, member__user__isnull=False):
        services.record_read(membership.member.user, published)
    with pytest.raises(LibraryError) as refused:
        remind(users["secretary"], published)
    assert refused.value.code == "all_read"
    assert not ReadReminder.objects.exists()


def test_the_terminal_lists_a_reminder_until_the_version_is_read(published, users, django_capture_on_commit_callbacks):
    remind(users["secretary"], published)
    [shown] = services.pending_reminders(users["bob"])
    assert shown["document_id"] == published.pk and shown["number"] == "125/TTr-UBND"
    assert services.pending_reminders(users["alice"]) == []
    services.record_read(users["bob"], published)
    assert services.pending_reminders(users["bob"]) == []
    # A new version asks again: Bob read version 1, the reminder names version 2.
    with django_capture_on_commit_callbacks(execute=True):
        services.add_version(users["secretary"], published, io.BytesIO(pdf_bytes(pages=2)), name="v2.pdf")
    published.refresh_from_db()
    ReadReminder.objects.update(sent_at=ReadReminder.objects.first().sent_at - services.REMINDER_INTERVAL)
    remind(users["secretary"], published)
    assert [r["document_id"] for r in services.pending_reminders(users["bob"])] == [published.pk]
    assert [r["document_id"] for r in services.pending_reminders(users["alice"])] == [published.pk]


def test_a_withdrawn_document_is_no_longer_asked_for(published, users):
    remind(users["secretary"], published)
    services.withdraw(users["secretary"], published)
    assert services.pending_reminders(users["bob"]) == []


async def test_an_open_terminal_is_told_at_once_and_nobody_else_is(published, users, hub):  # noqa: F811
    bob, alice, chair, display = (await hub.connect("bob"), await hub.connect("alice"), await hub.connect("chair"),
                                  await hub.connect("display"))
    seq = chair.seq
    await database_sync_to_async(remind)(users["secretary"], published)
    told = await bob.receive()
    assert (told["type"], told["pseq"]) == ("library.reminded", None)
    assert told["data"]["document_id"] == published.pk and told["data"]["summary"] == "Tờ trình về ngân sách 2027"
    for client in (alice, chair, display):
        await client.expect_nothing(0.3)
    assert chair.seq == seq  # no seq of the sitting taken: nobody sees a gap


def test_the_read_receipts_page_sends_the_reminder(client, published, users):
    client.force_login(users["secretary"])
    page = client.get(reverse("library:reads", args=[published.pk])).content.decode()
    assert reverse("library:remind", args=[published.pk]) in page and "đại biểu chưa đọc" in page
    response = client.post(reverse("library:remind", args=[published.pk]), follow=True)
    assert "Đã gửi lời nhắc đọc tới" in response.content.decode()
    assert "Lần nhắc gần nhất" in response.content.decode()
    again = client.post(reverse("library:remind", args=[published.pk]), follow=True).content.decode()
    assert "vừa được nhắc" in again
    assert client.get(reverse("library:remind", args=[published.pk])).status_code == 405


def test_a_delegate_cannot_send_reminders(client, published, users):
    client.force_login(users["bob"])
    response = client.post(reverse("library:remind", args=[published.pk]))
    assert response.status_code in (403, 404)
    assert not ReadReminder.objects.exists()
