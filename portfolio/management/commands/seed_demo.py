from django.core.management.base import BaseCommand, CommandError

from portfolio import demo
from publishing.maintenance import refresh_statistics
from startups.models import Startup


class Command(BaseCommand):
    help = (
        "Données et comptes de démonstration : le corpus beta.gouv.fr partagé s'il est présent, "
        "sinon un portefeuille synthétique ; --scale N porte le portefeuille à N × 662 startups."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="ne charge les données que si la base n'a encore aucune startup",
        )
        parser.add_argument(
            "--scale", type=int, default=1, help="N : au moins N × 662 startups (benchmarks)"
        )

    def handle(self, *args, if_empty=False, scale=1, **options):
        if scale < 1 or scale > 100:
            raise CommandError("--scale doit être compris entre 1 et 100.")
        if if_empty and Startup.objects.exists():
            self.stdout.write("La base contient déjà des startups : données de démo inchangées.")
        else:
            demo.load_portfolio(write=self.stdout.write)
        if scale > 1:
            demo.scale_portfolio(scale, write=self.stdout.write)
        accounts = demo.ensure_demo_accounts() + demo.seed_everything_else(write=self.stdout.write)
        refresh_statistics("startups", "budgets", "impact", "committees")
        for account in accounts:
            self.stdout.write(
                f"Compte de démonstration ({account.role}) : {account.login} / {account.password}"
            )
