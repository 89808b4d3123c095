"""Password reset e-mails are throttled per address and per client, with one French message
that says nothing of who has an account (issue 18, finding 8: four in a row reached one inbox)."""

import re
from datetime import timedelta

import pytest
from django.utils.html import escape

from committees.password_reset import PER_ADDRESS, PER_CLIENT
from committees.password_reset import TOO_MANY as MESSAGE
from tests.clock import SUITE_NOW

pytestmark = pytest.mark.django_db

RESET = "/partenaires/mot-de-passe/"
TOO_MANY = escape(MESSAGE)  # as the page shows it


def ask(client, email, ip="192.0.2.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def test_one_address_receives_a_few_e_mails_then_a_clear_refusal(client, partner_a, mailoutbox):
    for _ in range(PER_ADDRESS):
        assert ask(client, partner_a.email).status_code == 302
    assert len(mailoutbox) == PER_ADDRESS

    # From another client and in other capitals: the same inbox, the same limit.
    refused = ask(client, partner_a.email.upper(), ip="198.51.100.7")
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert len(mailoutbox) == PER_ADDRESS


def test_the_refusal_is_the_same_for_an_address_without_account(client, partner_a, mailoutbox):
    for email in (partner_a.email, "inconnu@exemple.fr"):
        for _ in range(PER_ADDRESS):
            ask(client, email)
    known = ask(client, partner_a.email, ip="198.51.100.1")
    unknown = ask(client, "inconnu@exemple.fr", ip="198.51.100.2")
    assert known.status_code == unknown.status_code == 429
    assert TOO_MANY in known.content.decode()
    # The two pages differ by the address typed and the CSRF token, nothing else.
    assert page_of(known, partner_a.email) == page_of(unknown, "inconnu@exemple.fr")


def page_of(response, email: str) -> str:
    html = response.content.decode().replace(email, "ADRESSE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_one_client_cannot_send_to_many_addresses(client, partner_a, mailoutbox):
    for n in range(PER_CLIENT):
        assert ask(client, f"personne{n}@exemple.fr").status_code == 302
    refused = ask(client, partner_a.email)
    assert refused.status_code == 429 and TOO_MANY in refused.content.decode()
    assert mailoutbox == []
    # Another client is not held back by this one.
    assert ask(client, partner_a.email, ip="203.0.113.9").status_code == 302
    assert len(mailoutbox) == 1


def test_the_limit_ends_with_its_window(client, partner_a, mailoutbox, time_machine):
    for _ in range(PER_ADDRESS + 1):
        ask(client, partner_a.email)
    assert len(mailoutbox) == PER_ADDRESS
    time_machine.move_to(SUITE_NOW + timedelta(hours=1, minutes=1), tick=False)
    assert ask(client, partner_a.email).status_code == 302
    assert len(mailoutbox) == PER_ADDRESS + 1
