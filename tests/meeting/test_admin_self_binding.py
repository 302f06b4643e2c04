"""No role gives itself more rights (issue 8): an admin-site user who may change sittings or members
cannot make themself a sitting's chair or secretary, nor tie a member — and with it the member's
role — to their own account; a superuser can (accounts.permissions.may_bind_account)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from meeting.models import Member, Sitting
from tests.realtime.test_side_doors import _Form

pytestmark = pytest.mark.django_db


def _staff(*codenames, superuser=False):
    user = get_user_model().objects.create_user("nhanvien", password="x", is_staff=True, is_superuser=superuser)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return user, client


def _post(client, model, pk, **changes):
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{pk}/change/"
    form = _Form()
    form.feed(client.get(url).content.decode())
    data = {}
    for name, value in form.data:
        data.setdefault(name, []).append(value)
    data.update({name: [str(value)] for name, value in changes.items()})
    data["_save"] = ["Save"]
    return client.post(url, data)


def test_a_clerk_who_may_change_sittings_cannot_make_themself_chair_or_secretary(sitting):
    clerk, client = _staff("view_sitting", "change_sitting")
    chair = sitting.chair
    for field in ("chair", "secretary"):
        response = _post(client, Sitting, sitting.pk, **{field: clerk.pk})
        assert response.status_code == 200  # the form again, with the refusal
        assert "tài khoản của chính mình" in response.content.decode()
    sitting.refresh_from_db()
    assert sitting.chair == chair and sitting.secretary != clerk
    # Someone else may still be made chair by them: that is what the right is for.
    other = Member.objects.get(code="DB011").user
    assert _post(client, Sitting, sitting.pk, chair=other.pk).status_code == 302
    sitting.refresh_from_db()
    assert sitting.chair == other


def test_a_clerk_who_may_change_members_cannot_tie_a_member_to_their_own_account(sitting):
    clerk, client = _staff("view_member", "change_member")
    member = Member.objects.get(code="DB012")
    response = _post(client, Member, member.pk, user=clerk.pk)
    assert response.status_code == 200 and "tài khoản của chính mình" in response.content.decode()
    member.refresh_from_db()
    assert member.user_id != clerk.pk


def test_a_superuser_may(sitting):
    admin_user, client = _staff(superuser=True)
    assert _post(client, Sitting, sitting.pk, chair=admin_user.pk).status_code == 302
    sitting.refresh_from_db()
    assert sitting.chair == admin_user


def test_a_clerk_who_is_a_guest_member_cannot_make_themself_a_member_of_the_council(sitting):
    """A membership of the sitting's body would make them a voting delegate of it."""
    from meeting.models import Membership

    clerk, client = _staff("view_membership", "add_membership", "change_membership", "view_member", "view_body",
                           "change_member")
    guest = Member.objects.get(code="KM001")
    Member.objects.filter(pk=guest.pk).update(user=clerk, kind=Member.Kind.DELEGATE)
    url = "/admin/meeting/membership/add/"
    response = client.post(url, {"member": guest.pk, "body": sitting.body_id, "role": Membership._meta.get_field("role").default,
                                 "active": "on", "_save": "Save"})
    assert response.status_code == 200 and "tài khoản của chính mình" in response.content.decode()
    assert not Membership.objects.filter(member=guest, body_id=sitting.body_id).exists()
    # Through the member's own page (the memberships inline) neither.
    form = _Form()
    page = client.get(f"/admin/meeting/member/{guest.pk}/change/")
    form.feed(page.content.decode())
    data = {}
    for name, value in form.data:
        data.setdefault(name, []).append(value)
    prefix = next(n[: -len("-TOTAL_FORMS")] for n in data if n.endswith("-TOTAL_FORMS"))
    n = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(n + 1)]
    data[f"{prefix}-{n}-body"] = [str(sitting.body_id)]
    data[f"{prefix}-{n}-active"] = ["on"]
    data[f"{prefix}-{n}-member"] = [str(guest.pk)]
    data["_save"] = ["Save"]
    response = client.post(f"/admin/meeting/member/{guest.pk}/change/", data)
    assert response.status_code == 200
    assert not Membership.objects.filter(member=guest, body_id=sitting.body_id).exists()
