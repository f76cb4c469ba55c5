"""How a message leaves: SMS gateways (the held default, the development sink, a configured class) and
the SMTP mailer that tells a refused message from an unreachable server and an uncertain outcome."""

import logging
import smtplib
from email.message import EmailMessage
from importlib import import_module
from typing import Protocol

from flask import current_app

log = logging.getLogger("akimat_reception.delivery")

# --- SMS gateways -------------------------------------------------------------------------------


class SmsError(Exception):
    """A gateway's temporary failure: the SMS was not accepted; retried with back-off."""


class SmsUncertain(SmsError):
    """The gateway may have accepted the SMS (e.g. a timeout after the request went out): retried
    with the same idempotency key, which the gateway uses to drop the repeat."""


class SmsHeld(Exception):
    """The SMS is not to be sent through this gateway at all: held with the reason, not retried."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, idempotency_key: str) -> None:
        """Hand the SMS to the operator; return only once it is accepted. The key is the same on
        every retry of one message."""


class LogSmsGateway:
    """The default when no gateway is configured: holds each SMS, visibly, instead of pretending."""

    def send(self, phone: str, text: str, idempotency_key: str) -> None:
        raise SmsHeld("no SMS gateway configured (SMS_GATEWAY): held, not sent")


class DevelopmentSmsSink:
    """For development and tests only: writes the SMS to the log and counts it as sent."""

    def send(self, phone: str, text: str, idempotency_key: str) -> None:
        log.info("SMS to %s: %s", phone, text, extra={"idempotency_key": idempotency_key})


def _sms_gateway() -> SmsGateway:
    path = current_app.config.get("SMS_GATEWAY") or "akimat_reception.delivery:LogSmsGateway"
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)()


# --- SMTP ---------------------------------------------------------------------------------------


class Unreachable(Exception):
    """No connection to the SMTP server: nothing was sent."""


class Uncertain(Exception):
    """The content went to the server and then the exchange broke: it may have been accepted."""


class _TrackingSMTP(smtplib.SMTP):
    """smtplib's client, noting when the message's content is handed over inside DATA: from that
    moment a failure leaves the outcome unknown."""

    in_data = content_sent = False

    def data(self, msg):
        self.in_data = True
        try:
            return super().data(msg)
        finally:
            self.in_data = False

    def send(self, s):
        if self.in_data and isinstance(s, bytes):  # commands are str; the content is bytes
            self.content_sent = True
        return super().send(s)


class Mailer:
    """One SMTP connection for as many messages as come, reopened after a broken exchange."""

    def __init__(self, config):
        self.config = config
        self.smtp: _TrackingSMTP | None = None
        self.sent_on_connection = 0

    def _connect(self) -> _TrackingSMTP:
        if self.smtp is None:
            c = self.config
            try:
                smtp = _TrackingSMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
                if c["MAIL_USE_TLS"]:
                    smtp.starttls()
                if c["MAIL_USERNAME"]:
                    smtp.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"])
            except (smtplib.SMTPException, OSError) as error:
                raise Unreachable(f"{type(error).__name__}: {error}") from error
            self.smtp, self.sent_on_connection = smtp, 0
        return self.smtp

    def send(self, email: EmailMessage) -> None:
        for fresh in (False, True):
            reused = self.smtp is not None and not fresh
            smtp = self._connect()
            smtp.content_sent = False
            try:
                smtp.send_message(email)
            except smtplib.SMTPResponseException:
                raise  # the server answered: it did not take the message; the connection goes on
            except smtplib.SMTPRecipientsRefused:
                raise
            except (smtplib.SMTPException, OSError) as error:
                self.close()
                if smtp.content_sent:
                    raise Uncertain(f"{type(error).__name__}: {error}") from error
                if reused:
                    continue  # an idle connection the server had closed: once more on a new one
                raise
            self.sent_on_connection += 1
            return

    def probe(self) -> bool:
        """Is the server there? (NOOP on the open connection, or a new one.)"""
        try:
            smtp = self._connect()
            smtp.noop()
            return True
        except (Unreachable, smtplib.SMTPException, OSError):
            self.close()
            return False

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None
