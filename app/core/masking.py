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
