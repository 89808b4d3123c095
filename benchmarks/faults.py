"""`make faults`: the app under real faults, on a PostgreSQL of its own (.data/pg-faults).

1. PostgreSQL stopped while gunicorn serves: every request during the outage gets a 503 (the
   DSFR page, or JSON for /healthz and the API), never a 500 or a traceback; once PostgreSQL is
   back, the same gunicorn serves again, without a restart.
2. An import killed mid-way (SIGKILL): every startup in the database is whole (its phases,
   events and corrections exactly what its source gives) or absent; a re-run completes it.

Prints one table per scenario; exits non-zero when an expectation fails.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.database import BASE_DIR, with_database
from benchmarks.http import PRODUCTION_ENV, STATIC_ROOT, wait_until_up

DATA_DIR = BASE_DIR / ".data" / "pg-faults"
PORT = int(os.environ.get("FAULTS_PORT", "8766"))
CORPUS = Path(os.environ.get("BETAGOUV_DATA", BASE_DIR.parent / "shared" / "data" / "betagouv"))
PAGES = [
    "/healthz",
    "/",
    "/startups/",
    "/startups/1000.jours/",
    "/api/v2/startups.json",
    "/impact/",
]

failures: list[str] = []


def expect(condition: bool, message: str):
    print(f"  {'ok ' if condition else 'ÉCHEC'} {message}")
    if not condition:
        failures.append(message)


def server_url() -> str:
    sys.path.insert(0, str(BASE_DIR))
    from portfolio.embedded_postgres import embedded_database_url

    return embedded_database_url(DATA_DIR)


def start_postgres():
    """In a new process: pgserver remembers, per process, the servers it already started."""
    code = "from pathlib import Path; from portfolio.embedded_postgres import embedded_database_url as u; u(Path('%s'))"
    subprocess.run([sys.executable, "-c", code % DATA_DIR], cwd=BASE_DIR, check=True)


def stop_postgres():
    from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=DATA_DIR, user=user)


def manage(url: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, text=True, capture_output=True, **kwargs)  # fmt: skip


def get(path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=15) as response:  # noqa: S310
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError as error:
        return 0, str(error)


def fresh_database(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    database = with_database(url, name)
    manage(database, "migrate", "--noinput", "-v0", check=True)
    return database


def outage(url: str):
    print("\n1. PostgreSQL arrêté pendant que gunicorn sert")
    database = fresh_database(url, "portefeuille_faults")
    manage(database, "import_betagouv", str(CORPUS), check=True)
    manage(database, "collectstatic", "--noinput", "-v0", check=True)
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": database,
        "STATIC_ROOT": str(STATIC_ROOT),
    }
    server = subprocess.Popen(
        [str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "portfolio.wsgi", "--bind", f"127.0.0.1:{PORT}",
         "--access-logfile", "/dev/null", "--error-logfile", "/dev/null"],
        cwd=BASE_DIR, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}")
        before = {path: get(path)[0] for path in PAGES}
        expect(all(status == 200 for status in before.values()), f"avant la panne : {before}")
        stopped_at = time.monotonic()
        stop_postgres()
        # Past the second a worker trusts the data version it read (PUBLIC_DATA_VERSION_TTL),
        # every page needs the database.
        time.sleep(1.5)
        during = {}
        for path in PAGES * 3:
            status, body = get(path)
            during.setdefault(path, set()).add(status)
            expect("Traceback" not in body, f"pendant la panne, {path} : pas de trace d'erreur")
        expect(
            all(statuses == {503} for statuses in during.values()),
            f"pendant la panne, tout répond 503 : {during}",
        )
        status, body = get("/startups/")
        expect(
            "Service momentanément indisponible" in body,
            "la page 503 est celle du DSFR, en français",
        )
        status, body = get("/healthz")
        expect(
            body.startswith("{") and '"status": "error"' in body,
            f"/healthz répond en JSON : {body[:80]}",
        )
        start_postgres()  # on the same data
        back = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            back = {path: get(path)[0] for path in PAGES}
            if all(status == 200 for status in back.values()):
                break
            time.sleep(0.5)
        expect(
            all(status == 200 for status in back.values()),
            f"après le redémarrage, sans relancer gunicorn : {back}",
        )
        print(f"  panne et reprise en {time.monotonic() - stopped_at:.1f} s")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


CHECK_WHOLE = """
import json, os
from pathlib import Path
from django.utils import timezone
from startups import importer
from startups.models import Startup
corpus = importer.corpus_files(Path(os.environ["FAULTS_CORPUS"]))
partial, whole = [], 0
written = {s.pk: s for s in Startup.objects.prefetch_related("phases", "events", "import_corrections")}
for path in corpus["startups"]:
    source = importer.read_source(path)
    startup = written.get(source.id)
    if startup is None:
        continue
    record = importer.startup_record(source, timezone.localdate())
    phases = sorted((p.kind, p.start, p.end) for p in record.phases)
    stored = sorted((p.kind, p.start, p.end) for p in startup.phases.all())
    if phases != stored or len(record.events) != len(startup.events.all()):
        partial.append(source.id)
    else:
        whole += 1
print(json.dumps({"whole": whole, "partial": partial}))
"""


def whole_startups(database: str) -> dict:
    import json

    os.environ["FAULTS_CORPUS"] = str(CORPUS)
    check = manage(database, "shell", "--no-imports", "-c", CHECK_WHOLE)
    if check.returncode:
        raise RuntimeError(check.stderr)
    return json.loads(check.stdout.strip().splitlines()[-1])


def killed_import(url: str):
    print("\n2. Import tué en plein travail (SIGKILL)")
    database = fresh_database(url, "portefeuille_faults_import")
    env = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": database}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_betagouv", str(CORPUS)], cwd=BASE_DIR, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(4)
    process.kill()
    process.wait()
    result = whole_startups(database)
    expect(
        result["whole"] > 0 and not result["partial"],
        f"après le kill : {result['whole']} startups entières, partielles : {result['partial']}",
    )
    rerun = manage(database, "import_betagouv", str(CORPUS))
    expect(rerun.returncode == 0, "le ré-import se termine")
    summary = next(line for line in rerun.stdout.splitlines() if line.startswith("Startups"))
    print(f"  ré-import : {summary}")
    result = whole_startups(database)
    expect(
        result["whole"] == 662 and not result["partial"],
        f"après le ré-import : {result['whole']} startups entières",
    )


def main() -> int:
    if not (CORPUS / "startups").is_dir():
        print(f"Corpus absent ({CORPUS}) : les scénarios en ont besoin.")
        return 1
    url = server_url()
    outage(url)
    killed_import(url)
    print(
        f"\n{len(failures)} échec(s)."
        if failures
        else "\nTous les scénarios de panne se passent comme prévu."
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
