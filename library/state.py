"""The documents of a sitting as the hub shows them: its session's, its own
and its agenda items'. Plain dicts, JSON-ready; realtime.audience filters
them per audience (accounts.permissions.AUDIENCE_DOCUMENTS)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse

from .models import Attachment, Document


def iso(dt):
    return dt.isoformat() if dt else None


def document_ref(d: Document) -> dict:
    v = d.current_version
    return {
        "id": d.pk,
        "kind": d.kind,
        "number": d.number,
        "issued_on": d.issued_on.isoformat() if d.issued_on else None,
        "issuer": d.issuer,
        "summary": d.summary,
        "access": d.access,
        "status": d.status,
        "published_at": iso(d.published_at),
        "late": d.published_late,
        "version": v.number if v else None,
        "version_id": v.pk if v else None,
        "file_kind": v.file_kind if v else None,
        # Counted while processing, shown once ready: only state changes are events.
        "pages": v.page_count if v and v.state == v.State.READY else 0,
        "state": v.state if v else None,
        "url": reverse("library:view", args=[d.pk]),
    }


def documents_state(sitting_id: int) -> dict:
    from agenda.models import AgendaItem
    from meeting.models import Sitting

    sitting = Sitting.objects.only("pk", "session_id").get(pk=sitting_id)
    sit_ct = ContentType.objects.get_for_model(Sitting)
    item_ct = ContentType.objects.get_for_model(AgendaItem)
    item_ids = list(AgendaItem.objects.filter(sitting_id=sitting_id).values_list("pk", flat=True))
    links = list(Attachment.objects.filter(
        Q(content_type=sit_ct, object_id=sitting_id) | Q(content_type=item_ct, object_id__in=item_ids)
    ).values_list("document_id", "content_type_id", "object_id"))
    ids = {d for d, _ct, _o in links}
    docs = Document.objects.select_related("current_version").exclude(status=Document.Status.WITHDRAWN)
    if sitting.session_id:
        docs = docs.filter(Q(session_id=sitting.session_id) | Q(pk__in=ids))
    else:
        docs = docs.filter(pk__in=ids)
    listed = sorted(docs, key=lambda d: (d.kind != Document.Kind.INVITATION, d.issued_on is None,
                                         -(d.issued_on.toordinal() if d.issued_on else 0), d.pk))
    present = {d.pk for d in listed}
    items: dict[int, list[int]] = {}
    own: list[int] = []
    for doc_id, ct, obj in links:
        if doc_id not in present:
            continue
        if ct == sit_ct.pk:
            own.append(doc_id)
        else:
            items.setdefault(obj, []).append(doc_id)
    return {
        "list": [document_ref(d) for d in listed],
        "session": [d.pk for d in listed if d.session_id == sitting.session_id and sitting.session_id],
        "sitting": own,
        "items": [{"item_id": k, "documents": v} for k, v in sorted(items.items())],
    }


def shape_documents(state: dict, audience: str) -> dict | None:
    """What `audience` may see of documents_state: None for none of it."""
    from accounts.permissions import AUDIENCE_DOCUMENTS

    levels, drafts = AUDIENCE_DOCUMENTS[audience]
    if not levels:
        return None
    visible = [d for d in state["list"] if d["access"] in levels and (drafts or d["status"] == "published")]
    ok = {d["id"] for d in visible}
    return {
        "list": visible,
        "session": [i for i in state["session"] if i in ok],
        "sitting": [i for i in state["sitting"] if i in ok],
        "items": [{"item_id": e["item_id"], "documents": [i for i in e["documents"] if i in ok]}
                  for e in state["items"] if any(i in ok for i in e["documents"])],
    }
