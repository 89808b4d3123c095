"""The partner's dossier as printed (issue 13): the attachments stay listed (names, sizes), and
no address is printed twice (a link spelled out by the print stylesheet and again by the page)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from committees import services
from tests import clock
from tests.factories import StartupFactory
from tests.factories_committees import CommitteeFactory, dossier_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULTS = Path(__file__).resolve().parent.parent / "test-results"
DEMO = "https://demo.aidants.exemple.gouv.fr/parcours"
SITE = "https://aidantsconnect.beta.gouv.fr/"
PLACE = "DINUM, 20 avenue de Ségur, Paris"


def pdf(name: str, size: int) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n" + b"0" * (size - 9)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def dossier(organisation_a):
    committee = CommitteeFactory(date=clock.today() + timedelta(days=21), place=PLACE)
    startup = StartupFactory(
        title="Aidants Connect", mission="Aider les aidants.", sponsors=[organisation_a]
    )
    dossier = dossier_for(
        committee,
        startup,
        demo_link=DEMO,
        past_strategy=f"Voir le service en ligne : {SITE}",
    )
    services.add_attachment(dossier=dossier, uploaded_file=pdf("Bilan du semestre.pdf", 2048))
    services.add_attachment(dossier=dossier, uploaded_file=pdf("Feuille de route.pdf", 15360))
    return dossier


def logged_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


# The text a printer gets: what is rendered, and the text a stylesheet adds (::before/::after:
# `attr(href)` spelled out), of every element that is printed.
PRINTED_TEXT = """() => {
  const parts = [];
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) { parts.push(child.textContent); continue; }
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      const style = getComputedStyle(child);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      for (const pseudo of ['::before', '::after']) {
        const content = getComputedStyle(child, pseudo).content;
        if (!content || content === 'none' || content === 'normal') continue;
        parts.push(content.replace(/attr\\(([\\w-]+)\\)/g, (_, name) => JSON.stringify(child.getAttribute(name) || '')));
      }
      walk(child);
    }
  };
  walk(document.body);
  return parts.join(' ');
}"""


def test_the_printed_dossier_lists_its_attachments_and_each_address_once(
    live_server, page, partner_a, dossier
):
    logged_in(page, live_server, partner_a)
    page.goto(f"{live_server.url}/partenaires/dossiers/{dossier.pk}/")
    page.emulate_media(media="print")
    attachments = page.get_by_role("region", name="Pièces jointes")
    assert attachments.is_visible()
    items = attachments.get_by_role("listitem")
    assert [item.inner_text().split() for item in items.all()] == [
        ["Bilan", "du", "semestre.pdf", "2,0", "Kio"],
        ["Feuille", "de", "route.pdf", "15,0", "Kio"],
    ]
    printed = page.evaluate(PRINTED_TEXT)
    for address in (DEMO, SITE, PLACE):
        assert printed.count(address) == 1, (address, printed)
    RESULTS.mkdir(exist_ok=True)
    page.pdf(path=RESULTS / "dossier-partenaire.pdf", format="A4")
