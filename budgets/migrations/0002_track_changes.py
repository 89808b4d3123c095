from django.db import migrations

from publishing.data_version import track_changes


class Migration(migrations.Migration):
    """Public pages (/budget/, the startup budget block, /api/v2/budget.*) show these tables."""

    dependencies = [
        ("portfolio", "0001_data_change"),
        ("budgets", "0001_conventions_tranches_allocations_commitments_payments"),
    ]

    operations = [
        track_changes(
            "budgets_convention",
            "budgets_amendment",
            "budgets_tranche",
            "budgets_allocation",
            "budgets_commitment",
            "budgets_payment",
        ),
    ]
