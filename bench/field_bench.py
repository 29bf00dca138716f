"""The technician field scenarios of `bench.run`: logging in as the bench technicians, the step
requests for bench_steps' visits, and the weight of the job-list page (HTML + the CSS / JS it links).

* `field_list`: `GET /field` as `bench_tech` with a session cookie (what the phone sends after
  `POST /login`), at an open-loop rate.
* `field_steps`: `POST /api/work-orders/{id}/steps` as `bench_steps` with a bearer token: for each
  visit `{"step": "en_route"}`, then `{"step": "arrived"}` ~2 s later (the app refuses an arrival
  before the departure), each with its own `Idempotency-Key`, at an open-loop rate.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser

import asyncpg
import httpx
import msgspec

from bench import BENCH_PASSWORD, STEPS_USERNAME
from bench.load import Request

STEP_LAG_SECONDS = 2.0
"""How long after a visit's `en_route` its `arrived` is due (must exceed the en_route's latency)."""
STEP_ORDERS_SQL = """
SELECT w.id FROM work_order w JOIN app_user u ON u.id = w.technician
WHERE u.username = $1 AND w.status = 'assigned'
  AND NOT EXISTS (SELECT 1 FROM work_order_step s WHERE s.work_order = w.id)
ORDER BY w.id
"""


def session_cookie(base_url: str, username: str) -> str:
    """Log in through the login form (CSRF token and all) and return the `cookie` header a browser
    would send afterwards."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        client.get("/login")
        token = client.cookies.get("csrftoken", "")
        response = client.post(
            "/login",
            data={"username": username, "password": BENCH_PASSWORD, "next": "/field", "_csrf_token": token},
        )
        if response.status_code not in (302, 303) or "session" not in client.cookies:
            problem = f"{response.status_code}: {response.text[:300]}"
            raise SystemExit(f"could not log in as {username} ({problem})")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def step_order_ids(url: str) -> list[int]:
    """bench_steps' visits that are still assigned and have no step yet, oldest first."""
    connection = await asyncpg.connect(url)
    try:
        return [row["id"] for row in await connection.fetch(STEP_ORDERS_SQL, STEPS_USERNAME)]
    finally:
        await connection.close()


def orders_per_round(rate: float, seconds: float) -> int:
    """Visits one round uses: every request due in warm-up + window, two per visit (+1 to spare)."""
    return math.ceil(rate * seconds / 2) + 1


def step_request(order_id: int, step: str) -> Request:
    return Request(
        "POST",
        f"/api/work-orders/{order_id}/steps",
        msgspec.json.encode({"step": step}),
        headers=(("idempotency-key", uuid.uuid4().hex),),
    )


def step_requests(order_ids: list[int], rate: float) -> list[Request]:
    """en_route for each visit in turn, and each visit's arrived `STEP_LAG_SECONDS` later.

    The load generator sends positions 1, 2, ... (position 0 only after wrapping around, which the
    caller prevents by giving enough visits), so position 0 holds a copy that is never sent."""
    lag = max(1, round(rate * STEP_LAG_SECONDS / 2))  # in visits: two requests per visit
    sequence: list[Request] = []
    for index in range(len(order_ids) + lag):
        if index < len(order_ids):
            sequence.append(step_request(order_ids[index], "en_route"))
        if index >= lag:
            sequence.append(step_request(order_ids[index - lag], "arrived"))
    return sequence[-1:] + sequence


class _Assets(HTMLParser):
    """The stylesheets and scripts a page links to."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and "stylesheet" in (values.get("rel") or "").split() and values.get("href"):
            self.urls.append(str(values["href"]))
        elif tag == "script" and values.get("src"):
            self.urls.append(str(values["src"]))


@dataclass
class Transfer:
    path: str
    status: int
    encoding: str  # content-encoding ("" = sent uncompressed)
    body_bytes: int  # as transferred
    plain_bytes: int  # decompressed
    header_bytes: int


@dataclass
class PageWeight:
    transfers: list[Transfer] = field(default_factory=list)

    @property
    def body_bytes(self) -> int:
        return sum(t.body_bytes for t in self.transfers)

    @property
    def header_bytes(self) -> int:
        return sum(t.header_bytes for t in self.transfers)

    @property
    def plain_bytes(self) -> int:
        return sum(t.plain_bytes for t in self.transfers)


def _transfer(client: httpx.Client, path: str) -> tuple[Transfer, str]:
    with client.stream("GET", path) as response:
        plain = response.read()
        raw = response.num_bytes_downloaded
    headers = sum(len(name) + len(value) + 4 for name, value in response.headers.raw) + 17
    transfer = Transfer(
        path, response.status_code, response.headers.get("content-encoding", ""), raw, len(plain), headers
    )
    return transfer, plain.decode(errors="replace")


def page_weight(base_url: str, headers: dict[str, str], path: str = "/field") -> PageWeight:
    """What a phone downloads on a first visit with `Accept-Encoding: gzip`: the page, then every
    same-site stylesheet and script it links to (sizes as transferred, i.e. compressed if the app
    compressed them)."""
    weight = PageWeight()
    gzip = {**headers, "accept-encoding": "gzip"}
    with httpx.Client(base_url=base_url, headers=gzip, timeout=30) as client:
        page, html = _transfer(client, path)
        weight.transfers.append(page)
        parser = _Assets()
        parser.feed(html)
        for url in dict.fromkeys(parser.urls):
            if url.startswith("/") and not url.startswith("//"):
                weight.transfers.append(_transfer(client, url)[0])
    return weight
