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


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'complaints.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Empty means "no Redis": jobs then run in-process after the commit.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "default")

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
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15

    # Case numbering: <prefix><year>-<six digits>, e.g. CC2026-000123.
    CASE_NUMBER_PREFIX = os.environ.get("CASE_NUMBER_PREFIX", "CC")
    # Time limits (DESIGN §6); each is (unit, amount), unit "workdays" or "hours".
    CLOCK_LIMITS = {
        "screen": {"normal": ("workdays", 3), "urgent": ("workdays", 3)},
        "sign": {"normal": ("workdays", 1), "urgent": ("hours", 2)},
        "handle": {"normal": ("workdays", 15), "urgent": ("workdays", 3)},
        "visit": {"normal": ("workdays", 3), "urgent": ("workdays", 3)},
    }
    # Years seeded into the working-day calendar by `flask calendar import`.
    CALENDAR_TIMEZONE = "Asia/Shanghai"
    API_PAGE_SIZE = 20
    API_MAX_PAGE_SIZE = 100
    WORKLIST_PAGE_SIZE = 25
    NOTIFICATION_BACKEND = os.environ.get("NOTIFICATION_BACKEND", "log")
    DEMO_PASSWORDS = DEMO_PASSWORDS
    REFUSE_DEMO_PASSWORDS = False
    RATELIMIT_ENABLED = False


class DevelopmentConfig(Config):
    """Local demo: SQLite and in-process jobs unless told otherwise."""

    DEBUG = False


class TestingConfig(Config):
    """Unit and integration tests."""

    TESTING = True
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SERVER_NAME = None
    RATELIMIT_ENABLED = False


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
