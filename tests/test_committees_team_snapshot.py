"""A dossier freezes its team when it is sent: members on a mission that day, by domain."""

from datetime import date, timedelta

import pytest

from committees import services
from tests.clock import TODAY
from tests.factories import StartupFactory
from tests.factories_committees import CommitteeFactory, dossier_for
from tests.factories_members import MemberFactory, member_on

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def dossier(organisation_a):
    startup = StartupFactory(title="Service de A", sponsors=[organisation_a])
    return dossier_for(CommitteeFactory(date=TODAY + 21 * DAY), startup)


def test_sending_freezes_the_team_on_the_day_it_is_sent(staff_user, dossier):
    startup_id = dossier.startup_id
    member_on([startup_id], date(2025, 1, 1), TODAY, fullname="Ada Lovelace", role="Développeuse")
    member_on(
        [startup_id], date(2025, 1, 1), None, fullname="Grace Hopper", domaine="Design", role=""
    )
    member_on([startup_id], date(2024, 1, 1), TODAY - DAY, fullname="Partie Hier")
    member_on([startup_id], TODAY + DAY, TODAY + 90 * DAY, fullname="Arrive Demain")
    MemberFactory(fullname="Précédente", previously=[startup_id])

    services.send_dossiers(committee=dossier.committee, by=staff_user)
    dossier.refresh_from_db()

    assert dossier.team_snapshot == {
        "on": TODAY.isoformat(),
        "active": 2,
        "by_domain": [{"domain": "Design", "count": 1}, {"domain": "Développement", "count": 1}],
        "members": [
            {"fullname": "Ada Lovelace", "role": "Développeuse", "domaine": "Développement"},
            {"fullname": "Grace Hopper", "role": "", "domaine": "Design"},
        ],
    }
    # Frozen: a later arrival does not change what the committee saw.
    member_on([startup_id], TODAY, None, fullname="Nouvelle Venue")
    services.send_dossiers(committee=dossier.committee, by=staff_user)
    dossier.refresh_from_db()
    assert dossier.team_snapshot["active"] == 2


def test_the_partner_reads_the_frozen_team_in_the_dossier(staff_user, dossier, partner_a_client):
    member_on(
        [dossier.startup_id], date(2025, 1, 1), None, fullname="Ada Lovelace", role="Développeuse"
    )
    url = f"/partenaires/dossiers/{dossier.pk}/"
    assert "L'équipe sera figée à l'envoi du dossier." in partner_a_client.get(url).content.decode()

    services.send_dossiers(committee=dossier.committee, by=staff_user)
    content = partner_a_client.get(url).content.decode()
    assert "<strong>1 membre en mission</strong> le 18 novembre 2026 : Développement 1." in content
    assert "Ada Lovelace — Développeuse (Développement)" in content
