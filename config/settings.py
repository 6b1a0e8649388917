"""Hearth settings: one module, read from the environment (see README, "Configuration").

Development (`make run`) sets DEBUG=1 and needs nothing else: SQLite under var/, Celery
on a filesystem broker under var/, a generated secret key. Production leaves DEBUG off,
which turns on every security setting `manage.py check --deploy` asks for.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_choice,
    env_int,
    env_json_object,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HEARTH_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    # Development only: one random key kept under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

HEARTH_AGENCY_NAME = env_str("HEARTH_AGENCY_NAME", "Department of Children and Families")
HEARTH_SITE_URL = env_str("HEARTH_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_htmx",
    "simple_history",
    "csp",
    "agency",
    "casework",
    "quality",
    "ombudsman",
    "coop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "agency.middleware.IdleSessionMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout raised below into its response.
    "axes.middleware.AxesMiddleware",
]

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agency.context_processors.hearth",
            ],
        },
    },
    # The rows of the busiest list pages (config/jinja2.py says why), from <app>/jinja2/.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "config.jinja2.environment"},
    },
]

# Form widgets render through Jinja2 where Django ships Jinja2 templates for them (see
# agency/renderers.py).
FORM_RENDERER = "agency.renderers.HearthFormRenderer"

# Database: SQLite under var/ unless DATABASE_URL names a Postgres server.
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 600, minimum=0)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool(
        "DATABASE_PREPARED_STATEMENTS", True
    ):
        # Parameters bound by the server, and a statement run five times on a
        # connection kept prepared: the list pages repeat the same dozen queries, and
        # Postgres then skips planning them. Off behind a pooler in transaction mode
        # older than PgBouncer 1.21 (Django's default, for that reason).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "hearth.sqlite3",
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            # The web server, the worker and beat share the file: wait for locks.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker, results and the cache. Without it Celery uses a filesystem
# broker under var/ and the cache stays in process memory.
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hearth",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agency.backends.StaffModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 idle minutes (see agency.middleware.IdleSessionMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: lock a username from an address after 5 failed logins.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# django-guardian: object grants go to named staff only, never to an anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
# Uploaded files (case documents, COOP plans, ORE files, inquiry attachments) are always
# served by Hearth after its access check, never from MEDIA_URL. They go to MEDIA_ROOT by
# default; in production any Django storage backend, e.g. a private S3 bucket with
# django-storages (`pip install ".[s3]"`): MEDIA_STORAGE=storages.backends.s3.S3Storage
# and MEDIA_STORAGE_OPTIONS='{"bucket_name": "hearth-files", "default_acl": "private"}'.
STORAGES = {
    "default": {
        "BACKEND": env_str("MEDIA_STORAGE") or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": env_json_object("MEDIA_STORAGE_OPTIONS"),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: the console in development, SMTP in production.
EMAIL_DELIVERY = env_choice("EMAIL_DELIVERY", ("console", "smtp"), "console" if DEBUG else "smtp")
EMAIL_BACKEND = f"django.core.mail.backends.{EMAIL_DELIVERY}.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hearth <hearth@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Everything below is on unless DEBUG is set; check --deploy passes clean.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["agency.api.permissions.HasRole"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "agency.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hearth API",
    "DESCRIPTION": "Case management for state child-welfare agencies.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # drf-spectacular serves the schema and docs to anyone by default; like the rest of
    # the API they are for staff with a role.
    "SERVE_PERMISSIONS": ["agency.api.permissions.HasRole"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set where several models share a field name.
    "ENUM_NAME_OVERRIDES": {
        "AllegationKindEnum": "casework.models.Allegation.Kind",
        "SupervisionNoteKindEnum": "casework.models.SupervisionNote.Kind",
        "RelationshipKindEnum": "casework.models.Relationship.Kind",
        "TrackEnum": "casework.models.Intake.Track",
        "CaseStatusEnum": "casework.models.Case.Status",
        "VisitStatusEnum": "casework.models.Visit.Status",
        "ExtensionStatusEnum": "casework.models.IffExtension.Status",
        "AssessmentKindEnum": "casework.models.Assessment.Kind",
        "AssessmentStatusEnum": "casework.models.Assessment.Status",
        "PermanencyDecisionKindEnum": "casework.models.PermanencyDecision.Kind",
        "CaseDocumentKindEnum": "casework.models.CaseDocument.Kind",
        "CaseTransferStatusEnum": "casework.models.CaseTransfer.Status",
        "CaseTypeEnum": "casework.models.Case.Type",
        "InquiryKindEnum": "ombudsman.models.Inquiry.Kind",
        "InquiryStatusEnum": "ombudsman.models.Inquiry.Status",
        "InquiryEventKindEnum": "ombudsman.models.InquiryEvent.Kind",
        "SignificantEventKindEnum": "quality.models.SignificantEvent.Kind",
        "EmergencyProcedureKindEnum": "coop.models.EmergencyProcedure.Kind",
        "ItemRatingEnum": "quality.models.ItemRating.Rating",
        "OutcomeRatingEnum": "quality.api.reviews.OUTCOME_RATING_CHOICES",
        "CaseReviewStatusEnum": "quality.models.CaseReview.Status",
        "SqrStatusEnum": "quality.models.SpecialQualitativeReview.Status",
        "SqrRecommendationStatusEnum": "quality.models.SqrRecommendation.Status",
        "SqrInterviewKindEnum": "quality.models.SqrInterview.Kind",
        "SqrFindingAreaEnum": "quality.models.SqrFinding.Area",
        "SqrFindingScopeEnum": "quality.models.SqrFinding.Scope",
        "InquiryScopeEnum": "ombudsman.models.Inquiry.Scope",
        "AllegationFindingEnum": "casework.models.Allegation.Finding",
        "FamilyMeetingKindEnum": "casework.models.FamilyMeeting.Kind",
        "CourtPetitionKindEnum": "casework.models.CourtPetition.Kind",
        "CourtPetitionStatusEnum": "casework.models.CourtPetition.Status",
        "CourtHearingKindEnum": "casework.models.CourtHearing.Kind",
        "InquiryLogKindEnum": "ombudsman.api.serializers.LOG_KINDS",
        "ResponseMethodEnum": "ombudsman.models.Inquiry.ResponseMethod",
        "ContactMethodEnum": "ombudsman.models.InquiryEvent.ContactMethod",
        "DataRequestStatusEnum": "quality.models.DataRequest.Status",
        "DataRequestStatusFilterEnum": "quality.api.data_requests.STATUS_FILTER_CHOICES",
        "DataRequestCategoryEnum": "quality.models.DataRequest.Category",
        "DataRequestChannelEnum": "quality.models.DataRequest.Channel",
        "InquiryChannelEnum": "ombudsman.models.Inquiry.Channel",
        "DataRequestFormatEnum": "quality.models.DataRequest.Format",
        "IrbDecisionEnum": "quality.models.DataRequest.IrbDecision",
        "DataRequestFileKindEnum": "quality.models.DataRequestFile.Kind",
        "DataRequestUploadKindEnum": "quality.api.data_requests.UPLOAD_KIND_CHOICES",
    },
}

# Celery. Tasks are acknowledged after they finish so a lost worker's task runs again;
# every task is therefore written to be safe to run twice.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if REDIS_URL:
    CELERY_RESULT_BACKEND = REDIS_URL
    # Longer than any task runs, shorter than anyone waits for a reminder.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _queue = VAR_DIR / "celery" / "queue"
    _processed = VAR_DIR / "celery" / "processed"
    _results = VAR_DIR / "celery" / "results"
    for _folder in (_queue, _processed, _results):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{_results}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_processed),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
