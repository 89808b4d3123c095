"""Import of the beta.gouv.fr corpus: first import into an empty database, then unchanged."""

import os
import time
from pathlib import Path

from benchmarks.database import BASE_DIR, manage, recreate

CORPUS = Path(os.environ.get("BETAGOUV_DATA", BASE_DIR.parent / "shared" / "data" / "betagouv"))


def timed(url: str, *args: str) -> tuple[float, str]:
    started = time.monotonic()
    output = manage(url, *args, capture=True)
    return time.monotonic() - started, output


def run(url: str) -> None:
    if not (CORPUS / "startups").is_dir():
        print(f"Import : corpus absent ({CORPUS}), mesure ignorée.\n")
        return
    recreate(url)
    first, output = timed(url, "import_betagouv", str(CORPUS))
    again, output_again = timed(url, "import_betagouv", str(CORPUS))
    startups = next(line for line in output.splitlines() if line.startswith("Startups"))
    unchanged = next(line for line in output_again.splitlines() if line.startswith("Startups"))
    print("Import du corpus beta.gouv.fr (commande complète, démarrage de Django compris)")
    print("| mesure | durée | objectif | résultat |")
    print("|---|---|---|---|")
    print(f"| premier import | {first:.1f} s | < 10 s | {startups} |")
    print(f"| ré-import inchangé | {again:.1f} s | < 3 s | {unchanged} |")
    print()
