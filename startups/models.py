"""The registry: organisations, incubators, startups, their phases and events."""

from datetime import date, timedelta

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import connection, models
from django.db.models import Deferrable, Exists, F, Func, OuterRef, Q, Subquery, Value
from django.db.models.expressions import ExpressionWrapper, RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString
from simple_history.models import HistoricalRecords

from publishing.compiled import prepared
from publishing.formats import fr_date
from publishing.markdown import render_markdown, rendering_of, stored_markdown
from publishing.pages import address
from startups.phases import (
    ACTIVE_KINDS,
    EXPECTED_DURATION_LABELS,
    EXPECTED_DURATIONS,
    PhaseKind,
    StartupStatus,
    kinds_of_status,
    status_of,
)
from startups.text import normalise, normalise_list

# Where a date would stand but the source gave none.
UNKNOWN_DATE = "date inconnue"

# Identifiers are beta.gouv.fr file stems: dots, upper case and non-ASCII letters occur.
ID_MAX_LENGTH = 200


def today() -> date:
    return timezone.localdate()


class SourceMixin(models.Model):
    """What the importer read, kept whole so nothing is lost and rules can be re-run."""

    source_front_matter = models.JSONField("front matter d'origine", default=dict, blank=True)
    source_path = models.CharField("fichier d'origine", max_length=500, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


class Organisation(SourceMixin):
    """A sponsor: ministry, directorate, agency, local authority..."""

    id = models.CharField("identifiant", max_length=ID_MAX_LENGTH, primary_key=True)
    name = models.CharField("nom", max_length=300)
    acronym = models.CharField("sigle", max_length=100, blank=True)
    type = models.CharField("type", max_length=100, blank=True)
    ministerial_domain = models.CharField("domaine ministériel", max_length=100, blank=True)
    # Referenced by a startup or an incubator but without a file of its own.
    is_placeholder = models.BooleanField("sans fiche source", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return address("startups:organisation", self.pk)


class Incubator(SourceMixin):
    id = models.CharField("identifiant", max_length=ID_MAX_LENGTH, primary_key=True)
    title = models.CharField("nom", max_length=300)
    short_description = models.TextField("description courte", blank=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name="organisation porteuse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incubators",
    )
    website = models.URLField("site", max_length=500, blank=True)
    github = models.URLField("GitHub", max_length=500, blank=True)
    contact = models.CharField("contact", max_length=300, blank=True)
    address = models.CharField("adresse", max_length=500, blank=True)
    # Ids as written in the data: a highlighted startup may not exist (yet).
    highlighted_startups = ArrayField(
        models.CharField(max_length=ID_MAX_LENGTH),
        verbose_name="startups mises en avant",
        default=list,
        blank=True,
    )
    description = models.TextField("description (markdown)", blank=True)
    is_placeholder = models.BooleanField("sans fiche source", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "incubateur"
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return address("startups:incubator", self.pk)


class AccessibilityStatus(models.TextChoices):
    NOT_COMPLIANT = "non conforme", "Non conforme"
    PARTIALLY_COMPLIANT = "partiellement conforme", "Partiellement conforme"
    FULLY_COMPLIANT = "totalement conforme", "Totalement conforme"


# A typed word is contained in a word of a startup's text (search_text holds words separated by
# single spaces, and a typed word holds no space). It is first looked up among the distinct
# words of every startup (SearchWord: tens of thousands of short rows, a trigram index): one
# query for all the typed words. Then the startups holding one of the words found, through
# search_words and its GIN index: no startup's text is read (a LIKE over every text read them
# all, megabytes, for each search). A typed word found in more than SEARCH_WORDS_AT_MOST words
# (`e`, `de`) matches most of the portfolio: reading the texts (CONTAINS) is then cheaper, and
# it is the one way for a typed word longer than the pieces a long word is cut into (migration
# 0009).
SEARCH_WORDS_AT_MOST = 200
# Each typed word costs a condition, and one found in many words a pass over every text:
# the search field refuses more (startups.forms).
SEARCH_TERMS_AT_MOST = 8
LONGEST_TYPED_WORD = 200


def HOLDS_ONE_OF(words: list[str]) -> ExpressionWrapper:  # noqa: N802 - reads as a condition
    """`search_words && <words>`, the words handed to PostgreSQL in a subquery (`(SELECT
    %s)`): seen as a constant, the array made the planner estimate how many startups hold one
    of them (a third, for « numerique » at 6 620 startups) and read them all, but comparing
    two arrays costs the product of their lengths (300 words a startup, up to 200 found):
    160 ms, against 8 ms by the GIN index, which it takes when it cannot see the words."""
    return ExpressionWrapper(
        RawSQL("search_words && (SELECT %s::text[])", (words,)),  # noqa: S611 - bound
        output_field=models.BooleanField(),
    )


def CONTAINS(word: str) -> ExpressionWrapper:  # noqa: N802 - reads as a condition
    """`word` in the startup's text, read whole (`strpos`, no pattern to escape): for a typed
    word found in too many words. Not a LIKE, which the planner would estimate through a
    trigram index as rare, and read first, then compare the arrays of every startup it kept."""
    return ExpressionWrapper(
        RawSQL("strpos(search_text, %s) > 0", (word,)),  # noqa: S611 - bound
        output_field=models.BooleanField(),
    )


def typed_words(text: str) -> list[str]:
    """The words a search must find, normalised, each once; a word contained in another typed
    word says nothing more (a text holding « numerique » holds « num »): left out."""
    words = list(dict.fromkeys(normalise(text).split()))
    return [w for w in words if not any(w != other and w in other for other in words)]


def _like(word: str) -> str:
    return f"%{connection.ops.prep_for_like_query(word)}%"  # `%`, `_` and `\\` as typed


def vocabulary_matches(words: list[str]) -> dict[str, list[str] | None]:
    """{typed word: the vocabulary words containing it, or None when there are more than
    SEARCH_WORDS_AT_MOST or the word is longer than LONGEST_TYPED_WORD}: one query."""
    looked_up = [word for word in words if len(word) <= LONGEST_TYPED_WORD]
    found: dict[str, list[str] | None] = dict.fromkeys(words)
    if not looked_up:
        return found
    # One branch per typed word, each with its own pattern: PostgreSQL plans each with the
    # trigram index. Constants only in the SQL: the words are bound parameters.
    branch = (
        "SELECT %s::int, ARRAY(SELECT word FROM startups_searchword WHERE word LIKE %s LIMIT %s)"
    )
    sql = " UNION ALL ".join([branch] * len(looked_up))
    params = [
        value
        for index, word in enumerate(looked_up)
        for value in (index, _like(word), SEARCH_WORDS_AT_MOST + 1)
    ]
    # Prepared once per connection and number of words (at most SEARCH_TERMS_AT_MOST
    # statements): PostgreSQL no longer parses and plans it for each search.
    with connection.cursor() as cursor:
        cursor.execute(*prepared(sql, params))
        for index, matches in cursor.fetchall():
            if len(matches) <= SEARCH_WORDS_AT_MOST:
                found[looked_up[index]] = matches
    return found


def search_conditions(text: str) -> list[tuple[str, list[str] | None]]:
    """What a search for `text` keeps: (typed word, the vocabulary words containing it, or
    None to read the word in the texts) for each word it must find. One query."""
    return list(vocabulary_matches(typed_words(text)).items())


class SearchWord(models.Model):
    """Each word of the startups' search texts, once: what a search looks a typed word up in.
    Filled by the database as startups are written (migration 0009); a word no longer in any
    startup stays, harmless: no startup holds it."""

    word = models.TextField(primary_key=True)

    class Meta:
        verbose_name = "mot de la recherche"
        # Pending list kept (see startup_search_words_gin).
        indexes = [GinIndex(OpClass("word", name="gin_trgm_ops"), name="search_word_trgm")]

    def __str__(self):
        return self.word


class StartupQuerySet(models.QuerySet):
    def with_current_phase(self, on: date | None = None):
        """Annotate `current_phase_kind` and `current_phase_start`.

        The rule, in one place: the current phase is the phase that started last on or before
        the given day (today by default). A phase's end date does not end the startup's life:
        a phase lasts until the next one starts; phases starting later are planned, not current.
        An undated phase (start unknown, only ever the last: see startups.importer) began at an
        unknown day after every dated phase: it is current on the days after the last dated
        phase has begun, and `current_phase_start` is then None (« date inconnue »).
        """
        on = on or today()
        dated_later = Phase.objects.filter(startup=OuterRef(OuterRef("pk")), start__gte=on)
        latest = Phase.objects.filter(
            Q(start__lte=on) | Q(start__isnull=True) & ~Exists(dated_later),
            startup=OuterRef("pk"),
        ).order_by(F("start").desc(nulls_first=True))
        return self.annotate(
            current_phase_kind=Subquery(latest.values("kind")[:1]),
            current_phase_start=Subquery(latest.values("start")[:1]),
        )

    def with_status(self, status: str, on: date | None = None):
        queryset = (
            self if "current_phase_kind" in self.query.annotations else self.with_current_phase(on)
        )
        if status == StartupStatus.NOT_STARTED:
            return queryset.filter(current_phase_kind__isnull=True)
        return queryset.filter(current_phase_kind__in=kinds_of_status(status))

    def active(self, on: date | None = None):
        return self.with_status(StartupStatus.ACTIVE, on)

    def overstaying(self, on: date | None = None):
        """Startups whose current (active) phase lasts longer than the programme expects."""
        on = on or today()
        queryset = (
            self if "current_phase_kind" in self.query.annotations else self.with_current_phase(on)
        )
        overdue = Q()
        for kind, expected in EXPECTED_DURATIONS.items():
            overdue |= Q(current_phase_kind=kind, current_phase_start__lt=on - expected)
        return queryset.filter(overdue)

    def without_texts(self):
        """Without the long texts (the source as imported, the description, its HTML, the
        search's): what a list of startups never shows, kilobytes per row."""
        return self.defer(
            "source_front_matter",
            "source_body",
            "description",
            "description_html",
            "search_text",
            "search_words",
        )

    def search(self, text: str):
        """Every word of `text` in title, mission or description, ignoring accents and case:
        contained in one of their words (`numer` finds « numérique »).

        Reads the vocabulary at once (one query); the queryset returned keeps the startups
        holding a word found for each typed word, and, for the typed words found in too many
        words, reads their texts (see SEARCH_WORDS_AT_MOST)."""
        return self.matching(search_conditions(text))

    def matching(self, conditions: list[tuple[str, list[str] | None]]):
        """The startups meeting every condition of `search_conditions`."""
        for word, matches in conditions:
            if matches is None:
                self = self.filter(CONTAINS(word))
            else:  # none found: `&& '{}'`, false for every startup
                self = self.filter(HOLDS_ONE_OF(matches))
        return self

    def with_theme(self, theme: str):
        return self.filter(themes_key__contains=[normalise(theme)])

    def with_user_type(self, user_type: str):
        return self.filter(user_types_key__contains=[normalise(user_type)])


class Startup(SourceMixin):
    id = models.CharField("identifiant", max_length=ID_MAX_LENGTH, primary_key=True)
    title = models.CharField("nom", max_length=300)
    mission = models.TextField("mission", blank=True)
    description = models.TextField("description (markdown)", blank=True)
    contact = models.CharField("contact", max_length=300, blank=True)
    link = models.URLField("site", max_length=500, blank=True)
    repository = models.URLField("code source", max_length=500, blank=True)
    stats_url = models.URLField("page de statistiques", max_length=500, blank=True)
    has_stats_page = models.BooleanField("page /stats publiée", null=True, blank=True)
    impact_url = models.URLField("page d'impact", max_length=500, blank=True)
    budget_url = models.URLField("page de budget", max_length=500, blank=True)
    dashlord_url = models.URLField("DashLord", max_length=500, blank=True)
    user_types = ArrayField(
        models.CharField(max_length=200), verbose_name="publics", default=list, blank=True
    )
    themes = ArrayField(
        models.CharField(max_length=200), verbose_name="thématiques", default=list, blank=True
    )
    technologies = ArrayField(
        models.CharField(max_length=200), verbose_name="technologies", default=list, blank=True
    )
    # Normalised copies of the lists above (see startups.text): what filters compare.
    user_types_key = ArrayField(models.CharField(max_length=200), default=list, editable=False)
    themes_key = ArrayField(models.CharField(max_length=200), default=list, editable=False)
    technologies_key = ArrayField(models.CharField(max_length=200), default=list, editable=False)
    search_text = models.TextField(default="", editable=False)
    # The description's HTML, rendered as it is written (publishing.markdown.stored_markdown).
    description_html = models.TextField(default="", editable=False)
    description_rendering = models.CharField(max_length=16, default="", editable=False)
    # The distinct words of search_text, and each new one added to SearchWord: written by the
    # database on every insert or update (trigger of migration 0009), never by this code.
    search_words = ArrayField(models.TextField(), default=list, editable=False)
    accessibility_status = models.CharField(
        "accessibilité", max_length=30, choices=AccessibilityStatus.choices, blank=True
    )
    risk_analysis_done = models.BooleanField("analyse de risques faite", null=True, blank=True)
    risk_analysis_url = models.URLField("analyse de risques", max_length=500, blank=True)
    mon_service_securise = models.BooleanField(
        "suivie dans MonServiceSécurisé", null=True, blank=True
    )
    fast_promotion = models.PositiveIntegerField("promotion FAST", null=True, blank=True)
    fast_amount = models.DecimalField(
        "montant FAST (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    incubator = models.ForeignKey(
        Incubator, verbose_name="incubateur", on_delete=models.PROTECT, related_name="startups"
    )
    co_incubators = models.ManyToManyField(
        Incubator, verbose_name="co-incubateurs", blank=True, related_name="co_incubated_startups"
    )
    sponsors = models.ManyToManyField(
        Organisation, verbose_name="sponsors", blank=True, related_name="sponsored_startups"
    )
    source_body = models.TextField("texte d'origine", blank=True)
    # Set by the import when the startup's file is no longer in the corpus: kept, never deleted.
    absent_from_source_since = models.DateField(
        "absente de la source depuis", null=True, blank=True, editable=False
    )

    # Derived from fields the history keeps: search_words (by the database), the HTML.
    history = HistoricalRecords(
        m2m_fields=[sponsors, co_incubators],
        excluded_fields=["search_words", "description_html", "description_rendering"],
    )

    objects = StartupQuerySet.as_manager()

    class Meta:
        verbose_name = "startup"
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fast_amount__isnull=True) | Q(fast_amount__gte=0),
                name="startup_fast_amount_not_negative",
                violation_error_message="Le montant FAST ne peut pas être négatif.",
            ),
        ]
        indexes = [
            GinIndex(fields=["themes_key"], name="startup_themes_key_gin"),
            GinIndex(fields=["user_types_key"], name="startup_user_types_key_gin"),
            # Serves StartupQuerySet.search: `search_words && <words>`. New rows wait in the
            # index's pending list (fastupdate), which a search reads whole, until a vacuum:
            # the import ends with one (publishing.maintenance.refresh_statistics). Without
            # the list, each startup written updated the index at once: +2.3 s per import.
            GinIndex(fields=["search_words"], name="startup_search_words_gin"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "user_types_key",
                "themes_key",
                "technologies_key",
                "search_text",
                "description_html",
                "description_rendering",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address("startups:detail", self.pk)

    def refresh_derived_fields(self):
        self.user_types_key = normalise_list(self.user_types)
        self.themes_key = normalise_list(self.themes)
        self.technologies_key = normalise_list(self.technologies)
        self.search_text = " ".join(
            normalise(part) for part in (self.id, self.title, self.mission, self.description)
        )
        self.description_html = str(render_markdown(self.description))
        self.description_rendering = rendering_of(self.description)

    @property
    def description_as_html(self) -> SafeString:
        return stored_markdown(self.description, self.description_html, self.description_rendering)

    # --- Current phase, status, overstay (see StartupQuerySet.with_current_phase) ----------
    @property
    def current_phase(self) -> "Phase | None":
        """Same rule as StartupQuerySet.with_current_phase, on the prefetched phases."""
        on = today()
        phases = list(self.phases.all())
        undated = next((phase for phase in phases if phase.start is None), None)
        if undated and not any(phase.start and phase.start >= on for phase in phases):
            return undated
        started = [phase for phase in phases if phase.start and phase.start <= on]
        return max(started, key=lambda phase: phase.start, default=None)

    @property
    def current_kind(self) -> str | None:
        if hasattr(self, "current_phase_kind"):
            return self.current_phase_kind
        phase = self.current_phase
        return phase.kind if phase else None

    @property
    def current_start(self) -> date | None:
        if hasattr(self, "current_phase_start"):
            return self.current_phase_start
        phase = self.current_phase
        return phase.start if phase else None

    @property
    def current_kind_label(self) -> str:
        kind = self.current_kind
        return PhaseKind(kind).label if kind else "Aucune phase commencée"

    @property
    def status(self) -> StartupStatus:
        return status_of(self.current_kind)

    @property
    def current_phase_age(self) -> timedelta | None:
        start = self.current_start
        return today() - start if start else None

    @property
    def overstay(self) -> timedelta | None:
        """How long the startup is past the expected length of its current phase, if it is."""
        kind = self.current_kind
        if kind not in ACTIVE_KINDS or self.current_start is None:
            return None
        over = self.current_phase_age - EXPECTED_DURATIONS[kind]
        return over if over > timedelta(0) else None


class DateRange(Func):
    """daterange(start, end, '[]'): a phase includes its end day; no end means ongoing."""

    function = "daterange"
    output_field = DateRangeField()


class Phase(models.Model):
    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField("phase", max_length=30, choices=PhaseKind.choices)
    # None: the source gave no start (« date inconnue »); such a phase is the last of the
    # history, after every dated one (startups.importer, rule 9).
    start = models.DateField("début", null=True, blank=True)
    end = models.DateField("fin (incluse)", null=True, blank=True)
    comment = models.TextField("commentaire", blank=True)
    # The name as written in the source data (e.g. the legacy `perennisation`).
    source_name = models.CharField("nom d'origine", max_length=100, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "phase"
        ordering = ["startup", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="phase_ends_after_it_starts",
                violation_error_message="La fin d'une phase ne peut pas précéder son début.",
            ),
            models.UniqueConstraint(
                fields=["startup"],
                condition=Q(start__isnull=True),
                name="one_undated_phase_per_startup",
                violation_error_message=(
                    "Une startup n'a qu'une phase sans date de début, la dernière : "
                    "datez les autres."
                ),
            ),
            ExclusionConstraint(
                name="phases_of_a_startup_never_overlap",
                # Checked at each statement, unless a write that moves several boundaries at
                # once defers it to the commit (see startups.services.defer_overlap_check).
                deferrable=Deferrable.IMMEDIATE,
                expressions=[
                    ("startup", RangeOperators.EQUAL),
                    (DateRange("start", "end", Value("[]")), RangeOperators.OVERLAPS),
                ],
                # An undated phase has no period to overlap (daterange(NULL, …) would be
                # unbounded and overlap everything).
                condition=Q(start__isnull=False),
                violation_error_message=(
                    "Cette phase chevauche une autre phase de la même startup : "
                    "terminez la phase précédente la veille du début de celle-ci."
                ),
            ),
        ]
        indexes = [models.Index(fields=["startup", "-start"], name="phase_startup_latest")]

    def __str__(self):
        if self.start is None:
            return f"{self.get_kind_display()} ({UNKNOWN_DATE})"
        return f"{self.get_kind_display()} depuis le {fr_date(self.start)}"

    @property
    def expected_duration_label(self) -> str:
        return EXPECTED_DURATION_LABELS.get(self.kind, "")

    @property
    def is_upcoming(self) -> bool:
        """Decided but not begun (a committee's decision takes effect on a later day)."""
        return self.start is not None and self.start > today()

    def duration(self, until: date | None = None) -> timedelta | None:
        """Length so far, or until its end; the end day counts. None when a date is unknown."""
        if self.start is None:
            return None
        end = self.end or until or today()
        return end - self.start + timedelta(days=1)


class EventKind(models.TextChoices):
    PRODUCT_LAUNCH = "product_launch", "Lancement du produit"
    NATIONAL_IMPACT = "national_impact", "Impact national"
    FAST = "fast", "Lauréate FAST"
    COMMITTEE = "committee", "Comité d'investissement"
    EIG = "eig", "Arrivée d'entrepreneurs d'intérêt général"
    END = "end", "Fin"
    OTHER = "other", "Autre"


class Event(models.Model):
    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("type", max_length=30, choices=EventKind.choices)
    date = models.DateField("date")
    comment = models.TextField("commentaire", blank=True)
    # FAST (Fonds d'accélération des startups d'État): the promotion and the amount granted.
    promotion = models.PositiveIntegerField("promotion", null=True, blank=True)
    amount = models.DecimalField(
        "montant (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    source_name = models.CharField("nom d'origine", max_length=100, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "événement"
        ordering = ["startup", "date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="event_amount_not_negative",
                violation_error_message="Le montant ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} le {fr_date(self.date)}"


class CorrectionKind(models.TextChoices):
    UNKNOWN_PHASE = "unknown_phase", "Phase au nom inconnu, écartée"
    LEGACY_PHASE = "legacy_phase", "Ancien nom de phase converti"
    OUT_OF_ORDER = "out_of_order", "Phases dans le désordre, triées"
    DUPLICATE_PHASE = "duplicate_phase", "Phase en double, fusionnée"
    SAME_DAY_START = "same_day_start", "Deux phases commencent le même jour"
    OVERLAP = "overlap", "Chevauchement, fin avancée"
    END_BEFORE_START = "end_before_start", "Fin avant le début, fin ignorée"
    TERMINAL_END = "terminal_end", "Fin sur une phase terminale, ignorée"
    FUTURE_PHASE = "future_phase", "Phase datée dans le futur"
    GAP = "gap", "Écart entre deux phases (conservé)"
    RESTART = "restart", "Reprise après un arrêt (conservée)"
    NO_PHASE = "no_phase", "Aucune phase"
    EVENT_BEFORE_FIRST_PHASE = "event_before_phase", "Événement avant la première phase"
    UNKNOWN_EVENT = "unknown_event", "Événement au nom inconnu, classé « autre »"
    UNKNOWN_SPONSOR = "unknown_sponsor", "Sponsor sans fiche, créé"
    UNKNOWN_INCUBATOR = "unknown_incubator", "Incubateur sans fiche, créé"
    CLEANED_VALUE = "cleaned_value", "Valeur nettoyée (espaces, entités HTML)"
    INVALID_VALUE = "invalid_value", "Valeur invalide, ignorée"
    UNDATED_PHASE = "undated_phase", "Phase sans date de début"
    OLD_FORMAT = "old_format", "Ancien format du site (status, start, end, owner) converti"
    EMAIL_REMOVED = "email_removed", "Adresse électronique retirée (jamais publiée)"


class ImportCorrection(models.Model):
    """Something the importer had to correct or noted in a startup's source data."""

    startup = models.ForeignKey(
        Startup, on_delete=models.CASCADE, related_name="import_corrections"
    )
    kind = models.CharField("type", max_length=30, choices=CorrectionKind.choices)
    message = models.TextField("correction")

    class Meta:
        verbose_name = "correction à l'import"
        verbose_name_plural = "corrections à l'import"
        ordering = ["startup", "pk"]

    def __str__(self):
        return self.message


# --- Members: the programme's people and their missions (beta.gouv.fr `authors/`) ----------
class MissionStatus(models.TextChoices):
    INDEPENDENT = "independent", "Indépendant"
    ADMIN = "admin", "Agent public"
    SERVICE = "service", "Prestataire"


class MemberQuerySet(models.QuerySet):
    def in_source(self):
        """Members whose file is in the corpus (those that left it are kept, marked)."""
        return self.filter(absent_from_source_since__isnull=True)


class Member(SourceMixin):
    """A member of the programme, as beta.gouv.fr publishes them (`content/_authors/<id>.md`).

    Only what beta.gouv.fr already publishes is kept; an e-mail address is never stored
    (startups.authors removes it from the bio and from the kept front matter).

    The list fields are None when the key is absent from the file and [] when it is written
    empty: beta.gouv.fr's `authors.json` emits a key present but empty (Liquid treats [] as
    true), and omits an absent one.
    """

    id = models.CharField("identifiant", max_length=ID_MAX_LENGTH, primary_key=True)
    fullname = models.CharField("nom", max_length=300)
    role = models.CharField("rôle", max_length=300, blank=True)
    domaine = models.CharField("domaine", max_length=100, blank=True)
    github = models.CharField("compte GitHub", max_length=200, blank=True)
    link = models.CharField("lien", max_length=500, blank=True)
    bio = models.TextField("présentation (markdown)", blank=True)
    member_type = models.CharField("type de membre", max_length=100, blank=True)
    competences = ArrayField(
        models.CharField(max_length=200), verbose_name="compétences", null=True, blank=True
    )
    # Startup ids as written (verbatim, not necessarily in the registry).
    previously = ArrayField(
        models.CharField(max_length=ID_MAX_LENGTH),
        verbose_name="startups précédentes",
        null=True,
        blank=True,
    )
    # The site's old field `startups:` (before missions named their startups).
    legacy_startups = ArrayField(
        models.CharField(max_length=ID_MAX_LENGTH),
        verbose_name="startups (ancien champ)",
        null=True,
        blank=True,
    )
    teams = ArrayField(
        models.CharField(max_length=200), verbose_name="équipes", null=True, blank=True
    )
    # Set by the import when the member's file is no longer in the corpus: kept, never deleted.
    absent_from_source_since = models.DateField(
        "absent de la source depuis", null=True, blank=True, editable=False
    )

    history = HistoricalRecords()

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "membre"
        ordering = ["id"]
        indexes = [
            # Serve startups.members for one startup: `previously @> ARRAY[id]`.
            GinIndex(fields=["previously"], name="member_previously_gin"),
            GinIndex(fields=["legacy_startups"], name="member_legacy_startups_gin"),
        ]

    def __str__(self):
        return self.fullname


class Mission(models.Model):
    """One mission of a member, in the order of the source file (`position`)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="missions")
    position = models.PositiveSmallIntegerField("rang dans la source")
    start = models.DateField("début")
    end = models.DateField("fin (incluse)", null=True, blank=True)
    status = models.CharField("statut", max_length=20, choices=MissionStatus.choices)
    employer = models.CharField("employeur", max_length=300, blank=True)
    # Startup ids as written, in source order; None when the mission has no `startups:` key.
    # Not a link table: an id resolves against the registry when read, so a startup added
    # later is found without re-importing its members (startups.members).
    startup_ids = ArrayField(
        models.CharField(max_length=ID_MAX_LENGTH),
        verbose_name="startups",
        null=True,
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "mission"
        ordering = ["member", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="mission_ends_after_it_starts",
                violation_error_message="La fin d'une mission ne peut pas précéder son début.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MissionStatus.values),
                name="mission_status_known",
                violation_error_message=(
                    "Statut de mission inconnu : indépendant, agent public ou prestataire."
                ),
            ),
            models.UniqueConstraint(
                fields=["member", "position"],
                name="one_mission_per_member_and_position",
                violation_error_message="Deux missions de ce membre ont le même rang.",
            ),
        ]
        indexes = [
            # Serves startups.members for one startup: `startup_ids @> ARRAY[id]`.
            GinIndex(fields=["startup_ids"], name="mission_startup_ids_gin"),
        ]

    def __str__(self):
        end = f" au {fr_date(self.end)}" if self.end else ""
        return f"{self.get_status_display()} du {fr_date(self.start)}{end}"


class MemberImportCorrection(models.Model):
    """Something the importer corrected or noted in a member's file (the startups' ones are
    ImportCorrection)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="import_corrections")
    kind = models.CharField("type", max_length=30, choices=CorrectionKind.choices)
    message = models.TextField("correction")

    class Meta:
        verbose_name = "correction à l'import (membre)"
        verbose_name_plural = "corrections à l'import (membres)"
        ordering = ["member", "pk"]

    def __str__(self):
        return self.message
