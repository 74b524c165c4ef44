"""Efficiency-complaint and supervision case management (机关效能投诉监督系统)."""

import os
from pathlib import Path

from flask import Flask, redirect, request, session, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, CONFIGS


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the application for ``config_name`` (default: $APP_ENV or development)."""
    config_name = config_name or os.environ.get("APP_ENV", "development")
    config = CONFIGS[config_name]
    from app.core import converters

    if hasattr(config, "validate"):
        config.validate()
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "app" / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(config)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(exist_ok=True)
    if config_name == "production":
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    _init_extensions(app)
    converters.init_app(app)
    _register_blueprints(app)
    _register_cli(app)

    from app.core import templating, web_errors

    templating.init_app(app)
    web_errors.init_app(app)
    _serve_favicon(app)
    return app


def _serve_favicon(app: Flask) -> None:
    @app.get("/favicon.ico")
    def favicon():
        """Send those who ask for the icon by its old name (not from a page) to the real one."""
        return redirect(url_for("static", filename="favicon.svg"), 301)


def _select_locale() -> str:
    from flask import current_app, has_request_context

    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        return "en"
    lang = session.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (registers every table)
    from app.attachments import storage
    from app.core import jobs, trail
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(BASE_DIR / "app" / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    limiter.init_app(app)
    jobs.init_app(app)
    trail.init_app(app)
    storage.init_app(app)
    _init_sqlite(app)

    from app.auth.services import load_user

    login_manager.user_loader(load_user)


def _init_sqlite(app: Flask) -> None:
    """Turn on foreign keys and WAL for SQLite, which has both off by default."""
    import sqlalchemy as sa

    from app.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        # The timeout first: switching to WAL takes a lock that a concurrent
        # connection may hold for a moment, and must wait rather than fail.
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    from app.accountability import bp as accountability_bp
    from app.accountability import views as _accountability_views  # noqa: F401
    from app.admin import accountability as _admin_accountability_views  # noqa: F401
    from app.admin import bp as admin_bp
    from app.admin import staff as _admin_staff_views  # noqa: F401
    from app.admin import users as _admin_user_views  # noqa: F401
    from app.admin import views as _admin_views  # noqa: F401
    from app.api import accountability as _api_accountability_views  # noqa: F401
    from app.api import bp as api_bp
    from app.api import documents as _api_document_views  # noqa: F401
    from app.api import views as _api_views  # noqa: F401
    from app.attachments import bp as attachments_bp
    from app.attachments import views as _attachment_views  # noqa: F401
    from app.auth import account as _account_views  # noqa: F401
    from app.auth import bp as auth_bp
    from app.auth import views as _auth_views  # noqa: F401
    from app.cases import bp as cases_bp
    from app.cases import views as _case_views  # noqa: F401
    from app.deadlines import bp as deadlines_bp
    from app.deadlines import views as _deadline_views  # noqa: F401
    from app.documents import bp as documents_bp
    from app.documents import views as _document_views  # noqa: F401
    from app.intake import bp as intake_bp
    from app.intake import views as _intake_views  # noqa: F401
    from app.mailbox import bp as mailbox_bp
    from app.mailbox import views as _mailbox_views  # noqa: F401
    from app.notifications.views import bp as notifications_bp
    from app.public import bp as public_bp
    from app.public import views as _public_views  # noqa: F401
    from app.supervision import bp as supervision_bp
    from app.supervision import views as _supervision_views  # noqa: F401

    app.register_blueprint(auth_bp)
    app.register_blueprint(accountability_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(deadlines_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(attachments_bp)
    app.register_blueprint(mailbox_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(supervision_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def _register_cli(app: Flask) -> None:
    from app.auth.cli import tokens_cli, users_cli
    from app.core.cli import audit_cli
    from app.deadlines.cli import calendar_cli
    from app.demo.cli import demo_cli
    from app.documents.cli import documents_cli
    from app.mailbox.cli import mailbox_cli
    from app.notifications.cli import outbox_cli
    from app.supervision.cli import supervision_cli

    app.cli.add_command(audit_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(documents_cli)
    app.cli.add_command(mailbox_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(supervision_cli)
