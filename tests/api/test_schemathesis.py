"""The API, fuzzed from its own OpenAPI document: no input answers 5xx, every answer is
one the document declares, in the shape it declares.

Schemathesis generates valid and invalid requests for every operation; each request goes
through the WSGI app (no network), as one of the demo roles in turn, against real cases
in every state. Bounded and derandomized, so that it fits in ``make test`` and a failure
comes back the same on the next run.
"""

import collections
import contextvars
import copy
import itertools
import time
from contextlib import contextmanager

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from app.accountability.workflow import ACC_ACTIONS
from app.auth.services import create_token
from app.cases.models import Case
from app.cases.workflow import allowed_actions
from app.extensions import db
from tests.api.fuzz_accountability import AccountabilityTargets

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
]
ROLES = ("operator", "handler", "unit_lead", "center_lead", "inspector", "handler2", "admin")
# Only aimed at accountability (the deciding office's head, a leader of the county).
ACC_ROLES = ("jw_head", "leader")
EXAMPLES = 8
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# Operations that generated requests must get through at least once: proof that the run
# reached the code behind the checks, not only the refusals in front of it.
READS = [
    "GET /me",
    "GET /units",
    "GET /categories",
    "GET /cases",
    "GET /cases/{case_id}",
    "GET /cases/{case_id}/access-log",
    "GET /routing/suggest",
]
WRITES = ["POST /cases"]
ACC_READS = [
    "GET /accountability/queue",
    "GET /accountability/cases/{acc_case_id}",
    "GET /accountability/records/staff/{staff_id}",
    "GET /accountability/records/units/{unit_id}",
    "GET /accountability/forms",
    "GET /accountability/legal-bases",
    "GET /referrals/{referral_id}",
    "GET /inspections/{inspection_id}",
]
ACC_WRITES = [
    "POST /referrals",
    "POST /referrals/{referral_id}/accept",
    "POST /referrals/{referral_id}/decline",
    "POST /inspections",
    "POST /inspections/{inspection_id}/findings",
    *[f"POST /accountability/cases/{{acc_case_id}}/actions/{a}" for a in ACC_ACTIONS],
]
# Values that name records of the demo county, put in place of generated ones.
REAL = {
    "respondent_unit_code": "CC-RSJ",
    "category_code": "time_limit",
    "unit_code": "CC-RSJ",
    "suggested_unit_code": "CC-CGZ",
    "assist_unit_codes": ["CC-ZJJ", "CC-ZJJ"],
    # A name is required unless anonymous, a rule across fields no schema states: a
    # generated complainant is mostly refused for it, so a real one is put in turns.
    "complainant": {"name": "张三", "phone": "+86 138-0013-8000", "anonymous": False},
}
# A case in each state the API acts on.
STATES_BY_STEPS = [
    (),
    ("dispatch",),
    ("dispatch", "sign"),
    ("dispatch", "request_return"),
    ("dispatch", "sign", "draft_reply"),
    ("dispatch", "sign", "reply"),
    ("dispatch", "sign", "reply", "review"),
    ("dispatch", "sign", "reply", "review", "visit"),
]


class Fuzzing:
    """What the generated requests act on: tokens by role, cases in every state."""

    def __init__(self, make_case, org):
        self.users = [org["users"][role] for role in ROLES]
        self.tokens = [create_token(user) for user in self.users]
        db.session.commit()
        self.make_case = make_case
        self._turn = itertools.count()
        self._fill = itertools.count()  # apart, so that filling in does not shift the turns
        self._cases: dict[tuple[str, ...], tuple[int, int]] = {}
        self._operation = None
        self._allowed: list[tuple[str, int]] = []
        # Answers by operation, to show that valid requests got through, not only errors.
        self.answers: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.most_statements: dict[str, int] = collections.defaultdict(int)
        acc_tokens = {role: create_token(org["users"][role]) for role in ACC_ROLES}
        db.session.commit()
        self.acc = AccountabilityTargets(
            org, {**dict(zip(ROLES, self.tokens, strict=True)), **acc_tokens}
        )
        self.acc_real = self.acc.real_values()

    def token(self) -> str:
        """The bearer token of the next role in turn."""
        return self.tokens[next(self._turn) % len(self.tokens)]

    def aim(self, case) -> None:
        """Aim requests at real records and at roles that may act on them.

        Random ids name nothing and random roles may do little: a request would end in
        403 or 404 before its body was read. A component generated invalid on purpose is
        left as it was generated.
        """
        turn = next(self._turn)
        # Only a token of ours is replaced: a missing or made-up one is a test of its own.
        ours = case.headers.get("Authorization", "").removeprefix("Bearer ") in self.tokens
        real = REAL
        if self.acc.covers(case.operation.path):
            real = {**REAL, **self.acc_real}
            if not case.meta.is_negative_at(ParameterLocation.PATH) and ours and turn % 4:
                token, values = self._pick_acc(case.operation, turn)
                case.path_parameters = {**(case.path_parameters or {}), **values}
                case.headers["Authorization"] = f"Bearer {token}"
                if "acc_case_id" in values:
                    real = {**real, "decision": self.acc.decisions[values["acc_case_id"]]}
                if case.meta.generation.mode.is_positive and turn % 3:
                    self.acc.complete(case.operation.path, case.body)
        elif "case_id" in (case.path_parameters or {}):
            if not case.meta.is_negative_at(ParameterLocation.PATH) and ours and turn % 4:
                token, case_id = self._pick(case.operation, turn)
                case.path_parameters["case_id"] = case_id
                case.headers["Authorization"] = f"Bearer {token}"
        elif ours and turn % 2:
            # Most operations without a case are the complaint center's.
            case.headers["Authorization"] = f"Bearer {self.tokens[0]}"
        # Two requests in three get every real value at once: a body needs them together
        # (a real unit, category and complainant) to get through; the third stays generated.
        if case.meta.generation.mode.is_positive and next(self._fill) % 3:
            for values in (case.query, case.body):
                if isinstance(values, dict):
                    # In name order: a set's order changes from one process to the next.
                    for name in sorted(set(values) & set(real)):
                        values[name] = copy.deepcopy(real[name])

    def _pick(self, operation, turn: int) -> tuple[str, int]:
        """A (token, case id) that the workflow table lets act, where the path is an action."""
        if operation.label != self._operation:
            self._operation = operation.label
            self._refresh(operation.path.rpartition("/actions/")[2] or None)
        return self._allowed[turn % len(self._allowed)]

    def _pick_acc(self, operation, turn: int) -> tuple[str, dict]:
        """A (token, path parameters) that reaches the code of an accountability path."""
        if operation.label != self._operation:
            self._operation = operation.label
            self._allowed = self.acc.choices(operation)
        return self._allowed[turn % len(self._allowed)]

    def _refresh(self, action: str | None) -> None:
        """Cases in every state as they were made (a case moved on is made again)."""
        db.session.rollback()
        for steps in STATES_BY_STEPS:
            made = self._cases.get(steps)
            if made is None or _version(made[0]) != made[1]:
                case = self.make_case(*steps)
                self._cases[steps] = (case.id, case.version)
        ids = [case_id for case_id, _ in self._cases.values()]
        self._allowed = [(token, case_id) for token in self.tokens for case_id in ids]
        if action is not None:
            cases = [db.session.get(Case, case_id) for case_id in ids]
            allowed = [
                (token, case.id)
                for user, token in zip(self.users, self.tokens, strict=True)
                for case in cases
                if action in allowed_actions(case, user)
            ]
            self._allowed = allowed or self._allowed
        db.session.rollback()


def _version(case_id: int) -> int | None:
    return db.session.scalar(sa.select(Case.version).where(Case.id == case_id))


def _isolated(app):
    """The WSGI app, each request in a context of its own (as IsolatedClient does)."""

    def wsgi(environ, start_response):
        return contextvars.Context().run(app, environ, start_response)

    return wsgi


@pytest.fixture
def fuzzing(make_case, org):
    return Fuzzing(make_case, org)


# A request's work is bounded by what it may carry (lists have a maximum length), never
# by how much a client sends: more statements than this would mean work per item sent.
STATEMENTS_PER_REQUEST = 120


@contextmanager
def _statements():
    """Count the SQL statements sent while the block runs."""
    sent = []

    def count(conn, cursor, statement, *args):
        sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def _call_and_validate(case, fuzzing):
    fuzzing.aim(case)
    with _statements() as sent:
        response = case.call_and_validate(checks=CHECKS)
    label = case.operation.label
    if case.method != "OPTIONS":
        fuzzing.answers[label][response.status_code] += 1
    fuzzing.most_statements[label] = max(fuzzing.most_statements[label], len(sent))
    assert len(sent) <= STATEMENTS_PER_REQUEST, f"{label}: {len(sent)} statements"


def test_api_answers_every_input_as_documented(app, fuzzing, subtests):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _isolated(app))

    @schema.auth(refresh_interval=None)
    class RoleInTurn:
        def get(self, case, context):
            return fuzzing.token()

        def set(self, case, token, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

    started = time.monotonic()
    operations = []
    # Schemathesis' own pytest fixture mode does not run on pytest 9.2 (it sets
    # ``Function._nodeid``); its test builder does, one subtest per operation.
    for result in get_all_tests(
        schema=schema, test_func=_call_and_validate, settings=SETTINGS, given_kwargs={}
    ):
        assert isinstance(result, Ok), result.err()
        operation, run = result.ok()
        operations.append(operation.label)
        with subtests.test(operation.label):
            run(fuzzing=fuzzing)
    elapsed = time.monotonic() - started
    requests = sum(sum(counts.values()) for counts in fuzzing.answers.values())
    print(f"schemathesis: {len(operations)} operations, {requests} requests, {elapsed:.0f} s")
    most = max(fuzzing.most_statements.items(), key=lambda item: item[1])
    print(f"most statements in one request: {most[1]} ({most[0]})")
    documented = [
        f"{method.upper()} {path}"
        for path, item in app.test_client().get("/api/v1/openapi.json").json["paths"].items()
        for method in item
    ]
    assert sorted(operations) == sorted(documented)
    succeeded = {op for op, counts in fuzzing.answers.items() if any(s < 300 for s in counts)}
    assert set(READS) | set(WRITES) <= succeeded, fuzzing.answers
    assert set(ACC_READS) | set(ACC_WRITES) <= succeeded, fuzzing.answers
