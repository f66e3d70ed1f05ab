"""The bare route the load test compares with (issue 13: "a bare Flask 'hello'"): a Flask app of
one route, no extension, served by its own gunicorn with the same worker count in the same run.
It writes the application's request log line (method, route, duration) so that the server's
time per request is measured the same way as the portal's."""

import json
import sys
import time

from flask import Flask, g, request

app = Flask(__name__)


@app.before_request
def _start():
    g.started = time.perf_counter()


@app.get("/")
def hello():
    return "hello"


@app.after_request
def _log(response):
    duration = (time.perf_counter() - g.started) * 1000
    line = {"method": request.method, "route": "/hello", "duration_ms": round(duration, 3)}
    print(json.dumps(line), file=sys.stderr, flush=True)
    return response
