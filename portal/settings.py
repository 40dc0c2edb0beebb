"""Settings for the ALPR transparency portal.

Everything comes from the environment through one ``environ.Env``. With no environment at all
the portal runs embedded: SQLite, eager Celery, local-memory cache, console email. Production
(``DJANGO_ENV=production``) has no defaults for secrets, hosts, PostgreSQL or Redis, so a bad
deploy fails at start instead of quietly running on the embedded parts.
"""

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(str(env_file))

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name at least one host.")
    DEBUG = False
    # The embedded parts (SQLite, an in-process queue, a per-process cache) lose tasks and
    # rate limits across gunicorn workers; production must name the real ones.
    _missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(
            f"DJANGO_ENV=production needs {' and '.join(_missing)}: PostgreSQL "
            "(DATABASE_URL=postgres://...) and Redis (REDIS_URL=redis://...)."
        )
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
    DEBUG = env.bool("DJANGO_DEBUG", default=True)

# A separate key for the keyed hashes of private values (searcher ids, IP addresses), so that
# rotating the session key does not change distinct-searcher counts.
HASH_KEY = env.str("PORTAL_HASH_KEY", default=SECRET_KEY)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "exports",
    "cameras",
    "searches",
    "hearings",
    "petitions",
    "watch",
    "datasets",
    "alerts",
    "records",
    "reports",
    "compare",
    "embeds",
    "portal",
    "axes",
]

MIDDLEWARE = [
    # /healthz answers before host validation and the HTTPS redirect: probes use an IP and HTTP.
    "portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers gzipped (a city page: 187 kB -> 21 kB); static files never get here,
    # whitenoise serves them precompressed. Django pads each response against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the page cache and every view: a control character in a query string is a 400.
    "core.querystring.QueryStringValidationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.security.PermissionsPolicyMiddleware",
    # /embed/ pages: language without the cookie, framing allowed, on page-cache hits too.
    "embeds.middleware.EmbedMiddleware",
    # After the session, locale, CSRF and auth middleware: see core/pagecache.py.
    "core.pagecache.PageCacheMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs PostgreSQL: DATABASE_URL=postgres://..."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while an eager import writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")


def _redis_db(url: str) -> tuple[str, int]:
    """(server part, database number) of a redis:// URL; no path means database 0."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ImproperlyConfigured(f"A Redis URL ends in a database number, not {path!r}.")
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")), int(path or 0)


def _redis_cache_url(broker_url: str) -> str:
    """The broker's server, the next database (the one before, for the last of Redis's 16)."""
    _server, db = _redis_db(broker_url)
    parts = urlsplit(broker_url)
    return urlunsplit(
        (parts.scheme, parts.netloc, f"/{db + 1 if db < 15 else db - 1}", parts.query, "")
    )


# A cache clear is FLUSHDB: the cache must never share the broker's database, or clearing it
# would drop every queued task.
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="") or (
    _redis_cache_url(REDIS_URL) if REDIS_URL else ""
)
if REDIS_URL and _redis_db(REDIS_CACHE_URL) == _redis_db(REDIS_URL):
    raise ImproperlyConfigured(
        "REDIS_CACHE_URL names the broker's Redis database; a cache clear would flush queued "
        "tasks. Use another database number."
    )

if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whole public pages and API responses for anonymous visitors (core/pagecache.py), dropped
# by every public write; 0 turns it off. It has a cache of its own, so that pages never push
# rate limits or import heartbeats out of a bounded local-memory cache.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
CACHES["pages"] = (
    dict(CACHES["default"])
    if CACHES["default"]["BACKEND"].endswith("RedisCache")
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    }
)

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username+client before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The header's language button (Django's set_language) remembers the choice for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Import uploads can be large; they stream to disk rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=4 * 1024**3)

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")

LOGIN_URL = "admin:login"

# --- Celery -------------------------------------------------------------------------------
# Eager mode still builds a (never connected) producer; a named host keeps kombu from warning
# "No hostname was supplied" on every task.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
if PRODUCTION and CELERY_TASK_ALWAYS_EAGER:
    raise ImproperlyConfigured(
        "DJANGO_ENV=production never runs tasks eagerly: unset CELERY_TASK_ALWAYS_EAGER."
    )
# Imports (and what re-derives imported data) take minutes to hours; they get their own queue
# and worker so that confirmation emails and the small scheduled tasks never wait behind them.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("imports"))
IMPORT_QUEUE_TASKS = [
    "core.tasks.import_job_run",
    "searches.tasks.audit_source_fetch",
    "cameras.tasks.page_source_fetch",
    "cameras.tasks.osm_area_refresh",
    "searches.tasks.searches_reclassify",
    "searches.tasks.searches_reflag",
    # A download of every search reads for minutes, like an import.
    "exports.tasks.export_job_build",
    # Reads every agreement and snapshot, like the imports it follows.
    "watch.tasks.changes_collect_task",
    # The nightly bulk data snapshot reads every public table, searches included.
    "datasets.tasks.dataset_snapshot_nightly",
]
CELERY_TASK_ROUTES = {name: {"queue": "imports"} for name in IMPORT_QUEUE_TASKS}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60 * 60)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 300
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-imports": {
        "task": "core.tasks.import_jobs_requeue_stalled",
        "schedule": 15 * 60,
    },
    "purge-old-import-files": {
        "task": "core.tasks.import_files_purge",
        "schedule": 24 * 60 * 60,
    },
    "fetch-due-audit-sources": {
        "task": "searches.tasks.audit_sources_fetch_due",
        "schedule": 60 * 60,
    },
    "fetch-due-page-sources": {
        "task": "cameras.tasks.page_sources_fetch_due",
        "schedule": 60 * 60,
    },
    "refresh-due-osm-areas": {
        "task": "cameras.tasks.osm_areas_refresh_due",
        "schedule": 60 * 60,
    },
    "purge-expired-exports": {
        "task": "exports.tasks.export_jobs_purge",
        "schedule": 60 * 60,
    },
    # The change log also collects right after every import; this catches what changed
    # otherwise (hearings, petitions, admin edits). Collecting twice records nothing new.
    "collect-changes": {
        "task": "watch.tasks.changes_collect_task",
        "schedule": env.int("CHANGES_COLLECT_MINUTES", default=30) * 60,
    },
}
# API lists answer ?format=csv over at most this many rows inline (streamed in the request);
# more rows are built into a file by a worker (a 303 to the job), kept EXPORT_RETENTION_HOURS.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=50_000)
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)
# Nightly bulk data snapshots (/data/): where they are written (empty: MEDIA_ROOT/datasets, so
# web and workers share it) and for how many days they are kept (the newest always stays).
DATASETS_ROOT = env.str("DATASETS_ROOT", default="")
DATASETS_KEEP_DAYS = env.int("DATASETS_KEEP_DAYS", default=30)

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PortalPageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "core.api.renderers.PortalCSVRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.AnonBurstThrottle",
        "core.api.throttling.AnonSustainedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon_burst": env.str("API_THROTTLE_BURST", default="120/min"),
        "anon_sustained": env.str("API_THROTTLE_SUSTAINED", default="5000/day"),
    },
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ALPR Transparency Portal API",
    "DESCRIPTION": (
        "Open, read-only data on automated license plate reader cameras, the agencies that own "
        "them, who may search them, and the state laws that apply. Every list accepts "
        "`?format=csv`; cameras also accept `?format=geojson`. No personal data is ever served."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "exports.schema.document_error_responses",
    ],
}

CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Links out (to agencies' pages, to statutes) carry no referrer at all: a page path can name a
# hearing, a petition or a filter a resident chose.
SECURE_REFERRER_POLICY = "same-origin"
# Every powerful browser feature off: the site needs none (the map pans without geolocation).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
        "serial", "usb", "xr-spatial-tracking", "browsing-topics",
    )
}  # fmt: skip
# The camera maps' background: raster tiles from this URL template ({z}/{x}/{y}; several
# comma-separated URLs spread the load) with this attribution. Every visitor's browser fetches
# them, so the tile server sees each visitor's IP: OpenStreetMap's public servers (the default)
# suit a demo, not a production site (their usage policy); see README "Map tiles" for a
# self-hosted server. Empty: no background, markers on a plain map. The tile origins feed the
# CSP (PORTAL_MAP_TILE_ORIGINS adds more, e.g. a CDN the tile server redirects to).
MAP_TILE_URLS = [
    url
    for url in env.list(
        "PORTAL_MAP_TILES", default=["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    )
    if url.strip()
]
MAP_TILE_ATTRIBUTION = env.str(
    "PORTAL_MAP_TILE_ATTRIBUTION", default="© OpenStreetMap contributors"
)
MAP_TILE_MAX_ZOOM = env.int("PORTAL_MAP_TILE_MAX_ZOOM", default=19)
MAP_TILE_ORIGINS = list(
    dict.fromkeys(
        [urlunsplit((*urlsplit(url)[:2], "", "", "")) for url in MAP_TILE_URLS]
        + env.list("PORTAL_MAP_TILE_ORIGINS", default=[])
    )
)
# plotly's map draws with MapLibre, which runs its workers from blob: URLs. plotly.js (served
# from static) sets styles on elements it draws and adds its own <style> rules, so styles allow
# 'unsafe-inline'; scripts never do.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *MAP_TILE_ORIGINS],
        "connect-src": [SELF, *MAP_TILE_ORIGINS],
        "worker-src": [SELF, "blob:"],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# An annual report's PDF is rendered by a worker (the page says it is being prepared) when the
# report covers more than this many searches plus cameras; below, in the request.
REPORTS_PDF_BACKGROUND_OVER = env.int("REPORTS_PDF_BACKGROUND_OVER", default=100_000)
# Who may frame the /embed/ pages (CSP frame-ancestors; every other page: 'none').
PORTAL_EMBED_FRAME_ANCESTORS = env.list("PORTAL_EMBED_FRAME_ANCESTORS", default=["*"])
# --- Admin login lockout (django-axes) ----------------------------------------------------
# N wrong passwords for one username from one client lock that pair out for the cool-off; a
# correct password in between starts the count again. Attempts live in the cache (Redis in
# production), keyed by a keyed hash of the client address, so no IP is stored.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.security.axes_lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.security.axes_client_ip"
if not PRODUCTION:
    # axes.W001 warns that a local-memory cache is per process; production always has Redis,
    # and the embedded default serves from one process.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# One JSON object a line in production (log collectors parse it); readable lines otherwise.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT is json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "portal.logformat.JsonFormatter"},
    },
    # Residents' confirm and withdraw tokens never reach the log (see portal/logformat.py).
    "filters": {"mask_tokens": {"()": "portal.logformat.MaskTokensFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["mask_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Show a "demo data" notice on every page while the site runs on invented demo data.
PORTAL_DEMO_BANNER = env.bool("PORTAL_DEMO_BANNER", default=not PRODUCTION)

# Import jobs: when a running job counts as stalled, how often it is retried, how long files stay.
IMPORT_STALLED_MINUTES = env.int("IMPORT_STALLED_MINUTES", default=15)
IMPORT_PENDING_MINUTES = env.int("IMPORT_PENDING_MINUTES", default=30)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=3)
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=90)
# Rows of an audit committed together with the job's checkpoint (PostgreSQL): what a killed
# worker's rerun may have to read again.
AUDIT_SEGMENT_ROWS = env.int("AUDIT_SEGMENT_ROWS", default=500_000)
# The plausible times of an audited search (and of a time frame's bounds): hosted ALPR networks
# with search audit logs date from the 2000s, so an earlier time is a broken cell; a time more
# than SEARCH_TIME_FUTURE_HOURS after the import is one too. Outside it a row is rejected.
SEARCH_TIME_EARLIEST = env.str("SEARCH_TIME_EARLIEST", default="2000-01-01")
SEARCH_TIME_FUTURE_HOURS = env.int("SEARCH_TIME_FUTURE_HOURS", default=24)

# Every scheduled fetch (audit URLs, transparency pages, Overpass; core/fetching.py) keeps to
# these limits and the private-address guard.
AUDIT_FETCH_MAX_BYTES = env.int("AUDIT_FETCH_MAX_BYTES", default=IMPORT_MAX_UPLOAD_BYTES)
AUDIT_FETCH_TIMEOUT_SECONDS = env.float("AUDIT_FETCH_TIMEOUT_SECONDS", default=60.0)
AUDIT_FETCH_MAX_SECONDS = env.float("AUDIT_FETCH_MAX_SECONDS", default=30 * 60.0)
AUDIT_FETCH_MAX_REDIRECTS = env.int("AUDIT_FETCH_MAX_REDIRECTS", default=5)
AUDIT_FETCH_RETRIES = env.int("AUDIT_FETCH_RETRIES", default=3)
AUDIT_FETCH_BACKOFF_SECONDS = env.float("AUDIT_FETCH_BACKOFF_SECONDS", default=2.0)
# Tests only, never from the environment: loopback addresses on these ports pass the private
# address guard, so a local test server can be fetched and everything else is still refused.
AUDIT_FETCH_ALLOW_LOOPBACK_PORTS: list[int] = []
# Transparency pages fetched on a schedule (cameras/sources.py): the largest page fetched, and
# how much of each version is kept for the clerk to read (the import job keeps the whole file).
PAGE_FETCH_MAX_BYTES = env.int("PAGE_FETCH_MAX_BYTES", default=20 * 1024 * 1024)
PAGE_FETCH_KEEP_CHARS = env.int("PAGE_FETCH_KEEP_CHARS", default=1_000_000)
# OpenStreetMap ALPR cameras (cameras/osm.py): the Overpass API endpoint areas are refreshed
# from (empty: no refreshes), the query's server-side timeout and the largest answer taken.
OVERPASS_URL = env.str("OVERPASS_URL", default="https://overpass-api.de/api/interpreter")
OVERPASS_QUERY_TIMEOUT = env.int("OVERPASS_QUERY_TIMEOUT", default=120)
OVERPASS_MAX_BYTES = env.int("OVERPASS_MAX_BYTES", default=100 * 1024 * 1024)

# How long the search statistics API keeps a computed answer (seconds).
SEARCH_STATS_CACHE_SECONDS = env.int("SEARCH_STATS_CACHE_SECONDS", default=600)
# Where the searches explorer stops counting rows the rollups cannot count (reason text, device
# counts, the partial months of a date range) and shows "more than N" instead.
SEARCH_EXPLORER_COUNT_BOUND = env.int("SEARCH_EXPLORER_COUNT_BOUND", default=10_000)

# --- Hearings and petitions ---------------------------------------------------------------
from celery.schedules import crontab  # noqa: E402

# How many reverse proxies in front of the site append to X-Forwarded-For (0: use REMOTE_ADDR).
NUM_PROXIES = env.int("PORTAL_NUM_PROXIES", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES  # the API throttles by the same client address
# Absolute links in emails (confirm, withdraw) point here.
PORTAL_SITE_URL = env.str(
    "PORTAL_SITE_URL",
    default=f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000",
).rstrip("/")
# scope -> (attempts, window in seconds); counted per IP hash and per normalized email.
HEARINGS_RATE_LIMITS = {
    "comment_ip": (env.int("HEARINGS_COMMENT_IP_LIMIT", default=20), 60 * 60),
    "comment_email": (env.int("HEARINGS_COMMENT_EMAIL_LIMIT", default=6), 60 * 60),
    "comment_burst": (env.int("HEARINGS_COMMENT_BURST_LIMIT", default=3), 60),
    "petition_start_ip": (env.int("HEARINGS_PETITION_START_IP_LIMIT", default=5), 24 * 60 * 60),
    "petition_sign_ip": (env.int("HEARINGS_SIGN_IP_LIMIT", default=30), 60 * 60),
    "petition_sign_email": (env.int("HEARINGS_SIGN_EMAIL_LIMIT", default=6), 60 * 60),
    "alert_subscribe_ip": (env.int("ALERTS_SUBSCRIBE_IP_LIMIT", default=20), 60 * 60),
    "alert_subscribe_email": (env.int("ALERTS_SUBSCRIBE_EMAIL_LIMIT", default=6), 60 * 60),
    "alert_webhook_ip": (env.int("ALERTS_WEBHOOK_IP_LIMIT", default=5), 24 * 60 * 60),
}
# The same text submitted this many times within the window (any sender) is held as a burst.
HEARINGS_DUPLICATE_TEXT_LIMIT = env.int("HEARINGS_DUPLICATE_TEXT_LIMIT", default=3)
HEARINGS_DUPLICATE_TEXT_WINDOW = env.int("HEARINGS_DUPLICATE_TEXT_WINDOW", default=60 * 60)
HEARINGS_IP_RETENTION_DAYS = env.int("HEARINGS_IP_RETENTION_DAYS", default=30)
HEARINGS_OUTBOX_RETENTION_DAYS = env.int("HEARINGS_OUTBOX_RETENTION_DAYS", default=90)
# Where the file-based email backend (EMAIL_BACKEND=...filebased.EmailBackend) writes.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))
# Confirmation links stay valid this long (seconds).
HEARINGS_CONFIRM_MAX_AGE = env.int("HEARINGS_CONFIRM_MAX_AGE", default=14 * 24 * 60 * 60)
CELERY_BEAT_SCHEDULE.update(
    {
        "hearings-ip-hashes-purge": {
            "task": "hearings.tasks.ip_hashes_purge",
            "schedule": 24 * 60 * 60,
        },
        "hearings-outbox-purge": {
            "task": "hearings.tasks.outbox_purge",
            "schedule": 24 * 60 * 60,
        },
        "hearings-moderation-digest": {
            "task": "portal.tasks.moderation_digest_send",
            "schedule": crontab(hour=7, minute=0),
        },
        "petitions-close-expired": {
            "task": "petitions.tasks.petitions_close_expired",
            "schedule": 60 * 60,
        },
        "datasets-snapshot-nightly": {
            "task": "datasets.tasks.dataset_snapshot_nightly",
            "schedule": crontab(hour=3, minute=15),
        },
    }
)

# --- Alerts (subscriptions to the change log, newsroom webhooks) ---------------------------
# Events one digest email carries at most; the rest go out with the next run.
ALERTS_DIGEST_MAX_EVENTS = env.int("ALERTS_DIGEST_MAX_EVENTS", default=200)
ALERTS_IMMEDIATE_MINUTES = env.int("ALERTS_IMMEDIATE_MINUTES", default=5)
# Webhook POSTs: per-request timeout, retries of one delivery (Celery, exponential backoff from
# ALERTS_WEBHOOK_BACKOFF_SECONDS), and the consecutive failures after which a webhook is
# disabled and its owner emailed.
ALERTS_WEBHOOK_TIMEOUT_SECONDS = env.float("ALERTS_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
ALERTS_WEBHOOK_RETRIES = env.int("ALERTS_WEBHOOK_RETRIES", default=5)
ALERTS_WEBHOOK_BACKOFF_SECONDS = env.int("ALERTS_WEBHOOK_BACKOFF_SECONDS", default=60)
ALERTS_WEBHOOK_MAX_FAILURES = env.int("ALERTS_WEBHOOK_MAX_FAILURES", default=10)
CELERY_BEAT_SCHEDULE.update(
    {
        "alerts-immediate": {
            "task": "alerts.tasks.digests_send",
            "schedule": ALERTS_IMMEDIATE_MINUTES * 60,
            "args": ("immediate",),
        },
        "alerts-daily": {
            "task": "alerts.tasks.digests_send",
            "schedule": crontab(hour=6, minute=30),
            "args": ("daily",),
        },
        "alerts-weekly": {
            "task": "alerts.tasks.digests_send",
            "schedule": crontab(hour=6, minute=45, day_of_week="mon"),
            "args": ("weekly",),
        },
        "alerts-webhooks-dispatch": {
            "task": "alerts.tasks.webhooks_dispatch",
            "schedule": ALERTS_IMMEDIATE_MINUTES * 60,
        },
        "records-reminders": {
            "task": "records.tasks.records_reminders_send",
            "schedule": crontab(hour=7, minute=30),
        },
    }
)
