"""Who reads which document: every role tries every access level in every status.

The rule (accounts.permissions.may_read_document): office staff read
everything, withdrawn documents too; the chair and secretary of a sitting of
the document's session read its drafts and published documents, never a
withdrawn one (docs/library.md: withdrawn documents are for office staff
only); anyone else reads published documents only — public ones everyone,
delegates' ones anyone with a council account (a Member), internal ones
nobody else.

Roles, each with what it may read:
- anonymous      — a citizen, not signed in: published public documents.
- display        — the hall display "Màn hình chính" (a paired device, no user):
                   over HTTP what a citizen may; in the hub no documents at all.
- guest          — khachmoi, an invited guest (member kind guest): public and delegates'.
- delegate       — alice, a delegate of the session's council: public and delegates'.
- other_delegate — a delegate of another council: public and delegates' (a council account).
- chair          — db001, chairs a sitting of the session: everything but withdrawn documents.
- secretary      — thuky, office staff: everything.
- plain_user     — signed in, no member record, no office role: published public documents.

Checked four ways: the rule and its filter agree (a), the hub shows each
audience exactly that (b), the views answer exactly that (c), and every
reading of a non-public document leaves an audit row (d).
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from accounts.permissions import AUDIENCE, may_read_document, readable_documents, role_in
from audit.models import AuditRecord
from library import services, worker
from library.models import Document, DocumentVersion
from meeting.models import Body, Member, Membership
from realtime.audience import shape_event
from realtime.models import SittingEvent
from realtime.snapshot import snapshot_for

from .samples import pdf, upload

ROLES = ("anonymous", "display", "guest", "delegate", "other_delegate", "chair", "secretary", "plain_user")
LEVELS = ("public", "delegates", "internal")
STATUSES = ("draft", "published", "withdrawn")
CASES = [(level, status) for level in LEVELS for status in STATUSES]

COUNCIL_ACCOUNTS = ("guest", "delegate", "other_delegate")


def allowed(role: str, level: str, status: str) -> bool:
    """The rule, written out once more for the test to hold the code to."""
    if role == "secretary":
        return True
    if status == "withdrawn":
        return False
    if role == "chair":
        return True
    if status != "published":
        return False
    if level == "public":
        return True
    return level == "delegates" and role in COUNCIL_ACCOUNTS


def token(level: str, status: str) -> str:
    """A word found in one document only (letters only, so search reads it as one word)."""
    return f"matran{level}{status}"


# ---- the people -----------------------------------------------------------------------------

@pytest.fixture
def people(sitting, users, display_device):
    """role -> (user, device) as the permission functions receive them."""
    User = get_user_model()
    other_council = Body.objects.create(name="Hội đồng nhân dân tỉnh Hà Giang", short_name="HĐND tỉnh Hà Giang",
                                        kind=Body.Kind.PLENARY, term=sitting.body.term)
    other_user = User.objects.create(username="daibieuhagiang", first_name="Vàng Seo Dín")
    other = Member.objects.create(user=other_user, code="HG001", full_name="Vàng Seo Dín", kind=Member.Kind.DELEGATE)
    Membership.objects.create(body=other_council, member=other)
    return {
        "anonymous": (AnonymousUser(), None),
        "display": (AnonymousUser(), display_device),
        "guest": (users["guest"], None),
        "delegate": (users["alice"], None),
        "other_delegate": (other_user, None),
        "chair": (users["chair"], None),
        "secretary": (users["secretary"], None),
        "plain_user": (User.objects.create(username="nguoidung"), None),
    }


def browser(role: str, people) -> Client:
    """A browser signed in as the role (the display: its device in the session, as pairing leaves it)."""
    user, device = people[role]
    client = Client()
    if device is not None:
        session = client.session
        session["device_id"] = device.pk
        session.save()
    elif user.is_authenticated:
        client.force_login(user)
    return client


def test_the_chair_never_reads_a_withdrawn_document(people, documents):
    chair, _device = people["chair"]
    withdrawn = [doc for (level, status), doc in documents.items() if status == "withdrawn"]
    assert [may_read_document(chair, doc) for doc in withdrawn] == [False, False, False]
    assert not readable_documents(Document.objects.filter(pk__in=[d.pk for d in withdrawn]), chair).exists()
    draft = documents[("internal", "draft")]
    assert may_read_document(chair, draft)  # the sitting's chair still prepares its drafts


def test_the_personas_are_who_the_matrix_says(sitting, people):
    roles = {role: role_in(sitting, user=user, device=device) for role, (user, device) in people.items()}
    assert roles == {"anonymous": "public", "display": "display", "guest": "guest", "delegate": "delegate",
                     "other_delegate": "guest", "chair": "chair", "secretary": "secretary", "plain_user": "public"}
    assert [p for p in COUNCIL_ACCOUNTS if getattr(people[p][0], "member", None) is None] == []


# ---- (a) the rule and its filter, on documents made directly -----------------------------

@pytest.fixture
def documents(sitting, users):
    """One document per access level and status, in the demo session (no file: the rule does not look at it)."""
    return {
        (level, status): Document.objects.create(summary=f"Tài liệu {token(level, status)}", access=level,
                                                 status=status, session=sitting.session, body=sitting.body,
                                                 kind=Document.Kind.REPORT, created_by=users["secretary"])
        for level, status in CASES
    }


@pytest.mark.parametrize("role", ROLES)
def test_the_rule_and_its_filter_agree_for_every_level_and_status(people, documents, role):
    user, device = people[role]
    decided = {case: may_read_document(user, doc, device=device) for case, doc in documents.items()}
    assert decided == {case: allowed(role, *case) for case in CASES}
    listed = set(readable_documents(Document.objects.filter(pk__in=[d.pk for d in documents.values()]), user))
    assert listed == {doc for case, doc in documents.items() if decided[case]}


# ---- (b) the hub: snapshot and documents.changed per audience -------------------------------

def hub_expected(role: str) -> set[tuple[str, str]] | None:
    """What the role's hub audience lists: the rule, without withdrawn documents
    (they leave every list, the office manages them in its pages); a display none."""
    if role == "display":
        return None
    return {(level, status) for level, status in CASES if status != "withdrawn" and allowed(role, level, status)}


def listed_cases(documents, shaped) -> set[tuple[str, str]] | None:
    """Which of the matrix's documents a shaped state lists (the session may hold others, e.g. demo ones)."""
    if shaped is None:
        return None
    by_id = {doc.pk: case for case, doc in documents.items()}
    return {by_id[d["id"]] for d in shaped["list"] if d["id"] in by_id}


@pytest.mark.parametrize("role", ROLES)
def test_the_hub_snapshot_lists_exactly_what_the_role_may_read(sitting, people, documents, role):
    user, device = people[role]
    audience = AUDIENCE[role_in(sitting, user=user, device=device)]
    _seq, state = snapshot_for(sitting.pk, audience)
    assert listed_cases(documents, state.get("documents")) == hub_expected(role)


@pytest.mark.parametrize("role", ROLES)
def test_documents_changed_reaches_each_role_with_exactly_what_it_may_read(sitting, people, users, documents, role):
    published = [doc.pk for (level, status), doc in documents.items() if status == "published"]
    services.notify_many(users["secretary"], list(documents.values()), published=published)
    event = SittingEvent.objects.filter(sitting=sitting, type="documents.changed").latest("seq")

    user, device = people[role]
    data = shape_event(event.type, event.data, AUDIENCE[role_in(sitting, user=user, device=device)])
    expected = hub_expected(role)
    if expected is None:
        assert data is None
        return
    assert listed_cases(documents, data["documents"]) == expected
    assert set(data["published"]) == {documents[case].pk for case in expected if case[1] == "published"}


# ---- (c) over HTTP: viewer, file, page image, search -----------------------------------------

@pytest.fixture(autouse=True)
def private_document_folder(document_folder):
    """Files written here go to the test folder (the field's storage was built before the settings changed)."""
    storage = DocumentVersion._meta.get_field("file").storage
    saved = storage.__dict__.copy()
    storage._location = document_folder
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
    yield
    storage.__dict__.clear()
    storage.__dict__.update(saved)


@pytest.fixture
def stored(sitting, users, django_capture_on_commit_callbacks):
    """One real one-page PDF per level and status, uploaded, processed by the job queue, published or
    withdrawn by the services. (Per test: a module-wide transaction does not survive Django's
    TestCase closing the connection after each test on PostgreSQL.)"""
    secretary = users["secretary"]
    data = pdf(("Báo cáo kiểm thử ma trận quyền truy cập",))
    docs = {}
    with django_capture_on_commit_callbacks(execute=True):
        for level, status in CASES:
            word = token(level, status)
            docs[(level, status)] = services.upload(secretary, upload(data, f"{word}.pdf"), summary=f"Báo cáo {word}",
                                                    access=level, session=sitting.session, kind=Document.Kind.REPORT)
        worker.drain()  # the queued jobs: text, page images, search index
        services.publish(secretary, [d for (lv, st), d in docs.items() if st != "draft"])
        for (level, status), doc in docs.items():
            if status == "withdrawn":
                services.withdraw(secretary, doc)
    return {case: Document.objects.select_related("current_version").get(pk=doc.pk) for case, doc in docs.items()}


def test_the_stored_documents_are_in_every_level_and_status_with_page_images(stored):
    assert {(d.access, d.status) for d in stored.values()} == set(CASES)
    assert all(d.current_version.pages_ready >= 1 for d in stored.values())


def answer(client, url) -> tuple[int, str, bytes]:
    """Status, redirect target and body. Reading a streamed file to its end closes it (the test
    client's wrapper does, without ending the test's database transaction as response.close() would)."""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, response.get("Location", ""), body


def test_every_role_gets_exactly_what_the_rule_allows_from_every_view(stored, people):
    login = reverse("accounts:login")
    wrong = []
    for role in ROLES:
        client = browser(role, people)
        for case, doc in stored.items():
            may = allowed(role, *case)
            version = doc.current_version
            for view, url in (("viewer", reverse("library:view", args=[doc.pk])),
                              ("file", reverse("library:file", args=[doc.pk])),
                              ("page", reverse("library:page", args=[version.pk, 1]))):
                status, location, _body = answer(client, url)
                refused = status == 404 or (status == 302 and location.startswith(login))
                if (status == 200) != may or (not may and not refused):
                    wrong.append((role, *case, view, status))
            # Search leaves withdrawn documents out for everyone (library.search), as the hub does.
            status, _location, body = answer(client, reverse("library:search") + f"?q={token(*case)}")
            found = f'href="{reverse("library:view", args=[doc.pk])}"' in body.decode()
            if status != 200 or found != (may and case[1] != "withdrawn"):
                wrong.append((role, *case, "search", status))
    assert wrong == []


# ---- (d) every reading of a non-public document is audited -----------------------------------

def test_every_download_of_a_non_public_document_is_audited_and_no_public_one(stored, people):
    wrong = []
    for role in ROLES:
        client = browser(role, people)
        user, device = people[role]
        for case, doc in stored.items():
            if not allowed(role, *case):
                continue
            audited = case != ("public", "published")
            for view, action in (("library:file", "library.download"), ("library:view", "library.view")):
                before = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                status, _location, _body = answer(client, reverse(view, args=[doc.pk]))
                rows = list(AuditRecord.objects.filter(pk__gt=before, action__startswith="library."))
                expected = [(action, doc.pk, user.pk if user.is_authenticated else None)] if audited else []
                got = [(r.action, r.detail.get("document"), r.user_id) for r in rows]
                if status != 200 or got != expected:
                    wrong.append((role, *case, view, status, got))
    assert wrong == []
