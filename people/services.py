"""Writes of people (考生, keyed by 证件类型 + 证件号码 across plans and regions; SPEC.md §3).

A person is created the first time any region imports them. A person holds only the document
and the name: contact details (手机号码, 企业名称, 统一社会信用代码) belong to each registration
(docs/decisions.md#registration-contact), so no region's import can change what another region holds. The name is never
changed by an import: a different name for the same document is more likely a typing error or
the wrong document than a renamed person, so it is reported back (`name_mismatch`) and the
callers refuse the row; central corrects names explicitly.

Person creation is not audited row by row here: it only happens as part of adding a
registration, and the caller's audit entry (e.g. the import run's) names what was added.
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from .models import Person

_CHUNK = 900  # SQLite's variable limit


@dataclass
class PersonUpsertResult:
    person_ids: dict[tuple[int, str], int] = field(default_factory=dict)  # (id_type_id, id_number) → Person pk
    created: int = 0
    updated: int = 0
    name_mismatch: set[tuple[int, str]] = field(default_factory=set)
    _persons: dict | None = field(default=None, repr=False)

    @property
    def persons(self) -> dict[tuple[int, str], Person]:
        """The Person objects, loaded on first use in one query (the import needs only the ids)."""
        if self._persons is None:
            objects = Person.objects.in_bulk(list(self.person_ids.values()))
            self._persons = {key: objects[pk] for key, pk in self.person_ids.items()}
        return self._persons


def insert_ignoring_conflicts(model, fields: list[str], rows: list[tuple], *, batch: int = 500) -> None:
    """INSERT ... ON CONFLICT DO NOTHING of plain tuples (ints, strings, dates, datetimes), in
    multi-row statements. Used by the import for thousands of rows, where Model.bulk_create's
    per-value preparation costs more than the database does (bench/bench_import.py); the
    unique constraints still decide, and the caller reads back what was really inserted.
    Dates and datetimes are adapted by the backend's own adapters (naive UTC on SQLite)."""
    if not rows:
        return
    opts = model._meta
    columns = [opts.get_field(name) for name in fields]
    adapters = []
    for column in columns:
        internal = column.get_internal_type()
        if internal == "DateTimeField":
            adapters.append(connection.ops.adapt_datetimefield_value)
        elif internal == "DateField":
            adapters.append(connection.ops.adapt_datefield_value)
        else:
            adapters.append(None)
    if any(adapters) and connection.vendor != "postgresql":  # psycopg adapts dates itself
        # each distinct value adapted once: an import's rows share one created_at / updated_at
        cache: dict = {}

        def adapt(adapter, value):
            key = (adapter, value)
            if key not in cache:
                cache[key] = adapter(value)
            return cache[key]

        columns_to_adapt = [i for i, a in enumerate(adapters) if a]
        adapted = []
        for row in rows:
            row = list(row)
            for i in columns_to_adapt:
                if row[i] is not None:
                    row[i] = adapt(adapters[i], row[i])
            adapted.append(tuple(row))
        rows = adapted
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(f.column) for f in columns)
    if connection.vendor == "postgresql":
        _copy_then_insert(opts.db_table, column_sql, rows)
        return
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            sql = (f"INSERT INTO {quote(opts.db_table)} ({column_sql}) VALUES "
                   + ", ".join([one] * len(chunk)) + " ON CONFLICT DO NOTHING")
            cursor.execute(sql, [v for row in chunk for v in row])


def _copy_then_insert(table: str, column_sql: str, rows: list[tuple]) -> None:
    """PostgreSQL: COPY into a temporary table (dropped at commit), then one INSERT ... SELECT
    ... ON CONFLICT DO NOTHING: a fraction of the cost of thousands of bound parameters."""
    import uuid

    quote = connection.ops.quote_name
    temp = quote(f"import_tmp_{uuid.uuid4().hex[:12]}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {column_sql} FROM {quote(table)} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {temp} ({column_sql}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {quote(table)} ({column_sql}) SELECT {column_sql} FROM {temp} ON CONFLICT DO NOTHING")
        cursor.execute(f"DROP TABLE {temp}")


def _key(data: dict) -> tuple[int, str]:
    id_type = data["id_type"]
    return (getattr(id_type, "pk", id_type), data["id_number"])


def _lookup(keys) -> dict[tuple[int, str], tuple]:
    """(id_type_id, id_number) → (pk, id_type_id, id_number, name), 5,000 numbers a statement.
    Plain SQL: for thousands of numbers the ORM's per-parameter preparation of IN (...) costs
    more than the query (bench/bench_import.py)."""
    keys = set(keys)
    numbers = sorted({n for _, n in keys})
    found = {}
    opts = Person._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(opts.get_field(f).column) for f in ("id", "id_type", "id_number", "name"))
    number = quote(opts.get_field("id_number").column)
    pg = connection.vendor == "postgresql"
    # 5,000 numbers a statement; on PostgreSQL as one array parameter (= ANY), which psycopg
    # sends as it is, where 5,000 placeholders are converted in Python on every call
    chunk = 5000 if pg else min(connection.features.max_query_params or _CHUNK, 5000)
    with connection.cursor() as cursor:
        for start in range(0, len(numbers), chunk):
            part = numbers[start:start + chunk]
            if pg:
                cursor.execute(f"SELECT {columns} FROM {quote(opts.db_table)} WHERE {number} = ANY(%s)", [part])
            else:
                cursor.execute(f"SELECT {columns} FROM {quote(opts.db_table)} WHERE {number} IN ("
                               + ", ".join(["%s"] * len(part)) + ")", part)
            for row in cursor.fetchall():
                key = (row[1], row[2])
                if key in keys:
                    found[key] = row
    return found


def person_upsert_many(*, rows: list[dict], acting_user, reason: str = "", region=None) -> PersonUpsertResult:
    """Create the people that do not exist yet; report those whose registered name differs.
    `rows` are cleaned rows of candidates.importing.validation (id_type, id_number, name, …); one
    row per person. Nothing of an existing person is changed (docs/decisions.md#registration-contact). Safe against a
    concurrent import creating the same person: the insert ignores the unique-constraint
    conflict and the row is then read back."""
    result = PersonUpsertResult()
    by_key = {_key(row): row for row in rows}
    with transaction.atomic():
        existing = _lookup(by_key)
        missing = [key for key in by_key if key not in existing]
        now = timezone.now()
        if missing:
            insert_ignoring_conflicts(
                Person, ["id_type", "id_number", "name", "created_at", "updated_at"],
                [(key[0], key[1], by_key[key]["name"], now, now) for key in missing],
            )
            created = _lookup(missing)  # a concurrent import may have created some: read back
            result.created = len(created)
        else:
            created = {}
        for key, row in existing.items():
            data = by_key[key]
            if data.get("name") and data["name"] != row[3]:
                # not this person, or a mistyped name: refused by the callers
                result.name_mismatch.add(key)
        result.person_ids = {key: row[0] for key, row in {**existing, **created}.items()}
    return result
