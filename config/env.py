"""Strict readers for settings that come from the environment.

Each reader fails loudly (ImproperlyConfigured) on a value it cannot parse,
so a typo in a deployment never silently falls back to a default.
"""

import json
import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def string(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def boolean(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def integer(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    return value


def string_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def json_list(name: str) -> list:
    """A JSON array (e.g. VIDEO_ICE_SERVERS='[{"urls": "turn:turn.example:3478"}]'); empty when unset."""
    raw = string(name)
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError as e:
        raise ImproperlyConfigured(f"{name} must be a JSON array: {e}") from None
    if not isinstance(value, list):
        raise ImproperlyConfigured(f"{name} must be a JSON array")
    return value


def fraction(name: str, default: str) -> tuple[int, int]:
    """Read a fraction such as "2/3" into (2, 3)."""
    raw = os.environ.get(name, default)
    try:
        num, den = (int(x) for x in raw.split("/"))
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a fraction like 2/3") from None
    if not (0 < num <= den):
        raise ImproperlyConfigured(f"{name}={raw!r} must be a fraction in (0, 1]")
    return num, den


def database(url: str, base_dir) -> dict:
    """Turn DATABASE_URL into Django's DATABASES['default'].

    Empty means the embedded default: SQLite in var/.
    Supported: postgres://user:pass@host:port/name and sqlite:///path.
    """
    if not url:
        return _sqlite(base_dir / "var" / "db.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql"):
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            # No persistent connections (under ASGI each HTTP request runs in a thread of its own,
            # so they would pile up per thread): a pool instead (docs/deploy.md, "Database connections").
            "CONN_MAX_AGE": 0,
            "OPTIONS": {**_pool(), **options},
            # Lets two test runs share one server (e.g. TEST_DATABASE_NAME=test_hub_2).
            "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or None},
        }
    if parsed.scheme == "sqlite":
        # sqlite:///srv/db.sqlite3 and sqlite:////srv/db.sqlite3 both mean /srv/db.sqlite3
        # (a path with two leading slashes is a different path to pathlib).
        path = "/" + unquote(parsed.path).lstrip("/")
        if path == "/":
            raise ImproperlyConfigured("DATABASE_URL sqlite:/// needs a file path")
        return _sqlite(path)
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported (postgres or sqlite)")


def _pool() -> dict:
    """OPTIONS["pool"] for PostgreSQL: Django's psycopg pool (psycopg-pool), so a database call takes
    an open connection instead of starting a new backend (the reconnect bench found connection
    setup a quarter of a reconnect storm). DATABASE_POOL_MAX_SIZE=0 turns it off."""
    max_size = integer("DATABASE_POOL_MAX_SIZE", 10, minimum=0)
    if max_size == 0:
        return {}
    min_size = integer("DATABASE_POOL_MIN_SIZE", min(2, max_size), minimum=0)
    if min_size > max_size:
        raise ImproperlyConfigured(f"DATABASE_POOL_MIN_SIZE={min_size} is above DATABASE_POOL_MAX_SIZE={max_size}")
    # timeout: how long a thread waits for a free connection before the call fails.
    # Short: a worker needs few connections, so a long wait means PostgreSQL is out of reach, and
    # every call queued behind it would wait as long (docs/faults.md: refusals after 10, 20, 20 s).
    timeout = integer("DATABASE_POOL_TIMEOUT", 3, minimum=1)
    return {"pool": {"min_size": min_size, "max_size": max_size, "timeout": timeout}}


def _sqlite(path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # IMMEDIATE transactions: a writer takes the lock at BEGIN, so two
        # concurrent services queue instead of failing with "database is locked".
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
    }


def channel_layer(url: str) -> dict:
    if not url:
        return {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss"):
        raise ImproperlyConfigured(f"REDIS_URL scheme {parsed.scheme!r} is not redis:// or rediss://")
    return {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [url], "prefix": os.environ.get("CHANNEL_PREFIX", "hdnd")},
    }


CONSOLE_MAIL = "django.core.mail.backends.console.EmailBackend"
SMTP_MAIL = "django.core.mail.backends.smtp.EmailBackend"
UNSENT_MAIL = "config.mail.UnsentMailBackend"


def mail_backend(debug: bool) -> str:
    """EMAIL_BACKEND: as set; unset, the console in DEBUG (the embedded default shows mail
    there), SMTP when EMAIL_HOST is set, and otherwise config.mail.UnsentMailBackend, which
    sends nothing and logs no address, subject or body. The console backend prints whole
    messages (tracking codes, citizens' addresses) into the log: refused when DEBUG is off."""
    backend = os.environ.get("EMAIL_BACKEND", "").strip()
    if not backend:
        if debug:
            return CONSOLE_MAIL
        return SMTP_MAIL if os.environ.get("EMAIL_HOST", "").strip() else UNSENT_MAIL
    if backend == CONSOLE_MAIL and not debug:
        raise ImproperlyConfigured(
            "EMAIL_BACKEND=console prints every message, with citizens' addresses and tracking codes, "
            "into the log: use it with DEBUG only; in production set EMAIL_HOST (SMTP) or another backend")
    return backend


def document_storage(url: str, root) -> dict:
    """The STORAGES entry for document files: a private folder, or an S3 bucket."""
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(root), "base_url": None}}
    parts = urlparse(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(f"DOCUMENT_STORAGE_URL={url!r} must look like s3://bucket/prefix")
    options = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL")
    if endpoint:
        options["endpoint_url"] = endpoint
    region = os.environ.get("AWS_S3_REGION_NAME")
    if region:
        options["region_name"] = region
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
