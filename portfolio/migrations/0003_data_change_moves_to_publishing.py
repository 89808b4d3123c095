from django.db import migrations


class Migration(migrations.Migration):
    """DataChange now belongs to the `publishing` app; its table stays where it is."""

    dependencies = [
        ("portfolio", "0002_data_change_by_table"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DataChange")],
            database_operations=[],
        ),
    ]
