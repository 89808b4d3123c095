from django.core.management.base import BaseCommand

from portfolio import demo


class Command(BaseCommand):
    help = "Données et comptes de démonstration (utilisé par `make run`)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="ne charge les données que si la base n'a encore aucune startup",
        )

    def handle(self, *args, if_empty=False, **options):
        for account in demo.ensure_demo_accounts():
            self.stdout.write(
                f"Compte de démonstration ({account.role}) : {account.login} / {account.password}"
            )
