from django.db import migrations

from publishing.data_version import track_changes


class Migration(migrations.Migration):
    dependencies = [
        ("startups", "0007_members_and_missions"),
    ]

    operations = [
        track_changes(
            "startups_member",
            "startups_mission",
            "startups_memberimportcorrection",
        ),
    ]
