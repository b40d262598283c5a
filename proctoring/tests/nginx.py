"""A real nginx for the tests of snapshots written by nginx itself (proctoring.direct): the
location block `nginx_location` makes, optionally in front of the live server. Skips the test
when nginx is not installed (bench/load installs it with .ci/ensure-nginx)."""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from proctoring import direct

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_nginx(folder: Path, *, inbox: Path, secret: str, upstream: str | None = None, max_bytes: int = 64 * 1024):
    """nginx on a free port of 127.0.0.1 taking the signed PUTs into `inbox`; every other path goes
    to `upstream` (the live server) when given, else 404. Yields its base URL."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx; bench/load installs it with .ci/ensure-nginx)")
    (inbox / direct.INCOMING).mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    rest = (f"location / {{ proxy_pass {upstream}; proxy_set_header Host $http_host; }}" if upstream
            else "location / { return 404; }")
    conf = folder / "nginx.conf"
    conf.write_text(f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1; pid {folder}/nginx.pid; error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy; fastcgi_temp_path {folder}/fcgi;
    uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port};
        {rest}
{direct.nginx_location(prefix="/snapshot-inbox/", inbox_root=inbox, secret=secret, max_bytes=max_bytes)}
    }}
}}
""")
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None:
                pytest.fail(f"nginx did not start: {proc.stderr.read().decode()}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
