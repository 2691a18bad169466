import pytest

from complaints.models import Complaint


@pytest.mark.django_db
def test_the_demo_seeder_makes_a_few_hundred_complaints_once():
    from core.demo import seed

    seed(spaces=12, with_users=False)
    count = Complaint.private_objects.filter(external_id__startswith="DEMO-").count()
    assert count == 320
    assert Complaint.private_objects.exclude(status="received").exists()
    assert Complaint.private_objects.filter(colonia__isnull=False).count() == count
    seed(spaces=12, with_users=False)
    assert Complaint.private_objects.count() == count
