"""The portfolio's filters: they live in the query string, combine, and render in DSFR."""

from collections import Counter, defaultdict

from django import forms
from django.db.models import Count, Func
from django.utils.choices import BaseChoiceIterator
from django.utils.html import escape
from django.utils.safestring import mark_safe
from dsfr.forms import DsfrBaseForm, DsfrBoundField, DsfrDjangoTemplates

from publishing.caching import held, kept
from startups.models import (
    SEARCH_TERMS_AT_MOST,
    Incubator,
    Organisation,
    Startup,
    StartupQuerySet,
    typed_words,
)
from startups.phases import PhaseKind, StartupStatus
from startups.text import normalise


def labelled_values(field: str) -> list[tuple[str, str]]:
    """(normalised key, most frequent spelling) of a free-text list field: one query.

    PostgreSQL counts each spelling; Python normalises each distinct one once (normalising
    every value of every startup took 50 ms at 6 620 startups, at each change of the registry).
    """
    spellings = defaultdict(Counter)
    values = Startup.objects.annotate(value=Func(field, function="unnest")).values("value")
    # In order of spelling: of two spellings as frequent, the same one wins every time.
    rows = values.annotate(n=Count("*")).values_list("value", "n").order_by("value")
    for value, count in rows:
        if key := normalise(value):
            spellings[key][value.strip()] += count
    choices = [(key, counter.most_common(1)[0][0]) for key, counter in spellings.items()]
    return sorted(choices, key=lambda choice: normalise(choice[1]))


class ReadyChoices(BaseChoiceIterator):
    """Choices already in Django's form (pairs): a field and its widget take them as they are.
    Given a list, each walks it through normalize_choices again: the filters' ~350 choices,
    twice on every page of the list, took 9 % of a search page built fresh."""

    def __init__(self, choices: list[tuple[str, str]]):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)


def filter_choices() -> dict[str, ReadyChoices]:
    """The choices of the filters, most read from the data (four queries, and every theme and
    public normalised): built once per version of the registry and held in the process, shared
    by every page of the list."""
    everything = [("", "Toutes")]
    incubators = list(
        Incubator.objects.filter(startups__isnull=False)
        .distinct()
        .order_by("title")
        .values_list("pk", "title")
    )
    sponsors = [
        (pk, f"{name} ({acronym})" if acronym else name)
        for pk, name, acronym in Organisation.objects.filter(sponsored_startups__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("pk", "name", "acronym")
    ]
    choices = {
        "phase": everything + PhaseKind.choices,
        "statut": everything + StartupStatus.choices,
        "incubateur": everything + incubators,
        "sponsor": everything + sponsors,
        "thematique": everything + labelled_values("themes"),
        "usager": [("", "Tous"), *labelled_values("user_types")],
    }
    return {name: ReadyChoices(pairs) for name, pairs in choices.items()}


# Where the typed search goes in the kept HTML of the search field (letters only: escaping
# leaves it as it is).
TYPED = "PortefeuilleTexteSaisi"


class KeptBoundField(DsfrBoundField):
    """A filter whose HTML is built once per version of the registry and per value asked.

    Each field renders several templates (a select one per option: the sponsors are ~150):
    most of the cost of a page of the list built fresh. A select's or a box's HTML depends only
    on its choices (the registry's data), the value in the query string and the errors that
    value gives, so it is kept under those. The free-text search differs on every page: its
    HTML is kept once with TYPED where the value goes, and the value typed, escaped as Django
    escapes an attribute, put in its place; an empty value (no attribute) or one that gives an
    error (too long: the message) is rendered in full. tests/test_fresh_pages.py compares both
    with what django-dsfr renders."""

    def as_field_group(self):
        asked = self.data if self.form.is_bound else None
        if isinstance(self.field, forms.CharField):
            if not asked or self.errors:
                return super().as_field_group()
            html = kept(
                f"startups:filter:{self.html_name}:typed",
                lambda: str(type(self.form)({self.html_name: TYPED})[self.name].rendered()),
                depends_on=("startups",),
            )
            return mark_safe(html.replace(TYPED, escape(asked)))  # noqa: S308 - escaped value
        return kept(
            f"startups:filter:{self.html_name}:{asked!r}",
            super().as_field_group,
            depends_on=("startups",),
        )

    def rendered(self):
        """django-dsfr's HTML of the field, never kept."""
        return super().as_field_group()


# django-dsfr gives each form its renderer's class, not an instance: every form then builds a
# template engine of its own and compiles the field templates again (measured: 6 of the 10 ms
# a filter form took to render). One renderer for the process compiles them once.
RENDERER = DsfrDjangoTemplates()


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

    bound_field_class = KeptBoundField
    default_renderer = RENDERER

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = held("startups:filter-choices", filter_choices, depends_on=("startups",))
        for name, field_choices in choices.items():
            self.fields[name].choices = field_choices

    def clean_q(self):
        text = self.cleaned_data["q"]
        if len(typed_words(text)) > SEARCH_TERMS_AT_MOST:
            raise forms.ValidationError(
                f"Cherchez au plus {SEARCH_TERMS_AT_MOST} mots à la fois (les mots contenus dans "
                "un autre comptent avec lui) : chaque mot doit figurer dans la startup."
            )
        return text

    def render(self, template_name=None, context=None, renderer=None):
        """`{{ form }}`: the form's HTML kept once per values of the filters other than the
        search, the typed search put in its place as KeptBoundField does (the form's own
        template cost ~0.7 ms of each search page built fresh). With an error: in full."""
        if template_name or context or renderer or not self.is_bound or self.errors:
            return super().render(template_name, context, renderer)
        asked = {name: self[name].data for name in self.fields}
        if not asked["q"]:
            return kept(f"startups:filter-form:{asked!r}", super().render, depends_on=("startups",))
        data = self.data.copy()
        data["q"] = TYPED
        html = kept(
            f"startups:filter-form:{ {**asked, 'q': TYPED}!r}",
            lambda: str(type(self)(data).rendered()),
            depends_on=("startups",),
        )
        return mark_safe(html.replace(TYPED, escape(asked["q"])))  # noqa: S308 - escaped value

    __str__ = __html__ = render  # as Django's RenderableMixin binds them: to this render

    def rendered(self):
        """django-dsfr's HTML of the form, never kept."""
        return super().render()

    def get_context(self):
        # Every filter is optional: marking each one "(Optionnel)" would be noise.
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = False
        return context

    def filter(self, startups: StartupQuerySet) -> StartupQuerySet:
        """Apply the valid filters; call after is_valid()."""
        return filtered(startups, self.cleaned_data)

    def others_than_search(self) -> tuple[tuple[str, object], ...]:
        """(name, value) of the valid filters in force besides the search, in the form's
        order; call after is_valid()."""
        return tuple((k, v) for k, v in self.cleaned_data.items() if k != "q" and v)

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


def filtered(startups: StartupQuerySet, data: dict, conditions=None) -> StartupQuerySet:
    """`startups` kept by the filters of `data` (a form's cleaned data); the search's
    `conditions` (StartupQuerySet.matching), when given, for its typed text."""
    if conditions is not None:
        startups = startups.matching(conditions)
    elif data.get("q"):
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
