"""The workforce list's columns (issue 9, "The employee list does not fit"): the daily columns by
default, the others chosen in "Colonnes" (`cols`), the choice kept by the links and by the
session, a filtered or sorted column always shown, and the exports keeping their full columns."""

import io

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

from app.views.portal.employee_pages import SHEET_COLUMNS
from tests.views.test_employees import employees_of, logged_in

LIST = "/employees/"
DAILY = ["last_name", "first_name", "work_post", "category", "establishment", "next_due_on"]
DEFAULT = [*DAILY, "last_exam_on"]


def _headers(page: str) -> list[str]:
    return lxml_html.fromstring(page).xpath("//table[contains(@class, 'employees')]//th/@data-col")


def _cells(page: str, key: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    return [
        " ".join(td.text_content().split())
        for td in tree.xpath(
            f"//tr[@data-employee]/td[contains(concat(' ', @class, ' '), ' {key} ')]"
        )
    ]


def _links(page: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    return tree.xpath(
        "//a[contains(@class, 'sort-link')]/@href | //ul[contains(@class, 'pagination')]//a/@href"
    )


def test_the_list_shows_the_daily_columns_by_default(app):
    page = logged_in(app, "ets10250").get(LIST).text

    assert _headers(page) == DEFAULT
    assert len(_cells(page, "next_due_on")) == 25
    assert _cells(page, "nir") == []


def test_chosen_columns_are_shown_and_kept_by_sorts_pages_and_the_session(app):
    client = logged_in(app, "ets10250")

    page = client.get(LIST, query_string={"cols": ["", "birth_date", "nir"], "size": 10}).text

    assert _headers(page) == ["last_name", "first_name", "birth_date", "nir"]
    links = _links(page)
    assert links and all("cols=birth_date" in link and "cols=nir" in link for link in links)
    assert len(_cells(page, "nir")) == 10
    # Without `cols`, the session remembers the last choice.
    assert _headers(client.get(LIST).text) == ["last_name", "first_name", "birth_date", "nir"]
    # Nothing ticked: the names only; unknown names are ignored.
    assert _headers(client.get(LIST, query_string={"cols": ""}).text) == DEFAULT[:2]
    assert _headers(client.get(LIST, query_string={"cols": "zz,hired_on,,"}).text) == [
        "last_name",
        "first_name",
        "hired_on",
    ]
    # Another session starts from the default columns.
    assert _headers(logged_in(app, "ets10250").get(LIST).text) == DEFAULT


def test_a_filtered_or_sorted_column_is_shown_even_when_not_chosen(app):
    client = logged_in(app, "ets10250")
    own = employees_of(app, "10250")
    year = own[0].birth_date.year

    page = client.get(LIST, query_string={"cols": "", "f_birth_date": str(year)}).text
    assert _headers(page) == ["last_name", "first_name", "birth_date"]
    assert len(_cells(page, "birth_date")) == sum(e.birth_date.year == year for e in own)
    assert all(cell.endswith(str(year)) for cell in _cells(page, "birth_date"))

    page = client.get(LIST, query_string={"cols": "", "sort": "hired_on"}).text
    assert "hired_on" in _headers(page)


def test_the_filter_of_each_visible_column_is_offered(app):
    page = logged_in(app, "ets10250").get(LIST, query_string={"cols": "birth_date,nir"}).text
    tree = lxml_html.fromstring(page)

    names = set(tree.xpath("//tr[@class='filters']//*[@name]/@name"))

    assert names == {"f_last_name", "f_first_name", "f_birth_date"}  # never the NIR


def test_the_exports_keep_their_full_columns_whatever_the_choice(app):
    client = logged_in(app, "ets10250")
    client.get(LIST, query_string={"cols": ""})

    response = client.get("/employees/export.xlsx", query_string={"cols": "nir"})

    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert len(header) == len(SHEET_COLUMNS)
    assert sheet.max_row == 31


FORGED = [
    {"endpoint": "x"},
    {"_external": "1"},
    {"_anchor": "x"},
    {"_scheme": "ftp"},
    {"_method": "POST"},
    {"page": "-1", "size": "7", "sort": "nir", "desc": "x"},
]


@pytest.mark.parametrize(
    "url", [LIST, "/visit-requests/", "/reports/workforce", "/reports/conclusions"]
)
def test_url_for_arguments_in_the_query_string_do_not_break_the_links(app, url):
    client = logged_in(app, "ets10250")
    for query in FORGED:
        response = client.get(url, query_string=query)

        assert response.status_code == 200, query
        assert "ftp://" not in response.text and "http://localhost" not in response.text
