"""Every table of the application, imported in one place so Alembic sees them all."""

from app.accountability.models import (
    AccClock,
    AccountabilityCase,
    AccountabilityForm,
    AccumulationRule,
    Decision,
    DecisionBasis,
    Inspection,
    InspectionFinding,
    LegalBasis,
    Referral,
    ReferralSource,
    Suggestion,
)
from app.api.models import IdempotencyKey
from app.attachments.models import Attachment
from app.auth.models import ApiToken, User, UserRole
from app.cases.models import (
    Assignment,
    Case,
    CaseStaff,
    Category,
    Complainant,
    Contribution,
    Extension,
    Reply,
    ReturnRequest,
    Visit,
)
from app.core.access_log import IdentityAccess
from app.core.numbering import Counter
from app.core.trail import Event
from app.deadlines.models import CalendarDay, Clock
from app.documents.models import Document
from app.mailbox.models import InboundMessage
from app.notifications.models import Notification
from app.routing.models import RoutingRule
from app.supervision.models import SupervisionWarning
from app.units.models import Staff, Unit

__all__ = [
    "AccClock",
    "AccountabilityCase",
    "AccountabilityForm",
    "AccumulationRule",
    "ApiToken",
    "Assignment",
    "Attachment",
    "CalendarDay",
    "Case",
    "CaseStaff",
    "Category",
    "Clock",
    "Complainant",
    "Contribution",
    "Counter",
    "Decision",
    "DecisionBasis",
    "Document",
    "Event",
    "Extension",
    "IdempotencyKey",
    "IdentityAccess",
    "InboundMessage",
    "Inspection",
    "InspectionFinding",
    "LegalBasis",
    "Notification",
    "Referral",
    "ReferralSource",
    "Reply",
    "ReturnRequest",
    "RoutingRule",
    "Staff",
    "Suggestion",
    "SupervisionWarning",
    "Unit",
    "User",
    "UserRole",
    "Visit",
]
