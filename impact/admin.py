"""Staff admin of impact data: indicators inline on a startup, measurements, the CSV import.

Imported at the end of `startups/admin.py`. The database refuses a second North Star or a
second value for the same period; the forms below say it first, in French, with the same
words as the constraints (never a 500).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from impact.models import Indicator, Measurement, PeriodKind, is_fresh, period_label
from impact.services import import_measurements
from publishing.formats import number
from startups.models import Startup, today

NORTH_STAR_CONSTRAINT = next(
    c for c in Indicator._meta.constraints if c.name == "one_north_star_per_startup"
)
PERIOD_CONSTRAINT = next(
    c for c in Measurement._meta.constraints if c.name == "one_value_per_indicator_and_period"
)


def freshness_badge(indicator: Indicator) -> str:
    start = getattr(indicator, "last_period_start", None)
    # No inline style: the Content-Security-Policy forbids it; what needs attention is bold.
    if start is None:
        return format_html("<strong>{}</strong>", "aucune valeur")
    if is_fresh(indicator.last_period_kind, start, indicator.is_north_star, today()):
        return "à jour"
    return format_html("<strong>{}</strong>", "pas à jour")


def last_value_text(indicator: Indicator) -> str:
    start = getattr(indicator, "last_period_start", None)
    if start is None:
        return "—"
    return f"{number(indicator.last_value)} ({period_label(indicator.last_period_kind, start)})"


# --- Indicators inline on the startup -------------------------------------------------------
class IndicatorFormSet(forms.BaseInlineFormSet):
    """One North Star among the forms, checked on the whole set being saved.

    Row by row against the database, moving the North Star from one indicator to another in
    one save would be refused (the old one is still North Star in the table).
    """

    def clean(self):
        super().clean()
        stars = [
            form.cleaned_data.get("name")
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not self._should_delete_form(form)
            and form.cleaned_data.get("is_north_star")
        ]
        if len(stars) > 1:
            raise ValidationError(
                f"{NORTH_STAR_CONSTRAINT.violation_error_message} "
                f"Cochées : {', '.join(f'« {name} »' for name in stars)}."
            )

    def save(self, commit=True):
        if commit:
            # Unset the old North Star before any other row sets the new one: the partial
            # unique index is checked at each statement and cannot be deferred.
            leaving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk
                and "is_north_star" in form.changed_data
                and not form.cleaned_data.get("is_north_star")
            ]
            if leaving:
                Indicator.objects.filter(pk__in=leaving).update(is_north_star=False)
        return super().save(commit)


class IndicatorInlineForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "category", "unit", "direction", "is_north_star", "is_public"]

    def validate_constraints(self):
        # The North Star rule is checked by IndicatorFormSet.clean on the whole set.
        exclude = self._get_validation_exclusions()
        for constraint in Indicator._meta.constraints:
            if constraint is NORTH_STAR_CONSTRAINT:
                continue
            try:
                constraint.validate(Indicator, self.instance, exclude=exclude)
            except ValidationError as error:
                self._update_errors(error)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    form = IndicatorInlineForm
    formset = IndicatorFormSet
    extra = 0
    show_change_link = True
    fields = [
        "name",
        "category",
        "unit",
        "direction",
        "is_north_star",
        "is_public",
        "last_value",
        "freshness",
    ]
    readonly_fields = ["last_value", "freshness"]
    verbose_name_plural = "Indicateurs d'impact (valeurs : lien « Modifier » ou import CSV)"

    def get_queryset(self, request):
        return super().get_queryset(request).with_last_measurement()

    @admin.display(description="dernière valeur")
    def last_value(self, indicator):
        return last_value_text(indicator) if indicator.pk else ""

    @admin.display(description="fraîcheur")
    def freshness(self, indicator):
        return freshness_badge(indicator) if indicator.pk else ""


# --- Measurements inline on the indicator ---------------------------------------------------
class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["period_kind", "period_start", "value", "source", "comment"]
        # French staff type « 3,5 » and read « 1 234,5 ».
        localized_fields = ["value"]
        widgets = {"comment": forms.TextInput(attrs={"size": 30})}

    def clean(self):
        data = super().clean()
        start = data.get("period_start")
        if start and data.get("period_kind") == PeriodKind.MONTH:
            # Any day of the month names the month: stored as its first day.
            data["period_start"] = start.replace(day=1)
        # The import refuses a period that starts after today (local); this form let staff
        # type next month's value, which then counted as fresh and in the cost per impact.
        on = today()
        if start and data["period_start"] > on:
            self.add_error(
                "period_start",
                f"Période dans le futur : une valeur se saisit une fois sa période commencée "
                f"(nous sommes le {on:%d/%m/%Y}).",
            )
        value = data.get("value")
        indicator = getattr(self.instance, "indicator", None)
        if value is not None and value < 0 and indicator and not indicator.can_be_negative:
            self.add_error("value", "Cet indicateur ne peut pas être négatif.")
        return data


class MeasurementFormSet(forms.BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        if set(unique_check) == set(PERIOD_CONSTRAINT.fields):
            return (
                "Deux lignes portent sur la même période : "
                + PERIOD_CONSTRAINT.violation_error_message
            )
        return super().get_unique_error_message(unique_check)


class MeasurementInline(admin.TabularInline):
    model = Measurement
    form = MeasurementForm
    formset = MeasurementFormSet
    extra = 1
    ordering = ["-period_start"]
    fields = ["period_kind", "period_start", "value", "source", "comment"]


# --- Indicators -------------------------------------------------------------------------------
class FreshnessFilter(admin.SimpleListFilter):
    title = "fraîcheur"
    parameter_name = "fraicheur"

    def lookups(self, request, model_admin):
        return [("a-jour", "À jour"), ("pas-a-jour", "Pas à jour")]

    def queryset(self, request, queryset):
        if self.value() == "a-jour":
            return queryset.fresh()
        if self.value() == "pas-a-jour":
            return queryset.stale()
        return queryset


class MeasurementImportForm(forms.Form):
    startup = forms.ModelChoiceField(
        label="Startup",
        queryset=Startup.objects.filter(indicators__isnull=False).distinct().only("id", "title"),
        help_text="Seules les startups qui ont des indicateurs sont proposées.",
    )
    file = forms.FileField(
        label="Fichier CSV",
        help_text=(
            "Une ligne par valeur : indicateur;période;valeur (puis source;commentaire, "
            "facultatifs). Période « 2025-03 » (un mois) ou « 2025-03-15 » (un jour) ; "
            "virgule ou point décimal ; UTF-8 ; séparateur « ; »."
        ),
    )


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "startup",
        "category",
        "is_north_star",
        "is_public",
        "last_value",
        "freshness",
    ]
    list_select_related = ["startup"]
    list_filter = ["category", "is_north_star", "is_public", FreshnessFilter]
    search_fields = ["name", "startup__title", "startup__id"]
    autocomplete_fields = ["startup"]
    inlines = [MeasurementInline]
    change_list_template = "impact/admin_indicator_change_list.html"
    fieldsets = [
        (None, {"fields": ["startup", "name", "description", "category", "position"]}),
        (
            "Valeurs",
            {"fields": ["unit", "unit_singular", "direction", "is_count", "can_be_negative"]},
        ),
        ("Cible", {"fields": ["target", "target_date"]}),
        ("Statut", {"fields": ["is_north_star", "is_public"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_last_measurement()

    @admin.display(description="dernière valeur", ordering="last_period_start")
    def last_value(self, indicator):
        return last_value_text(indicator)

    @admin.display(description="fraîcheur")
    def freshness(self, indicator):
        return freshness_badge(indicator)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="impact_indicator_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a CSV of measurements; the line-by-line report is shown on the page."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        report = None
        startup = None
        if request.method == "POST":
            form = MeasurementImportForm(request.POST, request.FILES)
            if form.is_valid():
                startup = form.cleaned_data["startup"]
                report = import_measurements(
                    startup=startup, file=form.cleaned_data["file"], by=request.user
                )
                level = messages.SUCCESS if report.ok else messages.WARNING
                self.message_user(request, report.summary(), level)
        else:
            initial = {}
            if request.GET.get("startup"):
                initial["startup"] = get_object_or_404(Startup, pk=request.GET["startup"])
            form = MeasurementImportForm(initial=initial)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Importer des mesures (CSV)",
            "form": form,
            "report": report,
            "startup": startup,
            "changelist_url": reverse("admin:impact_indicator_changelist"),
        }
        return TemplateResponse(request, "impact/admin_import.html", context)
