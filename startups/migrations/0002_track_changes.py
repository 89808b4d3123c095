from django.db import migrations

from publishing.data_version import track_changes


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0001_data_change"),
        ("startups", "0001_registry"),
    ]

    operations = [
        track_changes(
            "startups_organisation",
            "startups_incubator",
            "startups_startup",
            "startups_startup_sponsors",
            "startups_startup_co_incubators",
            "startups_phase",
            "startups_event",
            "startups_importcorrection",
        ),
    ]
