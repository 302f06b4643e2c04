"""Open311 GeoReport v2 endpoints and the JSON export of published cases.

Public and anonymous: no session, no CSRF token (an API), no personal data in
any answer. POST creates a case through petitions.services.submit (source
"api"), throttled per client address exactly like the web form. The rules
of what is public live in petitions.open311 and petitions.export.
docs/petitions-api.md documents every endpoint.
"""

import datetime as dt

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import unprotected_cases

from . import codes, open311
from .models import Answer, Case, Field, Milestone

FORMATS = {"json": "application/json; charset=utf-8", "xml": "application/xml; charset=utf-8"}
MAX_BODY = 64 * 1024
MAX_NAME = 100
POST_FIELDS = {"service_code", "description", "lat", "long", "address_string", "address_id", "email", "device_id",
               "account_id", "first_name", "last_name", "phone", "media_url", "api_key", "jurisdiction_id"}
# No "district" since 1/7/2025 (two levels of local government): a commune, ward or special zone.
ATTRIBUTES = {"field", "commune", "subject"}


# ---- responses ----------------------------------------------------------------------------------

def _respond(fmt: str, body: bytes, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=FORMATS.get(fmt, FORMATS["json"]))
    response["Cache-Control"] = "no-store"
    return response


def _list(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> HttpResponse:
    body = open311.to_json(rows) if fmt == "json" else open311.to_xml(root, item, rows)
    return _respond(fmt, body, status)


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error list: [{code, description}] / <errors><error>…"""
    return _list(fmt if fmt in FORMATS else "json", "errors", "error",
                 [{"code": status, "description": str(description)}], status)


def client_key(request) -> str:
    """The web form's throttle key: a keyed hash of the client's address, never the address."""
    from .services import client_key as key

    return key(request.META.get("REMOTE_ADDR", "") or "unknown")


# ---- discovery, services -----------------------------------------------------------------------

@require_GET
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("petitions:open311_services", args=["json"]))
    data = open311.discovery(base.rsplit("/", 1)[0] + "/")
    body = open311.to_json(data) if fmt == "json" else open311.discovery_xml(data)
    return _respond(fmt, body)


@require_GET
def services(request, fmt):
    return _list(fmt, "services", "service", open311.services())


@require_GET
def service_definition(request, code, fmt):
    definition = open311.service_definition(code)
    if definition is None:
        return _error(fmt, 404, _("Không có dịch vụ mã %(c)s.") % {"c": code[:40]})
    body = open311.to_json(definition) if fmt == "json" else open311.service_definition_xml(definition)
    return _respond(fmt, body)


# ---- requests ---------------------------------------------------------------------------------

@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    return _search(request, fmt)


@require_GET
def request_detail(request, request_id, fmt):
    code = codes.normalize(request_id)
    case = (open311.public_cases().select_related("agency").filter(tracking_code=code).first() if code else None)
    if case is None:
        return _error(fmt, 404, _("Không tìm thấy yêu cầu %(id)s.") % {"id": request_id[:40]})
    return _list(fmt, "service_requests", "request", [open311.request_row(case)])


def _parse_moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _search(request, fmt):
    cases = open311.public_cases().select_related("agency")
    params = request.GET
    ids = params.get("service_request_id", "").strip()
    if ids:
        wanted = [codes.normalize(part) for part in ids.split(",")[: open311.MAX_RESULTS]]
        cases = cases.filter(tracking_code__in=[c for c in wanted if c])
    else:
        code = params.get("service_code", "").strip()
        if code:
            if code not in open311.SERVICES:
                return _error(fmt, 400, _("service_code không hợp lệ: %(c)s.") % {"c": code[:40]})
            cases = cases.filter(kind=code)
        start = end = None
        for name in ("start_date", "end_date"):
            value = params.get(name, "").strip()
            if value:
                moment = _parse_moment(value)
                if moment is None:
                    return _error(fmt, 400, _("%(p)s phải theo ISO 8601, ví dụ 2026-11-27T00:00:00+07:00.") % {"p": name})
                if name == "start_date":
                    start = moment
                else:
                    end = moment
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=open311.DEFAULT_DAYS)
        if start is not None:
            cases = cases.filter(received_at__gte=start)
        if end is not None:
            cases = cases.filter(received_at__lte=end)
        status = params.get("status", "").strip()
        if status:
            wanted = {part.strip() for part in status.split(",") if part.strip()}
            if not wanted <= {"open", "closed"}:
                return _error(fmt, 400, _("status chỉ nhận open hoặc closed."))
            cases = cases.filter(status__in=open311.open_status_filter(wanted))
    rows = [open311.request_row(case) for case in cases.order_by("-received_at", "-id")[: open311.MAX_RESULTS]]
    return _list(fmt, "service_requests", "request", rows)


def _create(request, fmt):
    from . import services as petition_services

    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return _error(fmt, 400, _("Yêu cầu quá lớn (tối đa %(n)d KB).") % {"n": MAX_BODY // 1024})
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _error(fmt, 400, _("Gửi yêu cầu dạng application/x-www-form-urlencoded theo GeoReport v2."))
    if request.FILES:
        return _error(fmt, 400, _("Không nhận tệp đính kèm qua API; hãy gửi trên cổng thông tin."))
    data = request.POST
    attributes = {}
    for key in data:
        if key.startswith("attribute[") and key.endswith("]"):
            name = key[len("attribute["):-1]
            if name not in ATTRIBUTES:
                return _error(fmt, 400, _("Thuộc tính không được hỗ trợ: %(a)s.") % {"a": name[:40]})
            attributes[name] = data.get(key, "").strip()
        elif key not in POST_FIELDS:
            return _error(fmt, 400, _("Trường không được hỗ trợ: %(f)s.") % {"f": key[:40]})

    code = data.get("service_code", "").strip()
    if not code:
        return _error(fmt, 400, _("Thiếu service_code."))
    if code not in open311.SERVICES:
        return _error(fmt, 404, _("Không có dịch vụ mã %(c)s.") % {"c": code[:40]})
    description = data.get("description", "").strip()
    if len(description) < 10:
        return _error(fmt, 400, _("Thiếu description (nội dung, ít nhất 10 ký tự)."))
    if len(description) > open311.MAX_DESCRIPTION:
        return _error(fmt, 400, _("description dài quá %(n)d ký tự.") % {"n": open311.MAX_DESCRIPTION})

    address = data.get("address_string", "").strip()
    lat, long = data.get("lat", "").strip(), data.get("long", "").strip()
    if len(address) > 300:
        return _error(fmt, 400, _("address_string dài quá 300 ký tự."))
    if lat or long:
        try:
            lat_f, long_f = float(lat), float(long)
        except ValueError:
            return _error(fmt, 400, _("lat và long phải là số (WGS84)."))
        if not (-90 <= lat_f <= 90 and -180 <= long_f <= 180):
            return _error(fmt, 400, _("lat và long nằm ngoài phạm vi."))
    if bool(lat) != bool(long):
        return _error(fmt, 400, _("Cần cả lat và long (WGS84)."))
    if not (address or (lat and long) or attributes.get("commune")):
        return _error(fmt, 400, _("Cần vị trí: lat và long, address_string hoặc attribute[commune]."))

    field = None
    if attributes.get("field"):
        field = Field.objects.filter(code=attributes["field"]).first()
        if field is None:
            return _error(fmt, 400, _("Lĩnh vực không hợp lệ: %(f)s.") % {"f": attributes["field"][:40]})
    commune = attributes.get("commune", "")
    allowed = [value["key"] for value in open311.commune_values()] if getattr(settings, "PETITION_COMMUNES", None) else None
    if commune and allowed is not None and commune not in allowed:
        return _error(fmt, 400, _("Địa bàn không hợp lệ: %(d)s.") % {"d": commune[:40]})
    if len(commune) > 120 or len(attributes.get("subject", "")) > 300:
        return _error(fmt, 400, _("Thuộc tính quá dài."))

    first, last = data.get("first_name", "").strip(), data.get("last_name", "").strip()
    email, phone = data.get("email", "").strip(), data.get("phone", "").strip()
    if len(first) > MAX_NAME or len(last) > MAX_NAME or len(email) > 254 or len(phone) > 30:
        return _error(fmt, 400, _("Họ tên, email hoặc điện thoại quá dài."))
    if email:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email
        try:
            validate_email(email)
        except ValidationError:
            return _error(fmt, 400, _("email không hợp lệ."))
    # Vietnamese order: family name first.
    full_name = " ".join(part for part in (last, first) if part)

    content = description
    if address:
        content += "\n\n" + _("Vị trí: %(w)s") % {"w": address}
    subject = attributes.get("subject") or description.splitlines()[0][:300]
    try:
        case = petition_services.submit(
            None, kind=code, source=Case.Source.API, subject=subject, content=content,
            identity={"full_name": full_name, "email": email, "phone": phone},
            field=field, commune=commune, latitude=lat or None, longitude=long or None,
            anonymous=not full_name, client=client_key(request), base_url=request.build_absolute_uri("/"))
    except petition_services.PetitionError as exc:
        return _error(fmt, 429 if exc.code == "rate_limited" else 400, exc.message)
    notice = _("Đã tiếp nhận. Dùng mã %(c)s để theo dõi.") % {"c": case.tracking_code}
    return _list(fmt, "service_requests", "request",
                 [{"service_request_id": case.tracking_code, "service_notice": notice, "account_id": None}], 201)


# ---- JSON export of published cases ---------------------------------------------------------------

EXPORT_KINDS = (Case.Kind.PETITION, Case.Kind.FEEDBACK, Case.Kind.VOTER_PETITION)
EXPORT_PAGE = 100


def published_cases():
    """Cases whose answer the office has published: public kinds, public cases, nothing else (never one
    that is or was a denunciation)."""
    return unprotected_cases(Case.objects.filter(kind__in=EXPORT_KINDS, is_public=True,
                                                 answers__published_at__isnull=False)).distinct()


@require_GET
def export_cases(request):
    cases = published_cases().select_related("field", "agency")
    kind = request.GET.get("kind", "").strip()
    if kind:
        cases = cases.filter(kind=kind)
    field = request.GET.get("field", "").strip()
    if field:
        cases = cases.filter(field__code=field)
    commune = request.GET.get("commune", "").strip()
    if commune:
        cases = cases.filter(commune=commune)
    district = request.GET.get("district", "").strip()  # records from before 1/7/2025
    if district:
        cases = cases.filter(district=district)
    since = request.GET.get("since", "").strip()
    if since:
        moment = _parse_moment(since)
        if moment is None:
            return _error("json", 400, _("since phải theo ISO 8601."))
        cases = cases.filter(updated_at__gte=moment)
    try:
        size = min(max(int(request.GET.get("page_size", EXPORT_PAGE)), 1), 500)
        number = int(request.GET.get("page", 1))
    except ValueError:
        return _error("json", 400, _("page và page_size phải là số nguyên."))
    cases = cases.order_by("-id").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.filter(public=True).order_by("at", "id"), to_attr="public_milestones"),
        Prefetch("answers", queryset=Answer.objects.filter(published_at__isnull=False)
                 .select_related("transfer__agency").order_by("published_at", "id"), to_attr="published_answers"),
    )
    paginator = Paginator(cases, size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        return _error("json", 404, _("Không có trang %(n)d.") % {"n": number})

    def link(n):
        query = request.GET.copy()
        query["page"] = n
        return request.build_absolute_uri(request.path + "?" + query.urlencode())

    body = {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "next": link(page.number + 1) if page.has_next() else None,
        "previous": link(page.number - 1) if page.has_previous() else None,
        "results": [_export_row(case) for case in page.object_list],
    }
    return _respond("json", open311.to_json(body))


def _export_row(case) -> dict:
    return {
        "tracking_code": case.tracking_code,
        "kind": case.kind,
        "kind_name": str(case.get_kind_display()),
        "subject": case.subject,
        "field": {"code": case.field.code, "name": case.field.name} if case.field_id else None,
        "district": case.district or None,
        "commune": case.commune or None,
        "level": case.level or None,
        "status": case.status,
        "status_name": str(case.get_status_display()),
        "agency": case.agency.name if case.agency_id else None,
        "received_at": open311.iso(case.received_at),
        "due_on": case.due_on.isoformat() if case.due_on else None,
        "updated_at": open311.iso(case.updated_at),
        "milestones": [{"kind": m.kind, "at": open311.iso(m.at), "text": m.text} for m in case.public_milestones],
        "answers": [{
            "text": a.text,
            "agency": a.transfer.agency.name if a.transfer_id else None,
            "answered_at": open311.iso(a.answered_at),
            "published_at": open311.iso(a.published_at),
        } for a in case.published_answers],
    }
