"""Concord settings, driven by the environment (see docs/configuration.md)."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Production has no default secret: DJANGO_SECRET_KEY is required unless DEBUG is on.
SECRET_KEY = env("DJANGO_SECRET_KEY") if not DEBUG else env(
    "DJANGO_SECRET_KEY", default="django-insecure-concord-dev-only-key-do-not-use-in-production"
)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "projects",
    "annotation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LocaleMiddleware, after authentication: a user's saved language comes first.
    "config.locale.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A view's lost database connection: a 503 page, fragment or JSON error (config/faults.py).
    "config.faults.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]
# A Server-Timing header with the app's time per request (config/timing.py), first so that
# it times everything else. Off by default: it tells clients how long requests take. The
# bench turns it on.
if env.bool("CONCORD_SERVER_TIMING", default=False):
    MIDDLEWARE.insert(0, "config.timing.ServerTimingMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
            "builtins": ["django.templatetags.i18n", "template_partials.templatetags.partials",
                         "projects.templatetags.concord", "annotation.templatetags.dashboards"],
        },
    }
]

# Database: SQLite when DATABASE_URL is unset, otherwise e.g. postgres://user@host:5432/name.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: a page's query whose cost estimate passes jit_above_cost (a
    # filtered list of a million documents) spent 349 of its 430 ms compiling (bench/README.md,
    # documents); the web's queries are short, and compiling never pays back for them.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A password change (set_password() then save(), on any path) revokes the user's API tokens;
# so does deactivating the account (docs/security.md). The "validator" is Django's hook for it.
CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE = env.bool("CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE",
                                                    default=True)
if CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE:
    AUTH_PASSWORD_VALIDATORS.append({"NAME": "config.auth.RevokeTokensOnPasswordChange"})
# Login throttling (django-axes, config/auth.py): failures counted per (username, IP) and per
# IP, on the login page and the token endpoint alike, within the cool-off window.
AUTHENTICATION_BACKENDS = ["config.auth.LoginThrottleBackend",
                           "django.contrib.auth.backends.ModelBackend"]
CONCORD_LOGIN_FAILURE_LIMIT = env.int("CONCORD_LOGIN_FAILURE_LIMIT", default=5)
# Password spraying (one guess for each of many usernames): failures of any usernames from
# one address; 0 turns this limit off.
CONCORD_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("CONCORD_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
CONCORD_LOGIN_COOLOFF_MINUTES = env.int("CONCORD_LOGIN_COOLOFF_MINUTES", default=15)
AXES_ENABLED = env.bool("CONCORD_LOGIN_THROTTLE", default=True)
AXES_HANDLER = "config.auth.LoginThrottleHandler"
AXES_FAILURE_LIMIT = CONCORD_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=CONCORD_LOGIN_COOLOFF_MINUTES)
# The pair first (LoginThrottleHandler reads the counts in this order), then the address.
AXES_LOCKOUT_PARAMETERS: list[list[str]] = [["username", "ip_address"]]
if CONCORD_LOGIN_ADDRESS_FAILURE_LIMIT:
    AXES_LOCKOUT_PARAMETERS.append(["ip_address"])
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.auth.lockout_response"
# Behind a proxy, name the header it sets (e.g. HTTP_X_FORWARDED_FOR): its last address counts.
CONCORD_CLIENT_IP_HEADER = env("DJANGO_CLIENT_IP_HEADER", default="")
AXES_CLIENT_IP_CALLABLE = "config.auth.client_ip"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in each language's own order (config/formats/): templates name the formats.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("CONCORD_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("CONCORD_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "config.storage.StaticStorage"
    },
}

# Redis: the Celery broker and result backend, and the cache. Unset: tasks run in-process.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Degraded, not broken, while Redis is down (config/cache.py); fails fast then.
    CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": "concord",
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a hostname: kombu warns without one
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=30 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=35 * 60)
# Tasks are idempotent, so a task whose worker dies is redelivered rather than lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="concord")
# Training runs on `<CELERY_QUEUE>-training`, its own queue (config/celery_base.py).
CELERY_TASK_ROUTES = ("config.celery_base.route_training",)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
# Sending a task with the broker down gives up after about a second (config/celery_base.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0,
                                    "interval_step": 0.2, "interval_max": 0.5}
# Jobs (projects/services/jobs.py): a running job beats every HEARTBEAT seconds; the reaper
# (celery beat, every minute, or `manage.py reap_jobs`) fails those silent for STALE seconds
# and sends again the jobs queued while the broker was down.
CONCORD_JOB_HEARTBEAT_SECONDS = env.int("CONCORD_JOB_HEARTBEAT_SECONDS", default=15)
CONCORD_JOB_STALE_SECONDS = env.int("CONCORD_JOB_STALE_SECONDS", default=120)
CELERY_BEAT_SCHEDULE = {
    "reap-jobs": {"task": "annotation.tasks.reap_jobs_task", "schedule": 60.0},
    "sweep-files": {"task": "annotation.tasks.sweep_files_task", "schedule": 15 * 60.0},
}
# The sweep (annotation/services/sweep.py, every 15 minutes, or `manage.py sweep_files`)
# removes export files and import uploads that no version or unfinished job refers to, once
# they are older than this grace period (seconds).
CONCORD_ORPHAN_GRACE_SECONDS = env.int("CONCORD_ORPHAN_GRACE_SECONDS", default=3600)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    # ?format= names an export format (DESIGN.md), not a DRF renderer.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("CONCORD_THROTTLE_ANON", default="60/minute"),
        "user": env("CONCORD_THROTTLE_USER", default="5000/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Concord API",
    "DESCRIPTION": "Projects, labels, members, documents, annotations, agreement and exports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "config.api.schema.document_errors"],
    "ENUM_NAME_OVERRIDES": {
        "LabelKindEnum": "projects.models.LabelKind",
        "JobKindEnum": "projects.models.JobKind",
        "JobStatusEnum": "projects.models.JobStatus",
        "DocumentStatusEnum": "annotation.models.DocumentStatus",
        "AnnotationStatusEnum": "annotation.models.AnnotationStatus",
    },
}

# Who may create projects: "staff" (default) or "any" authenticated user.
CONCORD_PROJECT_CREATORS = env("CONCORD_PROJECT_CREATORS", default="staff")
CONCORD_LEASE_MINUTES = env.int("CONCORD_LEASE_MINUTES", default=30)
# Seconds between automatic agreement runs after submissions; 0 turns them off.
CONCORD_AGREEMENT_DEBOUNCE = env.int("CONCORD_AGREEMENT_DEBOUNCE", default=60)
# Networks that webhooks and the LLM agent may reach although they are private or loopback
# (comma-separated CIDRs); by default only public addresses.
CONCORD_WEBHOOK_ALLOWED_NETWORKS = env.list("CONCORD_WEBHOOK_ALLOWED_NETWORKS", default=[])
# The LLM agent: seconds per call, and how many open documents one suggestion run asks about.
CONCORD_LLM_TIMEOUT = env.float("CONCORD_LLM_TIMEOUT", default=20.0)
CONCORD_LLM_BATCH = env.int("CONCORD_LLM_BATCH", default=200)
# Processes the suggestion precompute predicts in (docs/agents.md); 0: one per CPU the worker
# may use. A run of fewer than two batches (1,000 documents) per process predicts in-process.
CONCORD_SUGGEST_PROCESSES = env.int("CONCORD_SUGGEST_PROCESSES", default=0)
# Seconds between a gold change and the check whether `train_every` new gold documents came
# (models in the loop, docs/agents.md); a negative value turns automatic training off.
CONCORD_TRAINING_DEBOUNCE = env.int("CONCORD_TRAINING_DEBOUNCE", default=60)
# Seconds the progress dashboard's figures may age before a view queues their
# recomputation (docs/dashboards.md).
CONCORD_PROGRESS_MAX_AGE = env.int("CONCORD_PROGRESS_MAX_AGE", default=60)
# The csv export's meta columns (docs/exports.md): at most this many keys get a column of
# their own; a document's other keys go in its JSON `meta` column.
CONCORD_EXPORT_CSV_META_COLUMNS = env.int("CONCORD_EXPORT_CSV_META_COLUMNS", default=50)
# Data balance (docs/agreement.md): a label under this share of its kind is flagged; the
# agreement job slices by meta fields with at most MAX_VALUES distinct values, MAX_FIELDS
# fields at most.
CONCORD_BALANCE_MIN_SHARE = env.float("CONCORD_BALANCE_MIN_SHARE", default=0.02)
CONCORD_BALANCE_MAX_VALUES = env.int("CONCORD_BALANCE_MAX_VALUES", default=50)
CONCORD_BALANCE_MAX_FIELDS = env.int("CONCORD_BALANCE_MAX_FIELDS", default=10)
CONCORD_IMPORT_MAX_BYTES = env.int("CONCORD_IMPORT_MAX_BYTES", default=2 * 1024**3)
# A request body Django holds in memory (an API JSON body, a form): a larger one is a JSON 413
# on the API (config/api/errors.py). Uploads stream to disk and have CONCORD_IMPORT_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE",
                                      default=int(2.5 * 1024**2))
# A document's text, in code points (docs/imports.md, Long texts): an import's longer record
# is a problem, or is cut into parts with the import option long_texts=split.
CONCORD_MAX_DOCUMENT_CHARS = max(1, env.int("CONCORD_MAX_DOCUMENT_CHARS", default=1_000_000))
# Labels per project, every kind together (docs/security.md): the label API and page refuse
# the next one, and an import with create_labels reports the record that would pass it.
CONCORD_PROJECT_MAX_LABELS = env.int("CONCORD_PROJECT_MAX_LABELS", default=2000)
# On PostgreSQL, an import that stored at least this many rows (documents and labellings)
# runs ANALYZE on the tables it filled (docs/imports.md); 0: never.
CONCORD_IMPORT_ANALYZE_ROWS = env.int("CONCORD_IMPORT_ANALYZE_ROWS", default=10_000)
# What one imported record may hold (docs/security.md, Limits; annotation/readers/limits.py):
# levels of nested arrays and objects and object keys in a JSON record, checked while it is
# parsed; a document's meta keys, their length and the size of each value (every format;
# csv/tsv: the columns besides text and id).
CONCORD_IMPORT_MAX_DEPTH = max(8, env.int("CONCORD_IMPORT_MAX_DEPTH", default=32))
CONCORD_IMPORT_MAX_KEYS = max(100, env.int("CONCORD_IMPORT_MAX_KEYS", default=100_000))
CONCORD_IMPORT_MAX_META_KEYS = env.int("CONCORD_IMPORT_MAX_META_KEYS", default=100)
CONCORD_IMPORT_MAX_META_KEY_CHARS = env.int("CONCORD_IMPORT_MAX_META_KEY_CHARS", default=200)
CONCORD_IMPORT_MAX_META_VALUE_CHARS = env.int("CONCORD_IMPORT_MAX_META_VALUE_CHARS",
                                              default=100_000)
# A line of a line format (jsonl, doccano, csv, tsv, txt, conll), in characters: a longer one
# is never held in memory (a problem for a JSON line, else the file's error). It bounds what
# one record costs; keep it above CONCORD_MAX_DOCUMENT_CHARS where records are split.
CONCORD_IMPORT_MAX_LINE_CHARS = env.int("CONCORD_IMPORT_MAX_LINE_CHARS", default=16_000_000)

# Content-Security-Policy (django-csp), docs/security.md: scripts only from our own static
# files (no inline script, no eval, no handler attribute), stylesheets and <style> from
# 'self' only, nothing loaded from elsewhere. Style attributes stay allowed: they cannot run
# script, and carry the label colours (validated #rrggbb) as CSS variables.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF], "script-src": [SELF], "style-src": [SELF],
        "style-src-elem": [SELF], "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"], "font-src": [SELF], "connect-src": [SELF],
        "object-src": [NONE], "base-uri": [SELF], "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token goes through hx-headers.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a one-way commitment for the whole domain: the operator opts in.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"client_errors_without_traceback": {
        "()": "config.log_filters.ClientErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # django-axes tells every login at INFO; its failures and lockouts are WARNINGs.
        "axes": {"level": env("CONCORD_AXES_LOG_LEVEL", default="WARNING")},
        # A 403 (or another 4xx) is one warning line, not a traceback; a 5xx keeps it.
        "django.request": {"filters": ["client_errors_without_traceback"]},
    },
}
