"""gunicorn settings of the portal (issue 13, "Throughput"): `gunicorn -c gunicorn.conf.py run:app`.

Every value can be changed from the environment, as an operator would in a unit file:
- `WEB_CONCURRENCY`: worker processes; by default 2 × cores + 1, at most 8. Each worker keeps
  its own pool of database connections (SQLAlchemy: up to 15), so workers × machines × 15 must
  stay under PostgreSQL's `max_connections`.
- `GUNICORN_BIND`: where to listen (`127.0.0.1:8000`; several addresses separated by commas, or
  `unix:/run/portal.sock`). The reverse proxy (HTTPS) is the only client.
- `GUNICORN_TIMEOUT` (30 s): a request that takes longer is killed; long work belongs to the
  commands and background jobs, never to a web request. `GUNICORN_GRACEFUL_TIMEOUT` (30 s):
  time given to requests in flight at a restart.
- `TRUSTED_PROXIES` (the application's own setting, config.py): gunicorn believes the forwarded
  headers of no peer when it is 0 and of the proxy addresses in `FORWARDED_ALLOW_IPS` (default
  the local host) otherwise, and only `X-Forwarded-Proto`, the header the application's
  ProxyFix reads; the client's address is taken by ProxyFix alone, from as many
  `X-Forwarded-For` entries as there are proxies.
- `GUNICORN_ACCESSLOG`: off by default, since the application writes one line per request itself
  (app/request_log.py). Set to `-` (stderr) or a file to get gunicorn's line as well; its format
  carries the route's pattern and the request id set by the application, never the raw path or
  the query string (tokens travel in some URLs: /reset/<token>, /notifications/unsubscribe/…).
"""

import multiprocessing
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from config import _trusted_proxies  # noqa: E402 - after the path: gunicorn execs this file

MAX_WORKERS = 8


def _workers() -> int:
    given = os.environ.get("WEB_CONCURRENCY", "").strip()
    if given:
        if not given.isdigit() or int(given) < 1:
            raise ValueError(f"WEB_CONCURRENCY must be a number of workers (1 or more): {given!r}")
        return int(given)
    return min(2 * multiprocessing.cpu_count() + 1, MAX_WORKERS)


def _seconds(name: str, default: int) -> int:
    value = os.environ.get(name, str(default)).strip()
    if not value.isdigit():
        raise ValueError(f"{name} must be a number of seconds: {value!r}")
    return int(value)


wsgi_app = "run:app"
bind = [part.strip() for part in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]
workers = _workers()
worker_class = "sync"  # behind a buffering reverse proxy, as gunicorn recommends
timeout = _seconds("GUNICORN_TIMEOUT", 30)
graceful_timeout = _seconds("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# A worker is replaced after this many requests (jittered so that they do not all restart at
# once): a slow leak never grows for long.
max_requests = 2000
max_requests_jitter = 200
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # the heartbeat file, off a possibly slow disk

# Proxies: tied to the application's TRUSTED_PROXIES (app/__init__.py applies ProxyFix from it).
TRUSTED_PROXIES = _trusted_proxies()
if TRUSTED_PROXIES:
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}
forwarder_headers = ""  # SCRIPT_NAME / PATH_INFO never come from a header

# Logs: errors on stderr; the access line is the application's (see the docstring).
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
# %(M)s: duration in ms; portal.route / portal.request_id: set in the WSGI environ by
# app/request_log.py (the route's pattern, e.g. /reset/<token>, never the path or the query).
access_log_format = (
    '%(t)s "%(m)s %({portal.route}e)s" %(s)s %(B)s %(M)sms request_id=%({portal.request_id}e)s'
)
proc_name = "portal"
# gunicorn's control socket (gunicornc: worker counts, reload) is off unless a path is given: its
# default path in $HOME would be shared by two instances on one machine; signals do the same
# (HUP reloads, TTIN/TTOU add or remove a worker).
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
