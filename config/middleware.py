import logging
import os
import stat

from django.conf import settings
from django.core.exceptions import DisallowedHost, ImproperlyConfigured
from django.utils import translation
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)


class ChosenLanguageMiddleware:
    """Vietnamese unless the person chose another language with the switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, so a
    tablet set up in English would show the council's pages in English. Here
    only the language cookie (set by the switch, /i18n/setlang/) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        patch_vary_headers(response, ("Cookie",))
        return response


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every response: scripts, styles, images and fonts
    from this site only, no inline script or style, no plugins, forms posting here only,
    and WebSockets to this host only (the hub).

    Framing follows X-Frame-Options (set below this middleware by Django's
    XFrameOptionsMiddleware): DENY, the default, is `frame-ancestors 'none'`; a view
    marked xframe_options_sameorigin (the document viewer in the terminal, display
    previews in the console) is `'self'`. A browser that knows frame-ancestors ignores
    X-Frame-Options, so the two must agree.

    With DEBUG on, Django's own error pages (inline styles and scripts) go without it.
    So do PDF files opened in the browser (document renditions): the browser's PDF viewer
    is a plugin, which `object-src 'none'` would block, and a PDF runs none of our scripts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response or _is_pdf(response):
            return response
        if settings.DEBUG and _is_django_debug_page(response):
            return response
        response["Content-Security-Policy"] = content_security_policy(request, response)
        return response


def content_security_policy(request, response) -> str:
    connect = ["'self'"]
    try:
        connect.append(f"{'wss' if request.is_secure() else 'ws'}://{request.get_host()}")
    except DisallowedHost:
        pass
    if getattr(response, "xframe_options_exempt", False):
        ancestors = None
    elif response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
        ancestors = "'self'"
    else:
        ancestors = "'none'"
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",   # data: for the blank favicon of the faces (href="data:,")
        "font-src 'self'",
        "connect-src " + " ".join(connect),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    if ancestors:
        directives.append(f"frame-ancestors {ancestors}")
    return "; ".join(directives)


def _is_django_debug_page(response) -> bool:
    """Django's technical 404 and 500 pages (DEBUG only), which carry inline styles and scripts."""
    return (response.status_code in (404, 500) and not response.streaming
            and b'content="NONE,NOARCHIVE"' in response.content[:1500])


def _is_pdf(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().lower() == "application/pdf"


class ProxyRequestBodyMiddleware:
    """Request bodies that nginx saved to a file, read from that file (docs/decisions/0012).

    Daphne reads a whole request body into memory inside the worker that also serves the hub's
    WebSockets: a 100 MB upload took a worker from 352 MB to 1.5 GB and delayed its delegates'
    events by seconds. Behind the shipped nginx (deploy/nginx.conf) every request body is written
    by nginx to a file under UPLOAD_BODY_DIR (`client_body_in_file_only`), the worker gets no body
    and the header X-Upload-Body-File naming that file; here the request reads its body from the
    file, so request.POST/FILES are parsed from disk in 64 KB pieces by Django's MultiPartParser
    (files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file as they are parsed).

    The header is believed only with BEHIND_PROXY and UPLOAD_BODY_DIR set (nginx replaces any
    such header a client sends), and only for a regular file inside UPLOAD_BODY_DIR: a path
    naming anything else is ignored, never opened. Without nginx (the demo, Daphne alone) the
    header is ignored and bodies arrive as before.
    """

    META_KEY = "HTTP_X_UPLOAD_BODY_FILE"

    def __init__(self, get_response):
        self.get_response = get_response
        root = getattr(settings, "UPLOAD_BODY_DIR", "")
        self.root = os.path.realpath(root) if root and getattr(settings, "BEHIND_PROXY", False) else None

    def __call__(self, request):
        name = request.META.pop(self.META_KEY, None)
        body = self._open(name) if name and self.root else None
        if body is None:
            return self.get_response(request)
        try:
            request._stream = body
            request._read_started = False
            request.META["CONTENT_LENGTH"] = str(os.fstat(body.fileno()).st_size)
            return self.get_response(request)
        finally:
            body.close()

    def _open(self, name: str):
        path = os.path.realpath(name)
        if os.path.commonpath([path, self.root]) != self.root or path == self.root:
            logger.warning("X-Upload-Body-File outside UPLOAD_BODY_DIR ignored: %r", name[:200])
            return None
        try:
            # O_NOFOLLOW: the realpath above already resolved links; a link swapped in since is refused.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as error:
            # nginx wrote it a moment ago: the folder is not shared with this worker, or nginx's
            # workers run as another user (docs/deploy.md, "Request bodies").
            raise ImproperlyConfigured(
                f"cannot read nginx's request body file {path!r} ({error.strerror}): UPLOAD_BODY_DIR must be "
                "nginx's client_body_temp_path, shared with the workers, and nginx's `user` the workers' user"
            ) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            logger.warning("X-Upload-Body-File not a regular file, ignored: %r", name[:200])
            return None
        return os.fdopen(fd, "rb", buffering=64 * 1024)
