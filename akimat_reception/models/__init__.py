"""All models, importable from one place (and so known to Alembic)."""

from . import guards  # noqa: F401  (registers the listeners)
from .access import AccessCode, ContactCode, LetterLink
from .accounts import Invitation, PasswordReset, RecoveryCode
from .drafts import LetterDraft
from .journal import AdminEvent, Event, JournalCheck, PersonalDataAccess
from .letters import (
    Answer,
    AnswerStatus,
    AnswerTemplate,
    Attachment,
    Decision,
    ExtensionRequest,
    ExtensionStatus,
    Letter,
    LetterChannel,
    LetterCounter,
    LetterKind,
    LetterStatus,
    RoutingModel,
)
from .outbox import Channel, DeliveryStatus, JobRun, OutboxMessage, WorkerHeartbeat
from .people import Membership, Role, User
from .phones import CheckResult, LineDays, PhoneCheck, PhoneLine, PhoneReport
from .record import LogEntry, RecordLog, SignedCheckpoint, TreeNode, WitnessedCheckpoint, WitnessState
from .stats import DepartmentAnswerStats
from .tenancy import Akimat, AkimatKind, AkimatPlacement, AkimatSlug, CalendarOverride, Category, Department

__all__ = [
    "LogEntry",
    "RecordLog",
    "SignedCheckpoint",
    "TreeNode",
    "WitnessedCheckpoint",
    "WitnessState",
    "AccessCode",
    "ContactCode",
    "LetterChannel",
    "LetterDraft",
    "LetterLink",
    "AdminEvent",
    "Akimat",
    "AkimatKind",
    "AkimatPlacement",
    "AkimatSlug",
    "Invitation",
    "PasswordReset",
    "RecoveryCode",
    "Answer",
    "AnswerStatus",
    "Attachment",
    "AnswerTemplate",
    "RoutingModel",
    "CalendarOverride",
    "Category",
    "Channel",
    "Decision",
    "DeliveryStatus",
    "Department",
    "Event",
    "JournalCheck",
    "JobRun",
    "ExtensionRequest",
    "ExtensionStatus",
    "Letter",
    "LetterCounter",
    "LetterKind",
    "LetterStatus",
    "Membership",
    "OutboxMessage",
    "PersonalDataAccess",
    "Role",
    "User",
    "WorkerHeartbeat",
    "CheckResult",
    "LineDays",
    "PhoneCheck",
    "PhoneLine",
    "PhoneReport",
    "DepartmentAnswerStats",
]
