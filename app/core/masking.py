"""Masking of complainant identity for users who may not see it in full (DESIGN §8)."""


def mask_phone(phone: str | None) -> str:
    """Keep the first three and last four digits: 138****5678."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 1)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str | None) -> str:
    """Keep the family name only: 张三 -> 张某; Latin names keep the first letter."""
    if not name:
        return ""
    name = name.strip()
    if name.isascii():
        return name[:1] + "***"
    return name[:1] + "某"


def mask_email(email: str | None) -> str:
    """Keep the first character of the local part and the domain."""
    if not email or "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def without_identity(text: str, person) -> str:
    """Return ``text`` with a complainant's name, phone, address and e-mail masked out.

    A case's title is typed by the center or the complainant and may name them; what
    goes to the unit or person complained about must never say who complained.
    """
    for value, masked in (
        (person.name, mask_name(person.name)),
        (person.phone, mask_phone(person.phone)),
        (person.address, "某地"),
        (person.email, "某邮箱"),
    ):
        if value and value.strip():
            text = text.replace(value.strip(), masked)
    return text
