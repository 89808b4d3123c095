"""`committees_remind`: who gets what, never twice, and a dry run that sends nothing."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from committees import services
from committees.models import PartnerReview, ReminderLog
from committees.notifications import notify_dossiers_sent
from tests.conftest import make_partner
from tests.factories import StartupFactory
from tests.factories_committees import CommitteeFactory, dossier_for

pytestmark = pytest.mark.django_db

COMMITTEE_DAY = date(2026, 6, 15)  # pre-read deadline: 8 June


def remind(on: date, *args) -> str:
    out = StringIO()
    call_command("committees_remind", "--date", on.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def committee(organisation_a, organisation_b, partner_a, partner_b):
    committee = CommitteeFactory(date=COMMITTEE_DAY)
    dossier_for(committee, StartupFactory(title="Service de A", sponsors=[organisation_a]))
    return committee


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def test_partners_are_reminded_a_week_before_the_deadline_and_the_day_before(
    committee, partner_a, mailoutbox
):
    deadline = committee.pre_read_deadline
    assert remind(deadline - timedelta(days=8)).startswith(f"{deadline - timedelta(days=8)}")
    assert mailoutbox == []
    remind(deadline - timedelta(days=7))
    assert recipients(mailoutbox) == [partner_a.email]  # not B: it sponsors nothing here
    message = mailoutbox[0]
    assert "Rappel : avis attendus avant le 08/06/2026" in message.subject
    assert "dans 7 jours" in message.body and "Service de A" in message.body
    assert f"/partenaires/dossiers/{committee.dossiers.get().pk}/" in message.body
    remind(deadline - timedelta(days=3))  # the week's reminder is not sent again
    assert len(mailoutbox) == 1
    remind(deadline - timedelta(days=1))
    assert len(mailoutbox) == 2
    assert "demain" in mailoutbox[1].body
    assert ReminderLog.objects.filter(key__startswith="prereading-1d:").count() == 1


def test_running_twice_sends_nothing_new(committee, staff_user, mailoutbox):
    day = committee.pre_read_deadline - timedelta(days=7)
    first = remind(day)
    count = len(mailoutbox)
    assert count >= 1 and "envoyé :" in first
    second = remind(day)
    assert len(mailoutbox) == count
    assert f"0 rappel(s) envoyé(s), {count} déjà envoyé(s)" in second


def test_partners_whose_organisation_reviewed_are_not_reminded(
    committee, organisation_a, mailoutbox
):
    PartnerReview.objects.create(
        dossier=committee.dossiers.get(), organisation=organisation_a, opinion="favourable"
    )
    remind(committee.pre_read_deadline - timedelta(days=1))
    assert mailoutbox == []


def test_staff_hear_of_incomplete_dossiers_before_the_deadline(
    committee, staff_user, organisation_a, mailoutbox
):
    dossier_for(
        committee, StartupFactory(title="Incomplète", sponsors=[organisation_a]), problem=""
    )
    remind(committee.pre_read_deadline - timedelta(days=10))
    assert mailoutbox == []
    remind(committee.pre_read_deadline - timedelta(days=5))
    staff_mail = [m for m in mailoutbox if m.to == [staff_user.email]]
    assert len(staff_mail) == 1
    assert "1 dossier(s) incomplet(s)" in staff_mail[0].subject
    assert "Incomplète : manque problème" in staff_mail[0].body
    assert "Service de A" not in staff_mail[0].body


def test_staff_hear_of_a_past_committee_left_open_once(committee, staff_user, mailoutbox):
    remind(COMMITTEE_DAY)
    assert not [m for m in mailoutbox if "non clos" in m.subject]
    remind(COMMITTEE_DAY + timedelta(days=1))
    overdue = [m for m in mailoutbox if "non clos" in m.subject]
    assert [m.to for m in overdue] == [[staff_user.email]]
    assert "bons de commande" in overdue[0].body
    remind(COMMITTEE_DAY + timedelta(days=2))
    assert len([m for m in mailoutbox if "non clos" in m.subject]) == 1


def test_a_closed_committee_is_not_overdue(committee, staff_user, mailoutbox):
    committee.status = "closed"
    committee.save()
    remind(COMMITTEE_DAY + timedelta(days=3))
    assert mailoutbox == []


def test_a_dry_run_sends_and_logs_nothing(committee, partner_a, mailoutbox):
    output = remind(committee.pre_read_deadline - timedelta(days=7), "--dry-run")
    assert (
        f"[simulation] à envoyer : prereading-7d:committee:{committee.pk}:user:{partner_a.pk}"
        in output
    )
    assert mailoutbox == []
    assert not ReminderLog.objects.exists()


def test_a_bad_date_is_refused_in_french():
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("committees_remind", "--date", "15/06/2026")


def test_sending_the_dossiers_tells_each_partner_once(
    django_user_model,
    committee,
    organisation_a,
    organisation_b,
    partner_a,
    partner_b,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    committee.invited_organisations.add(organisation_b)
    colleague = make_partner(django_user_model, "collegue@direction-a.gouv.fr", organisation_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_dossiers(committee=committee, notify=notify_dossiers_sent)
    assert recipients(mailoutbox) == sorted([partner_a.email, colleague.email, partner_b.email])
    assert all(len(message.to) == 1 for message in mailoutbox)
    to_a = next(m for m in mailoutbox if m.to == [partner_a.email])
    assert "les dossiers sont disponibles" in to_a.subject and "Service de A" in to_a.body
    to_b = next(m for m in mailoutbox if m.to == [partner_b.email])
    assert "Service de A" not in to_b.body  # invited: told, but shown nothing it does not fund
    with django_capture_on_commit_callbacks(execute=True):
        services.send_dossiers(committee=committee, notify=notify_dossiers_sent)
    assert len(mailoutbox) == 3
