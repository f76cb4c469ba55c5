#!/usr/bin/env python3
"""What each optimisation buys: the server's CPU (this process + PostgreSQL's server process) and
the time of one request, in-process through Flask's test client, with each optimisation switched
off again by patching it out — on a generated database, read only.

    .venv/bin/python bench/ablation.py postgresql+psycopg://postgres@127.0.0.1:5432/akimat_bench_1000000_k2_s2026

Numbers are per request, the median of 5 rounds of 20 requests. The switches undo, one at a time
(cache+stats: both, as on the first request after a change):
- stats:    the departments' answer counts kept by the lifecycle (back to aggregating every answer);
- cache:    the dashboard's counts kept per journal revision (back to counting on each request);
- merge:    each open status read from its own index range and merged (back to one query over the
            IN list, sorted);
- eager:    the letters' departments loaded with the letters (back to one query per department);
- gettext:  templates' translations found once per request (back to Flask-Babel's lookup per string).
The indexes, the template changes and keyset pagination are not switched here (see RESULTS.md)."""

import re
import statistics
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from akimat_reception import create_app  # noqa: E402
from akimat_reception.extensions import db  # noqa: E402

PAGES = [
    ("akim", "/astana/akim/"),
    ("registrar", "/astana/office/"),
    (None, "/astana/ratings"),
    ("registrar", "/astana/office/?status=all"),
    ("executor", "/astana/office/"),
]


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SWITCHES = ("stats", "cache", "cache+stats", "merge", "eager", "gettext")


@contextmanager
def switched_off(app, names):
    with ExitStack() as stack:
        for name in names.split("+"):
            stack.enter_context(_switched_off(app, name))
        yield


@contextmanager
def _switched_off(app, name):
    import akimat_reception.web.akim as akim
    import akimat_reception.web.office as office
    import akimat_reception.web.public.reception as reception
    from akimat_reception.domain import ratings
    from akimat_reception.web import cache, pagination

    with ExitStack() as stack:

        def patch(obj, attr, value):
            old = getattr(obj, attr)
            setattr(obj, attr, value)
            stack.callback(setattr, obj, attr, old)

        if name == "stats":
            patch(akim, "department_ratings", ratings.from_answers)
            patch(reception, "department_ratings", ratings.from_answers)
        elif name == "cache":
            patch(cache, "by_revision", lambda key, revision, compute, ttl=0: compute())
            patch(akim, "revision", lambda akimat_id: None)
        elif name == "merge":

            def single(stmt, order, sort, descending, split, keyset, offset, per_page, options):
                query = stmt.where(keyset) if keyset is not None else stmt
                return (
                    db.session.scalars(query.options(*options).order_by(*sort).limit(per_page + 1).offset(offset))
                    .unique()
                    .all()
                )

            patch(pagination, "_merged", single)
        elif name == "eager":
            real = pagination.paginate
            patch(akim, "paginate", lambda *a, **k: real(*a, **{**k, "options": []}))
            patch(office, "paginate", lambda *a, **k: real(*a, **{**k, "options": []}))
        elif name == "gettext":
            from flask_babel import get_translations

            app.jinja_env.install_gettext_callables(
                gettext=lambda s: get_translations().ugettext(s),
                ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
                newstyle=True,
            )
            from akimat_reception.web import i18n

            stack.callback(i18n.install, app)
        yield


def client_for(app, role):
    client = app.test_client()
    if role:
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        client.post(
            "/login", data={"csrf_token": token, "email": f"{role}@astana.demo.kz", "password": "Reception-demo-2026"}
        )
    return client


def measure(app, pid, role, url, rounds=5, n=20):
    client = client_for(app, role)
    for _ in range(3):
        assert client.get(url).status_code == 200
    cpu, wall = [], []
    for _ in range(rounds):
        mine, theirs, started = time.process_time(), cpu_of(pid), time.perf_counter()
        for _ in range(n):
            client.get(url, headers={"Accept-Language": "ru"})
        wall.append((time.perf_counter() - started) / n * 1000)
        cpu.append(((time.process_time() - mine) + (cpu_of(pid) - theirs)) / n * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main():
    url = sys.argv[1]
    app = create_app(
        {
            "RATELIMIT_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "ablation",
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_pre_ping": True},
        }
    )
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()
    print("| page | all on: CPU ms / wall ms | " + " | ".join(f"without {s}" for s in SWITCHES) + " |")
    print("| --- | --- |" + " --- |" * len(SWITCHES))
    for role, page in PAGES:
        cells = ["{:.1f} / {:.1f}".format(*measure(app, pid, role, page))]
        for switch in SWITCHES:
            with switched_off(app, switch):
                cells.append("{:.1f} / {:.1f}".format(*measure(app, pid, role, page)))
        print(f"| {role or 'public'} {page} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
