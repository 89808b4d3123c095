from django import template

from publishing.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


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
