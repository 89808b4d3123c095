"""Password reset e-mails, throttled per address asked for and per client address.

Without a limit, anyone can send a partner as many reset e-mails as they like, and probe the
mail server. Each request counts against the address typed (a partner's inbox, in the login's
normal form: committees.auth.normalise_username) and against the client's address (one sender,
many inboxes; committees.auth.client_address, as the login rate limit reads it), in a fixed
window. Over either limit, the form answers 429 with the same French message whether an account
has that address or not: the limit tells nothing about who has an account.

The counters live in their own per-process cache (settings.CACHES["throttle"]), which the page
cache's bodies cannot evict. Being per process, the limits hold per gunicorn worker: with
WEB_CONCURRENCY workers, at most that many times the limit goes through in a window.
"""

import hashlib

from django.contrib.auth.views import PasswordResetView
from django.core.cache import caches

from committees.auth import client_address, normalise_username

WINDOW_SECONDS = 60 * 60
PER_ADDRESS = 3
PER_CLIENT = 10
TOO_MANY = (
    "Trop de demandes de réinitialisation en peu de temps. Réessayez dans une heure ; si vous "
    "n'avez reçu aucun courriel, contactez l'équipe de l'incubateur."
)


def over_limit(kind: str, value: str, limit: int) -> bool:
    """Count one request for `value`; True once more than `limit` came within the window."""
    throttle = caches["throttle"]
    key = f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
    throttle.add(key, 0, WINDOW_SECONDS)  # starts the window; the next adds keep its end
    try:
        return throttle.incr(key) > limit
    except ValueError:  # the window ended between add and incr
        throttle.set(key, 1, WINDOW_SECONDS)
        return limit < 1


class ThrottledPasswordResetView(PasswordResetView):
    def form_valid(self, form):
        # The login's normal form: every spelling of an inbox counts against that inbox.
        address = normalise_username(form.cleaned_data["email"])
        # The client as the login rate limit sees it (behind the proxy, not the proxy).
        client = client_address(self.request) or "inconnue"
        # Both counted on every request: neither limit can be spent to spare the other.
        by_address = over_limit("address", address, PER_ADDRESS)
        by_client = over_limit("client", client, PER_CLIENT)
        if by_address or by_client:
            form.add_error(None, TOO_MANY)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
