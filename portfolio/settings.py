"""Settings of Portefeuille, read from the environment (django-environ).

Every variable is listed in `.env.example`. The defaults are those of production: DEBUG off,
secure cookies, HSTS. A development machine gets a `.env` (copied from `.env.example` by
`make install`) that turns DEBUG on.
"""

import warnings
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already set in the environment win over the .env file. ENV_FILE="" reads none.
ENV_FILE = environ.Env().str("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE:
    env.read_env(ENV_FILE)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def required_in_production(name, dev_default, cast=str):
    """A variable that production must set; development gets a harmless default."""
    if name in env.ENVIRON:
        return env.get_value(name, cast=cast)
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(
        f"La variable d'environnement {name} est obligatoire en production (DJANGO_DEBUG=false). "
        f"Voir .env.example pour sa description."
    )


SECRET_KEY = required_in_production(
    "DJANGO_SECRET_KEY", "django-insecure-dev-only-key-never-use-in-production"
)
ALLOWED_HOSTS = required_in_production(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"], cast=list
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The public address of the site, for links in e-mails (no request to read it from).
SITE_URL = required_in_production("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "portfolio.apps.PortfolioAdminConfig",  # django.contrib.admin with the dashboard home
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "simple_history",
    "import_export",
    "axes",
    "widget_tweaks",
    "dsfr",
    # The shared floor, then the domain apps from the bottom up, then the API and the project.
    "publishing",
    "startups",
    "budgets",
    "impact",
    "committees",
    "api",
    "portfolio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A %00 in the URL: 404 or 400 before any view (PostgreSQL refuses NUL in text).
    "portfolio.middleware.RefuseNulBytesMiddleware",
    # Records who made each change in the admin (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portfolio.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it answers the lockout page for refused logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portfolio.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Replaces dsfr.context_processors.site_config, which queries the database on
                # every render (STACK.md): our site configuration is static.
                "portfolio.context_processors.site",
            ],
        },
    },
    {
        # The hot public pages' content (portfolio/jinja2.py), put in base.html by
        # publishing.pages.render_page.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "jinja_templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "portfolio.jinja2.environment"},
    },
]

WSGI_APPLICATION = "portfolio.wsgi.application"

# --- Database: always PostgreSQL -------------------------------------------------------------
EMBEDDED_POSTGRES_DIR = Path(
    env.str("EMBEDDED_POSTGRES_DIR", default=str(BASE_DIR / ".data" / "pg"))
)

if "DATABASE_URL" in env.ENVIRON:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
elif not DEBUG:
    # An embedded server inside a production container would lose its data at the next deploy.
    required_in_production("DATABASE_URL", None)
else:
    from portfolio.embedded_postgres import embedded_database_url

    DATABASES = {"default": env.db_url_config(embedded_database_url(EMBEDDED_POSTGRES_DIR))}

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL doit désigner une base PostgreSQL (postgres://…) : le schéma utilise des "
        "contraintes d'exclusion et des intervalles de dates propres à PostgreSQL."
    )
# Django's backend, whose health check reads the socket rather than running `SELECT 1`: one
# round trip less on every page built fresh (publishing/postgresql/base.py).
DATABASES["default"]["ENGINE"] = "publishing.postgresql"
# A new connection per request costs ~10x throughput on these machines (STACK.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
# PostgreSQL's JIT compiles a query whose estimated cost crosses a threshold: at 6 620 startups
# the list's phase subquery crossed it and took 276 ms instead of 12 (h17's profile). Our queries
# are short and many; compiling never pays back here. The statements prepared by
# publishing.compiled pick rows by key: one generic plan serves every value (PostgreSQL would
# otherwise plan the first five executions again, and then each one it judges worth it).
DATABASES["default"]["OPTIONS"].setdefault(
    "options", "-c jit=off -c plan_cache_mode=force_generic_plan"
)

# The beta.gouv.fr corpus used by seed_demo and the benchmarks (read in place, never copied:
# its licence is CC BY-NC-SA).
BETAGOUV_DATA = env.str(
    "BETAGOUV_DATA", default=str(BASE_DIR.parent / "shared" / "data" / "betagouv")
)

# The last day of the year a commitment (purchase order) may be dated, DD/MM: AE are annual and
# no new orders go out after mid-December (DOMAIN.md). Payments are not orders: never cut off.
BUDGETS_LAST_ORDER_DAY = env.str("BUDGETS_LAST_ORDER_DAY", default="15/12")

# Public pages are cached per process, keyed on the data version (publishing/caching.py),
# bounded in bytes per process (publishing/cache_backend.py): a worker holds at most
# CACHE_MAX_BYTES of cached bodies, whatever addresses are asked for.
CACHES = {
    "default": {
        "BACKEND": "publishing.cache_backend.BoundedLocMemCache",
        "TIMEOUT": 60 * 60,
        "OPTIONS": {
            # Bytes bound the cache (MAX_BYTES); entries only Python's overhead (~0.5 kB each).
            # A list's cards are an entry each (6 620 at the largest portfolio measured): at
            # 3 000, LocMemCache dropped a third of everything, bodies included, when full.
            "MAX_ENTRIES": 20_000,
            "MAX_BYTES": env.int("CACHE_MAX_BYTES", default=32 * 2**20),
        },
    },
    # Rate-limit counters (committees/password_reset.py), apart so that pages never evict them
    # and a worker's warm-up (portfolio/warmup.py), which empties the page cache, keeps them.
    "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttle",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}
PUBLIC_PAGE_MAX_AGE = env.int("PUBLIC_PAGE_MAX_AGE", default=60)
# Seconds a process trusts the data version it read (publishing.models.DataChange.latest).
PUBLIC_DATA_VERSION_TTL = env.float("PUBLIC_DATA_VERSION_TTL", default=1.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Partners log in with their e-mail address (committees/auth.py); usernames still work (admin).
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a login attempt once the account is locked out.
    "axes.backends.AxesStandaloneBackend",
    "committees.auth.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "committees:partner_login"
LOGIN_REDIRECT_URL = "committees:partner_home"

# Login rate limit (django-axes): 5 failures for an account from one client address lock that
# account for that address for 15 minutes, with a French page saying so. The account is its
# login name in one normal form, and the client's address is read in one place
# (committees/auth.py, also used by the password-reset throttle).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "committees.auth.axes_username"
AXES_CLIENT_IP_CALLABLE = "committees.auth.client_address"
# Proxies of ours in front of the application (AXES_PROXY_COUNT): 0, the default, trusts the
# socket's address only; 1 behind one proxy that appends the client's address to
# X-Forwarded-For. Set it only when the application cannot be reached but through them.
TRUSTED_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        "AXES_PROXY_COUNT : nombre de proxys devant l'application, 0 (aucun) ou plus."
    )

# ProConnect, the State's OpenID Connect (mozilla-django-oidc), off by default. When on, the
# partner login page shows its button; agents log into accounts staff created for their e-mail.
PROCONNECT_ENABLED = env.bool("PROCONNECT_ENABLED", default=False)
if PROCONNECT_ENABLED:
    # e.g. https://auth.agentconnect.gouv.fr/api/v2 (production), fca.integ01.dev-agentconnect.fr/api/v2
    _proconnect = env.str("PROCONNECT_ISSUER").rstrip("/")
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("committees.auth.ProConnectBackend")
    OIDC_RP_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env.str("PROCONNECT_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = f"{_proconnect}/authorize"
    OIDC_OP_TOKEN_ENDPOINT = f"{_proconnect}/token"
    OIDC_OP_USER_ENDPOINT = f"{_proconnect}/userinfo"
    OIDC_OP_JWKS_ENDPOINT = f"{_proconnect}/jwks"
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_SCOPES = "openid email given_name usual_name"
    OIDC_CREATE_USER = False
    LOGIN_REDIRECT_URL_FAILURE = "committees:partner_login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- French UI -------------------------------------------------------------------------------
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# collectstatic rewrites url() inside dsfr.min.css, so its integrity hash no longer matches.
DSFR_USE_INTEGRITY_CHECKSUMS = False
DSFR_MARK_OPTIONAL_FIELDS = True  # the filter form opts out
# django-dsfr warns about this transitional setting at each form render.
warnings.filterwarnings("ignore", message="Transitional Django setting DSFR_MARK_OPTIONAL_FIELDS")

# --- Security (production defaults) ----------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Content-Security-Policy (Django 6): no inline script or style anywhere; charts are SVG
# with presentation attributes, DSFR and the admin load their scripts from our static files.
# No nonce: nothing inline needs one, and public pages are served from a cache (a nonce in a
# cached page would never match the header).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- E-mail ----------------------------------------------------------------------------------
# EMAIL_URL: consolemail:// (development, prints), smtp+tls://user:password@host:587, ...
_email = env.email_url_config(required_in_production("EMAIL_URL", "consolemail://"))
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS", False),
    "use_ssl": _email.get("EMAIL_USE_SSL", False),
    "timeout": 10,
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp_options if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Portefeuille <portefeuille@beta.gouv.fr>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging: one line per event on stdout (Scalingo and Docker collect stdout) -------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
