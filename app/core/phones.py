"""One phone number is one number however it was written (+86, 0086, spaces, brackets).

Caller history, duplicate detection and the worklist search compare the form made
here, stored beside the number as typed (``Complainant.phone_normalized``).
"""

import re
import unicodedata

# What people put between digits: spaces, dashes, dots, slashes and brackets.
_SEPARATORS = re.compile(r"[\s\-.()/\[\]]")
# A number without its area code is at most 8 digits: 12 or more after a bare 86
# is the country code, not the start of a local number.
_BARE_86_MIN_LENGTH = 12
# Fewer digits than a short service number (12345) are no number to look anybody up by.
PHONE_MIN_DIGITS = 5


def normalize_phone(raw: str | None) -> str:
    """Return ``raw`` as a comparable number: Chinese numbers in national form, others +CC.

    +86 138 1234 5678, 0086-13812345678 and 8613812345678 all give 13812345678; a
    landline keeps its trunk 0 whatever was typed: +86 571 8888 8888, (0571) 8888-8888
    and 0571 88888888 give 057188888888. Anything else than digits, a leading + and the
    separators gives an empty string: it is no phone number.
    """
    # Full-width digits, plus and brackets (１３８, ＋, （）) are the ASCII ones.
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    international = False
    if text.startswith("+"):
        text, international = text[1:], True
    elif text.startswith("00"):
        text, international = text[2:], True
    if not text.isascii() or not text.isdigit():
        return ""
    if not international and text.startswith("86") and len(text) >= _BARE_86_MIN_LENGTH:
        international = True
    if not international:
        return text
    if not text.startswith("86"):
        return "+" + text
    national = text[2:]
    # A mobile number has no trunk prefix; a landline's area code is dialled with 0.
    if national.startswith(("0", "1")):
        return national
    return "0" + national
