"""Every permission check of the project, in one place.

Two questions only:
- which role does this person or device have in this sitting (`role_in`);
- may that role do this action (`may`).
Services call `may` (through realtime.service.change); views and consumers
never decide permissions themselves.
"""

from dataclasses import dataclass

from .providers import ask

CHAIR = "chair"
SECRETARY = "secretary"
DELEGATE = "delegate"
GUEST = "guest"  # invited delegates, guests, officials: follow, never vote
DISPLAY = "display"
PUBLIC = "public"
# The media process (videod, docs/decisions/0014) following a sitting: sees what a hall display
# sees, and may only report what it observes.
MEDIA = "media"

ROLES = (CHAIR, SECRETARY, DELEGATE, GUEST, DISPLAY, PUBLIC, MEDIA)
# The project's own background work (a document processed, a daily job): never a person or a
# connection, so it has no audience; it does only what an action names it for.
SYSTEM = "system"

# Who receives what: each role is served one audience's view of the sitting.
AUDIENCE = {
    CHAIR: "staff",
    SECRETARY: "staff",
    DELEGATE: "delegate",
    GUEST: "delegate",
    DISPLAY: "display",
    PUBLIC: "public",
    MEDIA: "display",
}
AUDIENCES = ("staff", "delegate", "display", "public")

# action -> roles that may do it. The core's own here; each module registers its actions from its
# own folder (register_action, e.g. agenda/hub.py): the rule stays here, asked through `may`.
ACTIONS: dict[str, frozenset[str]] = {
    "devices.pair": frozenset({CHAIR, SECRETARY}),
}


def register_action(action: str, roles) -> None:
    """A module's permission action and the roles that may do it. Registering one twice raises."""
    if action in ACTIONS:
        raise ValueError(f"permission action {action!r} is registered twice")
    unknown = set(roles) - set(ROLES) - {SYSTEM}
    if unknown:
        raise ValueError(f"permission action {action!r}: unknown roles {sorted(unknown)}")
    ACTIONS[action] = frozenset(roles)


# ---- facts the modules provide --------------------------------------------------
#
# The rules are all in this file; some need facts only a domain module can read (who chairs
# which sitting, who works which agency desk). Each such module provides them from its own
# folder (its AppConfig.ready(), accounts.providers.provide), so the core imports no domain app.
# A fact nobody provides answers its default (the module is not installed: nobody can hold
# that right through it).

_fact = ask


# Limits on pairing codes a module adds (register_pairing_limit): (check(issuer, target) -> bool,
# filter(queryset, issuer) -> queryset), asked by may_issue_pairing and pairable_users.
_PAIRING_LIMITS: list[tuple] = []


def register_pairing_limit(check, filter_) -> None:
    _PAIRING_LIMITS.append((check, filter_))


@dataclass(frozen=True)
class Actor:
    """Who is acting, resolved once per request or connection."""

    role: str | None
    user: object = None  # django User or AnonymousUser
    member_id: int | None = None
    device: object = None  # accounts.Device
    display_id: int | None = None


def may(role: str | None, action: str) -> bool:
    return role is not None and role in ACTIONS.get(action, frozenset())


def may_view(role: str | None, sitting) -> bool:
    if role is None:
        return False
    if role == PUBLIC:
        return sitting.is_public and (sitting.session is None or sitting.session.is_public)
    return True


OPERATE_SITTING = "meeting.operate_sitting"


def is_office_staff(user) -> bool:
    """Council office staff who operate sittings (the secretary role in any sitting)."""
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.has_perm(OPERATE_SITTING)))


@dataclass(frozen=True)
class _UserFacts:
    office_staff: bool
    member_id: int | None
    member_kind: str | None
    in_body: bool  # an active membership of the sitting's body


def _user_facts(user, sitting) -> _UserFacts:
    """What role_in needs to know of a signed-in user, in ONE query: whether they hold the office
    staff permission (is_office_staff), their member record, and whether it is an active member of
    the sitting's body. `user.has_perm` loads every permission of the user to answer one (two
    queries, then the member and the membership: four, for every delegate's hub connect).

    The permission is read as Django's ModelBackend grants it (the user's own permissions and their
    groups'); when another backend answers permissions too, is_office_staff asks them all. The query
    is compiled once per database (_facts_sql): Django compiles a queryset anew on each use, which
    cost more than running this one (a few ms for each of 500 connects)."""
    from django.db import connections

    using = get_user_model_manager().db
    sql, params = _facts_sql(using)
    params = [user.pk if p == _USER_SLOT else sitting.body_id if p == _BODY_SLOT else p for p in params]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:  # the account is gone
        return _UserFacts(False, None, None, False)
    own, by_group, member_id, member_kind, in_body = row
    if _permissions_only_from_model_backend():
        staff = bool(user.is_superuser or own or by_group)
    else:
        staff = is_office_staff(user)
    return _UserFacts(staff, member_id, member_kind, bool(in_body))


# Stand-ins for the user's and the body's ids in the compiled query, replaced by the real ones.
_USER_SLOT = -710_000_001
_BODY_SLOT = -710_000_002
_USERS_SLOT = -720_000_000  # the first of n users (_facts_sql with n): -720_000_000, -720_000_001, …
_FACTS_SQL: dict[tuple, tuple[str, tuple]] = {}


def get_user_model_manager():
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager


def _facts_sql(using: str, n: int | None = None) -> tuple[str, tuple]:
    """The facts query as SQL with its parameters, the user's and the body's ids as _USER_SLOT and
    _BODY_SLOT: built by the ORM once per database (and app label, codename of the permission).
    With `n`: the query for n users at once (_users_facts), the user's id first in each row, the
    users' ids as _USERS_SLOT, _USERS_SLOT - 1, … _USERS_SLOT - (n - 1)."""
    from django.db import connections
    from django.db.models import Exists, OuterRef

    app_label, codename = OPERATE_SITTING.split(".")
    key = (using, connections[using].vendor, app_label, codename, n)
    compiled = _FACTS_SQL.get(key)
    if compiled is None:
        users = get_user_model_manager().db_manager(using)
        model = users.model
        own = model.user_permissions.through.objects.filter(
            user_id=OuterRef("pk"), permission__codename=codename, permission__content_type__app_label=app_label)
        by_group = model.groups.through.objects.filter(
            user_id=OuterRef("pk"), group__permissions__codename=codename,
            group__permissions__content_type__app_label=app_label)
        in_body = users.filter(pk=OuterRef("pk"), member__memberships__body_id=_BODY_SLOT,
                               member__memberships__active=True)
        slots = [_USER_SLOT] if n is None else [_USERS_SLOT - i for i in range(n)]
        query = ((users.filter(pk=_USER_SLOT) if n is None else users.filter(pk__in=slots))
                 .annotate(hub_own=Exists(own), hub_by_group=Exists(by_group), hub_in_body=Exists(in_body)))
        columns = ("hub_own", "hub_by_group", "member__id", "member__kind", "hub_in_body")
        query = query.values_list(*columns)[:1] if n is None else query.values_list("pk", *columns)
        sql, params = query.query.sql_with_params()
        if any(list(params).count(slot) != 1 for slot in [*slots, _BODY_SLOT]):
            raise RuntimeError("the role facts query does not take each user and the body once")
        compiled = _FACTS_SQL[key] = (sql, tuple(params))
    return compiled


def _permissions_only_from_model_backend() -> bool:
    """No backend but Django's ModelBackend (as it is) answers permissions (AUTHENTICATION_BACKENDS:
    axes' backend only authenticates)."""
    from django.conf import settings

    backends = tuple(settings.AUTHENTICATION_BACKENDS)
    answer = _BACKENDS_CHECKED.get(backends)
    if answer is None:
        from django.contrib.auth import get_backends
        from django.contrib.auth.backends import ModelBackend

        answer = True
        for backend in get_backends():
            if not hasattr(backend, "has_perm"):
                continue
            kind = type(backend)
            answer = answer and isinstance(backend, ModelBackend) and all(
                getattr(kind, name) is getattr(ModelBackend, name)
                for name in ("has_perm", "get_all_permissions", "get_user_permissions",
                             "get_group_permissions", "_get_permissions"))
        _BACKENDS_CHECKED[backends] = answer
    return answer


_BACKENDS_CHECKED: dict[tuple, bool] = {}


def _users_facts(users: list, sitting) -> dict[int, _UserFacts]:
    """_user_facts for several users at once, in one query (realtime.service's group of commands),
    compiled once per database and size: the size rounded up to a power of two, the last id
    repeated to fill it (a burst's groups come in every size; compiling this query for one cost
    more than the rest of checking the group's actors)."""
    from django.db import connections

    if not users:
        return {}
    using = get_user_model_manager().db
    ids = [u.pk for u in users]
    size = 1 << (len(ids) - 1).bit_length()
    ids += ids[-1:] * (size - len(ids))
    sql, template = _facts_sql(using, size)
    fill = {_USERS_SLOT - i: pk for i, pk in enumerate(ids)}
    fill[_BODY_SLOT] = sitting.body_id
    params = [fill.get(p, p) if type(p) is int else p for p in template]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_pk = {u.pk: u for u in users}
    model_backend = _permissions_only_from_model_backend()
    facts = {}
    for pk, own_perm, group_perm, member_id, member_kind, in_body_row in rows:
        user = by_pk[pk]
        staff = bool(user.is_superuser or own_perm or group_perm) if model_backend else is_office_staff(user)
        facts[pk] = _UserFacts(staff, member_id, member_kind, bool(in_body_row))
    return facts


def current_actors(actors: list["Actor"], sitting) -> list["Actor"]:
    """`current_actor` for several actors at once, each exactly as alone: the persons, the devices
    and the role facts read in three queries, not two or three per actor."""
    from django.contrib.auth import get_user_model

    from .models import Device

    user_ids = {a.user.pk for a in actors if a.user is not None and getattr(a.user, "is_authenticated", False)}
    device_ids = {a.device.pk for a in actors if a.device is not None}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}
    devices = {d.pk: d for d in Device.objects.filter(pk__in=device_ids)} if device_ids else {}
    facts = _users_facts([u for u in users.values() if u.is_active], sitting)
    out = []
    for actor in actors:
        if actor.role == SYSTEM and actor.user is None and actor.device is None:
            out.append(actor)
            continue
        user, device = actor.user, actor.device
        if user is not None and getattr(user, "is_authenticated", False):
            user = users.get(user.pk)
        if device is not None:
            device = devices.get(device.pk)
            if device is None:
                out.append(Actor(role=None, user=user))
                continue
        role, member_id = _role_and_member(sitting, user, device, facts=facts)
        out.append(Actor(role=role, user=user, member_id=member_id, device=device,
                         display_id=device.display_id if device is not None and role == DISPLAY else None))
    return out


def _role_and_member(sitting, user, device, *, facts: dict | None = None) -> tuple[str | None, int | None]:
    """role_in, and the member a delegate or guest acts as (`facts`: read already, by user id)."""
    if device is not None and not device.revoked and device.kind == "display":
        return (DISPLAY if device.display_id else None), None
    if device is not None and device.kind == "media":  # never a person, whatever the session holds
        return (None if device.revoked else MEDIA), None
    if user is not None and user.is_authenticated and user.is_active:
        if sitting.chair_id == user.pk:
            return CHAIR, None
        if sitting.secretary_id == user.pk:
            return SECRETARY, None
        facts = facts[user.pk] if facts is not None and user.pk in facts else _user_facts(user, sitting)
        if facts.office_staff:
            return SECRETARY, None
        if facts.member_id is not None:
            if facts.in_body:
                return (DELEGATE if facts.member_kind == "delegate" else GUEST), facts.member_id
            # Delegates of other bodies, invited delegates and guests follow a
            # public sitting (never voting); a closed sitting is for its body only.
            return (GUEST, facts.member_id) if may_view(PUBLIC, sitting) else (None, None)
    return (PUBLIC if may_view(PUBLIC, sitting) else None), None


def role_in(sitting, *, user=None, device=None) -> str | None:
    """The role this user or device has in `sitting`; None when it may not follow it.

    Reads the facts it needs from the database (permission, member, membership: one query, none
    for the sitting's chair and secretary); the rule is here.
    """
    return _role_and_member(sitting, user, device)[0]


def actor_for(sitting, *, user=None, device=None) -> Actor:
    role, member_id = _role_and_member(sitting, user, device)
    return Actor(
        role=role,
        user=user,
        member_id=member_id,
        device=device,
        display_id=device.display_id if device is not None and role == DISPLAY else None,
    )


def system_actor() -> Actor:
    """Who background work acts as: audited as "system", allowed only where an action names SYSTEM."""
    return Actor(role=SYSTEM)


def current_actor(actor: Actor, sitting) -> Actor:
    """`actor` as the database says now: the person and the device read again (deactivated,
    revoked, made staff or not), and the role in `sitting` as it stands (a chair replaced in the
    admin is no longer chair). The write path asks this under the sitting's lock, so a role
    resolved when a connection opened is never trusted for a change."""
    from django.contrib.auth import get_user_model

    from .models import Device

    if actor.role == SYSTEM and actor.user is None and actor.device is None:
        return actor  # the project's own background work: nobody to read again
    user, device = actor.user, actor.device
    if user is not None and getattr(user, "is_authenticated", False):
        user = get_user_model().objects.filter(pk=user.pk).first()
    if device is not None:
        device = Device.objects.filter(pk=device.pk).first()
        if device is None:
            return Actor(role=None, user=user)
    return actor_for(sitting, user=user, device=device)


def may_manage_reference_data(user) -> bool:
    """Import members, print badges, pair devices outside a sitting."""
    return is_office_staff(user)


def may_view_attendance_history(user, member) -> bool:
    """A delegate's attendance across sittings: office staff, and the delegate themself."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_office_staff(user) or (member.user_id is not None and member.user_id == user.pk)


def may_use_console(user) -> bool:
    """Whether a chair/secretary console may be paired for this person: office
    staff, or whoever chairs or clerks a sitting that is not closed yet."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_office_staff(user):
        return True
    # meeting/hub.py: whether the user chairs or clerks a sitting that is not closed.
    return bool(_fact("sittings.runs_open", user, default=False))


# ---- pairing codes: no role gives itself more rights ------------------------------
#
# A pairing code signs its device in as its person (accounts.pairing), so whoever
# issues one could act as that person. It is therefore issued only for someone
# whose rights do not exceed the issuer's (DESIGN.md, security model):
# - never for a superuser or an admin-site (is_staff) account, nor a locked one:
#   they sign in with their own password;
# - the issuer is active office staff (the device page and the badges are theirs);
# - every permission the person holds (their own and their groups') the issuer holds too;
# - every limit a module registered holds (register_pairing_limit): petitions adds that the
#   person works no agency desk the issuer does not work
#   (a superuser issuer holds every permission and may join any desk).
# Sitting roles need no comparison: office staff are the secretary of every sitting,
# and the chair may do nothing the secretary may not (ACTIONS).
# No issuer (None) is manage.py on the server (load_demo, issue_tokens): whoever runs
# it holds the database already; it still never pairs an admin account.
# The same rule is asked again when a code is used, with the issuer it records.

def may_issue_pairing(issuer, target) -> bool:
    """Whether `issuer` may issue a pairing code that signs a device in as `target`."""
    if target is None or not target.is_active or target.is_superuser or target.is_staff:
        return False
    if issuer is None:
        return True
    if not is_office_staff(issuer):
        return False
    return rights_within(issuer, target)


def rights_within(holder, other) -> bool:
    """Whether every right `other` has, `holder` has too: pairing codes (may_issue_pairing) and the
    admin's account pages (may_change_account) ask it. A superuser has every right and may join any
    agency desk; nobody else's rights contain a superuser's, nor an admin-site (is_staff) account's
    unless they are one; otherwise every permission `other` holds (their own and their groups')
    `holder` holds too, and every limit a module registered (register_pairing_limit) holds."""
    if holder.is_superuser:
        return True
    if other.is_superuser or (other.is_staff and not holder.is_staff):
        return False
    if not other.get_all_permissions() <= holder.get_all_permissions():
        return False
    return all(check(holder, other) for check, _filter in _PAIRING_LIMITS)


# ---- the admin's account and group pages: no role gives itself more rights ----------
#
# Django's own UserAdmin lets anyone holding auth.change_user tick is_superuser on their own
# account. Here (accounts/admin.py) the admin asks these, on top of Django's model permissions:
# - only a superuser changes is_superuser, is_staff, groups and user permissions (read-only for
#   anyone else, on their own account too);
# - anyone else opens (changes, sets the password of, deletes) only an account whose rights do not
#   exceed their own (rights_within): never a superuser's;
# - a group's permissions are only ones the editor holds, and a group that holds more than the
#   editor is not theirs to change or delete.

def may_grant_rights(user) -> bool:
    """Change is_superuser, is_staff, groups and user permissions of an account."""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def may_change_account(user, account) -> bool:
    """Change, set the password of, or delete `account` in the admin (beyond Django's model permission)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return rights_within(user, account)


def grantable_permissions(user, permissions_qs):
    """The permissions of `permissions_qs` `user` may give a group: all for a superuser, else their own."""
    if user.is_superuser:
        return permissions_qs
    from django.db.models import Q

    return permissions_qs.filter(Q(user=user) | Q(group__user=user)).distinct()


def may_change_group(user, group) -> bool:
    """Change or delete `group` in the admin: a superuser; anyone else only a group whose every
    permission they hold."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    held = user.get_all_permissions()
    return all(f"{app}.{code}" in held
               for app, code in group.permissions.values_list("content_type__app_label", "codename"))


def pairable_users(queryset, issuer):
    """The users of `queryset` `issuer` may issue a pairing code for: may_issue_pairing as a filter."""
    queryset = queryset.filter(is_active=True, is_superuser=False, is_staff=False)
    if issuer is None:
        return queryset
    if not is_office_staff(issuer):
        return queryset.none()
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    if issuer.is_superuser:  # every permission, and may join any agency desk
        return queryset
    foreign = Permission.objects.exclude(pk__in=Permission.objects.filter(Q(user=issuer) | Q(group__user=issuer)))
    queryset = queryset.exclude(user_permissions__in=foreign).exclude(groups__permissions__in=foreign)
    for _check, filter_ in _PAIRING_LIMITS:
        queryset = filter_(queryset, issuer)
    return queryset


# ---- hall displays, public pages, the home page --------------------------------

# The pages ("faces") each role of a sitting may open.
FACES = {
    CHAIR: ("console", "terminal"),
    SECRETARY: ("console", "terminal"),
    DELEGATE: ("terminal",),
    GUEST: ("terminal",),
    PUBLIC: ("public",),
}


def faces_for(role: str | None) -> tuple[str, ...]:
    return FACES.get(role, ())


def paired_display(device):
    """The hall display a paired device shows, or None (not a display, revoked, unbound)."""
    if device is None or device.revoked or device.kind != "display" or not device.display_id:
        return None
    return device.display


def may_preview_display(user, display) -> bool:
    """See a hall display's slide in a browser window: office staff, and whoever
    may choose the slides of the sitting that display follows (its chair)."""
    if is_office_staff(user):
        return True
    if display.sitting_id is None or not (user and user.is_authenticated):
        return False
    return may(role_in(display.sitting, user=user), "display.control")


def public_sittings(queryset):
    """The sittings of `queryset` the public may follow: the rule of may_view(PUBLIC, ...)."""
    from django.db.models import Q

    return queryset.filter(is_public=True).filter(Q(session__isnull=True) | Q(session__is_public=True))


# ---- the document library ------------------------------------------------------
#
# Access levels (library.models.Document.Access):
# - public: everyone, also on the public pages, once published;
# - delegates: every person with a council account (a Member: delegates, invited
#   delegates, guests, officials), once published — the same people the hub
#   serves its "delegate" audience;
# - internal: council office staff only.
# Office staff (and the chair and secretary of a sitting of the document's
# session) also see drafts. Classified (mật) documents never reach the system.

DOC_PUBLIC = "public"
DOC_DELEGATES = "delegates"
DOC_INTERNAL = "internal"

# Which documents each hub audience is told about: (levels, drafts too?).
AUDIENCE_DOCUMENTS = {
    "staff": ((DOC_PUBLIC, DOC_DELEGATES, DOC_INTERNAL), True),
    "delegate": ((DOC_PUBLIC, DOC_DELEGATES), False),
    "public": ((DOC_PUBLIC,), False),
    "display": ((), False),
}


def _council_member(user):
    if not (user and user.is_authenticated and user.is_active):
        return None
    return getattr(user, "member", None)


def may_manage_documents(user) -> bool:
    """Upload, edit, attach, publish and withdraw documents; see read receipts."""
    return is_office_staff(user)


def may_answer_held_upload(user, uploaded_by_id) -> bool:
    """Confirm that a held upload (a file the system could not read whole) carries no
    classification stamp, or cancel it: office staff, and only the one who uploaded it, who had
    the paper in hand (an upload whose uploader account is gone: any office staff)."""
    return may_manage_documents(user) and (uploaded_by_id is None or uploaded_by_id == user.pk)


def _runs_session(user, session_id) -> bool:
    if not (session_id and user and user.is_authenticated and user.is_active):
        return False
    # meeting/hub.py: whether the user chairs or clerks a sitting of that session.
    return bool(_fact("sittings.runs_session", user, session_id, default=False))


def may_read_document(user, document, *, device=None) -> bool:
    """Open, download or annotate this document (its current and earlier versions).

    Office staff read everything; a withdrawn document nobody else (the status
    comes before who runs the session); the chair and secretary of a sitting of
    its session read its drafts; anyone else published documents of their level."""
    if is_office_staff(user):
        return True
    if document.status == "withdrawn":
        return False
    if _runs_session(user, document.session_id):
        return True
    if document.status != "published":
        return False
    if document.access == DOC_PUBLIC:
        return True
    if document.access == DOC_DELEGATES:
        return _council_member(user) is not None
    return False


def readable_documents(queryset, user):
    """The documents of `queryset` this user may read: the rule of may_read_document, as a filter."""
    from django.db.models import Q

    if is_office_staff(user):
        return queryset
    levels = [DOC_PUBLIC]
    if _council_member(user) is not None:
        levels.append(DOC_DELEGATES)
    allowed = Q(status="published", access__in=levels)
    if user and user.is_authenticated and user.is_active:
        # meeting/hub.py: the ids of the sessions whose sittings the user chairs or clerks (a subquery).
        run = _fact("sittings.sessions_run_by", user, default=None)
        if run is not None:
            allowed |= Q(session_id__in=run) & ~Q(status="withdrawn")
    return queryset.filter(allowed)


def audit_download(document) -> bool:
    """Every download of a non-public document is written to the audit log."""
    return not (document.access == DOC_PUBLIC and document.status == "published")


# ---- convocation letters (library.convocation) -----------------------------------

def may_get_convocation(user, member) -> bool:
    """A member's convocation letter: the member themself, and council office staff."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_office_staff(user) or (member.user_id is not None and member.user_id == user.pk)


def may_print_convocations(user) -> bool:
    """Every delegate's letter of a session in one PDF, for printing: office staff."""
    return is_office_staff(user)


def public_documents(queryset):
    """The documents of `queryset` shown on the public pages: the public level of may_read_document."""
    return queryset.filter(status="published", access=DOC_PUBLIC)


# ---- citizens' letters and voters' petitions -------------------------------------
#
# - petition staff (permission petitions.handle_cases, or superuser): the register,
#   classification, forwarding, review and publication;
# - a denouncer's identity: only with petitions.view_denouncer_identity, every read
#   logged (petitions.models.IdentityRead); other senders' identities: petition staff.
#   The protection follows the identity, never the case's current kind: a case that is
#   or ever was a denunciation (Case.identity_protected, never cleared), and every letter
#   of a sender who filed one (`identity_protected`). Such a case is never public, its
#   original text and scans are identifying, and an agency reads only the redacted copy
#   the office prepared (`agency_may_read_file`);
# - agency desk users (petitions.AgencyMember): the transfers to their agency, never
#   any identity;
# - delegates of a delegate group: enter the voter-contact meetings of their group;
# - everyone: submit, follow a case by its tracking code, read published answers.

def holders_of(permission: str):
    """The active users who hold `permission` ("app_label.codename") as Django's ModelBackend grants
    it: their own, their groups', or as superusers (whom a daily job writes to: the petition staff,
    the resolution staff)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    app_label, codename = permission.split(".")
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    who = Q(is_superuser=True)
    if perm is not None:
        who |= Q(user_permissions=perm) | Q(groups__permissions=perm)
    return get_user_model().objects.filter(who, is_active=True).distinct()


def is_petition_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.has_perm("petitions.handle_cases")))


def holds_identity_right(user) -> bool:
    """The right to read a denouncer's identity (petitions.view_denouncer_identity)."""
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.has_perm("petitions.view_denouncer_identity")))


def was_denunciation(case) -> bool:
    """`case` is or ever was a denunciation (its kind, or Case.identity_protected, never cleared)."""
    return case.kind == "denunciation" or bool(getattr(case, "identity_protected", False))


def _was_denunciation_filter():
    """was_denunciation as a query condition (a Q over petitions.Case)."""
    from django.db.models import Q

    return Q(kind="denunciation") | Q(identity_protected=True)


def sender_filed_denunciation(case) -> bool:
    """The sender of `case` (same folded name with the same phone or email) filed a case that
    is or was a denunciation. The fact is read by petitions/access.py (the cases of the same person)."""
    return bool(_fact("petitions.other_cases_of_sender", case).filter(_was_denunciation_filter()).exists())


def identity_protected(case) -> bool:
    """Who sent `case` is a protected denouncer's identity: the case is or was a denunciation,
    or its sender filed one. The one rule pages, files, exports, APIs and mail ask."""
    return was_denunciation(case) or sender_filed_denunciation(case)


def case_protected(case) -> bool:
    """`case`'s own words, scans and notes are a denouncer's, as its sender is (`identity_protected`,
    the same rule): a denouncer writes "Tôi là …, điện thoại …" into any letter, a later petition or
    feedback too. Officers without the right read only the redacted copy, agencies only that copy and
    the redacted scans, and every note is checked for the denouncer."""
    return identity_protected(case)


def protected_case_filter():
    """case_protected as a query condition (a Q over petitions.Case): is or was a denunciation, or
    its sender filed one (petitions/access.py: the cases of every denouncer, a subquery)."""
    from django.db.models import Q

    condition = _was_denunciation_filter()
    of_denouncers = _fact("petitions.cases_of_denouncers", default=None)
    return condition if of_denouncers is None else condition | Q(pk__in=of_denouncers.values("pk"))


def may_view_identity(user, case) -> bool:
    """See who sent `case` (name, address, contacts, identifying scans; for a protected case
    also its original text)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if identity_protected(case):
        return holds_identity_right(user)
    return is_petition_staff(user)


def may_handle_protected_identity(user) -> bool:
    """Decide what concerns a denouncer's identity: change a denunciation to another kind, prepare
    the redacted copy an agency reads, link duplicates that involve a protected case."""
    return is_petition_staff(user) and holds_identity_right(user)


def may_see_duplicate_link(user, case, other) -> bool:
    """See (and act on) that `other` may be a duplicate of `case`: when either involves a protected
    identity, only with the identity right; otherwise petition staff."""
    if identity_protected(case) or identity_protected(other):
        return may_handle_protected_identity(user)
    return is_petition_staff(user)


def may_search_protected_text(user) -> bool:
    """Find a protected case by words of its original text (the register search)."""
    return holds_identity_right(user)


def unprotected_cases(queryset):
    """The cases of `queryset` that may ever be public (Open311, export, answers pages): never one
    whose sender is a protected denouncer (`protected_case_filter`): a case that is or was a
    denunciation, nor any letter of a sender who filed one (its text may name them as the denouncer)."""
    return queryset.exclude(protected_case_filter())


def agency_may_read_file(case, case_file) -> bool:
    """A file an agency may read: of a protected case only a scan the office marked redacted;
    of another case any file not marked identifying."""
    if case_protected(case):
        return bool(case_file.redacted)
    return not case_file.identifying


def may_review_identity_reads(user) -> bool:
    """The log of who read a denouncer's identity: those who hold that right."""
    return holds_identity_right(user)


def agencies_of(user):
    """The agencies whose desk this user works (a queryset; petitions/access.py reads it)."""
    return _fact("petitions.agencies_of", user if user and user.is_authenticated and user.is_active else None)


def may_bind_account(user, account) -> bool:
    """Tie `account` to a role in the admin — an agency desk, the chair or the secretary of a sitting,
    a member of the council — or change or end that tie: a superuser; anyone else never for their
    own account (no role gives itself more rights)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or account is None or account.pk != user.pk


# The agency page's desk formset asks this name.
may_assign_desk = may_bind_account


def may_work_transfer(user, transfer) -> bool:
    """Acknowledge, ask for clarification on, or answer a forwarded case."""
    return agencies_of(user).filter(pk=transfer.agency_id).exists()


def may_enter_voter_meeting(user, delegate_group) -> bool:
    """Record a voter-contact meeting and its petitions: petition staff, or a delegate of that group."""
    if is_petition_staff(user):
        return True
    member = getattr(user, "member", None) if user and user.is_authenticated and user.is_active else None
    return member is not None and member.delegate_group_id == delegate_group.pk


def may_forward_letter(user) -> bool:
    """Hand a citizen's letter to the office on the citizen's behalf: petition staff, or a delegate."""
    if is_petition_staff(user):
        return True
    member = getattr(user, "member", None) if user and user.is_authenticated and user.is_active else None
    return member is not None and member.kind == "delegate"


# ---- Resolutions (resolutions/) ----
# - office staff with resolutions.manage_resolutions: the programme, the lifecycle, tasks,
#   supervisions, the six-monthly report;
# - agency desk users: report progress on the tasks their agency leads or co-operates on;
# - everyone: the public page of a resolution that is in force and public.

def may_manage_resolutions(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.has_perm("resolutions.manage_resolutions")))


def may_report_on_task(user, task) -> bool:
    """Report progress on `task`: a desk user of its lead agency or of one of its co-operating agencies."""
    agencies = agencies_of(user)
    return agencies.filter(pk=task.lead_agency_id).exists() or agencies.filter(co_tasks=task).exists()


def may_read_task_files(user, task) -> bool:
    """Open the files of `task`'s progress reports (private): the office's resolution staff, or a desk
    user of the task's lead or co-operating agency (never the public, never another agency)."""
    return may_manage_resolutions(user) or may_report_on_task(user, task)


# ---- Resolutions: supervisions (resolutions/, the supervision pages) ----
# - resolution staff: every supervision, open and run them;
# - a member of a committee or of the standing committee (meeting.Membership, active): read the
#   supervisions of their own body, never another body's.

def supervising_bodies_of(user) -> list[int]:
    """The bodies whose supervisions `user` reads as one of their members (active memberships)."""
    member = getattr(user, "member", None) if user and user.is_authenticated and user.is_active else None
    if member is None:
        return []
    return list(member.memberships.filter(active=True, body__kind__in=("committee", "standing"))
                .values_list("body_id", flat=True))


def may_read_supervision(user, supervision) -> bool:
    """Read a supervision's page: resolution staff, or a member of the supervising body."""
    return may_manage_resolutions(user) or supervision.body_id in supervising_bodies_of(user)


def may_read_supervisions(user) -> bool:
    """Open the list of supervisions (each row still asks may_read_supervision's rule)."""
    return may_manage_resolutions(user) or bool(supervising_bodies_of(user))


def readable_supervisions(queryset, user):
    """The supervisions of `queryset` that `user` may read (the same rule as may_read_supervision)."""
    if may_manage_resolutions(user):
        return queryset
    return queryset.filter(body_id__in=supervising_bodies_of(user))


# The public pages of resolutions (resolutions/views_public.py): a resolution of the council is
# shown once it has been adopted (in force, implemented, done, or replaced: the record stays), and
# only if the office has not turned its public flag off. The programme (planned, drafting,
# reviewed, put to the vote), those not adopted and those withdrawn are internal work: not shown.
RESOLUTION_PUBLIC_STATUSES = ("adopted", "implementing", "completed", "replaced")


def public_resolutions(queryset):
    """The resolutions of `queryset` on the public pages."""
    return queryset.filter(public=True, status__in=RESOLUTION_PUBLIC_STATUSES)


def resolution_is_public(resolution) -> bool:
    return bool(resolution.public and resolution.status in RESOLUTION_PUBLIC_STATUSES)
