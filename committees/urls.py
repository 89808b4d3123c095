"""Committees: the public calendar and feeds, and the partner space (/partenaires/)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.decorators.http import require_safe

from committees import feeds, partner_views, public_views
from committees.forms import PartnerLoginForm, PartnerPasswordResetForm, PartnerSetPasswordForm
from committees.password_reset import ThrottledPasswordResetView
from publishing.caching import public_page

app_name = "committees"

urlpatterns = [
    # Public
    path("comites/", public_views.calendar, name="public_calendar"),
    path("comites/<int:pk>/", public_views.committee_detail, name="public_committee"),
    path("comites.ics", public_views.calendar_ics, name="public_calendar_ics"),
    path(
        "comites/decisions.atom",
        require_safe(public_page(feeds.DecisionsFeed())),
        name="public_decisions_feed",
    ),
    # Partner space
    path("partenaires/", partner_views.home, name="partner_home"),
    path("partenaires/dossiers/<int:pk>/", partner_views.dossier_detail, name="partner_dossier"),
    path("partenaires/dossiers/<int:pk>/avis/", partner_views.review, name="partner_review"),
    path(
        "partenaires/pieces-jointes/<int:pk>/",
        partner_views.attachment,
        name="partner_attachment",
    ),
    path("partenaires/decisions/", partner_views.decisions, name="partner_decisions"),
    # Accounts
    path(
        "partenaires/connexion/",
        auth_views.LoginView.as_view(
            form_class=PartnerLoginForm,
            template_name="registration/login.html",
            extra_context={
                "title": "Connexion à l'espace partenaires",
                "PROCONNECT_ENABLED": getattr(settings, "PROCONNECT_ENABLED", False),
            },
        ),
        name="partner_login",
    ),
    path(
        "partenaires/deconnexion/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("committees:partner_login")),
        name="partner_logout",
    ),
    path(
        "partenaires/mot-de-passe/",
        ThrottledPasswordResetView.as_view(
            form_class=PartnerPasswordResetForm,
            template_name="registration/password_reset_form.html",
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            success_url=reverse_lazy("committees:password_reset_done"),
            extra_context={"title": "Mot de passe oublié"},
        ),
        name="password_reset",
    ),
    path(
        "partenaires/mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html",
            extra_context={"title": "Courriel envoyé"},
        ),
        name="password_reset_done",
    ),
    path(
        "partenaires/mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=PartnerSetPasswordForm,
            template_name="registration/password_reset_confirm.html",
            success_url=reverse_lazy("committees:password_reset_complete"),
            extra_context={"title": "Nouveau mot de passe"},
        ),
        name="password_reset_confirm",
    ),
    path(
        "partenaires/mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html",
            extra_context={"title": "Mot de passe modifié"},
        ),
        name="password_reset_complete",
    ),
]
