"""All models, importable from one place (and so known to Alembic)."""
from .journal import Event, PersonalDataAccess
from .letters import (Answer, Decision, ExtensionRequest, ExtensionStatus, Letter, LetterCounter, LetterKind,
                      LetterStatus)
from .outbox import Channel, DeliveryStatus, OutboxMessage
from .people import Membership, Role, User
from .tenancy import Akimat, CalendarOverride, Category, Department
from . import guards  # noqa: F401  (registers the listeners)

__all__ = [
    "Akimat", "Answer", "CalendarOverride", "Category", "Channel", "Decision", "DeliveryStatus", "Department",
    "Event", "ExtensionRequest", "ExtensionStatus", "Letter", "LetterCounter", "LetterKind", "LetterStatus",
    "Membership", "OutboxMessage", "PersonalDataAccess", "Role", "User",
]
