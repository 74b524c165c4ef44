"""The fields of every case action, declared once.

Services read their input with ``SPECS[action].read(data)``; the web forms
(``forms.py``), the API's schema and its OpenAPI document are built from here.
Rules that span fields (a note to say no, a reason to overrule the router) stay in
the services and report on the same fields.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.cases.categories import get_category_by_code
from app.cases.inputs import TEXT_MAX, case_by_id, case_by_number, handling_unit_by_code
from app.cases.models import Finding, Resolved, Satisfaction, VisitMethod
from app.core.fields import (
    Choice,
    Decision,
    Flag,
    IdList,
    IdReference,
    Integer,
    Reference,
    ReferenceList,
    Spec,
    Text,
)
from app.units.naming import MAX_PICKS, PICK_LABELS, NewStaffField
from app.units.services import get_unit_by_code

REPLY_MAX = TEXT_MAX * 4


def _unit(name: str, label, **kw) -> Reference:
    return Reference(
        name, label, lookup=get_unit_by_code, not_found=_l("No such unit."), picker=True, **kw
    )


def _note(label, **kw) -> Text:
    return Text("note", label, max_length=TEXT_MAX, multiline=True, **kw)


def _reason(label) -> Text:
    return Text("reason", label, max_length=TEXT_MAX, multiline=True, required=True)


def _text(label, max_length: int = REPLY_MAX) -> Text:
    return Text("text", label, max_length=max_length, multiline=True, required=True)


def _max_extension_days() -> int:
    return current_app.config["MAX_EXTENSION_DAYS"]


SPECS: dict[str, Spec] = {
    "screen": Spec(),
    "classify": Spec(
        _unit("respondent_unit_code", _l("Unit complained about"), required=True),
        Reference(
            "category_code",
            _l("Category"),
            lookup=get_category_by_code,
            not_found=_l("No such category."),
            picker=True,
            required=True,
        ),
        Choice("subject_kind", _l("Complaint is about"), kind="subject_kind"),
        Text("respondent_staff", _l("Staff named"), max_length=120),
        IdList(
            "respondent_staff_ids",
            PICK_LABELS["respondent_staff_ids"],
            max_items=MAX_PICKS,
            description=_l(
                "Ids of staff of the unit complained about; the case names exactly these "
                "(and those typed). Left out with respondent_staff_new, the staff named stay."
            ),
        ),
        NewStaffField(
            "respondent_staff_new",
            PICK_LABELS["respondent_staff_new"],
            description=_l("People not on the unit's list: each becomes a pending entry."),
        ),
        Choice("urgency", _l("Urgency"), kind="urgency"),
    ),
    "dispatch": Spec(
        _unit("unit_code", _l("Lead unit"), required=True),
        Text(
            "override_reason",
            _l("Reason for not following the suggestion"),
            max_length=TEXT_MAX,
            multiline=True,
            description=_l("Required when the unit is not the router's suggestion."),
        ),
        ReferenceList(
            "assist_unit_codes",
            _l("Assisting units (optional)"),
            lookup=handling_unit_by_code,
            not_found=lambda code: _l("No such unit: %(code)s", code=code),
        ),
        _note(_l("Instructions to the unit")),
        Flag(
            "confirm_no_signer",
            _l("Dispatch anyway, though nobody in the unit can sign for it now"),
            description=_l("Required when no active user of the unit can sign for the case."),
        ),
    ),
    "reject": Spec(
        _reason(_l("Reason not accepted")),
        Text("advice", _l("Where to go instead"), max_length=TEXT_MAX, multiline=True),
    ),
    "merge": Spec(
        Reference(
            "case_number",
            _l("Number of the original case"),
            lookup=case_by_number,
            not_found=_l("No such case."),
            max_length=32,
            description=_l("Required unless case_id is given."),
            web_required=True,
        ),
        IdReference(
            "case_id",
            _l("Id of the original case"),
            lookup=case_by_id,
            not_found=_l("No such case."),
            api_only=True,
            description=_l("Kept for older clients: give case_number instead."),
        ),
    ),
    "invalidate": Spec(_reason(_l("Why it is invalid"))),
    "resolve_directly": Spec(_text(_l("Reply to the complainant"))),
    "sign": Spec(),
    "sign_off": Spec(
        Decision(
            "approve",
            _l("Decision"),
            yes=("approve", _l("Approve: send the reply to the center")),
            no=("reject", _l("Return it to the handler")),
        ),
        _note(_l("Note (required to return)")),
    ),
    "request_extension": Spec(
        Integer(
            "days",
            _l("Working days needed"),
            low=1,
            high=_max_extension_days,
            required=True,
            range_message=lambda low, high: _l("Between 1 and %(n)d working days.", n=high),
        ),
        _reason(_l("Why more time is needed")),
    ),
    "decide_extension": Spec(
        Decision(
            "approve",
            _l("Decision"),
            yes=("approve", _l("Approve the extension")),
            no=("reject", _l("Deny it")),
        ),
        _note(_l("Note (required to deny)")),
    ),
    "sub_dispatch": Spec(
        _unit("unit_code", _l("Unit below yours"), required=True),
        _note(_l("Instructions")),
    ),
    "sub_reply": Spec(_text(_l("Your reply to the lead unit"))),
    "contribute": Spec(_text(_l("Your unit's input"))),
    "comment": Spec(_text(_l("Your comment"), TEXT_MAX)),
    "request_return": Spec(
        _reason(_l("Why this case is not for your unit")),
        _unit("suggested_unit_code", _l("Unit you believe responsible")),
    ),
    "withdraw_extension": Spec(),
    "withdraw_return": Spec(),
    "decide_return": Spec(
        Decision(
            "approve",
            _l("Decision"),
            yes=("approve", _l("Approve: back to screening for re-routing")),
            no=("deny", _l("Deny: the unit keeps the case")),
        ),
        _note(_l("Decision note")),
    ),
    "reply": Spec(
        Choice("finding", _l("Finding"), kind="finding", values=Finding, radio=True, required=True),
        _text(_l("Reply")),
    ),
    "review": Spec(
        Decision(
            "pass",
            _l("Decision"),
            yes=("pass", _l("Pass: go to return visit")),
            no=("send_back", _l("Send back to redo")),
        ),
        _note(_l("Review note")),
        Text(
            "public_reply",
            _l("Reply to the complainant (shown on the progress page)"),
            max_length=REPLY_MAX,
            multiline=True,
        ),
        Integer(
            "rectify_days",
            _l("Rectification due within (working days; empty: none)"),
            low=1,
            high=60,
        ),
    ),
    "visit": Spec(
        Choice(
            "satisfaction",
            _l("Satisfaction"),
            kind="satisfaction",
            values=Satisfaction,
            radio=True,
            required=True,
        ),
        Choice(
            "resolved",
            _l("Was the problem resolved?"),
            kind="resolved",
            values=Resolved,
            radio=True,
            required=True,
        ),
        Choice("method", _l("Method"), kind="visit_method", default=VisitMethod.PHONE),
        _note(_l("Note")),
    ),
    "reopen": Spec(_reason(_l("Reason for reopening"))),
    "report_rectification": Spec(_text(_l("What was put right"))),
    "answer_order": Spec(_text(_l("Answer to the supervision order"))),
}
