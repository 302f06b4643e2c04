"""The document library's parts of the hub (realtime/registry.py; docs/modules.md).

State: `documents` (every document of the sitting this audience may see: staff every one,
drafts too; delegates the published public and delegate-level ones; the public only published
public ones; hall displays none, accounts.permissions.AUDIENCE_DOCUMENTS). Event:
`documents.changed` (displays get `skip`). Per-member event: `library.reminded` (never stored),
and the terminal's reminders panel. No commands: the library's pages change documents.
Registered from LibraryConfig.ready(); the browser side is library/static/library/hub-events.js.
"""

import copy

from pydantic import Field

from accounts import permissions
from realtime import registry
from realtime.messages import Count, Id, Message, Time, literal

from .models import Document, DocumentVersion
from .state import documents_state, shape_documents

DocumentKind = literal(Document.Kind.values)
DocumentAccess = literal(Document.Access.values)
DocumentStatus = literal(Document.Status.values)
DocumentFileKind = literal(DocumentVersion.FileKind.values)
DocumentState = literal(DocumentVersion.State.values)


class DocumentRef(Message):
    """A document of the sitting (library): what a list shows, and where to open it."""

    id: Id
    kind: DocumentKind
    number: str = Field(description="số, ký hiệu, e.g. 125/TTr-UBND; may be empty")
    issued_on: str | None = Field(description="date of issue, YYYY-MM-DD")
    issuer: str
    summary: str = Field(description="trích yếu")
    access: DocumentAccess
    status: DocumentStatus = Field(description="staff also see drafts; others only published documents")
    published_at: Time | None
    late: bool = Field(description="published after the due date (DOCUMENTS_DUE_DAYS before the session opens)")
    version: Count | None = Field(description="number of the current version")
    version_id: Id | None
    file_kind: DocumentFileKind | None
    pages: Count
    state: DocumentState | None = Field(description="processing of the current version")
    url: str = Field(description="the viewer page, relative to the site")


class ItemDocuments(Message):
    item_id: Id
    documents: list[Id]


class Documents(Message):
    """Every document this audience may see: of the session, of the sitting, of each agenda item.
    `list` has each once; the other fields give ids into it."""

    list: list[DocumentRef]
    session: list[Id]
    sitting: list[Id]
    items: list[ItemDocuments]


class DocumentsChangedData(Message):
    documents: Documents
    published: list[Id] = Field(description="documents just published to you: say so (a notification)")


# Who is told about documents at all (a hall display is not): accounts.permissions.AUDIENCE_DOCUMENTS.
READERS = tuple(audience for audience, (levels, _drafts) in permissions.AUDIENCE_DOCUMENTS.items() if levels)


class ReminderData(Message):
    """The council office asks you to read a document you have not read yet (library.services.remind_unread)."""

    document_id: Id
    kind: DocumentKind
    number: str
    summary: str
    url: str = Field(description="the viewer page, relative to the site")
    sent_at: Time


def _shape_changed(data, audience):
    documents = shape_documents(data["documents"], audience)
    visible = {d["id"] for d in documents["list"]}
    return {"documents": documents, "published": [i for i in data["published"] if i in visible]}


def _apply_changed(state, data):
    state["documents"] = copy.deepcopy(data["documents"])


def register():
    # The library tells the sittings of a session when its documents change.
    # SYSTEM: the background processing tells the sittings a version is ready (library.services.notify).
    permissions.register_action("documents.update", (permissions.CHAIR, permissions.SECRETARY, permissions.SYSTEM))
    registry.register_slice("documents", lambda sitting: documents_state(sitting.pk), Documents, order=80,
                            audiences=READERS, shape=shape_documents)
    registry.register_event(
        "documents.changed", DocumentsChangedData, apply=_apply_changed, audiences=READERS, shape=_shape_changed,
        doc="The sitting's documents changed (upload, new version, attach, publish, withdraw). "
            "state.documents = data.documents. Hall displays get `skip`.")
    registry.register_script("library/hub-events.js")
    # A reminder to read: the office's page asks (library.services.remind_unread, audited there), the
    # terminals following a sitting that shows the document are told as the system.
    permissions.register_action("library.tell_reminded", (permissions.SYSTEM,))
    registry.register_member_event(
        "library.reminded", ReminderData, store=False, apply=lambda you, data: None,
        doc="The council office asks you to read a document you have not read yet: show it. Never stored; "
            "the terminal page lists the reminders still unread when it loads. Changes nothing in `you`.")
    registry.register_panel("terminal", "library-reminders", "library/reminders_panel.html",
                            script="library/reminders.js", order=10)
