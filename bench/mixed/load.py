"""The virtual users of bench/bench_mixed.py: threads that each keep one HTTP connection
alive (as a browser does) and, until the deadline, pick a journey at random by its weight and
walk it without pause, recording every response.

No Django here: the users know only what the plan (read from the database beforehand) tells
them, and speak HTTP with ``http.client`` (the standard library: lighter per request than
``requests``, so that the load generator takes less of the machine from the server).

Journeys (``JOURNEYS``, with their weights):

- ``map``: one map viewport, as the map page loads it: the GeoJSON of every layer of
  ``territory.layers.map_layers()`` (``/api/spaces.geojson``, ``/api/layers/<key>.geojson``)
  for one box and zoom (13 to 16), rounded outwards to 3 decimals as static/js/map.js does;
- ``space``, ``colonia``: a public space's page, a colonia's page;
- ``complaint``: the complaint form (GET, for its CSRF token) and its post with one JPEG,
  answering the chosen service's questions, ``confirmed`` as static/js/complaint-form.js sets
  it once the citizen has seen the open complaints nearby; each post from its own client
  address (X-Forwarded-For behind one trusted proxy: citizens, not one client);
- ``open311``: ``POST /open311/v2/requests.json`` with the API key, the service's attributes
  and a ``media_url`` (Open311's photo is a link);
- ``card``: a guardian, signed in by session cookie, opens the card form (GET) and files a
  card with one JPEG, as the offline queue does (``Accept: application/json``: the answer
  names the card), each yes/no item failing with probability ``CARD_FAILURE_RATE``.
"""

from __future__ import annotations

import datetime
import gzip
import http.client
import itertools
import json
import math
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

#: Journey → weight: how often a virtual user picks it (a map viewport is 5 requests).
JOURNEYS = {"map": 3, "space": 3, "colonia": 2, "complaint": 1, "open311": 2, "card": 1}
ZOOMS = (13, 13, 14, 15, 16)
CARD_FAILURE_RATE = 0.2
TIMEOUT_S = 30
CSRF_INPUT = re.compile(rb'<input[^>]*name="csrfmiddlewaretoken"[^>]*>')
VALUE = re.compile(rb'value="([^"]+)"')
DETAIL = re.compile(r"/complaints/([A-Z0-9]+)/$")


@dataclass
class Record:
    kind: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    ms: float
    ref: dict | None = None  # what a write sent and got back, for the row-by-row check
    size: int = 0  # bytes of the answer's body, uncompressed


@dataclass
class Guardian:
    id: int
    session: str  # the sessionid cookie of a signed-in session
    space_ids: list[int]


@dataclass
class Plan:
    """Everything the users need, read from the database before the load."""

    port: int
    host: str
    layers: list[tuple[str, str]]  # (kind, path) per map layer
    extent: tuple[float, float, float, float]  # west, south, east, north of the city
    space_codes: list[str]
    colonia_ids: list[int]
    services: list[tuple[int, str, dict[str, str]]]  # (id, code, {question code: answer})
    open311_key: str
    guardians: list[Guardian]
    card_service_id: int
    card_template_id: int
    card_item_ids: list[int]  # the template's yes/no items
    photo: bytes
    seed: int = 19
    journeys: dict[str, int] = field(default_factory=lambda: dict(JOURNEYS))


class NoAnswer(Exception):
    pass


class Connection:
    """One keep-alive HTTP connection, reopened when the server has closed it."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.conn: http.client.HTTPConnection | None = None
        self.used = False

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn, self.used = None, False

    def request(self, method: str, path: str, body=None, headers=None):
        """(status, lower-cased headers as a list of pairs, body decompressed)."""
        headers = {
            "Host": self.plan.host,
            "Accept-Encoding": "gzip",
            "User-Agent": "bench_mixed",
            **(headers or {}),
        }
        for attempt in range(2):
            reused = self.used
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.plan.port, timeout=TIMEOUT_S
                )
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                # The server closed an idle kept-alive connection before reading the request:
                # a browser sends it again on a new one, once.
                if reused and attempt == 0:
                    continue
                raise NoAnswer from None
            except (OSError, http.client.HTTPException):
                self.close()
                raise NoAnswer from None
            self.used = True
            pairs = [(name.lower(), value) for name, value in response.getheaders()]
            if response.getheader("Content-Encoding") == "gzip":
                data = gzip.decompress(data)
            if response.will_close:
                self.close()
            return response.status, pairs, data
        raise NoAnswer


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, filename, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


_addresses = itertools.count(1)


def next_client_address() -> str:
    """A fresh 10.x.y.z per citizen (the complaint form allows 10 posts an hour per address)."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


class VirtualUser(threading.Thread):
    def __init__(self, plan: Plan, number: int, deadline: float):
        super().__init__(name=f"user-{number}", daemon=True)
        self.plan = plan
        self.number = number
        self.deadline = deadline
        self.rng = random.Random(plan.seed * 1000 + number)
        self.connection = Connection(plan)
        self.csrf_cookie = ""
        self.records: list[Record] = []
        self.sequence = 0

    def run(self) -> None:
        journeys = list(self.plan.journeys)
        weights = [self.plan.journeys[name] for name in journeys]
        try:
            while time.monotonic() < self.deadline:
                journey = self.rng.choices(journeys, weights)[0]
                getattr(self, f"journey_{journey}")()
        finally:
            self.connection.close()

    # --- HTTP ----------------------------------------------------------------------------------

    def call(self, kind: str, method: str, path: str, body=None, headers=None, cookies=None):
        """Sends one request and records it; returns (status, headers, body, record), status 0
        when there was no answer."""
        jar = {**({"csrftoken": self.csrf_cookie} if self.csrf_cookie else {}), **(cookies or {})}
        headers = dict(headers or {})
        if jar:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in jar.items())
        started = time.perf_counter()
        try:
            status, pairs, data = self.connection.request(method, path, body, headers)
        except NoAnswer:
            record = Record(kind, 0, (time.perf_counter() - started) * 1000)
            self.records.append(record)
            return 0, [], b"", record
        record = Record(kind, status, (time.perf_counter() - started) * 1000, size=len(data))
        self.records.append(record)
        for name, value in pairs:
            if name == "set-cookie" and value.startswith("csrftoken="):
                self.csrf_cookie = SimpleCookie(value)["csrftoken"].value
        return status, pairs, data, record

    def form_token(self, kind: str, path: str, cookies=None, headers=None) -> str | None:
        """GETs a form page and returns its CSRF token."""
        answer = self.call(kind, "GET", path, cookies=cookies, headers=headers)
        if answer[0] != 200:
            return None
        field = CSRF_INPUT.search(answer[2])
        value = VALUE.search(field.group(0)) if field else None
        return value.group(1).decode() if value else None

    def post_with_photo(self, kind: str, path: str, fields, headers, cookies=None):
        """Posts the form's fields as a browser does, with the photo in ``photos``."""
        body, content_type = multipart(fields, [("photos", "photo.jpg", self.plan.photo)])
        headers = {"Content-Type": content_type, **headers}
        return self.call(kind, "POST", path, body, headers, cookies=cookies)

    def marker(self) -> str:
        self.sequence += 1
        return f"mixed-{self.number}-{self.sequence}"

    def point(self) -> tuple[float, float]:
        west, south, east, north = self.plan.extent
        return self.rng.uniform(south, north), self.rng.uniform(west, east)

    # --- Journeys ------------------------------------------------------------------------------

    def journey_map(self) -> None:
        zoom = self.rng.choice(ZOOMS)
        width, height = 0.22 / 2 ** (zoom - 13), 0.12 / 2 ** (zoom - 13)
        lat, lon = self.point()
        box = (
            max(-180, _floor3(lon - width / 2)),
            max(-90, _floor3(lat - height / 2)),
            min(180, _ceil3(lon + width / 2)),
            min(90, _ceil3(lat + height / 2)),
        )
        query = urlencode({"bbox": ",".join(f"{v:.3f}" for v in box), "zoom": zoom})
        for kind, path in self.plan.layers:
            self.call(kind, "GET", f"{path}?{query}", headers={"Accept": "application/geo+json"})

    def journey_space(self) -> None:
        code = self.rng.choice(self.plan.space_codes)
        self.call("space page", "GET", f"/spaces/{code}/")

    def journey_colonia(self) -> None:
        pk = self.rng.choice(self.plan.colonia_ids)
        self.call("colonia page", "GET", f"/colonias/{pk}/")

    def journey_complaint(self) -> None:
        citizen = {"X-Forwarded-For": next_client_address()}
        token = self.form_token("complaint form page", "/complaints/new/", headers=citizen)
        if token is None:
            return
        service_id, _code, answers = self.rng.choice(self.plan.services)
        lat, lon = self.point()
        marker = self.marker()
        email = f"{marker}@example.org"
        fields = [
            ("csrfmiddlewaretoken", token),
            ("service_type", str(service_id)),
            ("description", f"Bench {marker}: the lamp is out and the bench is broken."),
            ("lat", f"{lat:.6f}"),
            ("lon", f"{lon:.6f}"),
            ("address", ""),
            ("reporter_name", "Bench"),
            ("reporter_email", email),
            ("reporter_phone", ""),
            ("confirmed", "True"),
            ("pending_photos", ""),
            *((f"q{service_id}-{code}", value) for code, value in answers.items()),
        ]
        answer = self.post_with_photo("complaint post", "/complaints/new/", fields, citizen)
        status, pairs, _data, record = answer
        location = dict(pairs).get("location", "")
        found = DETAIL.search(location) if status == 302 else None
        record.ref = {
            "code": found.group(1) if found else None,
            "service_id": service_id,
            "marker": marker,
            "email": email,
        }

    def journey_open311(self) -> None:
        service_id, code, answers = self.rng.choice(self.plan.services)
        lat, lon = self.point()
        marker = self.marker()
        media_url = f"https://photos.example.org/{marker}.jpg"
        params = [
            ("api_key", self.plan.open311_key),
            ("service_code", code),
            ("lat", f"{lat:.6f}"),
            ("long", f"{lon:.6f}"),
            ("description", f"Bench {marker}: a lamp is out."),
            ("media_url", media_url),
            *((f"attribute[{question}]", value) for question, value in answers.items()),
        ]
        answer = self.call(
            "Open311 post",
            "POST",
            "/open311/v2/requests.json",
            urlencode(params).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        status, _pairs, data, record = answer
        code_returned = None
        if status in (200, 201):
            try:
                code_returned = json.loads(data)[0]["service_request_id"]
            except (ValueError, LookupError, TypeError):
                code_returned = None
        record.ref = {"code": code_returned, "service_id": service_id, "media_url": media_url}

    def journey_card(self) -> None:
        guardian = self.rng.choice(self.plan.guardians)
        session = {"sessionid": guardian.session}
        token = self.form_token("card form page", "/guardians/cards/new/", cookies=session)
        if token is None:
            return
        template = self.plan.card_template_id
        client_id = str(uuid.uuid4())
        space_id = self.rng.choice(guardian.space_ids)
        observed_on = datetime.date.today() - datetime.timedelta(days=self.rng.randint(0, 30))
        failing = [i for i in self.plan.card_item_ids if self.rng.random() < CARD_FAILURE_RATE]
        fields = [
            ("csrfmiddlewaretoken", token),
            ("client_id", client_id),
            ("space", str(space_id)),
            ("service_type", str(self.plan.card_service_id)),
            ("template", str(template)),
            ("observed_on", observed_on.isoformat()),
            *(
                (f"t{template}-item-{item}", "no" if item in failing else "yes")
                for item in self.plan.card_item_ids
            ),
        ]
        answer = self.post_with_photo(
            "card post",
            "/guardians/cards/new/",
            fields,
            {"Accept": "application/json"},
            cookies=session,
        )
        status, _pairs, data, record = answer
        card_id = None
        if status in (200, 201):
            try:
                reply = json.loads(data)
                card_id = reply["id"] if reply.get("status") == "created" else None
            except (ValueError, LookupError, TypeError, AttributeError):
                card_id = None
        record.ref = {
            "id": card_id,
            "client_id": client_id,
            "guardian_id": guardian.id,
            "space_id": space_id,
            "observed_on": observed_on,
            "failing_items": failing,
        }


def _floor3(value: float) -> float:
    return math.floor(value * 1000) / 1000


def _ceil3(value: float) -> float:
    return math.ceil(value * 1000) / 1000


def run(plan: Plan, users: int, seconds: float) -> tuple[list[Record], float]:
    """Runs ``users`` virtual users for ``seconds``; returns every record and the seconds from
    the start until the last journey ended."""
    started = time.monotonic()
    threads = [VirtualUser(plan, number, started + seconds) for number in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return [record for thread in threads for record in thread.records], elapsed
