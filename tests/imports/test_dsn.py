"""The DSN parser (issue 14): files built by tests/dsn_builder.py from the cahier technique's
structure, never a real person's data."""

from datetime import date

import pytest

from app.domain.nir import NirError, check_nir
from app.imports.dsn import MAX_ERRORS, DsnFileError, DsnRefusal, parse_dsn
from tests.dsn_builder import (
    SIREN,
    Contract,
    Establishment,
    Individual,
    build_dsn,
    make_nir,
    make_ntt,
    many,
    wrong_key,
)

CDI = Contract(start=date(2019, 9, 2))
NIR_ELODIE = make_nir("2", date(1990, 7, 1), order=12)
NIR_APPRENTI = make_nir("1", date(2008, 2, 1), order=7)
NIR_ENDED = make_nir("1", date(1975, 11, 1), place="2A004", order=3)
NIR_WRONG = wrong_key(make_nir("2", date(1982, 5, 1), order=45))
NTT = make_ntt(sex="2", serial=42)


def _company() -> list[Establishment]:
    elodie = Individual(
        "LEFÈVRE",
        "ÉLODIE MARIE",
        sex="02",
        birth_date=date(1990, 7, 21),
        nir=NIR_ELODIE,
        usage_name="NOËL",
        contracts=[Contract(start=date(2019, 9, 2), pcs="463a", label="Hôtesse d'accueil")],
    )
    apprentice = Individual(
        "MOREAU",
        "LUCAS",
        birth_date=date(2008, 2, 10),
        nir=NIR_APPRENTI,
        contracts=[
            Contract(
                start=date(2026, 9, 1),
                nature="02",
                scheme="64",
                planned_end=date(2028, 8, 31),
                pcs="685a",
            )
        ],
    )
    ended = Individual(
        "BERNARD",
        "PAUL",
        birth_date=date(1975, 11, 3),
        nir=NIR_ENDED,
        contracts=[
            Contract(
                start=date(2026, 11, 2),
                nature="02",
                planned_end=date(2027, 3, 31),
                end=date(2027, 1, 15),
            )
        ],
    )
    temp = Individual(
        "GIRARD",
        "INÈS",
        sex="02",
        birth_date=date(2001, 4, 5),
        ntt=NTT,
        contracts=[Contract(start=date(2027, 1, 4), nature="03", planned_end=date(2027, 1, 29))],
    )
    wrong = Individual(
        "ROUX",
        "CLAIRE",
        sex="02",
        birth_date=date(1982, 5, 9),
        nir=NIR_WRONG,
        nir_as_is=True,
        contracts=[CDI],
    )
    moved = Individual(
        "FAURE",
        "HUGO",
        birth_date=date(1995, 1, 1),
        nir=make_nir(born=date(1995, 1, 1), order=80),
        contracts=[Contract(start=date(2024, 1, 1), work_place=f"{SIREN}00012")],
    )
    return [
        Establishment("00012", [elodie, apprentice, ended]),
        Establishment("00027", [temp, wrong, moved], postal_code="69003", city="LYON"),
    ]


def _by_name(dsn) -> dict[str, dict]:
    return {row.values["last_name"]: row.values for row in dsn.rows}


def _line_of(data: bytes, text: str) -> int:
    return data.decode("latin-1").split("\r\n").index(text) + 1


def test_several_establishments_give_their_siret_and_one_row_per_individual():
    dsn = parse_dsn(build_dsn(_company()))

    assert dsn.siren == SIREN
    assert [(e.siret, e.nic, e.postal_code, e.city) for e in dsn.establishments] == [
        (f"{SIREN}00012", "00012", "75011", "PARIS"),
        (f"{SIREN}00027", "00027", "69003", "LYON"),
    ]
    rows = _by_name(dsn)
    assert len(dsn.rows) == 6
    assert rows["MOREAU"]["siret"] == f"{SIREN}00012"
    assert rows["GIRARD"]["siret"] == f"{SIREN}00027"
    assert dsn.norm == "P25V01" and dsn.month == date(2027, 1, 1)
    assert dsn.errors == [] and dsn.unknown_blocks == []


def test_identity_and_post_are_read_from_the_individual_and_contract_blocks():
    data = build_dsn(_company())
    dsn = parse_dsn(data)
    row = next(row for row in dsn.rows if row.values["last_name"] == "NOËL")

    assert row.values == {
        "last_name": "NOËL",
        "birth_name": "LEFÈVRE",
        "first_name": "ÉLODIE",
        "sex": "F",
        "birth_date": date(1990, 7, 21),
        "nir": NIR_ELODIE,  # the key the DSN leaves out, computed back
        "ntt": None,
        "siret": f"{SIREN}00012",
        "work_post": "Hôtesse d'accueil",
        "pcs_code": "463a",
        "contract": "cdi",
        "apprentice": False,
        "hired_on": date(2019, 9, 2),
        "post_entry_on": date(2019, 9, 2),
        "contract_end_on": None,
    }
    assert row.ended is False
    assert row.line == _line_of(data, f"S21.G00.30.001,'{NIR_ELODIE[:13]}'")


def test_an_apprentice_is_flagged_with_the_planned_end():
    rows = _by_name(parse_dsn(build_dsn(_company())))

    assert rows["MOREAU"]["contract"] == "apprenticeship"
    assert rows["MOREAU"]["apprentice"] is True
    assert rows["MOREAU"]["contract_end_on"] == date(2028, 8, 31)
    assert rows["MOREAU"]["birth_name"] is None


def test_an_ended_contract_gives_its_end_date_not_the_planned_one():
    dsn = parse_dsn(build_dsn(_company()))
    row = next(row for row in dsn.rows if row.values["last_name"] == "BERNARD")

    assert row.ended is True
    assert row.values["contract"] == "cdd"
    assert row.values["contract_end_on"] == date(2027, 1, 15)
    assert row.values["nir"] == NIR_ENDED and check_nir(NIR_ENDED)[1] is None  # Corsica 2A


def test_an_individual_without_nir_comes_with_the_ntt_and_a_temp_contract():
    rows = _by_name(parse_dsn(build_dsn(_company())))

    assert rows["GIRARD"]["nir"] is None
    assert rows["GIRARD"]["ntt"] == NTT
    assert rows["GIRARD"]["contract"] == "temporary"
    assert rows["GIRARD"]["contract_end_on"] == date(2027, 1, 29)


def test_a_nir_with_a_wrong_key_is_passed_through_for_the_row_checks():
    rows = _by_name(parse_dsn(build_dsn(_company())))

    assert rows["ROUX"]["nir"] == NIR_WRONG
    assert check_nir(rows["ROUX"]["nir"])[1] is NirError.BAD_KEY


def test_the_contract_work_place_of_the_same_company_gives_the_siret():
    other_company = Individual(
        "PETIT",
        "LÉA",
        sex="02",
        nir=make_nir("2", order=90),
        contracts=[Contract(start=date(2024, 1, 1), work_place="55210055400013")],
    )
    dsn = parse_dsn(build_dsn(_company() + [Establishment("00035", [other_company])]))
    rows = _by_name(dsn)

    assert rows["FAURE"]["siret"] == f"{SIREN}00012"  # declared under 00027, works at 00012
    assert rows["PETIT"]["siret"] == f"{SIREN}00035"  # a user company's SIRET is not ours


@pytest.mark.parametrize(
    ("contract", "expected"),
    [
        (Contract(start=date(2027, 1, 1), nature="02", reason="03"), "seasonal"),
        (Contract(start=date(2027, 1, 1), nature="02", scheme="61"), "professionalisation"),
        (Contract(start=date(2027, 1, 1), nature="02", scheme="65"), "apprenticeship"),
        (Contract(start=date(2027, 1, 1), nature="07"), "cdi"),
        (Contract(start=date(2027, 1, 1), nature="08"), "temporary"),
        (Contract(start=date(2027, 1, 1), nature="10"), "cdd"),
        (Contract(start=date(2027, 1, 1), nature="29"), "other"),
    ],
)
def test_nature_scheme_and_reason_map_to_the_contract_types(contract, expected):
    person = Individual("DUPONT", "JEAN", nir=make_nir(), contracts=[contract])
    [row] = parse_dsn(build_dsn([Establishment("00012", [person])])).rows

    assert row.values["contract"] == expected
    assert row.values["apprentice"] is (expected == "apprenticeship")


def test_the_running_contract_wins_over_an_ended_one_then_the_latest_started():
    contracts = [
        Contract(start=date(2026, 10, 1), nature="02", end=date(2027, 1, 10), number="00001"),
        Contract(start=date(2027, 1, 11), label="Chef d'équipe", number="00002"),
        Contract(start=date(2027, 1, 20), nature="02", end=date(2027, 1, 25), number="00003"),
    ]
    person = Individual("DUPONT", "JEAN", nir=make_nir(), contracts=contracts)
    [row] = parse_dsn(build_dsn([Establishment("00012", [person])])).rows

    assert row.ended is False
    assert row.values["work_post"] == "Chef d'équipe"
    assert row.values["hired_on"] == date(2027, 1, 11)
    assert row.values["contract_end_on"] is None


def test_an_individual_transferred_between_establishments_is_one_row():
    nir = make_nir()
    before = Individual(
        "DUPONT",
        "JEAN",
        nir=nir,
        contracts=[Contract(start=date(2020, 1, 1), end=date(2027, 1, 14))],
    )
    after = Individual("DUPONT", "JEAN", nir=nir, contracts=[Contract(start=date(2027, 1, 15))])
    dsn = parse_dsn(build_dsn([Establishment("00012", [before]), Establishment("00027", [after])]))

    [row] = dsn.rows
    assert row.values["siret"] == f"{SIREN}00027"
    assert row.values["hired_on"] == date(2027, 1, 15)
    assert row.ended is False


def test_an_unknown_block_is_reported_and_the_known_unused_ones_are_not():
    dsn = parse_dsn(build_dsn(_company(), unknown_block=True))

    assert dsn.unknown_blocks == ["S21.G00.99"]
    assert dsn.errors == []
    assert len(dsn.rows) == 6  # the payments and contributions (S21.G00.50/51/78/81) skipped


def test_accents_are_read_in_iso_8859_1_and_in_utf_8():
    for encoding in ("latin-1", "utf-8"):
        data = build_dsn(_company(), encoding=encoding)
        rows = _by_name(parse_dsn(data))
        assert rows["NOËL"]["birth_name"] == "LEFÈVRE", encoding
        assert rows["GIRARD"]["first_name"] == "INÈS", encoding
    assert "NOËL".encode("latin-1") in build_dsn(_company())


def test_malformed_lines_are_reported_with_their_line_and_the_rest_is_read():
    bad = ["S21.G00.30.002 'SANS VIRGULE'", "n'importe quoi", "S21.G00.30.004,'NON FERMÉE"]
    data = build_dsn(_company(), extra_lines=bad)
    dsn = parse_dsn(data)

    assert dsn.errors == [
        (_line_of(data, bad[0]), f"ligne {_line_of(data, bad[0])} : rubrique illisible"),
        (_line_of(data, bad[1]), f"ligne {_line_of(data, bad[1])} : rubrique illisible"),
        (
            _line_of(data, bad[2]),
            f"ligne {_line_of(data, bad[2])} : valeur sans apostrophe fermante",
        ),
    ]
    assert len(dsn.rows) == 6


def test_a_flood_of_malformed_lines_is_reported_up_to_a_limit():
    data = build_dsn(_company(), extra_lines=["???"] * (MAX_ERRORS + 30))
    dsn = parse_dsn(data)

    assert len(dsn.errors) == MAX_ERRORS + 1
    first_omitted = dsn.errors[0][0] + MAX_ERRORS
    assert dsn.errors[-1] == (
        first_omitted,
        f"ligne {first_omitted} et suivantes : 30 autres anomalies non détaillées",
    )


def test_an_unparsable_birth_date_and_sex_are_passed_raw_for_the_row_checks():
    person = Individual(
        "DUPONT", "JEAN", sex="03", birth_date="31021990", nir=make_nir(), contracts=[CDI]
    )
    [row] = parse_dsn(build_dsn([Establishment("00012", [person])])).rows

    assert row.values["birth_date"] == "31021990"
    assert row.values["sex"] == "03"


@pytest.mark.parametrize(
    "data",
    [
        b"nom;prenom;nir\r\nDUPONT;JEAN;185037505600131\r\n" * 40,
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4,  # an xlsx (zip) is binary
        "S21.G00.30.002,'DUPONT'\r\n".encode("latin-1").replace(b"S21", b"X21"),
    ],
    ids=["csv", "binary", "look-alike"],
)
def test_a_file_that_is_not_a_dsn_is_refused(data):
    with pytest.raises(DsnFileError) as refused:
        parse_dsn(data)

    assert refused.value.code is DsnRefusal.NOT_DSN
    assert "n'est pas une DSN" in refused.value.message


@pytest.mark.parametrize("data", [b"", b"\r\n  \r\n\n"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(DsnFileError) as refused:
        parse_dsn(data)

    assert refused.value.code is DsnRefusal.EMPTY
    assert refused.value.message == "Le fichier est vide."


def test_a_dsn_without_individual_is_refused():
    with pytest.raises(DsnFileError) as refused:
        parse_dsn(build_dsn([Establishment("00012", [])]))

    assert refused.value.code is DsnRefusal.NO_INDIVIDUAL


def test_a_file_over_the_row_limit_is_refused_as_soon_as_the_limit_is_passed():
    data = build_dsn(many(30))
    assert len(parse_dsn(data, max_rows=30).rows) == 30

    with pytest.raises(DsnFileError) as refused:
        parse_dsn(data, max_rows=29)

    assert refused.value.code is DsnRefusal.TOO_MANY_ROWS
    assert refused.value.message == (
        "Le fichier déclare plus de 29 salariés : importez-le en plusieurs fois."
    )


def test_twenty_thousand_individuals_in_one_file():
    dsn = parse_dsn(build_dsn(many(20_000)))

    assert len(dsn.rows) == 20_000
    assert len(dsn.establishments) == 4
    last = dsn.rows[-1].values
    assert (last["last_name"], last["siret"], check_nir(last["nir"])[1]) == (
        "NOM19999",
        f"{SIREN}00004",
        None,
    )
