"""A real SMTP server for the tests (aiosmtpd), on a free port of 127.0.0.1."""

import email
import socket
from email.policy import default

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self._controller = None

    def start(self):
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None


def drain(now=None):
    """Runs the outbox worker until nothing is due: other tests leave messages pending too, and
    one batch might not reach this test's own."""
    from akimat_reception.delivery import deliver_due

    total = {"sent": 0, "retry": 0, "failed": 0}
    while True:
        outcome = deliver_due(now=now, limit=1000)
        if not sum(outcome.values()):
            return total
        for key in total:
            total[key] += outcome[key]
