"""Security headers: a Content-Security-Policy on every page (no inline script, no inline
style, framing only where a page allows it) and HSTS once the site is served over TLS.

The policy only holds if the pages need no inline code, so the templates and the scripts
that build HTML are checked for inline scripts, event handler attributes, style attributes
and <style> blocks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "staticfiles", "var", ".git", "tests", "bench"}


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _project_files(suffix: str):
    for path in sorted(ROOT.rglob(f"*{suffix}")):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


# ---- the header ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/public/letters/new/", "/no-such-page/"])
def test_every_page_forbids_inline_scripts_and_styles(client, url):
    response = client.get(url)
    policy = _directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_page_may_connect_to_the_hub_of_its_own_host_only(client):
    policy = _directives(client.get("/", HTTP_HOST="127.0.0.1:8000"))
    assert policy["connect-src"] == ["'self'", "ws://127.0.0.1:8000"]
    policy = _directives(client.get("/", HTTP_HOST="127.0.0.1:8000", secure=True))
    assert policy["connect-src"] == ["'self'", "wss://127.0.0.1:8000"]


@pytest.mark.django_db
def test_pages_may_not_be_framed(client):
    assert _directives(client.get("/"))["frame-ancestors"] == ["'none'"]


def test_a_page_that_our_own_pages_frame_may_be_framed_by_them_only(client, sitting, users, display_device):
    client.force_login(users["secretary"])
    response = client.get(reverse("displays:preview", args=[display_device.display_id]))
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert _directives(response)["frame-ancestors"] == ["'self'"]


def test_a_pdf_opened_in_the_browser_gets_no_policy_that_would_block_the_pdf_viewer(rf):
    from django.http import HttpResponse

    from config.middleware import ContentSecurityPolicyMiddleware

    def pdf_view(request):
        return HttpResponse(b"%PDF-1.7", content_type="application/pdf")

    def html_view(request):
        return HttpResponse(b"<p>x</p>")

    assert "Content-Security-Policy" not in ContentSecurityPolicyMiddleware(pdf_view)(rf.get("/"))
    assert "Content-Security-Policy" in ContentSecurityPolicyMiddleware(html_view)(rf.get("/"))


def test_the_admin_keeps_the_same_policy(client, users):
    client.force_login(users["secretary"])
    policy = _directives(client.get("/admin/"))
    assert policy["script-src"] == ["'self'"]


# ---- what the policy needs of the pages ----------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_BLOCK = re.compile(r"<style\b", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def test_no_template_has_inline_script_style_or_event_handler():
    found = []
    for path in _project_files(".html"):
        if "templates" not in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name, pattern in [("inline <script>", INLINE_SCRIPT), ("on…= handler", HANDLER_ATTRIBUTE),
                              ("style= attribute", STYLE_ATTRIBUTE), ("<style> block", STYLE_BLOCK),
                              ("javascript: URL", JS_URL)]:
            if pattern.search(text):
                found.append(f"{path.relative_to(ROOT)}: {name}")
    assert found == []


def test_no_script_builds_html_with_handlers_or_style_attributes():
    found = []
    markup_in_strings = re.compile(r"""["'`][^"'`\n]*<[a-z][^"'`\n>]*\s(?:on[a-z]+|style)\s*=""", re.I)
    for path in _project_files(".js"):
        if "static" not in path.parts:
            continue
        if markup_in_strings.search(path.read_text(encoding="utf-8")):
            found.append(str(path.relative_to(ROOT)))
    assert found == []


# ---- HSTS ------------------------------------------------------------------------


def _production_setting(name: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("SECURE_", "EMAIL_")) and k not in ("DEBUG", "DATABASE_URL")}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "SECRET_KEY": "k" * 50, **env})
    result = subprocess.run([sys.executable, "-c", f"from django.conf import settings; print(settings.{name})"],
                            cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_served_over_tls_browsers_are_told_to_keep_to_https_for_a_year():
    assert _production_setting("SECURE_HSTS_SECONDS", SECURE_COOKIES="1") == "31536000"


def test_without_tls_no_hsts_is_sent():
    assert _production_setting("SECURE_HSTS_SECONDS") == "0"


def test_hsts_can_be_shortened_for_a_first_rollout_and_extended_to_subdomains():
    assert _production_setting("SECURE_HSTS_SECONDS", SECURE_COOKIES="1", HSTS_SECONDS="3600") == "3600"
    assert _production_setting("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_COOKIES="1", HSTS_INCLUDE_SUBDOMAINS="1") == "True"


@pytest.mark.django_db
def test_an_https_request_gets_the_hsts_header(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/")
