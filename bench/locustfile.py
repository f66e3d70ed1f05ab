"""The January peak as locust users (run by bench/loadtest.py, which prepares the accounts and
the server): each user is the administrator of one bench member; it logs in, lists its
employees, opens its declaration and confirms it once, and now and then logs in again. The
load balancer's probe `/healthz` (one `SELECT 1`) and a bare Flask "hello" (bench/hello_app.py,
its own gunicorn at BENCH_HELLO_URL) are requested in the same run, to compare with.

Environment: BENCH_ACCOUNTS (comma-separated identifiers), BENCH_PASSWORD, BENCH_HELLO_URL."""

import os
import re
from itertools import cycle

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
CONFIRM_FORM = re.compile(r'<form[^>]*id="confirm-form".*?</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
ACCOUNTS = cycle(os.environ.get("BENCH_ACCOUNTS", "").split(","))
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
HELLO_URL = os.environ.get("BENCH_HELLO_URL", "")


def _token(html: str) -> str | None:
    match = CSRF.search(html)
    return (match.group(1) or match.group(2)) if match else None


class Member(FastHttpUser):
    wait_time = constant(0)  # closed loop: each user sends its next request at once

    def on_start(self):
        self.username = next(ACCOUNTS)
        self.confirmed = False
        self.log_in()

    def log_in(self):
        self.client.cookiejar.clear()
        page = self.client.get("/login/", name="/login/ (form)")
        with self.client.post(
            "/login/",
            data={"username": self.username, "password": PASSWORD, "csrf_token": _token(page.text)},
            name="/login/ (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
                response.failure(f"login refused ({response.status_code})")

    @task(6)
    def employees(self):
        self.client.get("/employees/", name="/employees/")

    @task(2)
    def declaration(self):
        page = self.client.get("/declaration/", name="/declaration/")
        form = CONFIRM_FORM.search(page.text or "")
        if self.confirmed or form is None:
            return
        fields = dict(HIDDEN.findall(form.group(0)))
        with self.client.post(
            "/declaration/confirm",
            data=fields,
            name="/declaration/confirm (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"confirmation answered {response.status_code}")
        self.confirmed = True

    @task(1)
    def log_in_again(self):
        self.log_in()

    @task(3)
    def probe(self):
        self.client.get("/healthz", name="/healthz (probe)")

    @task(3)
    def bare(self):
        if HELLO_URL:
            self.client.get(HELLO_URL, name="/hello (bare Flask)")


ALONE = os.environ.get("BENCH_ALONE", "")  # one route requested again and again (--alone)
if ALONE:
    _log_in = Member.log_in
    del Member  # locust runs the user classes this module defines: this one only

    class Alone(FastHttpUser):
        """Requests one route in a closed loop, logged in first unless it is a full URL or the
        login page (the issue's way of measuring a route's throughput)."""

        wait_time = constant(0)

        def on_start(self):
            self.username = next(ACCOUNTS)
            if not ALONE.startswith("http") and not ALONE.startswith("/login/"):
                _log_in(self)

        @task
        def route(self):
            self.client.get(ALONE, name=ALONE)
