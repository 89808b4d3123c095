"""What beta.gouv.fr's Liquid templates do to a front-matter value, written once.

beta.gouv.fr builds most of its API with Liquid templates that paste values between quotes
(`"{{ startup.title }}"`): the value printed is Ruby's `to_s` of the YAML value, a test
`{% if x %}` keeps the key only for a value that is set, and a few filters change the text
(`escape`, `strip_newlines`, `strip`, `remove`). `docs/api.md` says where each is used.
"""

from urllib.parse import quote

# Ruby's String#strip: ASCII whitespace and NUL, not every Unicode space as Python's strip.
RUBY_WHITESPACE = " \t\n\v\f\r\0"


def truthy(value) -> bool:
    """`{% if value %}` as beta.gouv.fr's output shows it: absent, null, false and the empty
    string (`link: ''`, 340 startups whose key is absent from the API) test false; anything
    else, a single space included (`budget_url: ' '`), tests true."""
    return value is not None and value is not False and value != ""


def text(value) -> str:
    """`{{ value }}`: nil prints nothing, true/false as words, a list as its items run together."""
    if type(value) is str:  # nearly always: the fast way out
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "".join(text(item) for item in value)
    return str(value)


def escape(value) -> str:
    """The `escape` filter (Ruby's CGI.escapeHTML): `&<>"'` as HTML entities."""
    return (
        text(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def strip_newlines(value) -> str:
    """The `strip_newlines` filter: line feeds (and CR LF) deleted, not replaced by a space."""
    return text(value).replace("\r\n", "").replace("\n", "")


def strip(value) -> str:
    return text(value).strip(RUBY_WHITESPACE)


def url_encode(value: str) -> str:
    """Ruby's ERB::Util.url_encode: every UTF-8 byte but `A-Za-z0-9_.-~` as `%XX` (upper
    case), a space as `%20`, never `+`."""
    return quote(value, safe="-._~")


def strings(value) -> list[str]:
    """`{% for item in value %}"{{ item }}"{% endfor %}`: a list of printed items; a single
    value iterates as itself, nothing as nothing."""
    if value is None or value is False:
        return []
    if not isinstance(value, list | tuple):
        value = [value]
    return [text(item) for item in value]
