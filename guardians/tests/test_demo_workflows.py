import pytest

from core import demo
from guardians.demo import seed_guardians
from guardians.demo_workflows import DEMO_SESSION_CAPACITY, seed_workflows
from guardians.models import Guardian, TrainingAttendance, TrainingSession, Visit
from guardians.selectors import planned_visits_this_week, upcoming_visits_for_guardian


@pytest.mark.django_db
def test_the_workflow_seeder_plans_visits_and_takes_attendance_and_runs_twice_unchanged():
    context = demo.DemoContext(spaces=12)
    for step in demo.app_seeders(["territory", "accounts", "contracts"]):
        step(context)
    seed_guardians(context)
    seed_workflows(context)
    planned = list(Visit.objects.planned().values_list("pk", "brief_token", "date"))
    attendance = TrainingAttendance.objects.count()
    seed_workflows(context)
    assert list(Visit.objects.planned().values_list("pk", "brief_token", "date")) == planned
    assert TrainingAttendance.objects.count() == attendance
    assert len(planned) == 2 and all(token for _pk, token, _date in planned)
    assert planned_visits_this_week(municipality=context.chihuahua)["count"] >= 1
    demo_guardian = Guardian.private_objects.get(user__username="demo-guardian")
    assert upcoming_visits_for_guardian(guardian=demo_guardian).exists()
    session = TrainingSession.objects.get(title="Capacitación de Guardianes Ciudadanos")
    assert session.capacity == DEMO_SESSION_CAPACITY
    assert 0 < attendance <= DEMO_SESSION_CAPACITY
