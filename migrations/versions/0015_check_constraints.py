"""states and kinds as constrained columns

Every column whose values come from an enum or a fixed list gets a CHECK that
lists them, and columns that go together are tied: a merged case names its
original, a closed one its closing moment, a stopped clock its verdict. The
database then refuses a row the code would never write, whoever writes it.
Closing moments and verdicts missing from older rows are derived first.

The events table is left alone: a batch operation would recreate it on SQLite
and lose the triggers that keep the trail append-only.

Revision ID: 0015
Revises: 0014

"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

STATES = (
    "'registered', 'screening', 'not_accepted', 'invalid', 'merged', 'dispatched', 'handling', "
    "'return_requested', 'replied', 'visiting', 'closed'"
)
FINAL_STATES = "'closed', 'invalid', 'merged', 'not_accepted'"
UNIT_KINDS = "'government', 'department', 'station', 'discipline_office', 'complaint_center'"
SUBJECT_KINDS = "'unit', 'staff', 'unit_leader'"
SEVERITIES = "'ordinary', 'serious'"
FINDINGS = "'substantiated', 'partly_substantiated', 'unsubstantiated'"
TIERS = "1, 2, 3, 4"

# Table -> constraint name (ck_<table>_<name>) -> condition, as the models declare them.
CHECKS = {
    "calendar_days": {
        "source": "source IN ('chinesecalendar', 'manual')",
    },
    "categories": {
        "handle_days": "handle_days >= 1",
        "severity": f"severity IN ({SEVERITIES})",
    },
    "units": {
        "kind": f"kind IN ({UNIT_KINDS})",
        "tier": f"tier IN ({TIERS})",
    },
    "routing_rules": {
        "respondent_kind": f"respondent_kind IN ({UNIT_KINDS})",
        "respondent_tier": f"respondent_tier IN ({TIERS})",
        "severity": f"severity IN ({SEVERITIES})",
        "subject_kind": f"subject_kind IN ({SUBJECT_KINDS})",
        "target": "target IN ('self', 'parent', 'supervisor', 'discipline_same_tier', "
        "'discipline_parent_tier', 'center')",
    },
    "users": {
        "failed_logins": "failed_logins >= 0",
    },
    "user_roles": {
        "role": "role IN ('operator', 'center_lead', 'handler', 'unit_lead', 'inspector', "
        "'leader', 'admin')",
    },
    "cases": {
        "channel": "channel IN ('hotline', 'web', 'letter', 'email', 'api', 'inspection')",
        "closed": f"(state IN ({FINAL_STATES})) = (closed_at IS NOT NULL)",
        "finding": f"finding IN ({FINDINGS})",
        "merged": "(state = 'merged') = (duplicate_of_id IS NOT NULL)",
        "redo_count": "redo_count >= 0",
        "reopen_count": "reopen_count >= 0",
        "state": f"state IN ({STATES})",
        "subject_kind": f"subject_kind IN ({SUBJECT_KINDS})",
        "urgency": "urgency IN ('normal', 'urgent')",
    },
    "assignments": {
        "parent": "(role = 'sub') = (parent_id IS NOT NULL)",
        "role": "role IN ('lead', 'assist', 'sub')",
    },
    "clocks": {
        "kind": "kind IN ('screen', 'sign', 'handle', 'visit', 'rectify')",
        "limit_amount": "limit_amount >= 1",
        "limit_unit": "limit_unit IN ('workdays', 'hours')",
        "verdict": "(stopped_at IS NULL) = (late IS NULL)",
    },
    "contributions": {
        "kind": "kind IN ('assist', 'sub')",
    },
    "extensions": {
        "days": "days BETWEEN 1 AND 60",
    },
    "inbound_messages": {
        "case": "(status IN ('case_created', 'threaded')) = (case_id IS NOT NULL)",
        "status": "status IN ('case_created', 'threaded', 'triage', 'discarded')",
    },
    "notifications": {
        "attempts": "attempts >= 0",
        "channel": "channel IN ('inapp', 'email', 'sms')",
        "status": "status IN ('pending', 'sending', 'sent', 'failed')",
    },
    "replies": {
        "finding": f"finding IN ({FINDINGS})",
    },
    "visits": {
        "method": "method IN ('phone', 'sms', 'web', 'visit')",
        "resolved": "resolved IN ('yes', 'partly', 'no')",
        "satisfaction": "satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')",
    },
    "return_requests": {
        "previous_state": f"previous_state IN ({STATES})",
    },
    "warnings": {
        "level": "level IN ('prewarn', 'yellow', 'red')",
        "notice": "number IS NULL OR level IN ('yellow', 'red')",
    },
}

# Columns the code keeps in step with the state, derived for rows that predate that
# or were written by hand: a closed case's closing moment is when the trail saw it
# enter its state (else its last change); a stopped clock's verdict is whether it
# stopped after its deadline. Nothing can be derived for a value outside its enum:
# such a row stops the upgrade, naming the constraint it breaks.
REPAIRS = (
    (
        "UPDATE cases SET closed_at = COALESCE(("
        "SELECT max(events.at) FROM events WHERE events.subject_type = 'case' "
        "AND events.subject_id = cases.id AND events.to_state = cases.state), updated_at) "
        f"WHERE state IN ({FINAL_STATES}) AND closed_at IS NULL"
    ),
    (
        f"UPDATE cases SET closed_at = NULL WHERE state NOT IN ({FINAL_STATES}) "
        "AND closed_at IS NOT NULL"
    ),
    "UPDATE clocks SET late = (stopped_at > due_at) WHERE stopped_at IS NOT NULL AND late IS NULL",
    "UPDATE clocks SET late = NULL WHERE stopped_at IS NULL AND late IS NOT NULL",
)


def upgrade():
    for statement in REPAIRS:
        op.execute(statement)
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks.items():
                batch_op.create_check_constraint(batch_op.f(f"ck_{table}_{name}"), condition)


def downgrade():
    for table, checks in reversed(CHECKS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in checks:
                batch_op.drop_constraint(batch_op.f(f"ck_{table}_{name}"), type_="check")
