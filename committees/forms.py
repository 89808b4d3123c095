"""Forms of the partner space: login, password reset, the review of a dossier (DSFR)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from dsfr.forms import DsfrBaseForm

from committees.models import Opinion

EMAIL_LABEL = "Adresse électronique"


class PartnerLoginForm(DsfrBaseForm, AuthenticationForm):
    error_messages = {
        "invalid_login": (
            "Adresse électronique ou mot de passe incorrect. Le mot de passe distingue "
            "les majuscules et les minuscules."
        ),
        "inactive": "Ce compte est désactivé. Contactez l'équipe de l'incubateur.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.label = EMAIL_LABEL
        username.help_text = "Format attendu : nom@domaine.gouv.fr"
        username.widget.attrs.update(
            {"autocomplete": "email", "inputmode": "email", "spellcheck": "false"}
        )
        self.fields["password"].label = "Mot de passe"
        # DsfrBaseForm built the bound fields (labels included) before the lines above.
        self._bound_fields_cache.clear()


class PartnerPasswordResetForm(DsfrBaseForm, PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL
        self.fields["email"].help_text = "Format attendu : nom@domaine.gouv.fr"
        self._bound_fields_cache.clear()


class PartnerSetPasswordForm(DsfrBaseForm, SetPasswordForm):
    pass


class ReviewForm(DsfrBaseForm):
    organisation = forms.ChoiceField(label="Au nom de")
    opinion = forms.ChoiceField(label="Avis", choices=Opinion.choices, widget=forms.RadioSelect)
    questions = forms.CharField(
        label="Questions écrites à l'équipe",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="L'équipe y répond avant le comité ; vous verrez ses réponses sur le dossier.",
    )
    comments = forms.CharField(
        label="Commentaires",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.pk: organisation for organisation in organisations}
        field = self.fields["organisation"]
        field.choices = [(pk, str(org)) for pk, org in self.organisations.items()]
        if len(self.organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = next(iter(self.organisations))
        self._bound_fields_cache.clear()

    def clean_organisation(self):
        return self.organisations[self.cleaned_data["organisation"]]
