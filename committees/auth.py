"""Partners log in with their e-mail address, whatever its case."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Authenticate by e-mail (case-insensitive); an address shared by two accounts logs in
    neither, rather than guessing. ModelBackend stays next to it for usernames (staff admin)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = (username or kwargs.get("email") or "").strip()
        if not email or "@" not in email or password is None:
            return None
        users = list(get_user_model()._default_manager.filter(email__iexact=email)[:2])
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
            email = (claims.get("email") or "").strip()
            if not email:
                return self.UserModel.objects.none()
            return self.UserModel.objects.filter(email__iexact=email, is_active=True)

        def create_user(self, claims):  # OIDC_CREATE_USER is False; never reached
            return None

    return ProConnectBackend


def __getattr__(name):
    # Imported only when configured: mozilla-django-oidc stays optional when ProConnect is off.
    if name == "ProConnectBackend":
        return _proconnect_backend()
    raise AttributeError(name)
