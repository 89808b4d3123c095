from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

from publishing.caching import digest
from publishing.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """The text's sanitised HTML, kept in the page cache under a digest of the text: a page
    rebuilt because other data changed (a payment, a phase) does not parse it again."""
    if not text:
        return render_markdown(text)
    key = f"markdown:{digest(text)}"
    html = cache.get(key)
    if html is None:
        html = str(render_markdown(text))
        cache.set(key, html)
    return mark_safe(html)  # noqa: S308 - render_markdown's output, sanitised by nh3


@register.filter
def days(delta):
    """A timedelta as a French duration: « 3 mois », « 1 an et 2 mois », « 12 jours »."""
    if delta is None:
        return ""
    total = delta.days
    if total < 60:
        return f"{total} jour{'s' if total > 1 else ''}"
    months = round(total / 30.44)
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} an{'s' if years > 1 else ''}")
    if months:
        parts.append(f"{months} mois")
    return " et ".join(parts)
