"""Staff admin of the committees: agenda, sending dossiers, recording decisions with a preview."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from committees import selectors, services
from committees.models import (
    Attachment,
    Committee,
    CommitteeStatus,
    CriterionKind,
    Decision,
    DecisionKind,
    Dossier,
    ObjectiveStatus,
    PartnerMembership,
    PartnerReview,
    Programme,
)
from publishing.formats import fr_date
from publishing.forms import Column, RowsField


def _notify(committee):
    # The partner e-mails live with the partner space; imported late so the admin works alone.
    try:
        from committees.notifications import notify_dossiers_sent
    except ImportError:  # pragma: no cover - the partner space not installed
        return
    notify_dossiers_sent(committee)


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Committees --------------------------------------------------------------------------------
class DossierInline(admin.TabularInline):
    model = Dossier
    extra = 0
    fields = ["order", "startup", "state", "link"]
    readonly_fields = ["state", "link"]
    autocomplete_fields = ["startup"]
    ordering = ["order"]

    @admin.display(description="état")
    def state(self, dossier):
        if not dossier.pk:
            return ""
        if hasattr(dossier, "decision"):
            return f"Décision : {dossier.decision.get_kind_display()}"
        missing = dossier.missing_parts()
        return f"À compléter : {', '.join(missing)}" if missing else "Complet"

    @admin.display(description="dossier")
    def link(self, dossier):
        if not dossier.pk:
            return ""
        return format_html(
            '<a href="{}">Ouvrir le dossier</a>',
            reverse("admin:committees_dossier_change", args=[dossier.pk]),
        )


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["managed_since"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Programme.objects.exists()


# --- The session: a committee as one page ------------------------------------------------------
class CommitteeSessionMixin:
    """The committee's session as one admin page (/admin/committees/committee/<id>/seance/):
    the agenda in order with each dossier's phase, completeness, partner reviews, money and
    decision, what is left on each tranche, and the actions the date allows.

    An admin view, not a DSFR page: it is the staff's tool, next to the committee's and the
    dossiers' admin pages it links to, and its actions are the admin actions themselves (the
    same permissions, messages and warning before sending incomplete dossiers)."""

    session_actions = {
        "send_dossiers": "Envoyer les dossiers",
        "mark_held": "Marquer comme tenu",
        "close": "Clore le comité",
    }

    def get_urls(self):
        return [
            path(
                "<int:pk>/seance/",
                self.admin_site.admin_view(self.session_view),
                name="committees_committee_session",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="séance")
    def session_link(self, committee):
        return format_html(
            '<a href="{}">Ouvrir la séance</a>',
            reverse("admin:committees_committee_session", args=[committee.pk]),
        )

    def session_view(self, request, pk):
        committee = get_object_or_404(Committee, pk=pk)
        if not self.has_view_permission(request, committee):
            raise PermissionDenied
        # Acting on the committee needs the right to change it; viewing the session does not.
        allowed = (
            self.get_actions(request) if self.has_change_permission(request, committee) else {}
        )
        if request.method == "POST":
            # The admin action itself, on this committee (the warning before sending incomplete
            # dossiers comes back here: its form posts to this page).
            name = request.POST.get("action")
            if name not in self.session_actions or name not in allowed:
                raise PermissionDenied
            response = allowed[name].func(self, request, Committee.objects.filter(pk=pk))
            return response or redirect("admin:committees_committee_session", pk)
        session = selectors.committee_session(committee)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Séance — {committee}",
            "opts": self.model._meta,
            "committee": committee,
            "session": session,
            "actions": [
                (name, label, *self._session_action_state(name, session))
                for name, label in self.session_actions.items()
                if name in allowed
            ],
            "can_decide": request.user.has_perm("committees.add_decision"),
            "can_add_tranche": request.user.has_perm("budgets.add_tranche"),
        }
        return TemplateResponse(request, "admin/committees/session.html", context)

    @staticmethod
    def _session_action_state(name: str, session) -> tuple[bool, str]:
        """(possible today, why not): what the services will refuse, said before the click."""
        committee = session.committee
        status = committee.status
        open_states = (CommitteeStatus.PLANNED, CommitteeStatus.DOSSIERS_SENT)
        if name == "send_dossiers":
            if status not in open_states:
                return False, f"le comité est {committee.get_status_display().lower()}"
            if not session.items:
                return False, "aucun dossier à l'ordre du jour"
            if not session.unsent:
                return False, "tous les dossiers sont envoyés"
            return True, ""
        if not committee.has_taken_place:
            return False, f"à partir du {fr_date(committee.date)}, jour du comité"
        if name == "mark_held":
            if status not in open_states:
                return False, f"le comité est déjà {committee.get_status_display().lower()}"
            return True, ""
        if status == CommitteeStatus.CLOSED:
            return False, "le comité est déjà clos"
        if session.undecided:
            titles = ", ".join(item.startup.title for item in session.undecided)
            return False, f"sans décision : {titles}"
        return True, ""


@admin.register(Committee)
class CommitteeAdmin(CommitteeSessionMixin, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "date",
        "status",
        "pre_read_deadline",
        "dossier_count",
        "decided_count",
        "session_link",
    ]
    list_filter = ["status", "incubators"]
    date_hierarchy = "date"
    filter_horizontal = ["incubators", "invited_organisations"]
    inlines = [DossierInline]
    actions = ["send_dossiers", "mark_held", "close"]
    # The status moves only through the actions below, which check what each step needs
    # (dossiers frozen and partners told; no closing without every decision).
    readonly_fields = ["status", "dossiers_sent_at"]
    fields = [
        "date",
        "starts_at",
        "place",
        "video_link",
        "incubators",
        "chair",
        "invited_organisations",
        "status",
        "pre_read_deadline",
        "dossiers_sent_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                dossier_total=Count("dossiers", distinct=True),
                decided_total=Count(
                    "dossiers", filter=Q(dossiers__decision__isnull=False), distinct=True
                ),
            )
        )

    @admin.display(description="dossiers", ordering="dossier_total")
    def dossier_count(self, committee):
        return committee.dossier_total

    @admin.display(description="décisions", ordering="decided_total")
    def decided_count(self, committee):
        return committee.decided_total

    def save_formset(self, request, form, formset, change):
        # New agenda items go through the service, which pre-fills the last objectives.
        if formset.model is Dossier:
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            for dossier in instances:
                if dossier.pk:
                    dossier.save()
                else:
                    created = services.create_dossier(
                        committee=form.instance, startup=dossier.startup, by=request.user
                    )
                    if dossier.order:
                        created.order = dossier.order
                        created.save(update_fields=["order"])
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)

    @admin.action(
        description="Envoyer les dossiers (fige les instantanés, prévient les partenaires)"
    )
    def send_dossiers(self, request, queryset):
        # A warning, not a refusal: a committee may well take a dossier that is still thin.
        if not request.POST.get("confirm_incomplete"):
            dossiers = Dossier.objects.filter(
                committee__in=queryset, snapshot_at__isnull=True
            ).select_related("committee", "startup")
            incomplete = [(d, d.missing_parts()) for d in dossiers if d.missing_parts()]
            if incomplete:
                return TemplateResponse(
                    request,
                    "admin/committees/confirm_send.html",
                    {
                        **self.admin_site.each_context(request),
                        "title": "Envoyer des dossiers incomplets ?",
                        "committees": list(queryset),
                        "incomplete": incomplete,
                        "total": len(dossiers),
                    },
                )
        for committee in queryset:
            try:
                sent = services.send_dossiers(committee=committee, by=request.user, notify=_notify)
            except ValidationError as error:
                self.message_user(request, f"{committee} : {_errors(error)}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{committee} : {len(sent)} dossier(s) envoyé(s).", messages.SUCCESS
                )

    @admin.action(description="Marquer comme tenu")
    def mark_held(self, request, queryset):
        for committee in queryset:
            try:
                services.mark_held(committee=committee, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{committee} : {_errors(error)}", messages.ERROR)
            else:
                self.message_user(request, f"{committee} : tenu.", messages.SUCCESS)

    @admin.action(description="Clore (toutes les décisions doivent être prises)")
    def close(self, request, queryset):
        for committee in queryset:
            try:
                services.close_committee(committee=committee, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{committee} : {_errors(error)}", messages.ERROR)
            else:
                self.message_user(request, f"{committee} : clos.", messages.SUCCESS)


# --- Dossiers and decisions --------------------------------------------------------------------
class ReviewInline(admin.StackedInline):
    model = PartnerReview
    extra = 0
    fields = [
        "organisation",
        "author",
        "opinion",
        "questions",
        "comments",
        "answers",
        "submitted_at",
    ]
    readonly_fields = ["organisation", "author", "opinion", "questions", "comments", "submitted_at"]
    verbose_name_plural = "Avis des partenaires (l'équipe répond aux questions)"
    can_delete = False  # a partner's opinion is theirs: staff answer it, never remove it

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentForm(forms.ModelForm):
    upload = forms.FileField(
        label="fichier (PDF, .pptx, .odp, .ppt ; 20 Mo au plus)", required=False
    )

    class Meta:
        model = Attachment
        fields = []

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            services.check_attachment(upload)  # the same checks as the service, on the form
        return upload


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 0
    fields = ["upload", "original_name", "size", "uploaded_at"]
    readonly_fields = ["original_name", "size", "uploaded_at"]

    def get_fields(self, request, obj=None):
        return self.fields

    def has_change_permission(self, request, obj=None):
        return False


# The browser's date picker reads and writes ISO dates, whatever the page's language.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label="Décision", choices=DecisionKind.choices)
    effective_date = forms.DateField(label="Date d'effet", widget=DATE_INPUT)
    amount = forms.DecimalField(
        label="Montant décidé (€)",
        required=False,
        localize=True,  # « 300 000,00 » as staff type it
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
    )
    tranche = forms.ModelChoiceField(
        label="Tranche de convention pour l'allocation", queryset=None, required=False
    )
    period_start = forms.DateField(label="Période : début", required=False, widget=DATE_INPUT)
    period_end = forms.DateField(label="Période : fin", required=False, widget=DATE_INPUT)
    new_committee_date = forms.DateField(
        label="Nouveau comité (reconduction temporaire)",
        required=False,
        widget=DATE_INPUT,
    )
    objectives = forms.CharField(
        label="Objectifs pour le prochain comité (un par ligne)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    text = forms.CharField(
        label="Motivation", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        from budgets.models import Tranche

        super().__init__(*args, **kwargs)
        self.fields["tranche"].queryset = Tranche.objects.select_related("convention").order_by(
            "-available_on"
        )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "effective_date": data["effective_date"],
            "amount": data.get("amount") or None,
            "tranche": data.get("tranche"),
            "period_start": data.get("period_start"),
            "period_end": data.get("period_end"),
            "new_committee_date": data.get("new_committee_date"),
            "objectives": (data.get("objectives") or "").splitlines(),
            "text": data.get("text") or "",
        }


class DossierForm(forms.ModelForm):
    """Criteria and objectives as rows of cells, never JSON typed by hand."""

    previous_objectives = RowsField(
        label="Objectifs du dernier comité",
        columns=[
            Column("objective", "Objectif", size=40),
            Column("status", "État", choices=tuple(ObjectiveStatus.choices)),
            Column("comment", "Commentaire", size=40),
        ],
        extra=2,
    )
    success_criteria = RowsField(
        label="Critères de réussite",
        columns=[
            Column("criterion", "Critère", size=40),
            Column("kind", "Type", choices=tuple(CriterionKind.choices)),
            Column("target", "Cible", size=20),
        ],
    )

    class Meta:
        model = Dossier
        fields = ["previous_objectives", "success_criteria", "team_size"]  # the admin adds the rest
        widgets = {"team_size": forms.NumberInput(attrs={"step": "0.1", "min": "0.1"})}


@admin.register(Dossier)
class DossierAdmin(SimpleHistoryAdmin):
    form = DossierForm
    list_display = ["startup", "committee", "amount_requested", "decision_display"]
    list_select_related = ["startup", "committee", "decision"]
    list_filter = ["committee__status", "committee"]
    search_fields = ["startup__title", "startup__id"]
    autocomplete_fields = ["startup"]
    inlines = [ReviewInline, AttachmentInline]
    readonly_fields = ["snapshot_at", "indicators_display", "money_display", "decision_link"]
    fieldsets = [
        (None, {"fields": ["committee", "startup", "order", "decision_link"]}),
        (
            "Bilan",
            {"fields": ["problem", "past_strategy", "demo_link", "previous_objectives", "team"]},
        ),
        (
            "Perspectives",
            {
                "fields": [
                    "next_strategy",
                    "team_size",
                    "team_profiles",
                    "amount_requested",
                    "hypotheses",
                    "success_criteria",
                    "blockers",
                ]
            },
        ),
        (
            "Instantanés figés à l'envoi",
            {"fields": ["snapshot_at", "indicators_display", "money_display"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj:
            readonly += ["committee", "startup"]
        return readonly

    @admin.display(description="décision")
    def decision_display(self, dossier):
        decision = getattr(dossier, "decision", None)
        return decision.get_kind_display() if decision else "—"

    @admin.display(description="décision")
    def decision_link(self, dossier):
        if not dossier.pk:
            return ""
        decision = getattr(dossier, "decision", None)
        if decision:
            return f"{decision.get_kind_display()} (enregistrée le {fr_date(decision.recorded_at)})"
        return format_html(
            '<a class="button" href="{}">Enregistrer la décision…</a>',
            reverse("admin:committees_dossier_decide", args=[dossier.pk]),
        )

    @admin.display(description="indicateurs")
    def indicators_display(self, dossier):
        if not dossier.indicators_snapshot:
            return "—"
        rows = []
        for indicator in dossier.indicators_snapshot:
            last = indicator["values"][-1] if indicator["values"] else None
            value = f"{last['value']} ({last['period']})" if last else "aucune valeur"
            star = " — North Star" if indicator.get("north_star") else ""
            rows.append((indicator["name"], star, value))
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}{} : {}</li>", rows))

    @admin.display(description="budget")
    def money_display(self, dossier):
        money = dossier.money_snapshot
        if not money:
            return "—"
        return format_html(
            "Alloué {} € · engagé {} € · payé {} € · reste à payer {} €",
            money.get("allocated"), money.get("committed"), money.get("paid"), money.get("to_pay"),
        )  # fmt: skip

    def save_formset(self, request, form, formset, change):
        if formset.model is Attachment:
            # New files go through the service (checked, stored under a random name); the
            # admin's change message reads what was added and deleted.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for attachment_form in formset.forms:
                if formset._should_delete_form(attachment_form) and attachment_form.instance.pk:
                    attachment = attachment_form.instance
                    attachment.file.delete(save=False)
                    attachment.delete()
                    formset.deleted_objects.append(attachment)
                    continue
                upload = attachment_form.cleaned_data.get("upload")
                if upload and not attachment_form.instance.pk:
                    try:
                        formset.new_objects.append(
                            services.add_attachment(
                                dossier=form.instance, uploaded_file=upload, by=request.user
                            )
                        )
                    except ValidationError as error:
                        self.message_user(request, _errors(error), messages.ERROR)
            return
        super().save_formset(request, form, formset, change)

    def get_urls(self):
        return [
            path(
                "<int:pk>/decision/",
                self.admin_site.admin_view(self.decide_view),
                name="committees_dossier_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        """Record a decision in two steps: preview its consequences, then confirm; then on to
        the next dossier of the session without a decision (or back to the session)."""
        # Refused before the lookup: without the permission, whether the dossier exists is not
        # told either (403 for any id).
        if not request.user.has_perm("committees.add_decision"):
            raise PermissionDenied
        dossier = get_object_or_404(Dossier.objects.select_related("startup", "committee"), pk=pk)
        place = selectors.agenda_place(dossier)
        decision = getattr(dossier, "decision", None)
        form = consequences = money = None
        if decision is None:
            form = DecisionForm(request.POST or None, initial=self._decision_initial(dossier))
        if form is not None and request.method == "POST" and form.is_valid():
            arguments = form.service_arguments()
            try:
                if "confirm" in request.POST:
                    services.record_decision(dossier=dossier, by=request.user, **arguments)
                    return self._after_decision(request, dossier, place)
                consequences = services.decision_consequences(
                    dossier=dossier,
                    kind=arguments["kind"],
                    effective_date=arguments["effective_date"],
                    amount=arguments["amount"],
                    tranche=arguments["tranche"],
                    new_committee_date=arguments["new_committee_date"],
                )
                money = selectors.decision_money(
                    dossier=dossier, kind=arguments["kind"], amount=arguments["amount"]
                )
            except ValidationError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Décision — {dossier.startup.title}, comité du {fr_date(dossier.committee.date)}",
            "dossier": dossier,
            "decision": decision,
            "form": form,
            "consequences": consequences,
            "money": money,
            "place": place,
            "opts": self.model._meta,
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/committees/decide.html", context)

    @staticmethod
    def _decision_initial(dossier) -> dict:
        # The tranche of the startup's latest allocation: where its money has come from so far.
        from budgets.models import Allocation

        latest = (
            Allocation.objects.filter(startup_id=dossier.startup_id)
            .order_by("-tranche__available_on", "-pk")
            .values_list("tranche_id", flat=True)
            .first()
        )
        return {
            "effective_date": dossier.committee.date,
            "amount": dossier.amount_requested,
            "tranche": latest,
        }

    def _after_decision(self, request, dossier, place):
        """On to the next dossier without a decision; the session once they are all decided."""
        following = place.next_undecided
        if following is None:
            self.message_user(
                request,
                f"Décision enregistrée pour {dossier.startup.title}. Tous les dossiers du comité "
                "ont leur décision : le comité peut être clos.",
                messages.SUCCESS,
            )
            return redirect("admin:committees_committee_session", dossier.committee_id)
        self.message_user(
            request,
            f"Décision enregistrée pour {dossier.startup.title}. Dossier suivant sans décision : "
            f"{following.startup.title}.",
            messages.SUCCESS,
        )
        return redirect("admin:committees_dossier_decide", following.pk)


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["dossier", "kind", "amount", "effective_date", "next_committee_due"]
    list_select_related = ["dossier__startup", "dossier__committee"]
    list_filter = ["kind"]
    search_fields = ["dossier__startup__title"]

    def has_add_permission(self, request):
        return False  # through "Enregistrer la décision" on a dossier, with its consequences

    def has_change_permission(self, request, obj=None):
        return False  # a decision is history: record a new one at the next committee

    def has_delete_permission(self, request, obj=None):
        return False


# --- Partner accounts --------------------------------------------------------------------------
class PartnerMembershipInline(admin.TabularInline):
    model = PartnerMembership
    extra = 1
    autocomplete_fields = ["organisation"]
    verbose_name_plural = "Organisations (compte partenaire)"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortfolioUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, PartnerMembershipInline]
    list_display = ["username", "email", "first_name", "last_name", "is_staff"]
