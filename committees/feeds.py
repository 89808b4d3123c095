"""The Atom feed of the committees' decisions (Django's syndication framework)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from committees.models import Decision
from committees.selectors import public_decisions
from publishing.formats import euros, fr_date

FEED_SIZE = 50


class DecisionsFeed(Feed):
    feed_type = Atom1Feed
    title = "Décisions des comités d'investissement des startups d'État"
    subtitle = "Les dernières décisions d'investissement, startup par startup."
    author_name = "beta.gouv.fr"

    def link(self):
        return reverse("committees:public_calendar")

    def feed_url(self):
        return reverse("committees:public_decisions_feed")

    def items(self):
        return public_decisions()[:FEED_SIZE]

    def item_title(self, item: Decision) -> str:
        return f"{item.dossier.startup.title} : {item.get_kind_display()}"

    def item_description(self, item: Decision) -> str:
        text = f"Comité du {fr_date(item.dossier.committee.date)} : {item.get_kind_display()}"
        if item.amount:
            text += f", {euros(item.amount, plain=True)}"
        return text + f" (effet le {fr_date(item.effective_date)})."

    def item_link(self, item: Decision) -> str:
        return reverse("committees:public_committee", args=[item.dossier.committee.pk]) + (
            f"#decision-{item.pk}"
        )

    def item_pubdate(self, item: Decision):
        return item.recorded_at

    def item_updateddate(self, item: Decision):
        return item.recorded_at
