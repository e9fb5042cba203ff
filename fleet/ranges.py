"""Time ranges in the database: the PostgreSQL-only half of the no-double-booking guarantee."""

from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func


class TstzRange(Func):
    """``tstzrange(start, end)``: half-open, so a hold ending at 10:00 and one starting then meet."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL, and nothing on other databases.

    The embedded default is SQLite, which has no exclusion constraints; there the booking
    service serialises writers instead (see ``testdrives.services.booking``, which books cars against fleet's ``VehicleHold``). Returning no SQL
    lets the same model and migrations run on both.
    """

    @staticmethod
    def _on_postgres(schema_editor: Any) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        return super().constraint_sql(model, schema_editor) if self._on_postgres(schema_editor) else None

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        return super().create_sql(model, schema_editor) if self._on_postgres(schema_editor) else None

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        return super().remove_sql(model, schema_editor) if self._on_postgres(schema_editor) else None

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: str = DEFAULT_DB_ALIAS) -> None:
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)
