"""All models, importable from one place (and so known to Alembic)."""
from .journal import Event
from .letters import Answer, Decision, Letter, LetterCounter, LetterKind, LetterStatus
from .people import Membership, Role, User
from .tenancy import Akimat, Category, Department

__all__ = [
    "Akimat", "Answer", "Category", "Decision", "Department", "Event", "Letter",
    "LetterCounter", "LetterKind", "LetterStatus", "Membership", "Role", "User",
]
