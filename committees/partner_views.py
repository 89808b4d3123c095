"""The partner space (/partenaires/): the committees, dossiers and decisions of the startups a
partner's organisations sponsor, and the review form.

Every object goes through one helper per kind (`get_dossier_for_partner`, ...) that answers 404
for anything the person may not see, and does the `select_related` at the same time, so no view
forgets either. Who may see what is decided in one place, `PartnerAccess`: partners by their
organisations, staff by explicit permissions (never by `is_staff` alone). Nothing here is
cached: pages depend on who asks.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from committees import services
from committees.forms import ReviewForm
from committees.models import (
    Attachment,
    Decision,
    Dossier,
    ObjectiveStatus,
    PartnerReview,
)
from publishing.formats import euros, fr_date
from startups.models import Organisation, Startup


# --- Access ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PartnerAccess:
    """What one person may read in the partner space, decided once per request, here only.

    - A partner (a `PartnerMembership`) reads the dossiers of the startups its organisations
      sponsor, with their attachments, and the reviews of its own organisations.
    - Staff read there what the dossier's admin page would show them, by the same Django
      permissions: every dossier with `committees.view_dossier`; with it, every organisation's
      review with `committees.view_partnerreview` and every attachment with
      `committees.view_attachment` (the admin shows reviews and attachments as inlines of the
      dossier). Being staff grants nothing by itself: a staff account without these
      permissions is sent to the login page, as a partner without organisation. Superusers
      hold every permission.

    Both add up: a staff member who is also a partner keeps its organisations' dossiers.
    """

    user: object
    organisations: list[Organisation]
    every_dossier: bool = False
    every_review: bool = False
    every_attachment: bool = False

    @classmethod
    def of(cls, user) -> "PartnerAccess":
        organisations = list(
            Organisation.objects.filter(partner_memberships__user=user).order_by("name")
        )

        def staff_may(permission: str) -> bool:
            return user.is_staff and user.has_perm(permission)

        every_dossier = staff_may("committees.view_dossier")
        return cls(
            user,
            organisations,
            every_dossier=every_dossier,
            every_review=every_dossier and staff_may("committees.view_partnerreview"),
            every_attachment=every_dossier and staff_may("committees.view_attachment"),
        )

    @property
    def allowed(self) -> bool:
        return bool(self.organisations) or self.every_dossier

    def dossiers(self):
        if self.every_dossier:
            return Dossier.objects.all()
        return Dossier.objects.visible_to_partner(self.user)

    def attachments(self):
        """Attachments of the dossiers the person's organisations sponsor (all with the
        permission)."""
        if self.every_attachment:
            return Attachment.objects.all()
        return Attachment.objects.filter(
            dossier__in=Dossier.objects.visible_to_partner(self.user).values("pk")
        )

    def reviews(self):
        """Reviews of the person's organisations (every organisation's with the permission)."""
        if self.every_review:
            return PartnerReview.objects.all()
        return PartnerReview.objects.filter(organisation__in=self.organisations)


def partner_required(view):
    """Someone the partner space answers to (see `PartnerAccess`); anyone else (anonymous, or
    an account with neither organisation nor permission) goes to the login page.

    Sets `request.partner_access`, and `request.partner_organisations` (the organisations the
    person belongs to).
    """

    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access = PartnerAccess.of(user)
        if not access.allowed:
            # As the admin does for a non-staff account: log in with one that has access.
            return redirect_to_login(request.get_full_path())
        request.partner_access = access
        request.partner_organisations = access.organisations
        return view(request, *args, **kwargs)

    return wrapper


def get_dossier_for_partner(access: PartnerAccess, pk: int) -> Dossier:
    return get_object_or_404(
        access.dossiers().select_related("committee", "startup", "decision"), pk=pk
    )


def get_attachment_for_partner(access: PartnerAccess, pk: int) -> Attachment:
    return get_object_or_404(access.attachments().select_related("dossier"), pk=pk)


def reviews_for(access: PartnerAccess, dossier: Dossier) -> list[PartnerReview]:
    return list(
        access.reviews()
        .filter(dossier=dossier)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def decision_of(dossier: Dossier) -> Decision | None:
    try:
        return dossier.decision
    except Decision.DoesNotExist:
        return None


def reviewing_organisations(request: HttpRequest, dossier: Dossier) -> list[Organisation]:
    """The person's organisations that sponsor the dossier's startup: those it can review for."""
    sponsors = set(
        Startup.sponsors.through.objects.filter(startup_id=dossier.startup_id).values_list(
            "organisation_id", flat=True
        )
    )
    return [org for org in request.partner_organisations if org.pk in sponsors]


# --- Display helpers ------------------------------------------------------------------------
def number(value) -> str:
    if value in (None, ""):
        return "—"
    try:
        return number_format(Decimal(value), force_grouping=True)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def money(value) -> str:
    if value in (None, ""):
        return "—"
    try:
        return euros(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def french_day(iso_day: str | None) -> str:
    if not iso_day:
        return "—"
    try:
        return fr_date(timezone.datetime.fromisoformat(iso_day).date())
    except ValueError:
        return iso_day


MONEY_ROWS = [
    ("allocated", "Alloué"),
    ("committed", "Engagé (AE)"),
    ("paid", "Payé (CP)"),
    ("to_pay", "Reste à payer (AE engagées − CP payés)"),
    ("available", "Disponible"),
    ("monthly_burn", "Dépense mensuelle moyenne"),
]


def money_table(snapshot: dict) -> dict | None:
    if not snapshot:
        return None
    return {
        "on": french_day(snapshot.get("on")),
        "rows": [(label, money(snapshot.get(key))) for key, label in MONEY_ROWS],
        "runs_out_on": french_day(snapshot.get("runs_out_on"))
        if snapshot.get("runs_out_on")
        else None,
    }


def indicator_rows(snapshot: list) -> list[dict]:
    rows = []
    for item in snapshot or []:
        values = item.get("values") or []
        unit = item.get("unit") or ""
        rows.append(
            {
                "name": item.get("name", ""),
                "unit": unit,
                "category": item.get("category", ""),
                "north_star": item.get("north_star", False),
                "last": f"{number(values[-1]['value'])} ({values[-1]['period']})"
                if values
                else "—",
                "target": number(item.get("target"))
                + (f" au {french_day(item['target_date'])}" if item.get("target_date") else "")
                if item.get("target") is not None
                else "—",
                "history": [(v.get("period", ""), number(v.get("value"))) for v in values],
            }
        )
    return rows


def objective_rows(objectives: list) -> list[dict]:
    labels = dict(ObjectiveStatus.choices)
    return [
        {
            "objective": item.get("objective", ""),
            "status": item.get("status", ""),
            "status_label": labels.get(item.get("status", ""), "À évaluer"),
            "comment": item.get("comment", ""),
        }
        for item in objectives or []
    ]


CRITERION_KINDS = {"quantitative": "quantitatif", "qualitative": "qualitatif"}


def criteria_rows(criteria: list) -> list[dict]:
    return [
        {
            "criterion": item.get("criterion", ""),
            "kind": CRITERION_KINDS.get(item.get("kind", ""), item.get("kind", "")),
            "target": item.get("target", ""),
        }
        for item in criteria or []
    ]


def breadcrumb(*links: tuple[str, str], current: str) -> dict:
    return {"links": [{"url": url, "title": title} for url, title in links], "current": current}


def home_link() -> tuple[str, str]:
    return (reverse("committees:partner_home"), "Espace partenaires")


# --- Views ----------------------------------------------------------------------------------
@partner_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The committees with my dossiers, upcoming first, and whether my organisations reviewed."""
    access = request.partner_access
    dossiers = list(
        access.dossiers()
        .select_related("committee", "startup", "decision")
        .only(
            "pk",
            "order",
            "committee__date",
            "committee__starts_at",
            "committee__place",
            "committee__status",
            "committee__pre_read_deadline",
            "startup__id",
            "startup__title",
            "decision__kind",
            "decision__amount",
        )
        .order_by("committee__date", "order", "startup__title")
    )
    my_orgs = {org.pk: org for org in request.partner_organisations}
    dossier_ids = [dossier.pk for dossier in dossiers]
    reviewed = defaultdict(set)
    for dossier_id, organisation_id in (
        access.reviews()
        .filter(dossier_id__in=dossier_ids)
        .values_list("dossier_id", "organisation_id")
    ):
        reviewed[dossier_id].add(organisation_id)
    sponsors = defaultdict(set)
    for startup_id, organisation_id in Startup.sponsors.through.objects.filter(
        startup_id__in={dossier.startup_id for dossier in dossiers},
        organisation_id__in=list(my_orgs),
    ).values_list("startup_id", "organisation_id"):
        sponsors[startup_id].add(organisation_id)

    today = timezone.localdate()
    committees: dict[int, dict] = {}
    for dossier in dossiers:
        committee = dossier.committee
        entry = committees.setdefault(committee.pk, {"committee": committee, "dossiers": []})
        mine = sponsors.get(dossier.startup_id, set())
        entry["dossiers"].append(
            {
                "dossier": dossier,
                "decision": decision_of(dossier),
                "reviewed_by": [
                    my_orgs[pk] for pk in sorted(reviewed[dossier.pk]) if pk in my_orgs
                ],
                "to_review": [my_orgs[pk] for pk in sorted(mine - reviewed[dossier.pk])],
                "review_count": len(reviewed[dossier.pk]),
            }
        )
    upcoming = [c for c in committees.values() if c["committee"].date >= today]
    past = sorted(
        (c for c in committees.values() if c["committee"].date < today),
        key=lambda c: c["committee"].date,
        reverse=True,
    )
    return render(
        request,
        "committees/partner_home.html",
        {
            "title": "Espace partenaires",
            "upcoming": upcoming,
            "past": past,
            "organisations": request.partner_organisations,
            "breadcrumb_data": breadcrumb(current="Espace partenaires"),
        },
    )


@partner_required
@require_safe
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = request.partner_access
    dossier = get_dossier_for_partner(access, pk)
    committee, startup = dossier.committee, dossier.startup
    attachments = list(access.attachments().filter(dossier=dossier))
    return render(
        request,
        "committees/partner_dossier.html",
        {
            "title": f"Dossier de {startup.title} — comité du {fr_date(committee.date)}",
            "dossier": dossier,
            "committee": committee,
            "startup": startup,
            "decision": decision_of(dossier),
            "missing_parts": dossier.missing_parts(),
            "amount_requested": money(dossier.amount_requested),
            "objectives": objective_rows(dossier.previous_objectives),
            "criteria": criteria_rows(dossier.success_criteria),
            "indicators": indicator_rows(dossier.indicators_snapshot),
            "money": money_table(dossier.money_snapshot),
            "attachments": attachments,
            "reviews": reviews_for(access, dossier),
            "can_review": bool(reviewing_organisations(request, dossier)),
            "organisations": request.partner_organisations,
            "breadcrumb_data": breadcrumb(home_link(), current=f"Dossier de {startup.title}"),
        },
    )


@partner_required
@require_http_methods(["GET", "HEAD", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """My organisation's review of a dossier, until the pre-read deadline."""
    dossier = get_dossier_for_partner(request.partner_access, pk)
    committee = dossier.committee
    organisations = reviewing_organisations(request, dossier)
    existing = {
        review.organisation_id: review
        for review in PartnerReview.objects.filter(dossier=dossier, organisation__in=organisations)
    }
    status = 200
    closed_message = None
    if not committee.review_open:
        closed_message = (
            f"La date limite de relecture ({fr_date(committee.pre_read_deadline)}) est passée : "
            "l'avis ne peut plus être donné ni modifié."
        )
    form = None
    if organisations and not closed_message:
        chosen = request.GET.get("organisation")
        current = existing.get(chosen) or next(iter(existing.values()), None)
        initial = {"organisation": current.organisation_id if current else organisations[0].pk}
        if current:
            initial.update(
                opinion=current.opinion, questions=current.questions, comments=current.comments
            )
        form = ReviewForm(
            request.POST if request.method == "POST" else None,
            organisations=organisations,
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            try:
                saved = services.save_review(
                    dossier=dossier,
                    organisation=form.cleaned_data["organisation"],
                    author=request.user,
                    opinion=form.cleaned_data["opinion"],
                    questions=form.cleaned_data["questions"],
                    comments=form.cleaned_data["comments"],
                )
            except services.CommitteeError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    f"L'avis de {saved.organisation} sur {dossier.startup.title} est enregistré.",
                )
                return redirect(reverse("committees:partner_dossier", args=[dossier.pk]) + "#avis")
        if form.is_bound and form.errors:
            status = 400
    elif request.method == "POST":
        # Too late, or nothing to review for: refused, and nothing written.
        status = 403
    return render(
        request,
        "committees/partner_review.html",
        {
            "title": f"Avis sur le dossier de {dossier.startup.title}",
            "dossier": dossier,
            "committee": committee,
            "form": form,
            "closed_message": closed_message,
            "organisations": organisations,
            "reviews": [existing[org.pk] for org in organisations if org.pk in existing],
            "breadcrumb_data": breadcrumb(
                home_link(),
                (dossier.get_absolute_url(), f"Dossier de {dossier.startup.title}"),
                current="Avis",
            ),
        },
        status=status,
    )


@partner_required
@require_safe
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The file, as a download, to those who may read its dossier; 404 for anyone else."""
    item = get_attachment_for_partner(request.partner_access, pk)
    try:
        handle = item.file.open("rb")
    except OSError as error:
        raise Http404("Fichier introuvable.") from error
    response = FileResponse(
        handle, as_attachment=True, filename=item.original_name, content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@partner_required
@require_safe
def decisions(request: HttpRequest) -> HttpResponse:
    visible = request.partner_access.dossiers().values("pk")
    items = list(
        Decision.objects.public()
        .filter(dossier__in=visible)
        .only(
            "kind",
            "amount",
            "effective_date",
            "text",
            "dossier__id",
            "dossier__committee__date",
            "dossier__startup__id",
            "dossier__startup__title",
        )
    )
    return render(
        request,
        "committees/partner_decisions.html",
        {
            "title": "Décisions des comités",
            "decisions": items,
            "breadcrumb_data": breadcrumb(home_link(), current="Décisions"),
        },
    )
