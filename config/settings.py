"""Settings, read from the environment through strict parsers (config/env.py).

With no environment at all this is the embedded default: one Daphne process,
SQLite in var/, the in-memory channel layer, DEBUG on, the demo council.
DATABASE_URL and REDIS_URL switch to PostgreSQL and the Redis Pub/Sub layer.
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.boolean("DEBUG", default=not env.string("DATABASE_URL"))
SECRET_KEY = env.string("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "embedded-default-not-secret-" + "x" * 32

ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "channels",
    "audit",
    "accounts",
    "meeting",
    "agenda",
    "floor",
    "voting",
    "displays",
    "realtime",
    "portal",
    "django_tasks",
    "django_tasks_db",
    "library",
    "petitions",
    "resolutions",
    "video",
    # Last: the project's own deployment checks (config/checks.py).
    "config.apps.HubConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads request.POST/FILES: behind nginx the body comes from nginx's file.
    "config.middleware.ProxyRequestBodyMiddleware",
    # Above XFrameOptionsMiddleware, so it sees the X-Frame-Options that frame-ancestors follows.
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out sign-in into accounts.lockout.locked_out's page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context.site",
            ],
        },
    },
]

DATABASES = {"default": env.database(env.string("DATABASE_URL"), BASE_DIR)}
CHANNEL_LAYERS = {"default": env.channel_layer(env.string("REDIS_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "accounts:login"
# axes first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Password sign-in lockout (django-axes, accounts/lockout.py): after this many wrong
# passwords for one account, or from one client address, password sign-in is refused
# for this many minutes. The office unlocks at once: docs/devices-and-members.md.
LOGIN_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env.integer("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each alone: by account, and by address
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
# A success does not wipe the address's failures (one's own account would reset a guesser's count).
AXES_RESET_ON_SUCCESS = False
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.string("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Static files under names with their content's hash (css/base.cb6e00747080.css) and a manifest
# (STATIC_ROOT/staticfiles.json) that `{% static %}` reads: the proxy caches them for a year and
# an upgrade's pages link new names, so no tablet runs old JavaScript (docs/deploy.md, "Upgrades").
# Needs `collectstatic` before serving (the image and compose's migrate job run it); off in DEBUG,
# where whitenoise serves the apps' files as they are (`run.py demo`, the tests).
STATIC_MANIFEST = env.boolean("STATIC_MANIFEST", default=not DEBUG)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.boolean("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HSTS on HTTPS responses once the site is served over TLS (SECURE_COOKIES): browsers then
# refuse plain http to this host for HSTS_SECONDS. Shorten it for a first rollout.
SECURE_HSTS_SECONDS = env.integer("HSTS_SECONDS", 31536000 if SESSION_COOKIE_SECURE else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("HSTS_INCLUDE_SUBDOMAINS", default=False)
# Django's defaults, written out: nosniff, no Referer to other sites, frames DENY unless a view allows its own pages.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind the compose proxy, which sets X-Forwarded-Proto.
BEHIND_PROXY = env.boolean("BEHIND_PROXY", default=False)
# Behind the shipped nginx: the folder nginx writes request bodies to (its client_body_temp_path,
# shared with the workers); a worker reads a body from the file nginx names there instead of
# receiving it (config/middleware.py ProxyRequestBodyMiddleware, docs/decisions/0012). Only
# with BEHIND_PROXY. Empty: bodies arrive through Daphne as usual.
UPLOAD_BODY_DIR = env.string("UPLOAD_BODY_DIR")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "WARNING")},
    "loggers": {
        # A request for a host not in ALLOWED_HOSTS (scanners, a bare IP address) gets 400; Django
        # would log it as an ERROR with a traceback each time. nginx's access log keeps the line.
        "django.security.DisallowedHost": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}

# ---- Council settings (DOMAIN.md: a "setting" is configuration, never a constant) ----
COUNCIL_NAME = env.string("COUNCIL_NAME", "Hội đồng nhân dân tỉnh")
# Quorum to hold a sitting when a body sets none of its own: fraction of total members present.
QUORUM_DEFAULT = env.fraction("QUORUM_DEFAULT", "2/3")
# Pairing QR codes shown on screen live this long (seconds); printed badges longer.
PAIRING_TOKEN_TTL = env.integer("PAIRING_TOKEN_TTL", 600, minimum=30)
BADGE_TOKEN_TTL = env.integer("BADGE_TOKEN_TTL", 12 * 3600, minimum=60)
# The room the hub serves, "app_label.Model" like AUTH_USER_MODEL: the core (realtime, accounts)
# reaches it through realtime.registry.sitting_model(), never by importing the app.
HUB_SITTING_MODEL = "meeting.Sitting"
# The hall display a display device shows (accounts.Device.display), named like the sitting model.
HUB_DISPLAY_MODEL = "displays.Display"
# The hub refuses WebSocket messages larger than this (bytes).
HUB_MAX_MESSAGE_BYTES = env.integer("HUB_MAX_MESSAGE_BYTES", 64 * 1024, minimum=1024)
# Connects of one process that read the database at once; more wait their turn, in order, up to
# HUB_CONNECT_QUEUE, and beyond that are closed with 4503 "try again later" (docs/protocol.md).
HUB_CONNECTS_AT_ONCE = env.integer("HUB_CONNECTS_AT_ONCE", 4, minimum=1)
HUB_CONNECT_QUEUE = env.integer("HUB_CONNECT_QUEUE", 1000, minimum=0)
# With several workers (Redis): a worker this many connections or more above the workers' mean (for
# three heartbeats in a row) asks half of that excess among its idle terminals to reconnect (4503), so clients spread back over the
# workers after a failover (realtime/consumers.py, _Balancer; docs/faults.md). 0 turns it off.
HUB_REBALANCE_MIN_EXCESS = env.integer("HUB_REBALANCE_MIN_EXCESS", 25, minimum=0)
# A client more than this many events behind gets a fresh snapshot instead of a replay.
HUB_MAX_REPLAY = env.integer("HUB_MAX_REPLAY", 500, minimum=1)
# A connection whose commands are refused (e.g. `forbidden`) this many times within
# HUB_REFUSAL_WINDOW seconds is closed (4429); repeated refusals are audited once and counted.
HUB_MAX_REFUSALS = env.integer("HUB_MAX_REFUSALS", 30, minimum=1)
HUB_REFUSAL_WINDOW = env.integer("HUB_REFUSAL_WINDOW", 60, minimum=1)
# A command's id answers with its first outcome for this many days (docs/decisions/0005).
HUB_COMMAND_OUTCOME_DAYS = env.integer("HUB_COMMAND_OUTCOME_DAYS", 2, minimum=1)
# One group_send to the channel layer (Redis) waits at most this long (ms); what fails stays
# unpublished in the event log for the recovery, and the process reports "live updates degraded".
HUB_PUBLISH_TIMEOUT_MS = env.integer("HUB_PUBLISH_TIMEOUT_MS", 1000, minimum=10)
# At most this many commands of one sitting queued together on a process's command thread are
# committed as one group (realtime.commandqueue, docs/decisions/0011); 1: each alone.
HUB_GROUP_COMMIT_MAX = env.integer("HUB_GROUP_COMMIT_MAX", 100, minimum=1)
# Every this many seconds each process tells each of its hub connections the sitting's current
# seq (a heartbeat), so a client that missed events finds out and syncs (realtime/heartbeat.py).
HUB_HEARTBEAT_SECONDS = env.integer("HUB_HEARTBEAT_SECONDS", 5, minimum=1)
# A sitting's event log serves replay while it runs and the minutes after it closes: kept this
# many days after the sitting closed, then written to the archive folder and deleted by
# `manage.py prune_sitting_events` (realtime/retention.py; compose's daily job runs it).
HUB_EVENT_RETENTION_DAYS = env.integer("HUB_EVENT_RETENTION_DAYS", 365, minimum=1)
HUB_EVENT_ARCHIVE_DIR = Path(env.string("HUB_EVENT_ARCHIVE_DIR", str(BASE_DIR / "var" / "event-archive")))
# A sitting closed by mistake can be reopened by its chair or secretary, with a reason, for this
# many minutes after the closing (meeting.services.reopen_sitting); 0: never.
SITTING_REOPEN_MINUTES = env.integer("SITTING_REOPEN_MINUTES", 60, minimum=0)

# ---- The document library (library/) ----
# Largest file one upload may carry (bytes). The web server's own limit must be at least this.
DOCUMENT_MAX_BYTES = env.integer("DOCUMENT_MAX_BYTES", 100 * 1024 * 1024, minimum=1024)
# Days before a session opens by which its documents are due to delegates; later is flagged.
DOCUMENTS_DUE_DAYS = env.integer("DOCUMENTS_DUE_DAYS", 5, minimum=0)
# Where document files live: a local folder (default) or an S3-compatible bucket
# ("s3://bucket/prefix"; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
# endpoint from AWS_S3_ENDPOINT_URL). Never a folder the web server publishes.
DOCUMENT_ROOT = Path(env.string("DOCUMENT_ROOT", str(BASE_DIR / "var" / "documents")))
DOCUMENT_STORAGE_URL = env.string("DOCUMENT_STORAGE_URL")
# Behind nginx: the internal location that maps onto DOCUMENT_ROOT; downloads are
# then checked here and sent by nginx (X-Accel-Redirect). Empty: Django streams them.
DOCUMENT_ACCEL_REDIRECT = env.string("DOCUMENT_ACCEL_REDIRECT")
# DOCX/XLSX are shown through a PDF rendition: "auto" uses LibreOffice when it is
# installed and a text rendition of our own otherwise; "libreoffice" or "builtin" force one.
OFFICE_CONVERTER = env.string("OFFICE_CONVERTER", "auto")
# Uploads up to DOCUMENT_MAX_BYTES: Django sets no limit of its own on file parts
# (DATA_UPLOAD_MAX_MEMORY_SIZE counts only the other form fields); a file larger
# than FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file as it arrives, so a
# 100 MB document never sits in memory. The library's views refuse a body larger
# than DOCUMENT_MAX_BYTES with a message; nginx's client_max_body_size is above it.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage."
                              + ("ManifestStaticFilesStorage" if STATIC_MANIFEST else "StaticFilesStorage")},
    "documents": env.document_storage(DOCUMENT_STORAGE_URL, DOCUMENT_ROOT),
}

# Background work (text extraction, page images, search indexing): django-tasks with
# its database backend, so a queued job survives a restart on both defaults.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The demo (`run.py demo`, one process) sets this: the server process then runs the
# worker as a thread of its own. Production runs `manage.py db_worker` as its own
# service (compose.yaml); tests run queued jobs with library.worker.drain().
TASK_WORKER_IN_PROCESS = env.boolean("TASK_WORKER_IN_PROCESS", default=False)

# ---- Citizens' letters and voters' petitions (petitions/) ----
# Largest attachment (scan, photo, PDF) of a letter, and how many one letter may carry.
PETITION_MAX_FILE_BYTES = env.integer("PETITION_MAX_FILE_BYTES", 10 * 1024 * 1024, minimum=1024)
PETITION_MAX_FILES = env.integer("PETITION_MAX_FILES", 5, minimum=0)
# Public submissions accepted per client address per hour (no CAPTCHA).
PETITION_SUBMISSIONS_PER_HOUR = env.integer("PETITION_SUBMISSIONS_PER_HOUR", 5, minimum=1)
# Reminders go out this many days before a deadline; overdue cases escalate to the agency head.
PETITION_REMIND_DAYS = env.integer("PETITION_REMIND_DAYS", 3, minimum=0)
# Voters' petitions are answered this many working days before the next regular session opens (the
# session after the one they were collected for, where the answers are reported). The office's practice:
# no text fixing the number was confirmed (docs/petitions.md, "Voters' petitions").
VOTER_PETITION_ANSWER_WORKING_DAYS = env.integer("VOTER_PETITION_ANSWER_WORKING_DAYS", 10, minimum=1)

# ---- Resolutions (resolutions/) ----
# The daily job (resolutions_daily) reminds an agency of a task this many days before its due date;
# an overdue task is escalated to the lead agency's head and the office's resolution staff (once each).
RESOLUTION_TASK_REMIND_DAYS = env.integer("RESOLUTION_TASK_REMIND_DAYS", 7, minimum=0)
# Where the citizen's receipt, QR code and emails point (the public site's address, e.g.
# https://hdnd.tuyenquang.gov.vn). Unset: the host the request came to (petitions.services.public_url);
# the daily job's e-mails, sent without a request, then carry paths only, so set it in production.
PUBLIC_BASE_URL = env.string("PUBLIC_BASE_URL", "")
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "hdnd@localhost")
# Unset: the console in DEBUG, SMTP to EMAIL_HOST when it is set, else nothing is sent
# (config/mail.py). Never the console with DEBUG off: it logs whole messages (config/env.py).
EMAIL_BACKEND = env.mail_backend(DEBUG)
EMAIL_HOST = env.string("EMAIL_HOST") or "localhost"
EMAIL_PORT = env.integer("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", default=False)

# Remote participants by video (docs/video.md, docs/decisions/0014). VIDEO_BACKEND: "aiortc" (the
# embedded media process, `manage.py video_server`, started by `run.py demo`) or "off" (no video;
# the pages hide it). VIDEO_CONTROL: where the media process listens for the hub (host:port, never
# published); VIDEO_CONTROL_SECRET: the link's shared secret (default: derived from SECRET_KEY).
# VIDEO_ICE_SERVERS: JSON list of RTCIceServer for the browsers and the media process; empty by
# default, so nothing ever asks a public STUN server on a closed council network.
VIDEO_BACKEND = env.string("VIDEO_BACKEND", "aiortc")
if VIDEO_BACKEND not in ("aiortc", "janus", "off"):
    raise ImproperlyConfigured(f"VIDEO_BACKEND must be aiortc, janus or off, not {VIDEO_BACKEND!r}")
# With VIDEO_BACKEND=janus: the Janus the media process drives (its WebSocket API, never published),
# the API secret every request carries, and the VideoRoom plugin's admin key (only the media process
# creates rooms); deploy/janus/ renders Janus's own configuration with the same two secrets.
JANUS_URL = env.string("JANUS_URL", "ws://127.0.0.1:8188")
JANUS_API_SECRET = env.string("JANUS_API_SECRET")
JANUS_ADMIN_KEY = env.string("JANUS_ADMIN_KEY")
VIDEO_CONTROL = env.string("VIDEO_CONTROL", "127.0.0.1:8790")
VIDEO_CONTROL_SECRET = env.string("VIDEO_CONTROL_SECRET")
VIDEO_ICE_SERVERS = env.json_list("VIDEO_ICE_SERVERS")
# TURN (docs/video.md "TURN"): coturn relays remote participants behind strict networks.
# VIDEO_TURN_URLS: comma-separated TURN URLs given to the pages (e.g.
# "turn:turn.example.vn:3478?transport=udp,turns:turn.example.vn:5349"); VIDEO_TURN_SECRET: coturn's
# static-auth-secret, from which video.join mints each joining's own credential (video/turn.py);
# both set, or no TURN. VIDEO_TURN_TTL: that credential's life in seconds (4 h; a resumed joining
# gets a new one). VIDEO_ICE_TRANSPORT_POLICY: "all", or "relay" for a council whose network
# allows nothing else: the pages then use the relay's candidates only (the media process keeps its
# host candidates, which the relay reaches).
VIDEO_TURN_URLS = env.string_list("VIDEO_TURN_URLS", [])
VIDEO_TURN_SECRET = env.string("VIDEO_TURN_SECRET")
VIDEO_TURN_TTL = env.integer("VIDEO_TURN_TTL", 4 * 3600, minimum=60)
VIDEO_ICE_TRANSPORT_POLICY = env.string("VIDEO_ICE_TRANSPORT_POLICY", "all")
if VIDEO_ICE_TRANSPORT_POLICY not in ("all", "relay"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"VIDEO_ICE_TRANSPORT_POLICY={VIDEO_ICE_TRANSPORT_POLICY!r}: use all or relay")
# The streams the embedded media process sends within bounds (loss ≤ 1 %, glass-to-glass p50 ≤ 200 ms)
# on the council's server: the console's gauge turns red above it (measured: bench/video_relay.py,
# docs/performance.md "Remote video"; 16 on a 2-core machine). Above it, use Janus.
VIDEO_AIORTC_MAX_STREAMS = env.integer("VIDEO_AIORTC_MAX_STREAMS", 25, minimum=1)
# The hub the media process follows sittings on (its own WebSocket client, as a hall display).
VIDEO_HUB_URL = env.string("VIDEO_HUB_URL", "ws://127.0.0.1:8000")
# A remote participant whose connection is lost stays "connection lost" (present) this long; after
# it the media process ends the joining (the page joins again by itself, without a new link).
VIDEO_GRACE_SECONDS = env.integer("VIDEO_GRACE_SECONDS", 120, minimum=5)
# Where the media process writes a recording of a sitting's sound while it runs, before it moves
# into the documents storage; one left by a media process that died is stored at its next start.
VIDEO_RECORDING_SPOOL = env.string("VIDEO_RECORDING_SPOOL", str(BASE_DIR / "var" / "recording-spool"))
# A remote link (pairing purpose "remote") may be sent the day before: its life in seconds.
VIDEO_LINK_TTL = env.integer("VIDEO_LINK_TTL", 36 * 3600, minimum=60)
