from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
