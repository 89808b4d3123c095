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


def _admin(connection):
    """Another session on the database of `connection`, as an administrator's."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
        dbname=settings["NAME"], password=settings["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip


def _terminated_by_the_server(connection) -> None:
    """The session of `connection` ended by the server, as an administrator or a restart
    would end it, and its farewell arrived."""
    import select

    with _admin(connection) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    select.select([connection.connection.fileno()], [], [], 5)


@pytest.mark.django_db(transaction=True)
def test_the_health_check_asks_the_server_nothing():
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'dernière requête'")
    assert connection.is_usable()
    with _admin(connection) as admin:
        last = admin.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s",
            [connection.connection.info.backend_pid],
        ).fetchone()
    assert last == ("SELECT 'dernière requête'",)  # Django's own check left `SELECT 1` here


@pytest.mark.django_db(transaction=True)
def test_the_health_check_sees_a_session_the_server_ended():
    connection = connections["default"]
    connection.ensure_connection()
    assert connection.is_usable()
    _terminated_by_the_server(connection)
    assert not connection.is_usable()
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_request_after_the_server_ended_the_session_is_served_on_a_new_one(client, settings):
    settings.PUBLIC_DATA_VERSION_TTL = 0
    connection = connections["default"]
    assert client.get("/startups/").status_code == 200
    before = connection.connection.info.backend_pid
    _terminated_by_the_server(connection)
    # What Django does between two requests in production (the test client leaves it out):
    # the next request checks the connection before its first query.
    connection.close_if_unusable_or_obsolete()
    assert client.get("/startups/?q=service").status_code == 200
    assert connection.connection.info.backend_pid != before


@pytest.mark.django_db(transaction=True)
def test_the_health_check_holds_for_a_socket_numbered_above_1024():
    import os
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"au plus {hard} descripteurs de fichiers sur cette machine")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    taken = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    connection = connections["default"]
    try:
        connection.close()
        connection.ensure_connection()
        assert connection.connection.fileno() > 1024
        assert connection.is_usable()  # select() refused this descriptor: a reconnection each time
    finally:
        connection.close()
        for descriptor in taken:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
