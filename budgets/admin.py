"""Staff admin over budgets. Every save goes through `budgets.services`.

The forms run the service's check (which locks the parent row) after the model validation:
the admin wraps each change page in one transaction, so the lock taken while validating holds
until the save, and a refused entry shows the service's French message on the form.
Children are listed read-only on their parent's page, with a link to add one (prefilled).
"""

import tablib
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import TruncMonth
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from import_export import fields, resources, widgets
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from budgets import imports, services
from budgets.models import (
    Allocation,
    Amendment,
    Commitment,
    Convention,
    Payment,
    Tranche,
)
from budgets.report import current_month, monthly_report, parse_month, report_csv
from publishing.exports import SPREADSHEET_BOM, neutralise, spreadsheet_cell
from publishing.formats import euros, fr_date

# Figures tables, refused import lines, report columns: no inline style (the CSP forbids them).
STYLESHEET = "budgets/admin.css"


# --- Forms that go through the services ----------------------------------------------------
class ServiceCheckedForm(forms.ModelForm):
    """Runs `check` (a `budgets.services.check_*`) on the instance once the model is valid."""

    check = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors or type(self).check is None:
            return
        try:
            type(self).check(self.instance)
        except ValidationError as error:
            self.add_error(None, error)


def checked_form(model, check):
    return type(
        f"{model.__name__}Form",
        (ServiceCheckedForm,),
        {
            "check": staticmethod(check),
            # French decimals: staff type "1 234,56".
            "Meta": type(
                "Meta", (), {"model": model, "fields": "__all__", "localized_fields": "__all__"}
            ),
        },
    )


class FigureColumnsMixin:
    """List columns of the sums that `with_figures()` annotates (allocated, committed, paid)."""

    @admin.display(description="alloué", ordering="allocated_total")
    def allocated_display(self, obj):
        return euros(obj.allocated_total)

    @admin.display(description="engagé", ordering="committed_total")
    def committed_display(self, obj):
        return euros(obj.committed_total)

    @admin.display(description="payé", ordering="paid_total")
    def paid_display(self, obj):
        return euros(obj.paid_total)


class ServiceAdmin(SimpleHistoryAdmin):
    """Saves through `save_service(model_instance, by=user)`; deletes through the service."""

    save_service = None

    class Media:
        css = {"all": [STYLESHEET]}

    def save_model(self, request, obj, form, change):
        type(self).save_service(obj, by=request.user)

    def delete_model(self, request, obj):
        services.delete(instance=obj, by=request.user)


def figures_rows(rows: list[tuple[str, object]]) -> str:
    """<tr>s of a label and an amount; a row whose amount is None is a sub-heading."""
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    "<tr><th scope='row' colspan='2' class='subheading'>{}</th></tr>", label
                )
                if value is None
                else format_html(
                    "<tr><th scope='row'>{}</th><td class='amount'>{}</td></tr>",
                    label,
                    euros(value),
                ),
            )
            for label, value in rows
        ),
    )


def figures_table(figures, extra: list[tuple[str, object]] = ()) -> str:
    rows = [
        *extra,
        ("Alloué", figures.allocated),
        ("Engagé (AE consommées)", figures.committed),
        ("Payé (CP consommés)", figures.paid),
        ("Reste à payer (engagé − payé)", figures.to_pay),
        ("Disponible (alloué − engagé)", figures.available),
        ("Rythme (CP payés / mois, 3 derniers mois)", figures.monthly_burn),
    ]
    runs_out = figures.runs_out_on
    end = fr_date(runs_out) if runs_out else "pas de dépense récente"
    if runs_out is None and figures.paid_recently > 0 and figures.allocated:
        # Spending, but so slow that the day is past the calendar (runs_out_on is None).
        end = "au-delà de l'an 9999 à ce rythme"
    return format_html(
        "<table class='budgets-figures'><tbody>{}"
        "<tr><th scope='row'>Argent épuisé à ce rythme le</th><td>{}</td></tr></tbody></table>",
        figures_rows(rows),
        end,
    )


def commitment_figures_table(commitment, allocation) -> str:
    """A commitment's own money (amount, paid, reste à payer), then its allocation's figures,
    labelled as such: a commitment has nothing « allocated » nor « available » of its own."""
    figures, of_allocation = commitment.figures, allocation.figures
    rows = [
        ("Montant de l'engagement (AE)", commitment.amount),
        ("Payé sur cet engagement (CP)", figures.paid),
        ("Reste à payer sur cet engagement", figures.to_pay),
        (f"Son allocation : {allocation}", None),
        ("Montant de l'allocation", of_allocation.allocated),
        ("Engagé sur l'allocation (tous ses engagements)", of_allocation.committed),
        ("Payé sur l'allocation", of_allocation.paid),
        ("Reste à payer sur l'allocation", of_allocation.to_pay),
        ("Disponible sur l'allocation (alloué − engagé)", of_allocation.available),
    ]
    return format_html(
        "<table class='budgets-figures'><tbody>{}</tbody></table>", figures_rows(rows)
    )


def children_list(queryset, describe, add_url: str, add_label: str) -> str:
    items = format_html_join(
        "",
        "<li><a href='{}'>{}</a></li>",
        (
            (reverse(f"admin:budgets_{o._meta.model_name}_change", args=[o.pk]), describe(o))
            for o in queryset
        ),
    )
    return format_html(
        "<ul>{}</ul><p><a class='addlink' href='{}'>{}</a></p>", items, add_url, add_label
    )


# --- Filters ----------------------------------------------------------------------------------
class MonthFilter(admin.SimpleListFilter):
    title = "mois"
    parameter_name = "mois"
    date_field = "committed_on"

    def lookups(self, request, model_admin):
        months = (
            model_admin.model.objects.annotate(m=TruncMonth(self.date_field))
            .order_by("-m")
            .values_list("m", flat=True)
            .distinct()
        )
        return [(f"{m:%Y-%m}", f"{m:%m/%Y}") for m in months]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            month = parse_month(self.value())
        except ValueError:
            return queryset
        return queryset.filter(
            **{f"{self.date_field}__year": month.year, f"{self.date_field}__month": month.month}
        )


class PaymentMonthFilter(MonthFilter):
    date_field = "paid_on"


# --- Export (CSV / XLSX) ----------------------------------------------------------------------
class SafeResource(resources.ModelResource):
    """Every exported text cell a spreadsheet would run as a formula gets a leading `'`."""

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))


class AmountWidget(widgets.Widget):
    """The Decimal itself: a number in XLSX, « 1234.56 » in CSV."""

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class KeepCellsAsExported:
    """The resource already neutralised the cells (`SafeResource`): the library's own
    IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT would strip a leading `=` and turn every cell,
    numbers included, into text."""

    def _escape_formulae(self, dataset):
        return None


class ExportCSV(KeepCellsAsExported, CSV):
    """For a French spreadsheet: `;` between cells, a BOM (or accents come out garbled), amounts
    with a decimal comma (or they are read as text or as dates)."""

    def export_data(self, dataset, **kwargs):
        french = tablib.Dataset(
            *[tuple(spreadsheet_cell(value) for value in row) for row in dataset],
            headers=dataset.headers,
        )
        return SPREADSHEET_BOM + super().export_data(french, delimiter=";", **kwargs)


class ExportXLSX(KeepCellsAsExported, XLSX):
    pass


class CommitmentResource(SafeResource):
    convention = fields.Field("allocation__tranche__convention__reference", "convention")
    tranche = fields.Field("allocation__tranche__number", "tranche")
    beneficiary = fields.Field("allocation__beneficiary", "bénéficiaire")
    committed_on = fields.Field("committed_on", "date")
    supplier = fields.Field("supplier", "fournisseur")
    purchase_order = fields.Field("purchase_order", "bon de commande")
    public_contract = fields.Field("get_public_contract_display", "marché")
    activity = fields.Field("get_activity_display", "activité")
    # Not named `resource`: the export form has a field of that name.
    resource_kind = fields.Field("get_resource_display", "ressource")
    amount = fields.Field("amount", "montant", widget=AmountWidget())
    tax_basis = fields.Field("tax_basis", "HT/TTC")
    label = fields.Field("label", "objet")

    class Meta:
        model = Commitment
        fields = (
            "convention",
            "tranche",
            "beneficiary",
            "committed_on",
            "supplier",
            "purchase_order",
            "public_contract",
            "activity",
            "resource_kind",
            "amount",
            "tax_basis",
            "label",
        )

    def get_queryset(self):
        return Commitment.objects.select_related(
            "allocation__tranche__convention", "allocation__startup"
        )


class PaymentResource(SafeResource):
    purchase_order = fields.Field("commitment__purchase_order", "bon de commande")
    beneficiary = fields.Field("commitment__allocation__beneficiary", "bénéficiaire")
    service_done_on = fields.Field("service_done_on", "service fait")
    paid_on = fields.Field("paid_on", "date de paiement")
    amount = fields.Field("amount", "montant", widget=AmountWidget())
    reference = fields.Field("reference", "référence")

    class Meta:
        model = Payment
        fields = (
            "purchase_order",
            "beneficiary",
            "service_done_on",
            "paid_on",
            "amount",
            "reference",
        )

    def get_queryset(self):
        return Payment.objects.select_related("commitment__allocation__startup")


class SpreadsheetForm(forms.Form):
    file = forms.FileField(label="Tableur (CSV en UTF-8 ou XLSX)")


class ImportViewMixin:
    """An « Importer un tableur » page reporting each line."""

    import_function = None
    import_columns: list[str] = []
    import_choice_columns: list[str] = []

    def get_urls(self):
        name = f"budgets_{self.model._meta.model_name}_import_spreadsheet"
        return [
            path("importer/", self.admin_site.admin_view(self.import_view), name=name),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SpreadsheetForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                dataset = imports.read_spreadsheet(upload.name, upload.read())
            except (imports.LineError, Exception) as exc:  # noqa: BLE001 - unreadable file
                form.add_error("file", f"Fichier illisible : {exc}")
            else:
                report = type(self).import_function(dataset, by=request.user)
                level = messages.WARNING if report.refused else messages.SUCCESS
                self.message_user(request, report.summary(), level)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Importer des {self.model._meta.verbose_name_plural} depuis un tableur",
            "form": form,
            "report": report,
            "columns": self.import_columns,
            "choice_columns": self.import_choice_columns,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/budgets/import.html", context)


# --- Conventions ------------------------------------------------------------------------------
@admin.register(Convention)
class ConventionAdmin(FigureColumnsMixin, ServiceAdmin):
    form = checked_form(Convention, services.check_convention)
    save_service = staticmethod(lambda obj, by: services.save_convention(convention=obj, by=by))
    list_display = [
        "reference",
        "title",
        "delegant",
        "status",
        "start",
        "end",
        "ceiling_display",
        "committed_display",
        "paid_display",
    ]
    list_select_related = ["delegant"]
    list_filter = ["status", "kind", ("delegant", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reference", "title", "uo"]
    autocomplete_fields = ["delegant", "delegataire"]
    readonly_fields = [
        "figures_display",
        "amendments_display",
        "tranches_display",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "title", "kind", "status", "delegant", "delegataire"]}),
        ("Période et plafond", {"fields": ["signed_on", "start", "end", "ceiling"]}),
        (
            "Références Chorus",
            {
                "fields": [
                    "programme",
                    "bop",
                    "uo",
                    "financial_centre",
                    "functional_domain",
                    "activity",
                    "cost_centre",
                ]
            },
        ),
        ("Chiffres", {"fields": ["figures_display", "amendments_display", "tranches_display"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_figures().prefetch_related("amendments")

    def get_urls(self):
        return [
            path(
                "rapport-mensuel/",
                self.admin_site.admin_view(self.report_view),
                name="budgets_monthly_report",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="plafond (avenants compris)")
    def ceiling_display(self, convention):
        return euros(convention.current_ceiling)

    @admin.display(description="chiffres")
    def figures_display(self, convention):
        if not convention.pk:
            return "—"
        return figures_table(
            convention.figures,
            [
                ("Plafond (avenants compris)", convention.current_ceiling),
                ("Tranches mises à disposition (AE)", convention.released_total),
                ("Tranches mises à disposition (CP)", convention.released_cp_total),
            ],
        )

    @admin.display(description="avenants")
    def amendments_display(self, convention):
        if not convention.pk:
            return "—"
        add = reverse("admin:budgets_amendment_add") + f"?convention={convention.pk}"
        return children_list(convention.amendments.all(), str, add, "Ajouter un avenant")

    @admin.display(description="tranches")
    def tranches_display(self, convention):
        if not convention.pk:
            return "—"
        add = reverse("admin:budgets_tranche_add") + f"?convention={convention.pk}"

        def describe(t):
            return (
                f"Tranche {t.number} du {fr_date(t.available_on)} : {euros(t.ae_amount, plain=True)} AE, "
                f"alloué {euros(t.figures.allocated, plain=True)}, engagé {euros(t.figures.committed, plain=True)}, "
                f"payé {euros(t.figures.paid, plain=True)}"
            )

        return children_list(
            convention.tranches.with_figures(), describe, add, "Ajouter une tranche"
        )

    def report_view(self, request):
        conventions = Convention.objects.order_by("-start")
        convention = (
            conventions.filter(pk=request.GET.get("convention") or 0).first() or conventions.first()
        )
        try:
            month = parse_month(request.GET["mois"]) if request.GET.get("mois") else current_month()
        except ValueError as exc:
            messages.error(request, str(exc))
            month = current_month()
        report = monthly_report(convention, month) if convention else None
        if report and request.GET.get("format") == "csv":
            response = HttpResponse(
                SPREADSHEET_BOM + report_csv(report), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="rapport-{convention.reference}-{month:%Y-%m}.csv"'
            )
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": "Rapport mensuel",
            "conventions": conventions,
            "convention": convention,
            "month": month,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/budgets/monthly_report.html", context)


@admin.register(Amendment)
class AmendmentAdmin(ServiceAdmin):
    form = checked_form(Amendment, services.check_amendment)
    save_service = staticmethod(lambda obj, by: services.save_amendment(amendment=obj, by=by))
    list_display = ["__str__", "convention", "new_ceiling", "new_end"]
    list_select_related = ["convention"]
    list_filter = [("convention", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["convention"]
    fields = ["convention", "number", "signed_on", "new_ceiling", "new_end", "reason"]


# --- Tranches ---------------------------------------------------------------------------------
@admin.register(Tranche)
class TrancheAdmin(FigureColumnsMixin, ServiceAdmin):
    form = checked_form(Tranche, services.check_tranche)
    save_service = staticmethod(lambda obj, by: services.save_tranche(tranche=obj, by=by))
    list_display = [
        "__str__",
        "available_on",
        "ae_amount",
        "cp_amount",
        "allocated_display",
        "committed_display",
        "paid_display",
    ]
    list_select_related = ["convention"]
    list_filter = [("convention", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["convention__reference", "decision_reference"]
    autocomplete_fields = ["convention"]
    readonly_fields = ["figures_display", "allocations_display"]
    fields = [
        "convention",
        "number",
        "available_on",
        "ae_amount",
        "cp_amount",
        "decision_reference",
        "figures_display",
        "allocations_display",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_figures()

    @admin.display(description="chiffres")
    def figures_display(self, tranche):
        if not tranche.pk:
            return "—"
        return figures_table(
            tranche.figures,
            [("AE de la tranche", tranche.ae_amount), ("CP de la tranche", tranche.cp_amount)],
        )

    @admin.display(description="allocations")
    def allocations_display(self, tranche):
        if not tranche.pk:
            return "—"
        add = reverse("admin:budgets_allocation_add") + f"?tranche={tranche.pk}"
        return children_list(
            tranche.allocations.with_figures().select_related("startup"),
            lambda a: (
                f"{a.beneficiary} : {euros(a.amount, plain=True)}, engagé {euros(a.figures.committed, plain=True)}"
            ),
            add,
            "Ajouter une allocation",
        )


# --- Allocations ------------------------------------------------------------------------------
class AllocationForm(checked_form(Allocation, services.check_allocation)):
    correction = forms.CharField(
        label="Motif de la correction",
        required=False,
        max_length=90,
        help_text="Seulement pour une allocation décidée en comité : dites pourquoi elle change "
        "(l'historique le garde). Sinon, passez par une nouvelle décision.",
    )

    def _post_clean(self):
        self.instance._correction = self.cleaned_data.get("correction", "")
        super()._post_clean()


@admin.register(Allocation)
class AllocationAdmin(FigureColumnsMixin, ServiceAdmin):
    form = AllocationForm
    save_service = staticmethod(lambda obj, by: services.save_allocation(allocation=obj, by=by))
    list_display = ["__str__", "amount", "committed_display", "paid_display", "available_display"]
    list_select_related = ["tranche__convention", "startup"]
    list_filter = [
        ("tranche__convention", admin.RelatedOnlyFieldListFilter),
        ("startup", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["startup__title", "startup__id", "workstream", "purpose"]
    autocomplete_fields = ["tranche", "startup"]
    readonly_fields = ["figures_display", "commitments_display"]
    fields = [
        "tranche",
        "startup",
        "workstream",
        "amount",
        "purpose",
        "period_start",
        "period_end",
        "correction",
        "decided",
        "figures_display",
        "commitments_display",
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "decided"]

    def get_fields(self, request, obj=None):
        fields = list(self.fields)
        return (
            fields if obj is not None and obj.decided else [f for f in fields if f != "correction"]
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.decided)

    def get_queryset(self, request):
        return super().get_queryset(request).with_figures()

    @admin.display(description="disponible")
    def available_display(self, allocation):
        return euros(allocation.figures.available)

    @admin.display(description="chiffres")
    def figures_display(self, allocation):
        return figures_table(allocation.figures) if allocation.pk else "—"

    @admin.display(description="engagements")
    def commitments_display(self, allocation):
        if not allocation.pk:
            return "—"
        add = reverse("admin:budgets_commitment_add") + f"?allocation={allocation.pk}"
        return children_list(
            allocation.commitments.all(),
            lambda c: f"{c} : {c.supplier}, {euros(c.amount, plain=True)} {c.tax_basis}",
            add,
            "Ajouter un engagement",
        )


# --- Commitments ------------------------------------------------------------------------------
@admin.register(Commitment)
class CommitmentAdmin(FigureColumnsMixin, ImportViewMixin, ExportMixin, ServiceAdmin):
    form = checked_form(Commitment, services.check_commitment)
    save_service = staticmethod(lambda obj, by: services.save_commitment(commitment=obj, by=by))
    resource_classes = [CommitmentResource]
    export_formats = [ExportCSV, ExportXLSX]
    import_function = staticmethod(imports.import_commitments)
    import_columns = imports.COMMITMENT_COLUMNS
    import_choice_columns = imports.COMMITMENT_CHOICE_COLUMNS
    list_display = [
        "__str__",
        "beneficiary",
        "supplier",
        "activity",
        "resource",
        "amount",
        "tax_basis",
        "paid_display",
    ]
    list_select_related = ["allocation__startup", "allocation__tranche__convention"]
    list_filter = [
        ("allocation__tranche__convention", admin.RelatedOnlyFieldListFilter),
        ("allocation__startup", admin.RelatedOnlyFieldListFilter),
        "activity",
        "resource",
        "public_contract",
        MonthFilter,
    ]
    search_fields = [
        "purchase_order",
        "supplier",
        "label",
        "allocation__startup__title",
        "allocation__workstream",
    ]
    date_hierarchy = "committed_on"
    autocomplete_fields = ["allocation"]
    readonly_fields = ["figures_display", "payments_display"]
    fields = [
        "allocation",
        "committed_on",
        "label",
        "supplier",
        "purchase_order",
        "public_contract",
        "activity",
        "resource",
        "amount",
        "tax_basis",
        "references_public",
        "figures_display",
        "payments_display",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_figures()

    @admin.display(description="bénéficiaire")
    def beneficiary(self, commitment):
        return commitment.allocation.beneficiary

    @admin.display(description="chiffres")
    def figures_display(self, commitment):
        if not commitment.pk:
            return "—"
        allocation = (
            Allocation.objects.with_figures()
            .select_related("startup", "tranche__convention")
            .get(pk=commitment.allocation_id)
        )
        return commitment_figures_table(commitment, allocation)

    @admin.display(description="paiements")
    def payments_display(self, commitment):
        if not commitment.pk:
            return "—"
        add = reverse("admin:budgets_payment_add") + f"?commitment={commitment.pk}"
        return children_list(
            commitment.payments.all(),
            lambda p: (
                f"{p} : {euros(p.amount, plain=True)} (service fait le {fr_date(p.service_done_on)})"
            ),
            add,
            "Ajouter un paiement",
        )


# --- Payments ---------------------------------------------------------------------------------
@admin.register(Payment)
class PaymentAdmin(ImportViewMixin, ExportMixin, ServiceAdmin):
    form = checked_form(Payment, services.check_payment)
    save_service = staticmethod(lambda obj, by: services.save_payment(payment=obj, by=by))
    resource_classes = [PaymentResource]
    export_formats = [ExportCSV, ExportXLSX]
    import_function = staticmethod(imports.import_payments)
    import_columns = imports.PAYMENT_COLUMNS
    list_display = ["__str__", "commitment", "beneficiary", "service_done_on", "amount"]
    list_select_related = ["commitment__allocation__startup"]
    list_filter = [
        ("commitment__allocation__tranche__convention", admin.RelatedOnlyFieldListFilter),
        ("commitment__allocation__startup", admin.RelatedOnlyFieldListFilter),
        "commitment__activity",
        "commitment__resource",
        PaymentMonthFilter,
    ]
    search_fields = ["reference", "commitment__purchase_order", "commitment__supplier"]
    date_hierarchy = "paid_on"
    autocomplete_fields = ["commitment"]
    fields = ["commitment", "service_done_on", "paid_on", "amount", "reference"]

    @admin.display(description="bénéficiaire")
    def beneficiary(self, payment):
        return payment.commitment.allocation.beneficiary
