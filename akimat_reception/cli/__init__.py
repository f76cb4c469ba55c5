"""The flask commands an operator runs, one module per group (in the manner of indico's cli/):

- database: init-db, backup
- demo: demo
- users: create-user
- outbox: outbox send, outbox status
- journal: journal verify
- daily: digest, deadlines remind, letters close (the daily schedule)
- calendar: calendar set
- routing: routing train, routing evaluate
- ratings: ratings rebuild
- phones: phones due
- translate: translate update, translate compile
- config: check-config
- worker: worker, and outbox send, status, requeue
- akimat: akimat create, import, export

Each module has a `register(app)`; the commands are thin: parse the options, call domain/, echo.
"""

from flask import Flask

from . import (
    akimat,
    akimat_structure,
    calendar,
    config,
    daily,
    database,
    demo,
    journal,
    outbox,
    phones,
    ratings,
    routing,
    translate,
    users,
    worker,
)
from ._common import akimats_named

__all__ = ["akimats_named", "register_cli"]

MODULES = (
    akimat,
    akimat_structure,
    database,
    demo,
    users,
    outbox,
    journal,
    daily,
    calendar,
    routing,
    ratings,
    phones,
    translate,
    config,
    worker,
)


def register_cli(app: Flask) -> None:
    for module in MODULES:
        module.register(app)
