"""The team block of a startup page (who works on it today, who did): its data, for the macro
of jinja_templates/startups/_team.html."""

import re

from startups.members import team_of

# A GitHub account name: letters, digits and single hyphens (anything else gets no link).
GITHUB_ACCOUNT = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


def startup_team(startup) -> dict:
    """Active members today and former ones (expired missions, `previously`), counted by
    domain, with the names, roles and GitHub accounts beta.gouv.fr publishes; never an
    e-mail. Two queries whatever the team's size (startups.members.team_of)."""
    team = team_of(startup.pk)
    former = team.former
    return {
        "startup": startup,
        "team": team,
        "active": [_shown(member) for member in team.active],
        "former": [_shown(member) for member in former],
        "domains": _domain_rows(team.active_by_domain, team.former_by_domain),
    }


def _shown(member) -> dict:
    github = member.github.strip()
    return {
        "fullname": member.fullname,
        "role": member.role,
        "domaine": member.domaine,
        "github": github if GITHUB_ACCOUNT.match(github) else "",
    }


def _domain_rows(active: list[tuple[str, int]], former: list[tuple[str, int]]) -> list[dict]:
    """One row per domain: active members, then former ones; the largest teams first."""
    former_counts = dict(former)
    rows = [
        {"domain": domain, "active": count, "former": former_counts.pop(domain, 0)}
        for domain, count in active
    ]
    rows += [
        {"domain": domain, "active": 0, "former": count} for domain, count in former_counts.items()
    ]
    return rows
