"""Small helpers shared by the WTForms of every domain."""

from wtforms.fields.choices import SelectChoice


def select_choices(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def form_class(name: str, spec, base: type) -> type:
    """Build the form class of ``spec``: one unchecked field per field the web offers.

    The checks stay in the spec, which the service reads; the form only carries what was
    typed, so that it can be shown again beside the messages.
    """
    fields = {n: f.form_field() for n, f in spec.fields.items() if not f.api_only}
    return type(name, (base,), {"spec": spec, **fields})


class Required:
    """Mark a field required on the page (a ``required`` input, a * by its label).

    It checks nothing: the service does, so that each field gets one message, the same
    on every channel.
    """

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None
