"""Benchmarks of Portefeuille, run by `make bench`; each prints a table.

1. Import of the beta.gouv.fr corpus (first import, unchanged re-import).
2. HTTP throughput of the public pages, served as in production (gunicorn, 2 workers,
   DEBUG off, persistent connections), driven by wrk from a second process on 127.0.0.1,
   at the real size (662 startups) and at `seed_demo --scale 10` (6,620). Each page's rate is
   given as a ratio of a small static file served by the same server: the machine's ceiling.

The benchmarks use their own database (`portefeuille_bench`) on the server of DATABASE_URL, or
on the embedded PostgreSQL when DATABASE_URL is unset.
"""

import argparse
import os
import sys

from benchmarks import http, importing
from benchmarks.database import bench_database_url


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", choices=["import", "http"], help="one benchmark only")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    url = bench_database_url()
    print(f"Base de benchmark : {url.split('@')[-1]}\n")
    if args.only in (None, "import"):
        importing.run(url)
    if args.only in (None, "http"):
        http.run(url, duration=args.duration, connections=args.connections)
    return 0


if __name__ == "__main__":
    sys.exit(main())
