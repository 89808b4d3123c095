"""beta.gouv.fr's API, version by version, on small data: a file served as written, the
registry's value as soon as it says something else, a startup created in Portefeuille, the
members' snapshot of the day. The real corpus: tests/test_api_corpus.py."""

import gc
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import RequestFactory

from api import betagouv
from startups.models import Incubator, Phase, Startup
from startups.phases import PhaseKind
from tests.clock import TODAY
from tests.factories import (
    EventFactory,
    IncubatorFactory,
    OrganisationFactory,
    StartupFactory,
    startup_with_phases,
)
from tests.factories_members import member_on

pytestmark = pytest.mark.django_db


def write(root: Path, kind: str, name: str, front_matter: dict, body: str = "") -> None:
    path = root / kind / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{text}---\n{body}", encoding="utf-8")


STARTUP = {
    "title": "  Aides simplifiées ",
    "mission": "Simplifier les aides ",
    "incubator": "dinum",
    "link": "https://aides.beta.gouv.fr/ ",
    "stats": True,
    "contact": "",
    "sponsors": ["/organisations/dinum", "/organisations/anct"],
    "thematiques": ["Social"],
    "techno": ["django"],
    "analyse_risques": True,
    # Out of order, an old name, an end written on the next start.
    "phases": [
        {"name": "construction", "start": date(2021, 3, 1)},
        {"name": "investigation", "start": date(2021, 1, 1), "end": date(2021, 3, 1)},
        {"name": "success", "start": date(2023, 1, 1), "comment": "Reprise"},
    ],
    "events": [{"name": "committee", "date": date(2022, 1, 1), "comment": "Ligne 1\nLigne 2"}],
}


@pytest.fixture
def imported(tmp_path):
    root = tmp_path / "betagouv"
    write(root, "organisations", "dinum.md", {"name": "DINUM l'État & co", "acronym": "DINUM"})
    write(root, "organisations", "anct.md", {"name": "ANCT"})
    write(root, "incubators", "dinum.md", {"title": "Incubateur", "owner": "/organisations/dinum"})
    write(root, "incubators", "cache.md", {"title": "Caché", "hidden": True})
    write(root, "startups", "aides.md", STARTUP, "\nDes aides & 100 %\n")
    write(root, "startups", "aides-jeunes.md", {**STARTUP, "title": "Jeunes", "phases": []})
    call_command("import_betagouv", str(root), stdout=io.StringIO(), stderr=io.StringIO())
    return root


def attributes(client, version: str, startup_id: str) -> dict:
    document = client.get(f"/api/v{version}/startups.json").json()
    return next(item for item in document["data"] if item["id"] == startup_id)["attributes"]


def test_an_untouched_file_is_served_as_written(client, imported):
    document = client.get("/api/v2.7/startups.json").json()
    # Jekyll's order: file names byte by byte (`-` before `.`).
    assert [item["id"] for item in document["data"]] == ["aides-jeunes", "aides"]
    item = document["data"][1]
    served = item["attributes"]
    assert served["name"] == "  Aides simplifiées "
    assert served["pitch"] == "Simplifier les aides "
    assert served["link"] == "https://aides.beta.gouv.fr/ "
    assert served["stats_url"] == "https://aides.beta.gouv.fr//stats"  # link|strip + /stats
    assert served["impact_url"] == "" and served["contact"] == ""
    assert "repository" not in served and "budget_url" not in served
    assert served["phases"] == [
        {"name": "construction", "start": "2021-03-01", "end": ""},
        {"name": "investigation", "start": "2021-01-01", "end": "2021-03-01"},
        {"name": "success", "start": "2023-01-01", "end": ""},
    ]
    assert served["events"] == [
        {"name": "committee", "date": "2022-01-01", "comment": "Ligne 1Ligne 2"}
    ]
    assert served["sponsors"] == ["dinum", "anct"]  # the file's order
    assert served["analyse_risques"] == "true"
    assert served["content_url_encoded_markdown"] == "Des%20aides%20%26%20100%20%25"
    assert item["relationships"]["incubators"] == {"data": [{"type": "incubator", "id": "dinum"}]}
    assert [i["id"] for i in document["included"]] == ["dinum"]  # the hidden one left out
    assert document["included"][0]["attributes"]["owner"] == "/organisations/dinum"
    v2_6 = client.get("/api/v2.6/startups.json").json()
    assert [i["id"] for i in v2_6["included"]] == ["/incubateurs/dinum"]
    attributes_v2 = attributes(client, "2", "aides")
    assert attributes_v2["events"][0]["comment"] == "Ligne 1\nLigne 2"
    assert list(attributes_v2) == ["name", "pitch", "stats_url", "link", "events", "phases"]


def test_details_and_incubators_give_the_files_phases_and_null(client, imported):
    details = client.get("/api/v2.7/startups_details.json").json()
    assert details["aides"]["phases"] == [
        {"name": "construction", "start": "2021-03-01"},
        {"name": "investigation", "start": "2021-01-01", "end": "2021-03-01"},
        {"name": "success", "start": "2023-01-01", "comment": "Reprise"},
    ]
    assert details["aides"]["repository"] is None
    incubators = client.get("/api/v2.7/incubators.json").json()
    assert list(incubators) == ["dinum"]  # the hidden incubator has no startup here
    assert [s["id"] for s in incubators["dinum"]["startups"]] == ["aides-jeunes", "aides"]
    assert incubators["dinum"]["website"] is None
    organisations = client.get("/api/v2.7/organisations.json").json()
    assert organisations[1]["name"] == "DINUM l&#39;État &amp; co"
    assert organisations[0]["acronym"] == ""
    sponsors = client.get("/api/v2.7/sponsors.json").json()
    assert sponsors["dinum"]["name"] == "DINUM l'État & co" and sponsors["anct"]["acronym"] is None


def test_a_value_changed_in_portefeuille_is_served_the_others_as_written(client, imported):
    startup = Startup.objects.get(pk="aides")
    startup.title = "Aides (nouveau nom)"
    startup.save()

    changed = attributes(client, "2.7", "aides")

    assert changed["name"] == "Aides (nouveau nom)"
    assert changed["pitch"] == "Simplifier les aides "  # still the file's


def test_a_phase_started_in_portefeuille_gives_the_registry_history(client, imported):
    startup = Startup.objects.get(pk="aides")
    last = startup.phases.order_by("start").last()
    last.end = date(2025, 12, 31)
    last.save()
    Phase.objects.create(startup=startup, kind=PhaseKind.CONSOLIDATION, start=date(2026, 1, 1))

    phases = attributes(client, "2.7", "aides")["phases"]

    assert [p["name"] for p in phases] == [
        "investigation",
        "construction",
        "transfere",
        "consolidation",
    ]
    assert phases[-1] == {"name": "consolidation", "start": "2026-01-01", "end": ""}


def test_a_startup_created_in_portefeuille_has_each_versions_shape(client):
    sponsor = OrganisationFactory(id="dinum")
    startup = startup_with_phases(
        (PhaseKind.INVESTIGATION, date(2024, 1, 1)),
        id="nouvelle",
        title="Nouvelle",
        link="",
        repository="https://example.org/code",
        has_stats_page=None,
        themes=["Santé"],
        sponsors=[sponsor],
        risk_analysis_done=False,
    )
    EventFactory(startup=startup, kind="committee", date=date(2024, 2, 1), comment="")

    v2_7 = attributes(client, "2.7", "nouvelle")
    v2_5 = attributes(client, "2.5", "nouvelle")

    assert v2_7["name"] == "Nouvelle" and v2_7["stats_url"] == ""
    assert "link" not in v2_7 and "impact_url" not in v2_7 and "analyse_risques" not in v2_7
    assert v2_7["repository"] == "https://example.org/code"
    assert v2_7["phases"] == [{"name": "investigation", "start": "2024-01-01", "end": ""}]
    assert v2_7["events"] == [{"name": "committee", "date": "2024-02-01", "comment": ""}]
    assert v2_7["sponsors"] == ["dinum"] and v2_7["thematiques"] == ["Santé"]
    assert "stats_url" not in v2_5 and "thematiques" not in v2_5


def test_an_incubator_without_a_file_is_not_a_document(client):
    placeholder = IncubatorFactory(id="sans-fiche", is_placeholder=True)
    StartupFactory(id="s", incubator=placeholder)

    document = client.get("/api/v2.7/startups.json").json()

    assert document["included"] == []
    assert document["data"][0]["relationships"]["incubator"]["data"]["id"] == "sans-fiche"
    incubators = client.get("/api/v2.7/incubators.json").json()
    assert list(incubators["sans-fiche"]) == ["startups"]


def test_the_teams_are_a_snapshot_of_the_day(client, time_machine):
    StartupFactory(id="equipe")
    member_on(["equipe"], date(2025, 1, 1), TODAY, id="ana.lyse")
    url = "/api/v2.7/startups_details.json"

    today = client.get(url)
    assert today.json()["equipe"]["active_members"] == ["ana.lyse"]  # the end day counts
    # The same day, the same body.
    assert client.get(url, headers={"if-none-match": today["ETag"]}).status_code == 304

    time_machine.move_to(TODAY + timedelta(days=1))
    tomorrow = client.get(url)
    assert tomorrow["ETag"] != today["ETag"]
    assert tomorrow.json()["equipe"]["active_members"] == []
    assert tomorrow.json()["equipe"]["expired_members"] == ["ana.lyse"]


def test_authors_json_keeps_keys_as_each_version_does(client):
    StartupFactory(id="equipe")
    member = member_on(
        ["equipe"],
        date(2025, 1, 1),
        None,
        id="ana.lyse",
        role="Data & IA",
        link="https://example.org/?a=1&b=2",
        bio="<p>Bonjour</p>\n",
        competences=[],
    )

    v2_7, v2_5 = (client.get(f"/api/v{v}/authors.json").json() for v in ("2.7", "2.5"))

    assert v2_7 == [
        {
            "id": member.pk,
            "fullname": member.fullname,
            "role": "Data &amp; IA",
            "domaine": "Développement",
            "link": "https://example.org/?a=1&amp;b=2",
            "bio": "Bonjour",
            "missions": [
                {
                    "start": "2025-01-01",
                    "end": "",
                    "status": "independent",
                    "employer": "Malt",
                    "startups": ["equipe"],
                }
            ],
            "competences": [],  # present though empty: Liquid's [] is true
        }
    ]
    assert set(v2_5[0]) == {"id", "fullname", "role", "domaine", "missions"}
    assert "startups" not in v2_5[0]["missions"][0]


def test_the_beta_gouv_csv_keeps_its_text_but_neutralises_formulas(client):
    startup_with_phases(
        (PhaseKind.INVESTIGATION, date(2024, 1, 1)),
        (PhaseKind.CONSTRUCTION, date(2024, 6, 1)),
        id="formule",
        title="=HYPERLINK(1)",
        mission="Sans; danger",
        link="",
    )

    response = client.get("/api/v2.7/startups.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().split("\n")
    assert lines[1] == "" and lines[-2:] == ["", ""]
    incubator = Incubator.objects.get().pk
    assert lines[2] == (
        f'formule;"\'=HYPERLINK(1)";"Sans; danger";2024-01-01;construction;{incubator};'
        f'null;null;null;"";contact@example.org;"{incubator}"'
    ).replace("contact@example.org", Startup.objects.get().contact)


def test_every_version_answers_json_for_its_resources_and_404_for_the_others(client):
    StartupFactory(id="s")
    for version, missing in [("2.2", "incubators.json"), ("2.4", "sponsors.json")]:
        assert client.get(f"/api/v{version}/{missing}").status_code == 404
    for url in ["/api/v2.3/startups_details.json", "/api/v2.5/startups.csv"]:
        assert client.get(url).status_code == 200, url
    assert json.loads(client.get("/api/v2.1/startups.json").content)["data"][0]["id"] == "s"


def test_the_cycle_collector_is_paused_only_while_a_body_is_built(client, monkeypatch):
    seen = []

    def build(request, version):
        seen.append(gc.isenabled())
        raise RuntimeError("construction interrompue")

    monkeypatch.setitem(betagouv.BUILDERS, "sponsors.json", build)
    view = betagouv.view("2.7", "sponsors.json")
    request = RequestFactory().get("/")
    with pytest.raises(RuntimeError):
        view(request)

    assert seen == [False]
    assert gc.isenabled()
