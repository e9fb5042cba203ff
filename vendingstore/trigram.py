"""Trigram (pg_trgm) GIN indexes for the admin's "contains" searches, on PostgreSQL only.

Django's ``icontains`` on PostgreSQL compares ``UPPER("column"::text) LIKE UPPER('%term%')``;
an index on that same expression with ``gin_trgm_ops`` answers it (terms of three characters
or more) without reading the table. SQLite has no such index: there the operation does nothing.
The extension needs a superuser or a pre-created ``pg_trgm``, as ``btree_gist`` does.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def trigram_indexes(indexes: dict[str, tuple[str, str]]) -> migrations.RunPython:
    """A migration operation creating ``{name: (table, column)}`` trigram indexes (and dropping
    them when reversed)."""

    def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, column) in indexes.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
                f"USING gin (UPPER({quote(column)}::text) gin_trgm_ops)"
            )

    def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    return migrations.RunPython(create, drop, elidable=False)
