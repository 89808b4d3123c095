"""The open data API (/api/v2/…): Portefeuille's own shape of a startup, the cache, CORS, the
OpenAPI documents, and the open data page (/donnees/). beta.gouv.fr's shapes, version by
version: tests/test_api_betagouv.py (small data) and tests/test_api_corpus.py (the corpus)."""

import csv
import io
import json
import re
from datetime import date, timedelta
from urllib.parse import quote, unquote

import msgspec
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils.http import parse_http_date

from api import open_data, openapi, schemas
from api import registry as api
from api import urls as api_urls
from publishing import caching
from startups.models import EventKind, Phase, today
from startups.phases import PhaseKind
from tests.clock import SUITE_NOW
from tests.factories import (
    EventFactory,
    IncubatorFactory,
    OrganisationFactory,
    PhaseFactory,
    StartupFactory,
    startup_with_phases,
)
from tests.factories_members import member_on

pytestmark = pytest.mark.django_db

STARTUPS_JSON = "/api/v2.7/startups.json"
STARTUPS_CSV = "/api/v2/startups.csv"
INCUBATORS_JSON = "/api/v2/incubators.json"
ORGANISATIONS_JSON = "/api/v2/organisations.json"
OPENAPI_JSON = "/api/v2/openapi.json"
ODD_IDS = ["1000.jours", "auxAJ", "données-et-territoires", "a.json"]

# beta.gouv.fr's keys (api/v2.7/startups.json), then ours.
BETA_ATTRIBUTES = [
    "name",
    "pitch",
    "stats_url",
    "budget_url",
    "impact_url",
    "link",
    "repository",
    "contact",
    "content_url_encoded_markdown",
    "events",
    "phases",
    "sponsors",
    "thematiques",
    "technos",
    "analyse_risques",
    "analyse_risques_url",
    "dashlord_url",
    "accessibility_status",
]
OUR_ATTRIBUTES = [
    "usertypes",
    "mon_service_securise",
    "current_phase",
    "current_phase_start",
    "lifecycle",
]


def startup_of(document: dict, startup_id: str) -> dict:
    return next(item for item in document["data"] if item["id"] == startup_id)


def registry(size: int) -> list:
    """`size` startups, each with three phases, two events, two sponsors, a co-incubator."""
    incubators = IncubatorFactory.create_batch(2)
    sponsors = OrganisationFactory.create_batch(3)
    startups = []
    for number in range(size):
        startup = startup_with_phases(
            (PhaseKind.INVESTIGATION, date(2023, 1, 1)),
            (PhaseKind.CONSTRUCTION, date(2023, 3, 1)),
            (PhaseKind.ACCELERATION, date(2024, 3, 1)),
            incubator=incubators[number % 2],
            sponsors=sponsors[number % 2 : number % 2 + 2],
        )
        startup.co_incubators.add(incubators[(number + 1) % 2])
        EventFactory(startup=startup, kind=EventKind.PRODUCT_LAUNCH, date=date(2023, 6, 1))
        EventFactory(startup=startup, kind=EventKind.COMMITTEE, date=date(2024, 2, 1))
        startups.append(startup)
    return startups


def conforms(body: bytes, shape) -> None:
    """Decode `body` as `shape` (api.schemas): every key typed, no key missing, none extra."""
    msgspec.json.decode(body, type=shape, strict=True)


# --- One startup: Portefeuille's shape -----------------------------------------------------------
def test_one_startup_has_beta_gouv_keys_with_nulls_and_booleans_then_ours(client):
    sponsor = OrganisationFactory(id="dinum")
    co_incubator = IncubatorFactory(id="anct", website="")
    startup = startup_with_phases(
        (PhaseKind.INVESTIGATION, date(2023, 1, 1)),
        (PhaseKind.CONSTRUCTION, date(2023, 3, 1)),
        id="aidantsconnect",
        title="Aidants Connect",
        link="https://aidantsconnect.beta.gouv.fr/",
        has_stats_page=True,
        repository="",
        risk_analysis_done=False,
        themes=["Social", "Inclusion numérique"],
        technologies=["django"],
        user_types=["association"],
        accessibility_status="partiellement conforme",
        description="## Contexte\n\nDes aidants & des usagers ~ 100 %",
        sponsors=[sponsor],
    )
    startup.co_incubators.add(co_incubator)
    EventFactory(startup=startup, kind=EventKind.COMMITTEE, date=date(2023, 2, 1), comment="")

    response = client.get("/api/v2/startups/aidantsconnect.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert list(document) == ["links", "data", "included"]
    assert document["links"]["self"] == "http://testserver/api/v2/startups/aidantsconnect.json"
    item = document["data"]
    assert list(item) == ["id", "type", "attributes", "relationships"]
    assert item["type"] == "startup"
    attributes = item["attributes"]
    assert list(attributes) == BETA_ATTRIBUTES + OUR_ATTRIBUTES
    assert attributes["name"] == "Aidants Connect"
    # beta.gouv.fr's rule for a site with a /stats page, without its double slash.
    assert attributes["stats_url"] == "https://aidantsconnect.beta.gouv.fr/stats"
    assert attributes["repository"] is None and attributes["budget_url"] is None
    assert attributes["analyse_risques"] is False
    assert attributes["mon_service_securise"] is None
    assert attributes["phases"] == [
        {"name": "investigation", "start": "2023-01-01", "end": "2023-02-28"},
        {"name": "construction", "start": "2023-03-01", "end": None},
    ]
    assert attributes["events"] == [{"name": "committee", "date": "2023-02-01", "comment": None}]
    assert attributes["sponsors"] == ["dinum"]
    assert attributes["thematiques"] == ["Social", "Inclusion numérique"]
    assert attributes["technos"] == ["django"]
    assert attributes["usertypes"] == ["association"]
    assert attributes["accessibility_status"] == "partiellement conforme"
    assert unquote(attributes["content_url_encoded_markdown"]) == startup.description
    assert attributes["content_url_encoded_markdown"].startswith("%23%23%20Contexte%0A")
    assert attributes["current_phase"] == "construction"
    assert attributes["current_phase_start"] == "2023-03-01"
    assert attributes["lifecycle"] == "active"
    primary = startup.incubator_id
    assert item["relationships"] == {
        "incubator": {"data": {"type": "incubator", "id": primary}},
        "incubators": {
            "data": [{"type": "incubator", "id": primary}, {"type": "incubator", "id": "anct"}]
        },
    }
    included = {incubator["id"]: incubator for incubator in document["included"]}
    assert set(included) == {primary, "anct"}
    assert included["anct"]["type"] == "incubator"
    assert list(included["anct"]["attributes"]) == [
        "title",
        "owner",
        "website",
        "github",
        "contact",
    ]
    assert included["anct"]["attributes"]["website"] is None
    assert included["anct"]["attributes"]["owner"] == co_incubator.owner_id


def test_a_startup_without_phases_is_not_started_with_empty_lists(client):
    StartupFactory(id="vide", mission="", contact="", link="", description="")

    attributes = client.get("/api/v2/startups/vide.json").json()["data"]["attributes"]

    assert attributes["phases"] == [] and attributes["events"] == []
    assert attributes["sponsors"] == [] and attributes["thematiques"] == []
    assert attributes["pitch"] is None and attributes["contact"] is None
    assert attributes["link"] is None and attributes["stats_url"] is None
    assert attributes["content_url_encoded_markdown"] is None
    assert attributes["current_phase"] is None and attributes["lifecycle"] == "not_started"


def test_json_escapes_quotes_newlines_backslashes_where_beta_gouv_pastes_text(client):
    """beta.gouv.fr's Liquid pastes the text between quotes: a `"` or a line feed breaks its
    document. Ours is real JSON; v2.1+ deletes a comment's line feeds as beta.gouv.fr does."""
    title = 'Le "vrai" <b>titre</b>\\ </script><script>alert(1)</script>'
    mission = "Ligne 1\nLigne 2\t« guillemets » & co"
    startup = StartupFactory(id="echappement", title=title, mission=mission)
    EventFactory(startup=startup, comment='Commentaire\nsur "deux" lignes')

    response = client.get(STARTUPS_JSON)

    body = response.content.decode("utf-8")
    attributes = startup_of(json.loads(body), "echappement")["attributes"]
    assert attributes["name"] == title
    assert attributes["pitch"] == mission
    assert attributes["events"][0]["comment"] == 'Commentairesur "deux" lignes'
    v2 = startup_of(client.get("/api/v2/startups.json").json(), "echappement")["attributes"]
    assert v2["events"][0]["comment"] == 'Commentaire\nsur "deux" lignes'
    assert "&quot;" not in body and "&lt;" not in body  # no HTML escaping inside JSON
    assert "« guillemets »" in body  # UTF-8, not \u00ab escapes


# --- One startup ------------------------------------------------------------------------------
@pytest.mark.parametrize("startup_id", ODD_IDS)
def test_one_startup_by_an_id_with_dots_case_and_accents(client, startup_id):
    co_incubator = IncubatorFactory()
    startup = startup_with_phases((PhaseKind.INVESTIGATION, date(2024, 1, 1)), id=startup_id)
    startup.co_incubators.add(co_incubator)
    StartupFactory(id=f"{startup_id}.autre")  # a longer id sharing the prefix

    url = reverse("api:startup_json", args=[startup_id])
    assert url == f"/api/v2/startups/{quote(startup_id)}.json"
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    document = response.json()
    assert list(document) == ["links", "data", "included"]
    assert document["data"]["id"] == startup_id
    assert document["links"]["self"] == f"http://testserver{url}"
    assert [i["id"] for i in document["included"]] == [startup.incubator_id, co_incubator.id]
    conforms(response.content, schemas.OwnStartupDocument)
    # The same id in beta.gouv.fr's list.
    assert startup_of(client.get(STARTUPS_JSON).json(), startup_id)["id"] == startup_id


def test_the_id_is_matched_whole_and_case_sensitively(client):
    StartupFactory(id="1000.jours")

    assert client.get("/api/v2/startups/1000.jours.json").status_code == 200
    assert client.get("/api/v2/startups/1000.JOURS.json").status_code == 404
    assert client.get("/api/v2/startups/1000.json").status_code == 404
    assert client.get("/api/v2/startups/1000.jours").status_code == 404


def test_an_unknown_startup_is_a_json_404(client):
    response = client.get("/api/v2/startups/inconnue.json")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {"errors": [{"status": "404", "title": "Introuvable"}]}
    conforms(response.content, schemas.Error)


# --- startups.csv -----------------------------------------------------------------------------
def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8")), delimiter=";"))


def test_csv_has_beta_gouv_columns_then_ours_plain_utf8_and_semicolons(client):
    sponsors = [OrganisationFactory(id="dinum"), OrganisationFactory(id="anct")]
    startup = startup_with_phases(
        (PhaseKind.INVESTIGATION, date(2023, 1, 1)),
        (PhaseKind.CONSTRUCTION, date(2023, 3, 1)),
        id="données-et-territoires",
        title="Données; et territoires",
        mission='Sur deux\nlignes, avec des « guillemets » et des "doubles"',
        themes=["Écologie", "Territoires"],
        risk_analysis_done=True,
        sponsors=sponsors,
    )
    co_incubator = IncubatorFactory(id="co")
    startup.co_incubators.add(co_incubator)

    response = client.get(STARTUPS_CSV)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="startups.csv"'
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.content.startswith(b"\xef\xbb\xbf")  # no BOM
    first_line = response.content.decode("utf-8").split("\r\n")[0]
    assert first_line.startswith(
        "id;name;mission;start;status;incubator;stats;link;repository;accessibility;contact;incubators;"
    )
    header, *rows = csv_rows(response)
    assert header == [name for name, _ in api.CSV_COLUMNS]
    row = dict(zip(header, rows[0], strict=True))
    assert row["id"] == "données-et-territoires"
    assert row["name"] == "Données; et territoires"
    assert row["mission"] == startup.mission
    assert row["start"] == "2023-01-01"
    assert row["status"] == "construction"
    assert row["incubators"] == f"{startup.incubator_id},co"
    assert row["sponsors"] == "anct|dinum"
    assert row["thematiques"] == "Écologie|Territoires"
    assert row["repository"] == ""  # empty, not beta.gouv.fr's literal "null"
    assert row["analyse_risques"] == "true"
    assert row["lifecycle"] == "active"


@pytest.mark.parametrize(
    "dangerous", ['=HYPERLINK("x")', "+33 1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_csv_neutralises_formula_injection(client, dangerous):
    StartupFactory(id="formule", title=dangerous, mission="Sans danger", contact="=1+1")

    header, row = csv_rows(client.get(STARTUPS_CSV))
    row = dict(zip(header, row, strict=True))

    assert row["name"] == "'" + dangerous
    assert row["contact"] == "'=1+1"
    assert row["mission"] == "Sans danger"


# --- incubators.json, organisations.json ------------------------------------------------------
def test_incubators_json_is_an_object_by_id_with_its_startups(client):
    owner = OrganisationFactory(id="dinum")
    incubator = IncubatorFactory(id="dinum-incubateur", owner=owner, address="", github="")
    IncubatorFactory(id="sans-startup")
    startup_with_phases(
        (PhaseKind.INVESTIGATION, date(2024, 1, 1)), id="b.startup", incubator=incubator
    )
    StartupFactory(id="a.startup", incubator=incubator, repository="https://github.com/x/y")

    response = client.get(INCUBATORS_JSON)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    document = response.json()
    assert set(document) == {"dinum-incubateur", "sans-startup"}
    entry = document["dinum-incubateur"]
    assert list(entry) == ["title", "owner", "contact", "address", "website", "github", "startups"]
    assert entry["owner"] == "dinum" and entry["address"] is None and entry["github"] is None
    assert [s["id"] for s in entry["startups"]] == ["a.startup", "b.startup"]
    assert list(entry["startups"][0]) == ["id", "name", "pitch", "repository", "contact", "phases"]
    assert entry["startups"][1]["phases"] == [
        {"name": "investigation", "start": "2024-01-01", "end": None}
    ]
    assert document["sans-startup"]["startups"] == []


def test_organisations_json_is_a_list_with_nulls(client):
    OrganisationFactory(id="dinum", name="Direction interministérielle du numérique", acronym="")

    response = client.get(ORGANISATIONS_JSON)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == [
        {
            "id": "dinum",
            "name": "Direction interministérielle du numérique",
            "acronym": None,
            "domaine_ministeriel": "autres",
            "type": "administration-centrale",
        }
    ]


# --- Conditional GET --------------------------------------------------------------------------
ENDPOINTS = [
    STARTUPS_JSON,
    STARTUPS_CSV,
    INCUBATORS_JSON,
    ORGANISATIONS_JSON,
    "/api/v2/startups.json",
    "/api/v2.7/startups.csv",
    "/api/v2.7/incubators.json",
    "/api/v2.7/sponsors.json",
    "/api/v2.7/organisations.json",
    "/api/v2.7/startups_details.json",
    "/api/v2.7/authors.json",
]


@pytest.mark.parametrize("url", [*ENDPOINTS, "/api/v2/startups/1000.jours.json"])
def test_if_none_match_with_the_etag_is_answered_304(client, url, django_assert_num_queries):
    registry(2)
    StartupFactory(id="1000.jours")
    response = client.get(url)
    etag = response["ETag"]
    assert response.status_code == 200 and re.fullmatch(r'"[0-9a-f]{40}"', etag)
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]

    with django_assert_num_queries(1):
        not_modified = client.get(url, headers={"if-none-match": etag})

    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert not_modified["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, headers={"if-none-match": '"autre"'}).status_code == 200


# A still clock: Last-Modified is "now" here (the database clock runs ahead of the suite's),
# and two requests must fall in the same second.
@pytest.mark.time_machine(SUITE_NOW, tick=False)
@pytest.mark.parametrize("url", ENDPOINTS)
def test_if_modified_since_last_modified_is_answered_304(client, url):
    registry(1)
    last_modified = client.get(url)["Last-Modified"]

    response = client.get(url, headers={"if-modified-since": last_modified})

    assert response.status_code == 304
    assert (
        client.get(url, headers={"if-modified-since": "Sat, 01 Jan 2000 00:00:00 GMT"}).status_code
        == 200
    )


def test_etag_changes_after_a_change_to_a_startup_a_phase_an_event_or_a_sponsor(client):
    (startup,) = registry(1)

    def etag():
        return client.get(STARTUPS_JSON)["ETag"]

    etags = [etag()]
    startup.title = "Nouveau nom"
    startup.save()
    etags.append(etag())
    assert startup_of(client.get(STARTUPS_JSON).json(), startup.id)["attributes"]["name"] == (
        "Nouveau nom"
    )
    phase = Phase.objects.filter(startup=startup).latest("start")
    phase.end = date(2025, 1, 31)
    phase.save()
    etags.append(etag())
    PhaseFactory(startup=startup, kind=PhaseKind.CONSOLIDATION, start=date(2025, 2, 1))
    etags.append(etag())
    EventFactory(startup=startup, kind=EventKind.NATIONAL_IMPACT)
    etags.append(etag())
    startup.sponsors.add(OrganisationFactory())
    etags.append(etag())
    startup.incubator.title = "Incubateur renommé"
    startup.incubator.save()
    etags.append(etag())

    assert len(set(etags)) == len(etags)
    attributes = client.get(f"/api/v2/startups/{startup.id}.json").json()["data"]["attributes"]
    assert attributes["current_phase"] == "consolidation"
    assert len(attributes["sponsors"]) == 3


def test_a_planned_phase_becomes_current_on_its_day_with_a_new_etag(client, monkeypatch):
    startup_with_phases(
        (PhaseKind.INVESTIGATION, date(2030, 1, 1)),
        (PhaseKind.CONSTRUCTION, date(2030, 3, 1)),
        id="future",
    )

    def on(day):
        monkeypatch.setattr("startups.models.today", lambda: day)
        monkeypatch.setattr("publishing.caching.today", lambda: day)
        return client.get("/api/v2/startups/future.json")

    before, after = on(date(2030, 2, 28)), on(date(2030, 3, 1))

    assert before["ETag"] != after["ETag"]
    assert before["Last-Modified"] != after["Last-Modified"]
    assert before.json()["data"]["attributes"]["current_phase"] == "investigation"
    assert after.json()["data"]["attributes"]["current_phase"] == "construction"


# --- Cost ---------------------------------------------------------------------------------------
QUERY_BUDGET = {
    STARTUPS_JSON: 7,
    STARTUPS_CSV: 6,
    INCUBATORS_JSON: 4,
    ORGANISATIONS_JSON: 2,
    "/api/v2/startups/startup-cible.json": 7,
    "/api/v2/startups.json": 7,
    "/api/v2.7/startups_details.json": 9,
    "/api/v2.7/incubators.json": 7,
    "/api/v2.7/sponsors.json": 2,
    "/api/v2.7/organisations.json": 2,
    "/api/v2.7/authors.json": 3,
    "/api/v2.7/startups.csv": 6,
}


@pytest.mark.parametrize("url", list(QUERY_BUDGET))
def test_a_fixed_number_of_queries_whatever_the_size(client, url, django_assert_max_num_queries):
    target = startup_with_phases(
        (PhaseKind.INVESTIGATION, date(2024, 1, 1)),
        id="startup-cible",
        sponsors=[OrganisationFactory()],
    )
    target.co_incubators.add(IncubatorFactory())
    EventFactory(startup=target)
    counts = []
    for size in (3, 30):  # 4 then 34 startups, with as many members
        registry(size)
        for number in range(size):
            member_on([target.pk], date(2024, 1, 1), None, id=f"membre.{size}.{number}")
        cache.clear()
        with (
            CaptureQueriesContext(connection) as queries,
            django_assert_max_num_queries(QUERY_BUDGET[url]),
        ):
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
        # Served again from the cache: only the data version is read.
        with django_assert_max_num_queries(1):
            assert client.get(url).content == response.content
    assert counts[0] == counts[1]


def test_the_whole_list_grows_with_the_registry(client):
    registry(3)
    small = client.get(STARTUPS_JSON).json()
    registry(30)
    large = client.get(STARTUPS_JSON).json()

    assert (len(small["data"]), len(large["data"])) == (3, 33)
    assert all(len(item["attributes"]["phases"]) == 3 for item in large["data"])
    assert all(len(item["attributes"]["events"]) == 2 for item in large["data"])


# --- OpenAPI ------------------------------------------------------------------------------------
def test_the_openapi_document_is_served_and_cacheable(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(OPENAPI_JSON)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document == json.loads(json.dumps(openapi.DOCUMENT))
    assert document["openapi"].startswith("3.1")
    assert client.get(OPENAPI_JSON, headers={"if-none-match": response["ETag"]}).status_code == 304


OWN_PATHS = {
    "/startups.csv",
    "/startups/{id}.json",
    "/incubators.json",
    "/organisations.json",
    "/budget.json",
    "/budget.csv",
    "/decisions.json",
    "/decisions.csv",
    "/startups/{id}/indicators.json",
    "/startups/{id}/indicators.csv",
}


def test_every_path_of_every_document_is_served_and_every_route_documented(client):
    assert set(openapi.DOCUMENTS) == {"2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7"}
    assert set(openapi.DOCUMENTS["2"]["paths"]) == {
        "/startups.json",
        "/authors.json",
        "/openapi.json",
        *OWN_PATHS,
    }
    assert set(openapi.DOCUMENTS["2.7"]["paths"]) == {
        "/startups.json",
        "/startups_details.json",
        "/incubators.json",
        "/sponsors.json",
        "/organisations.json",
        "/authors.json",
        "/startups.csv",
        "/openapi.json",
    }
    assert "/sponsors.json" not in openapi.DOCUMENTS["2.4"]["paths"]
    assert "/startups_details.json" in openapi.DOCUMENTS["2.3"]["paths"]
    assert "/incubators.json" not in openapi.DOCUMENTS["2.2"]["paths"]
    for version, document in openapi.DOCUMENTS.items():
        assert document["servers"] == [{"url": f"/api/v{version}", "description": "Ce site"}]
        served = client.get(f"/api/v{version}/openapi.json")
        assert served.status_code == 200 and served.json() == json.loads(json.dumps(document))
        for path in document["paths"]:
            # Every documented path is routed (whichever app serves it).
            resolve(f"/api/v{version}" + path.replace("{id}", "1000.jours"))
    routed = {
        str(pattern.pattern)
        for pattern in api_urls.urlpatterns
        if str(pattern.pattern).startswith("api/")
    }
    documented = {
        f"api/v{version}{path}" for version, d in openapi.DOCUMENTS.items() for path in d["paths"]
    }
    assert {r.replace("<ident:startup_id>", "{id}") for r in routed} == documented


def test_every_reference_of_the_documents_resolves_and_every_field_is_described():
    for version, document in openapi.DOCUMENTS.items():

        def walk(node, where, document=document):
            if isinstance(node, dict):
                if "$ref" in node:
                    section, name = node["$ref"].split("/")[-2:]
                    assert name in document["components"][section], where
                for key, value in node.items():
                    if key == "properties":
                        for name, schema in value.items():
                            target = open_data.resolve(schema, document)
                            assert schema.get("description") or target.get("description"), (
                                f"{where}.{name} sans description"
                            )
                    walk(value, f"{where}.{key}")
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    walk(value, f"{where}[{index}]")

        walk(document, f"v{version}")


def test_optional_keys_are_not_required_and_unknown_keys_refused_in_the_schemas():
    attributes = openapi.DOCUMENTS["2.7"]["components"]["schemas"]["StartupAttributesV2_6"]
    assert attributes["additionalProperties"] is False
    assert {"link", "repository", "budget_url", "impact_url", "analyse_risques"}.isdisjoint(
        attributes["required"]
    )
    assert {"name", "pitch", "stats_url", "contact", "events", "phases"} <= set(
        attributes["required"]
    )
    v2_5 = openapi.DOCUMENTS["2.5"]["components"]["schemas"]["StartupAttributesV2_5"]
    assert "stats_url" not in v2_5["required"] and "thematiques" not in v2_5["properties"]


def test_every_response_validates_against_its_schema(client):
    registry(3)
    startup_with_phases((PhaseKind.ACCELERATION, date(2024, 1, 1)), id="données-et-territoires")
    StartupFactory(id="1000.jours", mission="", link="", accessibility_status="non conforme")
    cases = {
        "/api/v2/startups/1000.jours.json": schemas.OwnStartupDocument,
        reverse("api:startup_json", args=["données-et-territoires"]): schemas.OwnStartupDocument,
        INCUBATORS_JSON: schemas.OwnIncubators,
        ORGANISATIONS_JSON: schemas.OwnOrganisations,
        "/api/v2/startups.json": schemas.StartupsV2,
        "/api/v2.3/startups.json": schemas.StartupsV2_1,
        "/api/v2.4/startups.json": schemas.StartupsV2_4,
        "/api/v2.5/startups.json": schemas.StartupsV2_5,
        "/api/v2.6/startups.json": schemas.StartupsV2_6,
        STARTUPS_JSON: schemas.StartupsV2_7,
        "/api/v2.7/incubators.json": schemas.Incubators,
        "/api/v2.7/startups_details.json": schemas.StartupsDetails,
        "/api/v2.7/sponsors.json": schemas.Sponsors,
        "/api/v2.7/organisations.json": schemas.OrganisationsV2_6,
    }
    for url, shape in cases.items():
        response = client.get(url)
        assert response.status_code == 200, url
        conforms(response.content, shape)


def test_the_schemas_catch_drift():
    good = {"id": "x", "name": "X", "acronym": None, "domaine_ministeriel": None, "type": None}

    msgspec.convert([good], schemas.OwnOrganisations)
    for bad in (
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "type"},
        {**good, "name": None},
    ):
        with pytest.raises(msgspec.ValidationError):
            msgspec.convert([bad], schemas.OwnOrganisations)
    phase = {"name": "investigation", "start": "2024-01-01", "end": ""}
    msgspec.convert(phase, schemas.Phase)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**phase, "end": None}, schemas.Phase)  # "" in startups.json, not null


def test_the_csv_columns_are_documented_in_the_document():
    description = openapi.DOCUMENT["paths"]["/startups.csv"]["get"]["description"]
    for name, _ in api.CSV_COLUMNS:
        assert name in description


# --- CORS and methods ---------------------------------------------------------------------------
def test_a_preflight_is_answered_and_writes_are_refused(client):
    preflight = client.options(STARTUPS_JSON)
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert client.put(STARTUPS_JSON).status_code in (403, 405)
    assert client.head(STARTUPS_JSON).status_code == 200


# --- The open data page -------------------------------------------------------------------------
def test_the_open_data_page_lists_every_export_with_licence_and_fields(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(reverse("api:open_data"))

    assert response.status_code == 200
    content = response.content.decode()
    for url in [
        STARTUPS_JSON,
        STARTUPS_CSV,
        INCUBATORS_JSON,
        ORGANISATIONS_JSON,
        "/api/v2.7/authors.json",
        "/api/v2.7/startups_details.json",
        OPENAPI_JSON,
        "/api/v2/startups/1000.jours.json",
    ]:
        assert f'href="{url}"' in content
    assert "CC BY-NC-SA 4.0" in content or "BY-NC-SA 4.0" in content
    assert "Licence Ouverte 2.0" in content
    assert 'class="fr-table' in content
    for field in [
        "data[].attributes.phases[].end",
        "data[].attributes.pitch",
        "included[].attributes.title",
        "data.attributes.current_phase",
        "[].missions[].startups",
    ]:
        assert f"<code>{field}</code>" in content
    for name, _ in api.CSV_COLUMNS:
        assert f"<code>{name}</code>" in content
    assert "<code>&lt;id&gt;.startups[].phases[].name</code>" in content
    assert "<code>[].domaine_ministeriel</code>" in content


def test_the_open_data_page_is_under_donnees():
    assert reverse("api:open_data") == "/donnees/"


def test_phase_kinds_and_event_kinds_are_enumerated_in_the_document():
    phase = openapi.DOCUMENT["components"]["schemas"]["OwnPhase"]["properties"]["name"]
    event = openapi.DOCUMENT["components"]["schemas"]["OwnEvent"]["properties"]["name"]
    assert set(phase["enum"]) == set(PhaseKind.values)
    assert set(event["enum"]) == set(EventKind.values)


def test_last_modified_is_never_before_midnight_today(client):
    registry(1)
    response = client.get(STARTUPS_JSON)

    last_modified = parse_http_date(response["Last-Modified"])
    midnight = caching.last_modified_of(None, today())
    assert last_modified >= midnight
    assert caching.last_modified_of(None, today() + timedelta(days=1)) > midnight


def test_a_new_data_version_replaces_the_cached_body_instead_of_adding_one(client):
    (startup,) = registry(1)
    client.get(STARTUPS_JSON)
    startup.title = "Autre nom"
    startup.save()
    client.get(STARTUPS_JSON)

    page_keys = [key for key in cache._cache if ":page:" in key]
    assert len(page_keys) == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_open_data_page_is_accessible(live_server, page, assert_accessible):
    page.goto(live_server.url + "/donnees/")
    assert page.locator("h1").inner_text() == "Données ouvertes"
    assert page.locator(".fr-table table").count() == 12
    assert_accessible(page)
