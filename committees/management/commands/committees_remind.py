"""Daily reminders of the committees; safe to re-run (a reminder is never sent twice)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from committees.notifications import deliver, reminders


class Command(BaseCommand):
    help = (
        "Rappels des comités : aux partenaires une semaine et la veille de la date limite de "
        "relecture ; à l'équipe quand un comité passé n'est pas clos ou qu'un dossier est "
        "incomplet à moins d'une semaine de la date limite. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Jour de référence AAAA-MM-JJ (par défaut : aujourd'hui)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Affiche ce qui serait envoyé, sans envoyer."
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        on = self.parse_day(date) if date else timezone.localdate()
        outcome = deliver(reminders(on), dry_run=dry_run)
        prefix = "[simulation] à envoyer" if dry_run else "envoyé"
        for message in outcome.sent:
            self.stdout.write(f"{prefix} : {message.key} → {message.to}")
        for message, error in outcome.failed:
            self.stderr.write(f"échec : {message.key} → {message.to} : {error}")
        self.stdout.write(
            f"{on.isoformat()} : {len(outcome.sent)} rappel(s) {'à envoyer' if dry_run else 'envoyé(s)'}, "
            f"{len(outcome.skipped)} déjà envoyé(s), {len(outcome.failed)} échec(s)."
        )
        if outcome.failed:
            raise CommandError(f"{len(outcome.failed)} rappel(s) n'ont pas pu être envoyés.")

    @staticmethod
    def parse_day(text: str):
        try:
            return date.fromisoformat(text)
        except ValueError as error:
            raise CommandError(f"--date attend une date AAAA-MM-JJ, pas « {text} ».") from error
