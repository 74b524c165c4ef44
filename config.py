"""Application settings, read from the environment with safe development defaults."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

# Passwords that ship with the demo data. The production config refuses them.
DEMO_PASSWORDS = frozenset({"demo1234"})


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Every Redis client of the web process gives up quickly: Redis only makes work happen
# sooner (DESIGN §10), so a hung Redis may cost a request a fraction of a second, never more.
REDIS_CONNECT_TIMEOUT = float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.3"))
REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.3"))


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'complaints.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Empty means "no Redis": jobs then run in-process after the commit.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Without Redis, jobs run in this process after the commit; those a request asked for
    # run in a thread of their own, so that a slow one (rendering a document) never holds
    # the request. Tests run them at once, in order, to see what they did.
    JOBS_IN_THREAD = True
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "default")
    REDIS_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
    REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
    # After a failed enqueue the process leaves Redis alone this long: the work is in the
    # database, and the sweeps below pick it up once Redis answers again.
    REDIS_RETRY_AFTER_SECONDS = 30
    # Jobs that find work a lost queue message left behind; enqueued when Redis answers
    # again after a failure, and when a worker starts (cron runs them periodically too).
    RECOVERY_JOBS = ("app.notifications.tasks.relay_outbox", "app.documents.tasks.render_pending")

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_Hans_CN", "en")

    SESSION_PROTECTION = "strong"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    PASSWORD_HASH_METHOD = "scrypt"
    # Failed logins: per username (known or not) and per client address, stored in the
    # database. An office behind one NAT address shares the address limit: keep it high.
    LOGIN_MAX_FAILURES = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 50
    LOGIN_LOCK_MINUTES = 15
    # API bearer tokens: the lifetime a new one gets unless told, and the longest allowed.
    API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
    API_TOKEN_MAX_DAYS = 365

    # Case numbering: <prefix><year>-<six digits>, e.g. CC2026-000123.
    CASE_NUMBER_PREFIX = os.environ.get("CASE_NUMBER_PREFIX", "CC")
    # Time limits (DESIGN §6); each is (unit, amount), unit "workdays" or "hours".
    CLOCK_LIMITS = {
        "screen": {"normal": ("workdays", 3), "urgent": ("workdays", 3)},
        "sign": {"normal": ("workdays", 1), "urgent": ("hours", 2)},
        "handle": {"normal": ("workdays", 15), "urgent": ("workdays", 3)},
        "visit": {"normal": ("workdays", 3), "urgent": ("workdays", 3)},
    }
    # Electronic supervision (DESIGN §6): pre-warn with one working day (or 20% of an hour
    # limit) left; red card this many working days after the deadline.
    PREWARN_WORKDAYS = 1
    PREWARN_HOURS_FRACTION = 0.2
    RED_AFTER_WORKDAYS = 5
    # A supervision order (督办单) must be answered within this many working days.
    ORDER_RESPONSE_WORKDAYS = 3
    # Notice numbers: 澄效催〔2026〕12号 (reminders), 澄效督〔2026〕3号 (orders).
    NOTICE_PREFIXES = {"reminder": "澄效催", "order": "澄效督"}
    # Extensions (延期): at most this many approved, each of at most this many working days.
    MAX_EXTENSIONS = 2
    MAX_EXTENSION_DAYS = 15
    # Accountability (DESIGN §7), in working days: the person's statement (陈述申辩),
    # the appeal period after service, and the longest time to carry out a decision.
    STATEMENT_WORKDAYS = 5
    STATEMENT_MAX_WORKDAYS = 30
    APPEAL_WORKDAYS = 15
    EXECUTION_MAX_WORKDAYS = 60
    CALENDAR_TIMEZONE = "Asia/Shanghai"
    # Official documents: Noto Serif CJK SC stands in for 仿宋 and 小标宋 (Debian: fonts-noto-cjk).
    DOCUMENT_FONT_DIRS = tuple(
        os.environ.get("DOCUMENT_FONT_DIRS", "/usr/share/fonts/opentype/noto").split(os.pathsep)
    )
    API_PAGE_SIZE = 20
    API_MAX_PAGE_SIZE = 100
    # The largest complaint is 20,000 characters; a JSON body has no use for more than this.
    API_MAX_BODY_BYTES = 1024 * 1024
    WORKLIST_PAGE_SIZE = 25
    ACCESS_LOG_PAGE_SIZE = 50
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR", str(BASE_DIR / "instance" / "attachments"))
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    ATTACHMENT_MAX_FILES = 5
    # A staff list import: a county's largest unit fits many times over.
    STAFF_IMPORT_MAX_ROWS = 5000
    STAFF_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    # Outgoing mail (SMTP); without MAIL_SERVER messages are written to the log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "tousu@example.gov.cn")
    # SMS: "log" writes to the log; "http" posts JSON to SMS_HTTP_URL.
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "log")
    SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
    SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN", "")
    # Public endpoints: per client address; storage is Redis when REDIS_URL is set.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_STORAGE_OPTIONS = {
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
    }
    # With its Redis down or hung the limiter counts in memory (per process) and never
    # fails a request: a complaint must be saved even when Redis is not.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = True
    PUBLIC_SUBMIT_LIMIT = os.environ.get("PUBLIC_SUBMIT_LIMIT", "5 per minute;30 per day")
    PUBLIC_TRACK_LIMIT = os.environ.get("PUBLIC_TRACK_LIMIT", "20 per minute")
    # The e-mail mailbox fetched by the intake job (IMAP); empty host: no fetching.
    MAILBOX_HOST = os.environ.get("MAILBOX_HOST", "")
    MAILBOX_PORT = int(os.environ.get("MAILBOX_PORT", "993"))
    MAILBOX_SSL = _env_bool("MAILBOX_SSL", True)
    MAILBOX_USER = os.environ.get("MAILBOX_USER", "")
    MAILBOX_PASSWORD = os.environ.get("MAILBOX_PASSWORD", "")
    MAILBOX_FOLDER = os.environ.get("MAILBOX_FOLDER", "INBOX")
    MAILBOX_BATCH = int(os.environ.get("MAILBOX_BATCH", "50"))
    # A message that cannot even be put in triage is tried this many times, then left
    # read on the server with the IntakeGaveUp keyword (and an error in the log).
    MAILBOX_MAX_ATTEMPTS = 5
    # Channels whose complainants get a receipt with the tracking code (by e-mail, else SMS);
    # inspections (明查暗访) are the center's own findings and have no one to tell.
    INTAKE_RECEIPT_CHANNELS = ("web", "hotline", "letter", "email", "api")
    # The public site's address, for links in messages sent by jobs outside any request.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Complaint boxes whose letters operators type in.
    LETTER_BOXES = ("县政务服务中心大厅意见箱", "县信访接待室投诉箱", "城关镇便民服务中心意见箱")
    DUPLICATE_WINDOW_DAYS = 30
    DEMO_PASSWORDS = DEMO_PASSWORDS
    REFUSE_DEMO_PASSWORDS = False
    RATELIMIT_ENABLED = False


class DevelopmentConfig(Config):
    """Local demo: SQLite and in-process jobs unless told otherwise."""

    DEBUG = False
    RATELIMIT_ENABLED = True


class TestingConfig(Config):
    """Unit and integration tests."""

    TESTING = True
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Every test client and the browser tests' live server come from 127.0.0.1: the
    # tests of the address limit set their own.
    LOGIN_MAX_FAILURES_PER_ADDRESS = 1000
    SERVER_NAME = None
    RATELIMIT_ENABLED = False
    JOBS_IN_THREAD = False


class ProductionConfig(Config):
    """Production: a real secret key and database are required."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REFUSE_DEMO_PASSWORDS = True
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)

    @classmethod
    def validate(cls) -> None:
        """Refuse to start without a real secret key and database."""
        secret = os.environ.get("SECRET_KEY", "")
        if not secret or secret == Config.SECRET_KEY or len(secret) < 32:
            raise RuntimeError("SECRET_KEY must be set to a random value of 32+ characters")
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must be set in production")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
