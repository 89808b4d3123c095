import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_accessible(live_server, page, assert_accessible):
    page.goto(live_server.url + "/")
    assert page.title() == "Accueil — Portefeuille des startups d'État"
    assert page.locator(".fr-skiplinks a[href='#content']").count() == 1
    assert page.locator("h1").inner_text() == "Portefeuille des startups d'État"
    assert_accessible(page)
