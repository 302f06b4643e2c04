"""Following a public resolution by e-mail: double opt-in (nothing before the confirmation link's
button), one mail per status change and per published report to confirmed subscribers only, after
the commit, an unsubscribe link in every mail; bad tokens 404; throttled."""

import re

import pytest
from django.urls import reverse

from resolutions import services, services_public, services_tasks, subscriptions
from resolutions.models import Status, Subscription
from resolutions.services import ResolutionError
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403

EMAIL = "cu.tri@example.vn"


@pytest.fixture
def subscribe(client, adopted, mailoutbox, django_capture_on_commit_callbacks):
    def ask(email=EMAIL, resolution=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("resolutions:subscribe", args=[(resolution or adopted).pk]), {"email": email})
    return ask


def _link(message, name):
    return re.search(rf"https?://\S+/public/resolutions/{name}/\S+/", message.body).group(0)


@pytest.fixture
def confirmed(client, subscribe, mailoutbox):
    subscribe()
    client.post(_link(mailoutbox[0], "subscribe"))
    mailoutbox.clear()
    return Subscription.objects.get(email=EMAIL)


def test_asking_sends_one_confirmation_mail_and_confirms_nothing(subscribe, mailoutbox):
    response = subscribe()
    assert response.status_code == 200 and 'id="asked"' in response.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [EMAIL]
    assert Subscription.objects.get(email=EMAIL).confirmed_at is None


def test_an_unconfirmed_address_gets_no_mail_on_a_status_change(people, adopted, task, subscribe, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    subscribe()
    mailoutbox.clear()
    report = services_tasks.report_progress(people["agent"], task, text="Đợt một")
    with django_capture_on_commit_callbacks(execute=True):
        services_public.publish_report(people["manager"], report)
    assert mailoutbox == []


def test_opening_the_confirmation_link_shows_a_button_and_confirms_nothing_yet(client, subscribe, mailoutbox):
    subscribe()
    page = client.get(_link(mailoutbox[0], "subscribe"))
    assert page.status_code == 200 and "<form method=\"post\"" in page.content.decode()
    assert Subscription.objects.get(email=EMAIL).confirmed_at is None


def test_the_confirmation_button_confirms(client, subscribe, mailoutbox):
    subscribe()
    page = client.post(_link(mailoutbox[0], "subscribe"))
    assert page.status_code == 200 and 'id="confirmed"' in page.content.decode()
    assert Subscription.objects.get(email=EMAIL).confirmed_at is not None


def test_a_confirmed_subscriber_gets_one_mail_per_published_report_with_an_unsubscribe_link(
        people, task, confirmed, mailoutbox, django_capture_on_commit_callbacks):
    report = services_tasks.report_progress(people["agent"], task, text="Đã hỗ trợ 700 học sinh")
    with django_capture_on_commit_callbacks(execute=True):
        services_public.publish_report(people["manager"], report)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [EMAIL]
    assert "Đã hỗ trợ 700 học sinh" in mailoutbox[0].body
    assert f"/public/resolutions/unsubscribe/{confirmed.token}/" in mailoutbox[0].body


def test_an_unpublished_report_sends_nothing(people, task, confirmed, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services_tasks.report_progress(people["agent"], task, text="Nội bộ")
    assert mailoutbox == []


def test_a_confirmed_subscriber_gets_one_mail_per_status_change(people, adopted, finance, confirmed, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    from tests.resolutions.tasks_fixtures import make_task

    with django_capture_on_commit_callbacks(execute=True):
        make_task(people["manager"], adopted, finance)  # the first task: adopted -> implementing
    assert len(mailoutbox) == 1
    assert str(Status.IMPLEMENTING.label) in mailoutbox[0].subject
    assert f"/public/resolutions/unsubscribe/{confirmed.token}/" in mailoutbox[0].body


def test_a_failed_mail_never_undoes_the_change(people, task, confirmed, monkeypatch,
                                              django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise OSError("the mail server is down")

    monkeypatch.setattr(subscriptions, "_send", broken)
    report = services_tasks.report_progress(people["agent"], task, text="Đợt một")
    with django_capture_on_commit_callbacks(execute=True):
        services_public.publish_report(people["manager"], report)
    report.refresh_from_db()
    assert report.published_at is not None


def test_unsubscribing_by_the_link_stops_the_mails(client, people, task, confirmed, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    url = reverse("resolutions:unsubscribe", args=[confirmed.token])
    assert client.get(url).status_code == 200 and Subscription.objects.filter(pk=confirmed.pk).exists()
    assert 'id="unsubscribed"' in client.post(url).content.decode()
    report = services_tasks.report_progress(people["agent"], task, text="Đợt một")
    with django_capture_on_commit_callbacks(execute=True):
        services_public.publish_report(people["manager"], report)
    assert mailoutbox == []


@pytest.mark.parametrize("name", ["subscription_confirm", "unsubscribe"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_token_answers_404(client, db, name, method):
    assert getattr(client, method)(reverse(f"resolutions:{name}", args=["not-a-token"])).status_code == 404


def test_a_bad_address_is_refused_with_400_and_nothing_stored(subscribe, mailoutbox):
    response = subscribe(email="không phải email")
    assert response.status_code == 400 and "Email" in response.content.decode()
    assert not Subscription.objects.exists() and mailoutbox == []


def test_a_resolution_not_public_cannot_be_followed(client, people, adopted, mailoutbox):
    services.update_resolution(people["manager"], adopted, public=False)
    response = client.post(reverse("resolutions:subscribe", args=[adopted.pk]), {"email": EMAIL})
    assert response.status_code == 404 and not Subscription.objects.exists()


def test_subscribing_needs_a_post(client, adopted):
    assert client.get(reverse("resolutions:subscribe", args=[adopted.pk])).status_code == 405


def test_a_client_asking_too_often_is_throttled(subscribe, mailoutbox):
    for n in range(subscriptions.SUBSCRIBE_PER_CLIENT_HOUR):
        assert subscribe(email=f"nguoi{n}@example.vn").status_code == 200
    response = subscribe(email="mot-nua@example.vn")
    assert response.status_code == 429
    assert not Subscription.objects.filter(email="mot-nua@example.vn").exists()


def test_a_confirmed_address_asking_again_gets_no_new_mail(subscribe, confirmed, mailoutbox):
    subscribe()
    assert mailoutbox == []


def test_the_service_refuses_a_resolution_not_public(people, adopted):
    services.update_resolution(people["manager"], adopted, public=False)
    with pytest.raises(ResolutionError) as refused:
        subscriptions.subscribe(adopted, EMAIL)
    assert refused.value.code == "not_found"


def test_a_confirmation_link_older_than_the_limit_is_dead(client, subscribe, mailoutbox):
    from django.utils import timezone

    subscribe()
    Subscription.objects.update(created_at=timezone.now() - timezone.timedelta(days=subscriptions.CONFIRM_WITHIN_DAYS + 1))
    assert client.post(_link(mailoutbox[0], "subscribe")).status_code == 404
    assert Subscription.objects.get(email=EMAIL).confirmed_at is None


def test_asking_again_after_the_link_died_sends_a_new_link(subscribe, mailoutbox):
    from django.utils import timezone

    subscribe()
    Subscription.objects.update(created_at=timezone.now() - timezone.timedelta(days=subscriptions.CONFIRM_WITHIN_DAYS + 1))
    subscribe()
    assert len(mailoutbox) == 2 and _link(mailoutbox[0], "subscribe") != _link(mailoutbox[1], "subscribe")


def test_a_subscriber_can_stop_even_after_the_resolution_left_the_public_pages(client, people, adopted, confirmed):
    services.update_resolution(people["manager"], adopted, public=False)
    url = reverse("resolutions:unsubscribe", args=[confirmed.token])
    assert client.get(url).status_code == 200
    client.post(url)
    assert not Subscription.objects.filter(pk=confirmed.pk).exists()
