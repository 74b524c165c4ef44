"""Display labels of stored choice values, each kind registered beside its enum.

A domain declares ``CHANNEL_LABELS = register_labels("channel", {...})`` next to
``Channel``; templates (``value|label('channel')``), forms and messages read them
from here, so core never needs to know the domains.
"""

from collections.abc import Iterable, Mapping
from typing import Any

CHOICE_LABELS: dict[str, Mapping[str, Any]] = {}


def register_labels(kind: str, labels: Mapping[str, Any]) -> Mapping[str, Any]:
    """Register the labels of one kind of value and return them."""
    if kind in CHOICE_LABELS and CHOICE_LABELS[kind] is not labels:
        raise ValueError(f"labels for {kind!r} registered twice")
    CHOICE_LABELS[kind] = labels
    return labels


def label(value, kind: str) -> str:
    """Return the display label of a stored choice value (the value itself if unknown)."""
    if value is None:
        return ""
    return str(CHOICE_LABELS.get(kind, {}).get(value, value))


def choices(kind: str, values: Iterable[str] | None = None) -> list[tuple[str, Any]]:
    """Return (value, label) pairs of ``kind``, in declaration order or for ``values``."""
    labels = CHOICE_LABELS[kind]
    return [(str(v), labels[v]) for v in (labels if values is None else values)]
