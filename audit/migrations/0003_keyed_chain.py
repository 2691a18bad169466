"""The chain becomes keyed (HMAC-SHA256 under AUDIT_HMAC_KEY, see audit.chain).

Existing entries are not rewritten: they keep their plain SHA-256 hashes as hash version 1, and
each chain that ends with one gets a keyed entry appended here. That entry's HMAC covers the
last unkeyed hash, so the entries before it can no longer be rewritten without the key; from
then on verification accepts unkeyed entries only before the first keyed one, and requires a
chain to end keyed. The foreign keys become PROTECT: a user who appears in the trail is
deactivated, not deleted.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Max
from django.utils import timezone

from audit.chain import KEYED, UNKEYED, entry_hash

SEALED_BY = "migration audit.0003_keyed_chain"


def seal_unkeyed_chains(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    heads = AuditEntry.objects.values("municipality_id").annotate(last=Max("sequence"))
    for row in heads.order_by("municipality_id"):
        head = AuditEntry.objects.get(
            municipality_id=row["municipality_id"], sequence=row["last"]
        )
        if head.hash_version != UNKEYED:
            continue
        seal = AuditEntry(
            municipality_id=head.municipality_id,
            sequence=head.sequence + 1,
            created_at=timezone.now(),
            actor_name=SEALED_BY,
            is_system=True,
            action="update",
            object_type="audit.chain",
            object_repr="The audit trail is keyed (HMAC-SHA256) from this entry on",
            changes={"hash_version": [UNKEYED, KEYED]},
            previous_hash=head.hash,
            hash_version=KEYED,
        )
        seal.hash = entry_hash(seal)
        seal.save()


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_privileged_actions"),
        ("territory", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="hash_version",
            # Every entry written so far: plain SHA-256.
            field=models.PositiveSmallIntegerField(default=1, verbose_name="hash version"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="audit_entries",
                to="territory.municipality",
            ),
        ),
        # Going back leaves the seals: they are entries of the chain like any other.
        migrations.RunPython(seal_unkeyed_chains, migrations.RunPython.noop),
    ]
