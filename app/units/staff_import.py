"""Importing staff lists from CSV or XLSX: read, check every row, show the plan, then apply.

A file is taken whole or not at all: one bad row refuses it, with every bad row named by
its number as the spreadsheet shows it (the header is row 1). An entry is known by its
unit, name and post, so importing the same file again adds nobody.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationFailed
from app.core.trail import record_events
from app.core.types import utcnow
from app.core.validation import FieldErrors, labelled
from app.extensions import db
from app.units.models import Staff, Unit
from app.units.staff import NAME_MAX, POST_MAX, brief

# The columns by what a header may call them: Chinese as the template has them, or English.
COLUMNS = {
    "unit_code": ("单位编码", "unit_code"),
    "name": ("姓名", "name"),
    "post": ("职务", "post"),
    "active": ("在职", "active"),
}
REQUIRED_COLUMNS = ("unit_code", "name")
COLUMN_LABELS = {
    "unit_code": _l("Unit code"),
    "name": _l("Name"),
    "post": _l("Post"),
    "active": _l("In post"),
}
TEMPLATE_HEADER = [names[0] for names in COLUMNS.values()]
YES = {"是", "在职", "y", "yes", "true", "1"}
NO = {"否", "离职", "n", "no", "false", "0"}
# Enough to find the mistakes in a file without a page of thousands of them.
MAX_ERRORS_SHOWN = 50
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ImportRow:
    """One checked row: ``active`` is None where the file left 在职 empty."""

    row: int
    unit_code: str
    name: str
    post: str
    active: bool | None


@dataclass
class ImportPlan:
    """What an import would do: entries to add, entries whose 在职 changes, the rest."""

    add: list[ImportRow] = field(default_factory=list)
    update: list[tuple[ImportRow, Staff]] = field(default_factory=list)
    unchanged: int = 0


class ImportRefused(ValidationFailed):
    """The file cannot be imported; ``problems`` lists (row or None, message)."""

    def __init__(self, problems: list[tuple[int | None, str]]):
        self.problems = problems
        first = problems[0]
        super().__init__(_row_message(*first), fields={"file": _row_message(*first)})


def _row_message(row: int | None, message) -> str:
    return str(_l("Row %(n)d: %(message)s", n=row, message=message)) if row else str(message)


def max_rows() -> int:
    return current_app.config["STAFF_IMPORT_MAX_ROWS"]


def max_bytes() -> int:
    return current_app.config["STAFF_IMPORT_MAX_BYTES"]


def read_staff_file(filename: str, content: bytes) -> list[ImportRow]:
    """Return the checked rows of an uploaded CSV or XLSX file, or raise ImportRefused."""
    if not content:
        raise ImportRefused([(None, _l("The file is empty."))])
    if len(content) > max_bytes():
        raise ImportRefused(
            [(None, _l("The file is larger than %(n)d KB.", n=max_bytes() // 1024))]
        )
    suffix = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if suffix == "xlsx" or content.startswith(XLSX_MAGIC):
        table = _xlsx_table(content)
    elif suffix in ("csv", "txt", ""):
        table = _csv_table(content)
    else:
        raise ImportRefused([(None, _l("Only CSV and XLSX files can be imported."))])
    return _check_rows(table)


def _csv_table(content: bytes):
    # Excel saves CSV in the system's code page: GB18030 on Chinese Windows, else UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused([(None, _l("The CSV file is neither UTF-8 nor GB18030 text."))])
    if "\x00" in text:
        raise ImportRefused([(None, _l("This is not a CSV file."))])
    try:
        rows = list(_limited(csv.reader(io.StringIO(text, newline=""))))
    except csv.Error:
        raise ImportRefused([(None, _l("This is not a CSV file."))]) from None
    return rows


def _xlsx_table(content: bytes):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportRefused([(None, _l("This is not an XLSX file."))]) from None
    # A small archive can unpack to gigabytes; a sheet of the largest list allowed cannot.
    if unpacked > max_bytes() * 20:
        raise ImportRefused([(None, _l("The workbook is too large once unpacked."))])
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return list(_limited(sheet.iter_rows(values_only=True)))
        finally:
            book.close()
    except ImportRefused:
        raise
    except Exception:
        # openpyxl raises many kinds of errors on a damaged or foreign archive (KeyError,
        # ValueError, XML errors ...): whichever it is, the file is not a workbook we read.
        raise ImportRefused([(None, _l("This is not an XLSX file."))]) from None


def _limited(rows):
    """Yield the rows of a table, refusing one longer than the limit (header included)."""
    for number, row in enumerate(rows, start=1):
        if number > max_rows() + 1:
            raise ImportRefused(
                [(None, _l("The file has more than %(n)d rows of staff.", n=max_rows()))]
            )
        yield row


def _cell(value) -> str:
    """Return a cell as text: a whole number written as one (an XLSX may store 1.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns(header) -> dict[str, int]:
    known = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    problems = []
    for index, raw in enumerate(header):
        title = _cell(raw).strip().lower()
        if not title:
            continue
        key = known.get(title)
        if key is None:
            problems.append((1, _l("Unknown column “%(name)s”.", name=_cell(raw).strip()[:40])))
        elif key in found:
            problems.append((1, _l("Column “%(name)s” appears twice.", name=COLUMNS[key][0])))
        else:
            found[key] = index
    for key in REQUIRED_COLUMNS:
        if key not in found:
            problems.append((1, _l("Column “%(name)s” is missing.", name=COLUMNS[key][0])))
    if problems:
        raise ImportRefused(problems)
    return found


def _check_rows(table, numbers: list[int] | None = None) -> list[ImportRow]:
    """Check every row below the header; ``numbers`` are their row numbers if not 2, 3 ..."""
    if not table:
        raise ImportRefused([(None, _l("The file is empty."))])
    columns = _columns(table[0])
    units = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.active.is_(True)))}
    numbers = numbers or list(range(2, len(table) + 1))
    rows, problems, seen = [], [], {}
    for number, raw in zip(numbers, table[1:], strict=True):
        cells = {key: _cell(raw[i]) if i < len(raw) else "" for key, i in columns.items()}
        if not any(v.strip() for v in cells.values()):
            continue  # a blank line
        errors = FieldErrors(COLUMN_LABELS)
        code = errors.text("unit_code", cells["unit_code"], max_length=40)
        name = errors.text("name", cells["name"], max_length=NAME_MAX)
        post = errors.text("post", cells.get("post", ""), max_length=POST_MAX, required=False)
        active = _read_active(errors, cells.get("active", ""))
        if code and code not in units:
            errors.add("unit_code", _l("No such unit."))
        key = (code, name, post)
        if not errors.errors and key in seen:
            errors.add("name", _l("The same person and post as row %(n)d.", n=seen[key]))
        for column, message in errors.errors.items():
            problems.append((number, labelled(COLUMN_LABELS[column], message)))
        if not errors.errors:
            seen[key] = number
            rows.append(ImportRow(number, code, name, post, active))
    if problems:
        raise ImportRefused(problems)
    if not rows:
        raise ImportRefused([(None, _l("The file lists nobody."))])
    return rows


def _read_active(errors: FieldErrors, value: str) -> bool | None:
    value = value.strip().lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    errors.add("active", _l("Write 是 or 否."))
    return None


def plan_import(rows: list[ImportRow]) -> ImportPlan:
    """Return what importing ``rows`` would change, against the lists as they are now."""
    units = {u.code: u.id for u in db.session.scalars(sa.select(Unit))}
    unit_ids = {units[r.unit_code] for r in rows}
    existing = {
        (s.unit_id, s.name, s.post): s
        for s in db.session.scalars(sa.select(Staff).where(Staff.unit_id.in_(unit_ids)))
    }
    plan = ImportPlan()
    for row in rows:
        entry = existing.get((units[row.unit_code], row.name, row.post))
        if entry is None:
            plan.add.append(row)
        elif entry.merged_into_id is None and row.active is not None and row.active != entry.active:
            plan.update.append((row, entry))
        else:
            # Already listed as the file says, or a slip merged into someone else: the
            # import does not bring a merged entry back.
            plan.unchanged += 1
    return plan


def apply_import(rows: list[ImportRow], actor) -> ImportPlan:
    """Add the new entries and set 在职 where the file changes it; return what was done.

    The plan is made again here, against the lists as they are at this moment: what
    somebody changed since the preview is not overwritten blindly, and a second run adds
    nobody.
    """
    plan = plan_import(rows)
    units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    added = []
    for row in plan.add:
        entry = Staff(
            unit_id=units[row.unit_code].id,
            name=row.name,
            post=row.post,
            active=True if row.active is None else row.active,
            confirmed=True,
        )
        db.session.add(entry)
        added.append((row, entry))
    for row, entry in plan.update:
        entry.active = row.active
    db.session.flush()
    now, actor_id = utcnow(), getattr(actor, "id", None)
    events = [
        {
            "subject_type": "staff",
            "subject_id": entry.id,
            "actor_id": actor_id,
            "action": "staff_imported",
            "at": now,
            "data": {"unit_code": row.unit_code, "row": row.row, **brief(entry)},
        }
        for row, entry in added
    ] + [
        {
            "subject_type": "staff",
            "subject_id": entry.id,
            "actor_id": actor_id,
            "action": "staff_reactivated" if row.active else "staff_deactivated",
            "at": now,
            "data": {"import_row": row.row},
        }
        for row, entry in plan.update
    ]
    # One bulk append: thousands of rows must not take a lock per entry.
    record_events(events)
    return plan


def rows_to_payload(rows: list[ImportRow]) -> list[list]:
    """Return rows as plain lists, for the preview page to send back with the answer."""
    return [[r.row, r.unit_code, r.name, r.post, r.active] for r in rows]


def rows_from_payload(payload) -> list[ImportRow]:
    """Return the rows a preview sent back, checked again as a file's would be.

    The payload is signed, but the units may have changed since: every row is read again.
    """
    if not isinstance(payload, list) or not payload or len(payload) > max_rows():
        raise ImportRefused([(None, _l("Upload the file again."))])
    table, numbers = [TEMPLATE_HEADER], []
    for item in payload:
        if not (
            isinstance(item, list)
            and len(item) == 5
            and isinstance(item[0], int)
            and all(isinstance(v, str) for v in item[1:4])
            and item[4] in (True, False, None)
        ):
            raise ImportRefused([(None, _l("Upload the file again."))])
        number, code, name, post, active = item
        numbers.append(number)
        table.append([code, name, post, "" if active is None else ("是" if active else "否")])
    return _check_rows(table, numbers)


TEMPLATE_NOTES = (
    _l("单位编码: required, the unit's code as the system has it."),
    _l("姓名: required, at most %(n)d characters.", n=NAME_MAX),
    _l("职务: optional, at most %(n)d characters.", n=POST_MAX),
    _l(
        "在职: optional, 是 or 否; left empty, a new entry is active and one listed stays as it is."
    ),
    _l("A unit's person and post are listed once: importing the same file again adds nobody."),
)


def template_csv() -> bytes:
    """Return the CSV template: the header, with a byte-order mark so that Excel reads UTF-8."""
    out = io.StringIO()
    csv.writer(out).writerow(TEMPLATE_HEADER)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """Return the XLSX template: the header row, and a sheet that says how to fill it."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = str(_l("Staff"))
    sheet.append(TEMPLATE_HEADER)
    notes = book.create_sheet(str(_l("How to fill it in")))
    for line in TEMPLATE_NOTES:
        notes.append([str(line)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
