import datetime

import pytest
from django.core import mail
from django.utils import timezone

from findings.models import Finding, KnownIssueAnswer, Outbox, ReconciledCard
from findings.reconcile import obligation_windows
from findings.selectors import evidence_count, finding_evidence
from findings.service_status import known_issue_create, work_log_create
from findings.services import findings_reconcile, outbox_deliver_due

pytestmark = pytest.mark.django_db


def log(w, *, days_ago, space=None, area=None, item_code="", service=None):
    return work_log_create(
        municipality=w.municipality,
        service_type=service or w.green,
        space=space,
        service_area=area,
        done_on=w.today - datetime.timedelta(days=days_ago),
        description="Se cortó el pasto",
        item_code=item_code,
        reported_by="contractor",
    )[0]


def card_findings():
    return Finding.objects.exclude(kind=Finding.Kind.OVERDUE)


def evidence_total() -> int:
    """How many failing answers count as evidence, over every finding."""
    return sum(Finding.objects.annotate(n=evidence_count()).values_list("n", flat=True))


def test_failure_nobody_reported_raises_an_unreported_finding_for_the_directorate(world):
    world.file(**{"grass-cut": "no"})

    result = findings_reconcile(municipality=world.municipality)

    finding = card_findings().get()
    assert finding.kind == Finding.Kind.UNREPORTED
    assert finding.severity == Finding.Severity.MEDIUM
    assert finding.item_code == "grass-cut"
    assert finding.space == world.spaces[0]
    assert finding.colonia == world.colonia
    assert (finding.directorate, finding.contract, finding.company) == (
        world.parks,
        world.contract,
        world.company,
    )
    # The due date follows the contract's response time (48 h), not the 72 h default.
    assert finding.response_hours == 48
    assert abs((finding.due_at - finding.created_at) - datetime.timedelta(hours=48)) < (
        datetime.timedelta(seconds=1)
    )
    assert finding.period_start == world.today - datetime.timedelta(days=1)
    assert result.findings_raised == 1
    assert Outbox.objects.filter(finding=finding, event="raised", status="pending").count() == 1
    assert not finding.events.exists()  # the history starts at created_at


def test_a_passing_card_raises_nothing(world):
    world.file()
    findings_reconcile(municipality=world.municipality)
    assert not card_findings().exists()


def test_work_log_in_the_period_the_card_contradicts_is_a_contradiction(world):
    log(world, days_ago=5, space=world.spaces[0])
    world.file(**{"grass-cut": "no"})

    findings_reconcile(municipality=world.municipality)

    finding = card_findings().get()
    assert finding.kind == Finding.Kind.CONTRADICTION
    assert finding.severity == Finding.Severity.HIGH


def test_work_log_on_a_service_area_containing_the_space_is_a_contradiction(world):
    log(world, days_ago=2, area=world.area)
    world.file(space=world.spaces[2], **{"grass-cut": "no"})

    findings_reconcile(municipality=world.municipality)

    finding = card_findings().get()
    assert finding.kind == Finding.Kind.CONTRADICTION
    # Space 2 is in no contract: the directorate in charge of the service answers.
    assert finding.directorate == world.parks
    assert finding.contract is None
    assert finding.response_hours == 72


def test_work_log_outside_the_window_or_for_another_item_does_not_contradict(world):
    log(world, days_ago=30, space=world.spaces[0])  # the contract mows every 15 days
    log(world, days_ago=2, space=world.spaces[0], item_code="irrigation")
    world.file(**{"grass-cut": "no"})

    findings_reconcile(municipality=world.municipality)

    assert card_findings().get().kind == Finding.Kind.UNREPORTED


def test_open_known_issue_links_the_answer_and_raises_no_finding(world):
    issue, _ = known_issue_create(
        municipality=world.municipality,
        service_type=world.green,
        space=world.spaces[0],
        since=world.today - datetime.timedelta(days=10),
        description="Podadora descompuesta",
        item_code="grass-cut",
    )
    world.file(**{"grass-cut": "no", "irrigation": "no"})

    result = findings_reconcile(municipality=world.municipality)

    assert KnownIssueAnswer.objects.get().issue == issue
    assert result.linked_to_issues == 1
    # The issue is about the grass: the irrigation failure is still a finding.
    assert list(card_findings().values_list("item_code", flat=True)) == ["irrigation"]


def test_closed_known_issue_covers_nothing(world):
    known_issue_create(
        municipality=world.municipality,
        service_type=world.green,
        space=world.spaces[0],
        since=world.today - datetime.timedelta(days=10),
        description="Podadora descompuesta",
        status="closed",
    )
    world.file(**{"grass-cut": "no"})
    findings_reconcile(municipality=world.municipality)
    assert card_findings().count() == 1
    assert not KnownIssueAnswer.objects.exists()


def test_several_cards_on_the_same_failure_are_one_finding_with_more_evidence(world):
    world.file(**{"grass-cut": "no"}, days_ago=3)
    findings_reconcile(municipality=world.municipality)
    world.file(guardian=world.lead, **{"grass-cut": "no"}, days_ago=1)
    findings_reconcile(municipality=world.municipality)

    finding = card_findings().get()
    assert finding_evidence(finding=finding).count() == 2
    assert Outbox.objects.filter(finding=finding).count() == 1


def test_running_twice_gives_the_same_rows_and_one_email(world):
    log(world, days_ago=2, space=world.spaces[1])
    world.file(**{"grass-cut": "no", "litter-removed": "no"})
    world.file(space=world.spaces[1], **{"grass-cut": "no"})

    findings_reconcile(municipality=world.municipality)
    outbox_deliver_due()
    snapshot = sorted(Finding.objects.values_list("kind", "space_id", "item_code", "obligation_id"))
    links = evidence_total()
    findings_reconcile(municipality=world.municipality)
    outbox_deliver_due()

    assert (
        sorted(Finding.objects.values_list("kind", "space_id", "item_code", "obligation_id"))
        == snapshot
    )
    assert len(snapshot) == 4  # three card findings and the overdue mowing
    assert evidence_total() == links == 3
    assert Outbox.objects.count() == 4
    assert len(mail.outbox) == 4


def test_obligation_with_no_work_log_in_its_last_period_is_overdue(world):
    findings_reconcile(municipality=world.municipality)

    finding = Finding.objects.get(kind=Finding.Kind.OVERDUE)
    start = world.contract.start_date + datetime.timedelta(days=15)
    assert finding.obligation == world.mowing
    assert (finding.period_start, finding.period_end) == (
        start,
        start + datetime.timedelta(days=14),
    )
    assert finding.directorate == world.parks
    assert finding.company == world.company
    assert finding.space is None


def test_obligation_with_a_work_log_in_its_period_is_not_overdue(world):
    done = (world.contract.start_date + datetime.timedelta(days=20) - world.today).days
    log(world, days_ago=-done, space=world.spaces[1])
    findings_reconcile(municipality=world.municipality)
    assert not Finding.objects.filter(kind=Finding.Kind.OVERDUE).exists()


def test_weekday_schedules_check_the_last_collection_day(world):
    from findings.models import ObligationSchedule

    ObligationSchedule.objects.create(obligation=world.mowing, weekdays="0,3")
    today = datetime.date(2026, 3, 5)  # a Thursday: the last collection day was Monday
    world.mowing.contract.start_date = datetime.date(2026, 1, 1)
    world.mowing.contract.save()
    windows = obligation_windows(obligations=[world.mowing, world.repair], today=today)
    assert windows == [(world.mowing.pk, datetime.date(2026, 3, 2), datetime.date(2026, 3, 2))]


def test_a_single_card_run_only_looks_at_that_card(world):
    from findings.services import card_reconcile

    other = world.file(space=world.spaces[1], **{"grass-cut": "no"})
    card = world.file(**{"grass-cut": "no"})

    card_reconcile(card=card)

    assert list(Finding.objects.values_list("space_id", flat=True)) == [world.spaces[0].pk]
    assert not ReconciledCard.objects.filter(card=other).exists()
    assert list(ReconciledCard.objects.values_list("card_id", flat=True)) == [card.pk]


def test_filing_a_card_reconciles_it_on_commit(
    world, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        world.file(**{"grass-cut": "no"})
    assert card_findings().get().kind == Finding.Kind.UNREPORTED
    # Its notification went out by e-mail to the directorate.
    assert [m.to for m in mail.outbox if "parques@example.org" in m.to] == [["parques@example.org"]]


def test_verified_finding_frees_the_key_for_a_new_failure(world):
    world.file(**{"grass-cut": "no"}, days_ago=5)
    findings_reconcile(municipality=world.municipality)
    Finding.objects.update(status="verified", verified_at=timezone.now())
    world.file(**{"grass-cut": "no"}, days_ago=1)
    findings_reconcile(municipality=world.municipality)
    assert card_findings().count() == 2


def test_the_nightly_task_runs_every_municipality(world):
    from findings.tasks import reconcile_all

    world.file(**{"grass-cut": "no"})
    result = reconcile_all.apply().get()
    assert result["findings_raised"] == 1
    assert result["overdue_raised"] == 1
    assert reconcile_all.apply().get()["findings_raised"] == 0


# --- Overdue obligations only where work logs are kept ------------------------------------------


def overdue():
    return Finding.objects.filter(kind=Finding.Kind.OVERDUE)


def test_a_directorate_without_a_work_log_source_gets_no_overdue_finding_nor_email(world):
    from findings.service_status import directorate_work_logs_since_set

    directorate_work_logs_since_set(directorate=world.parks, since=None)

    result = findings_reconcile(municipality=world.municipality)
    outbox_deliver_due()

    assert result.overdue_raised == 0
    assert not overdue().exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("first_log_days_ago", "checked"),
    [(35, True), (5, False)],  # the last mowing period is days 25 to 11 ago
)
def test_after_its_first_work_log_a_directorates_obligations_are_checked(
    world, first_log_days_ago, checked
):
    from findings.service_status import directorate_work_logs_since_set

    directorate_work_logs_since_set(directorate=world.parks, since=None)
    log(world, days_ago=first_log_days_ago, space=world.spaces[0])

    findings_reconcile(municipality=world.municipality)

    assert list(overdue().values_list("obligation", flat=True)) == (
        [world.mowing.pk] if checked else []
    )
    assert len(mail.outbox) == 0  # delivered later by the outbox, once
    outbox_deliver_due()
    assert len(mail.outbox) == (1 if checked else 0)


@pytest.mark.parametrize(
    ("since_days_ago", "checked"),
    [(30, True), (25, True), (20, False), (-5, False)],
)
def test_a_configured_work_log_source_checks_the_periods_that_start_from_its_day(
    world, since_days_ago, checked
):
    from findings.service_status import directorate_work_logs_since_set

    directorate_work_logs_since_set(
        directorate=world.parks, since=world.today - datetime.timedelta(days=since_days_ago)
    )
    findings_reconcile(municipality=world.municipality)
    assert overdue().exists() is checked


def test_the_run_and_the_findings_page_agree_on_which_directorates_are_checked(world):
    """The overdue rule runs in SQL (``_obligations``) and the page reads the ORM annotation
    (``directorates_checked_since``): one directorate per case, the same answer from both."""
    from contracts.tests.factories import ContractFactory, ObligationFactory
    from findings.reconcile import directorates_checked_since
    from findings.selectors import unchecked_directorates
    from findings.service_status import directorate_work_logs_since_set
    from territory.tests.factories import DirectorateFactory, ServiceTypeFactory

    start = world.today - datetime.timedelta(days=40)
    period_start = start + datetime.timedelta(days=15)
    cases = {}
    for name in ("none", "configured", "future", "by-contract", "by-service", "late"):
        directorate = DirectorateFactory(municipality=world.municipality, name=name)
        service = ServiceTypeFactory(municipality=world.municipality, code=f"s-{name}")
        directorate.services.add(service)
        contract = ContractFactory(
            municipality=world.municipality,
            company=world.company,
            service_type=service,
            directorate=directorate,
            start_date=start,
            end_date=world.today + datetime.timedelta(days=300),
            spaces=[world.spaces[2]],
        )
        ObligationFactory(contract=contract, task=f"Tarea {name}", frequency_days=15)
        cases[name] = (directorate, service, contract)

    def days_ago(n):
        return world.today - datetime.timedelta(days=n)

    directorate_work_logs_since_set(directorate=cases["configured"][0], since=start)
    directorate_work_logs_since_set(directorate=cases["future"][0], since=days_ago(-3))
    for name, place, contract, when in (
        ("by-contract", world.spaces[1], True, 38),  # a space of another contract
        ("by-service", world.spaces[0], False, 38),  # no contract named: the service's
        ("late", world.spaces[2], True, 3),
    ):
        _directorate, service, own_contract = cases[name]
        work_log_create(
            municipality=world.municipality,
            service_type=service,
            space=place,
            contract=own_contract if contract else None,
            done_on=days_ago(when),
            description="Trabajo",
        )

    findings_reconcile(municipality=world.municipality)

    names = {d.pk: name for name, (d, _s, _c) in cases.items()}
    raised = {names[pk] for pk in overdue().values_list("directorate_id", flat=True) if pk in names}
    annotated = {
        names[d.pk]
        for d in directorates_checked_since(municipality_id=world.municipality.pk)
        if d.pk in names and d.checked_since is not None and d.checked_since <= period_start
    }
    assert raised == annotated == {"configured", "by-contract", "by-service"}
    unchecked = {row.name for row in unchecked_directorates(municipality=world.municipality)}
    assert unchecked == {"none", "future"}
