from django.db import migrations


class Migration(migrations.Migration):
    """Indicators and measurements now belong to the impact app (its migration 0001 takes the
    state over); nothing changes in the database."""

    dependencies = [
        ("startups", "0004_fast_amount_not_negative"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalMeasurement"),
                migrations.DeleteModel(name="Measurement"),
                migrations.DeleteModel(name="HistoricalIndicator"),
                migrations.DeleteModel(name="Indicator"),
            ],
            database_operations=[],
        ),
    ]
