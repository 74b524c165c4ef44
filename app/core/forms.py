"""Small helpers shared by the WTForms of every domain."""

from wtforms.fields.choices import SelectChoice


def select_choices(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]
