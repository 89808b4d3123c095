"""Markdown written by many hands (the beta.gouv.fr corpus, staff), rendered safe.

Python-Markdown renders; nh3 (the Rust ammonia sanitiser) keeps an allow-list of tags and
attributes: no script, no style, no inline handler, no javascript: URL.
"""

import hashlib
import re

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del",
    "blockquote", "code", "pre", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th",
    "td", "img", "sup", "sub", "abbr", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "th": {"scope"},
}


# Under the page's h1 and the h2 that introduces it, a description's headings start at h3.
HEADING_SHIFT = {"h1": "h3", "h2": "h3", "h3": "h4", "h4": "h5", "h5": "h6"}
HEADING = re.compile(r"<(/?)(h[1-5])\b")


EXTENSIONS = ["extra", "sane_lists"]

# Which rendering HTML kept in the database was made with (`stored_markdown`): a change of the
# libraries or of the rules above changes it, and the HTML kept before is not served.
RENDERING = hashlib.sha256(
    repr(
        (
            markdown_lib.__version__,
            nh3.__version__,
            EXTENSIONS,
            sorted(ALLOWED_TAGS),
            sorted((tag, sorted(names)) for tag, names in ALLOWED_ATTRIBUTES.items()),
            HEADING_SHIFT,
        )
    ).encode()
).hexdigest()[:16]


def render_markdown(text: str, *, shift_headings: bool = True) -> SafeString:
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    html = markdown_lib.markdown(text, extensions=EXTENSIONS, output_format="html")
    if shift_headings:
        html = HEADING.sub(lambda m: f"<{m.group(1)}{HEADING_SHIFT[m.group(2)]}", html)
    return _sanitised(html)


def _sanitised(html: str) -> SafeString:
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def rendering_of(text: str) -> str:
    """What HTML kept for `text` is made from: this rendering and this very text (a text
    changed without the HTML, by an `update()`, is not served the HTML of the old one)."""
    return hashlib.sha256(f"{RENDERING}\x1f{text}".encode()).hexdigest()[:16]


def stored_markdown(text: str, html: str, rendering: str) -> SafeString:
    """The HTML of `text` rendered when it was written (`html`, whose `rendering_of` is
    `rendering`), or rendered now if the text or the rendering changed since. Parsing the markdown was the largest part of
    a startup page built fresh (~1 ms); the kept HTML is sanitised again, which costs little
    (nh3), so that a row written another way than through the model is no risk either."""
    if rendering != rendering_of(text):
        return render_markdown(text)
    return _sanitised(html)
