"""Who works, worked or used to work on a startup, on a given day, as beta.gouv.fr computes it.

The rule, written once (`_placements`), is the one of beta.gouv.fr's `startups_details.json`
(`_plugins/startups.rb`, `RenderStartupsApi`), read per member in the order of their files:

1. the old field `startups:` of a member: each startup gets the member as **expired** if the
   member's last mission (last in source order) has an end on or before the day, else as
   **active** (no mission, or no end: active);
2. `previously:`: each startup gets the member as **previous**;
3. each mission naming startups: **active** if the mission has no end, or if start ≤ day ≤ end
   (the end day counts as active); else **expired** if end ≤ day; else (a mission that starts
   after the day) neither.

Each list keeps the order in which members were met (members in file-name order, then their
fields in the order above), without repeats (the site's `.uniq`, which it applies to the
startups of its registry; an id met only through members keeps its repeats, as on the site).
A member may be active and expired on the same startup (two missions). Members whose file left
the corpus (`Member.absent_from_source_since`) are not counted: the site no longer has them.

Entry points, each with a fixed number of queries whatever the data size:
- `betagouv_memberships(on)`: every startup at once, member ids, the shape of
  `startups_details.json` (3 queries);
- `members_in_source_order()`: the members and their missions for `authors.json` (2 queries);
- `team_of(startup_id, on)`: one startup's members as objects, with counts by domain, for the
  startup page and the committee dossiers (1 query).
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Prefetch

from publishing.compiled import prepared
from publishing.rows import day
from startups.models import Member, Mission, Startup, today

ACTIVE, EXPIRED, PREVIOUS = "active", "expired", "previous"
LISTS = (ACTIVE, EXPIRED, PREVIOUS)
NO_DOMAIN = "Non renseigné"


def source_order_key(member_id: str) -> str:
    """Members in the order of their files (`<id>.md`, compared as the site's build does:
    code point by code point, the byte order of UTF-8), not the database's collation."""
    return f"{member_id}.md"


def _placements(
    legacy_startups: list[str] | None,
    previously: list[str] | None,
    missions: Iterable[tuple[date, date | None, list[str] | None]],
    on: date,
) -> Iterator[tuple[str, str]]:
    """(startup id, list) for one member, in the site's order; `missions`: (start, end,
    startup ids) in source order. The rule of the module docstring."""
    missions = list(missions)
    if legacy_startups:
        last_end = missions[-1][1] if missions else None
        placed = EXPIRED if last_end is not None and last_end <= on else ACTIVE
        for startup_id in legacy_startups:
            yield startup_id, placed
    for startup_id in previously or ():
        yield startup_id, PREVIOUS
    for start, end, startup_ids in missions:
        if not startup_ids:
            continue
        if end is None or start <= on <= end:
            placed = ACTIVE
        elif end <= on:
            placed = EXPIRED
        else:
            continue
        for startup_id in startup_ids:
            yield startup_id, placed


def betagouv_memberships(on: date | None = None) -> dict[str, dict[str, list[str]]]:
    """{startup id: {"active": [member ids], "expired": [...], "previous": [...]}} on `on`
    (today by default), for every startup: as beta.gouv.fr's `startups_details.json` builds it.

    Keys in the site's order: first the startups met through members (a startup id a member
    names but the registry does not have is included, with its lists), then the registry's
    other startups, by id (file-name order). Ids verbatim. 3 queries.
    """
    on = on or today()
    registry = sorted(Startup.objects.values_list("pk", flat=True), key=source_order_key)
    missions: dict[str, list] = {}
    for member_id, start, end, startup_ids in (
        Mission.objects.filter(member__absent_from_source_since__isnull=True)
        .order_by("member_id", "position")
        .values_list("member_id", "start", "end", "startup_ids")
    ):
        missions.setdefault(member_id, []).append((start, end, startup_ids))
    members = sorted(
        Member.objects.in_source().values_list("pk", "legacy_startups", "previously"),
        key=lambda row: source_order_key(row[0]),
    )
    result: dict[str, dict[str, list[str]]] = {}
    for member_id, legacy_startups, previously in members:
        for startup_id, placed in _placements(
            legacy_startups, previously, missions.get(member_id, ()), on
        ):
            lists = result.setdefault(startup_id, {name: [] for name in LISTS})
            lists[placed].append(member_id)
    for startup_id in registry:
        lists = result.setdefault(startup_id, {name: [] for name in LISTS})
        for name in LISTS:
            lists[name] = list(dict.fromkeys(lists[name]))
    return result


def members_in_source_order(*, with_source: bool = False) -> list[Member]:
    """The members still in the corpus, in file-name order, each with `missions` prefetched
    in source order (`member.missions.all()`). What `authors.json` lists. 2 queries.

    The kept front matter (`source_front_matter`, large: avatars...) is left out unless
    `with_source`; the list fields already tell an absent key (None) from an empty one ([])."""
    members = Member.objects.in_source().prefetch_related(
        Prefetch("missions", queryset=Mission.objects.order_by("position"))
    )
    if not with_source:
        members = members.defer("source_front_matter")
    return sorted(members, key=lambda member: source_order_key(member.pk))


@dataclass
class Team:
    """One startup's members on a day (lists of Member as `team_of` reads them)."""

    startup_id: str
    on: date
    active: list[Member] = field(default_factory=list)
    expired: list[Member] = field(default_factory=list)
    previous: list[Member] = field(default_factory=list)

    @property
    def former(self) -> list[Member]:
        """Who worked on it before and not any more: expired or previous, not active."""
        active = {member.pk for member in self.active}
        seen = dict.fromkeys(m for m in [*self.expired, *self.previous] if m.pk not in active)
        return list(seen)

    @staticmethod
    def by_domain(members: list[Member]) -> list[tuple[str, int]]:
        """[(domaine, number of members)], the largest first, then by name."""
        counts = Counter(member.domaine.strip() or NO_DOMAIN for member in members)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    @property
    def active_by_domain(self) -> list[tuple[str, int]]:
        return self.by_domain(self.active)

    @property
    def former_by_domain(self) -> list[tuple[str, int]]:
        return self.by_domain(self.former)

    def missions_here(self, member: Member) -> list[Mission]:
        """The member's missions naming this startup, in source order: from the rows
        `team_of` read for a member of the team (no query), else read."""
        read = next(
            (m for m in (*self.active, *self.expired, *self.previous) if m.pk == member.pk), None
        )
        if read is None:
            missions = member.missions.order_by("position")
        else:
            missions = [
                Mission(
                    id=row["id"],
                    member_id=member.pk,
                    position=row["position"],
                    start=day(row["start"]),
                    end=day(row["end"]),
                    startup_ids=row["startup_ids"],
                )
                for row in read.mission_rows
            ]
        return [m for m in missions if self.startup_id in (m.startup_ids or ())]


# What team_of's callers read of a member (the team block, the committee snapshot), in the order
# of TEAM_SQL's columns, and of a mission (the placement rule).
TEAM_FIELDS = ("id", "fullname", "role", "domaine", "github", "previously", "legacy_startups")
MISSION_FIELDS = ("id", "member_id", "position", "start", "end", "startup_ids")


# The members of one startup, each with its missions in source order (an array of JSON rows),
# in one query: the three ways in (a mission naming it, `previously`, the old `startups:`)
# each read by its GIN index, then only what the pages read of a member (its source, front
# matter and bio, weighs more than the rest). As two ORM queries with a prefetch, Django's
# building of the queries and of ~100 objects cost twice what PostgreSQL took. The members are
# read by their key from the array of ids (`= ANY(ARRAY(...))`): prepared once and planned
# without the startup's id (publishing.compiled.prepared), `IN (...)` was joined by hash over
# every member at 6 620 startups (9 ms instead of 0.3).
TEAM_SQL = """
SELECT m.id, m.fullname, m.role, m.domaine, m.github, m.previously, m.legacy_startups,
    ARRAY(
        SELECT json_build_object('id', x.id, 'position', x.position, 'start', x.start,
                                 'end', x."end", 'startup_ids', x.startup_ids)
        FROM startups_mission x WHERE x.member_id = m.id ORDER BY x.position
    ) AS mission_rows
FROM startups_member m
WHERE m.absent_from_source_since IS NULL AND m.id = ANY(ARRAY(
    SELECT member_id FROM startups_mission WHERE startup_ids @> ARRAY[%s]::varchar(200)[]
    UNION SELECT id FROM startups_member WHERE previously @> ARRAY[%s]::varchar(200)[]
    UNION SELECT id FROM startups_member WHERE legacy_startups @> ARRAY[%s]::varchar(200)[]
))
"""


def _team_members(startup_id: str) -> list[Member]:
    """TEAM_SQL's members, each with its `mission_rows`: built as Member.objects.raw() builds
    them (Model.from_db; the columns need no conversion), without RawQuerySet's mapping of the
    columns to the fields, which it made again at each query (a fifth of a startup page built
    fresh went to the team's query)."""
    with connection.cursor() as cursor:
        cursor.execute(*prepared(TEAM_SQL, [startup_id] * 3))
        rows = cursor.fetchall()
    members = []
    for *fields, mission_rows in rows:
        member = Member.from_db(connection.alias, TEAM_FIELDS, fields)
        member.mission_rows = mission_rows
        members.append(member)
    return members


def team_of(startup_id: str, on: date | None = None) -> Team:
    """The members of one startup on `on` (today by default), by the rule of the module
    docstring: for a startup of the registry, the same lists as
    `betagouv_memberships(on)[startup_id]`, as Member objects (the fields of TEAM_SQL loaded,
    the others on demand; their missions as rows, `Team.missions_here` gives them as Mission
    objects). 1 query.

    No Mission object nor prefetch is made for the placement rule: on a startup page built
    fresh they were half of the team's cost (~0.5 ms for 16 members), for a rule that reads
    three values of each mission."""
    on = on or today()
    members = _team_members(startup_id)
    team = Team(startup_id=startup_id, on=on)
    lists = {ACTIVE: team.active, EXPIRED: team.expired, PREVIOUS: team.previous}
    seen = {name: set() for name in LISTS}
    for member in sorted(members, key=lambda member: source_order_key(member.pk)):
        missions = [
            (day(row["start"]), day(row["end"]), row["startup_ids"]) for row in member.mission_rows
        ]
        for placed_on, placed in _placements(
            member.legacy_startups, member.previously, missions, on
        ):
            if placed_on == startup_id and member.pk not in seen[placed]:
                seen[placed].add(member.pk)
                lists[placed].append(member)
    return team
