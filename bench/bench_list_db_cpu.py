"""The candidate list's cost to the database, per page, in CPU time (docs/decisions.md#list-contains-probe).

For each combination of bench_candidates.py's list (its kept database: run that one first with
BENCH_KEEPDB=1 and the same DATABASE_URL), the page's statements are captured from one request,
then replayed BENCH_REPEAT times on one connection, and the CPU time (user + system) of that
PostgreSQL backend is read from /proc before and after: a loaded machine inflates it far less
than wall time. Floor: as many `SELECT 1` statements, replayed the same way (the round trips
alone, replayed 20 times as often). Needs the database server on this machine (its /proc);
resolution: the kernel's clock tick over the repeats (10 ms / 40 = 0.25 ms by default)."""

import os

import _common

REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))


def backend_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) the backend process `pid` has used."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def replay_cpu(cursor, pid: int, statements: list[str], repeat: int = REPEAT) -> float:
    """ms of the backend's CPU per replay of `statements` (after one warm-up replay)."""
    for sql in statements:
        cursor.execute(sql)
        cursor.fetchall()
    start = backend_cpu(pid)
    for _ in range(repeat):
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()
    return (backend_cpu(pid) - start) * 1000 / repeat


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("JOBS_EAGER_MODE", "inline")
    import django

    django.setup()
    import bench_candidates
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from accounts.models import User

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    assert connection.vendor == "postgresql", "the database's CPU is read from a PostgreSQL backend's /proc"
    users = {"central": User.objects.get(username="bench_central"), "regional": User.objects.get(username="bench_bj")}
    url = reverse("candidates:list")
    only = os.environ.get("BENCH_ONLY", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    spent = []
    for label, user, params in bench_candidates.combos(users):
        if only and only not in label:
            continue
        client = Client()
        client.force_login(user)
        client.get(url, params)
        with CaptureQueriesContext(connection) as captured:
            client.get(url, params)
        statements = [q["sql"] for q in captured.captured_queries
                      if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]
        with connection.cursor() as cursor:
            page = replay_cpu(cursor, pid, statements)
            floor = replay_cpu(cursor, pid, ["SELECT 1"] * len(statements), repeat=REPEAT * 20)
        spent.append((page, floor))
        _common.report(f"list page database CPU [{label}]", page, "ms", floor)
    if spent:
        worst = max(spent)
        _common.report("list page database CPU [the costliest combination]", worst[0], "ms", worst[1])


if __name__ == "__main__":
    main()
