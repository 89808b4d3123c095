"""The history pages of the admin (django-simple-history) hold nothing the Content-Security-Policy
blocks: no inline style attribute, no inline <style> or <script> (issue 18, finding 8)."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
import simple_history
from django.conf import settings

from tests.factories import IncubatorFactory, OrganisationFactory, StartupFactory
from tests.factories_committees import CommitteeFactory
from tests.factories_impact import NorthStarFactory

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """What a policy without 'unsafe-inline' (and without a nonce) refuses to apply."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if "style" in names:
            self.found.append(f"<{tag} style={names['style']!r}>")
        if tag == "style" or (tag == "script" and "src" not in names):
            self.found.append(f"<{tag}> inline")
        self.found += [f"<{tag} {name}>" for name in names if name.startswith("on")]


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(
    ("factory", "path"),
    [
        (StartupFactory, "startups/startup"),
        (IncubatorFactory, "startups/incubator"),
        (OrganisationFactory, "startups/organisation"),
        (NorthStarFactory, "impact/indicator"),
        (CommitteeFactory, "committees/committee"),
    ],
)
def test_history_pages_hold_no_inline_style_the_policy_blocks(staff_client, factory, path):
    thing = factory()
    thing.save()  # a second version, so that the list has more than one row
    history = f"/admin/{path}/{thing.pk}/history/"
    response = staff_client.get(history)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "'unsafe-inline'" not in policy
    html = response.content.decode()
    assert "change-history" in html  # simple-history's list, not the admin's own
    assert inline_code(html) == []

    record = thing.history.first()
    version = staff_client.get(f"{history}{record.pk}/")
    assert version.status_code == 200
    assert inline_code(version.content.decode()) == []


def test_the_overridden_history_list_is_the_library_s_own_without_its_inline_style():
    """When django-simple-history changes its template, this says to copy it again."""
    library = Path(simple_history.__file__).parent / "templates/simple_history"
    upstream = (library / "object_history_list.html").read_text()
    ours = (settings.BASE_DIR / "templates/simple_history/object_history_list.html").read_text()
    ours = ours.split("{% endcomment %}\n", 1)[1]
    assert ours == upstream.replace(' style="border-top: 0"', "")
