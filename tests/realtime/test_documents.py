"""Documents in the hub: the snapshot and `documents.changed`, per audience.

The library tells every sitting of a session when its documents change
(library.services -> realtime.service.change). Here a secretary publishes and
attaches while clients of every audience are connected; each must see exactly
what accounts.permissions.AUDIENCE_DOCUMENTS allows, and a display nothing.
"""

import pytest
from channels.db import database_sync_to_async
from django.core.files.base import ContentFile

from agenda.models import AgendaItem
from library import services
from library.models import Document, DocumentVersion

pytestmark = pytest.mark.django_db(transaction=True)


def _document(sitting, user, *, access, summary):
    """A draft with one stored version (its processing is not what this test is about)."""
    doc = Document.objects.create(summary=summary, access=access, kind=Document.Kind.SUBMISSION,
                                  session=sitting.session, body=sitting.body, created_by=user)
    version = DocumentVersion(document=doc, number=1, original_name="to-trinh.pdf", file_kind="pdf",
                              size=5, sha256="0" * 64, uploaded_by=user)
    version.file.save("hub-test.pdf", ContentFile(b"%PDF-"), save=False)
    version.save()
    Document.objects.filter(pk=doc.pk).update(current_version=version)
    return Document.objects.get(pk=doc.pk)


def _ids(state, among) -> set[int]:
    """Which of `among` (this test's documents; the demo has its own) the state lists."""
    listed = {d["id"] for d in state["documents"]["list"]} if "documents" in state else set()
    return listed & set(among)


async def test_publishing_reaches_each_audience_with_what_it_may_see(hub, sitting, users):
    clients = await hub.connect_all("secretary", "alice", "guest", "display", "public")
    make = database_sync_to_async(_document)
    public = await make(sitting, users["secretary"], access="public", summary="Báo cáo công khai")
    delegates = await make(sitting, users["secretary"], access="delegates", summary="Tờ trình dự thảo nghị quyết")
    internal = await make(sitting, users["secretary"], access="internal", summary="Ghi chú nội bộ")
    mine = {public.pk, delegates.pk, internal.pk}
    await database_sync_to_async(services.publish)(users["secretary"], [public, delegates, internal])

    event = await clients["secretary"].receive_event()
    assert event["type"] == "documents.changed"
    assert set(event["data"]["published"]) == {public.pk, delegates.pk, internal.pk}
    for who in ("alice", "guest"):
        event = await clients[who].receive_event()
        assert set(event["data"]["published"]) == {public.pk, delegates.pk}
        assert _ids(clients[who].state, mine) == {public.pk, delegates.pk}
    event = await clients["public"].receive_event()
    assert event["data"]["published"] == [public.pk]
    assert _ids(clients["public"].state, mine) == {public.pk}
    event = await clients["display"].receive_event()
    assert event["type"] == "skip" and "documents" not in clients["display"].state
    assert _ids(clients["secretary"].state, mine) == mine


async def test_drafts_reach_staff_only_and_a_fresh_snapshot_agrees_with_the_events(hub, sitting, users):
    secretary, alice = await hub.connect("secretary"), await hub.connect("alice")
    draft = await database_sync_to_async(_document)(sitting, users["secretary"], access="delegates", summary="Dự thảo")
    item = await database_sync_to_async(lambda: AgendaItem.objects.filter(sitting=sitting).order_by("position").first())()
    await database_sync_to_async(services.attach)(users["secretary"], draft, item)

    await secretary.settle()
    await alice.settle()
    ref = next(d for d in secretary.state["documents"]["list"] if d["id"] == draft.pk)
    assert ref["status"] == "draft" and ref["url"] == f"/library/doc/{draft.pk}/"
    assert {"item_id": item.pk, "documents": [draft.pk]} in secretary.state["documents"]["items"]
    assert _ids(alice.state, {draft.pk}) == set()
    assert all(draft.pk not in entry["documents"] for entry in alice.state["documents"]["items"])

    # Reconnecting gives a snapshot equal to the state the events built.
    for who, client in (("secretary", secretary), ("alice", alice)):
        again = await hub.connect(who)
        assert again.state["documents"] == client.state["documents"]


async def test_a_delegate_may_not_publish_and_nothing_is_announced(hub, sitting, users):
    alice = await hub.connect("alice")
    doc = await database_sync_to_async(_document)(sitting, users["secretary"], access="delegates", summary="Tờ trình")
    with pytest.raises(services.LibraryError) as refused:
        await database_sync_to_async(services.publish)(users["alice"], [doc])
    assert refused.value.code == "forbidden"
    await alice.expect_nothing()
    status = await database_sync_to_async(lambda: Document.objects.get(pk=doc.pk).status)()
    assert status == "draft"


async def test_when_processing_ends_the_sittings_are_told_the_new_state(hub, sitting, users):
    """The terminal's "đang xử lý" turns into the page count without a reload."""
    from library import worker
    from tests.library.samples import pdf

    secretary = await hub.connect("secretary")

    def upload():
        import io

        doc = services.upload(users["secretary"], io.BytesIO(pdf(("Tờ trình thử", "Nội dung tờ trình."))),
                              name="to-trinh.pdf", summary="Tờ trình thử", session=sitting.session)
        return doc

    doc = await database_sync_to_async(upload)()
    await secretary.settle()
    ref = next(d for d in secretary.state["documents"]["list"] if d["id"] == doc.pk)
    assert ref["state"] == "queued"
    await database_sync_to_async(worker.drain)()
    await secretary.settle()
    ref = next(d for d in secretary.state["documents"]["list"] if d["id"] == doc.pk)
    assert ref["state"] == "ready" and ref["pages"] >= 1
