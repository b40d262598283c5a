"""Serialising writers on a key that has no row to lock yet (e.g. "no second active blacklist
entry for this document": two central users adding the same person at once)."""

from django.db import connection


def transaction_lock(key: str) -> None:
    """Hold a lock on `key` until the current transaction ends. PostgreSQL: a transaction-level
    advisory lock on the key's 64-bit hash. SQLite needs none: its transactions are IMMEDIATE
    (settings), so a second writer waits at BEGIN until the first commits."""
    if not connection.in_atomic_block:
        raise RuntimeError("transaction_lock must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
