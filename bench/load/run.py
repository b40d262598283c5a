"""`make bench-load` (docs/decisions.md#exam-day-load): an exam day on loopback, everything set up here.

PostgreSQL (its own database, BENCH_LOAD_PG_URL), Redis (databases 50 and 51: cache/sessions and
the Celery broker), a Celery worker and beat (exams.close_due every 30 s), the application under a
production WSGI server with workers chosen for this machine, optionally two of them behind nginx
(Debian's package, configured here from a file in a temporary directory); then Locust headless
(bench/load/locustfile.py) simulating N examinees, and the verification of every answer each
client was told was saved against what the server holds.

    bench/load/run.py                       N=300, one app server, then two behind nginx
    bench/load/run.py --n 1000 --faults     kill -9 one app worker and restart PostgreSQL mid-exam
    bench/load/run.py --servers sync,gthread,granian --layouts single
                                            the worker classes against each other
    bench/load/run.py --find-max 10000      the largest N that holds (bisection, one run per probe)
    bench/load/run.py --snapshots           remote proctoring's share: a ~30 KB JPEG every 30 s per
                                            examinee and the page's events, printed apart
    bench/load/run.py --snapshots --direct-upload
                                            the same with the snapshots written by nginx itself
                                            (signed PUT, proctoring.direct), around Python

Time: examinees log in spread over --login-window seconds before the start (the real half hour,
1800, compressed by default to 300), all press start within 60 s of it, answer about every 30 s,
reload once, and submit within the exam's last minute; the exam lasts --exam-minutes (10, the
shortest a plan may have). Each layout ends with

    exam load N=<n> [<layout>]: p99 save <ms> ms, p99 start <ms> ms, errors <n>, lost <n>, retried <n>"""

import argparse
import csv
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PY = sys.executable
BIN = Path(PY).parent
PG_URL = os.environ.get("BENCH_LOAD_PG_URL", "postgres://postgres@127.0.0.1:5432/sanlei_load")
REDIS_BASE = os.environ.get("BENCH_LOAD_REDIS", "redis://127.0.0.1:6379")
REDIS_DBS = (int(os.environ.get("BENCH_LOAD_REDIS_DB", "50")), int(os.environ.get("BENCH_LOAD_REDIS_DB", "50")) + 1)
PG_RESTART = os.environ.get("BENCH_LOAD_PG_RESTART", "pg_ctlcluster --skip-systemctl-redirect 15 main restart")
LIMIT_MS = 500
CPUS = os.cpu_count() or 1

_children: list[subprocess.Popen] = []


def log(text: str) -> None:
    print(f"# {time.strftime('%H:%M:%S')} {text}", flush=True)


# ---------------------------------------------------------------- processes


def spawn(cmd: list[str], env: dict, out: Path, cwd: Path = ROOT) -> subprocess.Popen:
    handle = open(out, "ab")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    _children.append(proc)
    return proc


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """End a process this script started, and its group (its own workers), by its id."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(5)


def stop_all() -> None:
    for proc in reversed(_children):
        stop(proc)
    _children.clear()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """user + system seconds of these processes and their descendants that are still alive."""
    total, seen, todo = 0.0, set(), list(pids)
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue
        todo.extend(children_of(pid))
    return total


def wait_port(port: int, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise SystemExit(f"nothing answers on port {port}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raise_fd_limit() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# ---------------------------------------------------------------- the app servers


def server_cmd(kind: str, port: int, workers: int, threads: int) -> list[str]:
    """One production WSGI server process (its master and workers) on 127.0.0.1:port."""
    app = "config.wsgi:application"
    if kind == "sync":
        return [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                "--worker-class", "sync", "--timeout", "120", "--backlog", "4096", "--no-control-socket"]
    if kind == "gthread":
        return [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                "--worker-class", "gthread", "--threads", str(threads), "--worker-connections", "20000",
                "--keep-alive", "75", "--timeout", "120", "--backlog", "4096", "--no-control-socket"]
    if kind == "granian":
        return [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--blocking-threads", str(threads), "--backlog", "4096",
                "--respawn-failed-workers", "--respawn-interval", "1", "--no-ws", "--log-level", "warning",
                app]
    raise SystemExit(f"unknown server {kind}")


def default_workers(kind: str, processes: int) -> tuple[int, int]:
    """Workers for this machine: gunicorn's own rule for sync (2 × cores + 1); one process per
    core with 4 threads each for the threaded servers; split between the processes of a layout."""
    if kind == "sync":
        return max(1, (2 * CPUS + 1) // processes), 1
    return max(1, CPUS // processes), 4


NGINX_CONF = """{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
worker_rlimit_nofile {nofile};
events {{ worker_connections 30000; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    client_max_body_size 2m;
    keepalive_timeout 75s;
    upstream app {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location /static/ {{ alias {static}/; expires 7d; }}
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 120s;
            proxy_next_upstream off;
            add_header X-Upstream $upstream_addr always;
        }}
{extra}
    }}
}}
"""


def _nofile() -> int:
    import resource

    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def ensure_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    subprocess.run(["bash", str(ROOT / ".ci" / "ensure-nginx")], check=True)
    return shutil.which("nginx") or "/usr/sbin/nginx"


# ---------------------------------------------------------------- data and services


def psql_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def prepare(env: dict, tmp: Path, keep_db: bool) -> None:
    import redis

    name = PG_URL.rsplit("/", 1)[1]
    if not keep_db:
        psql_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        psql_admin(f'CREATE DATABASE "{name}"')
    for db in REDIS_DBS:
        redis.Redis.from_url(f"{REDIS_BASE}/{db}").flushdb()
    for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([PY, "manage.py", *step], cwd=ROOT, env=env, check=True)


def build_world(env: dict, n: int, exam_minutes: int, tmp: Path) -> tuple[dict, Path]:
    target = tmp / f"world-{n}-{time.time_ns()}.json"
    subprocess.run([PY, str(HERE / "world.py"), "build", str(n), str(exam_minutes), str(target)], cwd=ROOT,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return json.loads(target.read_text()), target


def move_plan(env: dict, plan: int, start: float) -> dict:
    out = subprocess.run([PY, str(HERE / "world.py"), "move", str(plan), str(start)], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def db_size() -> int:
    import psycopg

    with psycopg.connect(PG_URL, connect_timeout=10) as conn:
        return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])


def verify(world: dict, records: list[dict], wait_until: float) -> dict:
    """Compare every client's acknowledged saves with the server's answers (must all be there),
    and say what became of each attempt (submitted by the examinee or by the server)."""
    import psycopg

    if len(records) < len(world["examinees"]) or not all(r["submitted"] for r in records):
        while time.time() < wait_until:  # the server's own submission of the attempts left open
            time.sleep(2)
    attempts = [r["attempt"] for r in records if r["attempt"]]
    with psycopg.connect(PG_URL, connect_timeout=10) as conn:
        answers = {}
        for attempt, position, displayed, seq in conn.execute(
                "SELECT attempt_id, position, displayed, seq FROM exams_answer WHERE attempt_id = ANY(%s)",
                (attempts,)):
            answers[(attempt, position)] = (displayed, seq)
        states = dict(conn.execute("SELECT state, count(*) FROM exams_attempt WHERE plan_id = %s GROUP BY state",
                                   (world["plan"],)).fetchall())
        deadline = conn.execute("SELECT extract(epoch FROM ends_at) FROM plans_examplan WHERE id = %s",
                                (world["plan"],)).fetchone()[0]
        held_shots = {(a, c) for a, c in conn.execute(
            "SELECT attempt_id, client_id FROM proctoring_snapshot WHERE attempt_id = ANY(%s)", (attempts,))}
        held_events = conn.execute("SELECT count(*) FROM proctoring_proctorevent WHERE attempt_id = ANY(%s)",
                                   (attempts,)).fetchone()[0]
    lost = acked = 0
    for record in records:
        for position, (answer, seq) in record["acked"].items():
            acked += 1
            held = answers.get((record["attempt"], int(position)))
            if held is None or held[1] < seq or (held[1] == seq and held[0] != answer):
                lost += 1
    shots_acked = sum(len(r.get("shots_acked", ())) for r in records)
    shots_lost = sum(1 for r in records for c in r.get("shots_acked", ()) if (r["attempt"], c) not in held_shots)
    deadlines = {d for r in records for d in r["deadlines"]}
    offsets = [o for r in records for o in r["offset_ms"] if o is not None]
    return {"acked": acked, "lost": lost, "states": states, "shots_acked": shots_acked, "shots_lost": shots_lost,
            "shots_held": len(held_shots), "events_held": held_events, "deadlines": sorted(deadlines),
            "plan_deadline_ms": int(float(deadline) * 1000), "offset_ms": (min(offsets, default=0),
                                                                            max(offsets, default=0))}


# ---------------------------------------------------------------- one run


def read_stats(prefix: Path) -> dict[str, dict]:
    rows = {}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = row
    return rows


def peak_rps(prefix: Path) -> float:
    best = 0.0
    try:
        with open(f"{prefix}_stats_history.csv", newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["Name"] == "Aggregated":
                    best = max(best, float(row["Requests/s"] or 0))
    except OSError:
        pass
    return best


class Faults(threading.Thread):
    """kill -9 one application worker at 35% of the exam, restart PostgreSQL at 60%."""

    def __init__(self, servers: list[subprocess.Popen], starts: float, ends: float):
        super().__init__(daemon=True)
        self.servers, self.starts, self.ends, self.done = servers, starts, ends, []

    def run(self):
        span = self.ends - self.starts
        time.sleep(max(0.0, self.starts + 0.35 * span - time.time()))
        workers = children_of(self.servers[0].pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            self.done.append(f"{time.strftime('%H:%M:%S')} kill -9 app worker {workers[0]} "
                             f"(of {len(workers)} under {self.servers[0].pid})")
        time.sleep(max(0.0, self.starts + 0.6 * span - time.time()))
        began = time.time()
        result = subprocess.run(PG_RESTART.split(), capture_output=True, text=True)
        self.done.append(f"{time.strftime('%H:%M:%S')} PostgreSQL restart ({PG_RESTART}): exit {result.returncode}, "
                         f"{time.time() - began:.1f} s {result.stderr.strip()[:200]}")


def run_layout(args, env: dict, tmp: Path, n: int, kind: str, processes: int, faults: bool) -> dict:
    label = f"{processes} × {kind}" + (" behind nginx" if processes > 1 or args.direct_upload else "")
    workers, threads = default_workers(kind, processes)
    if args.workers:
        workers = args.workers
    if args.threads:
        threads = args.threads
    label += f" {workers}w" + (f"×{threads}t" if kind != "sync" else "")
    if args.snapshots:
        label += ", snapshots " + ("by nginx" if args.direct_upload else "through the app")
    log(f"N={n} [{label}]: building the plan, {n} registrations and their papers")
    world, world_path = build_world(env, n, args.exam_minutes, tmp)
    log(f"built in {world['build_seconds']['total']} s (import {world['build_seconds']['import']} s, papers "
        f"{world['build_seconds']['papers']} s), {world['questions_per_paper']} questions a paper")

    run_env = dict(env, TRUSTED_PROXY_COUNT="1" if processes > 1 else "0")
    servers = []
    ports = [free_port() for _ in range(processes)]
    for i, port in enumerate(ports):
        servers.append(spawn(server_cmd(kind, port, workers, threads), run_env, tmp / f"server-{kind}-{i}.log"))
    for port in ports:
        wait_port(port)
    nginx = None
    if processes > 1 or args.direct_upload:
        port = free_port()
        conf = tmp / "nginx.conf"
        extra = ""
        if args.direct_upload:  # the signed PUTs of proctoring.direct, written by nginx itself
            sys.path.insert(0, str(ROOT))
            from proctoring.direct import nginx_location

            extra = nginx_location(prefix=env["PROCTORING_DIRECT_UPLOAD_PREFIX"], inbox_root=env["PROCTORING_INBOX_ROOT"],
                                   secret=env["PROCTORING_DIRECT_UPLOAD_SECRET"], max_bytes=200 * 1024)
        conf.write_text(NGINX_CONF.format(
            tmp=tmp, port=port, nofile=_nofile(), static=env["STATIC_ROOT"], extra=extra,
            # as root, nginx's workers would run as nobody and could not write the private inbox
            user="user root;\n" if args.direct_upload and os.geteuid() == 0 else "",
            servers="\n".join(f"        server 127.0.0.1:{p};" for p in ports)))
        nginx = spawn([ensure_nginx(), "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"], run_env,
                      tmp / "nginx.log")
        wait_port(port)
        host = f"http://127.0.0.1:{port}"
    else:
        host = f"http://127.0.0.1:{ports[0]}"

    start = math.ceil((time.time() + args.login_window + 25) / 60) * 60
    moments = move_plan(env, world["plan"], start)
    starts, ends = moments["starts_at"], moments["ends_at"]
    plan = {"starts_at": starts, "ends_at": ends, "login_from": starts - args.login_window}
    prefix = tmp / f"locust-{n}-{kind}-{processes}"
    client_log = tmp / f"clients-{n}-{kind}-{processes}"
    locust_env = dict(os.environ, BENCH_LOAD_WORLD=str(world_path), BENCH_LOAD_PLAN=json.dumps(plan),
                      BENCH_LOAD_LOGIN_WINDOW=str(args.login_window), BENCH_LOAD_CLIENT_LOG=str(client_log),
                      BENCH_LOAD_FLOOR_USERS=str(args.floor_users),
                      BENCH_LOAD_SUBMIT_AFTER=str(args.submit_after * 60),
                      BENCH_LOAD_SNAPSHOT_BYTES=str(args.snapshot_bytes if args.snapshots else 0))
    floor_users = args.floor_users
    cmd = [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(n + floor_users),
           "-r", str(max(100, n // 10)), "--host", host, "--csv", str(prefix), "--csv-full-history",
           "--only-summary", "--run-time", f"{int(ends - time.time() + 180)}s", "--stop-timeout", "30",
           "--loglevel", "WARNING"]
    if args.processes > 1:
        cmd += ["--processes", str(args.processes)]
    log(f"start {time.strftime('%H:%M', time.localtime(starts))} (login from "
        f"{time.strftime('%H:%M:%S', time.localtime(plan['login_from']))}), end "
        f"{time.strftime('%H:%M', time.localtime(ends))}; Locust on {host}; load average {os.getloadavg()[0]:.1f}")
    load_before = os.getloadavg()
    db_before = db_size()
    locust = spawn(cmd, locust_env, tmp / f"locust-{n}-{kind}-{processes}.log", cwd=HERE)
    watched = _watched(servers, nginx, locust)
    cpu_before = {name: cpu_seconds(pids) for name, pids in watched.items()}
    busy_before = machine_busy()
    fault_thread = None
    if faults:
        active_end = min(ends, starts + 60 + args.submit_after * 60) if args.submit_after else ends
        fault_thread = Faults(servers, starts, active_end)
        fault_thread.start()
    # a process tree's CPU can only be read while it lives: keep the last reading of each
    cpu_exam, frozen = dict(cpu_before), False
    busy_exam = machine_busy()
    while locust.poll() is None:
        time.sleep(2)
        if not frozen:
            for name, pids in watched.items():
                cpu_exam[name] = max(cpu_exam[name], cpu_seconds(pids))
            busy_exam = machine_busy()
            frozen = time.time() > ends
    load_after = os.getloadavg()
    cpu_exam["whole machine"] = busy_exam[0] - busy_before[0]
    cpu_exam["of which"] = busy_exam[1] - busy_before[1]
    if args.direct_upload:  # what beat has not taken in yet (it runs every 10 s)
        subprocess.run([PY, "manage.py", "ingest_snapshots", "--settle", "0"], cwd=ROOT, env=env, check=False)
    records = []
    for path in tmp.glob(client_log.name + ".*"):
        records += [json.loads(line) for line in path.read_text().splitlines() if line]
    result = verify(world, records, wait_until=ends + 60 + 35)
    result["db_growth"] = db_size() - db_before
    for proc in servers + ([nginx] if nginx else []):
        stop(proc)
    stats = read_stats(prefix)
    return report(args, n, label, stats, records, result, fault_thread, starts, ends, prefix,
                  (load_before, load_after), {k: cpu_exam[k] - cpu_before.get(k, 0) for k in cpu_exam})


def _watched(servers, nginx, locust) -> dict[str, list[int]]:
    """Process trees whose CPU is reported: the app servers, nginx, Locust, and PostgreSQL (all
    of its backends: other users of the same server count too) and Redis."""
    watched = {f"app server {i + 1}": [s.pid] for i, s in enumerate(servers)}
    if nginx:
        watched["nginx"] = [nginx.pid]
    watched["locust"] = [locust.pid]
    for pidfile in Path("/var/run/postgresql").glob("*.pid"):
        try:
            watched["postgresql (all databases)"] = [int(pidfile.read_text().split()[0])]
        except (OSError, ValueError, IndexError):
            pass
    redis = [int(p.parent.name) for p in Path("/proc").glob("[0-9]*/comm") if _read(p) == "redis-server"]
    if redis:
        watched["redis"] = redis
    celery = [c.pid for c in _children if c.args and "celery" in str(c.args[0])]
    if celery:
        watched["celery"] = celery
    return watched


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def machine_busy() -> tuple[float, float]:
    """(busy CPU seconds of the whole machine, elapsed seconds × cores) from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / tick, sum(fields) / tick


def _ms(row: dict, column: str) -> float:
    value = row.get(column) or "0"
    return float(value) if value != "N/A" else 0.0


def report(args, n, label, stats, records, result, faults, starts, ends, prefix, loads, cpu) -> dict:
    order = ["login page", "captcha image", "login", "my exams", "entry page", "consent", "start", "exam page", "save", "clock",
             "reload", "submit", "after submit", "floor"]
    print(f"\n## N={n} [{label}]  load average before {loads[0][0]:.1f}/{loads[0][1]:.1f}, after "
          f"{loads[1][0]:.1f}/{loads[1][1]:.1f}")
    print(f"{'endpoint':<14}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}")
    for name in order + sorted(set(stats) - set(order) - {"Aggregated"}) + ["Aggregated"]:
        row = stats.get(name)
        if not row:
            continue
        print(f"{name:<14}{row['Request Count']:>9}{row['Failure Count']:>8}{float(row['Requests/s']):>8.1f}"
              f"{_ms(row, '50%'):>8.0f}{_ms(row, '95%'):>8.0f}{_ms(row, '99%'):>8.0f}{_ms(row, 'Max Response Time'):>8.0f}")
    exam_requests = sum(int(stats[k]["Request Count"]) for k in ("save", "clock") if k in stats)
    exam_seconds = max(1.0, ends - starts)
    print(f"requests/s: exam {exam_requests / exam_seconds:.1f} (saves + clock syncs over the exam), peak "
          f"{peak_rps(prefix):.1f} (all endpoints, Locust's rolling rate)")
    errors = sum(int(r["Failure Count"]) for k, r in stats.items()
                 if k not in ("Aggregated", "floor", "snapshot", "snapshot (direct)", "events"))
    retried = sum(r["retried_requests"] for r in records)
    retried_answers = sum(r["retried_answers"] for r in records)
    refused = sum(len(r["refused"]) for r in records)
    pending = sum(r["pending_end"] for r in records)
    given = sum(r["answers_given"] for r in records)
    phases = {}
    for r in records:
        phases[r["phase"]] = phases.get(r["phase"], 0) + 1
    clock_ok = result["deadlines"] == [result["plan_deadline_ms"]]
    upstreams = {}
    for r in records:
        for k, v in r["upstreams"].items():
            upstreams[k] = upstreams.get(k, 0) + v
    served_by_both = sum(1 for r in records if len(r["upstreams"]) > 1)
    print(f"answers: {given} given, {result['acked']} positions acknowledged, lost {result['lost']} (acknowledged but "
          f"not held by the server), {pending} still unsent at the end, {refused} refused by the server, "
          f"{sum(r['reload_missing'] for r in records)} missing on a reloaded page; "
          f"{sum(r.get('takeovers', 0) for r in records)} pages told they were taken over (a reload whose answer was lost)")
    print(f"examinees: {len(records)} of {n} reported; finished as {phases}; attempts on the server {result['states']} "
          "(one 未开始/缺考 is the floor view's registration, which nobody sits)")
    print(f"clock: deadline {'unchanged' if clock_ok else 'CHANGED'} (every client was told "
          f"{len(result['deadlines'])} deadline(s), the plan's is {result['plan_deadline_ms']}); server minus client "
          f"clock {result['offset_ms'][0]}..{result['offset_ms'][1]} ms")
    print(f"retried: {retried} save requests after a failed one, carrying {retried_answers} answers")
    sent = sum(int(r["Request Count"]) * float(r["Average Content Size"] or 0) for k, r in stats.items()
               if k not in ("Aggregated", "floor"))
    print(f"bandwidth: {sent / max(n, 1) / 1024:.0f} KiB of responses per examinee (≈ {sent / max(n, 1) * 10_000 / 2**30:.2f} "
          f"GiB per 10,000, request bodies not counted); database grew {result['db_growth'] / 2**20:.1f} MiB "
          f"({result['db_growth'] / max(n, 1) / 1024:.1f} KiB per examinee: answers, answer log, transitions, audit)")
    if upstreams:
        print(f"nginx upstreams: {upstreams}; {served_by_both} of {len(records)} examinees were served by more than one "
              "app server process (sessions, locks and the clock are not kept in the process)")
    if cpu:
        machine, total = cpu.pop("whole machine", 0), cpu.pop("of which", 0)
        print(f"CPU seconds from Locust's start to the exam's end: whole machine {machine:.0f} busy of {total:.0f} "
              f"({100 * machine / max(total, 1):.0f}%): " + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items()))
    if faults:
        for line in faults.done:
            print(f"fault: {line}")
    shot_name = "snapshot (direct)" if args.direct_upload else "snapshot"
    shot_lines = []
    if args.snapshots:
        taken = sum(r.get("shots_taken", 0) for r in records)
        dropped = sum(r.get("shots_dropped", 0) for r in records)
        refused_shots = sum(len(r.get("shots_refused", ())) for r in records)
        inbound = sum(r.get("shot_bytes", 0) for r in records)
        # over the time examinees sit (a shortened run hands in after --submit-after minutes)
        active_end = min(ends, starts + 60 + args.submit_after * 60 + 60) if args.submit_after else ends
        seconds = max(1.0, active_end - starts)
        print(f"snapshots: {taken} taken, {result['shots_acked']} acknowledged, {result['shots_held']} held by the server, "
              f"lost {result['shots_lost']} (acknowledged but not held), {dropped} dropped from a full queue, "
              f"{refused_shots} refused; events held {result['events_held']}; inbound {inbound / seconds / 2**20:.2f} MiB/s "
              f"over the exam (≈ {inbound / seconds / 2**20 * 10_000 / max(n, 1):.1f} MiB/s per 10,000 examinees)")
        shot99 = _ms(stats.get(shot_name, {}), "99%")
        events99 = _ms(stats.get("events", {}), "99%")
        shot_errors = sum(int(r["Failure Count"]) for k, r in stats.items() if k in (shot_name, "events"))
        shot_lines.append(f"proctoring load N={n} [{label}]: p99 snapshot {shot99:.0f} ms, p99 events {events99:.0f} ms, "
                          f"errors {shot_errors}, lost {result['shots_lost']}")
    save99 = _ms(stats.get("save", {}), "99%")
    start99 = _ms(stats.get("start", {}), "99%")
    floor99 = _ms(stats.get("floor", {}), "99%")
    floor50 = _ms(stats.get("floor", {}), "50%")
    save50 = _ms(stats.get("save", {}), "50%")
    if floor99:
        print(f"exam save p50 [N={n}]: {save50:.0f} ms (floor: {floor50:.0f} ms, ratio: {save50 / max(floor50, 1):.2f})")
        print(f"exam save p99 [N={n}]: {save99:.0f} ms (floor: {floor99:.0f} ms, ratio: {save99 / max(floor99, 1):.2f})")
    lost = result["lost"] + sum(r["reload_missing"] for r in records)
    line = (f"exam load N={n} [{label}]: p99 save {save99:.0f} ms, p99 start {start99:.0f} ms, errors {errors}, "
            f"lost {lost}, retried {retried}")
    print(line, flush=True)
    for extra in shot_lines:
        print(extra, flush=True)
        line += "\n" + extra
    holds = (save99 <= LIMIT_MS and start99 <= LIMIT_MS and errors == 0 and lost == 0 and len(records) == n
             and phases.get("done", 0) == n and clock_ok)
    return {"line": line, "holds": holds, "n": n, "save99": save99, "start99": start99, "errors": errors,
            "lost": lost}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_LOAD_N", "300")))
    parser.add_argument("--servers", default=os.environ.get("BENCH_LOAD_SERVERS", "granian"),
                        help="comma-separated: sync, gthread (gunicorn's worker classes), granian")
    parser.add_argument("--layouts", default=os.environ.get("BENCH_LOAD_LAYOUTS", "single,nginx2"),
                        help="single (one app server process) and/or nginx2 (two behind nginx)")
    parser.add_argument("--workers", type=int, default=0, help="workers per app server (default: for this machine)")
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (default 4)")
    parser.add_argument("--login-window", type=float, default=float(os.environ.get("BENCH_LOAD_LOGIN_WINDOW", "300")),
                        help="seconds over which the examinees log in before the start (the real day: 1800)")
    parser.add_argument("--exam-minutes", type=int, default=10)
    parser.add_argument("--submit-after", type=float, default=0, metavar="MINUTES",
                        help="examinees hand in this long after the start window instead of in the last minute "
                             "(a shorter run, e.g. to compare servers)")
    parser.add_argument("--faults", action="store_true", help="kill -9 one app worker and restart PostgreSQL mid-exam")
    parser.add_argument("--find-max", type=int, default=0, metavar="N",
                        help="bisect for the largest N ≤ this that holds (p99 ≤ 500 ms, 0 errors, 0 lost)")
    parser.add_argument("--probes", type=int, default=4)
    parser.add_argument("--holds", type=int, default=0, metavar="N",
                        help="with --find-max: an N an earlier run of the same code saw hold; the bisection starts "
                             "above it (the verdict says it was given, not probed)")
    parser.add_argument("--processes", type=int, default=1, help="Locust processes")
    parser.add_argument("--floor-users", type=int, default=4)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--snapshots", action="store_true",
                        help="remote proctoring's share: camera snapshots every 30 s and the page's events")
    parser.add_argument("--snapshot-bytes", type=int, default=30_000, help="size of each snapshot JPEG (about)")
    parser.add_argument("--direct-upload", action="store_true",
                        help="with --snapshots: nginx writes the snapshots itself (signed PUT), the app ingests them")
    args = parser.parse_args(argv)
    if args.holds and not 0 < args.holds < args.find_max:
        parser.error("--holds goes with --find-max and must be below it")

    raise_fd_limit()
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "CELERY"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.bench", SECRET_KEY=secrets.token_urlsafe(50),
               DATABASE_URL=PG_URL, REDIS_URL=f"{REDIS_BASE}/{REDIS_DBS[0]}",
               CELERY_BROKER_URL=f"{REDIS_BASE}/{REDIS_DBS[1]}", STATIC_ROOT=str(tmp / "static"),
               MEDIA_ROOT=str(tmp / "media"), VAR_DIR=str(tmp / "var"), LOG_LEVEL="WARNING",
               ALLOWED_HOSTS="127.0.0.1,localhost", PYTHONUNBUFFERED="1")
    (tmp / "var").mkdir()
    if args.direct_upload:
        if not args.snapshots:
            raise SystemExit("--direct-upload goes with --snapshots")
        env.update(PROCTORING_DIRECT_UPLOAD_PREFIX="/snapshot-inbox/",
                   PROCTORING_DIRECT_UPLOAD_SECRET=secrets.token_urlsafe(32),
                   PROCTORING_INBOX_ROOT=str(tmp / "var" / "private" / "snapshot-inbox"), PROCTORING_INGEST_SECONDS="10")
        Path(env["PROCTORING_INBOX_ROOT"]).mkdir(parents=True, mode=0o700)
        (Path(env["PROCTORING_INBOX_ROOT"]) / ".incoming").mkdir(mode=0o700)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    results = []
    try:
        log(f"temporary directory {tmp}; {CPUS} cores; load average {os.getloadavg()[0]:.1f}; PostgreSQL {PG_URL}; "
            f"Redis {REDIS_BASE}/{REDIS_DBS[0]},{REDIS_DBS[1]}")
        prepare(env, tmp, args.keep_db)
        spawn([str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1", "--loglevel", "WARNING",
               "--without-gossip", "--without-mingle"], env, tmp / "celery-worker.log")
        spawn([str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "WARNING", "--schedule",
               str(tmp / "celerybeat-schedule")], env, tmp / "celery-beat.log")
        layouts = [(1 if name == "single" else 2) for name in args.layouts.split(",") if name]
        kinds = [k for k in args.servers.split(",") if k]
        if args.find_max:
            results = find_max(args, env, tmp, kinds[0], layouts[0])
        else:
            for kind in kinds:
                for processes in layouts:
                    results.append(run_layout(args, env, tmp, args.n, kind, processes, args.faults))
    finally:
        stop_all()
        if not os.environ.get("BENCH_LOAD_KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    for result in results:
        print(result["line"])
    return 0 if results and all(r["holds"] for r in results) or args.find_max else 1


def find_max(args, env, tmp, kind, processes) -> list[dict]:
    """Bisection on N: a probe holds when p99 save and start ≤ 500 ms, 0 errors, 0 lost."""
    low, high, n, results = args.holds, None, args.find_max, []
    for _ in range(args.probes):
        result = run_layout(args, env, tmp, n, kind, processes, args.faults)
        results.append(result)
        if result["holds"]:
            low = n
            if high is None:
                break
        else:
            high = n
        if high is not None and high - low <= max(100, high // 10):
            break
        n = (low + high) // 2 // 100 * 100 if high else n
        if n <= low:
            break
    probed_low = any(r["holds"] and r.get("n") == low for r in results)
    verdict = (f"largest N that holds [{kind} ×{processes}]: {low}" if low else "no probed N holds") + (
        f" (the smallest probe that failed: N={high})" if high else "") + (
        f" (N={low} given by --holds from an earlier run, not probed here)" if low and not probed_low else "")
    print(verdict, flush=True)
    results.append({"line": verdict, "holds": bool(low)})
    return results


if __name__ == "__main__":
    sys.exit(main())
