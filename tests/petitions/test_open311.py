"""Open311 GeoReport v2: every endpoint in JSON and XML, checked against the spec's rules.

Personas: a citizen's app (anonymous client of the API), staff (petition staff,
sees the register), and the people of service_fixtures.
"""

import datetime as dt
import json
from decimal import Decimal
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from petitions import services
from petitions.models import Case, Identity
from tests.petitions.service_fixtures import WHO, letter, media_folder, people  # noqa: F401 (fixtures)

ISO_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
SENDER = {"first_name": "Tám", "last_name": "Lê Văn", "email": "le.van.tam@example.vn", "phone": "0987654321"}
PRIVATE_WORDS = ("Lê Văn", "le.van.tam@example.vn", "0987654321", "Tràng Đà", WHO["email"], "0912 345 678", "tam@example.vn")


def url(name, fmt, *args):
    return reverse(f"petitions:open311_{name}", args=[*args, fmt])


def get_json(client, name, *args, **params):
    response = client.get(url(name, "json", *args), params)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response, json.loads(response.content.decode("utf-8"))


def get_xml(client, name, *args, **params):
    response = client.get(url(name, "xml", *args), params)
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return response, ET.fromstring(response.content)


def post(client, fmt="json", **data):
    payload = {"service_code": "feedback", "description": "Đèn đường ở ngã ba Km 7 hỏng đã hai tuần, ban đêm rất tối.",
               "attribute[commune]": "Xã Yên Sơn", **data}
    return client.post(url("requests", fmt), payload, REMOTE_ADDR="203.0.113.7")


def assert_private_free(body: bytes):
    text = body.decode("utf-8")
    for word in PRIVATE_WORDS:
        assert word not in text, word


@pytest.fixture
def cases(people):
    """A petition and a feedback from citizens, a complaint and a denunciation that must never show."""
    petition = letter(field=people["land"], district="Huyện Yên Sơn")
    feedback = letter(kind="feedback", subject="Rác thải đổ trộm ven suối Nậm Mu",
                      content="Nhiều xe đổ trộm rác thải xây dựng ven suối Nậm Mu, gây ô nhiễm nguồn nước.",
                      district="Huyện Lâm Bình", anonymous=True)
    complaint = letter(kind="complaint", subject="Khiếu nại quyết định thu hồi đất số 12")
    # Another sender: every letter of someone who filed a denunciation is kept off the API
    # (test_denouncer_protection.py, a denouncer's later letter).
    denunciation = letter(kind="denunciation", subject="Tố cáo cán bộ địa chính xã nhận tiền",
                          identity={"full_name": "Hà Thị Tố", "phone": "0977000111"})
    return {"petition": petition, "feedback": feedback, "complaint": complaint, "denunciation": denunciation}


# ---- discovery and services -----------------------------------------------------------------------

def test_discovery_lists_the_v2_endpoint_in_both_formats(client, db):
    _response, data = get_json(client, "discovery")
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert {"application/json", "application/xml"} <= set(endpoint["formats"])
    _response, root = get_xml(client, "discovery")
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/specification").text == "http://wiki.open311.org/GeoReport_v2"


def test_services_are_the_public_kinds_only(client, db):
    _response, data = get_json(client, "services")
    assert [s["service_code"] for s in data] == ["petition", "feedback"]
    for service in data:
        assert set(service) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
        assert service["metadata"] is True and service["type"] == "realtime"
    assert data[0]["service_name"] == "Kiến nghị" and data[1]["service_name"] == "Phản ánh"
    _response, root = get_xml(client, "services")
    assert root.tag == "services"
    assert [s.find("service_code").text for s in root.findall("service")] == ["petition", "feedback"]
    assert root.find("service/metadata").text == "true"
    assert root.find("service/service_name").text == "Kiến nghị"


@pytest.mark.parametrize("code", ["complaint", "denunciation", "voter_petition"])
def test_complaints_and_denunciations_are_no_service(client, db, code):
    response, data = get_json(client, "service", code)
    assert response.status_code == 404
    assert data[0]["code"] == 404 and data[0]["description"]


def test_service_definition_has_the_field_list(client, people):
    _response, data = get_json(client, "service", "petition")
    assert data["service_code"] == "petition"
    by_code = {a["code"]: a for a in data["attributes"]}
    field = by_code["field"]
    assert field["datatype"] == "singlevaluelist" and field["variable"] is True and field["required"] is False
    assert {"key": "dat-dai", "name": "Đất đai"} in field["values"]
    assert [a["order"] for a in data["attributes"]] == sorted(a["order"] for a in data["attributes"])
    _response, root = get_xml(client, "service", "feedback")
    assert root.tag == "service_definition"
    attribute = [a for a in root.findall("attributes/attribute") if a.find("code").text == "field"][0]
    assert attribute.find("datatype").text == "singlevaluelist"
    assert {v.find("name").text for v in attribute.findall("values/value")} == {"Đất đai", "Y tế"}


# ---- POST a request ----------------------------------------------------------------------------

def test_post_creates_a_case_staff_can_see_and_returns_its_tracking_code(client, people):
    response = post(client, **SENDER, **{"attribute[field]": "dat-dai", "lat": "21.82", "long": "105.21"})
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    [row] = json.loads(response.content)
    assert set(row) == {"service_request_id", "service_notice", "account_id"}
    case = Case.objects.get(tracking_code=row["service_request_id"])
    assert case.source == Case.Source.API and case.kind == "feedback" and case.field == people["land"]
    # Where: the commune, and the coordinates as fields of the case (not text in its content).
    assert (case.commune, case.district) == ("Xã Yên Sơn", "")
    assert (case.latitude, case.longitude) == (Decimal("21.820000"), Decimal("105.210000"))
    assert "21.82" not in case.content
    _response, [got] = get_json(client, "request", case.tracking_code)
    assert (got["lat"], got["long"]) == (21.82, 105.21)
    assert Identity.objects.get(case=case).full_name == "Lê Văn Tám"  # kept for the office, never shown
    assert_private_free(response.content)
    client.force_login(people["staff"])
    page = client.get(reverse("petitions:case", args=[case.pk]))
    assert page.status_code == 200 and case.tracking_code in page.content.decode()


def test_post_in_xml_answers_in_xml(client, people):
    response = post(client, "xml", **SENDER)
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    code = root.find("request/service_request_id").text
    assert Case.objects.filter(tracking_code=code).exists()


def test_vietnamese_text_round_trips_in_utf8(client, people):
    text = "Cử tri thôn Nà Khà đề nghị nâng cấp đường vào điểm trường Mầm non Hồng Quang — ổ gà, lầy lội."
    [row] = json.loads(post(client, description=text, **SENDER).content)
    _response, [got] = get_json(client, "request", row["service_request_id"])
    assert got["description"] == text
    _response, root = get_xml(client, "request", row["service_request_id"])
    assert root.find("request/description").text == text


@pytest.mark.parametrize("data, status, words", [
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "complaint"}, 404, "complaint"),
    ({"description": "ngắn"}, 400, "description"),
    ({"description": "x" * 4001}, 400, "4000"),
    ({"attribute[commune]": ""}, 400, "lat"),
    ({"attribute[district]": "Huyện Yên Sơn"}, 400, "district"),  # no district since 1/7/2025
    ({"lat": "21.82"}, 400, "long"),
    ({"lat": "hai mươi", "long": "105"}, 400, "lat"),
    ({"lat": "95", "long": "105"}, 400, "lat"),
    ({"attribute[field]": "khong-co"}, 400, "khong-co"),
    ({"attribute[colour]": "red"}, 400, "colour"),
    ({"password": "x"}, 400, "password"),
    ({"email": "not-an-email"}, 400, "email"),
])
def test_bad_posts_get_the_spec_error_list(client, people, data, status, words):
    before = Case.objects.count()
    response = post(client, **{**SENDER, **data})
    assert response.status_code == status
    [error] = json.loads(response.content)
    assert set(error) == {"code", "description"} and error["code"] == status and words in error["description"]
    assert Case.objects.count() == before


def test_error_list_in_xml(client, db):
    response = post(client, "xml", service_code="")
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.find("error/code").text == "400"
    assert root.find("error/description").text


def test_a_petition_needs_a_name_like_the_web_form(client, people):
    response = post(client, service_code="petition")
    assert response.status_code == 400
    assert json.loads(response.content)[0]["description"]


def test_posts_are_throttled_like_the_web_form(client, people, settings):
    settings.PETITION_SUBMISSIONS_PER_HOUR = 2
    assert [post(client, **SENDER).status_code for _ in range(2)] == [201, 201]
    response = post(client, **SENDER)
    assert response.status_code == 429
    assert json.loads(response.content)[0]["code"] == 429


def test_oversized_bodies_are_refused(client, db):
    response = client.post(url("requests", "json"), {"service_code": "feedback", "description": "a" * 70000})
    assert response.status_code == 400
    assert "KB" in json.loads(response.content)[0]["description"]


def test_json_bodies_are_refused_the_spec_is_form_encoded(client, db):
    response = client.post(url("requests", "json"), json.dumps({"service_code": "feedback"}), content_type="application/json")
    assert response.status_code == 400


# ---- GET requests -----------------------------------------------------------------------------

def test_request_rows_follow_the_spec(client, cases):
    _response, rows = get_json(client, "requests")
    assert {r["service_request_id"] for r in rows} == {cases["petition"].tracking_code, cases["feedback"].tracking_code}
    for row in rows:
        assert set(row) == REQUEST_FIELDS
        assert row["status"] in ("open", "closed")
        assert ISO_OFFSET.match(row["requested_datetime"]) and ISO_OFFSET.match(row["updated_datetime"])
        assert row["requested_datetime"].endswith("+07:00")
        assert row["expected_datetime"] is None or ISO_OFFSET.match(row["expected_datetime"])
    petition = [r for r in rows if r["service_code"] == "petition"][0]
    assert petition["service_name"] == "Kiến nghị" and petition["address"] == "Huyện Yên Sơn"
    assert petition["description"] == cases["petition"].content


def test_complaints_and_denunciations_are_never_listed(client, cases):
    hidden = {cases["complaint"].tracking_code, cases["denunciation"].tracking_code}
    for params in ({}, {"service_request_id": ",".join(hidden)}, {"status": "open,closed"}):
        _response, rows = get_json(client, "requests", **params)
        assert not hidden & {r["service_request_id"] for r in rows}
        _response, root = get_xml(client, "requests", **params)
        assert not hidden & {e.text for e in root.iter("service_request_id")}
    for code in hidden:
        response, data = get_json(client, "request", code)
        assert response.status_code == 404 and data[0]["code"] == 404


def test_no_personal_data_in_any_response(client, cases, people):
    [row] = json.loads(post(client, **SENDER).content)
    responses = [client.get(url(name, fmt, *args)) for fmt in ("json", "xml") for name, args in
                 (("requests", ()), ("request", (row["service_request_id"],)),
                  ("request", (cases["petition"].tracking_code,)), ("services", ()), ("service", ("petition",)))]
    responses.append(client.get(reverse("petitions:api_cases")))
    for response in responses:
        assert response.status_code == 200
        assert_private_free(response.content)


def test_filters_by_ids_code_status_and_dates(client, cases):
    petition, feedback = cases["petition"], cases["feedback"]
    _r, rows = get_json(client, "requests", service_request_id=f"{petition.tracking_code},{feedback.tracking_code.lower()}")
    assert len(rows) == 2
    _r, rows = get_json(client, "requests", service_code="feedback")
    assert [r["service_request_id"] for r in rows] == [feedback.tracking_code]
    _r, rows = get_json(client, "requests", status="closed")
    assert rows == []
    _r, rows = get_json(client, "requests", status="open")
    assert len(rows) == 2
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat() + "T00:00:00+07:00"
    _r, rows = get_json(client, "requests", start_date=tomorrow)
    assert rows == []
    _r, rows = get_json(client, "requests", end_date=tomorrow)
    assert len(rows) == 2


def test_closed_status_after_the_case_ends(client, cases, people):
    services.decide(people["staff"], cases["feedback"], decision="guide", note="Đề nghị liên hệ UBND huyện Lâm Bình.")
    _r, rows = get_json(client, "requests", status="closed")
    assert [r["service_request_id"] for r in rows] == [cases["feedback"].tracking_code]
    assert rows[0]["status"] == "closed" and rows[0]["expected_datetime"] is None


def test_default_window_is_90_days(client, cases):
    Case.objects.filter(pk=cases["petition"].pk).update(received_at=cases["petition"].received_at - dt.timedelta(days=91))
    _r, rows = get_json(client, "requests")
    assert [r["service_request_id"] for r in rows] == [cases["feedback"].tracking_code]


@pytest.mark.parametrize("params", [{"status": "pending"}, {"start_date": "hôm qua"}, {"service_code": "complaint"}])
def test_bad_filters_are_errors(client, db, params):
    response, data = get_json(client, "requests", **params)
    assert response.status_code == 400 and data[0]["code"] == 400


def test_unknown_request_is_404_in_both_formats(client, db):
    response, data = get_json(client, "request", "AAAA-BBBB-CCCC")
    assert response.status_code == 404 and data[0]["code"] == 404
    response, root = get_xml(client, "request", "AAAA-BBBB-CCCC")
    assert response.status_code == 404 and root.find("error/code").text == "404"


def test_agency_responsible_after_forwarding(client, cases, people):
    services.decide(people["staff"], cases["petition"], decision="forward", agency=people["env"])
    _r, [row] = get_json(client, "request", cases["petition"].tracking_code)
    assert row["agency_responsible"] == "Sở Tài nguyên và Môi trường" and row["status"] == "open"
