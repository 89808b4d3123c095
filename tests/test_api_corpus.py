"""beta.gouv.fr's API, every version, on the real corpus, read as its clients read it.

The corpus (settings.BETAGOUV_DATA, never copied into the project) is imported once for the
module, then every resource of every version is fetched once (at SUITE_NOW). Each test reads
a response with plain `json` / `csv` and compares it with the files themselves, read here
without the importer: the fields the clients read (../shared/BETAGOUV_API.md), their types,
when a key is there, "" or null, ids that resolve where the version resolves them, and
counts equal to the source's.
"""

import csv
import html
import io
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
import time_machine
import yaml
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tests.clock import SUITE_NOW

DATA = Path(settings.BETAGOUV_DATA)
FOLDERS = ("startups", "incubators", "organisations", "authors")
VERSIONS = ["2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7"]
RESOURCES = {
    "startups.json": VERSIONS,
    "authors.json": VERSIONS,
    "startups_details.json": VERSIONS[3:],
    "incubators.json": VERSIONS[3:],
    "sponsors.json": VERSIONS[5:],
    "startups.csv": VERSIONS[5:],
    "organisations.json": VERSIONS[6:],
}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not all((DATA / folder).is_dir() for folder in FOLDERS),
        reason=f"corpus beta.gouv.fr absent ({DATA}) : définir BETAGOUV_DATA pour ces tests",
    ),
]


def minor(version: str) -> int:
    return int(version.partition(".")[2] or 0)


# --- The files, read without the importer -------------------------------------------------------
def read(path: Path) -> tuple[dict, str]:
    """Front matter (YAML, dates as dates) and body (after the closing `---` line)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    closing = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    return yaml.safe_load("".join(lines[1:closing])), "".join(lines[closing + 1 :])


def stem(path: Path) -> str:
    return path.name.removesuffix(".md")


def folder(name: str) -> dict[str, tuple[dict, str]]:
    """{id: (front matter, body)} in file-name (byte) order, as Jekyll lists documents."""
    paths = sorted((DATA / name).iterdir(), key=lambda p: p.name.encode())
    return {stem(p): read(p) for p in paths if not p.name.startswith(".")}


def printed(value) -> str:
    """What Liquid prints for a YAML value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def liquid_true(value) -> bool:
    return value not in (None, False, "")


@pytest.fixture(scope="module")
def source():
    return {name: folder(name) for name in FOLDERS}


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker):
    """{(version, resource): body}: the corpus imported, every resource fetched once."""
    with (
        time_machine.travel(SUITE_NOW, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("import_betagouv", str(DATA), stdout=io.StringIO(), stderr=io.StringIO())
        cache.clear()
        client = Client()
        bodies = {}
        for resource, versions in RESOURCES.items():
            for version in versions:
                response = client.get(f"/api/v{version}/{resource}")
                assert response.status_code == 200, (version, resource)
                bodies[version, resource] = response.content
        cache.clear()
        transaction.set_rollback(True)
    return bodies


def document(served, version, resource):
    return json.loads(served[version, resource])


def walk_scalars(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from walk_scalars(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk_scalars(value)
    else:
        yield node


# --- startups.json ------------------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_startups_json_lists_every_file_by_name_with_only_strings(served, source, version):
    startups = document(served, version, "startups.json")

    assert list(startups) == ["links", "data", "included"]
    assert [item["id"] for item in startups["data"]] == list(source["startups"])
    assert len(startups["data"]) == 662
    assert {item["type"] for item in startups["data"]} == {"startup"}
    # Liquid prints every value as text: never a number, a boolean or null.
    assert {type(value) for value in walk_scalars(startups["data"])} == {str}
    visible = [i for i, (data, _) in source["incubators"].items() if not data.get("hidden")]
    prefix = "" if version == "2.7" else "/incubateurs/"
    assert [item["id"] for item in startups["included"]] == [prefix + i for i in visible]
    assert len(startups["included"]) == 22  # 23 files, sgmas hidden
    for item in startups["included"]:
        data = source["incubators"][item["id"].removeprefix(prefix)][0]
        assert item["attributes"] == {
            key: printed(data.get(key))
            for key in ("title", "owner", "website", "github", "contact")
        }


KEYS = {
    0: ["name", "pitch", "stats_url", "link", "repository", "events", "phases"],
    1: [
        *["name", "pitch", "stats_url", "link", "repository", "contact"],
        *["content_url_encoded_markdown", "events", "phases"],
    ],
    4: [
        *["name", "pitch", "stats_url", "budget_url", "link", "repository", "contact"],
        *["content_url_encoded_markdown", "events", "phases"],
    ],
    5: [
        *["name", "pitch", "stats_url", "budget_url", "link", "repository", "contact"],
        *["content_url_encoded_markdown", "events", "phases", "sponsors", "analyse_risques"],
        *["analyse_risques_url", "dashlord_url", "accessibility_status"],
    ],
    6: [
        *["name", "pitch", "stats_url", "budget_url", "impact_url", "link", "repository"],
        *["contact", "content_url_encoded_markdown", "events", "phases", "sponsors"],
        *["thematiques", "technos", "analyse_risques", "analyse_risques_url", "dashlord_url"],
        "accessibility_status",
    ],
}


def keys_of(m: int) -> list[str]:
    return KEYS[max(k for k in KEYS if k <= m)]


@pytest.mark.parametrize("version", VERSIONS)
def test_startups_json_attributes_are_the_files_as_each_version_prints_them(
    served, source, version
):
    m = minor(version)
    for item in document(served, version, "startups.json")["data"]:
        data, body = source["startups"][item["id"]]
        attributes = item["attributes"]
        assert set(attributes) <= set(keys_of(m)), item["id"]
        # In the version's order (beta.gouv.fr's template).
        assert list(attributes) == [k for k in keys_of(m) if k in attributes]
        assert attributes["name"] == data["title"]  # not trimmed
        assert attributes["pitch"] == printed(data.get("mission"))
        link = data.get("link")
        for key in ("link", "repository", "budget_url"):
            if key == "budget_url" and m < 4:
                continue
            assert (key in attributes) == liquid_true(data.get(key)), (item["id"], key)
            if key in attributes:
                assert attributes[key] == data[key]  # as written, edge spaces included
        # stats_url: ≤ v2.5 only with `stats: true`; v2.6+ always.
        if m >= 6 or data.get("stats"):
            expected = data.get("stats_url") or (
                (printed(link).strip() + "/stats") if data.get("stats") else ""
            )
            assert attributes["stats_url"] == expected, item["id"]
        else:
            assert "stats_url" not in attributes
        if m >= 6:  # only inside `{% if startup.link %}`
            assert ("impact_url" in attributes) == liquid_true(link)
            if liquid_true(link):
                assert attributes["impact_url"] == printed(data.get("impact_url"))
        if m >= 1:
            assert attributes["contact"] == printed(data.get("contact"))
            markdown = attributes["content_url_encoded_markdown"]
            assert re.fullmatch(r"(?:[A-Za-z0-9_.~-]|%[0-9A-F]{2})*", markdown)
            # The body as the import keeps it: its leading and trailing line feeds are not
            # kept (docs/api.md).
            assert unquote(markdown) == body.strip("\n")
        assert [(e["name"], e["date"], e["comment"]) for e in attributes["events"]] == [
            (
                e["name"],
                printed(e["date"]),
                printed(e.get("comment"))
                if m == 0
                else printed(e.get("comment")).replace("\n", ""),
            )
            for e in data.get("events") or []
        ]
        # Source order, names as written, "" for an open end.
        assert [(p["name"], p["start"], p["end"]) for p in attributes["phases"]] == [
            (p["name"], printed(p.get("start")), printed(p.get("end")))
            for p in data.get("phases") or []
        ]
        if m >= 5:
            assert attributes["sponsors"] == [
                s.replace("/organisations/", "") for s in data.get("sponsors") or []
            ]
            assert attributes.get("analyse_risques") == (
                "true" if data.get("analyse_risques") else None
            )
            for key in ("analyse_risques_url", "dashlord_url", "accessibility_status"):
                assert attributes.get(key) == (data[key] if liquid_true(data.get(key)) else None)
        if m >= 6:
            assert attributes["thematiques"] == [str(t) for t in data.get("thematiques") or []]
            assert attributes["technos"] == [str(t) for t in data.get("techno") or []]
        relationships = item["relationships"]
        assert relationships["incubator"] == {
            "data": {"type": "incubator", "id": data["incubator"]}
        }
        if m >= 7:
            assert [i["id"] for i in relationships["incubators"]["data"]] == (
                data.get("incubators") or [data["incubator"]]
            )
        else:
            assert list(relationships) == ["incubator"]


def test_the_quirks_counted_in_the_facts_are_served(served):
    attributes = [i["attributes"] for i in document(served, "2.7", "startups.json")["data"]]
    v2_5 = [i["attributes"] for i in document(served, "2.5", "startups.json")["data"]]

    assert sum("link" not in a for a in attributes) == 340
    assert sum(a.get("impact_url") == "" for a in attributes) == 226
    assert sum(a["stats_url"] == "/stats" for a in attributes) == 4
    assert sum(a.get("budget_url") == " " for a in attributes) == 1
    assert sum("stats_url" in a for a in v2_5) == 143
    assert {a["analyse_risques"] for a in attributes if "analyse_risques" in a} == {"true"}
    assert sum(a["name"] != a["name"].strip() for a in attributes) == 14
    assert sum(a["pitch"] != a["pitch"].strip() for a in attributes) == 44


def test_v2_startups_json_is_valid_json_with_its_raw_line_feeds(served):
    """beta.gouv.fr prints v2's event comments raw: a line feed inside a JSON string makes its
    document invalid. Ours is valid JSON and keeps the line feed (escaped); v2.1+ delete it."""
    comments = [
        e["comment"]
        for item in document(served, "2", "startups.json")["data"]
        for e in item["attributes"]["events"]
    ]
    with_line_feeds = [comment for comment in comments if "\n" in comment]
    assert len(with_line_feeds) >= 2
    later = [
        e["comment"]
        for item in document(served, "2.1", "startups.json")["data"]
        for e in item["attributes"]["events"]
    ]
    assert not any("\n" in comment for comment in later)
    assert any("MASAblocage" in comment for comment in later)


def test_incubator_ids_resolve_in_v2_7_and_only_there(served, source):
    hidden = {i for i, (data, _) in source["incubators"].items() if data.get("hidden")}
    for version in VERSIONS:
        startups = document(served, version, "startups.json")
        included = {item["id"] for item in startups["included"]}
        referenced = {item["relationships"]["incubator"]["data"]["id"] for item in startups["data"]}
        if version == "2.7":
            also = {
                i["id"]
                for item in startups["data"]
                for i in item["relationships"]["incubators"]["data"]
            }
            assert referenced | also <= included | hidden
        else:  # Jekyll's document id: nothing resolves (frozen, says beta.gouv.fr's CI)
            assert not referenced & included


# --- incubators.json, sponsors.json, organisations.json ----------------------------------------
def test_plugin_resources_are_the_same_in_every_version(served):
    for resource, versions in RESOURCES.items():
        if resource in ("incubators.json", "startups_details.json", "sponsors.json"):
            assert len({served[version, resource] for version in versions}) == 1, resource


def test_incubators_json_keys_startups_and_hidden_ones(served, source):
    incubators = document(served, "2.7", "incubators.json")
    startups = source["startups"]
    listed: dict[str, list[str]] = {}
    for startup_id, (data, _) in startups.items():
        for incubator in dict.fromkeys(data.get("incubators") or [data["incubator"]]):
            listed.setdefault(incubator, []).append(startup_id)
    visible = [i for i, (data, _) in source["incubators"].items() if not data.get("hidden")]

    assert list(incubators) == list(dict.fromkeys([*listed, *visible]))
    assert len(incubators) == 23
    assert "title" not in incubators["sgmas"] and incubators["sgmas"]["startups"]
    assert "startups" not in incubators["menj"] and incubators["menj"]["website"] is None
    co_incubated = [s for s, (data, _) in startups.items() if len(data.get("incubators") or []) > 1]
    assert len(co_incubated) == 2
    for incubator_id, entry in incubators.items():
        assert [s["id"] for s in entry.get("startups", [])] == listed.get(incubator_id, [])
        for startup in entry.get("startups", []):
            data = startups[startup["id"]][0]
            assert startup["name"] == data["title"]
            assert startup["repository"] == data.get("repository")  # null when absent
            assert startup["phases"] == json.loads(json.dumps(data["phases"], default=str))
        if incubator_id in visible:
            data = source["incubators"][incubator_id][0]
            for key in ("title", "owner", "contact", "address", "website", "github"):
                assert entry[key] == data.get(key)


def test_sponsors_and_organisations_list_every_file(served, source):
    organisations = source["organisations"]
    sponsors = document(served, "2.7", "sponsors.json")
    listed = document(served, "2.7", "organisations.json")

    assert len(organisations) == 145  # 143 `.md` files and two without extension
    assert list(sponsors) == [item["id"] for item in listed] == list(organisations)
    keys = ("name", "acronym", "domaine_ministeriel", "type")
    escaped = 0  # among the 143 `.md` files, as BETAGOUV_API.md counts them
    for item in listed:
        data = organisations[item["id"]][0]
        assert sponsors[item["id"]] == {key: data.get(key) for key in keys}  # raw, null
        for key in keys:
            value = printed(data.get(key))
            assert item[key] == html.escape(value).replace("&#x27;", "&#39;")
            assert html.unescape(item[key]) == value
        if (DATA / "organisations" / f"{item['id']}.md").exists():
            escaped += item["name"] != data["name"]
    assert escaped == 47
    assert any(value["acronym"] is None for value in sponsors.values())


# --- startups_details.json, authors.json --------------------------------------------------------
def placements(data: dict, on: date):
    """beta.gouv.fr's rule (BETAGOUV_API.md), for one member's file."""
    missions = data.get("missions") or []
    if data.get("startups"):
        last_end = missions[-1].get("end") if missions else None
        for startup in data["startups"]:
            yield startup, "expired" if last_end and last_end <= on else "active"
    for startup in data.get("previously") or []:
        yield startup, "previous"
    for mission in missions:
        end = mission.get("end")
        for startup in mission.get("startups") or []:
            if not end or mission["start"] <= on <= end:
                yield startup, "active"
            elif end <= on:
                yield startup, "expired"


def test_startups_details_lists_members_at_the_build_date(served, source):
    details = document(served, "2.7", "startups_details.json")
    startups = source["startups"]
    expected: dict[str, dict[str, set]] = {}
    for member_id, (data, _) in source["authors"].items():
        for startup, placed in placements(data, SUITE_NOW.date()):
            expected.setdefault(startup, {"active": set(), "expired": set(), "previous": set()})
            expected[startup][placed].add(member_id)

    assert set(startups) <= set(details)
    met = list(dict.fromkeys(expected))
    assert list(details)[: len(met)] == met  # met through members first
    for startup_id, entry in details.items():
        lists = expected.get(startup_id, {"active": set(), "expired": set(), "previous": set()})
        for name in ("active", "expired", "previous"):
            assert set(entry[f"{name}_members"]) == lists[name], (startup_id, name)
        if startup_id in startups:
            data = startups[startup_id][0]
            assert entry["id"] == startup_id and entry["name"] == data["title"]
            assert entry["repository"] == data.get("repository")
            assert entry["contact"] == data.get("contact")
            # The front matter's phases: no `end` key for an open phase.
            assert entry["phases"] == json.loads(json.dumps(data["phases"], default=str))
    assert sum(bool(entry["active_members"]) for entry in details.values()) > 100


@pytest.mark.parametrize("version", VERSIONS)
def test_authors_json_lists_every_member_as_the_version_does(served, source, version):
    m = minor(version)
    authors = document(served, version, "authors.json")
    members = source["authors"]

    assert [author["id"] for author in authors] == list(members)
    assert len(authors) == 3484
    for author in authors:
        data, body = members[author["id"]]
        assert author["fullname"] == data["fullname"]
        assert author["role"] == html.escape(printed(data.get("role"))).replace("&#x27;", "&#39;")
        assert author["domaine"] == html.escape(printed(data.get("domaine"))).replace(
            "&#x27;", "&#39;"
        )
        assert ("github" in author) == liquid_true(data.get("github"))
        for key in ("startups", "previously"):
            assert author.get(key) == data.get(key)
        missions = data.get("missions") or []
        assert [(x["start"], x["end"], x["status"], x["employer"]) for x in author["missions"]] == [
            (str(x["start"]), printed(x.get("end")), x["status"], printed(x.get("employer")))
            for x in missions
        ]
        if m >= 6:
            assert author["link"] == html.escape(printed(data.get("link"))).replace(
                "&#x27;", "&#39;"
            )
            # The body as the import keeps it (without its edge line feeds): Jekyll's `{% if
            # author.content %}` also holds for a body of line feeds only (docs/api.md).
            assert ("bio" in author) == bool(body.strip("\n")), author["id"]
            assert author.get("competences") == data.get("competences")
            assert [x.get("startups") for x in author["missions"]] == [
                x.get("startups") for x in missions
            ]
        else:
            assert not {"link", "bio", "competences"} & set(author)
            assert not any("startups" in x for x in author["missions"])
    escaped_roles = sum("&" in author["role"] for author in authors)
    assert escaped_roles == sum(
        bool(re.search(r"[&<>\"']", printed(data.get("role")))) for data, _ in members.values()
    )


def test_no_member_e_mail_is_published(served):
    authors = served["2.7", "authors.json"].decode()
    assert not re.search(r"[\w.+-]+@[\w-]+\.(?:gouv\.fr|fr|com|org)\b", authors)


# --- startups.csv -------------------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS[5:])
def test_startups_csv_is_the_template_text(served, source, version):
    text = served[version, "startups.csv"].decode("utf-8")
    lines = text.split("\n")
    header = "id;name;mission;start;status;incubator;stats;link;repository;accessibility;contact"
    header += ";incubators" if version == "2.7" else ""

    assert lines[0] == header
    assert lines[1] == ""  # the template's whitespace
    assert lines[-2:] == ["", ""]  # a trailing empty line, then the final line feed
    rows = lines[2:-2]
    assert len(rows) == 662
    checked = 0
    for line, (startup_id, (data, _)) in zip(rows, source["startups"].items(), strict=True):
        if any(c in printed(value) for value in data.values() for c in '";\n'):
            continue  # beta.gouv.fr does not escape: such a line cannot be split back
        (row,) = csv.reader([line], delimiter=";")
        phases = data.get("phases") or []
        expected = [
            startup_id,
            data["title"],
            printed(data.get("mission")),
            printed(phases[0]["start"]) if phases else "",
            phases[-1]["name"] if phases else "",  # the last phase listed, not the current one
            data["incubator"],
            *(
                data[k] if liquid_true(data.get(k)) else "null"
                for k in ("stats_url", "link", "repository")
            ),
            printed(data.get("accessibility_status")),
            printed(data.get("contact")),
        ]
        if version == "2.7":
            expected.append(",".join(data.get("incubators") or [data["incubator"]]))
        assert row == expected, startup_id
        checked += 1
    assert checked > 550  # of 662
