"""Markdown from the beta.gouv.fr corpus and from staff never brings a live script to a page.

The classic vectors (OWASP XSS filter evasion cheat sheet) go into a startup description,
imported by `import_betagouv` from a file and entered by staff in the admin, and into an
incubator description. The rendered description is parsed with `html.parser`: no script,
iframe, style, object or embed element, no `on*` attribute, no `javascript:`, `vbscript:` or
`data:` URL in an href or src.
"""

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.core.management import ManagementUtility

from startups.models import Incubator, Startup
from tests.factories import IncubatorFactory, StartupFactory
from tests.factories_impact import form_data

pytestmark = pytest.mark.django_db

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.test/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<img src=`javascript:alert(1)`>",
    '<img """><script>alert(1)</script>">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">lien</a>',
    '<a href="jAvAsCrIpT:alert(1)">lien</a>',
    '<a href="  javascript:alert(1)">lien</a>',
    '<a href="java\tscript:alert(1)">lien</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">lien</a>',
    '<a href="&#x6A;avascript:alert(1)">lien</a>',
    '<a href="vbscript:msgbox(1)">lien</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">lien</a>',
    '<a href="https://ok.test" onclick="alert(1)" onmouseover="alert(1)">lien</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background-image:url(javascript:alert(1))">x</div>',
    '<p style="x:expression(alert(1))">x</p>',
    "<link rel=stylesheet href=javascript:alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<form action=javascript:alert(1)><input type=submit></form>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<base href=javascript:alert(1)//>",
    "<img src=x onerror=alert(1)",  # unclosed tag
    "<script>alert(1)",  # unclosed script
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "![image](javascript:alert(1))",
    '![image](x" onerror="alert(1))',
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![y][img]\n\n[img]: data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "<javascript:alert(1)>",
    '<http://ok.test/"onmouseover="alert(1)>',
    "```\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    '<a href="https://ok.test">bon lien</a> et [autre](https://ok.test/2)',
]
# The good links first: an unclosed <script> or <style> swallows what follows it (dropped by
# the sanitiser, never run).
DESCRIPTION = (
    "## Des vecteurs\n\n" + "\n\n".join([VECTORS[-1], *VECTORS[:-1]]) + "\n\nFin de la description."
)
DANGEROUS_TAGS = {
    "script", "iframe", "style", "object", "embed", "link", "meta", "base", "form", "input",
    "svg", "math", "body", "details",
}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


class DescriptionParser(HTMLParser):
    """Collects the elements inside `<div class="portfolio-markdown">`."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.elements: list[tuple[str, dict]] = []
        self.descriptions = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.elements.append((tag, attrs))
            if tag not in ("br", "hr", "img"):
                self.depth += 1
        elif tag == "div" and "portfolio-markdown" in (attrs.get("class") or "").split():
            self.depth = 1
            self.descriptions += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth:
            self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if self.depth and tag not in ("br", "hr", "img"):
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def browser_url(value: str | None) -> str:
    """The URL as a browser reads it (WHATWG): tabs and newlines removed anywhere, leading
    and trailing spaces and control characters stripped, scheme case-insensitive."""
    url = (value or "").replace("\t", "").replace("\n", "").replace("\r", "")
    return url.strip("".join(chr(c) for c in range(0x21))).lower()


def assert_no_live_script(html: str, *, whole: bool = False) -> DescriptionParser:
    parser = DescriptionParser()
    parser.feed(html)
    assert parser.descriptions, "description absente de la page"
    for tag, attrs in parser.elements:
        assert tag not in DANGEROUS_TAGS, f"élément <{tag}> vivant"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"<{tag} {name}={value!r}>"
            assert name not in ("style", "srcdoc", "formaction"), f"<{tag} {name}>"
            if name in ("href", "src", "action", "data", "xlink:href"):
                url = browser_url(value)
                assert not url.startswith(DANGEROUS_SCHEMES), f"<{tag} {name}={value!r}>"
    if whole:
        assert "Fin de la description." in "".join(parser.text)  # the text after is still there
    assert "<script>alert(1)</script>" not in html
    return parser


def front_matter(fields: dict, body: str) -> str:
    return f"---\n{yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)}---\n{body}\n"


@pytest.fixture
def imported(tmp_path, monkeypatch, capsys):
    """A corpus whose startup and incubator descriptions are the vectors, imported."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    root: Path = tmp_path / "betagouv"
    files = {
        "organisations/dgcs.md": front_matter({"name": "DGCS"}, ""),
        "incubators/sgmas.md": front_matter({"title": "Fabrique", "owner": "dgcs"}, DESCRIPTION),
        "startups/vecteurs.md": front_matter(
            {
                "title": "Vecteurs",
                "mission": "<script>alert(1)</script>",
                "incubator": "sgmas",
                "phases": [{"name": "construction", "start": date(2024, 1, 1)}],
            },
            DESCRIPTION,
        ),
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    try:
        ManagementUtility(["manage.py", "import_betagouv", str(root)]).execute()
    except SystemExit as exit:
        pytest.fail(f"import en échec ({exit.code}) : {capsys.readouterr()}")
    assert Startup.objects.get(pk="vecteurs").description.strip() == DESCRIPTION.strip()
    return root


def test_imported_startup_description_has_no_live_script(imported, client):
    response = client.get("/startups/vecteurs/")
    assert response.status_code == 200
    parser = assert_no_live_script(response.content.decode())
    # Safe markdown still renders: the good links survive.
    hrefs = [attrs.get("href") for tag, attrs in parser.elements if tag == "a"]
    assert "https://ok.test" in hrefs and "https://ok.test/2" in hrefs


def test_imported_incubator_description_has_no_live_script(imported, client):
    response = client.get("/incubateurs/sgmas/")
    assert response.status_code == 200
    assert_no_live_script(response.content.decode())


def test_description_entered_by_staff_in_the_admin_has_no_live_script(staff_client, client):
    StartupFactory(id="saisie")
    url = "/admin/startups/startup/saisie/change/"
    data = {**form_data(staff_client.get(url).content.decode()), "description": DESCRIPTION}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Startup.objects.get(pk="saisie").description.replace("\r\n", "\n") == DESCRIPTION

    assert_no_live_script(client.get("/startups/saisie/").content.decode())
    # The admin shows the markdown source as text in a textarea, never as HTML.
    admin_page = staff_client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in admin_page


def test_incubator_description_entered_by_staff_has_no_live_script(staff_client, client):
    IncubatorFactory(id="incubateur-saisi")
    url = "/admin/startups/incubator/incubateur-saisi/change/"
    data = {**form_data(staff_client.get(url).content.decode()), "description": DESCRIPTION}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Incubator.objects.get(pk="incubateur-saisi").description
    assert_no_live_script(client.get("/incubateurs/incubateur-saisi/").content.decode())


@pytest.mark.parametrize("vector", VECTORS)
def test_each_vector_alone_is_inert(client, vector):
    """One vector per description: a vector cannot hide behind another one's parsing. (An
    unclosed <script> or <style> swallows the text after it: dropped, never run.)"""
    StartupFactory(id="seul", description=vector + "\n\nFin de la description.")
    swallows = vector.startswith(("<script>alert(1)", "<math>"))
    assert_no_live_script(client.get("/startups/seul/").content.decode(), whole=not swallows)
