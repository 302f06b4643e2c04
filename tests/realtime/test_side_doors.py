"""No side doors (issue 10, item 3): a change made in the admin or by the import of members
reaches every open client, whose reduced state then equals a fresh snapshot.

Each edit is made as the office makes it: the admin's own change form, posted with every
field the page holds (a browser's submission), by an admin-site user; the import through
the office's upload page. Clients of every audience follow the sitting meanwhile.
"""

from html.parser import HTMLParser

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from agenda.models import AgendaItem
from displays.models import Display
from library.models import Document
from meeting.models import Body, Member, Membership, Seat, Session, Sitting
from realtime.models import SittingEvent

from .hub import Refused
from .test_documents import _document

pytestmark = pytest.mark.django_db(transaction=True)

WHO = ("secretary", "alice", "display", "public")


class _Form(HTMLParser):
    """The fields of the admin's change form as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select = None
        self._textarea = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "_form" in (a.get("id") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = [name, None, "multiple" in a]
        elif tag == "option" and self._select is not None:
            if "selected" in a:
                self.data.append((self._select[0], a.get("value", "")))
                self._select[1] = True
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            if not self._select[1] and not self._select[2]:
                self.data.append((self._select[0], ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def admin_edit(client: Client, model, pk: int, **changes) -> None:
    """Change fields of one row through its admin change form (an inline's field as 'prefix-0-name')."""
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{pk}/change/"
    page = client.get(url)
    assert page.status_code == 200, url
    form = _Form()
    form.feed(page.content.decode())
    data = {}
    for name, value in form.data:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)  # an unchecked box
        else:
            data[name] = [str(value)]
    data["_save"] = ["Save"]
    response = client.post(url, data)
    errors = response.context["adminform"].form.errors if response.status_code == 200 and response.context else None
    assert response.status_code == 302, f"{url}: {errors or response.status_code}"


@pytest.fixture
def office(sitting):
    user = get_user_model().objects.create_user("quantri", password="x", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


async def _followers(hub):
    return await hub.connect_all(*WHO)


async def _all_exact(hub, clients, *, event="state.replaced"):
    """Each client got the edit as one event and now holds exactly what a fresh connection gets."""
    for who, client in clients.items():
        got = await client.receive_event()
        if who == "display" and event == "documents.changed":
            assert got["type"] == "skip"
        else:
            assert got["type"] == event, (who, got["type"])
        fresh = await hub.connect(who)
        assert (client.seq, client.state) == (fresh.seq, fresh.state), who
        await client.expect_nothing()


def _edit(office, model, pk, **changes):
    return sync_to_async(admin_edit)(office, model, pk, **changes)


async def test_sitting_title_place_and_time_edited_in_the_admin(hub, sitting, office):
    clients = await _followers(hub)
    await _edit(office, Sitting, sitting.pk, title="Phiên bế mạc (đổi giờ)", place="Phòng họp số 2",
                starts_at_1="14:00:00")
    await _all_exact(hub, clients)
    assert clients["public"].state["sitting"]["title"] == "Phiên bế mạc (đổi giờ)"
    assert clients["alice"].state["sitting"]["place"] == "Phòng họp số 2"


async def test_an_agenda_item_of_a_scheduled_sitting_edited_in_the_sittings_page(hub, sitting, office):
    item = await sync_to_async(lambda: AgendaItem.objects.filter(sitting=sitting, parent=None).order_by("position").first())()
    prefix = "items"
    page_fields = await sync_to_async(_inline_index)(office, sitting, item, prefix)
    clients = await _followers(hub)
    await _edit(office, Sitting, sitting.pk, **{f"{page_fields}-title": "Khai mạc kỳ họp (sửa)"})
    await _all_exact(hub, clients)
    titles = [i["title"] for i in clients["alice"].state["agenda"]["items"]]
    assert "Khai mạc kỳ họp (sửa)" in titles


def _inline_index(client, sitting, item, prefix) -> str:
    """'<prefix>-<n>' of `item` in the sitting page's agenda inline."""
    page = client.get(f"/admin/meeting/sitting/{sitting.pk}/change/")
    form = _Form()
    form.feed(page.content.decode())
    for name, value in form.data:
        if name.endswith("-id") and value == str(item.pk):
            return name[: -len("-id")]
    raise AssertionError(f"item {item.pk} not in the page's inline ({prefix})")


async def test_a_member_renamed_and_moved_to_another_seat_in_the_admin(hub, sitting, office, users):
    alice = await sync_to_async(lambda: users["alice"].member)()
    free = await sync_to_async(lambda: Seat.objects.create(label="Z1", row=30, number=1))()
    clients = await _followers(hub)
    await _edit(office, Member, alice.pk, full_name="Nguyễn Thị Alice (đổi tên)", seat=free.pk)
    await _all_exact(hub, clients)
    row = next(r for r in clients["secretary"].state["attendance"] if r["member_id"] == alice.pk)
    assert (row["name"], row["seat"]) == ("Nguyễn Thị Alice (đổi tên)", "Z1")


async def test_a_seat_relabelled_in_the_admin(hub, sitting, office, users):
    seat = await sync_to_async(lambda: users["bob"].member.seat)()
    clients = await _followers(hub)
    await _edit(office, Seat, seat.pk, label="B-99")
    await _all_exact(hub, clients)
    assert "B-99" in [r["seat"] for r in clients["alice"].state["attendance"]]


async def test_a_membership_ended_in_the_admin_changes_the_list_and_the_quorum(hub, sitting, office, users):
    membership = await sync_to_async(
        lambda: Membership.objects.get(member=users["bob"].member, body_id=sitting.body_id))()
    clients = await _followers(hub)
    before = clients["public"].state["quorum"]["total"]
    await _edit(office, Membership, membership.pk, active=None)
    await _all_exact(hub, clients)
    assert clients["public"].state["quorum"]["total"] == before - 1


async def test_the_bodys_quorum_rule_and_the_sessions_title_edited_in_the_admin(hub, sitting, office):
    clients = await _followers(hub)
    await _edit(office, Body, sitting.body_id, quorum_numerator=2, quorum_denominator=3)
    await _all_exact(hub, clients)
    assert clients["display"].state["quorum"]["rule"] == "2/3"
    session_id = await sync_to_async(lambda: sitting.session_id)()
    await _edit(office, Session, session_id, title="Kỳ họp chuyên đề")
    await _all_exact(hub, clients)
    assert clients["alice"].state["sitting"]["session"].startswith("Kỳ họp chuyên đề")


async def test_a_display_renamed_in_the_admin(hub, sitting, office, display_device):
    display_id = await sync_to_async(lambda: display_device.display_id)()
    clients = await _followers(hub)
    await _edit(office, Display, display_id, name="Màn hình trung tâm")
    await _all_exact(hub, clients)
    assert "Màn hình trung tâm" in [d["name"] for d in clients["display"].state["displays"]]


async def test_a_documents_access_lowered_in_the_admin_leaves_the_delegates_state(hub, sitting, office, users):
    from library import services as library

    def published():
        doc = _document(sitting, users["secretary"], access=Document.Access.DELEGATES, summary="Tờ trình thử")
        library.publish(users["secretary"], [doc])
        return doc

    doc = await sync_to_async(published)()
    clients = await _followers(hub)
    assert doc.pk in [d["id"] for d in clients["alice"].state["documents"]["list"]]
    await _edit(office, Document, doc.pk, access=Document.Access.INTERNAL)
    await _all_exact(hub, clients, event="documents.changed")
    assert doc.pk not in [d["id"] for d in clients["alice"].state["documents"]["list"]]


async def test_an_import_of_members_reaches_the_clients_in_one_event(hub, sitting, users):
    alice, bob = await sync_to_async(lambda: (users["alice"].member, users["bob"].member))()
    # Alice and Bob swap seats and Bob is renamed, in one file.
    seats = await sync_to_async(lambda: (alice.seat.label, bob.seat.label))()
    csv = ("code,full_name,seat\n"
           f"{alice.code},{alice.full_name},{seats[1]}\n"
           f"{bob.code},Trần Văn Bob (sửa),{seats[0]}\n").encode()
    clients = await _followers(hub)
    before = await sync_to_async(SittingEvent.objects.filter(sitting=sitting).count)()

    def upload():
        client = Client()
        client.force_login(users["secretary"])
        response = client.post("/members/import/",
                               {"file": SimpleUploadedFile("members.csv", csv, content_type="text/csv")})
        assert response.status_code in (200, 302), response.status_code
        return Member.objects.get(pk=bob.pk)

    bob_now = await sync_to_async(upload)()
    assert bob_now.full_name == "Trần Văn Bob (sửa)"
    await _all_exact(hub, clients)
    assert await sync_to_async(SittingEvent.objects.filter(sitting=sitting).count)() == before + 1
    rows = {r["member_id"]: r for r in clients["public"].state["attendance"]}
    assert (rows[alice.pk]["seat"], rows[bob.pk]["seat"]) == (seats[1], seats[0])


async def test_writes_of_a_command_announce_themselves_once(hub, sitting):
    """A chair's command writes sources too (the sitting's row): it is told by its own event only."""
    chair = await hub.connect("chair")
    alice = await hub.connect("alice")
    await chair.ok("sitting.open")
    event = await alice.receive_event()
    assert event["type"] == "sitting.status"
    await alice.expect_nothing(0.3)


async def _closed_with(client) -> int:
    """Read on until the hub closes the connection; its close code."""
    with pytest.raises(Refused) as closed:
        while True:
            await client.receive()
    return closed.value.code


async def test_a_sitting_made_non_public_in_the_admin_closes_its_anonymous_viewers(hub, sitting, office):
    """They went on receiving every event of a sitting the office had closed to the public."""
    clients = await _followers(hub)
    await _edit(office, Sitting, sitting.pk, is_public=None)
    assert await _closed_with(clients["public"]) == 4403
    with pytest.raises(Refused) as refused:
        await hub.connect("public")
    assert refused.value.code == 4403
    # The body's delegates, the staff and the hall follow on, exact.
    for who in ("secretary", "alice", "display"):
        assert (await clients[who].receive_event())["type"] == "state.replaced"
        fresh = await hub.connect(who)
        assert clients[who].state == fresh.state
        assert (await clients[who].command("ping"))["ok"] is True


async def test_a_chair_replaced_in_the_admin_is_no_longer_served_the_staff_view(hub, sitting, office, users):
    chair = await hub.connect("chair")
    bob = await hub.connect("bob")
    alice = await hub.connect("alice")
    await _edit(office, Sitting, sitting.pk, chair=users["bob"].pk)
    # Both change role: each is closed to come back as what it now is (4503: try again at once).
    assert await _closed_with(chair) == 4503
    assert await _closed_with(bob) == 4503
    assert (await hub.connect("chair")).you["role"] == "delegate"
    assert (await hub.connect("bob")).you["role"] == "chair"
    # Alice's role did not change: her connection stays, and is exact.
    assert (await alice.receive_event())["type"] == "state.replaced"
    assert (await alice.command("ping"))["ok"] is True
