"""Demo for ``seed_demo`` (``FindingsConfig.demo_seeders``): the periodic tasks, a few work
logs and known issues on the demo's contracted spaces, then one reconciliation run."""

import datetime

from django.utils import timezone

from contracts.models import Contract

from .models import KnownIssue, WorkLog
from .schedules import schedules_setup
from .service_status import known_issue_create, work_log_create
from .services import findings_reconcile


def seed_findings(context) -> None:
    schedules_setup()
    today = timezone.localdate()
    for contract in Contract.objects.active_on(today).prefetch_related("spaces")[:5]:
        spaces = list(contract.spaces.all()[:3])
        for index, space in enumerate(spaces):
            if not WorkLog.objects.filter(
                space=space, external_id=f"demo-{contract.pk}-{space.pk}"
            ).exists():
                work_log_create(
                    municipality=contract.municipality,
                    service_type=contract.service_type,
                    space=space,
                    contract=contract,
                    done_on=today - datetime.timedelta(days=2 + index),
                    description="Corte de pasto y limpieza",
                    reported_by="contractor",
                    external_id=f"demo-{contract.pk}-{space.pk}",
                )
        if (
            spaces
            and not KnownIssue.objects.filter(external_id=f"demo-issue-{contract.pk}").exists()
        ):
            known_issue_create(
                municipality=contract.municipality,
                service_type=contract.service_type,
                space=spaces[-1],
                since=today - datetime.timedelta(days=10),
                description="Riego descompuesto, orden de trabajo abierta",
                item_code="irrigation",
                external_id=f"demo-issue-{contract.pk}",
            )
    result = findings_reconcile()
    context.log(f"findings: {result}")
