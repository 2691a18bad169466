from django.db import migrations
from django.db.models import F, Q
from django.utils import timezone


def close_recorded_forums(apps, schema_editor):
    """Forums recorded with their attendance or minutes before forums were closed in the
    portal are closed already: only those without them wait in "forums to close"."""
    Forum = apps.get_model("committees", "Forum")
    Forum.objects.filter(closed_at__isnull=True, starts_at__lte=timezone.now()).filter(
        Q(attendance_total__gt=0) | ~Q(summary="") | ~Q(minutes="")
    ).update(closed_at=F("starts_at"))


class Migration(migrations.Migration):
    dependencies = [("committees", "0005_committee_workflows")]

    operations = [migrations.RunPython(close_recorded_forums, migrations.RunPython.noop)]
