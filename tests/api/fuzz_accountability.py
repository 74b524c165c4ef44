"""What the fuzzing aims at on the accountability paths: real cases, referrals, inspections.

Without it a generated id names nothing and every request ends in 404 before the code
behind it runs. Each record is made through the services, and made again once a request
has moved it on.
"""

import sqlalchemy as sa

from app.accountability.inspections import record_inspection
from app.accountability.models import AccountabilityCase, Referral, ReferralState
from app.accountability.reference import seed_reference
from app.accountability.referrals import create_referral
from app.accountability.workflow import ACC_WORKFLOW
from app.demo.seed import seed_staff
from app.extensions import db
from app.units.models import Staff
from tests.accountability import helpers

PREFIXES = ("/accountability", "/referrals", "/inspections")
OFFICE = ("inspector", "jw_head")
READERS = ("inspector", "jw_head", "leader")
# A case in each state the table acts on (and one whose appeal period is over).
STATES = {
    "registered": helpers.registered_case,
    "verifying": helpers.verifying_case,
    "two_subjects": helpers.two_subjects_case,
    "asked": helpers.asked_case,
    "drafted": helpers.drafted_case,
    "proposed": helpers.proposed_case,
    "approved": helpers.approved_case,
    "issued": helpers.issued_case,
    "served": helpers.served_case,
    "executing": helpers.executing_case,
    "appealed": helpers.appealed_case,
    "past_appeal": helpers.past_appeal_case,
}


class AccountabilityTargets:
    """Records of the county's discipline office, and the tokens that may act on them."""

    def __init__(self, org, tokens: dict[str, str]):
        seed_staff(org["units"])
        seed_reference()
        db.session.commit()
        staff = {s.name: s for s in db.session.scalars(sa.select(Staff))}
        self.org = {**org, "staff": staff}
        self.tokens = tokens
        self.staff_id = staff["王某某"].id
        self.other_staff_id = staff["刘某某"].id
        self.unit_id = org["units"]["CC-RSJ"].id
        self._cases: dict[str, tuple[int, int]] = {}
        self._referral: int | None = None
        self._inspection: int | None = None
        # The first decision of each case, for the ``decision`` a body names.
        self.decisions: dict[int, str] = {}

    @staticmethod
    def covers(path: str) -> bool:
        return path.startswith(PREFIXES)

    def real_values(self) -> dict:
        """Values of the body fields that name records, put in place of generated ones."""
        from app.accountability.models import LegalBasis

        bases = db.session.scalars(sa.select(LegalBasis.id).order_by(LegalBasis.id).limit(2))
        return {
            "staff": str(self.staff_id),
            "form_code": "criticism",
            "basis_ids": [str(b) for b in bases],
            "held_on": "2026-03-02",
        }

    def complete(self, path: str, body) -> None:
        """Name what a rule across fields needs, which no generated body would.

        A finding names a person with their unit (apart, every finding is refused); a
        subject added to a case is one it does not have yet (the cases are about 王某某).
        """
        if path.endswith("/findings") and isinstance(body, dict):
            body.update(kind="person", unit_code="CC-RSJ", staff=str(self.staff_id))
        if path.endswith("/actions/add_subject") and isinstance(body, dict):
            body.update(unit_code="CC-RSJ", staff=str(self.other_staff_id))

    def choices(self, operation) -> list[tuple[str, dict]]:
        """(token, path parameters) pairs that reach the code behind ``operation``."""
        path, method = operation.path, operation.method.upper()
        db.session.rollback()
        if "{acc_case_id}" in path:
            choices = self._case_choices(path.rpartition("/actions/")[2] or None)
        elif "{referral_id}" in path:
            choices = self._with(OFFICE, "referral_id", self._pending_referral())
        elif "{inspection_id}" in path:
            choices = self._with(OFFICE, "inspection_id", self._an_inspection())
        elif "{staff_id}" in path:
            choices = self._with(READERS, "staff_id", self.staff_id)
        elif "{unit_id}" in path:
            choices = self._with(READERS, "unit_id", self.unit_id)
        else:
            choices = [(self.tokens[u], {}) for u in (READERS if method == "GET" else OFFICE)]
        db.session.rollback()
        return choices

    def _with(self, users, name: str, value: int) -> list[tuple[str, dict]]:
        return [(self.tokens[u], {name: value}) for u in users]

    def _case_choices(self, action: str | None) -> list[tuple[str, dict]]:
        cases = self._current_cases()
        if action is None:
            return [(self.tokens[u], {"acc_case_id": c.id}) for u in READERS for c in cases]
        allowed = [
            (self.tokens[u], {"acc_case_id": c.id})
            for u in OFFICE
            for c in cases
            if action in ACC_WORKFLOW.allowed(c, self.org["users"][u])
        ]
        return allowed or [(self.tokens[u], {"acc_case_id": c.id}) for u in OFFICE for c in cases]

    def _current_cases(self) -> list[AccountabilityCase]:
        """The cases in every state as they were made (a case moved on is made again)."""
        cases = []
        for name, make in STATES.items():
            made = self._cases.get(name)
            version = made and db.session.scalar(
                sa.select(AccountabilityCase.version).where(AccountabilityCase.id == made[0])
            )
            if made is None or version != made[1]:
                acc_case = make(self.org)
                made = self._cases[name] = (acc_case.id, acc_case.version)
                self.decisions[acc_case.id] = str(acc_case.decisions[0].id)
            cases.append(db.session.get(AccountabilityCase, made[0]))
        return cases

    def _pending_referral(self) -> int:
        referral = self._referral and db.session.get(Referral, self._referral)
        if referral is None or referral.state != ReferralState.PENDING:
            referral = create_referral(
                {"unit_code": "CC-RSJ", "summary": "督促不力。"}, self.org["users"]["inspector"]
            )
            db.session.commit()
            self._referral = referral.id
        return self._referral

    def _an_inspection(self) -> int:
        if self._inspection is None:
            inspection = record_inspection(
                {"held_on": "2026-03-02", "place": "县政务服务中心", "team": "周监察"},
                self.org["users"]["inspector"],
            )
            db.session.commit()
            self._inspection = inspection.id
        return self._inspection
