"""The admin of resolutions: the status is read-only; a change goes through the services (audited,
only the fields the status allows); tasks and supervisions are read-only; nothing is deleted."""

import pytest
from django.contrib.auth import get_user_model

from audit.models import AuditRecord
from resolutions.models import Resolution, Status
from tests.resolutions.fixtures import *  # noqa: F401,F403


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def change_url(resolution):
    return f"/admin/resolutions/resolution/{resolution.pk}/change/"


def test_the_admin_lists_and_opens_a_resolution(admin_client, adopted):
    assert admin_client.get("/admin/resolutions/resolution/").status_code == 200
    response = admin_client.get(change_url(adopted))
    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields


def test_an_admin_edit_goes_through_the_service_and_leaves_the_status(admin_client, people, adopted):
    response = admin_client.post(change_url(adopted), {
        "area": "budget", "public": "", "effective_on": "2026-08-01", "signed_document": "",
        "transitions-TOTAL_FORMS": 0, "transitions-INITIAL_FORMS": 0, "documents-TOTAL_FORMS": 0,
        "documents-INITIAL_FORMS": 0, "links_out-TOTAL_FORMS": 0, "links_out-INITIAL_FORMS": 0, "status": "completed"})
    assert response.status_code == 302, response.content.decode()[:2000]
    adopted.refresh_from_db()
    assert (adopted.area, adopted.public, adopted.status) == ("budget", False, Status.ADOPTED)
    assert AuditRecord.objects.filter(action="resolutions.update", outcome="ok").count() == 1


def test_the_admin_deletes_no_resolution(admin_client, adopted):
    assert admin_client.post(f"/admin/resolutions/resolution/{adopted.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Resolution.objects.filter(pk=adopted.pk).exists()


def test_tasks_are_read_only_in_the_admin(admin_client, db):
    assert admin_client.get("/admin/resolutions/task/").status_code == 200
    assert admin_client.get("/admin/resolutions/task/add/").status_code == 403


def test_an_admin_add_creates_a_planned_resolution_through_the_service(admin_client, term):
    response = admin_client.post("/admin/resolutions/resolution/add/", {
        "title": "Quy định phí thẩm định", "area": "fees", "term": term.pk, "planned_year": 2027, "public": "on",
        "transitions-TOTAL_FORMS": 0, "transitions-INITIAL_FORMS": 0, "documents-TOTAL_FORMS": 0,
        "documents-INITIAL_FORMS": 0, "links_out-TOTAL_FORMS": 0, "links_out-INITIAL_FORMS": 0})
    assert response.status_code == 302
    made = Resolution.objects.get()
    assert (made.title, made.status) == ("Quy định phí thẩm định", Status.PLANNED)
    assert AuditRecord.objects.filter(action="resolutions.create", outcome="ok").count() == 1
