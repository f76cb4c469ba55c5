"""Residents writing letters, from Python processes: the "write a letter" scenario of bench/run.py
(`lua/letter.lua`: GET the form, POST it with its CSRF token, a new submission token and a
resident's own email; 302 to the receipt is one letter registered), for machines without wrk.

Each process keeps one browser's cookies and one keep-alive connection, with no think time, like
one wrk connection. The same driver runs against the site before and after the sealed record, so
their numbers compare with each other (not with wrk's, whose client costs less CPU)."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import re
import time
import urllib.parse
from dataclasses import dataclass

CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@dataclass
class Load:
    seconds: float
    letters: int  # POSTs answered 302
    requests: int
    failed: int
    post_ms: list[float]

    def percentile(self, q: float) -> float:
        values = sorted(self.post_ms)
        return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    def summary(self) -> dict:
        return {
            "seconds": round(self.seconds, 1),
            "letters": self.letters,
            "letters_per_s": round(self.letters / self.seconds, 1),
            "requests_per_s": round(self.requests / self.seconds, 1),
            "failed": self.failed,
            "post_p50_ms": round(self.percentile(0.50), 1),
            "post_p99_ms": round(self.percentile(0.99), 1),
        }


def _resident(args) -> tuple[int, int, int, list[float]]:
    port, slug, category, start_at, stop_at, number = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    cookies: dict[str, str] = {}
    letters = requests = failed = 0
    post_ms: list[float] = []
    path = f"/{slug}/letters/new"

    def send(method: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Accept-Language": "ru", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
        return response.status, text

    while time.time() < stop_at:
        status, page = send("GET")
        counted = time.time() >= start_at
        requests += counted
        found = CSRF.search(page)
        if status != 200 or found is None:
            failed += counted
            continue
        token = os.urandom(16).hex()
        form = {
            "csrf_token": found.group(1),
            "submission_token": token,
            "kind": "application",
            "category": str(category),
            "language": "ru",
            "subject": "Не работает уличное освещение",
            "body": "Во дворе нашего дома уже месяц не горят фонари. Вечером темно и опасно. Просим отремонтировать.",
            "surname": "Нагрузкин",
            "given_name": "Тест",
            "address": "Астана, ул. Бенчмарк, 1",
            "email": f"resident-{token[:12]}@example.kz",
        }
        began = time.perf_counter()
        status, _page = send("POST", urllib.parse.urlencode(form))
        elapsed = (time.perf_counter() - began) * 1000
        if time.time() >= start_at:
            requests += 1
            if status == 302:
                letters += 1
                post_ms.append(elapsed)
            else:
                failed += 1
    connection.close()
    return letters, requests, failed, post_ms


def write_letters(port: int, slug: str, category: int, seconds: float, residents: int, warmup: float = 2) -> Load:
    """`residents` processes write letters for warmup + seconds; only the last `seconds` count."""
    start_at = time.time() + warmup
    stop_at = start_at + seconds
    jobs = [(port, slug, category, start_at, stop_at, n) for n in range(residents)]
    with multiprocessing.get_context("fork").Pool(residents) as pool:
        results = pool.map(_resident, jobs)
    return Load(
        seconds=seconds,
        letters=sum(r[0] for r in results),
        requests=sum(r[1] for r in results),
        failed=sum(r[2] for r in results),
        post_ms=[ms for r in results for ms in r[3]],
    )
