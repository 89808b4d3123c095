"""Staff admin over the registry: startups with their phases and events, incubators, sponsors,
members with their missions."""

from datetime import date
from itertools import pairwise

from django import forms
from django.contrib import admin
from django.contrib.postgres.constraints import ExclusionConstraint
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from publishing.formats import fr_date
from startups.models import (
    UNKNOWN_DATE,
    Event,
    ImportCorrection,
    Incubator,
    Member,
    MemberImportCorrection,
    Mission,
    Organisation,
    Phase,
    Startup,
)
from startups.phases import PhaseKind, StartupStatus
from startups.services import defer_overlap_check


# --- Phases inline: the overlap rule checked on the whole history being saved ---------------
class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["kind", "start", "end", "comment"]
        widgets = {"comment": forms.TextInput(attrs={"size": 40})}

    def clean_start(self):
        # Only the import keeps an undated phase (old data, rule 9 of startups.importer): a
        # phase entered here has a start; one imported undated may stay so until dated.
        start = self.cleaned_data.get("start")
        if start is None and (self.instance.pk is None or self.instance.start is not None):
            raise ValidationError("Indiquez la date de début de la phase.")
        return start

    def validate_constraints(self):
        # Overlaps are checked by PhaseFormSet.clean on every phase of the form at once: checked
        # row by row against the database, ending a phase and starting the next in one save
        # would be refused.
        exclude = self._get_validation_exclusions()
        for constraint in Phase._meta.constraints:
            if isinstance(constraint, ExclusionConstraint):
                continue
            try:
                constraint.validate(Phase, self.instance, exclude=exclude)
            except ValidationError as error:
                self._update_errors(error)


class PhaseFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        periods = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form) or not data.get("start"):
                continue
            periods.append((data["start"], data.get("end") or date.max, data.get("kind")))
        periods.sort()
        for (start, end, kind), (next_start, _, next_kind) in pairwise(periods):
            if end >= next_start:
                raise ValidationError(
                    f"La phase « {PhaseKind(kind).label} » (du {fr_date(start, '…')} au "
                    f"{fr_date(None if end == date.max else end, '…')}) chevauche « "
                    f"{PhaseKind(next_kind).label} », qui commence le {fr_date(next_start, '…')} : "
                    f"terminez-la au plus tard le {fr_date(date.fromordinal(next_start.toordinal() - 1), '…')}."
                )

    def save(self, commit=True):
        if commit:
            defer_overlap_check()
        return super().save(commit)


class PhaseInline(admin.TabularInline):
    model = Phase
    form = PhaseForm
    formset = PhaseFormSet
    extra = 1
    fields = ["kind", "start", "end", "comment", "duration_display", "expected"]
    readonly_fields = ["duration_display", "expected"]
    ordering = ["start"]

    @admin.display(description="durée")
    def duration_display(self, phase):
        if not phase.pk:
            return ""
        duration = phase.duration()
        return f"{duration.days} j" if duration is not None else f"début : {UNKNOWN_DATE}"

    @admin.display(description="durée attendue")
    def expected(self, phase):
        return phase.expected_duration_label if phase.pk else ""


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    fields = ["kind", "date", "comment", "promotion", "amount"]
    ordering = ["date"]


class ImportCorrectionInline(admin.TabularInline):
    model = ImportCorrection
    extra = 0
    can_delete = False
    fields = ["kind", "message"]
    readonly_fields = ["kind", "message"]
    verbose_name_plural = "Ce que l'import a corrigé ou relevé dans la source"

    def has_add_permission(self, request, obj=None):
        return False


# --- Filters -----------------------------------------------------------------------------------
class CurrentPhaseFilter(admin.SimpleListFilter):
    title = "phase en cours"
    parameter_name = "phase"

    def lookups(self, request, model_admin):
        return [*PhaseKind.choices, ("none", "Aucune phase commencée")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(current_phase_kind__isnull=True)
        if self.value() in PhaseKind.values:
            return queryset.filter(current_phase_kind=self.value())
        return queryset


class StatusFilter(admin.SimpleListFilter):
    title = "statut"
    parameter_name = "statut"

    def lookups(self, request, model_admin):
        return StartupStatus.choices

    def queryset(self, request, queryset):
        if self.value() in StartupStatus.values:
            return queryset.with_status(self.value())
        return queryset


class SourcePresenceFilter(admin.SimpleListFilter):
    title = "présence dans la source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [("absente", "Absente du dernier import"), ("presente", "Présente")]

    def queryset(self, request, queryset):
        if self.value() == "absente":
            return queryset.filter(absent_from_source_since__isnull=False)
        if self.value() == "presente":
            return queryset.filter(absent_from_source_since__isnull=True)
        return queryset


class OverstayFilter(admin.SimpleListFilter):
    title = "durée de phase dépassée"
    parameter_name = "depassement"

    def lookups(self, request, model_admin):
        return [("oui", "Phase plus longue que prévu")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.overstaying()
        return queryset


# --- Startups ----------------------------------------------------------------------------------
@admin.register(Startup)
class StartupAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "id",
        "current_phase_display",
        "current_phase_age",
        "overstay_display",
        "incubator",
        "absent_display",
    ]
    list_select_related = ["incubator"]
    list_filter = [
        CurrentPhaseFilter,
        StatusFilter,
        OverstayFilter,
        SourcePresenceFilter,
        ("incubator", admin.RelatedOnlyFieldListFilter),
        ("sponsors", admin.RelatedOnlyFieldListFilter),
        "accessibility_status",
    ]
    search_fields = ["title", "id", "mission"]
    autocomplete_fields = ["incubator", "co_incubators", "sponsors"]
    inlines = [PhaseInline, EventInline, ImportCorrectionInline]
    readonly_fields = [
        "created_at",
        "updated_at",
        "source_path",
        "source_front_matter",
        "source_body",
        "absent_from_source_since",
    ]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["id", "title", "mission", "description", "contact"]}),
        ("Rattachement", {"fields": ["incubator", "co_incubators", "sponsors"]}),
        (
            "Liens et transparence",
            {
                "fields": [
                    "link",
                    "repository",
                    "stats_url",
                    "has_stats_page",
                    "impact_url",
                    "budget_url",
                    "dashlord_url",
                    "accessibility_status",
                    "risk_analysis_done",
                    "risk_analysis_url",
                    "mon_service_securise",
                ]
            },
        ),
        ("Classement", {"fields": ["user_types", "themes", "technologies"]}),
        ("FAST", {"fields": ["fast_promotion", "fast_amount"]}),
        (
            "Source beta.gouv.fr (telle qu'importée)",
            {
                "classes": ["collapse"],
                "fields": [
                    "absent_from_source_since",
                    "source_path",
                    "source_front_matter",
                    "source_body",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_current_phase()

    def get_readonly_fields(self, request, obj=None):
        # The id is in every public URL and API: set once, at creation.
        return [*self.readonly_fields, "id"] if obj else self.readonly_fields

    @admin.display(description="phase en cours", ordering="current_phase_kind")
    def current_phase_display(self, startup):
        return startup.current_kind_label

    @admin.display(description="depuis", ordering="current_phase_start")
    def current_phase_age(self, startup):
        age = startup.current_phase_age
        if age is None:
            return UNKNOWN_DATE if startup.current_kind else "—"
        return f"{age.days} j"

    @admin.display(description="source", ordering="absent_from_source_since")
    def absent_display(self, startup):
        since = startup.absent_from_source_since
        return f"absente depuis le {fr_date(since)}" if since else ""

    @admin.display(description="dépassement")
    def overstay_display(self, startup):
        overstay = startup.overstay
        if not overstay:
            return ""
        return format_html("<strong>+{} j</strong>", overstay.days)


@admin.register(Incubator)
class IncubatorAdmin(SimpleHistoryAdmin):
    list_display = ["title", "id", "owner", "startup_count", "is_placeholder"]
    list_select_related = ["owner"]
    list_filter = ["is_placeholder"]
    search_fields = ["title", "id"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at", "source_path", "source_front_matter"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(startup_count=Count("startups"))

    @admin.display(description="startups", ordering="startup_count")
    def startup_count(self, incubator):
        return incubator.startup_count


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "id", "type", "ministerial_domain", "is_placeholder"]
    list_filter = ["type", "ministerial_domain", "is_placeholder"]
    search_fields = ["name", "acronym", "id"]
    readonly_fields = ["created_at", "updated_at", "source_path", "source_front_matter"]


# --- Members (imported from beta.gouv.fr's authors/) ---------------------------------------------
class MissionInline(admin.TabularInline):
    model = Mission
    extra = 0
    fields = ["position", "start", "end", "status", "employer", "startup_ids"]
    ordering = ["position"]


class MemberImportCorrectionInline(admin.TabularInline):
    model = MemberImportCorrection
    extra = 0
    can_delete = False
    fields = ["kind", "message"]
    readonly_fields = ["kind", "message"]
    verbose_name_plural = "Ce que l'import a corrigé dans la source"

    def has_add_permission(self, request, obj=None):
        return False


class MemberPresenceFilter(admin.SimpleListFilter):
    title = "présence dans la source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [("present", "dans la source"), ("absent", "absent de la source")]

    def queryset(self, request, queryset):
        if self.value() == "present":
            return queryset.filter(absent_from_source_since__isnull=True)
        if self.value() == "absent":
            return queryset.filter(absent_from_source_since__isnull=False)
        return queryset


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["fullname", "id", "domaine", "role", "member_type", "mission_count"]
    list_filter = ["domaine", "member_type", MemberPresenceFilter]
    search_fields = ["fullname", "id", "github"]
    inlines = [MissionInline, MemberImportCorrectionInline]
    readonly_fields = [
        "created_at",
        "updated_at",
        "absent_from_source_since",
        "source_path",
        "source_front_matter",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(mission_count=Count("missions"))

    @admin.display(description="missions", ordering="mission_count")
    def mission_count(self, member):
        return member.mission_count
