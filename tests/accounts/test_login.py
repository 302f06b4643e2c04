"""Password sign-in for people (chair, secretary, delegates, office staff)."""

from meeting.demo import DEMO_PASSWORD


def test_login_page_is_in_vietnamese(client, sitting):
    response = client.get("/accounts/login/")
    text = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in text and "Tên đăng nhập" in text and "Mật khẩu" in text


def test_signing_in_with_the_right_password_goes_home(client, users):
    response = client.post("/accounts/login/", {"username": users["alice"].username, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == users["alice"].pk


def test_signing_in_returns_to_the_page_asked_for(client, users):
    response = client.post("/accounts/login/", {"username": "thuky", "password": DEMO_PASSWORD, "next": "/members/"})
    assert response["Location"] == "/members/"


def test_a_wrong_password_is_refused_with_a_clear_message(client, users):
    response = client.post("/accounts/login/", {"username": users["alice"].username, "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_out_is_a_post(client, users):
    client.force_login(users["alice"])
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
