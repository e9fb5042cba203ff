"""A paginator for admin lists of big tables: an unfiltered list is not counted row by row.

The admin counts the rows of every list it shows. On a table of half a million bookings that
count reads the whole table (or a whole index) on every view, however fast the page itself is.
An unfiltered list on PostgreSQL takes the planner's row estimate instead (``pg_class``, kept
by autovacuum and ANALYZE; within a few per cent); a filtered or searched list is counted
exactly, which its indexes keep cheap. Small tables are always counted exactly.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

ESTIMATE_ABOVE = 10_000


class LargeTablePaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if (
            isinstance(queryset, QuerySet)
            and not queryset.query.where
            and connections[queryset.db].vendor == "postgresql"
        ):
            estimate = _estimated_rows(queryset.db, queryset.model._meta.db_table)
            if estimate > ESTIMATE_ABOVE:
                return estimate
        return super().count


def _estimated_rows(alias: str, table: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else -1
