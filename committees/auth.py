"""Who logs in, and from where: one spelling of a login name, one address per client.

Partners log in with their e-mail address, whatever its case. The login name is read in one
normal form (`normalise_username`) by the login backends, by django-axes, which counts failures
per (account, client address) (AXES_USERNAME_CALLABLE), and by the password-reset throttle
(committees/password_reset.py): every spelling that opens an account is counted as that account.
The client's address (`client_address`) is read once too, for axes (AXES_CLIENT_IP_CALLABLE) and
the reset throttle.
"""

import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models.functions import Lower
from python_ipware import IpWare


def normalise_username(value: str | None) -> str:
    """The one form of a login name: compatibility characters folded (NFKC, as Django's login
    form reads a username), blanks stripped, lower case.

    Lower case rather than casefold: accounts are found by comparing PostgreSQL's LOWER(email)
    with exactly this form (`users_with_email`), so every spelling that opens an account has the
    same form, and axes cannot be given a fresh count by another spelling. (A case-insensitive
    lookup compares UPPER() forms, which also matches look-alikes such as the dotless « ı »,
    whose lower case is not « i ».)"""
    return unicodedata.normalize("NFKC", value or "").strip().lower()


def users_with_email(address: str):
    """The accounts whose e-mail address, in lower case, is `address` (a normalised name)."""
    return (
        get_user_model()
        ._default_manager.alias(email_lower=Lower("email"))
        .filter(email_lower=address)
    )


def axes_username(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: the name axes counts failures and locks under."""
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD) or credentials.get("email")
    else:
        value = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_username(value)


def client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE, and the reset throttle's client: the address of the client.

    With TRUSTED_PROXY_COUNT = 0 (AXES_PROXY_COUNT, the default), the socket's address only:
    X-Forwarded-For is then whatever the client wrote. With N proxies of ours in front, each
    appends to X-Forwarded-For the address it received the request from, so the N-th entry from
    the right is the client as our first proxy saw it; anything left of it the client wrote, and
    it is ignored. Only that trusted part of the header is handed to python-ipware, in strict
    mode: its own modes read the whole header, and either fall back to the proxy's address as
    soon as a client sends the header itself (strict) or skip malformed entries, so that
    `X-Forwarded-For: <any address>, "` made the client's choice the right-most one (not strict).
    Without a readable trusted entry, the socket's address (the proxy's) stands.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(entries) >= proxies:
            trusted = ",".join(entries[-proxies:])
            ipware = IpWare(precedence=("HTTP_X_FORWARDED_FOR",), proxy_count=proxies - 1)
            address, _ = ipware.get_client_ip({"HTTP_X_FORWARDED_FOR": trusted}, strict=True)
            if address is not None:
                return str(address)
    return request.META.get("REMOTE_ADDR")


class EmailBackend(ModelBackend):
    """Authenticate by e-mail (any case); an address shared by two accounts logs in neither,
    rather than guessing. ModelBackend stays next to it for usernames (staff admin)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = normalise_username(username or kwargs.get("email"))
        if not email or "@" not in email or password is None:
            return None
        users = list(users_with_email(email)[:2])
        if len(users) != 1:
            # Same cost as a real check, so the answer time does not tell which addresses exist.
            get_user_model()().set_password(password)
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def _proconnect_backend():
    """ProConnect (OpenID Connect), when PROCONNECT_ENABLED: an agent logs into the account
    staff created for their e-mail address; no account is ever created from the claims."""
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend

    class ProConnectBackend(OIDCAuthenticationBackend):
        def filter_users_by_claims(self, claims):
            email = normalise_username(claims.get("email"))
            if not email:
                return self.UserModel.objects.none()
            return users_with_email(email).filter(is_active=True)

        def create_user(self, claims):  # OIDC_CREATE_USER is False; never reached
            return None

    return ProConnectBackend


def __getattr__(name):
    # Imported only when configured: mozilla-django-oidc stays optional when ProConnect is off.
    if name == "ProConnectBackend":
        return _proconnect_backend()
    raise AttributeError(name)
