import accounts.models
from django.db import migrations, models

from accounts.time_zones import default_time_zone


def time_zone_from_country(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    for organization in Organization.objects.exclude(country="").only("pk", "country"):
        organization.time_zone = default_time_zone(organization.country)
        organization.save(update_fields=["time_zone"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="time_zone",
            field=models.CharField(
                default="UTC",
                help_text="Where its working days are counted, e.g. Asia/Shanghai.",
                max_length=64,
                validators=[accounts.models.validate_time_zone],
                verbose_name="time zone",
            ),
        ),
        migrations.RunPython(time_zone_from_country, migrations.RunPython.noop),
    ]
