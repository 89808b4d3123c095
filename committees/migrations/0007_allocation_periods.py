from django.db import migrations
from django.db.models import F
from django.db.models.functions import Greatest


def copy_periods(apps, schema_editor):
    """Allocations a decision made before they had a period: the decision's, from the day it
    takes effect (as `record_decision` now passes it to `propose_allocation`)."""
    Allocation = apps.get_model("budgets", "Allocation")
    Decision = apps.get_model("committees", "Decision")
    decisions = Decision.objects.filter(allocation__isnull=False).annotate(
        starts=Greatest(F("effective_date"), F("period_start"))
    )
    for decision in decisions.values("allocation_id", "starts", "period_end"):
        end = decision["period_end"]
        Allocation.objects.filter(pk=decision["allocation_id"], period_start__isnull=True).update(
            period_start=decision["starts"],
            period_end=max(end, decision["starts"]) if end else None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0005_allocation_period"),
        ("committees", "0006_decided_allocations"),
    ]

    operations = [migrations.RunPython(copy_periods, migrations.RunPython.noop)]
