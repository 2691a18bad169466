from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="contact_public",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Show the contact person, e-mail and phone on the public company page and "
                    "in the open data. Staff always see them."
                ),
                verbose_name="contact details are public",
            ),
        ),
    ]
