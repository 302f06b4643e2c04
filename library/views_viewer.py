"""Reading: the in-browser viewer, private notes and highlights, the offline copy.

The viewer shows the page images made at upload (library.pages, pypdfium2):
no plug-in, no PDF library in the browser, thumbnails for free, and a small
offline cache. `?embed=1` renders it without the site chrome, for the
delegate terminal's full-screen overlay (an iframe of the same origin).

Refusals follow views_files: a document one may not read is a 404; only the
viewer page sends someone not signed in to the login page first.

The annotations API answers JSON only, errors as {"error": {"code", "message"}}
with the stable codes invalid, forbidden, not_found, too_large. An annotation
is its author's alone: anyone else's is a 404, as if it did not exist.

A new annotation may carry a `client_id` (a UUID made by the browser when the
note was written, maybe offline): posting it again, after a reply lost with
the network, answers the stored one (200) instead of adding a second.
"""

import json
import math
import uuid
from functools import cache
from pathlib import Path

from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from accounts.permissions import Actor, audit_download, may_read_document, readable_documents
from audit.services import record

from . import services
from .models import Annotation, Attachment, Document, DocumentVersion, ReadReceipt

MAX_BODY = 16 * 1024
MAX_TEXT = 5000
COLORS = ("yellow", "green", "blue", "pink")
FIELDS = {"version", "page", "kind", "rect", "text", "color", "client_id"}
EDITABLE = {"rect", "text", "color"}


# ---- the viewer --------------------------------------------------------------------

def _version_json(version: DocumentVersion) -> dict:
    return {
        "id": version.pk, "number": version.number, "page_count": version.page_count,
        "pages_ready": version.pages_ready, "state": version.state, "progress": version.progress,
        "error": version.error if version.state == DocumentVersion.State.FAILED else "",
    }


@require_safe
@xframe_options_sameorigin
def viewer(request, document_id: int):
    document = get_object_or_404(Document.objects.select_related("current_version"), pk=document_id)
    if not may_read_document(request.user, document):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    versions = list(document.versions.all())  # newest first
    version = document.current_version
    if request.GET.get("v"):
        try:
            version = next(v for v in versions if v.pk == int(request.GET["v"]))
        except (StopIteration, ValueError):
            raise Http404 from None
    if version is None:
        raise Http404
    version.document = document

    if request.GET.get("status") == "1":  # the viewer polls this while pages are being made
        response = JsonResponse(_version_json(version))
        response["Cache-Control"] = "no-store"
        return response

    # Which version this reader read last, before this visit (tell them it changed).
    read_before = None
    if request.user.is_authenticated:
        last = (ReadReceipt.objects.filter(document=document, user=request.user).select_related("version")
                .order_by("-version__number").first())
        if last is not None and last.version.number < version.number and version.pk == document.current_version_id:
            read_before = last.version
    # The terminal's background offline copy is not a reading; opening it later is
    # (the worker asks the network first, so a reading online is recorded then).
    if request.headers.get("X-Offline-Copy") != "1":
        services.record_read(request.user, document, version)
        services.audit_read(request.user, document, version, what="view")

    embed = request.GET.get("embed") == "1"
    mine = []
    if request.user.is_authenticated:
        mine = [_annotation_json(a) for a in Annotation.objects.filter(document=document, version=version, user=request.user)]
    try:
        start_page = max(1, min(int(request.GET.get("page", 1)), max(version.page_count, 1)))
    except ValueError:
        start_page = 1
    config = {
        "document": document.pk,
        "version": _version_json(version),
        "current": version.pk == document.current_version_id,
        "start_page": start_page,
        "annotations": mine,
        "can_annotate": request.user.is_authenticated,
        "reader": request.user.pk,  # notes waiting on a shared device are sent only for their writer
        "urls": {
            "page": reverse("library:page", args=[version.pk, 0]).replace("/0.webp", "/{n}.webp"),
            "thumb": reverse("library:thumb", args=[version.pk, 0]).replace("/0.webp", "/{n}.webp"),
            "annotations": reverse("library:annotations", args=[document.pk]) + f"?version={version.pk}",
            "annotation": reverse("library:annotation", args=[0]).replace("/0/", "/{id}/"),
            "status": request.path + f"?v={version.pk}&status=1",
        },
    }
    response = render(request, "library/viewer.html", {
        "document": document, "version": version, "versions": versions, "read_before": read_before,
        "embed": embed, "config": config, "pages": range(1, version.page_count + 1),
        "is_current": version.pk == document.current_version_id,
    })
    response["Cache-Control"] = "private, no-cache"
    return response


# ---- annotations API ------------------------------------------------------------------

def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class Refused(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _annotation_json(a: Annotation) -> dict:
    return {"id": a.pk, "version": a.version_id, "page": a.page, "kind": a.kind, "rect": a.rect,
            "text": a.text, "color": a.color, "client_id": str(a.client_id) if a.client_id else None,
            "updated_at": a.updated_at.isoformat()}


def _json_api(view):
    """Sign-in, CSRF, body size and JSON parsing for the annotation endpoints, with JSON errors."""

    @csrf_exempt  # checked below, so that a refusal is JSON like every other error
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _error(403, "forbidden", _("Cần đăng nhập để ghi chú trên tài liệu."))
        if request.method not in ("GET", "HEAD"):
            refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if refused is not None:
                return _error(403, "forbidden", _("Phiên làm việc đã hết hạn; hãy tải lại trang."))
            try:
                length = int(request.headers.get("Content-Length") or 0)
            except ValueError:
                length = 0
            if length > MAX_BODY or len(request.body) > MAX_BODY:
                return _error(413, "too_large", _("Nội dung gửi lên quá lớn."))
        try:
            response = view(request, *args, **kwargs)
        except Refused as r:
            return _error(r.status, r.code, r.message)
        except Http404:
            return _error(404, "not_found", _("Không tìm thấy."))
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


def _body(request) -> dict:
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "invalid", _("Nội dung không phải JSON hợp lệ.")) from None
    if not isinstance(data, dict):
        raise Refused(400, "invalid", _("Nội dung phải là một đối tượng JSON."))
    return data


def _invalid(message):
    return Refused(400, "invalid", message)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _clean_rect(rect):
    if rect is None:
        return None
    if not isinstance(rect, dict) or set(rect) != {"x", "y", "w", "h"} or not all(_number(v) for v in rect.values()):
        raise _invalid(_("Vùng đánh dấu phải có đủ x, y, w, h là số."))
    if not all(0 <= v <= 1 for v in rect.values()) or rect["w"] <= 0 or rect["h"] <= 0 \
            or rect["x"] + rect["w"] > 1.000001 or rect["y"] + rect["h"] > 1.000001:
        raise _invalid(_("Vùng đánh dấu phải nằm trong trang (các giá trị từ 0 đến 1)."))
    return {k: round(float(rect[k]), 5) for k in ("x", "y", "w", "h")}


def _clean_text(text):
    if text is None:
        return ""
    if not isinstance(text, str):
        raise _invalid(_("Nội dung ghi chú phải là văn bản."))
    if len(text) > MAX_TEXT:
        raise _invalid(_("Ghi chú dài quá %(n)s ký tự.") % {"n": MAX_TEXT})
    return text.strip()


def _clean_color(color):
    if color in (None, ""):
        return COLORS[0]
    if color not in COLORS:
        raise _invalid(_("Màu không hợp lệ."))
    return color


def _readable(request, document_id) -> Document:
    document = get_object_or_404(Document, pk=document_id)
    if not may_read_document(request.user, document):
        raise Http404
    return document


@require_http_methods(["GET", "POST"])
@_json_api
def annotations(request, document_id: int):
    """GET: one's own notes and highlights on this document (?version=id for one version). POST: add one."""
    document = _readable(request, document_id)
    if request.method == "GET":
        mine = Annotation.objects.filter(document=document, user=request.user)
        if request.GET.get("version"):
            try:
                mine = mine.filter(version_id=int(request.GET["version"]))
            except ValueError:
                raise _invalid(_("Phiên bản không hợp lệ.")) from None
        return JsonResponse({"annotations": [_annotation_json(a) for a in mine]})

    data = _body(request)
    unknown = set(data) - FIELDS
    if unknown:
        raise _invalid(_("Trường không hợp lệ: %(f)s") % {"f": ", ".join(sorted(unknown))})
    client_id = _clean_client_id(data.get("client_id"))
    if client_id is not None:
        sent = Annotation.objects.filter(user=request.user, client_id=client_id).first()
        if sent is not None:
            return _already_stored(sent, document)
    version = document.current_version
    if data.get("version") is not None:
        if not isinstance(data["version"], int) or isinstance(data["version"], bool):
            raise _invalid(_("Phiên bản không hợp lệ."))
        version = document.versions.filter(pk=data["version"]).first()
    if version is None:
        raise _invalid(_("Phiên bản không hợp lệ."))
    kind = data.get("kind")
    if kind not in Annotation.Kind.values:
        raise _invalid(_("Loại ghi chú phải là note hoặc highlight."))
    page = data.get("page")
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= max(version.page_count, 0):
        raise _invalid(_("Trang phải từ 1 đến %(n)s.") % {"n": version.page_count})
    rect = _clean_rect(data.get("rect"))
    text = _clean_text(data.get("text"))
    if kind == Annotation.Kind.HIGHLIGHT and rect is None:
        raise _invalid(_("Đánh dấu cần một vùng trên trang."))
    if kind == Annotation.Kind.NOTE and not text:
        raise _invalid(_("Ghi chú không được để trống."))
    try:
        with transaction.atomic():
            a = Annotation.objects.create(document=document, version=version, user=request.user, page=page, kind=kind,
                                          rect=rect, text=text, color=_clean_color(data.get("color")),
                                          client_id=client_id)
    except IntegrityError:  # the same note sent twice at once: the other request stored it
        sent = Annotation.objects.filter(user=request.user, client_id=client_id).first()
        if client_id is None or sent is None:
            raise
        return _already_stored(sent, document)
    return JsonResponse({"annotation": _annotation_json(a)}, status=201)


def _clean_client_id(value):
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        return uuid.UUID(value)
    except ValueError:
        raise _invalid(_("Mã ghi chú của máy phải là một UUID.")) from None


def _already_stored(a: Annotation, document: Document) -> JsonResponse:
    if a.document_id != document.pk:  # a client id is one note's: never reused for another document
        raise _invalid(_("Mã ghi chú của máy đã dùng cho ghi chú khác."))
    return JsonResponse({"annotation": _annotation_json(a)}, status=200)


@require_http_methods(["GET", "PATCH", "DELETE"])
@_json_api
def annotation(request, annotation_id: int):
    """One of one's own annotations: read, change its text/rectangle/colour, or delete it."""
    a = Annotation.objects.filter(pk=annotation_id, user=request.user).select_related("document").first()
    if a is None or not may_read_document(request.user, a.document):
        raise Http404
    if request.method == "GET":
        return JsonResponse({"annotation": _annotation_json(a)})
    if request.method == "DELETE":
        a.delete()
        return HttpResponse(status=204)
    data = _body(request)
    unknown = set(data) - EDITABLE
    if unknown:
        raise _invalid(_("Trường không hợp lệ: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "rect" in data:
        a.rect = _clean_rect(data["rect"])
        if a.kind == Annotation.Kind.HIGHLIGHT and a.rect is None:
            raise _invalid(_("Đánh dấu cần một vùng trên trang."))
    if "text" in data:
        a.text = _clean_text(data["text"])
        if a.kind == Annotation.Kind.NOTE and not a.text:
            raise _invalid(_("Ghi chú không được để trống."))
    if "color" in data:
        a.color = _clean_color(data["color"])
    a.save()
    return JsonResponse({"annotation": _annotation_json(a)})


# ---- offline copy of a session's documents ----------------------------------------------

def session_documents(session_id: int, user):
    """The documents of a session this user may read: the session's own and those
    attached to its sittings or their agenda items (what the terminal lists)."""
    from agenda.models import AgendaItem
    from meeting.models import Sitting

    sittings = list(Sitting.objects.filter(session_id=session_id).values_list("pk", flat=True))
    items = list(AgendaItem.objects.filter(sitting_id__in=sittings).values_list("pk", flat=True))
    links = Attachment.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(Sitting), object_id__in=sittings)
        | Q(content_type=ContentType.objects.get_for_model(AgendaItem), object_id__in=items)
    ).values_list("document_id", flat=True)
    docs = (Document.objects.filter(Q(session_id=session_id) | Q(pk__in=list(links)))
            .exclude(status=Document.Status.WITHDRAWN).filter(current_version__isnull=False)
            .select_related("current_version").order_by("pk"))
    return readable_documents(docs, user)


@require_safe
def offline_manifest(request, session_id: int):
    """What the terminal keeps for reading without network: for each readable
    document of the session, its viewer page (embedded), page images and thumbnails."""
    from meeting.models import Session

    if not request.user.is_authenticated:
        return _error(403, "forbidden", _("Cần đăng nhập."))  # never cache documents for anonymous readers
    session = get_object_or_404(Session, pk=session_id)
    readable = list(session_documents(session.pk, request.user))
    documents = []
    for d in readable:
        v = d.current_version
        pages = range(1, v.pages_ready + 1)
        documents.append({
            "id": d.pk, "version": v.pk, "pages": v.page_count, "ready": v.state == DocumentVersion.State.READY,
            "viewer": reverse("library:view", args=[d.pk]) + "?embed=1",
            "images": [reverse("library:page", args=[v.pk, n]) for n in pages]
            + [reverse("library:thumb", args=[v.pk, n]) for n in pages],
        })
    # Copies kept for offline reading are not readings (no read receipt), but they
    # are downloads: one audit row per manifest names every non-public document in it.
    copied = [d for d in readable if audit_download(d)]
    if copied:
        with transaction.atomic():
            record(Actor(role="reader", user=request.user), "library.offline_copy",
                   detail={"session": session.pk, "documents": [d.pk for d in copied]})
    response = JsonResponse({
        "session": session.pk,
        "cache": f"hdnd-docs-u{request.user.pk}-s{session.pk}",
        "documents": documents,
        "static": [static("css/base.css"), static("library/viewer.css"), static("library/viewer.js"),
                   reverse("javascript-catalog")],
    })
    response["Cache-Control"] = "no-store"
    return response


@cache
def _worker_source() -> bytes:
    return (Path(__file__).parent / "static" / "library" / "sw.js").read_bytes()


@never_cache
@require_safe
def service_worker(request):
    """The offline worker, at the site root so its scope covers the viewer and the files."""
    response = HttpResponse(_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response
