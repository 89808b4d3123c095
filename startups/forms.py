"""The portfolio's filters: they live in the query string, combine, and render in DSFR."""

from collections import Counter, defaultdict

from django import forms
from django.db.models import Func
from dsfr.forms import DsfrBaseForm

from startups.models import Incubator, Organisation, Startup, StartupQuerySet
from startups.phases import PhaseKind, StartupStatus
from startups.text import normalise


def labelled_values(field: str) -> list[tuple[str, str]]:
    """(normalised key, most frequent spelling) of a free-text list field: one query."""
    spellings = defaultdict(Counter)
    rows = (
        Startup.objects.annotate(value=Func(field, function="unnest"))
        .values_list("value", flat=True)
        .order_by()
    )
    for value in rows:
        if key := normalise(value):
            spellings[key][value.strip()] += 1
    choices = [(key, counter.most_common(1)[0][0]) for key, counter in spellings.items()]
    return sorted(choices, key=lambda choice: normalise(choice[1]))


class StartupFilterForm(DsfrBaseForm):
    q = forms.CharField(label="Rechercher", required=False, max_length=200,
                        help_text="Dans le nom, la mission et la description")  # fmt: skip
    phase = forms.ChoiceField(label="Phase en cours", required=False)
    statut = forms.ChoiceField(label="Statut", required=False)
    incubateur = forms.ChoiceField(label="Incubateur", required=False)
    sponsor = forms.ChoiceField(label="Sponsor", required=False)
    thematique = forms.ChoiceField(label="Thématique", required=False)
    usager = forms.ChoiceField(label="Public", required=False)
    sans_investigation = forms.BooleanField(label="Exclure les investigations", required=False)
    actives = forms.BooleanField(label="Startups actives seulement", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", "Toutes")]
        self.fields["phase"].choices = everything + PhaseKind.choices
        self.fields["statut"].choices = everything + StartupStatus.choices
        self.fields["incubateur"].choices = everything + list(
            Incubator.objects.filter(startups__isnull=False)
            .distinct()
            .order_by("title")
            .values_list("pk", "title")
        )
        self.fields["sponsor"].choices = everything + [
            (pk, f"{name} ({acronym})" if acronym else name)
            for pk, name, acronym in Organisation.objects.filter(sponsored_startups__isnull=False)
            .distinct()
            .order_by("name")
            .values_list("pk", "name", "acronym")
        ]
        self.fields["thematique"].choices = everything + labelled_values("themes")
        self.fields["usager"].choices = [("", "Tous")] + labelled_values("user_types")

    def get_context(self):
        # Every filter is optional: marking each one "(Optionnel)" would be noise.
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = False
        return context

    def filter(self, startups: StartupQuerySet) -> StartupQuerySet:
        """Apply the valid filters; call after is_valid()."""
        data = self.cleaned_data
        if data.get("q"):
            startups = startups.search(data["q"])
        if data.get("phase"):
            startups = startups.filter(current_phase_kind=data["phase"])
        if data.get("statut"):
            startups = startups.with_status(data["statut"])
        if data.get("actives"):
            startups = startups.active()
        if data.get("sans_investigation"):
            startups = startups.exclude(current_phase_kind=PhaseKind.INVESTIGATION)
        if data.get("incubateur"):
            startups = startups.filter(incubator_id=data["incubateur"])
        if data.get("sponsor"):
            startups = startups.filter(sponsors__pk=data["sponsor"])
        if data.get("thematique"):
            startups = startups.with_theme(data["thematique"])
        if data.get("usager"):
            startups = startups.with_user_type(data["usager"])
        return startups

    def active_filters(self) -> list[str]:
        """Human-readable filters in force, for the results heading."""
        if not self.is_bound or not self.is_valid():
            return []
        labels = []
        for name, value in self.cleaned_data.items():
            if not value:
                continue
            field = self.fields[name]
            if isinstance(field, forms.BooleanField):
                labels.append(field.label)
            elif isinstance(field, forms.ChoiceField):
                labels.append(f"{field.label} : {dict(field.choices).get(value, value)}")
            else:
                labels.append(f"{field.label} : « {value} »")
        return labels
