"""`manage.py budget_report --convention REF --month YYYY-MM [--format csv]`."""

from django.core.management.base import BaseCommand, CommandError

from budgets.models import Convention
from budgets.report import monthly_report, parse_month, report_csv, report_text


class Command(BaseCommand):
    help = "Rapport mensuel d'une convention : AE engagées et CP payés, tranches, alertes."

    def add_arguments(self, parser):
        parser.add_argument("--convention", required=True, help="référence de la convention")
        parser.add_argument("--month", required=True, help="mois au format AAAA-MM")
        parser.add_argument("--format", choices=["text", "csv"], default="text")

    def handle(self, *args, **options):
        convention = Convention.objects.filter(reference=options["convention"]).first()
        if convention is None:
            known = ", ".join(Convention.objects.values_list("reference", flat=True)) or "aucune"
            raise CommandError(
                f"Convention « {options['convention']} » inconnue (conventions : {known})."
            )
        try:
            month = parse_month(options["month"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report = monthly_report(convention, month)
        render = report_csv if options["format"] == "csv" else report_text
        self.stdout.write(render(report), ending="")
