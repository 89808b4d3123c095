import django.db.models.functions.datetime
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """The content type follows the model, so that nothing pointing at it is orphaned."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="publishing", model="datachange").delete()
    ContentType.objects.filter(app_label="portfolio", model="datachange").update(
        app_label="publishing"
    )


class Migration(migrations.Migration):
    """Takes DataChange over from `portfolio` (state only: the table keeps its name and rows)."""

    initial = True

    dependencies = [
        ("portfolio", "0003_data_change_moves_to_publishing"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DataChange",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("table", models.CharField(max_length=100)),
                        (
                            "at",
                            models.DateTimeField(
                                auto_now_add=True,
                                db_default=django.db.models.functions.datetime.Now(),
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "changement de données",
                        "db_table": "portfolio_datachange",
                        "indexes": [
                            models.Index(fields=["table", "-id"], name="datachange_table_latest")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
