"""Investment committees: calendar, dossiers, partner reviews and decisions."""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from publishing.formats import fr_date
from startups.models import Incubator, Organisation, Startup
from startups.phases import PhaseKind

PRE_READ_DELAY = timedelta(days=7)


class PartnerMembership(models.Model):
    """A partner account belongs to one or more sponsoring organisations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="partner_memberships"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "rattachement d'un partenaire"
        verbose_name_plural = "rattachements des partenaires"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="one_membership_per_user_and_organisation",
                violation_error_message="Ce compte est déjà rattaché à cette organisation.",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation}"


class Programme(models.Model):
    """What staff set once for the whole portfolio (a single row)."""

    managed_since = models.DateField(
        "comités suivis ici depuis le",
        help_text=(
            "Avant cette date, les comités n'étaient pas enregistrés ici : une startup sans comité "
            "enregistré n'est pas « en retard » à cause de ce passé importé ; son premier comité "
            "ici est dû au plus tard six mois après cette date."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "réglage du programme"
        verbose_name_plural = "réglages du programme"
        constraints = [
            models.UniqueConstraint(
                models.Value(1),
                name="one_programme_row",
                violation_error_message=("Les réglages du programme existent déjà : modifiez-les."),
            )
        ]

    def __str__(self):
        return f"Comités suivis ici depuis le {fr_date(self.managed_since)}"

    @classmethod
    def managed_since_date(cls) -> date | None:
        return cls.objects.values_list("managed_since", flat=True).first()


class CommitteeStatus(models.TextChoices):
    PLANNED = "planned", "Prévu"
    DOSSIERS_SENT = "dossiers_sent", "Dossiers envoyés"
    HELD = "held", "Tenu"
    CLOSED = "closed", "Clos"


class CommitteeQuerySet(models.QuerySet):
    # A committee is upcoming until it is held: on its own day, once held (its decisions are
    # then public), it is listed with the past ones, never as "upcoming" beside its decisions.
    def _upcoming_q(self):
        today = timezone.localdate()
        held = (CommitteeStatus.HELD, CommitteeStatus.CLOSED)
        return models.Q(date__gt=today) | (models.Q(date=today) & ~models.Q(status__in=held))

    def upcoming(self):
        return self.filter(self._upcoming_q()).order_by("date")

    def past(self):
        return self.exclude(self._upcoming_q()).order_by("-date")

    def visible_to_partner(self, user):
        """Committees with at least one dossier of a startup the partner's organisations fund."""
        return self.filter(dossiers__startup__sponsors__partner_memberships__user=user).distinct()


class Committee(models.Model):
    date = models.DateField("date")
    starts_at = models.TimeField("heure", null=True, blank=True)
    place = models.CharField("lieu", max_length=300, blank=True)
    video_link = models.URLField("lien de visioconférence", max_length=500, blank=True)
    incubators = models.ManyToManyField(Incubator, verbose_name="incubateurs", blank=True)
    chair = models.CharField("présidence", max_length=200, blank=True)
    invited_organisations = models.ManyToManyField(
        Organisation, verbose_name="organisations invitées", blank=True, related_name="+"
    )
    status = models.CharField(
        "statut", max_length=20, choices=CommitteeStatus.choices, default=CommitteeStatus.PLANNED
    )
    pre_read_deadline = models.DateField(
        "date limite de relecture",
        blank=True,
        help_text="Par défaut, une semaine avant le comité.",
    )
    dossiers_sent_at = models.DateTimeField(
        "dossiers envoyés le", null=True, blank=True, editable=False
    )

    history = HistoricalRecords(m2m_fields=[incubators, invited_organisations])
    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = "comité d'investissement"
        verbose_name_plural = "comités d'investissement"
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pre_read_deadline__lte=models.F("date")),
                name="pre_read_before_committee",
                violation_error_message="La date limite de relecture doit précéder le comité.",
            )
        ]

    def __str__(self):
        return f"Comité du {fr_date(self.date)}"

    def save(self, *args, **kwargs):
        if not self.pre_read_deadline and self.date:
            self.pre_read_deadline = self.date - PRE_READ_DELAY
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("committees:public_committee", args=[self.pk])

    @property
    def has_taken_place(self) -> bool:
        """The committee's day has come (local time): only then can it be held, decide, close."""
        return self.date <= timezone.localdate()

    def not_yet_error(self, refused: str) -> str:
        return f"Le comité du {fr_date(self.date)} n'a pas encore eu lieu : {refused} avant cette date."

    @property
    def review_open(self) -> bool:
        return timezone.localdate() <= self.pre_read_deadline and self.status in (
            CommitteeStatus.PLANNED,
            CommitteeStatus.DOSSIERS_SENT,
        )


class ObjectiveStatus(models.TextChoices):
    REACHED = "reached", "Atteint"
    PARTLY = "partly", "Partiellement atteint"
    NOT_REACHED = "not_reached", "Non atteint"
    UNKNOWN = "", "À évaluer"


class CriterionKind(models.TextChoices):
    QUANTITATIVE = "quantitative", "Quantitatif"
    QUALITATIVE = "qualitative", "Qualitatif"


# The shape of the two lists a dossier keeps as JSON: the keys of each row, the allowed values.
CRITERION_KEYS = ("criterion", "kind", "target")
OBJECTIVE_KEYS = ("objective", "status", "comment")


def _rows_errors(value, keys: tuple[str, ...], name: str, allowed: dict[str, set]) -> list[str]:
    if not isinstance(value, list):
        return ["une liste de lignes est attendue"]
    errors = []
    for number, row in enumerate(value, 1):
        if not isinstance(row, dict) or set(row) != set(keys):
            errors.append(f"ligne {number} : elle doit avoir les colonnes {', '.join(keys)}")
        elif not all(isinstance(row[key], str) for key in keys):
            errors.append(f"ligne {number} : chaque colonne est un texte")
        elif not row[keys[0]].strip():
            errors.append(f"ligne {number} : {name} est vide")
        else:
            errors += [
                f"ligne {number} : « {row[key]} » n'est pas une valeur possible"
                for key, values in allowed.items()
                if row[key] not in values
            ]
    return errors


def validate_success_criteria(value):
    errors = _rows_errors(value, CRITERION_KEYS, "le critère", {"kind": set(CriterionKind.values)})
    if errors:
        raise ValidationError([f"Critères de réussite, {error}." for error in errors])


def validate_objectives(value):
    errors = _rows_errors(
        value, OBJECTIVE_KEYS, "l'objectif", {"status": set(ObjectiveStatus.values)}
    )
    if errors:
        raise ValidationError([f"Objectifs du dernier comité, {error}." for error in errors])


class JsonbPathExists(models.Func):
    """jsonb_path_exists(column, 'path'): an immutable function, fit for a check constraint."""

    function = "jsonb_path_exists"
    template = "%(function)s(%(expressions)s::jsonpath)"
    output_field = models.BooleanField()


def rows_hold(field: str, keys: tuple[str, ...], allowed: dict[str, tuple[str, ...]], label):
    """The database's copy of `_rows_errors`: an array of objects, each key there and a string,
    the first not empty, the allowed values where there are some (extra keys are left to the
    model: they break no page). The row test runs in both modes of SQL/JSON paths: lax sees a
    missing key, strict sees a nested array (which lax would unwrap)."""
    row_is_good = " && ".join(
        ['@.type() == "object"']
        + [f"exists(@.{key})" for key in keys]
        + [f'@.{key}.type() == "string"' for key in keys]
        + [f'@.{keys[0]} like_regex "\\\\S"']  # not blank
        + [
            "(" + " || ".join(f'@.{key} == "{v}"' for v in values) + ")"
            for key, values in allowed.items()
        ]
    )
    bad_row = f"$[*] ? (!({row_is_good}))"
    return models.CheckConstraint(
        condition=Q(
            models.lookups.Exact(
                models.Func(
                    models.F(field), function="jsonb_typeof", output_field=models.TextField()
                ),
                "array",
            )
        )
        & ~Q(JsonbPathExists(models.F(field), models.Value(f"lax {bad_row}")))
        & ~Q(JsonbPathExists(models.F(field), models.Value(f"strict {bad_row}"))),
        name=f"dossier_{field}_rows",
        violation_error_message=f"{label} : chaque ligne doit être complète.",
    )


class DossierQuerySet(models.QuerySet):
    def visible_to_partner(self, user):
        # A subquery rather than joins + DISTINCT (which would compare every JSON column).
        funded = Startup.objects.filter(sponsors__partner_memberships__user=user).values("pk")
        return self.filter(startup_id__in=funded)

    def without_decision(self):
        return self.filter(decision__isnull=True)


class Dossier(models.Model):
    """One startup on the agenda of one committee: what it looked back on and asks for."""

    committee = models.ForeignKey(
        Committee, verbose_name="comité", on_delete=models.CASCADE, related_name="dossiers"
    )
    startup = models.ForeignKey(
        Startup, verbose_name="startup", on_delete=models.PROTECT, related_name="dossiers"
    )
    order = models.PositiveSmallIntegerField("ordre de passage", default=0)
    # Looking back
    problem = models.TextField("problème", blank=True)
    past_strategy = models.TextField("stratégie des six derniers mois", blank=True)
    demo_link = models.URLField("lien de démonstration", max_length=500, blank=True)
    # [{"objective": str, "status": ObjectiveStatus, "comment": str}], pre-filled from the
    # previous decision's objectives.
    previous_objectives = models.JSONField(
        "objectifs du dernier comité",
        default=list,
        blank=True,
        validators=[validate_objectives],
    )
    team = models.TextField("équipe", blank=True)
    # Looking ahead
    next_strategy = models.TextField("stratégie des six prochains mois", blank=True)
    team_size = models.DecimalField(
        "taille de l'équipe (ETP)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    team_profiles = models.TextField("profils", blank=True)
    amount_requested = models.DecimalField(
        "montant demandé pour six mois (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    hypotheses = models.TextField("hypothèses à tester", blank=True)
    # [{"criterion": str, "kind": "quantitative"|"qualitative", "target": str}]
    success_criteria = models.JSONField(
        "critères de réussite",
        default=list,
        blank=True,
        validators=[validate_success_criteria],
    )
    blockers = models.TextField("blocages institutionnels", blank=True)
    # Frozen when the dossiers are sent: the dossier stays what the committee saw.
    indicators_snapshot = models.JSONField(
        "indicateurs (instantané)", default=list, blank=True, editable=False
    )
    money_snapshot = models.JSONField(
        "budget (instantané)", default=dict, blank=True, editable=False
    )
    # {"on", "active", "by_domain": [{"domain", "count"}], "members": [{"fullname", "role",
    # "domaine"}]}: the team on the day the dossier was sent (committees.snapshots.team).
    team_snapshot = models.JSONField(
        "équipe (instantané)", default=dict, blank=True, editable=False
    )
    snapshot_at = models.DateTimeField("instantané pris le", null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "dossier"
        ordering = ["committee", "order", "startup__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "startup"],
                name="one_dossier_per_startup_and_committee",
                violation_error_message="Cette startup est déjà à l'ordre du jour de ce comité.",
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True) | Q(amount_requested__gte=0),
                name="dossier_amount_not_negative",
                violation_error_message="Le montant demandé ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(team_size__isnull=True) | Q(team_size__gt=0),
                name="dossier_team_size_positive",
                violation_error_message="La taille de l'équipe doit être positive.",
            ),
            rows_hold(
                "success_criteria",
                CRITERION_KEYS,
                {"kind": tuple(CriterionKind.values)},
                "Critères de réussite",
            ),
            rows_hold(
                "previous_objectives",
                OBJECTIVE_KEYS,
                {"status": tuple(ObjectiveStatus.values)},
                "Objectifs du dernier comité",
            ),
        ]

    def __str__(self):
        return f"{self.startup} — {self.committee}"

    def get_absolute_url(self):
        return reverse("committees:partner_dossier", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.snapshot_at is not None

    def missing_parts(self) -> list[str]:
        """What staff still have to fill before the dossier can be read."""
        required = {
            "problem": "problème",
            "past_strategy": "stratégie passée",
            "next_strategy": "stratégie à venir",
            "amount_requested": "montant demandé",
            "success_criteria": "critères de réussite",
        }
        return [
            label for field, label in required.items() if getattr(self, field) in (None, "", [])
        ]


def attachment_path(attachment, filename):
    # Never the original name on disk: it may carry a path or a script extension.
    return f"dossiers/{attachment.dossier.committee_id}/{attachment.dossier_id}/{attachment.token}"


class Attachment(models.Model):
    """A file of a dossier (PDF, slides), stored outside any public URL."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("fichier", upload_to=attachment_path, max_length=300)
    token = models.CharField(max_length=64, unique=True, editable=False)
    original_name = models.CharField("nom", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_at = models.DateTimeField("ajouté le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("committees:partner_attachment", args=[self.pk])


class Opinion(models.TextChoices):
    FAVOURABLE = "favourable", "Favorable"
    RESERVED = "reserved", "Réservé"
    UNFAVOURABLE = "unfavourable", "Défavorable"


class PartnerReview(models.Model):
    """An organisation's written opinion on a dossier, given before the pre-read deadline."""

    dossier = models.ForeignKey(
        Dossier, verbose_name="dossier", on_delete=models.CASCADE, related_name="reviews"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, related_name="reviews"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    opinion = models.CharField("avis", max_length=20, choices=Opinion.choices)
    questions = models.TextField("questions écrites", blank=True)
    comments = models.TextField("commentaires", blank=True)
    answers = models.TextField("réponses de l'équipe", blank=True)
    submitted_at = models.DateTimeField("donné le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "avis de partenaire"
        verbose_name_plural = "avis des partenaires"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "organisation"],
                name="one_review_per_organisation_and_dossier",
                violation_error_message="Votre organisation a déjà donné son avis sur ce dossier.",
            )
        ]

    def __str__(self):
        return f"{self.get_opinion_display()} — {self.organisation}"


class DecisionKind(models.TextChoices):
    CONTINUE = "continue", "Poursuite avec budget"
    EXTEND = "extend", "Reconduction temporaire (1 à 2 mois)"
    NEXT_PHASE = "next_phase", "Passage à la phase suivante"
    STRENGTHEN = "strengthen", "Renforcement des moyens"
    SLOW_DOWN = "slow_down", "Ralentissement des moyens"
    MAKE_PERMANENT = "make_permanent", "Pérennisation : transfert à l'administration"
    STOP = "stop", "Arrêt"
    GO_ON = "go_on", "Investigation concluante : passage en construction"
    DROP = "drop", "Investigation non concluante : abandon"


# The phase a decision moves the startup into, from its current phase (None: no change).
NEXT_ACTIVE_PHASE = {
    PhaseKind.INVESTIGATION: PhaseKind.CONSTRUCTION,
    PhaseKind.CONSTRUCTION: PhaseKind.ACCELERATION,
    PhaseKind.ACCELERATION: PhaseKind.CONSOLIDATION,
}
FIXED_TARGET_PHASE = {
    DecisionKind.GO_ON: PhaseKind.CONSTRUCTION,
    DecisionKind.DROP: PhaseKind.INVESTIGATION_DROPPED,
    DecisionKind.STOP: PhaseKind.STOPPED,
    DecisionKind.MAKE_PERMANENT: PhaseKind.TRANSFERRED,
}
# Decisions that end the startup's life in the programme: no next committee, no money.
ENDING_DECISIONS = {DecisionKind.STOP, DecisionKind.DROP, DecisionKind.MAKE_PERMANENT}
INVESTIGATION_ONLY = {DecisionKind.GO_ON, DecisionKind.DROP}


class DecisionQuerySet(models.QuerySet):
    def public(self):
        return self.select_related("dossier__startup", "dossier__committee").order_by(
            "-dossier__committee__date", "dossier__startup__title"
        )


class Decision(models.Model):
    """The committee's investment decision on one dossier, and what it set in motion."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="decision")
    kind = models.CharField("décision", max_length=20, choices=DecisionKind.choices)
    effective_date = models.DateField("date d'effet")
    amount = models.DecimalField(
        "montant décidé (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    period_start = models.DateField("période : début", null=True, blank=True)
    period_end = models.DateField("période : fin", null=True, blank=True)
    objectives = models.JSONField("objectifs pour le prochain comité", default=list, blank=True)
    text = models.TextField("motivation", blank=True)
    new_committee_date = models.DateField("nouveau comité (reconduction)", null=True, blank=True)
    next_committee_due = models.DateField("prochain comité dû", null=True, blank=True)
    phase_started = models.CharField(
        "phase engagée", max_length=30, choices=PhaseKind.choices, blank=True
    )
    # The allocation proposed under the budgets rules (budgets.Allocation), when money was decided.
    allocation = models.ForeignKey(
        "budgets.Allocation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    history = HistoricalRecords()
    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision"
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="decision_amount_not_negative",
                violation_error_message="Le montant décidé ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="extend") | Q(new_committee_date__isnull=False),
                name="extension_has_a_new_committee_date",
                violation_error_message="Une reconduction temporaire exige la date du nouveau comité.",
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="decision_period_ends_after_it_starts",
                violation_error_message="La fin de la période doit suivre son début.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.dossier.startup}"


class ReminderLog(models.Model):
    """A reminder sent once: its key makes `committees_remind` idempotent."""

    key = models.CharField(max_length=200, unique=True)
    recipients = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "rappel envoyé"
        verbose_name_plural = "rappels envoyés"

    def __str__(self):
        return self.key


def six_months_after(day: date) -> date:
    """The same day six calendar months later, or the last day of that month when it is shorter
    (31 August → 28 February, 29 in a leap year; 31 December → 30 June).

    Committees are held "every six months" (DOMAIN.md), a calendar rule: a fixed 182 days made
    the due date drift by a day or two with the months crossed (31 August gave 1 March,
    30 June gave 29 December, 18 November gave 19 May).
    """
    months = day.month - 1 + 6
    year, month = day.year + months // 12, months % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# A committee is held 30–45 days before the money runs out (DOMAIN.md): purchase orders take
# about a month, so the decision must come before the money stops.
MONEY_MARGIN = timedelta(days=45)


def committee_due(anchor: date, runs_out: date | None = None) -> date:
    """When the next committee is due: six months after `anchor` (the last committee, else the
    start of construction), or 45 days before the money runs out when that comes first.

    The one rule: the dashboard (`selectors.committees_due`) and each decision (the date
    partners see, `services.decision_consequences`) both ask it."""
    due = six_months_after(anchor)
    return min(due, runs_out - MONEY_MARGIN) if runs_out else due
