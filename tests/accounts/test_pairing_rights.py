"""No self-promotion through pairing (issue 8, item 4; DESIGN.md, security model).

A pairing code signs its device in as its person. So it is issued only for a
person whose rights do not exceed the issuer's (accounts.permissions.
may_issue_pairing), never for a superuser or an admin-site (is_staff) account,
and the same rule is asked again when the code is used.

Personas, besides the demo's (tests/conftest.py):
- admin          — the demo's superuser.
- staff_admin    — office staff with the admin site (is_staff, operate_sitting).
- office_manager — office staff who also handles letters and may see denouncers.
- petition_officer — handles letters (petitions.handle_cases), runs no sitting.
- agency_desk    — works the agency desk of a department.
- system         — manage.py on the server (load_demo, issue_tokens): no issuer.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from accounts import pairing, permissions
from accounts.models import PairingToken
from audit.models import AuditRecord
from meeting.demo import DEMO_PASSWORD
from meeting.models import Member

PERSONAS = ("admin", "staff_admin", "office_manager", "secretary", "petition_officer", "agency_desk",
            "chair", "alice", "guest")

# issuer -> the personas it may issue a pairing code for. Everyone else: never.
MAY_ISSUE_FOR = {
    "system": {"office_manager", "secretary", "petition_officer", "agency_desk", "chair", "alice", "guest"},
    "admin": {"office_manager", "secretary", "petition_officer", "agency_desk", "chair", "alice", "guest"},
    "staff_admin": {"secretary", "chair", "alice", "guest"},
    "office_manager": {"office_manager", "secretary", "petition_officer", "chair", "alice", "guest"},
    "secretary": {"secretary", "chair", "alice", "guest"},
    "petition_officer": set(),
    "agency_desk": set(),
    "chair": set(),
    "alice": set(),
    "guest": set(),
}


def _perms(*names):
    out = []
    for name in names:
        app, codename = name.split(".")
        out.append(Permission.objects.get(content_type__app_label=app, codename=codename))
    return out


@pytest.fixture
def people(users):
    from petitions.models import Agency, AgencyMember

    User = get_user_model()
    found = dict(users)
    found["admin"] = User.objects.get(username="admin")
    staff_admin = User.objects.create_user("quantri", first_name="Phạm Văn Quản", is_staff=True)
    staff_admin.user_permissions.add(*_perms("meeting.operate_sitting"))
    manager = User.objects.create_user("chanhvanphong", first_name="Đỗ Minh Chánh")
    manager.user_permissions.add(*_perms("meeting.operate_sitting", "petitions.handle_cases",
                                         "petitions.view_denouncer_identity"))
    officer = User.objects.create_user("tiepdan", first_name="Vũ Thị Tiếp")
    officer.user_permissions.add(*_perms("petitions.handle_cases"))
    desk = User.objects.create_user("sotaichinh", first_name="Hồ Văn Sở")
    agency = Agency.objects.create(name="Sở Tài chính (kiểm thử)")
    AgencyMember.objects.create(agency=agency, user=desk)
    for name, user in (("staff_admin", staff_admin), ("office_manager", manager),
                       ("petition_officer", officer), ("agency_desk", desk)):
        found[name] = User.objects.get(pk=user.pk)  # fresh: no cached permissions
    found["system"] = None
    return found


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo hashes one password; the default hasher makes that 0.5 s per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# ---- the rule, for every pair of roles ----------------------------------------------

@pytest.mark.parametrize("issuer", list(MAY_ISSUE_FOR))
def test_a_pairing_code_is_only_for_someone_with_no_more_rights_than_the_issuer(people, issuer):
    # One row of the issuer x target table per test: every target, each compared.
    answers = {target: permissions.may_issue_pairing(people[issuer], people[target]) for target in PERSONAS}
    assert answers == {target: target in MAY_ISSUE_FOR[issuer] for target in PERSONAS}


@pytest.mark.parametrize("issuer", list(MAY_ISSUE_FOR))
def test_the_list_of_pairable_people_is_the_same_rule(people, issuer):
    everyone = get_user_model().objects.filter(pk__in=[people[p].pk for p in PERSONAS])
    offered = set(permissions.pairable_users(everyone, people[issuer]).values_list("pk", flat=True))
    assert offered == {people[p].pk for p in MAY_ISSUE_FOR[issuer]}


def test_nobody_may_pair_a_locked_account(people):
    people["alice"].is_active = False
    people["alice"].save()
    assert not permissions.may_issue_pairing(people["admin"], people["alice"])
    assert not permissions.may_issue_pairing(None, people["alice"])


def test_a_locked_issuer_issues_nothing(people):
    people["secretary"].is_active = False
    people["secretary"].save()
    assert not permissions.may_issue_pairing(people["secretary"], people["alice"])


# ---- issuing --------------------------------------------------------------------------

def test_issuing_a_code_for_the_superuser_is_refused_and_audited(people):
    with pytest.raises(pairing.PairingError) as refused:
        pairing.issue("console", user=people["admin"], created_by=people["secretary"])
    assert refused.value.code == "rights_exceed_issuer"
    assert not PairingToken.objects.exists()
    row = AuditRecord.objects.get(action="device.issue")
    assert (row.outcome, row.user, row.detail["target"]) == ("rights_exceed_issuer", people["secretary"], people["admin"].pk)


def test_the_device_page_does_not_offer_the_superuser_for_a_console(client, people):
    client.force_login(people["secretary"])
    form = client.get("/devices/").context["form"]
    offered = set(form.fields["person"].queryset)
    assert people["admin"] not in offered and people["staff_admin"] not in offered
    assert {people["chair"], people["secretary"]} <= offered


def test_the_secretary_cannot_get_a_console_code_for_the_superuser(client, people):
    client.force_login(people["secretary"])
    response = client.post("/devices/", {"purpose": "console", "person": people["admin"].pk})
    assert response.status_code == 200 and "token" not in response.context
    assert not PairingToken.objects.exists()


def test_the_device_page_does_not_offer_a_delegate_with_more_rights_than_the_secretary(client, people):
    # A delegate who also handles citizens' letters: more than the secretary may hand out.
    Member.objects.create(user=people["petition_officer"], code="DB900", full_name="Vũ Thị Tiếp",
                          kind=Member.Kind.DELEGATE)
    client.force_login(people["secretary"])
    offered = set(client.get("/devices/").context["form"].fields["member"].queryset)
    assert people["petition_officer"].member not in offered and people["alice"].member in offered
    response = client.post("/devices/", {"purpose": "terminal", "member": people["petition_officer"].member.pk})
    assert "token" not in response.context and not PairingToken.objects.exists()


def test_printed_badges_carry_no_code_for_an_admin_account(client, people):
    Member.objects.create(user=people["admin"], code="DB901", full_name="Quản trị", kind=Member.Kind.DELEGATE)
    client.force_login(people["secretary"])
    response = client.get("/members/badges/?kind=all")
    assert response.status_code == 200
    assert not PairingToken.objects.filter(user=people["admin"]).exists()
    assert PairingToken.objects.filter(user=people["alice"]).exists()


def test_the_demo_prints_no_pairing_link_for_the_admin(db, capsys):
    from django.core.management import call_command

    call_command("load_demo", "--no-documents", "--no-petitions")
    assert PairingToken.objects.exists()
    assert not PairingToken.objects.filter(user__is_superuser=True).exists()
    assert not PairingToken.objects.filter(user__is_staff=True).exists()


# ---- redeeming: a code issued before the rule, or with a forged issuer ------------------

def _old_token(purpose, user, created_by):
    """A code as the old device page issued it (no rights check), straight into the table."""
    from datetime import timedelta

    from django.core import signing
    from django.utils import timezone

    PairingToken.objects.create(jti="0" * 24, purpose=purpose, user=user, created_by=created_by,
                                expires_at=timezone.now() + timedelta(minutes=10))
    return signing.Signer(salt=pairing.SALT + purpose).sign("0" * 24).replace(":", ".")


def test_an_old_console_code_for_the_superuser_does_not_sign_in_as_admin(client, people, pair):
    token = _old_token("console", people["admin"], people["secretary"])
    response = pair(token)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert PairingToken.objects.get().used_at is None
    refused = AuditRecord.objects.get(action="device.pair")
    assert (refused.outcome, refused.detail["issued_by"]) == ("rights_exceed_issuer", people["secretary"].pk)


def test_the_confirmation_page_of_such_a_code_refuses_too(client, people):
    token = _old_token("console", people["admin"], people["secretary"])
    response = client.get(f"/pair/{token}/")
    assert response.status_code == 403 and "rights_exceed_issuer" in response.content.decode()


def test_a_code_whose_issuer_has_fewer_rights_than_its_person_is_refused(people):
    token = _old_token("console", people["office_manager"], people["secretary"])
    with pytest.raises(pairing.PairingError) as refused:
        pairing.redeem(token)
    assert refused.value.code == "rights_exceed_issuer"


def test_a_code_issued_by_the_server_for_the_superuser_is_refused(people):
    token = _old_token("console", people["admin"], None)
    with pytest.raises(pairing.PairingError):
        pairing.redeem(token)


def test_a_code_the_secretary_issued_for_a_delegate_still_pairs(client, people, pair):
    token = pairing.issue("terminal", user=people["alice"], created_by=people["secretary"])
    response = pair(token)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == people["alice"].pk


def test_the_superuser_still_signs_in_with_a_password(client, people):
    response = client.post("/accounts/login/", {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == people["admin"].pk


def test_rights_through_a_group_count_as_the_persons_own(people):
    from django.contrib.auth.models import Group

    desk = Group.objects.create(name="Tiếp công dân")
    desk.permissions.add(*_perms("petitions.handle_cases"))
    bob = people["bob"]
    bob.groups.add(desk)
    bob = get_user_model().objects.get(pk=bob.pk)
    assert not permissions.may_issue_pairing(people["secretary"], bob)
    assert permissions.may_issue_pairing(people["office_manager"], bob)
    users = get_user_model().objects.filter(pk=bob.pk)
    assert not permissions.pairable_users(users, people["secretary"]).exists()
    assert permissions.pairable_users(users, people["office_manager"]).exists()


def test_the_secretary_may_do_in_a_sitting_everything_its_chair_may():
    # Why may_issue_pairing compares no sitting roles: office staff are the secretary of
    # every sitting. A chair-only action would make a chair's console more than theirs.
    chair_only = {action for action, roles in permissions.ACTIONS.items()
                  if permissions.CHAIR in roles and permissions.SECRETARY not in roles}
    assert chair_only == set()


def test_the_benchmark_token_command_prints_no_console_code_for_a_superuser_chair(people, sitting):
    from django.core.management import CommandError, call_command

    sitting.chair = people["admin"]
    sitting.save()
    with pytest.raises(CommandError, match="rights_exceed_issuer"):
        call_command("issue_tokens", "--sitting", str(sitting.pk), "--console")
    assert not PairingToken.objects.exists()
