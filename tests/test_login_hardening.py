"""Login rate limit and reset throttle: one spelling of an account, one address per client
(issue 18, findings 2 and 3).

Finding 2: after 5 wrong passwords on `victime2@…`, other capitals went on answering 200 and the
right password, in yet other capitals, logged in and cleared the lock. Finding 3: behind the
production proxy, django-axes saw only the proxy's address, so one attacker locked an account
for every partner."""

import pytest
from django.conf import settings

from committees.auth import client_address, normalise_username
from committees.password_reset import PER_ADDRESS, PER_CLIENT
from tests.conftest import PARTNER_PASSWORD, make_partner

pytestmark = pytest.mark.django_db

PARTNER_LOGIN = "/partenaires/connexion/"
ADMIN_LOGIN = "/admin/login/"
RESET = "/partenaires/mot-de-passe/"
PROXY = "10.0.0.1"  # the address of our proxy, as the application's socket sees it
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.20"
WRONG = "mauvais"


@pytest.fixture
def victim(django_user_model, organisation_a):
    return make_partner(django_user_model, "victime2@demo.beta.gouv.fr", organisation_a)


@pytest.fixture
def staff_victim(django_user_model):
    return django_user_model.objects.create_user(
        username="equipe@demo.beta.gouv.fr",
        email="equipe@demo.beta.gouv.fr",
        password=PARTNER_PASSWORD,
        is_staff=True,
    )


def login(client, url, username, password=WRONG, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Finding 2: the case of the address ---------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "account", "spellings"),
    [
        (
            PARTNER_LOGIN,
            "victim",
            [
                "Victime2@demo.beta.gouv.fr",
                "vIctime2@demo.beta.gouv.fr",
                "viCtime2@Demo.beta.gouv.fr",
            ],
        ),
        (
            ADMIN_LOGIN,
            "staff_victim",
            ["EQUIPE@Demo.beta.gouv.fr", "Equipe@demo.beta.gouv.fr", " equipe@DEMO.beta.gouv.fr "],
        ),
    ],
)
def test_the_lock_holds_whatever_the_case_of_the_address(client, request, url, account, spellings):
    user = request.getfixturevalue(account)
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = login(client, url, user.email)
        assert response.status_code == (429 if attempt == settings.AXES_FAILURE_LIMIT else 200)

    for spelling in spellings:
        for _ in range(4):
            assert login(client, url, spelling).status_code == 429, spelling

    # The right password, in yet other capitals, neither logs in nor clears the lock.
    other = user.email.replace("i", "I", 1).replace("e", "E", 1)
    response = login(client, url, other, PARTNER_PASSWORD)
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert not logged_in(client)
    assert login(client, url, user.email, PARTNER_PASSWORD).status_code == 429


@pytest.mark.parametrize("url", [PARTNER_LOGIN, ADMIN_LOGIN])
def test_any_case_of_the_address_still_logs_in(client, victim, staff_victim, url):
    user = staff_victim if url == ADMIN_LOGIN else victim
    assert login(client, url, user.email.upper(), PARTNER_PASSWORD).status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("url", [PARTNER_LOGIN, ADMIN_LOGIN])
def test_a_look_alike_letter_is_another_address(client, victim, staff_victim, url):
    # PostgreSQL's UPPER() turns the dotless « ı » into « I »: a case-insensitive lookup opened the
    # account to « vıctime2@… », whose lower case is not « victime2@… », so it was counted apart
    # from the account's failures, and there are many such spellings.
    user = staff_victim if url == ADMIN_LOGIN else victim
    look_alike = user.email.replace("i", "ı", 1)
    assert normalise_username(look_alike) != normalise_username(user.email)
    assert login(client, url, look_alike, PARTNER_PASSWORD).status_code == 200
    assert not logged_in(client)


def test_the_normal_form_of_a_login_name():
    assert normalise_username("  Victime2@Demo.BETA.gouv.fr\n") == "victime2@demo.beta.gouv.fr"
    # Compatibility forms, as Django's login form reads them (NFKC): full-width letters, « ſ ».
    assert normalise_username("ｖｉｃｔｉｍｅ２@demo.beta.gouv.fr") == "victime2@demo.beta.gouv.fr"
    assert normalise_username("ſophie@demo.beta.gouv.fr") == "sophie@demo.beta.gouv.fr"
    assert normalise_username(None) == ""


def test_the_reset_counts_every_spelling_of_an_inbox_together(
    client, django_user_model, organisation_a, mailoutbox
):
    # Django's reset form finds the account for « ſophie@… » (long s) too: UPPER() in PostgreSQL,
    # then a comparison of the NFKC case-folded forms. The throttle's own `.strip().lower()` kept
    # « ſ », so that spelling had 3 more e-mails to the same inbox.
    sophie = make_partner(django_user_model, "sophie@demo.beta.gouv.fr", organisation_a)
    spellings = ["sophie@demo.beta.gouv.fr", "ſophie@demo.beta.gouv.fr", "SOPHIE@demo.beta.gouv.fr"]
    for n in range(2 * PER_ADDRESS):
        client.post(RESET, {"email": spellings[n % len(spellings)]}, REMOTE_ADDR=f"192.0.2.{n}")
    assert len(mailoutbox) == PER_ADDRESS
    assert {address for message in mailoutbox for address in message.to} == {sophie.email}


# --- Finding 3: the client's address behind the proxy -------------------------------------------
def test_the_trusted_proxies_are_none_unless_configured():
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.AXES_CLIENT_IP_CALLABLE == "committees.auth.client_address"
    assert settings.AXES_USERNAME_CALLABLE == "committees.auth.axes_username"


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(client, victim, rf):
    forged = rf.post("/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM)
    assert client_address(forged) == ATTACKER

    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            login(
                client,
                PARTNER_LOGIN,
                victim.email,
                REMOTE_ADDR=ATTACKER,
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            ).status_code
            == 200
        )
    last = login(
        client, PARTNER_LOGIN, victim.email, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM
    )
    assert last.status_code == 429
    # The victim, on its own address, is not locked by the attacker.
    assert (
        login(client, PARTNER_LOGIN, victim.email, PARTNER_PASSWORD, REMOTE_ADDR=VICTIM).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("forwarded_for", "address"),
    [
        (ATTACKER, ATTACKER),  # what our proxy wrote: the address it received the request from
        (f"{VICTIM}, {ATTACKER}", ATTACKER),  # a left part the client wrote is ignored
        (f"{VICTIM},{VICTIM} , {ATTACKER}", ATTACKER),
        (f'{VICTIM}, ", {ATTACKER}', ATTACKER),  # an open quote does not swallow our proxy's entry
        (f"for={VICTIM}, {ATTACKER}", ATTACKER),
        (f"::ffff:{ATTACKER}", ATTACKER),  # an IPv4 client written as IPv6 is the same client
        ("2001:db8::7", "2001:db8::7"),
        ("", PROXY),  # no header: the request did not come through the proxy
        (f"{VICTIM}, pas-une-adresse", PROXY),  # never a client-written entry in its place
    ],
)
def test_behind_one_proxy_the_right_most_address_is_the_client(
    rf, settings, forwarded_for, address
):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_address(request) == address


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.post(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{VICTIM}, {ATTACKER}, 10.0.0.2"
    )
    assert client_address(request) == ATTACKER
    alone = rf.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert client_address(alone) == PROXY


def test_behind_the_proxy_an_attacker_locks_an_account_for_its_own_address_only(
    client, settings, victim
):
    settings.TRUSTED_PROXY_COUNT = 1

    def attempt(forwarded_for, password=WRONG):
        return login(
            client,
            PARTNER_LOGIN,
            victim.email,
            password,
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        # Each time a different left part, even the victim's own address: one count.
        assert attempt(f"192.0.2.{n}, {VICTIM}, {ATTACKER}").status_code == 200
    assert attempt(ATTACKER).status_code == 429
    assert attempt(f"{VICTIM}, {ATTACKER}", PARTNER_PASSWORD).status_code == 429
    assert not logged_in(client)

    # The victim, behind the same proxy from its own address, logs in.
    assert attempt(VICTIM, PARTNER_PASSWORD).status_code == 302
    assert logged_in(client)


def test_behind_the_proxy_the_reset_throttle_counts_each_client_apart(
    client, settings, partner_a, mailoutbox
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(PER_CLIENT):
        response = client.post(
            RESET,
            {"email": f"personne{n}@exemple.fr"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"{VICTIM}, {ATTACKER}",
        )
        assert response.status_code == 302
    refused = client.post(
        RESET, {"email": partner_a.email}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER
    )
    assert refused.status_code == 429
    # Another partner behind the same proxy can still ask for its e-mail.
    asked = client.post(
        RESET, {"email": partner_a.email}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=VICTIM
    )
    assert asked.status_code == 302
    assert len(mailoutbox) == 1
