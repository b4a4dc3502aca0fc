"""Settings, read from the environment (see the table in README.md)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"

# Empty with DEBUG on: Django allows localhost, 127.0.0.1 and [::1].
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "quiz",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "quiz.learners.middleware.LearnerTimeZoneMiddleware",
    "quiz.authoring.middleware.UploadLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "quiz.urls"
WSGI_APPLICATION = "quiz.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quiz.context_processors.sandbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers at once (gunicorn workers, a Celery worker, runserver's threads): writes
    # take the lock when their transaction starts and wait for it instead of failing with
    # "database is locked"; the write-ahead log lets reads go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id (argon2-cffi) tuned for a class logging in together; older hashes are upgraded at login.
PASSWORD_HASHERS = [
    "quiz.accounts.hashers.ClassroomArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes checks every log-in (the site's and the admin's) before Django's own backend.
AUTHENTICATION_BACKENDS = [
    "quiz.accounts.throttle.LoginBackend",
    "quiz.accounts.backends.LearnerBackend",
]
AXES_HANDLER = "quiz.accounts.throttle.LoginLockout"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURES_PER_USER", 5))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", 30))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_CALLABLE = "quiz.accounts.throttle.locked_out"
# Failures are not forgotten at a successful log-in: axes would forget every failure from that
# address, so logging in to one's own account would reset the count against another's.
AXES_RESET_ON_SUCCESS = False
# Behind N proxies that append to X-Forwarded-For, the client is the Nth address from the right.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0)) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)
SIGNUPS_PER_HOUR = int(os.environ.get("SIGNUPS_PER_HOUR", 20))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "decks"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "quiz" / "locale"]
# Russian dates with the month in the right case, and the named formats of quiz/formats/.
FORMAT_MODULE_PATH = ["quiz.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# Uploads: a multipart body over UPLOAD_MAX_BYTES is refused before it is read
# (quiz.authoring.middleware), a deck file over DECK_FILE_MAX_BYTES before it is decoded, and
# other bodies over DATA_UPLOAD_MAX_MEMORY_SIZE by Django (room for two deck files sent back to
# be applied, JSON- and form-encoded).
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 2_500_000))
DECK_FILE_MAX_BYTES = 1_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = DECK_FILE_MAX_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000_000

# Content-Security-Policy (django-csp): scripts and style sheets from this site only, no inline
# script, no eval (htmx's allowEval is off; keyboard shortcuts come from quiz/keys.js). A <style>
# element needs the page's nonce (CodeMirror's, given it by editor.js); style attributes (a
# progress bar's width, CodeMirror's layout) are allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The cache (sign-up counts, baselines, authors' proofs): shared through Redis when CACHE_URL is
# set, which defaults to a Redis broker's URL (web and workers must share it).
_BROKER = os.environ.get("CELERY_BROKER_URL", "")
CACHE_URL = os.environ.get("CACHE_URL") or (_BROKER if _BROKER.startswith("redis") else "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions: with the shared cache, each request reads its session from Redis, not the database
# (written to both, so a session outlives the cache; logging out deletes it from both). Without
# one, from the database only: a per-process cache would keep a logged-out session alive in the
# other workers.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if CACHE_URL else "db")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Don't let a Redis host that does not answer hang a request.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}

# Learners' code runs: the one place their limits are defaulted. Celery's time limits sit above
# the sandbox's own wall-clock limit (runner.Limits.wall_seconds); a run still "running" after
# the hard limit plus the grace ends as an error the learner can retry.
CODE_RUN_SOFT_LIMIT = float(os.environ.get("CODE_RUN_SOFT_LIMIT", 15))
CODE_RUN_HARD_LIMIT = float(os.environ.get("CODE_RUN_HARD_LIMIT", 20))
CODE_RUN_GRACE = float(os.environ.get("CODE_RUN_GRACE", 5))
CODE_RUN_QUEUE_TIMEOUT = float(os.environ.get("CODE_RUN_QUEUE_TIMEOUT", 60))
CODE_RUNS_IN_FLIGHT = int(os.environ.get("CODE_RUNS_IN_FLIGHT", 2))
CODE_RUNS_PER_MINUTE = int(os.environ.get("CODE_RUNS_PER_MINUTE", 20))
# With a broker: how many of one learner's runs the workers run at once while another learner's
# run waits (the learner's next run goes back to the end of the queue for CODE_RUN_DEFER s).
CODE_RUNS_RUNNING = int(os.environ.get("CODE_RUNS_RUNNING", 1))
CODE_RUN_DEFER = float(os.environ.get("CODE_RUN_DEFER", 0.25))
# How long a Check request waits for its verdict from a worker (through Redis) before it answers
# "running…" and the page polls.
CODE_RUN_WAIT = float(os.environ.get("CODE_RUN_WAIT", 2))
# The interpreters learners' code may run on (decks and cards name them, `python: "3.12"`):
# paths separated by ':', else those the runner finds (`python -m runner pythons`).
RUNNER_PYTHONS = [path for path in os.environ.get("RUNNER_PYTHONS", "").split(":") if path]
# Authors' "Run checks" (the reference and up to 20 wrong solutions): one at a time per author.
AUTHOR_PROOFS_PER_MINUTE = int(os.environ.get("AUTHOR_PROOFS_PER_MINUTE", 6))
AUTHOR_PROOF_SOFT_LIMIT = float(os.environ.get("AUTHOR_PROOF_SOFT_LIMIT", 120))
AUTHOR_PROOF_HARD_LIMIT = float(os.environ.get("AUTHOR_PROOF_HARD_LIMIT", 150))

# Tasks live beside the code they run (autodiscovery would look for quiz.tasks only).
CELERY_IMPORTS = [
    "quiz.runs.tasks",
    "quiz.runs.service",
    "quiz.authoring.tasks",
    "quiz.progress.fitting",
]
# `celery -A quiz beat` refits every learner's FSRS parameters weekly (Sunday 03:00 UTC) and
# sweeps stale runs every minute.
CELERY_BEAT_SCHEDULE = {
    "fit-fsrs-parameters-weekly": {
        "task": "quiz.progress.fitting.fit_all_learners",
        "schedule": crontab(minute=0, hour=3, day_of_week="sunday"),
    },
    # Runs whose worker died, or that no worker took, end as errors the learner can retry.
    "sweep-stale-runs": {
        "task": "quiz.runs.service.sweep_stale_runs",
        "schedule": float(os.environ.get("SWEEP_EVERY_SECONDS", 60)),
    },
}

# Scheduling: fsrs fuzzes review intervals; the fuzzed interval is computed once and stored.
FSRS_FUZZ = env_bool("FSRS_FUZZ", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
