"""Demo data and accounts for `make run` and the benchmarks. Never used by production code."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model


@dataclass(frozen=True)
class DemoAccount:
    role: str
    login: str
    password: str


# Printed by `make run`: a demo database only ever holds public data.
STAFF = DemoAccount(
    "équipe d'incubateur, accès /admin/", "equipe@demo.beta.gouv.fr", "demo-equipe-2026"
)


def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the demo accounts, or reset their password: running twice gives the same logins."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=STAFF.login,
        defaults={"email": STAFF.login, "first_name": "Équipe", "last_name": "Démo"},
    )
    user.is_staff = True
    user.is_superuser = True
    user.set_password(STAFF.password)
    user.save()
    return [STAFF]
