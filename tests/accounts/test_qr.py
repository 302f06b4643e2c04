"""QR images of pairing codes: PNG and SVG, drawn only for the staff member who issued the code."""

import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image

from accounts import pairing
from accounts.models import PairingToken

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def staff_client(client, users):
    client.force_login(users["secretary"])
    return client


def test_qr_png_is_a_square_png_image():
    data = pairing.qr_png("http://testserver/pair/abc.def/")
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 21 * 8


def test_qr_svg_is_well_formed_svg():
    root = ET.fromstring(pairing.qr_svg("http://testserver/pair/abc.def/"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


def test_inline_svg_is_well_formed_and_sized_by_css():
    root = ET.fromstring(pairing.qr_svg_inline("http://testserver/pair/abc.def/"))
    assert root.get("class") == "qr" and root.get("width") is None


def test_png_view_draws_the_pair_url_of_the_code(staff_client, issue, users):
    token = issue("terminal", user=users["alice"])
    response = staff_client.get(f"/devices/qr/{token}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    # Same input, same drawing: the image encodes exactly our pair URL.
    assert response.content == pairing.qr_png(f"http://testserver/pair/{token}/")


def test_svg_view_draws_the_pair_url_of_the_code(staff_client, issue, users):
    token = issue("terminal", user=users["alice"])
    response = staff_client.get(f"/devices/qr/{token}.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    ET.fromstring(response.content)
    assert response.content == pairing.qr_svg(f"http://testserver/pair/{token}/")


def test_qr_of_a_code_issued_by_someone_else_is_not_drawn(client, users):
    from django.contrib.auth.models import Permission

    colleague = get_user_model().objects.create_user("thuky2", first_name="Đào Thu Hằng")
    colleague.user_permissions.add(Permission.objects.get(codename="operate_sitting"))
    token = pairing.issue("terminal", user=users["alice"], created_by=colleague)
    client.force_login(users["secretary"])
    assert client.get(f"/devices/qr/{token}.png").status_code == 404


def test_qr_of_a_made_up_code_is_not_drawn(staff_client):
    assert staff_client.get("/devices/qr/https%3A%2F%2Fevil.example.svg").status_code == 404


def test_qr_of_an_expired_code_is_gone(staff_client, issue, users):
    token = issue("terminal", user=users["alice"])
    PairingToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert staff_client.get(f"/devices/qr/{token}.svg").status_code == 410


def test_qr_images_are_not_for_delegates(client, issue, users):
    token = issue("terminal", user=users["alice"])
    client.force_login(users["alice"])
    assert client.get(f"/devices/qr/{token}.png").status_code == 403
