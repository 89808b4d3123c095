import pytest
from django.db import connections


@pytest.mark.django_db
def test_it_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def database_down(django_db_blocker):
    """Points the default connection at a port where no PostgreSQL listens: a real outage."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
        connection.settings_dict["OPTIONS"] = {**saved["OPTIONS"], "connect_timeout": 1}
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)


def test_it_answers_503_in_json_when_the_database_is_down(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert "base de données" in body["detail"]


def test_pages_needing_the_database_answer_the_dsfr_503_page(client, database_down):
    # A session cookie makes the admin read the session from the database.
    client.cookies["sessionid"] = "une-session-quelconque"
    response = client.get("/admin/")
    assert response.status_code == 503
    content = response.content.decode()
    assert "Service momentanément indisponible" in content
    assert "fr-header" in content
    assert "Traceback" not in content
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
def test_connections_run_without_postgresql_jit():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
