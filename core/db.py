"""Database expressions that every supported backend (SQLite, PostgreSQL) runs natively."""

from django.db.models import Aggregate, JSONField


class JSONRows(Aggregate):
    """One JSON array per group: an array of the given columns per row, `[[1, "AB", 7], …]`.
    Lets one query carry a handful of child rows beside their parent (a Subquery annotation)
    instead of a second query. SQLite: json_group_array(json_array(…)); PostgreSQL:
    jsonb_agg(jsonb_build_array(…)) (jsonb, which Django's JSONField reads as text). The order
    of the rows is not guaranteed."""

    function = "JSON_GROUP_ARRAY"
    template = "%(function)s(JSON_ARRAY(%(expressions)s))"
    output_field = JSONField()
    allow_distinct = False

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG",
                           template="%(function)s(JSONB_BUILD_ARRAY(%(expressions)s))", **extra_context)


def bulk_update_rows(model, fields: list[str], rows: list[tuple], *, using: str = "default",
                     batch_size: int = 5000) -> int:
    """UPDATE many rows of `model` to per-row values: `rows` are `(pk, value of fields[0], …)`.
    Django's bulk_update builds a CASE WHEN per row and field, which costs milliseconds per row
    in Python alone (10,000 scores of a plan's regrade: seconds). Here PostgreSQL gets one
    UPDATE … FROM unnest(arrays) per batch and SQLite one executemany. Values go through each
    field's own get_db_prep_save, so they are stored exactly as a model save would store them."""
    from django.db import connections

    if not rows:
        return 0
    connection = connections[using]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    pk = meta.pk
    table = connection.ops.quote_name(meta.db_table)
    quote = connection.ops.quote_name
    prepared = [[pk.get_db_prep_save(row[0], connection)]
                + [f.get_db_prep_save(value, connection) for f, value in zip(columns, row[1:], strict=True)]
                for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), batch_size):
            batch = prepared[start:start + batch_size]
            if connection.vendor == "postgresql":
                names = ["pk"] + [f"c{i}" for i in range(len(columns))]
                types = [f.cast_db_type(connection) for f in [pk, *columns]]
                arrays = ", ".join(f"%s::{t}[]" for t in types)
                assignments = ", ".join(f"{quote(f.column)} = v.{n}" for f, n in zip(columns, names[1:], strict=True))
                cursor.execute(
                    f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({', '.join(names)}) "
                    f"WHERE {table}.{quote(pk.column)} = v.pk",
                    [list(column) for column in zip(*batch, strict=True)])
            else:
                assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {quote(pk.column)} = %s",
                                   [row[1:] + [row[0]] for row in batch])
    return len(rows)
