"""Open311 GeoReport v2: the public shape of petitions and feedback.

Pure translation between the register and the spec (http://wiki.open311.org/GeoReport_v2):
which cases are public through the API, what each field says, and how a
response is written as JSON or XML. The views (petitions.views_api) parse the
request and call petitions.services; nothing here writes.

What is public, and what never is:
- services are the public kinds only: petition (kiến nghị) and feedback (phản
  ánh). Complaints and denunciations need the sender's identity and a legal
  procedure, so they are neither offered nor ever listed — nor is a case that
  was a denunciation and was classified as something else since
  (accounts.permissions.unprotected_cases);
- a request shows what the case is about and where it stands, never who sent
  it: no name, email, phone, address or ID of the sender, no attachments (a
  scan can carry handwriting), no office notes;
- `description` is the text of a public case, hidden when the office found the
  letter not eligible (abusive, illegible…) or made the case not public.
"""

import datetime as dt
import json
import xml.etree.ElementTree as ET

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import unprotected_cases

from .models import Case, Field

# ---- services -------------------------------------------------------------------------------

PUBLIC_KINDS = (Case.Kind.PETITION, Case.Kind.FEEDBACK)

SERVICES = {
    Case.Kind.PETITION: {
        "service_name": "Kiến nghị",
        "description": "Kiến nghị với Hội đồng nhân dân và các cơ quan nhà nước về chủ trương, chính sách, "
                       "việc quản lý nhà nước ở địa phương.",
        "keywords": "kiến nghị,đề xuất,chính sách",
        "group": "Đơn thư",
    },
    Case.Kind.FEEDBACK: {
        "service_name": "Phản ánh",
        "description": "Phản ánh về hiện tượng, sự việc bất cập ở địa phương (hạ tầng, môi trường, "
                       "trật tự, dịch vụ công) để cơ quan có thẩm quyền xem xét, xử lý.",
        "keywords": "phản ánh,hạ tầng,môi trường,trật tự",
        "group": "Đơn thư",
    },
}

# Cases that have reached an end (Open311 "closed"); every other status is "open".
CLOSED_STATUSES = (
    Case.Status.PUBLISHED, Case.Status.GUIDED, Case.Status.NOT_ELIGIBLE, Case.Status.DUPLICATE,
    Case.Status.WITHDRAWN, Case.Status.CLOSED,
)
HIDDEN_DESCRIPTION = (Case.Status.NOT_ELIGIBLE,)

MAX_DESCRIPTION = 4000
MAX_RESULTS = 1000
DEFAULT_DAYS = 90


def services() -> list[dict]:
    return [{
        "service_code": str(code),
        "service_name": info["service_name"],
        "description": info["description"],
        "metadata": True,
        "type": "realtime",
        "keywords": info["keywords"],
        "group": info["group"],
    } for code, info in SERVICES.items()]


def field_values() -> list[dict]:
    return [{"key": code, "name": name} for code, name in Field.objects.order_by("name").values_list("code", "name")]


def commune_values() -> list[dict]:
    """The province's communes, wards and special zones (two levels since 1/7/2025):
    settings.PETITION_COMMUNES when set, else those already in the register."""
    names = list(getattr(settings, "PETITION_COMMUNES", ()) or ())
    if not names:
        names = sorted(set(Case.objects.exclude(commune="").order_by().values_list("commune", flat=True).distinct()[:300]))
    return [{"key": name, "name": name} for name in names]


def service_definition(code: str) -> dict | None:
    if code not in SERVICES:
        return None
    communes = commune_values()
    return {
        "service_code": code,
        "attributes": [
            {"variable": True, "code": "field", "datatype": "singlevaluelist", "required": False,
             "datatype_description": "Chọn một lĩnh vực.", "order": 1, "description": "Lĩnh vực",
             "values": field_values()},
            {"variable": True, "code": "commune", "datatype": "singlevaluelist" if communes else "string",
             "required": False, "datatype_description": "Xã, phường hoặc đặc khu nơi xảy ra sự việc (tối đa 120 ký tự).",
             "order": 2, "description": "Xã/phường/đặc khu", "values": communes},
            {"variable": True, "code": "subject", "datatype": "string", "required": False,
             "datatype_description": "Tối đa 300 ký tự; để trống thì lấy từ đầu nội dung.", "order": 3,
             "description": "Tóm tắt nội dung", "values": []},
        ],
    }


# ---- requests -------------------------------------------------------------------------------

def public_cases():
    """Every case the API may show: public kinds, public cases, never one that is or was a denunciation."""
    return unprotected_cases(Case.objects.filter(kind__in=PUBLIC_KINDS, is_public=True))


def iso(moment) -> str | None:
    """ISO 8601 with the offset, in the council's time zone: 2026-11-27T09:30:00+07:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def end_of_day(day: dt.date | None) -> str | None:
    if day is None:
        return None
    moment = dt.datetime.combine(day, dt.time(23, 59, 59))
    return iso(timezone.make_aware(moment))


def request_row(case: Case) -> dict:
    closed = case.status in CLOSED_STATUSES
    place = case.locality
    notice = (_("Hạn trả lời: %(d)s") % {"d": case.due_on.strftime("%d/%m/%Y")}) if case.due_on and not closed else ""
    return {
        "service_request_id": case.tracking_code,
        "status": "closed" if closed else "open",
        "status_notes": str(case.get_status_display()),
        "service_name": SERVICES.get(case.kind, {}).get("service_name", ""),
        "service_code": str(case.kind),
        "description": None if case.status in HIDDEN_DESCRIPTION else case.content,
        "agency_responsible": case.agency.name if case.agency_id else None,
        "service_notice": notice or None,
        "requested_datetime": iso(case.received_at),
        "updated_datetime": iso(case.updated_at),
        "expected_datetime": None if closed else end_of_day(case.due_on),
        "address": place or None,
        "address_id": None,
        "zipcode": None,
        "lat": float(case.latitude) if case.latitude is not None else None,
        "long": float(case.longitude) if case.longitude is not None else None,
        "media_url": None,
    }


def open_status_filter(statuses: set[str]):
    """Case statuses for Open311's open/closed."""
    out = set()
    if "closed" in statuses:
        out |= {str(s) for s in CLOSED_STATUSES}
    if "open" in statuses:
        out |= {str(s) for s in Case.Status if s not in CLOSED_STATUSES}
    return out


# ---- writing JSON and XML ---------------------------------------------------------------------

def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent, tag: str, value):
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _element(node, key, inner)
    else:
        node.text = _text(value)
    return node


def to_xml(root_tag: str, item_tag: str, items: list[dict]) -> bytes:
    root = ET.Element(root_tag)
    for item in items:
        _element(root, item_tag, item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def service_definition_xml(definition: dict) -> bytes:
    root = ET.Element("service_definition")
    _element(root, "service_code", definition["service_code"])
    attributes = ET.SubElement(root, "attributes")
    for attribute in definition["attributes"]:
        node = ET.SubElement(attributes, "attribute")
        for key, value in attribute.items():
            if key == "values":
                values = ET.SubElement(node, "values")
                for pair in value:
                    _element(values, "value", pair)
            else:
                _element(node, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def discovery(base_url: str) -> dict:
    return {
        "changeset": "2026-11-27T00:00:00+07:00",
        "contact": settings.COUNCIL_NAME,
        "key_service": _("Không cần khóa API: gửi công khai, giới hạn số lần gửi mỗi giờ như biểu mẫu trên cổng."),
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": base_url,
            "changeset": "2026-11-27T00:00:00+07:00",
            "type": "production",
            "formats": ["application/json", "application/xml"],
        }],
    }


def discovery_xml(data: dict) -> bytes:
    root = ET.Element("discovery")
    for key in ("changeset", "contact", "key_service"):
        _element(root, key, data[key])
    endpoints = ET.SubElement(root, "endpoints")
    for endpoint in data["endpoints"]:
        node = ET.SubElement(endpoints, "endpoint")
        for key in ("specification", "url", "changeset", "type"):
            _element(node, key, endpoint[key])
        formats = ET.SubElement(node, "formats")
        for fmt in endpoint["formats"]:
            _element(formats, "format", fmt)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)
