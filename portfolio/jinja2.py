"""The Jinja2 environment of the hot public pages (settings.TEMPLATES, second engine).

A startup page is built fresh after every change that shows on it; Django's template engine
took about half of its 7 ms (~100 nodes, each variable resolved by several lookups and
localised). Jinja2 compiles a template to Python once: the same page, same HTML, for a fraction.

Its output is Django's, byte for byte (tests/test_jinja_pages.py compares the pages): every
`{{ }}` is localised and escaped as Django does (`finalize`), and the filters are Django's own.
The page's shell (header, menu, footer: base.html) stays a Django template, kept per state of the
menu (publishing.pages.render_page); blocks owned by other apps come from their template tags,
which write their HTML in Python (the budget, the next committee, the transparency checklist).
"""

import html

from django.conf import settings
from django.contrib.humanize.templatetags import humanize
from django.template import defaultfilters, engines
from django.template.base import render_value_in_context
from django.template.context import Context
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment

from budgets.templatetags import budgets_tags
from committees.templatetags import committees_tags
from impact.templatetags import impact_tags
from publishing.pages import address
from publishing.templatetags import publishing_tags
from startups.team import startup_team
from startups.templatetags import startups_tags

# What Django's engine renders a variable in: autoescape, localisation and time zone on.
_CONTEXT = Context()


def _as_django(value):
    """A `{{ }}` value as Django writes it: localised (numbers, dates) and escaped with its
    entities (&#x27;, &quot;), a safe string left as it is."""
    # SafeString(), not mark_safe(): its lazy-string wrapper cost more than the escaping.
    if type(value) is str:  # most values: Django's escape() is html.escape
        return SafeString(html.escape(value))
    if hasattr(value, "__html__"):
        return value
    if type(value) is int and -1000 < value < 1000:  # counts: no thousands separator to add
        return str(value)
    return SafeString(render_value_in_context(value, _CONTEXT))


def django_include(template_name: str, **context):
    """A Django template shared with Django pages, rendered with `context` only."""
    return mark_safe(engines["django"].get_template(template_name).render(context))  # noqa: S308


def url(name: str, *args) -> str:
    return address(name, *args)


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # Django's backend sets it: always on here
    env = Environment(autoescape=True, finalize=_as_django, keep_trailing_newline=True, **options)
    env.globals.update(
        url=url,
        django_include=django_include,
        static=static,
        phase_badge=startups_tags.phase_badge,
        phase_rows=startups_tags.phase_rows,
        event_items=startups_tags.event_items,
        startup_team=startup_team,
        budget_of=budgets_tags.budget_of,
        startup_budget=budgets_tags.startup_budget,
        next_committee=committees_tags.next_committee,
        transparency_checklist=impact_tags.transparency_checklist,
    )
    env.filters.update(
        date=defaultfilters.date,
        days=publishing_tags.days,
        intcomma=humanize.intcomma,
        join=lambda value, separator: defaultfilters.join(value, separator, autoescape=True),
        lower=defaultfilters.lower,
        pluralize=defaultfilters.pluralize,
        urlencode=defaultfilters.urlencode,
    )
    env.auto_reload = settings.DEBUG
    return env
