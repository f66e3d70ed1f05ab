"""The workforce screens of the portal (manual, chapters 4 to 7): the list with its filters, sort,
pages and exits, the employee record with its checks and declared risks, work posts, optimistic
locking, rights, the Excel and XML exports, and the cost in SQL statements of a list page.

Outcomes first (statuses, rows, cells); the French wording is checked last in each test, against
translations/fr/LC_MESSAGES/messages.po (an untranslated msgid fails with its name)."""

import io
import re
import zipfile
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest
import wtforms
from babel.messages.pofile import read_po
from lxml import etree
from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import event, func, select
from stdnum.fr import nir as stdnum_nir

from app import clock
from app.domain.follow_up import FollowUp
from app.exports.employees_xml import EMPLOYEES_XSD_PATH, NAMESPACE
from app.extensions import db
from app.models.employee import (
    Contract,
    Employee,
    Language,
    RiskDeclarationChange,
    Sex,
    WorkPost,
)
from app.models.member import Establishment, Member
from app.models.risk import Risk
from app.models.user import PortalUser
from app.views.messages import MESSAGES
from app.views.portal.employee_pages import CHOOSABLE, SHEET_COLUMNS
from tests.conftest import csrf_token, login, post_form

LIST = "/employees/"
ALL_COLUMNS = ",".join(sorted(CHOOSABLE))
NEW = "/employees/new"
WORK_POSTS = "/employees/work-posts"
XLSX = "/employees/export.xlsx"
XML = "/employees/export.xml"
MASKED_NIR = re.compile(r"^[12] \d\d \d\d •• ••• ••• \d\d$")
SAVED = "The employee is saved."
SUMMARY = "%(first)d - %(last)d of %(total)d"
NOT_A_CHOICE = "Not a valid choice."  # WTForms' own message for a value outside the choices


# --- French wording -------------------------------------------------------------------------------

PO_FILE = Path(__file__).resolve().parents[2] / "translations/fr/LC_MESSAGES/messages.po"
WTFORMS_PO = Path(wtforms.__file__).parent / "locale/fr/LC_MESSAGES/wtforms.po"


@cache
def _catalogue(path: Path):
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale="fr")


def french(msgid, po_file: Path = PO_FILE) -> str:
    """The French of a msgid (or of a lazy_gettext string, which holds its msgid) in the .po."""
    msgid = msgid._args[0] if hasattr(msgid, "_args") else msgid
    entry = _catalogue(po_file).get(msgid)
    if entry is None or not entry.string:
        pytest.fail(f"not translated in {po_file.name}: {msgid!r}", pytrace=False)
    return " ".join(entry.string.split())


def _text(element) -> str:
    return " ".join(element.text_content().split())


def alerts(page: str) -> list[str]:
    """The flashed messages, as the user reads them (without the close button's ×)."""
    tree = lxml_html.fromstring(page)
    for button in tree.xpath("//div[contains(@class, 'alert')]//button"):
        button.drop_tree()
    return [
        _text(div) for div in tree.xpath("//div[contains(concat(' ', @class, ' '), ' alert ')]")
    ]


def field_errors(page: str) -> dict[str, list[str]]:
    """{field name: its messages} for every form group marked has-error."""
    tree = lxml_html.fromstring(page)
    errors = {}
    for group in tree.xpath(
        "//div[contains(@class, 'form-group') and contains(@class, 'has-error')]"
    ):
        names = group.xpath(".//input/@name | .//select/@name | .//textarea/@name")
        messages = [_text(span) for span in group.xpath(".//span[@class='help-block']")]
        errors[names[0] if names else "?"] = messages
    return errors


def form_values(page: str) -> dict:
    """The employee form as the browser would send it (lists for repeated names: risk_ids)."""
    form = lxml_html.fromstring(page).get_element_by_id("employee-form")
    values: dict = {"risk_ids": []}
    for name, value in form.form_values():
        if name == "risk_ids":
            values["risk_ids"].append(value)
        else:
            values[name] = value
    return values


def list_rows(page: str) -> list[dict]:
    tree = lxml_html.fromstring(page)
    rows = []
    for tr in tree.xpath("//tr[@data-employee]"):
        # Cells by column (the list shows the columns chosen in "Colonnes"; each cell's first
        # class is its column's key).
        cells = {td.get("class").split()[0]: _text(td) for td in tr.xpath("./td[@class]")}
        rows.append(
            {
                "id": int(tr.get("data-employee")),
                "last_name": cells["last_name"],
                "nir": cells.get("nir"),
                "category": cells["category"].split()[0],
            }
        )
    return rows


def summary(page: str) -> str:
    return _text(lxml_html.fromstring(page).find_class("pagination-summary")[0])


# --- data -----------------------------------------------------------------------------------------


def nir_for(sex: str, birth: date, place: str = "99126", order: str = "111") -> str:
    """A valid NIR, written with spaces like the manual (`2 95 10 99 126 111 93`)."""
    body = f"{1 if sex == 'M' else 2}{birth:%y%m}{place}{order}"
    nir = body + stdnum_nir.calc_check_digits(body)
    return " ".join((nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]))


@pytest.fixture
def ref(app):
    """Ids of the demo data: members, establishments, work posts, risks and users."""
    with app.app_context():
        members = dict(db.session.execute(select(Member.number, Member.id)).tuples().all())
        sites = {
            number: db.session.scalars(
                select(Establishment.id)
                .where(Establishment.member_id == member_id)
                .order_by(Establishment.id)
            ).all()
            for number, member_id in members.items()
        }
        posts = {
            (number, designation): post_id
            for number, designation, post_id in db.session.execute(
                select(Member.number, WorkPost.designation, WorkPost.id).join(
                    Member, Member.id == WorkPost.member_id
                )
            )
        }
        risks = dict(db.session.execute(select(Risk.code, Risk.id)).tuples().all())
        users = dict(db.session.execute(select(PortalUser.username, PortalUser.id)).tuples().all())
    return SimpleNamespace(members=members, sites=sites, posts=posts, risks=risks, users=users)


def employee_form(ref, **overrides) -> dict:
    """A valid new employee of 10250 (woman born 10/1995, hired 2020, SI)."""
    birth = date(1995, 10, 14)
    data = {
        "last_name": "Lefèvre-Dupré",
        "first_name": "hélène",
        "birth_name": "Dupré",
        "nir": nir_for("F", birth),
        "ntt": "",
        "language": "FR",
        "sex": "F",
        "birth_date": birth.isoformat(),
        "address": "3 rue des Trois Cailloux",
        "country": "France",
        "postal_code": "80000",
        "city": "AMIENS",
        "work_post_id": str(ref.posts[("10250", "Boulanger")]),
        "complementary_info": "",
        "establishment_id": str(ref.sites["10250"][0]),
        "hired_on": "2020-03-02",
        "contract": "CDI",
        "post_entry_on": "2020-03-02",
        "contract_end_on": "",
        "risk_ids": [],
    }
    data.update(overrides)
    return data


def employees_of(app, number: str, *where) -> list[Employee]:
    with app.app_context():
        rows = db.session.scalars(
            select(Employee)
            .join(Member, Member.id == Employee.member_id)
            .where(Member.number == number, *where)
            .order_by(Employee.id)
        ).all()
        db.session.expunge_all()
        return rows


def count_of(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def logged_in(app, username: str):
    client = app.test_client()
    response = login(client, username)
    assert response.status_code == 302, f"{username} could not log in"
    return client


@pytest.fixture
def admin(app):
    return logged_in(app, "ets10250")


def listed(client, **args) -> tuple[str, list[dict]]:
    """The list with every column (the NIR is not shown by default)."""
    response = client.get(LIST, query_string={"size": 100, "cols": ALL_COLUMNS, **args})
    assert response.status_code == 200
    return response.text, list_rows(response.text)


def listed_ids(client, **args) -> list[int]:
    return [row["id"] for row in listed(client, **args)[1]]


def save_record(client, employee_id: int, **changes):
    """Open an employee's record, change some fields and save it, as the browser would."""
    values = form_values(client.get(f"/employees/{employee_id}").text)
    values.update(changes)
    return client.post(f"/employees/{employee_id}", data=values)


# --- list -----------------------------------------------------------------------------------------


def test_list_shows_only_the_members_workforce_with_masked_nir(app, admin):
    own = employees_of(app, "10250")
    others = employees_of(app, "10251") + employees_of(app, "10252")
    assert len(own) == 30

    page, rows = listed(admin)

    assert sorted(row["id"] for row in rows) == [employee.id for employee in own]
    assert all(MASKED_NIR.match(row["nir"]) for row in rows), [row["nir"] for row in rows]
    assert not any(employee.nir in page for employee in own)
    for employee in own:  # the visible parts: sex, year, month and key
        shown = next(row["nir"] for row in rows if row["id"] == employee.id)
        assert shown.replace(" ", "")[:5] == employee.nir[:5]
        assert shown.endswith(employee.nir[13:])
    assert set(re.findall(r'data-employee="(\d+)"', page)) == {str(e.id) for e in own}
    assert not {other.id for other in others} & {row["id"] for row in rows}


def test_pagination_summary_and_pages(admin):
    response = admin.get(LIST, query_string={"size": 10})
    assert response.status_code == 200
    first_page = list_rows(response.text)
    assert len(first_page) == 10
    third_page = list_rows(admin.get(LIST, query_string={"size": 10, "page": 3}).text)
    assert len(third_page) == 10
    assert not {row["id"] for row in first_page} & {row["id"] for row in third_page}
    beyond = admin.get(LIST, query_string={"size": 10, "page": 9})
    assert [row["id"] for row in list_rows(beyond.text)] == [row["id"] for row in third_page]

    assert summary(response.text) == french(SUMMARY) % {"first": 1, "last": 10, "total": 30}
    assert summary(response.text) == "1 - 10 de 30"
    assert summary(beyond.text) == "21 - 30 de 30"


def test_sort_by_usage_name_ascending_and_descending(admin):
    ascending = listed(admin, sort="last_name")[1]
    descending = listed(admin, sort="last_name", desc=1)[1]

    names = [row["last_name"] for row in ascending]
    assert len(names) == 30 and names == sorted(names) and names[0] < names[-1]
    assert [row["last_name"] for row in descending] == sorted(names, reverse=True)
    # Same names sorted by file number, reversed too: the order is stable between pages.
    assert [row["id"] for row in descending] == [row["id"] for row in reversed(ascending)]
    by_birth = listed(admin, sort="birth_date")[1]
    assert [row["id"] for row in by_birth] != [row["id"] for row in ascending]


def test_filter_by_part_of_a_name_ignores_case(app, admin):
    expected = [e.id for e in employees_of(app, "10250") if "ORE" in e.last_name]
    assert 0 < len(expected) < 30

    assert sorted(listed_ids(admin, f_last_name="oRe")) == expected
    assert sorted(listed_ids(admin, f_last_name="ORE")) == expected
    assert listed_ids(admin, f_last_name="zzz") == []


def test_filter_by_category_work_post_establishment_and_year_of_birth(app, admin, ref):
    own = employees_of(app, "10250")
    sir = [e.id for e in own if e.category is FollowUp.SIR]
    vendeur = ref.posts[("10250", "Vendeur")]
    annexe = ref.sites["10250"][1]
    year = own[0].birth_date.year
    born = [e.id for e in own if e.birth_date.year == year]
    assert sir and len(sir) < 30

    page, rows = listed(admin, f_category="SIR")
    assert sorted(row["id"] for row in rows) == sir
    assert {row["category"] for row in rows} == {"SIR"}
    assert sorted(listed_ids(admin, f_work_post=vendeur)) == [
        e.id for e in own if e.work_post_id == vendeur
    ]
    assert sorted(listed_ids(admin, f_establishment=annexe)) == [
        e.id for e in own if e.establishment_id == annexe
    ]
    assert sorted(listed_ids(admin, f_birth_date=str(year))) == born
    month = own[0].birth_date
    assert own[0].id in listed_ids(admin, f_birth_date=f"{month:%m/%Y}")
    assert listed_ids(admin, f_birth_date=f"{month:%d/%m/%Y}") == [
        e.id for e in own if e.birth_date == month
    ]
    # Another member's post or establishment selects nothing.
    assert listed_ids(admin, f_work_post=ref.posts[("10251", "Magasinier")]) == []
    assert listed_ids(admin, f_establishment=ref.sites["10251"][0]) == []
    assert listed_ids(admin, f_category="SIR", f_work_post=vendeur) == [
        e.id for e in own if e.category is FollowUp.SIR and e.work_post_id == vendeur
    ]


def test_an_employee_whose_contract_ended_leaves_the_list_and_shows_with_exited(app, admin):
    leaving, staying = employees_of(app, "10250")[:2]
    today = clock.today()
    assert listed_ids(admin, exited=1) == []

    response = save_record(admin, leaving.id, contract_end_on=today.isoformat())

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/employees/{leaving.id}")
    assert employees_of(app, "10250", Employee.id == leaving.id)[0].contract_end_on == today
    workforce = listed_ids(admin)
    assert leaving.id not in workforce and staying.id in workforce and len(workforce) == 29
    assert listed_ids(admin, exited=1) == [leaving.id]
    assert "29" in summary(admin.get(LIST, query_string={"size": 10}).text)

    # Ending tomorrow: still in the workforce today.
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert save_record(admin, staying.id, contract_end_on=tomorrow).status_code == 302
    assert staying.id in listed_ids(admin) and staying.id not in listed_ids(admin, exited=1)


# --- adding and editing ---------------------------------------------------------------------------


def test_add_an_employee_with_a_new_work_post_then_change_the_declared_risks(app, admin, ref):
    page = admin.get(NEW).text
    response = admin.post(
        WORK_POSTS,
        data={
            "pcs_code": "636c",
            "designation": "boulanger / TOURIER",
            "description": "Fabrique les tourtes et le pain",
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 201, response.text
    post_id = response.json["id"]
    assert response.json["designation"] == "Boulanger/Tourier"
    with app.app_context():
        post = db.session.get(WorkPost, post_id)
        assert (post.member_id, post.designation, post.pcs_code.code) == (
            ref.members["10250"],
            "Boulanger/Tourier",
            "636c",
        )
    assert f'value="{post_id}"' in admin.get(NEW).text  # offered in the form from now on

    data = employee_form(ref, work_post_id=str(post_id), risk_ids=[str(ref.risks["AMIANTE"])])
    response = post_form(admin, NEW, data)

    assert response.status_code == 302, field_errors(response.text) or alerts(response.text)
    (employee,) = employees_of(app, "10250", Employee.last_name == "LEFEVRE-DUPRE")
    assert response.headers["Location"].endswith(f"/employees/{employee.id}")
    assert (employee.last_name, employee.first_name, employee.birth_name) == (
        "LEFEVRE-DUPRE",
        "Hélène",
        "DUPRE",
    )
    assert employee.nir == data["nir"].replace(" ", "") and employee.ntt is None
    assert employee.nir == "295109912611193"  # the example of domain-rules.md §3
    assert (employee.sex, employee.language, employee.contract) == (
        Sex.F,
        Language.FR,
        Contract.CDI,
    )
    assert employee.birth_date == date(1995, 10, 14) and employee.hired_on == date(2020, 3, 2)
    assert employee.work_post_id == post_id and employee.category is FollowUp.SIR
    with app.app_context():
        changes = db.session.scalars(
            select(RiskDeclarationChange).where(RiskDeclarationChange.employee_id == employee.id)
        ).all()
        assert [(c.before, c.after, c.actor_id) for c in changes] == [
            ([], ["AMIANTE"], ref.users["ets10250"])
        ]
    record = admin.get(f"/employees/{employee.id}")
    assert record.status_code == 200
    flashed = alerts(record.text)
    shown = _text(lxml_html.fromstring(record.text).find_class("employee-category")[0])
    assert "SIR" in shown
    assert employee.id in listed_ids(admin, f_last_name="lefevre-dupre")
    values = form_values(record.text)
    assert values["risk_ids"] == [str(ref.risks["AMIANTE"])]
    assert values["version"] == str(employee.version)

    response = save_record(admin, employee.id, risk_ids=[str(ref.risks["NUIT"])])

    assert response.status_code == 302, field_errors(response.text) or alerts(response.text)
    (edited,) = employees_of(app, "10250", Employee.id == employee.id)
    assert edited.category is FollowUp.SIA and edited.version == employee.version + 1
    with app.app_context():
        changes = db.session.scalars(
            select(RiskDeclarationChange)
            .where(RiskDeclarationChange.employee_id == employee.id)
            .order_by(RiskDeclarationChange.id)
        ).all()
        assert [(c.before, c.after) for c in changes] == [
            ([], ["AMIANTE"]),
            (["AMIANTE"], ["NUIT"]),
        ]
    record = admin.get(f"/employees/{employee.id}").text
    assert "SIA" in _text(lxml_html.fromstring(record).find_class("employee-category")[0])
    history = lxml_html.fromstring(record).xpath("//table[contains(@class, 'risk-history')]//tr")
    assert len(history) == 3  # header and two changes
    # Saving again without touching the risks adds no history row.
    assert save_record(admin, employee.id, first_name="Hélène-Marie").status_code == 302
    of_employee = RiskDeclarationChange.employee_id == employee.id
    assert count_of(app, RiskDeclarationChange, of_employee) == 2

    assert french(SAVED) in flashed


def _refused(app, admin, data, field: str):
    """Post the form; check the refusal (200, error on `field`, nothing saved): the page."""
    before = count_of(app, Employee)
    response = post_form(admin, NEW, data)
    assert response.status_code == 200, response.headers.get("Location")
    assert count_of(app, Employee) == before
    errors = field_errors(response.text)
    if field == "risk_ids":  # no WTForms field: the message stands on the block of risks
        assert not errors, errors
        assert 'class="text-danger risk-error"' in response.text
    else:
        assert list(errors) == [field], errors
    return response.text, errors


REFUSALS = {
    "NIR with a wrong key": ({"nir": "2 95 10 99 126 111 99"}, "nir", "nir_bad_key"),
    "NIR of Corsica 2C": (
        {"nir": "2 53 07 2C 073 004 43", "birth_date": "1953-07-10"},
        "nir",
        "nir_bad_department",
    ),
    "NTT with another SIREN": (
        {"uses_ntt": "y", "nir": "", "ntt": "2102510005000042"},
        "ntt",
        "ntt_bad_siren",
    ),
    "birth after hiring": (
        {"birth_date": "2020-05-01", "nir": nir_for("F", date(2020, 5, 1))},
        "birth_date",
        "date_birth_not_before_hiring",
    ),
    "entry in the post before hiring": (
        {"post_entry_on": "2020-03-01"},
        "post_entry_on",
        "date_entry_before_hiring",
    ),
    "end of contract before hiring": (
        {"contract_end_on": "2020-02-28"},
        "contract_end_on",
        "date_end_before_hiring",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_wrong_field_is_refused_with_its_message_and_nothing_is_saved(app, admin, ref, case):
    overrides, field, code = REFUSALS[case]

    page, errors = _refused(app, admin, employee_form(ref, **overrides), field)

    assert not employees_of(app, "10250", Employee.last_name == "LEFEVRE-DUPRE")
    # What was typed stays in the form.
    assert form_values(page)["last_name"] == "Lefèvre-Dupré"
    assert errors[field] == [french(MESSAGES[code])]
    assert french(MESSAGES["invalid_employee"]) in alerts(page)


@pytest.mark.parametrize("field", ["establishment_id", "work_post_id"])
def test_another_members_establishment_or_work_post_is_refused(app, admin, ref, field):
    foreign = {
        "establishment_id": ref.sites["10251"][0],
        "work_post_id": ref.posts[("10251", "Magasinier")],
    }

    page, errors = _refused(app, admin, employee_form(ref, **{field: str(foreign[field])}), field)

    assert not employees_of(app, "10251", Employee.last_name == "LEFEVRE-DUPRE")
    # Refused as a value outside the form's choices (WTForms) or by the service's own check.
    (message,) = errors[field]
    if message != french(NOT_A_CHOICE, WTFORMS_PO):
        code = "foreign_establishment" if field == "establishment_id" else "foreign_work_post"
        assert message == french(MESSAGES[code])


def test_a_withdrawn_risk_cannot_be_declared_for_a_new_employee(app, admin, ref):
    new_form = admin.get(NEW).text
    assert 'data-code="CONDUITE_OLD"' not in new_form and 'data-code="AMIANTE"' in new_form
    data = employee_form(ref, risk_ids=[str(ref.risks["CONDUITE_OLD"])])

    page, _errors = _refused(app, admin, data, "risk_ids")

    assert form_values(page)["last_name"] == "Lefèvre-Dupré"
    assert french(MESSAGES["risk_not_declarable"]) in page


def test_a_holder_of_the_withdrawn_risk_keeps_it_when_the_record_is_saved(app, ref):
    client = logged_in(app, "ets10251")
    holder = next(
        e
        for e in employees_of(app, "10251")
        if e.work_post_id == ref.posts[("10251", "Magasinier")]
    )
    page = client.get(f"/employees/{holder.id}").text
    assert 'data-code="CONDUITE_OLD"' in page
    assert str(ref.risks["CONDUITE_OLD"]) in form_values(page)["risk_ids"]

    response = save_record(client, holder.id, first_name="Paul")

    assert response.status_code == 302, field_errors(response.text) or alerts(response.text)
    assert employees_of(app, "10251", Employee.id == holder.id)[0].first_name == "Paul"


def test_corsican_nir_2b_is_accepted(app, admin, ref):
    data = employee_form(ref, nir="2 53 07 2B 073 004 70", birth_date="1953-07-10")

    response = post_form(admin, NEW, data)

    assert response.status_code == 302, field_errors(response.text)
    (employee,) = employees_of(app, "10250", Employee.last_name == "LEFEVRE-DUPRE")
    assert employee.nir == "253072B07300470"


def test_an_ntt_with_the_members_siren_is_accepted(app, admin, ref):
    data = employee_form(ref, uses_ntt="y", nir="", ntt="2 102500006 0001")

    response = post_form(admin, NEW, data)

    assert response.status_code == 302, field_errors(response.text)
    (employee,) = employees_of(app, "10250", Employee.last_name == "LEFEVRE-DUPRE")
    assert (employee.nir, employee.ntt) == (None, "21025000060001")


def test_a_nir_already_declared_is_refused_with_a_link_but_accepted_in_another_member(
    app, admin, ref
):
    existing = employees_of(app, "10250")[3]
    data = employee_form(ref, nir=existing.nir)

    page, errors = _refused(app, admin, data, "nir")

    assert f"/employees/{existing.id}" in page
    link = lxml_html.fromstring(page).xpath(f"//a[contains(@href, '/employees/{existing.id}')]")
    assert link, "no link to the record already declared"

    other = logged_in(app, "ets10251")
    response = post_form(
        other,
        NEW,
        employee_form(
            ref,
            nir=existing.nir,
            work_post_id=str(ref.posts[("10251", "Magasinier")]),
            establishment_id=str(ref.sites["10251"][1]),
        ),
    )
    assert response.status_code == 302, field_errors(response.text)
    (copy,) = employees_of(app, "10251", Employee.nir == existing.nir)
    assert copy.member_id == ref.members["10251"] and copy.id != existing.id

    assert errors["nir"][0].startswith(french(MESSAGES["duplicate_nir"]))


# --- optimistic locking ---------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_the_first_kept(app, ref):
    employee = employees_of(app, "10250")[0]
    first, second = logged_in(app, "ets10250"), logged_in(app, "ets10250")
    first_form = form_values(first.get(f"/employees/{employee.id}").text)
    second_form = form_values(second.get(f"/employees/{employee.id}").text)
    assert first_form["version"] == second_form["version"] == str(employee.version)

    saved = first.post(f"/employees/{employee.id}", data={**first_form, "first_name": "Alphonse"})
    refused = second.post(
        f"/employees/{employee.id}", data={**second_form, "first_name": "Bertrand"}
    )

    assert saved.status_code == 302
    assert refused.status_code == 200
    (stored,) = employees_of(app, "10250", Employee.id == employee.id)
    assert stored.first_name == "Alphonse" and stored.version == employee.version + 1
    # Reloaded, the record carries the new version and can be saved again.
    assert save_record(second, employee.id, first_name="Bertrand").status_code == 302
    assert employees_of(app, "10250", Employee.id == employee.id)[0].first_name == "Bertrand"

    assert french(MESSAGES["stale_employee"]) in alerts(refused.text)


# --- rights ---------------------------------------------------------------------------------------


def test_a_collaborator_with_the_read_right_may_list_show_and_export_only(app, ref):
    client = logged_in(app, "ets10250.2")
    employee = employees_of(app, "10250")[0]

    listing = client.get(LIST)
    assert listing.status_code == 200 and len(list_rows(listing.text)) == 25
    assert 'id="add-employee"' not in listing.text
    record = client.get(f"/employees/{employee.id}")
    assert record.status_code == 200 and 'id="save-employee"' not in record.text
    xlsx = client.get(XLSX)
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.data)).active.max_row == 31
    assert client.get(XML).status_code == 200
    assert client.get("/employees/pcs", query_string={"q": "boulang"}).status_code == 200

    assert client.get(NEW).status_code == 403
    token = csrf_token(record.text)
    changed = {**form_values(record.text), "first_name": "Intrus", "csrf_token": token}
    assert client.post(f"/employees/{employee.id}", data=changed).status_code == 403
    assert client.post(NEW, data={**employee_form(ref), "csrf_token": token}).status_code == 403
    post = {"pcs_code": "636c", "designation": "Tourier", "description": "x", "csrf_token": token}
    assert client.post(WORK_POSTS, data=post).status_code == 403
    assert (
        employees_of(app, "10250", Employee.id == employee.id)[0].first_name == employee.first_name
    )
    assert len(employees_of(app, "10250")) == 30
    assert count_of(app, WorkPost, WorkPost.designation == "Tourier") == 0


def test_service_staff_have_no_employees_portal(app):
    staff = logged_in(app, "gestion")
    for url in (LIST, NEW, XLSX, XML, f"/employees/{employees_of(app, '10250')[0].id}"):
        response = staff.get(url)
        assert response.status_code in {403, 404}, url
        assert "data-employee" not in response.text
    # The FAB administrator has no member: refused like staff (issue 9, no portal for the service).
    assert logged_in(app, "admin").get(LIST).status_code in {403, 404}


def test_another_members_employee_is_not_found(app):
    foreign = employees_of(app, "10251")[0]
    client = logged_in(app, "ets10250")
    page = client.get(LIST).text

    assert client.get(f"/employees/{foreign.id}").status_code == 404
    changed = {"last_name": "PIRATE", "first_name": "X", "csrf_token": csrf_token(page)}
    assert client.post(f"/employees/{foreign.id}", data=changed).status_code == 404
    assert employees_of(app, "10251", Employee.id == foreign.id)[0].last_name == foreign.last_name


# --- exports --------------------------------------------------------------------------------------


def _workbook(response):
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.data)).active


def _sheet_rows(sheet) -> list[dict]:
    keys = [key for key, _label in SHEET_COLUMNS]
    return [dict(zip(keys, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_excel_export_has_a_header_and_a_typed_row_per_employee(app, admin):
    own = {e.id: e for e in employees_of(app, "10250")}

    response = admin.get(XLSX)
    sheet = _workbook(response)

    stamp = f"{clock.today():%Y%m%d}"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="salaries-10250-{stamp}.xlsx"'
    )
    header = [cell.value for cell in sheet[1]]
    assert len(header) == len(SHEET_COLUMNS) and all(cell.font.b for cell in sheet[1])
    rows = _sheet_rows(sheet)
    assert len(rows) == 30 and sorted(row["number"].value for row in rows) == sorted(own)
    for row in rows:
        employee = own[row["number"].value]
        assert row["last_name"].value == employee.last_name
        birth = row["birth_date"]
        assert birth.is_date and isinstance(birth.value, datetime)
        assert birth.value.date() == employee.birth_date
        assert row["hired_on"].is_date and row["hired_on"].value.date() == employee.hired_on
        assert MASKED_NIR.match(row["nir"].value) and employee.nir not in row["nir"].value
        assert row["category"].value == employee.category.value
        assert row["pcs_code"].value in {"636c", "554a", "676a", "643a"}
    assert not any(e.nir.encode() in response.data for e in own.values())

    assert header == [french(label) for _key, label in SHEET_COLUMNS]


def test_excel_export_follows_the_filters(app, admin):
    sir = [e.id for e in employees_of(app, "10250") if e.category is FollowUp.SIR]

    rows = _sheet_rows(_workbook(admin.get(XLSX, query_string={"f_category": "SIR"})))

    assert sorted(row["number"].value for row in rows) == sir
    assert {row["category"].value for row in rows} == {"SIR"}
    descending = _sheet_rows(
        _workbook(admin.get(XLSX, query_string={"sort": "last_name", "desc": 1}))
    )
    names = [row["last_name"].value for row in descending]
    assert len(names) == 30 and names == sorted(names, reverse=True)
    assert _sheet_rows(_workbook(admin.get(XLSX, query_string={"exited": 1}))) == []


def test_a_name_starting_with_equals_is_exported_as_text_not_a_formula(app, admin, ref):
    data = employee_form(ref, last_name='=HYPERLINK("http://evil.example","clic")')
    assert post_form(admin, NEW, data).status_code == 302
    (employee,) = employees_of(app, "10250", Employee.last_name.like("=%"))
    assert employee.last_name == '=HYPERLINK("HTTP://EVIL.EXAMPLE","CLIC")'

    response = admin.get(XLSX, query_string={"f_last_name": "hyperlink"})
    rows = _sheet_rows(_workbook(response))

    (row,) = rows
    assert row["last_name"].value == employee.last_name
    assert row["last_name"].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert "HYPERLINK" in sheet_xml


def test_xml_export_is_valid_against_the_schema_with_masked_nir(app, admin):
    own = {e.id: e for e in employees_of(app, "10250")}

    response = admin.get(XML)

    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"].endswith(
        f'salaries-10250-{clock.today():%Y%m%d}.xml"'
    )
    document = etree.fromstring(response.data)
    schema = etree.XMLSchema(etree.parse(str(EMPLOYEES_XSD_PATH)))
    assert schema.validate(document), schema.error_log
    ns = {"s": NAMESPACE}
    assert document.get("adherent") == "10250"
    employees = document.findall("s:salarie", ns)
    assert len(employees) == 30
    assert sorted(int(e.findtext("s:numero", namespaces=ns)) for e in employees) == sorted(own)
    for element in employees:
        employee = own[int(element.findtext("s:numero", namespaces=ns))]
        assert MASKED_NIR.match(element.findtext("s:nir", namespaces=ns))
        assert element.findtext("s:nom-usage", namespaces=ns) == employee.last_name
        assert (
            element.findtext("s:date-naissance", namespaces=ns) == employee.birth_date.isoformat()
        )
    assert not any(e.nir.encode() in response.data for e in own.values())
    filtered = etree.fromstring(admin.get(XML, query_string={"f_category": "SIR"}).data)
    assert len(filtered.findall("s:salarie", ns)) == sum(
        e.category is FollowUp.SIR for e in own.values()
    )


# --- work posts and suggestions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pcs_code", "designation", "code"),
    [
        ("999z", "Tourier", "unknown_pcs_code"),
        ("boulanger", "Tourier", "unknown_pcs_code"),
        ("636c", "Resp. magasin", "designation_abbreviation"),
        ("636c", "BOULANGER", "work_post_exists"),
    ],
)
def test_a_wrong_work_post_is_refused_with_a_json_error(app, admin, pcs_code, designation, code):
    before = count_of(app, WorkPost)

    response = post_form(
        admin,
        WORK_POSTS,
        {"pcs_code": pcs_code, "designation": designation, "description": "Fait le travail"},
        page_url=NEW,
    )

    assert response.status_code == 400 and response.is_json
    assert set(response.json) == {"error"} and response.json["error"]
    assert count_of(app, WorkPost) == before
    assert response.json["error"] == french(MESSAGES[code])


def test_a_work_post_without_description_is_refused(app, admin):
    before = count_of(app, WorkPost)
    data = {"pcs_code": "636c", "designation": "Tourier", "description": ""}

    response = post_form(admin, WORK_POSTS, data, page_url=NEW)

    assert response.status_code == 400 and response.json["error"]
    assert count_of(app, WorkPost) == before


def test_pcs_and_postal_code_suggestions(admin):
    pcs = admin.get("/employees/pcs", query_string={"q": "boulang"})
    assert pcs.status_code == 200
    assert "636c" in [item["code"] for item in pcs.json]
    assert "636c" in [item["code"] for item in admin.get("/employees/pcs?q=636").json]
    assert admin.get("/employees/pcs?q=").json == []

    communes = admin.get("/postal-codes/", query_string={"code": "80000"})
    assert communes.status_code == 200
    assert "AMIENS" in communes.json["communes"]
    assert admin.get("/postal-codes/?code=800").status_code == 400


# --- cost of a list page --------------------------------------------------------------------------


def _add_employees(app, number: str, count: int) -> None:
    today = clock.today()
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == number))
        post = db.session.scalar(select(WorkPost).where(WorkPost.member_id == member.id))
        sites = member.establishments
        for index in range(count):
            birth = date(1970 + index % 30, index % 12 + 1, index % 28 + 1)
            body = f"1{birth:%y%m}80{index // 1000 + 1:03d}{index % 1000:03d}"
            db.session.add(
                Employee(
                    member_id=member.id,
                    last_name=f"VOLUME{index:04d}",
                    first_name="Jean",
                    nir=body + stdnum_nir.calc_check_digits(body),
                    language=Language.FR,
                    sex=Sex.M,
                    birth_date=birth,
                    work_post_id=post.id,
                    establishment_id=sites[index % len(sites)].id,
                    hired_on=date(2015, 1, 5),
                    contract=Contract.CDI,
                    post_entry_on=date(2015, 1, 5),
                    category=FollowUp.SI,
                    category_on=today,
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
        db.session.commit()


def _statements(app, client, url: str) -> tuple[int, int]:
    """(SQL statements run by the second GET of `url`, rows shown)."""
    with app.app_context():
        engine = db.engine
    executed = []

    def count(conn, cursor, statement, parameters, context, executemany):
        executed.append(statement)

    assert client.get(url).status_code == 200  # warm-up: caches filled on a first request
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(executed), len(list_rows(response.text))


def test_a_list_page_costs_the_same_statements_whatever_the_workforce(app):
    _add_employees(app, "10251", 300)
    assert len(employees_of(app, "10251")) == 320
    small, large = logged_in(app, "ets10250"), logged_in(app, "ets10251")

    small_count, small_rows = _statements(app, small, f"{LIST}?size=25")
    large_count, large_rows = _statements(app, large, f"{LIST}?size=25")
    large_100, rows_100 = _statements(app, large, f"{LIST}?size=100&page=3")
    sorted_count, _rows = _statements(app, large, f"{LIST}?size=25&sort=work_post&f_first_name=j")

    assert (small_rows, large_rows, rows_100) == (25, 25, 100)
    assert small_count == large_count == large_100 == sorted_count
    assert large_count <= 20
