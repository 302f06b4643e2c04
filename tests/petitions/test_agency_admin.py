"""No one gives themself an agency desk (issue 8: "no role can give itself more rights than it has").

A desk user reads the cases forwarded to their agency and answers them for it (the answer the office
then reviews and publishes). The agency page of the admin lists its desk users inline; an office
clerk who holds the agency permissions registers an agency's staff there, but a non-superuser may not
add, change or remove a desk membership of their own account (accounts.permissions.may_assign_desk).
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from petitions.models import Agency, AgencyMember

pytestmark = pytest.mark.django_db

PREFIX = "members"


@pytest.fixture
def clerk(db):
    User = get_user_model()
    user = User.objects.create_user("vanthu", first_name="Ngô Thị Văn", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="petitions",
        codename__in=["view_agency", "change_agency", "add_agencymember", "change_agencymember",
                      "delete_agencymember"]))
    user.user_permissions.add(Permission.objects.get(content_type__app_label="auth", codename="view_user"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def agency(db):
    return Agency.objects.create(name="Sở Tài nguyên và Môi trường", short_name="Sở TN&MT",
                                 kind=Agency.Kind.DEPARTMENT)


def _post(client, agency, members):
    """The agency's change form as the page posts it, with `members` (existing rows first) as its desk users."""
    existing = list(AgencyMember.objects.filter(agency=agency).order_by("pk"))
    data = {"name": agency.name, "short_name": agency.short_name, "kind": agency.kind, "level": agency.level,
            "channel": agency.channel, "email": "", "phone": "", "address": "", "contact_person": "",
            "webhook_url": "", "head": "", "active": "on",
            f"{PREFIX}-TOTAL_FORMS": str(len(members)), f"{PREFIX}-INITIAL_FORMS": str(len(existing)),
            f"{PREFIX}-MIN_NUM_FORMS": "0", f"{PREFIX}-MAX_NUM_FORMS": "1000"}
    for i, (user, delete) in enumerate(members):
        data[f"{PREFIX}-{i}-user"] = str(user.pk)
        data[f"{PREFIX}-{i}-agency"] = str(agency.pk)
        if i < len(existing):
            data[f"{PREFIX}-{i}-id"] = str(existing[i].pk)
        if delete:
            data[f"{PREFIX}-{i}-DELETE"] = "on"
    return client.post(f"/admin/petitions/agency/{agency.pk}/change/", data)


def test_the_form_is_what_the_admin_posts(client, clerk, agency):
    # The helper's form is accepted as it stands: a clerk registers someone else as desk staff.
    other = get_user_model().objects.create_user("canbo_so", first_name="Cán bộ Sở")
    client.force_login(clerk)
    response = _post(client, agency, [(other, False)])
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert AgencyMember.objects.filter(agency=agency, user=other).exists()


def test_a_clerk_cannot_give_themself_a_desk(client, clerk, agency):
    client.force_login(clerk)
    response = _post(client, agency, [(clerk, False)])
    assert response.status_code == 200  # the form again, with the refusal
    assert not AgencyMember.objects.filter(user=clerk).exists()


def test_a_clerk_cannot_move_a_desk_row_onto_themself(client, clerk, agency):
    other = get_user_model().objects.create_user("canbo_so", first_name="Cán bộ Sở")
    AgencyMember.objects.create(agency=agency, user=other)
    client.force_login(clerk)
    _post(client, agency, [(clerk, False)])
    assert list(AgencyMember.objects.values_list("user", flat=True)) == [other.pk]


def test_the_superuser_may_give_anyone_a_desk(client, clerk, agency):
    admin = get_user_model().objects.create_superuser("quantri", password="x")
    client.force_login(admin)
    assert _post(client, agency, [(clerk, False)]).status_code == 302
    assert AgencyMember.objects.filter(user=clerk).exists()
