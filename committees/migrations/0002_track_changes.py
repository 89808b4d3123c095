from django.db import migrations

from publishing.data_version import track_changes


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0001_data_change"),
        ("committees", "0001_committees_dossiers_reviews_decisions"),
    ]

    operations = [
        track_changes(
            "committees_committee",
            "committees_committee_incubators",
            "committees_dossier",
            "committees_decision",
        ),
    ]
