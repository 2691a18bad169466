"""The row-by-row checks of bench/bench_mixed.py, run once the worker has drained the queue.

Every accepted write (the code or id its answer returned) is looked up among the stored rows
with what it sent, its photo is looked for on disk, and every notification the writes owe is
looked for in the outbox tables and in the e-mails the worker sent (the file e-mail backend:
``EMAIL_URL=filemail://…``), each exactly once:

- a complaint (web form or Open311) owes no notification when it is filed (``complaint_create``
  writes its first history step with no e-mail pending: the reporter is told of each *change*);
  so none may be pending and none may have been sent to a reporter's address;
- a card with failing items owes the Sindicatura one e-mail (``card_notify_staff``, claimed by
  ``staff_notified_at``), and a card without, none;
- every card is reconciled by the worker (``findings.tasks.reconcile_card``: a
  ``ReconciledCard`` row), and each failing (space, service, item) has one live finding;
- each finding raised owes one outbox row (``findings.Outbox``, event ``raised``), delivered
  (status ``sent``): one e-mail to its directorate, one in-app message per directorate staff
  member, and the finding moved to ``notified`` once.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .load import Record

ACCEPTED = {
    "complaint post": lambda r: r.status == 302 and r.ref and r.ref["code"],
    "Open311 post": lambda r: r.status in (200, 201) and r.ref and r.ref["code"],
    "card post": lambda r: r.status == 201 and r.ref and r.ref["id"],
}
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # how Django's file e-mail backend ends each message
WORKER_FAILURE = re.compile(r"\] (ERROR|CRITICAL)/|raised unexpected|Traceback|Retry in")
WORKER_SUCCESS = re.compile(r"Task ([\w.]+)\[[^\]]+\] succeeded")


@dataclass
class Check:
    label: str
    found: int
    expected: int
    detail: str = ""
    lost_of: str = ""  # the write kind whose lost writes this check counts (expected - found)

    @property
    def ok(self) -> bool:
        return self.found == self.expected


def accepted(records: list[Record], kind: str) -> list[dict]:
    return [
        record.ref
        for record in records
        if record.kind == kind and record.ref is not None and ACCEPTED[kind](record)
    ]


def _sample(items, n: int = 5) -> str:
    items = sorted(str(item) for item in items)
    return ", ".join(items[:n]) + (" …" if len(items) > n else "")


@dataclass
class Mail:
    to: frozenset[str]
    subject: str
    body: str


def sent_mail(folder: Path) -> list[Mail]:
    """Every message the file e-mail backend wrote into ``folder``."""
    mails = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk, policy=email.policy.default)
            recipients = frozenset(
                address.strip().lower() for address in str(message["To"] or "").split(",")
            )
            body = message.get_body(preferencelist=("plain",))
            mails.append(
                Mail(recipients, str(message["Subject"] or ""), body.get_content() if body else "")
            )
    return mails


def worker_log(path: Path) -> tuple[Counter, list[str]]:
    """Tasks that succeeded, by name, and the log lines that tell of a failure or a retry."""
    text = path.read_text(errors="replace") if path.exists() else ""
    succeeded = Counter(WORKER_SUCCESS.findall(text))
    failures = [line for line in text.splitlines() if WORKER_FAILURE.search(line)]
    return succeeded, failures


def _with_one_photo(photos, owners: dict) -> list:
    """The keys of ``owners`` (key → row id) whose row has exactly one photo, found on disk;
    ``photos`` are (row id, file name) pairs."""
    from django.core.files.storage import default_storage

    names: dict[int, list[str]] = {}
    for owner_id, name in photos:
        names.setdefault(owner_id, []).append(name)
    return [
        key
        for key, owner_id in owners.items()
        if len(found := names.get(owner_id, [])) == 1
        and default_storage.exists(found[0])
        and default_storage.size(found[0]) > 0
    ]


def _stored_checks(label: str, kind: str, sent: dict, stored: list, with_photo: list):
    return [
        Check(label, len(stored), len(sent), _sample(set(sent) - set(stored))),
        Check(
            "… each with its photo (one re-encoded JPEG, on disk)",
            len(with_photo),
            len(sent),
            _sample(set(sent) - set(with_photo)),
            lost_of=kind,
        ),
    ]


def check_complaints(records, *, municipality, started) -> list[Check]:
    from django.db.models import Count, Q

    from complaints.models import Complaint, ComplaintPhoto

    sent = {ref["code"]: ref for ref in accepted(records, "complaint post")}
    rows = {
        row["code"]: row
        for row in Complaint.private_objects.filter(code__in=list(sent))
        .annotate(
            steps=Count("updates", distinct=True),
            pending=Count(
                "updates",
                filter=Q(updates__reporter_email_pending=True)
                | Q(updates__followers_email_pending=True),
                distinct=True,
            ),
        )
        .values(
            "code",
            "id",
            "municipality_id",
            "source",
            "service_type_id",
            "description",
            "reporter_email",
            "steps",
            "pending",
        )
    }
    stored = [
        code
        for code, ref in sent.items()
        if (row := rows.get(code))
        and row["municipality_id"] == municipality.pk
        and row["source"] == Complaint.Source.WEB
        and row["service_type_id"] == ref["service_id"]
        and ref["marker"] in row["description"]
        and row["reporter_email"] == ref["email"]
    ]
    with_photo = _with_one_photo(
        ComplaintPhoto.objects.filter(
            complaint_id__in=[row["id"] for row in rows.values()]
        ).values_list("complaint_id", "image"),
        {code: rows[code]["id"] for code in stored},
    )
    one_step = [code for code in stored if rows[code]["steps"] == 1 and rows[code]["pending"] == 0]
    filed = Complaint.private_objects.filter(
        municipality=municipality, source=Complaint.Source.WEB, created_at__gte=started
    ).count()
    return [
        *_stored_checks(
            "complaint form posts accepted (302 to the complaint) found stored as sent",
            "complaint post",
            sent,
            stored,
            with_photo,
        ),
        Check(
            "… each with one history step and no e-mail pending (filing owes none)",
            len(one_step),
            len(sent),
            _sample(set(sent) - set(one_step)),
        ),
        Check(
            "web complaints stored during the run (none doubled, none unanswered)", filed, len(sent)
        ),
    ]


def check_open311(records, *, client, started) -> list[Check]:
    from complaints.models import Complaint

    sent = {ref["code"]: ref for ref in accepted(records, "Open311 post")}
    rows = {
        row["code"]: row
        for row in Complaint.private_objects.filter(code__in=list(sent)).values(
            "code", "open311_client_id", "service_type_id", "media_url", "source"
        )
    }
    stored = [
        code
        for code, ref in sent.items()
        if (row := rows.get(code))
        and row["open311_client_id"] == client.pk
        and row["source"] == Complaint.Source.OPEN311
        and row["service_type_id"] == ref["service_id"]
        and row["media_url"] == ref["media_url"]
    ]
    filed = Complaint.private_objects.filter(open311_client=client, created_at__gte=started).count()
    return [
        Check(
            "Open311 requests accepted found stored by service_request_id, with their media_url",
            len(stored),
            len(sent),
            _sample(set(sent) - set(stored)),
            lost_of="Open311 post",
        ),
        Check("Open311 requests stored during the run (none doubled)", filed, len(sent)),
    ]


def check_complaint_mail(records, mails: list[Mail]) -> list[Check]:
    reporters = {ref["email"].lower() for ref in accepted(records, "complaint post")}
    told = [mail for mail in mails if mail.to & reporters]
    return [
        Check(
            "e-mails to the reporters of the complaints filed (none owed on filing)",
            len(told),
            0,
            _sample({mail.subject for mail in told}),
        )
    ]


def check_cards(records, *, municipality, template, started, mails) -> list[Check]:

    from findings.models import ReconciledCard
    from guardians.models import Card, CardAnswer, CardPhoto
    from guardians.selectors import program_staff_emails

    sent = {ref["id"]: ref for ref in accepted(records, "card post")}
    items = dict(template.items.values_list("pk", "code"))
    cards = {
        row["id"]: row
        for row in Card.objects.filter(pk__in=list(sent)).values(
            "id",
            "client_id",
            "guardian_id",
            "space_id",
            "observed_on",
            "failure_count",
            "staff_notified_at",
            "space__code",
            "space__name",
        )
    }
    answers: dict[int, list[tuple[int, bool]]] = {}
    for card_id, item_id, is_failure in CardAnswer.objects.filter(
        card_id__in=list(sent)
    ).values_list("card_id", "item_id", "is_failure"):
        answers.setdefault(card_id, []).append((item_id, is_failure))
    stored = [
        card_id
        for card_id, ref in sent.items()
        if (row := cards.get(card_id))
        and str(row["client_id"]) == ref["client_id"]
        and row["guardian_id"] == ref["guardian_id"]
        and row["space_id"] == ref["space_id"]
        and row["observed_on"] == ref["observed_on"]
        and row["failure_count"] == len(ref["failing_items"])
        and len(answers.get(card_id, [])) == len(items)
        and sorted(i for i, failing in answers[card_id] if failing) == sorted(ref["failing_items"])
    ]
    with_photo = _with_one_photo(
        CardPhoto.objects.filter(card_id__in=list(sent)).values_list("card_id", "image"),
        {card_id: card_id for card_id in stored},
    )
    reconciled = set(
        ReconciledCard.objects.filter(card_id__in=list(sent)).values_list("card_id", flat=True)
    )
    filed = Card.objects.filter(municipality=municipality, submitted_at__gte=started).count()

    failing_cards = [card_id for card_id in stored if sent[card_id]["failing_items"]]
    clean_cards = [card_id for card_id in stored if not sent[card_id]["failing_items"]]
    marked = [card_id for card_id in failing_cards if cards[card_id]["staff_notified_at"]]
    unmarked_clean = [card_id for card_id in clean_cards if not cards[card_id]["staff_notified_at"]]
    staff = frozenset(
        address.lower() for address in program_staff_emails(municipality=municipality)
    )
    expected = Counter(
        (cards[card_id]["space__code"], cards[card_id]["observed_on"].isoformat())
        for card_id in failing_cards
    )
    codes = {cards[card_id]["space__code"] for card_id in stored}
    code_and_date = (
        re.compile(
            "(" + "|".join(re.escape(code) for code in sorted(codes, key=len, reverse=True)) + r")"
            r"(?!\w).*?(\d{4}-\d{2}-\d{2})",
            re.S,
        )
        if codes
        else None
    )
    received: Counter = Counter()
    to_staff = [mail for mail in mails if staff and mail.to == staff]
    for mail in to_staff:
        found = code_and_date.search(mail.body) if code_and_date else None
        received[found.groups() if found else ("?", "?")] += 1
    lost = expected - received
    doubled = received - expected
    return [
        *_stored_checks(
            "cards accepted (201, their id) found stored as sent: guardian, space, date, answers",
            "card post",
            sent,
            stored,
            with_photo,
        ),
        Check("cards stored during the run (none doubled, none unanswered)", filed, len(sent)),
        Check(
            "cards with failures reconciled by the worker (`findings.tasks.reconcile_card`: "
            "a ReconciledCard)",
            len(reconciled & set(failing_cards)),
            len(failing_cards),
            _sample(set(failing_cards) - reconciled),
        ),
        Check(
            "cards with failures marked e-mailed to the Sindicatura (`staff_notified_at`)",
            len(marked),
            len(failing_cards),
            _sample(set(failing_cards) - set(marked)),
        ),
        Check(
            "cards without failures left unmarked (owe no e-mail)",
            len(unmarked_clean),
            len(clean_cards),
        ),
        Check(
            "e-mails to the Sindicatura, one per card with failures (matched by space and date)",
            sum(received.values()),
            sum(expected.values()),
            (f"lost: {_sample(lost.elements())}; " if lost else "")
            + (f"doubled or unexpected: {_sample(doubled.elements())}" if doubled else ""),
        ),
        Check(
            "… cards whose e-mail was lost or doubled",
            sum(lost.values()) + sum(doubled.values()),
            0,
        ),
    ]


def check_findings(records, *, municipality, template, started, mails) -> list[Check]:
    from accounts.models import Role
    from accounts.selectors import role_holders
    from findings.models import Finding, FindingEvent, Message, Outbox

    items = dict(template.items.values_list("pk", "code"))
    keys = {
        (ref["space_id"], template.service_type_id, items[item])
        for ref in accepted(records, "card post")
        for item in ref["failing_items"]
    }
    live = {
        (row["space_id"], row["service_type_id"], row["item_code"]): row["id"]
        for row in Finding.objects.filter(municipality=municipality, obligation__isnull=True)
        .exclude(status=Finding.Status.VERIFIED)
        .values("id", "space_id", "service_type_id", "item_code")
    }
    raised = dict(
        Finding.objects.filter(municipality=municipality, created_at__gte=started).values_list(
            "id", "directorate_id"
        )
    )
    outbox = Counter(
        Outbox.objects.filter(finding_id__in=list(raised), event=Outbox.Event.FINDING_RAISED)
        .values_list("finding_id", flat=True)
        .order_by()
    )
    delivered = set(
        Outbox.objects.filter(
            finding_id__in=list(raised),
            event=Outbox.Event.FINDING_RAISED,
            status=Outbox.Status.SENT,
        ).values_list("finding_id", flat=True)
    )
    undelivered = Outbox.objects.filter(municipality=municipality).exclude(
        status=Outbox.Status.SENT
    )
    from territory.models import Directorate

    directorate_mail = {
        pk: email.lower()
        for pk, email in Directorate.objects.filter(pk__in=set(raised.values())).values_list(
            "pk", "email"
        )
    }
    subject_id = re.compile(r"#(\d+)")
    mailed: Counter = Counter()
    for mail in mails:
        found = subject_id.search(mail.subject)
        if found and int(found.group(1)) in raised:
            finding_id = int(found.group(1))
            if directorate_mail.get(raised[finding_id]) in mail.to:
                mailed[finding_id] += 1
    staff_by_directorate = {
        pk: set(role_holders(Role.DIRECTORATE_STAFF, directorate=pk).values_list("pk", flat=True))
        for pk in set(raised.values())
    }
    messages: dict[int, Counter] = {}
    for finding_id, user_id in Message.objects.filter(
        finding_id__in=list(raised), outbox__event=Outbox.Event.FINDING_RAISED
    ).values_list("finding_id", "user_id"):
        messages.setdefault(finding_id, Counter())[user_id] += 1
    in_app = [
        pk
        for pk, directorate in raised.items()
        if messages.get(pk, Counter()) == Counter(staff_by_directorate.get(directorate, set()))
    ]
    notified_events = Counter(
        FindingEvent.objects.filter(finding_id__in=list(raised), to_status=Finding.Status.NOTIFIED)
        .values_list("finding_id", flat=True)
        .order_by()
    )
    notified = set(
        Finding.objects.filter(pk__in=list(raised), status=Finding.Status.NOTIFIED).values_list(
            "pk", flat=True
        )
    )
    staff_total = sum(len(users) for users in staff_by_directorate.values())
    return [
        Check(
            "failing (space, service, item) of the accepted cards with a live finding",
            len(keys & set(live)),
            len(keys),
            _sample(keys - set(live)),
        ),
        Check(
            "findings raised during the run that no accepted card's failure explains",
            len(set(raised) - {live[key] for key in keys if key in live}),
            0,
        ),
        Check(
            "findings raised: one outbox row each (event `raised`)",
            sum(1 for pk in raised if outbox[pk] == 1),
            len(raised),
            _sample(pk for pk in raised if outbox[pk] != 1),
        ),
        Check(
            "… delivered by the worker (status `sent`)",
            len(delivered),
            len(raised),
            _sample(set(raised) - delivered),
        ),
        Check(
            "outbox rows of the municipality not sent (pending or failed)",
            undelivered.count(),
            0,
        ),
        Check(
            "findings e-mailed to their directorate exactly once",
            sum(1 for pk in raised if mailed[pk] == 1),
            len(raised),
            _sample(f"#{pk}×{mailed[pk]}" for pk in raised if mailed[pk] != 1),
        ),
        Check(
            f"findings with one in-app message per directorate staff member ({staff_total})",
            len(in_app) if staff_total else 0,
            len(raised) if staff_total else 0,
            "" if staff_total else "no directorate staff to write to",
        ),
        Check(
            "findings moved to `notified` once (one history step)",
            sum(1 for pk in raised if pk in notified and notified_events[pk] == 1),
            len(raised),
        ),
    ]


def check_worker(log: Path, records) -> tuple[list[Check], Counter]:
    """Each card filed is one run of each task its filing enqueues (``guardians.card_filed``,
    and the findings app's through the ``card_filed`` signal), none failed or retried."""
    succeeded, failures = worker_log(log)
    cards = len(accepted(records, "card post"))
    return [
        *(
            Check(f"cards filed whose `{task}` the worker ran", succeeded[task], cards)
            for task in (
                "guardians.tasks.card_filed",
                "findings.tasks.reconcile_card",
                "findings.tasks.verify_from_card",
            )
        ),
        Check(
            "worker log lines telling of an error, a traceback or a retry",
            len(failures),
            0,
            _sample(failures, 2),
        ),
    ], succeeded
