"""Users with roles, and API bearer tokens."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.constraints import enum_check
from app.core.labels import register_labels
from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.units.models import Unit


class Role(enum.StrEnum):
    OPERATOR = "operator"
    CENTER_LEAD = "center_lead"
    HANDLER = "handler"
    UNIT_LEAD = "unit_lead"
    INSPECTOR = "inspector"
    DISCIPLINE_HEAD = "discipline_head"
    LEADER = "leader"
    ADMIN = "admin"


ROLE_LABELS = register_labels(
    "role",
    {
        Role.OPERATOR: _l("Operator"),
        Role.CENTER_LEAD: _l("Center lead"),
        Role.HANDLER: _l("Handler"),
        Role.UNIT_LEAD: _l("Unit lead"),
        Role.INSPECTOR: _l("Inspector"),
        Role.DISCIPLINE_HEAD: _l("Head of the discipline office"),
        Role.LEADER: _l("Leader"),
        Role.ADMIN: _l("Administrator"),
    },
)


CENTER_ROLES = frozenset({Role.OPERATOR, Role.CENTER_LEAD})
UNIT_ROLES = frozenset({Role.HANDLER, Role.UNIT_LEAD})
# The discipline office: the head may do all an inspector may, and decide.
INSPECTOR_ROLES = frozenset({Role.INSPECTOR, Role.DISCIPLINE_HEAD})
# Admins run the system but never read complaint content (separation of duties).
CASE_READER_ROLES = frozenset(Role) - {Role.ADMIN}


def new_session_token() -> str:
    """Return a fresh session generation for a user."""
    return secrets.token_urlsafe(24)


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"
    __table_args__ = (enum_check("role", Role),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class User(UserMixin, db.Model):
    """A staff member who logs in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # AB post (AB岗): while away_until is in the future, work goes to the backup.
    backup_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    away_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session and remember cookie (see get_id): a new value ends them all.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    backup_user: Mapped["User | None"] = relationship(remote_side=[id])

    def get_id(self) -> str:
        """Return what the session and the remember cookie carry: id, generation, login nonce.

        The generation (``session_token``) is checked on every request, so changing it
        ends every session of the user. The nonce makes each login's cookie different.
        """
        nonce = getattr(self, "login_nonce", None) or "0"
        return f"{self.id}.{self.session_token}.{nonce}"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        """Return True if the user holds any of ``roles``."""
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_center(self) -> bool:
        return self.has_role(*CENTER_ROLES)

    @property
    def is_unit_user(self) -> bool:
        return self.has_role(*UNIT_ROLES)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80), default="")
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def is_live(self, now: datetime) -> bool:
        """Return True while the token may be used."""
        return self.revoked_at is None and self.expires_at > now


class LoginThrottle(db.Model):
    """Failed (and in-flight) logins of one username or one client address.

    Counted by one atomic upsert before the password is checked, so parallel guesses
    cannot all pass a "not locked yet" test; stored in the database, not in Redis, so
    the limit holds when Redis is down. Usernames are counted whether or not an account
    exists: an unknown name locks exactly as a real one does.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (
        enum_check("scope", ("account", "address")),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
    )

    scope: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
