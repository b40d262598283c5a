"""Runs every bench/bench_*.py, once on SQLite and once on PostgreSQL when BENCH_PG_URL (default
postgres://postgres@127.0.0.1:5432/sanlei_bench) answers. Each prints its own figures with the
floor they are compared to. Pass names to run a subset: bench/run.py bench_import."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/sanlei_bench")


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def main(argv):
    wanted = set(argv)
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not wanted or p.stem in wanted)
    targets = [("sqlite", None)]
    if pg_available():
        targets.append(("postgresql", PG_URL))
    else:
        print("# PostgreSQL not reachable: PostgreSQL figures skipped", flush=True)
    failed = 0
    for script in scripts:
        for label, url in targets:
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
            if url:
                env["DATABASE_URL"] = url
            print(f"## {script.stem} [{label}]", flush=True)
            result = subprocess.run([sys.executable, str(script)], cwd=HERE, env=env)
            failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
