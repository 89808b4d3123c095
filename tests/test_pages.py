import pytest


@pytest.mark.django_db
def test_it_serves_the_home_page_in_dsfr(client, django_assert_max_num_queries):
    # The data version (cache key) and the figures by phase.
    with django_assert_max_num_queries(2):
        response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr"' in content
    assert "Portefeuille des startups d'État" in content
    assert "fr-header" in content and "fr-footer" in content
    assert "[url - à modifier]" not in content
    assert 'href="#"' not in content


@pytest.mark.django_db
def test_it_answers_a_dsfr_404_page(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


@pytest.mark.django_db
def test_api_404_is_json(client):
    response = client.get("/api/v2/inconnu.json")
    assert response.status_code == 404
    assert response.json()["errors"][0]["status"] == "404"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accessibilite/", "/mentions-legales/"])
def test_footer_pages_exist(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_staff_reaches_the_admin_and_anonymous_is_sent_to_login(client, staff_user):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200
