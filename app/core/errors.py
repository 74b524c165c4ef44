"""Domain errors raised by services and mapped to HTTP answers by the web and API layers."""


class DomainError(Exception):
    """A business rule refused an operation."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = str(message)
        self.fields = fields or {}
        # How people call each field of ``fields`` (its key when not given).
        self.labels = labels or {}


class NotFound(DomainError):
    """The object does not exist or the actor may not know that it exists."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """The actor may see the object but not do this to it."""

    status = 403
    code = "forbidden"


class InvalidTransition(DomainError):
    """The action is not allowed in the case's current state."""

    status = 409
    code = "invalid_transition"


class Conflict(DomainError):
    """Somebody else changed the object since the actor loaded it."""

    status = 409
    code = "conflict"


class StaleVersion(Conflict):
    """The object changed since the page or request that acts on it was made."""


class ValidationFailed(DomainError):
    """Input values are invalid; ``fields`` names each bad field."""

    status = 422
    code = "validation_failed"
