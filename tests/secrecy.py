"""Hunting a secret value through every store (issue 10, item 2; docs/secrecy.md).

    with SecretHunt() as hunt:                 # the application log is captured from here on
        ...drive the feature: services, hub commands, pages...
    assert hunt.find("the secret", clients={"staff": client}, allowed={"petitions.Identity"}) == []

`find` looks in
- every table of every installed app, row by row and column by column (the event log
  realtime.SittingEvent, the audit log audit.AuditRecord, the command outcomes
  realtime.CommandOutcome and the admin's own history are tables like the others);
- every stored file that a FileField points at (spreadsheets and other zip containers opened);
- every record the application logged while the hunt was open (message, arguments, traceback);
- every page a client reaches: the site crawled from the home page, the admin and every route
  without parameters, following the site's own links (so the admin's change pages, exports and
  downloads are read as that client sees them), GET only.
A value is found in any case and either Unicode composition, and through HTML and JSON escapes.
It answers where, as "table app.Model#pk.field", "file …", "log …" or "page <client> <url>";
`allowed` names the tables (app_label.ModelName) and files' models that are meant to hold it.
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
import unicodedata
import zipfile
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

# Not followed: assets, and the few GET links that end a session.
SKIP = re.compile(r"^/(static|media)/|logout|/i18n/setlang|^/admin/.+/(delete|history)/$")
# An admin change page of app.model: read only for the models that could show the secret (`_pages`).
ADMIN_OBJECT = re.compile(r"^/admin/(\w+)/(\w+)/([^/]+)/change/")
UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"'#]+)""", re.I)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _forms(text: str) -> list[str]:
    """The text as stored or served, and unescaped (HTML entities, JSON's \\u escapes)."""
    forms = [text, html.unescape(text)]
    if "\\u" in text:
        try:
            forms.append(json.dumps(json.loads(text), ensure_ascii=False))
        except ValueError:
            forms.append(UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
    return forms


def contains(text: str, secret: str) -> bool:
    needle = _norm(secret)
    return any(needle in _norm(form) for form in _forms(text))


def body_text(raw: bytes) -> str:
    """A response's or a file's text; a zip container (XLSX, DOCX, ODF) read part by part."""
    if raw.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as book:
                raw = b"\n".join(book.read(name) for name in book.namelist())
        except zipfile.BadZipFile:
            pass
    return raw.decode("utf-8", errors="replace")


def response_text(response) -> str:
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return body_text(raw)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


class SecretHunt:
    # Links to one path with other query strings (sorting, filters, pages) are followed this many times.
    VARIANTS_PER_PATH = 3

    def __init__(self, max_pages: int = 3000):
        self.max_pages = max_pages
        self._capture = _Capture()
        self._levels: dict[str, int] = {}
        self.pages_read = 0

    # -- the application log ---------------------------------------------------------------------
    def __enter__(self):
        root = logging.getLogger()
        root.addHandler(self._capture)
        # Everything, at every level, whatever the configuration: a secret logged at DEBUG is logged.
        self._levels[""] = root.level
        root.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc):
        root = logging.getLogger()
        root.removeHandler(self._capture)
        root.setLevel(self._levels[""])
        return False

    def _log_texts(self):
        for record in self._capture.records:
            parts = [str(record.msg), repr(record.args)]
            try:
                parts.append(record.getMessage())
            except Exception:  # a bad format string is still a logged value
                pass
            if record.exc_info:
                parts.append(logging.Formatter().formatException(record.exc_info))
            yield f"log {record.name}:{record.levelname}", "\n".join(parts)

    # -- tables and files ------------------------------------------------------------------------
    def _tables(self):
        for model in apps.get_models(include_auto_created=True):
            label = model._meta.label
            fields = [f for f in model._meta.concrete_fields]
            names = [f.attname for f in fields]
            for row in model._base_manager.values_list(*names).iterator():
                pk = row[names.index(model._meta.pk.attname)]
                for field, value in zip(fields, row):
                    if value is None or isinstance(value, (bool, int, float)):
                        continue
                    if isinstance(value, (dict, list)):
                        text = json.dumps(value, ensure_ascii=False)
                    elif isinstance(value, (bytes, memoryview)):
                        text = body_text(bytes(value))
                    else:
                        text = str(value)
                    yield model, row, names, f"table {label}#{pk}.{field.name}", text

    def _files(self, allowed):
        for model in apps.get_models():
            if model._meta.label in allowed:
                continue
            file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
            for field in file_fields:
                for obj in model._base_manager.exclude(**{field.name: ""}).iterator():
                    stored = getattr(obj, field.name)
                    try:
                        with stored.open("rb") as fh:
                            raw = fh.read()
                    except (FileNotFoundError, OSError, ValueError):
                        continue
                    yield f"file {model._meta.label}#{obj.pk}.{field.name} ({stored.name})", body_text(raw)

    # -- pages -----------------------------------------------------------------------------------
    @staticmethod
    def start_urls() -> list[str]:
        """The home page, the admin and every route without parameters."""
        urls = ["/", "/admin/"]

        def walk(patterns, prefix):
            for entry in patterns:
                pattern = entry.pattern
                if not isinstance(pattern, RoutePattern) or pattern.converters:
                    continue
                route = prefix + str(pattern)
                if isinstance(entry, URLResolver):
                    walk(entry.url_patterns, route)
                elif isinstance(entry, URLPattern):
                    urls.append("/" + route)

        walk(get_resolver().url_patterns, "")
        return list(dict.fromkeys(u for u in urls if not SKIP.search(u)))

    def _pages(self, name, client, holders: set[tuple[str, str, str]]):
        """The pages `client` reaches. An admin change page shows its own row, the rows inlined in
        it, and the names of the rows its choice fields offer (which the add page and the change
        list show too): of the change pages, only the `holders` are read, the rows that hold a
        secret and the rows they point at (whose pages inline them); the others cannot show it."""
        seen: set[str] = set()
        variants: dict[str, int] = {}
        queue = self.start_urls()
        while queue and len(seen) < self.max_pages:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            admin_object = ADMIN_OBJECT.match(url)
            if admin_object and admin_object.group(1, 2, 3) not in holders:
                continue
            self.pages_read += 1
            response = client.get(url)
            if response.status_code in (301, 302, 303, 307, 308):
                target = response.headers.get("Location", "")
                if target and urlsplit(target).netloc in ("", "testserver"):
                    queue.append(urlsplit(urljoin(url, target))._replace(scheme="", netloc="").geturl())
                continue
            if response.status_code >= 400:
                continue
            text = response_text(response)
            yield f"page {name} {url}", text
            if "html" in response.headers.get("Content-Type", ""):
                for link in LINK.findall(text):
                    link = html.unescape(link)
                    parts = urlsplit(urljoin(url, link))
                    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                        continue
                    target = parts._replace(scheme="", netloc="", fragment="").geturl()
                    if target in seen or SKIP.search(target):
                        continue
                    if parts.query:
                        variants[parts.path] = variants.get(parts.path, 0) + 1
                        if variants[parts.path] > self.VARIANTS_PER_PATH:
                            continue
                    queue.append(target)

    # -- the hunt ----------------------------------------------------------------------------------
    def find(self, *secrets: str, clients: dict | None = None, allowed=()) -> list[str]:
        """Every place one of `secrets` is found outside the `allowed` models' tables and files
        ("… [secret]" when several are hunted at once)."""
        allowed = set(allowed)
        places: list[str] = []
        holders: set[tuple[str, str, str]] = set()

        def look(where, text):
            for secret in secrets:
                if contains(text, secret):
                    places.append(where if len(secrets) == 1 else f"{where} [{secret}]")

        for model, row, names, where, text in self._tables():
            if not any(contains(text, secret) for secret in secrets):
                continue
            values = dict(zip(names, row))
            holders.add((model._meta.app_label, model._meta.model_name, str(values[model._meta.pk.attname])))
            for field in model._meta.concrete_fields:
                if field.is_relation and values.get(field.attname) is not None:
                    target = field.related_model._meta
                    holders.add((target.app_label, target.model_name, str(values[field.attname])))
            if model._meta.label not in allowed:
                look(where, text)
        for where, text in self._files(allowed):
            look(where, text)
        for where, text in self._log_texts():
            look(where, text)
        for name, client in (clients or {}).items():
            for where, text in self._pages(name, client, holders):
                look(where, text)
        return places
