"""`field__any_of=[…]`: membership in a long list of values (thousands of document numbers of an
import file) in one parameter on PostgreSQL.

`field__in=[…]` writes one placeholder per value, and psycopg converts a statement of 5,000
placeholders in Python on every call (a tenth of a 5,000-row import's CPU time:
bench/bench_import.py); `= ANY(%s)` sends the list as one array. Elsewhere (SQLite) it is the
IN list, so callers keep SQLite's variable limit in mind (chunks of 900)."""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, Lookup


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [self.lhs.output_field.get_db_prep_value(v, connection) for v in self.rhs]
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


# the largest list one statement takes: PostgreSQL any length (5,000 keys a statement keeps
# each one short); elsewhere SQLite's variable limit
def chunk_size(connection) -> int:
    return 5000 if connection.vendor == "postgresql" else 900
