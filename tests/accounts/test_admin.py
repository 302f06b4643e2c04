"""The Django admin for reference data: every page loads; live state goes through services."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import pairing
from accounts.models import Device
from agenda.models import AgendaItem
from meeting.models import Sitting

MODELS = ["meeting.term", "meeting.body", "meeting.seat", "meeting.member", "meeting.membership", "meeting.session",
          "meeting.sitting", "meeting.attendance", "agenda.agendaitem", "displays.display", "accounts.device",
          "accounts.pairingtoken", "audit.auditrecord"]


@pytest.fixture
def admin_client(client, sitting):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_every_reference_model_is_in_the_admin():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert set(MODELS) <= registered


@pytest.mark.parametrize("model", MODELS)
def test_changelist_loads_for_a_superuser(admin_client, model):
    app, name = model.split(".")
    assert admin_client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200


@pytest.mark.parametrize("model", ["meeting.body", "meeting.member", "meeting.sitting", "displays.display"])
def test_change_page_loads_for_a_superuser(admin_client, model):
    from django.apps import apps

    app, name = model.split(".")
    obj = apps.get_model(app, name).objects.first()
    assert admin_client.get(reverse(f"admin:{app}_{name}_change", args=[obj.pk])).status_code == 200


def test_member_search_by_name_and_code(admin_client):
    response = admin_client.get(reverse("admin:meeting_member_changelist"), {"q": "DB010"})
    assert [m.code for m in response.context["cl"].result_list] == ["DB010"]


def test_member_list_links_to_the_csv_import(admin_client):
    assert reverse("meeting:member_import") in admin_client.get(reverse("admin:meeting_member_changelist")).content.decode()


def test_agenda_of_a_scheduled_sitting_can_be_planned_inline(admin_client, sitting):
    response = admin_client.get(reverse("admin:meeting_sitting_change", args=[sitting.pk]))
    formset = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is AgendaItem)
    assert formset.has_change_permission and formset.has_add_permission


def test_agenda_of_a_live_sitting_is_read_only_in_the_admin(admin_client, sitting, actors):
    from meeting import services

    services.open_sitting(actors["chair"], sitting.pk)
    response = admin_client.get(reverse("admin:meeting_sitting_change", args=[sitting.pk]))
    formset = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is AgendaItem)
    assert not (formset.has_change_permission or formset.has_add_permission or formset.has_delete_permission)


def test_opening_a_sitting_from_the_admin_goes_through_the_service(admin_client, sitting):
    from audit.models import AuditRecord

    admin_client.post(reverse("admin:meeting_sitting_changelist"),
                      {"action": "open_sittings", "_selected_action": [sitting.pk]})
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.LIVE and sitting.seq >= 1
    assert AuditRecord.objects.filter(action="sitting.open", sitting=sitting).exists()


def test_revoking_devices_from_the_admin_goes_through_the_service(admin_client, users):
    from audit.models import AuditRecord

    _row, device = pairing.redeem(pairing.issue("terminal", user=users["alice"]))
    admin_client.post(reverse("admin:accounts_device_changelist"), {"action": "revoke", "_selected_action": [device.pk]})
    assert Device.objects.get(pk=device.pk).revoked
    assert AuditRecord.objects.filter(action="device.revoke").exists()


def test_changing_a_displays_slide_in_the_admin_goes_through_the_service(admin_client, main_display):
    from displays import slides
    from realtime.models import SittingEvent

    other = next(s.key for s in slides.all_slides() if s.key != main_display.slide)
    admin_client.post(reverse("admin:displays_display_change", args=[main_display.pk]),
                      {"name": main_display.name, "sitting": main_display.sitting_id, "slide": other})
    main_display.refresh_from_db()
    assert main_display.slide == other
    assert SittingEvent.objects.filter(sitting_id=main_display.sitting_id, type="display.updated").exists()


def test_pairing_codes_are_read_only_in_the_admin(admin_client, users):
    pairing.issue("terminal", user=users["alice"])
    model_admin = admin.site._registry[pairing.PairingToken]
    request = admin_client.get(reverse("admin:accounts_pairingtoken_changelist")).wsgi_request
    assert not model_admin.has_add_permission(request) and not model_admin.has_change_permission(request)
