"""No self-promotion through the admin's user and group pages (issue 8: "no role can give itself more
rights than it has").

Django's own UserAdmin let any admin-site user holding auth.change_user tick is_superuser on their own
account, or add themselves to a group or a permission. Here only a superuser changes is_superuser,
is_staff, groups and user permissions; anyone else sees them read-only, and may not open (change,
set the password of, delete) a superuser's account or one whose rights exceed their own
(accounts.permissions.rights_within, the rule pairing codes ask). A group's permissions: only ones
the editor holds, and a group holding more than the editor is not theirs to change.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from accounts import permissions


def _perms(*names):
    out = []
    for name in names:
        app, codename = name.split(".")
        out.append(Permission.objects.get(content_type__app_label=app, codename=codename))
    return out


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(users):
    """admin (the demo's superuser); clerk: an admin-site user who manages accounts and groups, with the
    secretary's rights; officer: handles letters and may see denouncers (more than the clerk)."""
    User = get_user_model()
    clerk = User.objects.create_user("nhansu", first_name="Lê Thị Nhân", is_staff=True)
    clerk.user_permissions.add(*_perms("meeting.operate_sitting", "auth.view_user", "auth.change_user",
                                       "auth.add_user", "auth.delete_user", "auth.view_group",
                                       "auth.change_group", "auth.add_group", "auth.delete_group",
                                       "auth.view_permission"))
    officer = User.objects.create_user("tiepdan", first_name="Vũ Thị Tiếp")
    officer.user_permissions.add(*_perms("petitions.handle_cases", "petitions.view_denouncer_identity"))
    return {"admin": User.objects.get(username="admin"), "clerk": _fresh(clerk), "officer": _fresh(officer),
            "alice": users["alice"], "secretary": users["secretary"]}


@pytest.fixture
def clerk_client(client, people):
    client.force_login(people["clerk"])
    return client


def _change_data(user, **overrides):
    """What the change form posts: the user's fields as they are, then `overrides` (lists for the m2m)."""
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"), "last_login_0": "", "last_login_1": "",
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [p.pk for p in user.user_permissions.all()],
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ---- the rule ---------------------------------------------------------------------------

def test_rights_within_is_the_pairing_rule(people):
    assert permissions.rights_within(people["admin"], people["officer"])
    assert not permissions.rights_within(people["clerk"], people["admin"])
    assert not permissions.rights_within(people["clerk"], people["officer"])
    assert permissions.rights_within(people["clerk"], people["secretary"])
    assert permissions.rights_within(people["clerk"], people["alice"])
    assert permissions.rights_within(people["clerk"], people["clerk"])


# ---- one's own account --------------------------------------------------------------------

def test_a_clerk_cannot_make_themself_superuser(clerk_client, people):
    clerk = people["clerk"]
    clerk_client.post(f"/admin/auth/user/{clerk.pk}/change/",
                      _change_data(clerk, is_superuser="on", first_name="Lê Thị Nhân (sửa)"))
    clerk = _fresh(clerk)
    assert not clerk.is_superuser
    assert clerk.first_name == "Lê Thị Nhân (sửa)"  # what they may change, they did


def test_a_clerk_cannot_give_themself_a_permission_or_a_group(clerk_client, people):
    clerk = people["clerk"]
    mighty = Group.objects.create(name="Tiếp dân (kiểm thử)")
    mighty.permissions.add(*_perms("petitions.view_denouncer_identity"))
    identity = _perms("petitions.view_denouncer_identity")[0]
    own = [p.pk for p in clerk.user_permissions.all()]
    clerk_client.post(f"/admin/auth/user/{clerk.pk}/change/",
                      _change_data(clerk, groups=[mighty.pk], user_permissions=own + [identity.pk]))
    clerk = _fresh(clerk)
    assert not clerk.has_perm("petitions.view_denouncer_identity")
    assert not clerk.groups.exists()


def test_the_privileged_fields_are_read_only_for_a_non_superuser(clerk_client, people):
    form = clerk_client.get(f"/admin/auth/user/{people['alice'].pk}/change/").context["adminform"].form
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert field not in form.fields
    assert "first_name" in form.fields and "is_active" in form.fields


def test_a_clerk_cannot_make_someone_else_admin_site_staff(clerk_client, people):
    alice = people["alice"]
    clerk_client.post(f"/admin/auth/user/{alice.pk}/change/", _change_data(alice, is_staff="on"))
    assert not _fresh(alice).is_staff


def test_a_new_account_made_by_a_clerk_has_no_privilege(clerk_client, people):
    identity = _perms("petitions.view_denouncer_identity")[0]
    clerk_client.post("/admin/auth/user/add/", {
        "username": "moi", "password1": "Mk-rat-dai-2026!", "password2": "Mk-rat-dai-2026!",
        "usable_password": "true", "is_superuser": "on", "is_staff": "on", "user_permissions": [identity.pk]})
    new = get_user_model().objects.get(username="moi")
    assert not (new.is_superuser or new.is_staff or new.user_permissions.exists())


# ---- other accounts -----------------------------------------------------------------------

@pytest.mark.parametrize("target", ["admin", "officer"])
def test_a_clerk_cannot_open_an_account_above_their_rights(clerk_client, people, target):
    user = people[target]
    assert clerk_client.get(f"/admin/auth/user/{user.pk}/change/").context["has_change_permission"] is False
    response = clerk_client.post(f"/admin/auth/user/{user.pk}/change/",
                                 _change_data(user, first_name="Đổi", email="x@example.org"))
    assert response.status_code == 403
    assert _fresh(user).first_name == user.first_name


@pytest.mark.parametrize("target", ["admin", "officer"])
def test_a_clerk_cannot_set_the_password_of_an_account_above_their_rights(clerk_client, people, target):
    user = people[target]
    url = f"/admin/auth/user/{user.pk}/password/"
    assert clerk_client.get(url).status_code == 403
    response = clerk_client.post(url, {"password1": "Mk-rat-dai-2026!", "password2": "Mk-rat-dai-2026!",
                                       "usable_password": "true"})
    assert response.status_code == 403
    assert not _fresh(user).check_password("Mk-rat-dai-2026!")


@pytest.mark.parametrize("target", ["admin", "officer"])
def test_a_clerk_cannot_delete_an_account_above_their_rights(clerk_client, people, target):
    user = people[target]
    assert clerk_client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"}).status_code == 403
    clerk_client.post("/admin/auth/user/", {"action": "delete_selected", "_selected_action": [user.pk],
                                            "post": "yes"})
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_a_clerk_still_looks_after_an_account_within_their_rights(clerk_client, people):
    alice = people["alice"]
    response = clerk_client.post(f"/admin/auth/user/{alice.pk}/change/",
                                 _change_data(alice, email="alice@example.org"))
    assert response.status_code == 302
    assert _fresh(alice).email == "alice@example.org"
    response = clerk_client.post(f"/admin/auth/user/{alice.pk}/password/",
                                 {"password1": "Mk-rat-dai-2026!", "password2": "Mk-rat-dai-2026!",
                                  "usable_password": "true"})
    assert response.status_code == 302 and _fresh(alice).check_password("Mk-rat-dai-2026!")


def test_the_superuser_still_grants_every_right(client, people):
    client.force_login(people["admin"])
    alice = people["alice"]
    identity = _perms("petitions.view_denouncer_identity")[0]
    response = client.post(f"/admin/auth/user/{alice.pk}/change/",
                           _change_data(alice, is_staff="on", user_permissions=[identity.pk]))
    assert response.status_code == 302
    alice = _fresh(alice)
    assert alice.is_staff and alice.has_perm("petitions.view_denouncer_identity")


# ---- groups -------------------------------------------------------------------------------

def test_a_clerk_cannot_make_a_group_with_a_permission_they_lack(clerk_client, people):
    identity, operate = _perms("petitions.view_denouncer_identity", "meeting.operate_sitting")
    clerk_client.post("/admin/auth/group/add/", {"name": "Lối tắt", "permissions": [identity.pk, operate.pk]})
    group = Group.objects.filter(name="Lối tắt").first()
    assert group is None or identity not in group.permissions.all()


def test_a_clerk_cannot_add_a_permission_they_lack_to_their_own_group(clerk_client, people):
    identity, operate = _perms("petitions.view_denouncer_identity", "meeting.operate_sitting")
    group = Group.objects.create(name="Văn phòng")
    group.permissions.add(operate)
    people["clerk"].groups.add(group)
    clerk_client.post(f"/admin/auth/group/{group.pk}/change/",
                      {"name": "Văn phòng", "permissions": [operate.pk, identity.pk]})
    assert list(group.permissions.all()) == [operate]
    assert not _fresh(people["clerk"]).has_perm("petitions.view_denouncer_identity")


def test_the_group_form_offers_only_the_clerks_permissions(clerk_client, people):
    form = clerk_client.get("/admin/auth/group/add/").context["adminform"].form
    offered = set(form.fields["permissions"].queryset)
    assert offered == set(Permission.objects.filter(user=people["clerk"]))


def test_a_clerk_cannot_change_or_delete_a_group_holding_more_than_they_do(clerk_client, people):
    (identity,) = _perms("petitions.view_denouncer_identity")
    group = Group.objects.create(name="Tiếp dân")
    group.permissions.add(identity)
    response = clerk_client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Tiếp dân", "permissions": []})
    assert response.status_code == 403
    assert clerk_client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 403
    assert list(Group.objects.get(pk=group.pk).permissions.all()) == [identity]


def test_a_clerk_still_keeps_a_group_within_their_rights(clerk_client, people):
    (operate,) = _perms("meeting.operate_sitting")
    response = clerk_client.post("/admin/auth/group/add/", {"name": "Thư ký", "permissions": [operate.pk]})
    assert response.status_code == 302
    assert list(Group.objects.get(name="Thư ký").permissions.all()) == [operate]


def test_the_superuser_may_give_a_group_any_permission(client, people):
    client.force_login(people["admin"])
    (identity,) = _perms("petitions.view_denouncer_identity")
    assert client.post("/admin/auth/group/add/", {"name": "Tiếp dân", "permissions": [identity.pk]}).status_code == 302
    assert list(Group.objects.get(name="Tiếp dân").permissions.all()) == [identity]
