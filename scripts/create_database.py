"""Create the PostgreSQL database named in DATABASE_URL if it does not exist.

SQLite needs nothing; `migrate` creates the file.
"""

import os
import sys
from pathlib import Path

import environ


def main() -> int:
    # The same sources as the settings (config/env.py): the environment, then .env.
    environ.Env.read_env(Path(__file__).resolve().parents[1] / ".env", overwrite=False)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return 0
    # The PostgreSQL driver only for a PostgreSQL URL: SQLite needs nothing.
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    params = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"Created database {config['NAME']}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
