"""HTTP throughput of the public pages against the static-file ceiling of the same server."""

import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import psutil
import psycopg

from benchmarks.database import BASE_DIR, manage, recreate

PORT = int(os.environ.get("BENCH_PORT", "8765"))
STATIC_ROOT = BASE_DIR / ".data" / "bench-static"

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "EMAIL_URL": "smtp://localhost:25",
    "SITE_URL": "http://127.0.0.1",
    # wrk speaks plain HTTP to gunicorn, as a proxy terminating TLS would.
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "STATIC_ROOT": str(STATIC_ROOT),
    "WEB_CONCURRENCY": "2",
    "ENV_FILE": "",
    "LOG_LEVEL": "WARNING",
}

RANDOM_PATHS_SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("seed", counter) end
init = function() math.randomseed(os.time() + seed) end
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
"""


def wrk(
    url: str, duration: int, connections: int, script: str | None = None, cookie: str = ""
) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", script]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    return {
        "rate": rate,
        "requests": requests,
        "errors": errors,
        "p50": latency.get("50"),
        "p99": latency.get("99"),
    }


def build_once(base: str, paths: list[str], connections: int, limit: float) -> dict:
    """Each path requested once, none twice (every page a cache miss), over `connections`
    keep-alive connections, until the paths run out or `limit` seconds have passed. wrk cannot
    do this: it repeats its paths for a fixed duration, and a path served twice is a cache hit.
    The client is Python (threads, http.client): far below its own ceiling at these rates."""
    host, port = base.removeprefix("http://").split(":")
    pending = iter(paths)
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + limit

    def client():
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < deadline:
            with lock:
                path = next(pending, None)
            if path is None:
                break
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=10)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "rate": len(latencies) / elapsed,
        "requests": len(latencies),
        "errors": errors[0],
        "p50": duration_label(cuts[49]),
        "p99": duration_label(cuts[98]),
    }


def duration_label(seconds: float) -> str:
    """As wrk writes latencies: 4.30ms, 1.02s."""
    return f"{seconds * 1000:.2f}ms" if seconds < 1 else f"{seconds:.2f}s"


def search_terms(url: str, count: int = 350) -> list[str]:
    """`count` distinct words of the startups' titles and missions, as a visitor would type
    them (accents and capitals kept), spread over the whole alphabet of the corpus."""
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT title || ' ' || mission FROM startups_startup")
        words = {}
        for (text,) in rows:
            for word in re.findall(r"[^\W\d_]{4,}", text):
                words.setdefault(word.casefold(), word)
    ordered = [words[key] for key in sorted(words)]
    step = max(1, len(ordered) // count)
    return ordered[::step][:count]


def restart(server: subprocess.Popen, base: str) -> None:
    """A graceful restart (HUP): gunicorn replaces its workers, whose caches start empty."""
    before = {worker.pid for worker in psutil.Process(server.pid).children()}
    server.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = {worker.pid for worker in psutil.Process(server.pid).children()}
        if len(now) >= 2 and not now & before:
            break
        time.sleep(0.2)
    wait_until_up(base)


def wait_until_up(base: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn n'a pas démarré")


def static_path() -> str:
    manifest = json.loads((STATIC_ROOT / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["portfolio/portfolio.css"]


def login(base: str, path: str, username: str, password: str) -> str:
    """Log in through the real form; returns the Cookie header of the session."""
    import http.cookies
    import urllib.parse

    with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310
        page = response.read().decode()
        jar = http.cookies.SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        base + path, data=data, headers={"Cookie": f"csrftoken={jar['csrftoken'].value}"}
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        response = urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    except urllib.error.HTTPError as redirect:
        response = redirect
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    if "sessionid" not in jar:
        raise RuntimeError(f"connexion refusée pour {username} sur {path}")
    return f"csrftoken={jar['csrftoken'].value}; sessionid={jar['sessionid'].value}"


def sql(url: str, query: str, *params):
    with psycopg.connect(url) as connection:
        return connection.execute(query, params).fetchone()


def startup_ids(url: str) -> list[str]:
    with psycopg.connect(url) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM startups_startup ORDER BY id")]


def betagouv_api_targets() -> list[tuple]:
    """beta.gouv.fr's API in its latest version (api/betagouv.py), measured at each size."""
    return [("/api/v2.7/startups.json", "/api/v2.7/startups.json", None, "")]


def measure(
    url: str, base: str, duration: int, connections: int, server: subprocess.Popen
) -> list[tuple]:
    ids = startup_ids(url)
    label = f"{len(ids)} startups"
    sample = "1000.jours" if "1000.jours" in ids else ids[0]
    with_impact = sql(
        url,
        "SELECT startup_id FROM startups_indicator WHERE is_north_star ORDER BY startup_id LIMIT 1",
    )
    impact_id = with_impact[0] if with_impact else sample
    partner = login(
        base, "/partenaires/connexion/", "partenaire-a@demo.beta.gouv.fr", "demo-partenaire-2026"
    )
    dossier = sql(
        url,
        "SELECT d.id FROM committees_dossier d "
        "JOIN startups_startup_sponsors s ON s.startup_id = d.startup_id "
        "JOIN committees_partnermembership m ON m.organisation_id = s.organisation_id "
        "JOIN auth_user u ON u.id = m.user_id WHERE u.username = %s ORDER BY d.id DESC LIMIT 1",
        "partenaire-a@demo.beta.gouv.fr",
    )
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as paths:
        paths.write("\n".join(f"/startups/{quote(i)}/" for i in ids))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(RANDOM_PATHS_SCRIPT % paths.name)
    targets = [
        ("fichier statique (plafond)", static_path(), None, ""),
        ("/", "/", None, ""),
        ("/startups/", "/startups/", None, ""),
        ("/startups/ filtrée", "/startups/?thematique=sante&actives=on", None, ""),
        (f"/startups/{sample}/", f"/startups/{quote(sample)}/", None, ""),
        # Every startup page in turn: mostly cache misses, the cost of a page actually built.
        (f"/startups/<id>/ au hasard parmi {len(ids)}", "/", script.name, ""),
        (f"/startups/{impact_id}/impact/", f"/startups/{quote(impact_id)}/impact/", None, ""),
        ("/impact/", "/impact/", None, ""),
        ("/budget/", "/budget/", None, ""),
        ("/comites/", "/comites/", None, ""),
        ("/api/v2/startups.json", "/api/v2/startups.json", None, ""),
        ("/api/v2/budget.json", "/api/v2/budget.json", None, ""),
        ("/partenaires/ (connecté)", "/partenaires/", None, partner),
    ]
    if dossier:
        targets.append(
            (
                "/partenaires/dossiers/<id>/ (connecté)",
                f"/partenaires/dossiers/{dossier[0]}/",
                None,
                partner,
            )
        )
    targets += betagouv_api_targets()
    rows = []
    ceiling = None
    for name, path, lua, cookie in targets:
        # A short warm-up fills the caches and the connection pools of both workers.
        wrk(base + path, 2, connections, lua, cookie)
        result = wrk(base + path, duration, connections, lua, cookie)
        ceiling = ceiling or result["rate"]
        rows.append((label, name, result, result["rate"] / ceiling))
    os.unlink(paths.name)
    os.unlink(script.name)
    # Pages a cache cannot hold: each search term, each startup page after a restart, built
    # once. (Not warmed up: a warm-up would build them.)
    terms = search_terms(url)
    result = build_once(
        base, [f"/startups/?q={quote(term)}" for term in terms], connections, 3 * duration
    )
    rows.append((label, f"/startups/?q=<mot> : {len(terms)} mots distincts construits une fois chacun",
                 result, result["rate"] / ceiling))  # fmt: skip
    restart(server, base)
    result = build_once(base, [f"/startups/{quote(i)}/" for i in ids], connections, 3 * duration)
    rows.append((label, "/startups/<id>/ : chaque page construite une fois après un redémarrage",
                 result, result["rate"] / ceiling))  # fmt: skip
    return rows


MIX_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("seed", counter) end
init = function() math.randomseed(os.time() + seed) end
local body = "commitment=%(commitment)s&service_done_on=%(day)s&paid_on=%(day)s&amount=0,01&reference=bench&csrfmiddlewaretoken=%(token)s"
request = function()
  if math.random(100) <= 5 then
    return wrk.format("POST", "/admin/budgets/payment/add/", {["Cookie"] = "%(cookie)s", ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
  end
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def mixed_load(url: str, base: str) -> tuple[dict, int]:
    """64 connections for 30 s: 95 % public pages, 5 % staff recording payments."""
    staff = login(base, "/admin/login/", "equipe@demo.beta.gouv.fr", "demo-equipe-2026")
    token = re.search(r"csrftoken=([^;]+)", staff).group(1)
    commitment = sql(
        url,
        "SELECT c.id FROM budgets_commitment c LEFT JOIN budgets_payment p ON p.commitment_id = c.id "
        "GROUP BY c.id ORDER BY c.amount - coalesce(sum(p.amount), 0) DESC LIMIT 1",
    )[0]
    before = sql(url, "SELECT count(*) FROM budgets_payment")[0]
    ids = startup_ids(url)
    public = ["/", "/startups/", "/impact/", "/budget/", "/comites/", "/api/v2/startups.json"]
    public += [f"/startups/{quote(i)}/" for i in ids[:: max(1, len(ids) // 200)]]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as paths:
        paths.write("\n".join(public))
    day = time.strftime("%d/%m/%Y")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            MIX_SCRIPT
            % {
                "paths": paths.name,
                "commitment": commitment,
                "day": day,
                "token": token,
                "cookie": staff,
            }
        )
    result = wrk(base + "/", 30, 64, script.name)
    written = sql(url, "SELECT count(*) FROM budgets_payment")[0] - before
    os.unlink(paths.name)
    os.unlink(script.name)
    return result, written


JUNK_SCRIPT = """
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("id", counter) end
local n = 0
request = function() n = n + 1; return wrk.format("GET", "/api/v2/startups.json?z=" .. id .. "-" .. n) end
"""


def junk_queries(base: str, duration: int) -> dict:
    """A new query string on every request, as an attacker filling the cache would send."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(JUNK_SCRIPT)
    result = wrk(base + "/", duration, 16, script.name)
    os.unlink(script.name)
    return result


def run(url: str, duration: int = 10, connections: int = 16) -> None:
    if not shutil.which("wrk"):
        print("HTTP : wrk absent (apt-get install -y wrk), mesure ignorée.\n")
        return
    print("Préparation : base, collectstatic, gunicorn…")
    recreate(url)
    manage(url, "seed_demo", "--if-empty", env=PRODUCTION_ENV, capture=True)
    manage(url, "collectstatic", "--noinput", "-v0", env=PRODUCTION_ENV)
    env = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": url}
    # gunicorn's log at info: each worker logs its page cache's size as it exits
    # (gunicorn.conf.py, worker_exit); the cache lives in the worker, unreadable from outside.
    log = tempfile.NamedTemporaryFile("w+", suffix=".log")  # noqa: SIM115
    server = subprocess.Popen(
        [str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "portfolio.wsgi", "--bind", f"127.0.0.1:{PORT}",
         "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "info"],
        cwd=BASE_DIR,
        env=env,
        stderr=log,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{PORT}"
    rows = []
    try:
        wait_until_up(base)
        rows += measure(url, base, duration, connections, server)
        manage(url, "seed_demo", "--scale", "10", env=PRODUCTION_ENV, capture=True)
        rows += measure(url, base, duration, connections, server)
        mix, written = mixed_load(url, base)
        junk = junk_queries(base, duration)
        workers = psutil.Process(server.pid).children()
        rss = [w.memory_info().rss / 2**20 for w in workers]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.seek(0)
        lines = log.read().splitlines()
        log.close()
    for line in lines:
        if "[WARNING]" in line or "[ERROR]" in line or "[CRITICAL]" in line:
            print(line)
    caches = [
        (pid, int(used), int(entries), int(bound))
        for pid, used, entries, bound in re.findall(
            r"Cache des pages du worker (\d+) à sa sortie : (\d+) octets en (\d+) entrées "
            r"\(borne (\d+)\)",
            "\n".join(lines),
        )
    ]

    print(
        f"\nDébit HTTP : gunicorn 2 workers, wrk -t2 -c{connections} -d{duration}s sur 127.0.0.1 "
        f"(même serveur que le plafond ; cœurs partagés avec wrk et PostgreSQL)"
    )
    print("| données | page | req/s | p50 | p99 | erreurs | ratio au plafond |")
    print("|---|---|---|---|---|---|---|")
    for label, name, result, ratio in rows:
        print(
            f"| {label} | {name} | {result['rate']:,.0f} | {result['p50']} | {result['p99']} | "
            f"{result['errors']} | {ratio:.0%} |".replace(",", " ")
        )
    print(
        f"\nCharge mixte, 64 connexions pendant 30 s, 5 % d'écritures (paiements saisis dans "
        f"l'admin) : {mix['rate']:.0f} req/s, p50 {mix['p50']}, p99 {mix['p99']}, "
        f"{mix['errors']} erreur(s) (réponses hors 2xx/3xx ou erreurs de socket), "
        f"{written} paiements enregistrés."
    )
    print(
        f"\nAdresses inventées (`/api/v2/startups.json?z=<n>`, une nouvelle à chaque requête) : "
        f"{junk['requests']} requêtes en {duration} s, {junk['rate']:.0f} req/s, "
        f"{junk['errors']} erreur(s)."
    )
    print(f"Mémoire des workers après les mesures : {', '.join(f'{r:.0f} Mo' for r in rss)}")
    # Workers are recycled every ~500 000 requests (gunicorn.conf.py): one line per worker that
    # exited during the run, the last ones being those stopped at the end.
    print("Cache des pages de chaque worker à sa sortie (borne CACHE_MAX_BYTES) :")
    for pid, used, entries, bound in caches:
        print(
            f"- worker {pid} : {used / 2**20:.1f} Mo en {entries} entrées (borne {bound / 2**20:.0f} Mo)"
        )
    if not caches:
        print("- non relevé (aucune ligne du worker_exit de gunicorn.conf.py)")
    print()
