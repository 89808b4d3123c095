"""Attach the data-change trigger to the tables that public pages show.

Each app's migration lists its public tables with `track_changes(...)`; the trigger function
itself is created by portfolio's first migration.
"""

from django.db import migrations

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION portfolio_record_data_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO portfolio_datachange ("table", at) VALUES (TG_TABLE_NAME, now());
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def track_changes(*tables: str) -> migrations.RunSQL:
    create = "".join(
        f"CREATE TRIGGER {table}_data_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION portfolio_record_data_change();"
        for table in tables
    )
    drop = "".join(f"DROP TRIGGER IF EXISTS {table}_data_change ON {table};" for table in tables)
    return migrations.RunSQL(create, drop)
