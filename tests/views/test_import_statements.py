"""The back-office's import pages (issue 14) cost the same statements with a report of a few rows
as with many, like the portal's (tests/views/test_portal_statements.py measures those)."""

from app.extensions import db
from app.models.employee_import import EmployeeImport
from tests.views.test_employees import logged_in
from tests.views.test_portal_statements import _grow_import, _import
from tests.views.test_same_work import statements_of


def test_the_back_office_import_pages_do_not_grow_with_the_rows(app):
    import_id = _import(app)
    with app.app_context():
        member_id = db.session.get(EmployeeImport, import_id).member_id
    urls = {
        "upload": f"/backoffice/employee-imports/?member_id={member_id}",
        "report": f"/backoffice/employee-imports/{import_id}?show=all",
    }
    client = logged_in(app, "gestion")

    def counts():
        found = {}
        for name, url in urls.items():
            assert client.get(url).status_code == 200, name
            found[name] = len(statements_of(app, lambda u=url: client.get(u)))
        return found

    few = counts()
    _grow_import(app, import_id, 60)
    assert counts() == few
    assert max(few.values()) <= 12, few
