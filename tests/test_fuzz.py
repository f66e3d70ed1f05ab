"""Fuzz every route with hostile input (issue 8, item 9: "no 500 on bad input").

Logged in as a member's administrator and as service staff, every route of the URL map is
requested with hypothesis-generated values in its path arguments, in the query arguments the views
read (the lists' filters, sorts and pages, Flask-AppBuilder's `page_*`, `psize_*`, `_oc_*`/`_od_*`
and `_flt_<n>_<column>`) and, on POST, in the fields of the form the page itself holds (the other
fields keep their valid values, so the hostile one reaches the checks behind them), with a valid
CSRF token. Values: numbers beyond 64 bits, negative, not digits, dates in year 9999, control
characters, very long and unicode texts. Any 5xx (or exception) fails, listed with its request.

Bounded and deterministic: a few examples per route (more where the user may go), hypothesis
derandomized, no example database; the whole file runs in well under two minutes on SQLite.
"""

import re
from datetime import date
from typing import NamedTuple
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html
from werkzeug.routing import IntegerConverter

from app.domain.inputs import MAX_ID
from app.services import employee_list, reports
from tests.conftest import csrf_token, login

# Routes left out, with the reason; every other route is fuzzed.
OUTSIDE = {
    "static": "static files",
    "appbuilder.static": "FAB's static files",
    "LoginView.logout": "ends the session the fuzzing runs in",
    "LocaleView.index": "switches the language of the pages, reads no input",
}
ARGUMENT = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")
# Query arguments the portal's own views read (lists, reports, visit requests, suggestions).
PORTAL_ARGS = sorted(
    {
        *(f"f_{column}" for column in employee_list.COLUMNS),
        *(f"f_{column.key}" for report in reports.REPORTS.values() for column in report.columns),
        *("sort", "desc", "page", "size", "exited", "changed", "redeclare", "overdue", "view"),
        *("status", "employee_id", "q", "code", "next"),
    }
)
SPECIAL = [
    "",
    " ",
    "0",
    "-1",
    str(2**63),
    str(2**70),
    str(MAX_ID + 1),
    "1e9",
    "²",
    "١٢",
    "NaN",
    "9999",
    "9999-12-31",
    "31/12/9999",
    "9999-12-31T23:59",
    "0000-00-00",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x85",
    "line\nbreak",
    "%00",
    "../../etc/passwd",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "y",
    "ACTIVE",
    "x" * 5000,
]
TEXT = st.characters(exclude_categories=["Cc", "Cs"])
HOSTILE = st.one_of(
    st.sampled_from(SPECIAL),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates(min_value=date(1, 1, 1)).map(lambda day: day.isoformat()),
    st.dates(min_value=date(1, 1, 1)).map(lambda day: f"{day.day:02}/{day.month:02}/{day.year}"),
    st.text(TEXT, max_size=30),
    st.text(st.characters(categories=["Cc"]), min_size=1, max_size=4),
)
ROW_ID = st.one_of(st.integers(min_value=1, max_value=40), st.integers(-(2**80), 2**80))


class Route(NamedTuple):
    rule: object
    methods: list[str]
    query: list[str]  # the query arguments to fuzz
    reached: bool  # whether the user may open it (more examples then)


def _view(app, endpoint: str):
    name = endpoint.split(".")[0]
    return next((v for v in app.appbuilder.baseviews if type(v).__name__ == name), None)


def _fab_args(view) -> list[str]:
    """FAB's list arguments for the view and its related views."""
    if view is None or not hasattr(view, "datamodel"):
        return []
    names = []
    for one in [view, *(getattr(view, "_related_views", None) or [])]:
        label = type(one).__name__
        names += [f"page_{label}", f"psize_{label}", f"_oc_{label}", f"_od_{label}"]
    for column in getattr(view, "search_columns", None) or []:
        names += [f"_flt_{index}_{column}" for index in (0, 1, 2, 9)]
    return names


def _url(rule, values: dict) -> str:
    return ARGUMENT.sub(lambda match: quote(str(values[match.group(2)]), safe=""), rule.rule)


def _forms(page_url: str, response) -> dict:
    """{action path: the fields as the browser would send them} for the forms of a page."""
    found = {}
    if "html" not in response.content_type:
        return found
    tree = lxml_html.fromstring(response.get_data(as_text=True) or "<p/>")
    for form in tree.forms:
        action = urlsplit(form.get("action") or page_url).path or urlsplit(page_url).path
        fields = dict(form.form_values())
        for element in form.inputs:
            name = element.get("name")
            if name and name not in fields and element.get("type") != "file":
                fields[name] = ""
        found.setdefault(action, fields)
    return found


def _routes(app, client) -> tuple[list[Route], dict]:
    """Every fuzzed route, and the forms of their pages by action: each page is requested once
    with plausible ids (1), to find its forms and whether the user reaches it."""
    routes, forms = [], {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in OUTSIDE:
            continue
        methods = sorted(rule.methods & {"GET", "POST"})
        url = _url(rule, dict.fromkeys(rule.arguments, 1))
        reached = True
        if "GET" in methods:
            response = client.get(url)
            response.get_data()  # a streamed export is read to its end
            reached = response.status_code not in (401, 403)
            forms.update(_forms(url, response))
        query = PORTAL_ARGS + _fab_args(_view(app, rule.endpoint))
        routes.append(Route(rule, methods, query, reached))
    return routes, forms


def _request(client, method: str, url: str, args: dict, form: dict | None) -> str | None:
    """What went wrong (a 5xx or an exception), or None."""
    try:
        response = client.open(url, method=method, query_string=args, data=form)
        response.get_data()  # a streamed export fails while it is read
    except Exception as error:  # noqa: BLE001 - every failure is reported with its input
        return f"exception {type(error).__name__}: {error}"[:300]
    return str(response.status_code) if response.status_code >= 500 else None


def _path_value(rule, name: str):
    """Ids for `<int:...>` arguments (small ones name real rows), hostile text for the others."""
    return ROW_ID if isinstance(rule._converters[name], IntegerConverter) else HOSTILE


def _fuzz(client, token: str, route: Route, forms: dict, failures: list, examples: int) -> None:
    """One hostile target per example (the path, the query or the form), the rest valid, so
    that each hostile value reaches as far as it can."""
    rule, methods, query, _reached = route
    valid_url = _url(rule, dict.fromkeys(rule.arguments, 1))
    targets = [
        *(["path"] if rule.arguments else []),
        "query",
        *(["form"] if "POST" in methods else []),
    ]

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def hit(data):
        target = data.draw(st.sampled_from(targets))
        method = "POST" if target == "form" else data.draw(st.sampled_from(methods))
        url, args, form = valid_url, {}, None
        if target == "path":
            values = {
                name: data.draw(_path_value(rule, name), label=name)
                for name in sorted(rule.arguments)
            }
            url = _url(rule, values)
        elif target == "query":
            args = data.draw(
                st.dictionaries(st.sampled_from(query), HOSTILE, min_size=1, max_size=2)
            )
        if method == "POST":
            baseline = forms.get(urlsplit(valid_url).path, {})
            names = sorted(baseline) or ["name", "value", "action", "rowid"]
            hostile = (
                data.draw(st.dictionaries(st.sampled_from(names), HOSTILE, min_size=1, max_size=2))
                if target == "form"
                else {}
            )
            form = {**baseline, **hostile, "csrf_token": token}
        failure = _request(client, method, url, args, form)
        if failure:
            failures.append(f"{method} {url} args={args!r} form={form!r}: {failure}"[:1000])

    hit()


def _still_logged_in(client, username: str) -> str:
    """The CSRF token of a logged-in page, logging in again if a fuzzed route ended the session
    (a deactivated account, a changed identifier are refused and do not end it)."""
    home = client.get("/")
    if home.status_code != 200:
        login(client, username)
        home = client.get("/")
    return csrf_token(home.get_data(as_text=True))


@pytest.mark.parametrize("username", ["ets10250", "gestion"])
def test_no_route_answers_5xx_to_hostile_input(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    routes, forms = _routes(app, client)
    assert len(routes) > 150
    failures = []
    for route in routes:
        token = _still_logged_in(client, username)
        examples = 8 if route.reached else 2
        _fuzz(client, token, route, forms, failures, examples)
    assert not failures, "\n".join(failures)
