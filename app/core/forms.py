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
    fields = {}
    for declared in spec.fields.values():
        if not declared.api_only:
            fields.update(declared.form_fields())
    return type(name, (base,), {"spec": spec, **fields})


def prefix_ids(form, prefix: str) -> None:
    """Give every field of ``form`` the id ``<prefix>-<name>``, its label following.

    A page with several forms (the case page has one per action) would otherwise repeat
    ``csrf_token``, ``reason`` and ``text``, and a label would point at another form's
    box. The names stay as they are: what is posted does not change.
    """
    for field in form:
        field.id = f"{prefix}-{field.name}"
        field.label.field_id = field.id


def mark_required(form, names) -> None:
    """Flag ``names`` as required, so that the page says so (``required``, ``aria-required``).

    The check itself stays with the service; the flag only tells the person typing.
    """
    for name in names:
        if name in form:
            form[name].flags.required = True


class Required:
    """Mark a field required on the page (a ``required`` input, a * by its label).

    It checks nothing: the service does, so that each field gets one message, the same
    on every channel.
    """

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None
