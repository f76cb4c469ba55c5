"""A letter being written step by step: kept on the server between the steps, never a letter
(no number, no record) until it is sent; deleted when sent or abandoned."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._common import UTCDateTime, utcnow


class LetterDraft(Model):
    __tablename__ = "letter_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"))
    # The draft's key, held in the resident's session; also the staging key of its files and the
    # letter's submission_token, so that sending it twice registers one letter.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
