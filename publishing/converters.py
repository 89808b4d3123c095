"""URL converters shared by the apps."""

from django.urls.converters import StringConverter


class IdentifierConverter(StringConverter):
    """A beta.gouv.fr identifier in a URL: any text but a slash or a NUL byte (dots, upper case
    and accents occur). PostgreSQL refuses NUL in text: such a URL is simply not found."""

    regex = "[^/\x00]+"
