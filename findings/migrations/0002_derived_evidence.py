"""Evidence derived on read instead of one ``FindingAnswer`` row per failing answer.

The reconciliation marks each card it handled (``ReconciledCard``) with the run's timestamp; a
finding's evidence is then the failing answers of its key on cards reconciled between its
raising and its verification, less those linked to a known issue (``selectors``).

Forwards, every card with a link becomes a reconciled card: at the latest of its findings'
raising (the run that linked it came after all of them, while they were live), or, with only
known-issue links, at its issue's recording. Backwards, the links are rebuilt from the same
rule, so nothing is lost either way. Plain SQL that runs on PostGIS and SpatiaLite alike.
"""

import django.db.models.deletion
from django.db import migrations, models


FROM_LINKS = """
INSERT INTO findings_reconciledcard (card_id, reconciled_at)
SELECT fa.card_id, MAX(f.created_at)
FROM findings_findinganswer fa JOIN findings_finding f ON f.id = fa.finding_id
GROUP BY fa.card_id
"""

FROM_ISSUE_LINKS = """
INSERT INTO findings_reconciledcard (card_id, reconciled_at)
SELECT a.card_id, MAX(i.created_at)
FROM findings_knownissueanswer k
JOIN guardians_cardanswer a ON a.id = k.answer_id
JOIN findings_knownissue i ON i.id = k.issue_id
WHERE NOT EXISTS (SELECT 1 FROM findings_reconciledcard r WHERE r.card_id = a.card_id)
GROUP BY a.card_id
"""

TO_LINKS = """
INSERT INTO findings_findinganswer (finding_id, answer_id, card_id)
SELECT f.id, a.id, a.card_id
FROM findings_reconciledcard r
JOIN guardians_card c ON c.id = r.card_id
JOIN guardians_cardanswer a ON a.card_id = c.id AND a.is_failure
JOIN guardians_cardtemplateitem i ON i.id = a.item_id
JOIN findings_finding f
  ON f.space_id = c.space_id AND f.service_type_id = c.service_type_id
 AND f.item_code = i.code AND f.obligation_id IS NULL
 AND f.created_at <= r.reconciled_at
 AND (f.verified_at IS NULL OR r.reconciled_at < f.verified_at)
WHERE NOT EXISTS (SELECT 1 FROM findings_knownissueanswer k WHERE k.answer_id = a.id)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('findings', '0001_initial'),
        ('guardians', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReconciledCard',
            fields=[
                ('card', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='findings_reconciled', serialize=False, to='guardians.card', verbose_name='card')),
                ('reconciled_at', models.DateTimeField(verbose_name='reconciled')),
            ],
            options={
                'verbose_name': 'reconciled card',
                'verbose_name_plural': 'reconciled cards',
            },
        ),
        migrations.RunSQL(
            sql=[FROM_LINKS, FROM_ISSUE_LINKS],
            reverse_sql=[TO_LINKS],
            elidable=False,
        ),
        migrations.DeleteModel(
            name='FindingAnswer',
        ),
    ]
