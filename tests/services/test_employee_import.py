"""Employees in bulk (issue 14): the dry run's outcome row by row, then the apply through the
form's use case (category, risk history, due date, audit), resumable and never twice."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.employee import Employee, RiskDeclarationChange, WorkPost
from app.models.employee_import import EmployeeImport, EmployeeImportRow, ImportStatus, RowAction
from app.models.member import Member
from app.models.user import PortalUser
from app.services import ServiceError, employee_import
from tests.dsn_builder import make_nir, wrong_key

HEADERS = [
    "Nom d'usage", "Prénom", "Sexe", "Date de naissance", "NIR", "SIRET de l'établissement",
    "Poste", "Code PCS-ESE", "Type de contrat", "Date d'entrée dans l'entreprise",
    "Date de fin de contrat", "Travail de nuit", "Risques",
]  # fmt: skip
SIRET = "10250000600014"  # member 10250's head office (demo data)
OTHER_SIRET = "10251000500014"  # member 10251's


def person(order: int, **changes) -> dict:
    row = {
        "Nom d'usage": f"Importé{order}",
        "Prénom": "julie",
        "Sexe": "F",
        "Date de naissance": "12/04/1990",
        "NIR": make_nir("2", date(1990, 4, 12), "75056", order),
        "SIRET de l'établissement": SIRET,
        "Poste": "Vendeur",
        "Code PCS-ESE": "554a",
        "Type de contrat": "CDI",
        "Date d'entrée dans l'entreprise": "01/09/2024",
        "Date de fin de contrat": "",
        "Travail de nuit": "non",
        "Risques": "BRUIT",
    }
    row.update(changes)
    return row


def csv_of(rows: list[dict], headers=HEADERS, encoding="utf-8") -> bytes:
    lines = [";".join(headers)] + [";".join(str(row.get(h, "")) for h in headers) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _member(number="10250") -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _user(name="ets10250") -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == name))


def checked(data: bytes, name="salaries.csv", number="10250") -> EmployeeImport:
    found = employee_import.create(_member(number), name, data, _user())
    db.session.commit()  # the dry run runs in the process once committed (no Redis)
    db.session.expire_all()
    return db.session.get(EmployeeImport, found.id)


def rows_of(found) -> dict[int, EmployeeImportRow]:
    query = select(EmployeeImportRow).where(EmployeeImportRow.import_id == found.id)
    return {row.line: row for row in db.session.scalars(query)}


def applied(found) -> EmployeeImport:
    employee_import.start_apply(found, _user())
    db.session.commit()
    db.session.expire_all()
    return db.session.get(EmployeeImport, found.id)


def employee(nir: str) -> Employee | None:
    return db.session.scalar(select(Employee).where(Employee.nir == nir))


def test_a_clean_file_is_checked_then_applied_through_the_forms_rules(app):
    with app.app_context():
        before = db.session.scalar(select(func.count(Employee.id)))
        rows = [
            person(1),
            person(2, Risques="AMIANTE|bruit", Poste="Magasinier", **{"Code PCS-ESE": "676a"}),
            person(3, **{"Travail de nuit": "oui", "Risques": ""}),
        ]
        found = checked(csv_of(rows))
        assert (found.status, found.total, found.to_create, found.in_error) == (
            ImportStatus.CHECKED,
            3,
            3,
            0,
        )
        report = rows_of(found)
        assert [report[line].category for line in (2, 3, 4)] == ["SI", "SIR", "SIA"]
        assert ["work_post", "import_new_post", {"designation": "Magasinier"}] in report[3].notes
        assert found.notices == ["Postes de travail créés à l'import : Magasinier"]
        # the dry run wrote nothing of the workforce
        assert db.session.scalar(select(func.count(Employee.id))) == before
        assert (
            db.session.scalar(
                select(WorkPost).where(
                    WorkPost.designation == "Magasinier", WorkPost.member_id == _member().id
                )
            )
            is None
        )

        done = applied(found)
        assert (done.status, done.applied, done.failed) == (ImportStatus.APPLIED, 3, 0)
        second = employee(rows[1]["NIR"])
        assert (second.last_name, second.first_name, second.category.name) == (
            "IMPORTE2",
            "Julie",
            "SIR",
        )
        assert sorted(link.risk.code for link in second.risks) == ["AMIANTE", "BRUIT"]
        assert second.work_post.designation == "Magasinier"
        assert second.next_due_on == date(2024, 9, 1)  # SIR: before assignment
        history = db.session.scalars(
            select(RiskDeclarationChange).where(RiskDeclarationChange.employee_id == second.id)
        ).all()
        assert [(h.import_id, h.actor.username, h.after) for h in history] == [
            (found.id, "ets10250", ["AMIANTE", "BRUIT"])
        ]
        night = employee(rows[2]["NIR"])
        assert [link.risk.code for link in night.risks] == ["NUIT"]
        assert night.risks_to_declare is False
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "employees_imported")
        )
        assert entry.details["written"] == 3 and entry.member_id == _member().id


def test_the_same_number_updates_is_unchanged_or_is_an_error_twice_in_a_file(app):
    with app.app_context():
        first = applied(checked(csv_of([person(11), person(12)])))
        assert first.applied == 2
        again = checked(
            csv_of(
                [
                    person(11),
                    person(12, Poste="Caissier", **{"Code PCS-ESE": "554b"}),
                    person(13),
                    person(13, Prénom="Autre"),
                ]
            )
        )
        report = rows_of(again)
        assert [report[line].action for line in (2, 3, 4, 5)] == [
            RowAction.UNCHANGED,
            RowAction.UPDATE,
            RowAction.CREATE,
            RowAction.ERROR,
        ]
        assert report[5].errors == [["nir", "import_duplicate_in_file", {"line": 4}]]
        assert (again.to_create, again.to_update, again.unchanged, again.in_error) == (1, 1, 1, 1)
        done = applied(again)
        assert done.applied == 2
        assert employee(person(12)["NIR"]).work_post.designation == "Caissier"
        count = db.session.scalar(
            select(func.count(Employee.id)).where(Employee.nir == person(13)["NIR"])
        )
        assert count == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"Date de naissance": "31/02/1990"}, ["birth_date", "import_bad_date", {}]),
        ({"Sexe": "X"}, ["sex", "import_bad_sex", {}]),
        (
            {"NIR": wrong_key(make_nir("2", date(1990, 4, 12), "75056", 40))},
            ["nir", "nir_bad_key", {}],
        ),
        (
            {"SIRET de l'établissement": OTHER_SIRET},
            ["siret", "import_unknown_siret", {"siret": OTHER_SIRET}],
        ),
        (
            {"Poste": "Soudeur", "Code PCS-ESE": "999z"},
            ["pcs_code", "import_unknown_pcs", {"code": "999z"}],
        ),
        ({"Poste": "Resp. magasin"}, ["work_post", "designation_abbreviation", {}]),
        ({"Risques": "BRUIT|LASER"}, ["risks", "import_unknown_risk", {"codes": "LASER"}]),
        ({"Risques": "CONDUITE_OLD"}, ["risks", "risk_not_declarable", {}]),
        ({"Type de contrat": "stage"}, ["contract", "import_bad_contract", {}]),
        (
            {"Date d'entrée dans l'entreprise": "01/01/1989"},
            ["birth_date", "date_birth_not_before_hiring", {}],
        ),
        (
            {"Date de fin de contrat": "01/01/2020"},
            ["contract_end_on", "date_end_before_hiring", {}],
        ),
        ({"Prénom": ""}, ["first_name", "import_required", {}]),
        ({"NIR": ""}, ["nir", "nir_empty", {}]),
    ],
)
def test_a_row_in_error_says_which_column_and_why_and_writes_nothing(app, changes, error):
    with app.app_context():
        found = checked(csv_of([person(41), person(40, **changes)]))
        report = rows_of(found)
        assert report[2].action is RowAction.CREATE
        assert report[3].action is RowAction.ERROR
        assert error in report[3].errors
        assert found.in_error == 1
        applied(found)
        assert employee(person(41)["NIR"]) is not None
        assert employee(person(40)["NIR"]) is None


def test_an_employee_who_left_comes_back_only_with_a_later_hiring(app):
    with app.app_context():
        left_on = clock.today() - timedelta(days=30)
        gone = person(50, **{"Date de fin de contrat": left_on.strftime("%d/%m/%Y")})
        assert applied(checked(csv_of([gone]))).applied == 1
        back = person(
            50,
            **{
                "Date d'entrée dans l'entreprise": (left_on + timedelta(days=10)).strftime(
                    "%d/%m/%Y"
                )
            },
        )
        earlier = person(50, **{"Date d'entrée dans l'entreprise": "01/01/2024"})
        refused = rows_of(checked(csv_of([earlier])))[2]
        assert refused.errors == [["hired_on", "import_left", {"left_on": left_on.isoformat()}]]
        found = checked(csv_of([back]))
        row = rows_of(found)[2]
        assert row.action is RowAction.RETURN, row.errors
        assert ["hired_on", "import_return", {"left_on": left_on.isoformat()}] in row.notes
        applied(found)
        returned = employee(person(50)["NIR"])
        assert returned.contract_end_on is None
        assert returned.hired_on == left_on + timedelta(days=10)


def test_columns_left_out_keep_the_employees_values_and_unknown_columns_are_reported(app):
    with app.app_context():
        applied(checked(csv_of([person(60, Risques="AMIANTE")])))
        headers = ["NIR", "Nom d'usage", "Prénom", "Couleur préférée"]
        rename = {"NIR": person(60)["NIR"], "Nom d'usage": "Nouveau", "Prénom": "Julie",
                  "Couleur préférée": "bleu"}  # fmt: skip
        found = checked(csv_of([rename], headers=headers))
        assert found.notices == ["Colonne ignorée (inconnue) : « Couleur préférée »"]
        assert rows_of(found)[2].action is RowAction.UPDATE
        applied(found)
        kept = employee(person(60)["NIR"])
        assert kept.last_name == "NOUVEAU"
        assert [link.risk.code for link in kept.risks] == ["AMIANTE"]
        assert kept.work_post.designation == "Vendeur"


def test_a_file_without_a_required_column_is_refused_and_nothing_saved(app):
    with app.app_context():
        found = checked(csv_of([person(70)], headers=["Nom d'usage", "Prénom", "N° SS"]))
        assert found.status is ImportStatus.REFUSED
        assert "NIR ou NTT" in found.message
        assert rows_of(found) == {}
        assert found.data is None
        with pytest.raises(ServiceError) as refused:
            employee_import.start_apply(found, _user())
        assert refused.value.code == "import_not_ready"


def test_apply_runs_once_and_a_relaunch_goes_on_where_it_stopped(app):
    with app.app_context():
        found = checked(csv_of([person(80 + n) for n in range(5)]))
        # a worker stopped after the first two rows: they are written and marked
        employee_import.start_apply(found, _user())
        db.session.commit()
        db.session.expire_all()
        found = db.session.get(EmployeeImport, found.id)
        assert found.status is ImportStatus.APPLIED
        with pytest.raises(ServiceError):
            employee_import.start_apply(found, _user())  # a second click
        # as if the job were handed over again: nothing is written twice
        assert employee_import.apply(found.id, lambda *a, **k: None) == "rien à importer"
        found.status = ImportStatus.APPLYING
        rows = rows_of(found)
        rows[5].applied = rows[6].applied = False
        db.session.commit()
        employee_import.apply(found.id, lambda *a, **k: None)
        db.session.expire_all()
        for n in range(5):
            assert (
                db.session.scalar(
                    select(func.count(Employee.id)).where(Employee.nir == person(80 + n)["NIR"])
                )
                == 1
            )
        assert db.session.get(EmployeeImport, found.id).applied == 5


def test_a_row_whose_employee_was_created_in_between_updates_it(app):
    with app.app_context():
        found = checked(csv_of([person(90, Poste="Caissier", **{"Code PCS-ESE": "554b"})]))
        applied(checked(csv_of([person(90)])))  # another import wrote the same person first
        done = applied(found)
        assert (done.applied, done.failed) == (1, 0)
        assert employee(person(90)["NIR"]).work_post.designation == "Caissier"


def test_bad_uploads_are_refused_before_anything_is_stored(app):
    with app.app_context():
        with pytest.raises(ServiceError) as empty:
            employee_import.create(_member(), "vide.csv", b"", _user())
        assert empty.value.code == "import_empty_file"
        app.config["IMPORT_MAX_BYTES"] = 100
        with pytest.raises(ServiceError) as big:
            employee_import.create(_member(), "gros.csv", b"x" * 101, _user())
        assert big.value.code == "import_too_big"
        db.session.rollback()
        assert db.session.scalar(select(func.count(EmployeeImport.id))) == 0


def test_windows_1252_and_comma_separated_files_are_read(app):
    with app.app_context():
        row = person(95, **{"Nom d'usage": "Lefèvre"})
        data = csv_of([row], encoding="cp1252").replace(b";", b",")
        found = checked(data)
        assert found.to_create == 1, rows_of(found)[2].errors
        assert rows_of(found)[2].name == "LEFEVRE Julie"


def test_a_dsn_creates_updates_ends_contracts_and_lists_unknown_establishments(app):
    from tests.dsn_builder import Contract, Establishment, Individual, build_dsn, make_ntt

    with app.app_context():
        kept = person(100, Risques="AMIANTE")
        applied(checked(csv_of([kept])))  # already declared, with a risk
        nir_kept = kept["NIR"]
        ended_nir = make_nir("1", date(1988, 5, 5), "69123", 101)
        apprentice_nir = make_nir("2", date(2007, 2, 2), "13055", 102)
        wrong = wrong_key(make_nir("1", date(1970, 1, 1), "33063", 103))
        end = clock.today() - timedelta(days=3)
        head_office = Establishment(nic="00014", individuals=[
            Individual("IMPORTE100", "Julie Anne", sex="02", birth_date=date(1990, 4, 12),
                       nir=nir_kept, usage_name="NOUVELLE",
                       contracts=[Contract(start=date(2024, 9, 1), pcs="554b",
                                           label="Caissier")]),
            Individual("SORTANT", "Marc", birth_date=date(1988, 5, 5), nir=ended_nir,
                       contracts=[Contract(start=date(2025, 1, 6), nature="02",
                                           planned_end=end, end=end)]),
            Individual("APPRENTIE", "Léa", sex="02", birth_date=date(2007, 2, 2),
                       nir=apprentice_nir, contracts=[Contract(start=date(2025, 9, 1),
                                                               scheme="64", label="Vendeur",
                                                               pcs="554a")]),
            Individual("TEMPORAIRE", "Noé", birth_date=date(1999, 9, 9), ntt=make_ntt(
                "102500006", "1", 7), contracts=[Contract(start=date(2026, 1, 5))]),
            Individual("MAUVAISE", "Clé", birth_date=date(1970, 1, 1), nir=wrong,
                       nir_as_is=True, contracts=[Contract(start=date(2020, 1, 1))]),
        ])  # fmt: skip
        elsewhere = Establishment(nic="00099", individuals=[
            Individual("AILLEURS", "Jean", nir=make_nir("1", date(1985, 3, 1), "75056", 104),
                       contracts=[Contract(start=date(2021, 1, 1))])])  # fmt: skip
        data = build_dsn([head_office, elsewhere], siren="102500006", unknown_block=True)
        found = checked(data, name="dsn-janvier.dsn")
        assert found.status is ImportStatus.CHECKED, found.message
        report = {row.name: row for row in rows_of(found).values()}
        assert report["NOUVELLE Julie"].action is RowAction.UPDATE
        assert report["SORTANT Marc"].action is RowAction.CREATE
        assert report["APPRENTIE Léa"].action is RowAction.CREATE
        assert report["TEMPORAIRE Noé"].action is RowAction.CREATE
        assert ["nir", "nir_bad_key", {}] in report["MAUVAISE Clé"].errors
        assert report["AILLEURS Jean"].errors == [
            ["siret", "import_unknown_siret", {"siret": "10250000600099"}]
        ]
        assert any("10250000600099" in notice for notice in found.notices)
        assert any("S21.G00.99" in notice for notice in found.notices)
        applied(found)
        updated = employee(nir_kept)
        assert (updated.last_name, updated.birth_name) == ("NOUVELLE", "IMPORTE100")
        assert updated.work_post.designation == "Caissier"
        assert [link.risk.code for link in updated.risks] == ["AMIANTE"]  # a DSN has no risks
        assert updated.risks_to_declare is False
        left = employee(ended_nir)
        assert left.contract_end_on == end and left.risks_to_declare is True
        apprentice = employee(apprentice_nir)
        assert apprentice.contract.name == "APPRENTICESHIP"
        assert apprentice.next_due_on == date(2025, 11, 1)  # an apprentice: start + 2 months
        temporary = db.session.scalar(select(Employee).where(Employee.last_name == "TEMPORAIRE"))
        assert temporary.ntt == make_ntt("102500006", "1", 7) and temporary.nir is None


def test_the_templates_example_row_is_not_imported(app):
    from app.imports.template import EXAMPLE_NIR

    with app.app_context():
        example = person(110, NIR=EXAMPLE_NIR)
        found = checked(csv_of([example, person(111)]))
        report = rows_of(found)
        assert report[2].errors == [["nir", "import_example_row", {}]]
        assert report[3].action is RowAction.CREATE


def test_a_batch_broken_by_a_concurrent_change_is_written_again_row_by_row(app, monkeypatch):
    """A NIR taken or a record changed by someone else between the rows' checks and the batch's
    write: the batch is rolled back and each row written in a savepoint, the broken one refused."""
    from app.services import employees

    with app.app_context():
        found = checked(csv_of([person(120), person(121), person(122)]))
        finish, calls = employees.Batch.finish, []

        def flaky(batch):
            calls.append(len(batch.saved))
            if len(calls) == 1 or (len(calls) == 3 and batch.saved):
                raise ServiceError("stale_employee")  # the first batch, then the 2nd row alone
            finish(batch)

        monkeypatch.setattr(employees.Batch, "finish", flaky)
        done = applied(found)
        assert (done.applied, done.failed) == (2, 1)
        assert calls[0] == 3 and calls[1:] == [1, 1, 1, 0]
        assert employee(person(121)["NIR"]) is None
        assert employee(person(120)["NIR"]) and employee(person(122)["NIR"])
        assert rows_of(done)[3].errors == [["", "stale_employee", {}]]


def test_a_file_of_20_000_rows_is_checked_and_applied_with_flat_statements(app):
    """The scale of a large member (issue 14): 20,000 rows generated here, in xlsx as a payroll
    export writes it; the dry run and the apply read and update by batches, not row by row (only
    the INSERTs of the rows written may be one per row: SQLite's driver sends them so), and
    every row ends in the workforce. Times: bench/employee_import.py."""
    from sqlalchemy import event

    from bench.employee_import import xlsx

    with app.app_context():
        statements = []

        def count(_connection, _cursor, statement, *_args):
            if not statement.lstrip().upper().startswith("INSERT"):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = checked(xlsx(20_000), name="grand.xlsx")
            checking = len(statements)
            assert (found.status, found.to_create, found.in_error) == (
                ImportStatus.CHECKED,
                20_000,
                0,
            )
            statements.clear()
            done = applied(found)
            applying = len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert (done.applied, done.failed) == (20_000, 0)
        assert checking < 200 and applying < 1_000  # 20 + 40 batches, not one per row
        imported = select(func.count(Employee.id)).where(Employee.last_name.like("IMPORT%"))
        assert db.session.scalar(imported) == 20_000
        sample = db.session.scalar(select(Employee).where(Employee.last_name == "IMPORT19999"))
        assert sample.next_due_on is not None and sample.work_post.designation


def test_a_member_of_several_establishments_is_asked_which_one(app):
    with app.app_context():
        member = _member("10251")  # two establishments in the demo
        assert len(member.establishments) > 1
        row = person(130, **{"SIRET de l'établissement": ""})
        found = employee_import.create(member, "sans-siret.csv", csv_of([row]), _user("ets10251"))
        db.session.commit()
        db.session.expire_all()
        report = rows_of(db.session.get(EmployeeImport, found.id))
        assert report[2].errors == [["siret", "import_siret_needed", {}]]
