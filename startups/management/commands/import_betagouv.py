import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from startups.importer import SourceError
from startups.models import CorrectionKind
from startups.services import ENTITIES, import_corpus

ENTITY_LABELS = {
    "organisations": "organisations",
    "incubators": "incubateurs",
    "startups": "startups",
    "phases": "phases",
    "events": "événements",
    "members": "membres",
    "missions": "missions",
}
OUTCOME_LABELS = {
    "created": "créé(s)",
    "updated": "mis à jour",
    "unchanged": "inchangé(s)",
    "deleted": "supprimé(s)",
    "failed": "en échec",
    "absent": "absente(s) de la source depuis cet import",
}


class Command(BaseCommand):
    help = (
        "Importe le corpus beta.gouv.fr : un dossier avec startups/, incubators/, "
        "organisations/, authors/ (les membres), ou un dépôt du site (content/_startups, ...). "
        "Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="dossier du corpus ou dépôt beta.gouv.fr")
        parser.add_argument(
            "--dry-run", action="store_true", help="rapporte ce qui serait fait, sans rien écrire"
        )

    def handle(self, *args, path: Path, dry_run: bool, verbosity: int, **options):
        if not path.is_dir():
            raise CommandError(f"{path} n'est pas un dossier.")
        started = time.monotonic()
        try:
            report = import_corpus(
                path,
                dry_run=dry_run,
                progress=(lambda message: self.stdout.write(message)) if verbosity > 1 else None,
            )
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started

        for failed_path, reason in report.failures:
            self.stderr.write(f"ÉCHEC {failed_path} : {reason}")
        if dry_run:
            self.stdout.write("Simulation (--dry-run) : rien n'a été écrit.")
        for entity in ENTITIES:
            counts = report.counts[entity]
            parts = [
                f"{counts[o]} {OUTCOME_LABELS[o]}"
                for o in OUTCOME_LABELS
                if counts[o] or o in ("created", "updated")
            ]
            self.stdout.write(f"{ENTITY_LABELS[entity].capitalize()} : {', '.join(parts)}")
        if report.absent:
            self.stdout.write(
                f"Startups absentes de la source, conservées et marquées : {len(report.absent)} "
                f"({', '.join(report.absent)})"
            )
        if report.back:
            self.stdout.write(
                f"Startups revenues dans la source : {len(report.back)} ({', '.join(report.back)})"
            )
        if report.corrections:
            self.stdout.write("Corrections et observations enregistrées (startups du corpus) :")
            for kind, number in report.corrections.most_common():
                self.stdout.write(f"  {number:5d}  {CorrectionKind(kind).label}")
        if report.absent_members:
            self.stdout.write(
                f"Membres absents de la source, conservés et marqués : {len(report.absent_members)}"
            )
        if report.member_corrections:
            self.stdout.write("Corrections enregistrées (membres du corpus) :")
            for kind, number in report.member_corrections.most_common():
                self.stdout.write(f"  {number:5d}  {CorrectionKind(kind).label}")
        self.stdout.write(f"Durée : {elapsed:.1f} s")
        if not report.ok:
            raise CommandError(f"{len(report.failures)} fichier(s) en échec (voir ci-dessus).")
