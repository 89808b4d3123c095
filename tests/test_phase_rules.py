"""The rules that clean a phase history and the events of a startup (startups.importer).

One test per rule of the module docstring of `startups.importer`, on hand-made data: each checks
the clean history AND what was recorded (kind and message), since no correction may be silent.
Pure functions: no database.
"""

from datetime import date
from decimal import Decimal

import pytest

from startups.importer import (
    CleanPhase,
    SourceError,
    ValueCleaner,
    clean_events,
    clean_phase_history,
    fast_details,
)
from startups.models import CorrectionKind, EventKind
from startups.phases import PhaseKind

TODAY = date(2025, 6, 1)

INV = PhaseKind.INVESTIGATION
CONS = PhaseKind.CONSTRUCTION
ACC = PhaseKind.ACCELERATION
CONSO = PhaseKind.CONSOLIDATION


def phase(name, start, end=None, **extra):
    raw = {"name": name, "start": start, **extra}
    if end is not None:
        raw["end"] = end
    return raw


def clean(*raw_phases, today=TODAY):
    phases, corrections = clean_phase_history(list(raw_phases), today)
    history = [(p.kind, p.start, p.end) for p in phases]
    return history, [(c.kind, c.message) for c in corrections], phases


def only(corrections, kind):
    messages = [message for k, message in corrections if k == kind]
    assert len(messages) == 1, corrections
    return messages[0]


# --- Rule 1: names ----------------------------------------------------------------------------
def test_it_keeps_a_clean_history_as_it_is_with_no_correction():
    history, corrections, _ = clean(
        phase("investigation", date(2021, 1, 4), date(2021, 3, 31)),
        phase("construction", date(2021, 4, 1), date(2021, 12, 31)),
        phase("acceleration", date(2022, 1, 1)),
    )
    assert history == [
        (INV, date(2021, 1, 4), date(2021, 3, 31)),
        (CONS, date(2021, 4, 1), date(2021, 12, 31)),
        (ACC, date(2022, 1, 1), None),
    ]
    assert corrections == []


@pytest.mark.parametrize(
    ("legacy", "kind"),
    [
        ("perennisation", PhaseKind.CONSOLIDATION),
        ("success", PhaseKind.TRANSFERRED),
        ("transfer", PhaseKind.TRANSFERRED),
        ("alumni", PhaseKind.TRANSFERRED),
    ],
)
def test_it_maps_a_legacy_phase_name_onto_the_current_vocabulary(legacy, kind):
    history, corrections, phases = clean(
        phase("acceleration", date(2020, 1, 1)), phase(legacy, date(2022, 3, 1))
    )
    assert history == [(ACC, date(2020, 1, 1), date(2022, 2, 28)), (kind, date(2022, 3, 1), None)]
    assert phases[1].source_name == legacy
    assert corrections == [
        (
            CorrectionKind.LEGACY_PHASE,
            f"Phase « {legacy} » du 01/03/2022 lue comme « {kind.label} ».",
        )
    ]


def test_it_reads_a_name_with_capitals_and_spaces_and_says_so():
    history, corrections, phases = clean(phase(" Construction ", date(2022, 3, 1)))
    assert history == [(CONS, date(2022, 3, 1), None)]
    assert phases[0].source_name == "Construction"
    assert only(corrections, CorrectionKind.LEGACY_PHASE) == (
        "Phase « Construction » du 01/03/2022 lue comme « Construction »."
    )


def test_it_leaves_an_unknown_phase_name_out_and_records_it():
    history, corrections, _ = clean(
        phase("investigation", date(2021, 1, 4)),
        phase("pivot", date(2021, 2, 1), date(2021, 2, 15)),
        phase("construction", date(2021, 3, 1)),
    )
    assert history == [
        (INV, date(2021, 1, 4), date(2021, 2, 28)),
        (CONS, date(2021, 3, 1), None),
    ]
    assert corrections == [
        (
            CorrectionKind.UNKNOWN_PHASE,
            "Phase « pivot » du 01/02/2021 : nom inconnu, écartée de l'historique "
            "(conservée dans la source).",
        )
    ]


# --- Rule 2: end before start -----------------------------------------------------------------
def test_it_drops_an_end_before_the_start_and_the_phase_runs_until_the_next_one():
    history, corrections, _ = clean(
        phase("investigation", date(2021, 5, 1), date(2021, 1, 31)),
        phase("construction", date(2021, 7, 1)),
    )
    assert history == [
        (INV, date(2021, 5, 1), date(2021, 6, 30)),
        (CONS, date(2021, 7, 1), None),
    ]
    assert corrections == [
        (
            CorrectionKind.END_BEFORE_START,
            "Investigation : fin le 31/01/2021 avant le début le 01/05/2021 ; fin ignorée.",
        )
    ]


def test_it_leaves_the_last_phase_open_when_its_end_is_before_its_start():
    history, corrections, _ = clean(phase("construction", date(2021, 5, 1), date(2021, 4, 30)))
    assert history == [(CONS, date(2021, 5, 1), None)]
    assert [k for k, _ in corrections] == [CorrectionKind.END_BEFORE_START]


# --- Rule 3: order ----------------------------------------------------------------------------
def test_it_sorts_phases_listed_out_of_order_and_says_so():
    history, corrections, _ = clean(
        phase("acceleration", date(2022, 1, 1)),
        phase("investigation", date(2021, 1, 4), date(2021, 3, 31)),
        phase("construction", date(2021, 4, 1), date(2021, 12, 31)),
    )
    assert history == [
        (INV, date(2021, 1, 4), date(2021, 3, 31)),
        (CONS, date(2021, 4, 1), date(2021, 12, 31)),
        (ACC, date(2022, 1, 1), None),
    ]
    assert corrections == [
        (
            CorrectionKind.OUT_OF_ORDER,
            "Phases listées dans le désordre : triées par date de début.",
        )
    ]


# --- Rule 4: duplicates -----------------------------------------------------------------------
def test_it_keeps_the_same_phase_listed_twice_once():
    history, corrections, phases = clean(
        phase("investigation", date(2021, 1, 4), comment="Lancement"),
        phase("investigation", date(2021, 1, 4), date(2021, 3, 31)),
        phase("construction", date(2021, 4, 1)),
    )
    # The copy brings what the first one lacked: the end, and the comment stays.
    assert history == [
        (INV, date(2021, 1, 4), date(2021, 3, 31)),
        (CONS, date(2021, 4, 1), None),
    ]
    assert phases[0].comment == "Lancement"
    assert corrections == [
        (
            CorrectionKind.DUPLICATE_PHASE,
            "Investigation du 04/01/2021 listée deux fois : gardée une fois.",
        )
    ]


# --- Rule 5: same-day start -------------------------------------------------------------------
def test_it_keeps_the_later_phase_of_the_lifecycle_when_two_start_the_same_day():
    # Listed construction first: the tie is broken by the lifecycle, not by the listing.
    history, corrections, phases = clean(
        phase("construction", date(2021, 4, 1)),
        phase("investigation", date(2021, 4, 1), date(2021, 4, 1), comment="Go rapide"),
    )
    assert history == [(CONS, date(2021, 4, 1), None)]
    assert phases[0].comment == "Go rapide"
    assert corrections == [
        (
            CorrectionKind.SAME_DAY_START,
            "Investigation et Construction commencent le même jour (01/04/2021) : "
            "Construction gardée, Investigation écartée de l'historique (conservée dans la "
            "source).",
        )
    ]


def test_it_ends_the_previous_phase_before_a_same_day_pair():
    history, corrections, _ = clean(
        phase("investigation", date(2021, 1, 4)),
        phase("abandon-investigation", date(2021, 3, 1)),
        phase("construction", date(2021, 3, 1)),
    )
    assert history == [
        (INV, date(2021, 1, 4), date(2021, 2, 28)),
        (PhaseKind.INVESTIGATION_DROPPED, date(2021, 3, 1), None),
    ]
    # Construction sorts before the drop in the lifecycle: the drop is kept.
    assert "Investigation non concluante gardée, Construction écartée" in only(
        corrections, CorrectionKind.SAME_DAY_START
    )


# --- Rule 6: boundaries -----------------------------------------------------------------------
def test_it_ends_an_open_phase_the_day_before_the_next_one_without_a_note():
    history, corrections, _ = clean(
        phase("investigation", date(2024, 2, 1)), phase("construction", date(2024, 3, 1))
    )
    assert history == [
        (INV, date(2024, 2, 1), date(2024, 2, 29)),
        (CONS, date(2024, 3, 1), None),
    ]
    assert corrections == []


def test_it_reads_an_end_on_the_day_the_next_phase_starts_as_a_handover_without_a_note():
    history, corrections, _ = clean(
        phase("investigation", date(2021, 1, 4), date(2021, 4, 1)),
        phase("construction", date(2021, 4, 1)),
    )
    assert history == [
        (INV, date(2021, 1, 4), date(2021, 3, 31)),
        (CONS, date(2021, 4, 1), None),
    ]
    assert corrections == []


def test_it_brings_back_an_end_that_overlaps_the_next_phase_and_says_so():
    history, corrections, _ = clean(
        phase("construction", date(2021, 4, 1), date(2022, 6, 30)),
        phase("acceleration", date(2022, 1, 1)),
    )
    assert history == [
        (CONS, date(2021, 4, 1), date(2021, 12, 31)),
        (ACC, date(2022, 1, 1), None),
    ]
    assert corrections == [
        (
            CorrectionKind.OVERLAP,
            "Construction finissait le 30/06/2022 alors que Accélération commence le "
            "01/01/2022 : fin avancée au 31/12/2021.",
        )
    ]


def test_it_keeps_a_gap_between_two_phases_and_notes_it():
    history, corrections, _ = clean(
        phase("investigation", date(2021, 1, 4), date(2021, 2, 28)),
        phase("construction", date(2021, 4, 1)),
    )
    assert history == [
        (INV, date(2021, 1, 4), date(2021, 2, 28)),
        (CONS, date(2021, 4, 1), None),
    ]
    assert corrections == [
        (
            CorrectionKind.GAP,
            "31 jour(s) sans phase entre la fin de Investigation (28/02/2021) et Construction "
            "(01/04/2021) : conservé.",
        )
    ]


def test_it_never_leaves_two_clean_phases_overlapping():
    _, _, phases = clean(
        phase("acceleration", date(2022, 1, 1), date(2023, 1, 1)),
        phase("investigation", date(2021, 1, 4), date(2021, 12, 31)),
        phase("construction", date(2021, 4, 1), date(2021, 1, 1)),
        phase("construction", date(2021, 4, 1)),
        phase("consolidation", date(2022, 6, 1), date(2022, 5, 1)),
        phase("abandon", date(2023, 1, 1), date(2023, 6, 1)),
    )
    for current, following in zip(phases, phases[1:], strict=False):
        assert current.start <= current.end < following.start


# --- Rule 7: the last phase -------------------------------------------------------------------
def test_it_keeps_the_end_of_a_last_phase_that_is_not_terminal():
    history, corrections, _ = clean(phase("construction", date(2021, 4, 1), date(2021, 12, 31)))
    assert history == [(CONS, date(2021, 4, 1), date(2021, 12, 31))]
    assert corrections == []


@pytest.mark.parametrize("name", ["abandon", "abandon-investigation", "transfere", "opere"])
def test_it_drops_the_end_of_a_terminal_last_phase_and_says_so(name):
    kind = PhaseKind(name)
    history, corrections, _ = clean(
        phase("construction", date(2021, 4, 1)), phase(name, date(2023, 1, 1), date(2023, 2, 1))
    )
    assert history == [
        (CONS, date(2021, 4, 1), date(2022, 12, 31)),
        (kind, date(2023, 1, 1), None),
    ]
    assert corrections == [
        (
            CorrectionKind.TERMINAL_END,
            f"{kind.label} porte une fin (01/02/2023) : une phase terminale ne finit pas, "
            "fin ignorée.",
        )
    ]


# --- Rule 8: future phases and restarts -------------------------------------------------------
def test_it_keeps_a_phase_starting_in_the_future_as_planned_and_notes_it():
    history, corrections, _ = clean(
        phase("construction", date(2024, 4, 1)),
        phase("acceleration", date(2025, 9, 1)),
        today=date(2025, 6, 1),
    )
    assert history == [
        (CONS, date(2024, 4, 1), date(2025, 8, 31)),
        (ACC, date(2025, 9, 1), None),
    ]
    assert corrections == [
        (
            CorrectionKind.FUTURE_PHASE,
            "Accélération commence le 01/09/2025, dans le futur : conservée comme phase prévue.",
        )
    ]


def test_it_does_not_call_a_phase_starting_today_a_future_one():
    _, corrections, _ = clean(phase("construction", TODAY), today=TODAY)
    assert corrections == []


def test_it_keeps_a_restart_after_a_terminal_phase_and_notes_it():
    history, corrections, _ = clean(
        phase("investigation", date(2020, 1, 6)),
        phase("abandon-investigation", date(2020, 3, 1)),
        phase("investigation", date(2021, 9, 1), date(2021, 10, 31)),
        phase("construction", date(2021, 11, 1)),
    )
    assert history == [
        (INV, date(2020, 1, 6), date(2020, 2, 29)),
        (PhaseKind.INVESTIGATION_DROPPED, date(2020, 3, 1), date(2021, 8, 31)),
        (INV, date(2021, 9, 1), date(2021, 10, 31)),
        (CONS, date(2021, 11, 1), None),
    ]
    assert corrections == [
        (
            CorrectionKind.RESTART,
            "Reprise en Investigation le 01/09/2021 après « Investigation non concluante » : "
            "conservée.",
        )
    ]


def test_it_does_not_call_a_handover_after_a_stop_a_restart():
    _, corrections, _ = clean(
        phase("abandon", date(2021, 1, 1)), phase("transfere", date(2021, 6, 1))
    )
    assert corrections == []


# --- No phase ---------------------------------------------------------------------------------
@pytest.mark.parametrize("raw_phases", [None, []])
def test_it_notes_a_startup_without_any_phase(raw_phases):
    phases, corrections = clean_phase_history(raw_phases, TODAY)
    assert phases == []
    assert [(c.kind, c.message) for c in corrections] == [
        (
            CorrectionKind.NO_PHASE,
            "Aucune phase exploitable : la startup n'a pas de phase en cours.",
        )
    ]


def test_it_notes_no_phase_when_every_name_is_unknown():
    history, corrections, _ = clean(phase("pivot", date(2021, 1, 1)))
    assert history == []
    assert [k for k, _ in corrections] == [CorrectionKind.UNKNOWN_PHASE, CorrectionKind.NO_PHASE]


# --- What cannot be read ----------------------------------------------------------------------
def test_it_sets_aside_a_phase_that_is_not_a_mapping_and_records_it():
    history, corrections, _ = clean("investigation", phase("construction", date(2021, 4, 1)))
    assert history == [(CONS, date(2021, 4, 1), None)]
    assert corrections == [
        (CorrectionKind.INVALID_VALUE, "Phase n°1 illisible ('investigation') : écartée.")
    ]


def test_it_refuses_phases_that_are_not_a_list():
    with pytest.raises(SourceError, match="« phases » n'est pas une liste"):
        clean_phase_history({"name": "investigation"}, TODAY)


def test_it_refuses_a_date_it_cannot_read():
    with pytest.raises(SourceError) as error:
        clean(phase("investigation", "2021-13-45"))
    assert str(error.value) == (
        "date illisible « 2021-13-45 » (phases n°1, start) : format AAAA-MM-JJ attendu"
    )


def test_it_reads_dates_written_as_text():
    history, _, _ = clean(phase("investigation", " 2021-01-04 ", "2021-03-31"))
    assert history == [(INV, date(2021, 1, 4), date(2021, 3, 31))]


def test_a_clean_phase_remembers_the_source_name_and_comment():
    _, _, phases = clean(phase("perennisation", date(2022, 1, 1), comment="  Suite  "))
    assert phases == [
        CleanPhase(CONSO, date(2022, 1, 1), None, comment="Suite", source_name="perennisation")
    ]


# --- Events -----------------------------------------------------------------------------------
def test_it_sorts_events_and_keeps_their_name_as_written():
    events, corrections = clean_events(
        [
            {"name": "national_impact", "date": date(2023, 5, 1)},
            {"name": "product_launch", "date": date(2022, 1, 10), "comment": " V1 "},
        ],
        date(2021, 1, 1),
        None,
    )
    assert [(e.kind, e.date, e.comment, e.source_name) for e in events] == [
        (EventKind.PRODUCT_LAUNCH, date(2022, 1, 10), "V1", "product_launch"),
        (EventKind.NATIONAL_IMPACT, date(2023, 5, 1), "", "national_impact"),
    ]
    assert corrections == []


def test_it_keeps_an_event_with_an_unknown_name_as_other_and_records_it():
    events, corrections = clean_events(
        [{"name": "hackathon", "date": date(2022, 3, 4)}], date(2021, 1, 1), None
    )
    assert [(e.kind, e.source_name) for e in events] == [(EventKind.OTHER, "hackathon")]
    assert [(c.kind, c.message) for c in corrections] == [
        (
            CorrectionKind.UNKNOWN_EVENT,
            "Événement « hackathon » du 04/03/2022 : nom inconnu, classé « Autre ».",
        )
    ]


def test_it_keeps_an_event_before_the_first_phase_and_notes_it():
    events, corrections = clean_events(
        [{"name": "committee", "date": date(2020, 12, 15)}], date(2021, 1, 4), None
    )
    assert [(e.kind, e.date) for e in events] == [(EventKind.COMMITTEE, date(2020, 12, 15))]
    assert [(c.kind, c.message) for c in corrections] == [
        (
            CorrectionKind.EVENT_BEFORE_FIRST_PHASE,
            "Comité d'investissement le 15/12/2020, avant la première phase (04/01/2021) : "
            "conservé.",
        )
    ]


def test_it_sets_aside_an_event_without_a_date_and_records_it():
    events, corrections = clean_events(
        [{"name": "committee"}, {"name": "end", "date": date(2024, 1, 1)}], None, None
    )
    assert [e.kind for e in events] == [EventKind.END]
    assert [(c.kind, c.message) for c in corrections] == [
        (CorrectionKind.INVALID_VALUE, "Événement n°1 sans date : écarté.")
    ]


def test_it_refuses_events_that_are_not_a_list_and_dates_it_cannot_read():
    with pytest.raises(SourceError, match="« events » n'est pas une liste"):
        clean_events("committee", None, None)
    with pytest.raises(SourceError, match="date illisible « hier » \\(events n°1, date\\)"):
        clean_events([{"name": "committee", "date": "hier"}], None, None)


def test_it_reads_the_promotion_and_amount_of_a_fast_event():
    events, _ = clean_events(
        [
            {
                "name": "fast",
                "date": date(2024, 1, 1),
                "comment": "Montant de 300000€ pour la promotion 14",
            }
        ],
        date(2023, 1, 1),
        None,
    )
    assert (events[0].promotion, events[0].amount) == (14, Decimal(300000))


@pytest.mark.parametrize(
    ("comment", "fast", "expected"),
    [
        ("Montant de 300000€ pour la promotion 14", None, (14, Decimal(300000))),
        ("Promo n°7 : 150 k€", None, (7, Decimal(150000))),
        ("Promotion 3, 45 000 €", None, (3, Decimal(45000))),
        ("Lauréate", {"promotion": 15, "montant": 120000}, (15, Decimal(120000))),
        ("promo 9", {"promotion": 15, "montant": "80 000"}, (9, Decimal(80000))),
        ("", {"promotion": "quinze", "montant": "beaucoup"}, (None, None)),
        ("", None, (None, None)),
    ],
)
def test_it_reads_fast_details_from_the_comment_else_from_the_startup(comment, fast, expected):
    assert fast_details(comment, fast) == expected


# --- Values -----------------------------------------------------------------------------------
def test_it_strips_text_and_records_the_fields_it_cleaned():
    values = ValueCleaner()
    data = {"title": "  Mon service ", "mission": "Aider", "contact": None, "count": 3}
    assert values.text(data, "title") == "Mon service"
    assert values.text(data, "mission") == "Aider"
    assert values.text(data, "contact") == ""
    assert values.text(data, "count") == "3"
    assert [(c.kind, c.message) for c in values.corrections()] == [
        (CorrectionKind.CLEANED_VALUE, "Valeurs nettoyées : title.")
    ]


def test_it_truncates_a_text_too_long_and_records_it():
    values = ValueCleaner()
    assert values.text({"contact": "x" * 310}, "contact", 300) == "x" * 300
    assert [(c.kind, c.message) for c in values.corrections()] == [
        (
            CorrectionKind.INVALID_VALUE,
            "Valeur ignorée : contact (plus de 300 caractères, tronqué).",
        )
    ]


@pytest.mark.parametrize(
    ("written", "read", "cleaned"),
    [
        ("https://exemple.beta.gouv.fr/", "https://exemple.beta.gouv.fr/", False),
        ("https://exemple.beta.gouv.fr/  ", "https://exemple.beta.gouv.fr/", True),
        (
            "https:&#x2F;&#x2F;kwenduparis.wixsite.com&#x2F;equipements",
            "https://kwenduparis.wixsite.com/equipements",
            True,
        ),
        ("https://exemple.fr/?a=1&amp;b=2", "https://exemple.fr/?a=1&b=2", True),
        ("exemple.beta.gouv.fr/stats", "https://exemple.beta.gouv.fr/stats", True),
    ],
)
def test_it_cleans_urls_and_records_it(written, read, cleaned):
    values = ValueCleaner()
    assert values.url({"link": written}, "link") == read
    expected = [(CorrectionKind.CLEANED_VALUE, "Valeurs nettoyées : link.")] if cleaned else []
    assert [(c.kind, c.message) for c in values.corrections()] == expected


def test_it_ignores_a_value_that_is_not_a_web_address_and_records_it():
    values = ValueCleaner()
    assert values.url({"link": "en cours"}, "link") == ""
    assert [(c.kind, c.message) for c in values.corrections()] == [
        (
            CorrectionKind.INVALID_VALUE,
            "Valeur ignorée : link « en cours » n'est pas une adresse web.",
        )
    ]


@pytest.mark.parametrize("written", ["https://exemple.fr/" + "a" * 490, "exemple.fr/" + "a" * 490])
def test_it_ignores_a_url_longer_than_the_database_holds_and_records_it(written):
    # Cut, it would lead nowhere; kept whole, the database would refuse the startup.
    values = ValueCleaner()
    assert values.url({"link": written}, "link") == ""
    assert (
        CorrectionKind.INVALID_VALUE,
        "Valeur ignorée : link (adresse de plus de 500 caractères).",
    ) in [(c.kind, c.message) for c in values.corrections()]


@pytest.mark.parametrize(
    ("written", "read", "kinds"),
    [
        (True, True, []),
        (None, None, []),
        ("oui", True, [CorrectionKind.CLEANED_VALUE]),
        ("False ", False, [CorrectionKind.CLEANED_VALUE]),
        ("peut-être", None, [CorrectionKind.INVALID_VALUE]),
    ],
)
def test_it_reads_yes_and_no_and_records_what_it_changed(written, read, kinds):
    values = ValueCleaner()
    assert values.boolean({"stats": written}, "stats") is read
    assert [c.kind for c in values.corrections()] == kinds


def test_it_reads_lists_and_strips_their_items():
    values = ValueCleaner()
    assert values.strings({"thematiques": ["Santé ", None, "  ", "Social"]}, "thematiques") == [
        "Santé",
        "Social",
    ]
    assert values.strings({"techno": "Django"}, "techno") == ["Django"]
    assert values.strings({"usertypes": {"a": 1}}, "usertypes") == []
    assert [(c.kind, c.message) for c in values.corrections()] == [
        (CorrectionKind.CLEANED_VALUE, "Valeurs nettoyées : thematiques."),
        (CorrectionKind.INVALID_VALUE, "Valeur ignorée : usertypes n'est pas une liste."),
    ]
