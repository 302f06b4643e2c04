"""A hall display's language from its address (issue 11, item 7): a kiosk started on
/display/?lang=en shows the hall in English and keeps it (the site's language cookie); anything
else in `lang` changes nothing."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_lang_in_the_address_sets_the_page_and_the_cookie(client):
    response = client.get(reverse("displays:display") + "?lang=en")
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    again = client.get(reverse("displays:display"))  # the next reload, without the parameter
    assert '<html lang="en"' in again.content.decode()


@pytest.mark.parametrize("lang", ["xx", "", "en-GB<script>", "EN "])
def test_an_unknown_lang_changes_nothing(client, lang):
    response = client.get(reverse("displays:display"), {"lang": lang})
    assert response.status_code == 200
    assert '<html lang="vi"' in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_display_page_carries_the_language_switch_back_to_its_own_address(client):
    body = client.get(reverse("displays:display")).content.decode()
    assert 'class="hall-language"' in body and 'action="/i18n/setlang/"' in body
    assert '<input name="next" type="hidden" value="/display/">' in body
