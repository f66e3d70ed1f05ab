import pytest

from app.domain.names import (
    MAX_POSTS_MEMBER,
    MAX_POSTS_TEMPORARY_WORK_AGENCY,
    DesignationError,
    check_designation,
    check_pcs_code,
    normalise_designation,
    normalise_first_name,
    normalise_name,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Lefèvre-Dupré", "LEFEVRE-DUPRE"),
        ("d'Artagnan", "D'ARTAGNAN"),
        ("d’Artagnan", "D'ARTAGNAN"),
        ("Œuvre", "OEUVRE"),
        ("cœur", "COEUR"),
        ("Lætitia", "LAETITIA"),
        ("Straße", "STRASSE"),
        ("Ødegaard", "ODEGAARD"),
        ("Łukasiewicz", "LUKASIEWICZ"),
        ("Çağlar", "CAGLAR"),
        ("Müller", "MULLER"),
        ("Nguyễn", "NGUYEN"),
        ("  de   la   Fontaine  ", "DE LA FONTAINE"),
        ("de\u00a0la Fontaine", "DE LA FONTAINE"),
        ("Jean\u2011Baptiste", "JEAN-BAPTISTE"),
        # an accent typed as a separate combining character
        ("Le\u0301ger", "LEGER"),
        ("MARTIN", "MARTIN"),
        ("", ""),
        (None, ""),
    ],
)
def test_names_are_in_capitals_without_accents(value, expected):
    assert normalise_name(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("jean-éric", "Jean-Éric"),
        ("MARIE", "Marie"),
        ("éLODIE", "Élodie"),
        ("  marie   thérèse ", "Marie Thérèse"),
        ("ANNE-SOPHIE", "Anne-Sophie"),
        ("jean - paul", "Jean - Paul"),
        ("chloé", "Chloé"),
        ("Noe\u0308l", "Noël"),
        ("œdipe", "Œdipe"),
        ("", ""),
        (None, ""),
    ],
)
def test_first_names_keep_their_accents_and_are_capitalised_by_part(value, expected):
    assert normalise_first_name(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("magasinier / CARISTE", "Magasinier/Cariste"),
        ("Magasinier/Cariste", "Magasinier/Cariste"),
        ("RESPONSABLE DE MAGASIN", "Responsable de magasin"),
        ("électricien", "Électricien"),
        ("  agent   d’entretien ", "Agent d'entretien"),
        ("chef d'équipe/conducteur de travaux/", "Chef d'équipe/Conducteur de travaux"),
        ("vendeur//caissier", "Vendeur/Caissier"),
        ("(aide) soignant", "(Aide) soignant"),
        (" / ", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_designation_is_capitalised_per_post(value, expected):
    assert normalise_designation(value) == expected


@pytest.mark.parametrize(
    ("value", "max_posts", "error"),
    [
        # the manual's examples
        ("Magasinier/Cariste", MAX_POSTS_MEMBER, None),
        ("Responsable", 1, None),
        ("Resp.", 1, DesignationError.ABBREVIATION),
        ("Adj.", 1, DesignationError.ABBREVIATION),
        ("Adjoint", 1, None),
        # abbreviations: a dot, or a known short form as a whole word, any case or accent
        ("Resp magasin", 1, DesignationError.ABBREVIATION),
        ("Resp.magasin", 1, DesignationError.ABBREVIATION),
        ("Directeur adj", 1, DesignationError.ABBREVIATION),
        ("ASS. DE DIRECTION", 1, DesignationError.ABBREVIATION),
        ("Tech de maintenance", 1, DesignationError.ABBREVIATION),
        ("Ingé process", 1, DesignationError.ABBREVIATION),
        ("Agt d'entretien", 1, DesignationError.ABBREVIATION),
        ("Empl administratif", 1, DesignationError.ABBREVIATION),
        ("Vend/Magasinier", MAX_POSTS_MEMBER, DesignationError.ABBREVIATION),
        ("Magasinier/Cond. d'engins", MAX_POSTS_MEMBER, DesignationError.ABBREVIATION),
        ("Dir (adjoint)", 1, DesignationError.ABBREVIATION),
        # whole words only: longer words that start like an abbreviation are fine
        ("Technicien de maintenance", 1, None),
        ("Ingénieur", 1, None),
        ("Assistant de direction", 1, None),
        ("Directeur adjoint", 1, None),
        ("Conducteur d'engins", 1, None),
        ("Vendeur", 1, None),
        ("Employé administratif", 1, None),
        ("Agent d'entretien", 1, None),
        # characters
        ("Aide-soignant", 1, None),
        ("Agent de propreté (nuit)", 1, None),
        ("Agent d’accueil", 1, None),
        ("12345", 1, DesignationError.BAD_CHARACTERS),
        ("Ouvrier niveau 2", 1, DesignationError.BAD_CHARACTERS),
        ("Cariste & magasinier", 1, DesignationError.BAD_CHARACTERS),
        ("Magasinier/Cariste, préparateur", MAX_POSTS_MEMBER, DesignationError.BAD_CHARACTERS),
        ("Agent_entretien", 1, DesignationError.BAD_CHARACTERS),
        ("Magasinier/()", MAX_POSTS_MEMBER, DesignationError.BAD_CHARACTERS),
        # number of posts: 2 for members, 3 for temporary-work agencies
        ("Magasinier/Cariste", 1, DesignationError.TOO_MANY_POSTS),
        ("Magasinier/Cariste/Préparateur", MAX_POSTS_MEMBER, DesignationError.TOO_MANY_POSTS),
        ("Magasinier/Cariste/Préparateur", MAX_POSTS_TEMPORARY_WORK_AGENCY, None),
        (
            "Magasinier/Cariste/Préparateur/Manutentionnaire",
            MAX_POSTS_TEMPORARY_WORK_AGENCY,
            DesignationError.TOO_MANY_POSTS,
        ),
        ("magasinier / CARISTE /", MAX_POSTS_MEMBER, None),
        # empty
        ("", 1, DesignationError.EMPTY),
        ("  /  ", MAX_POSTS_MEMBER, DesignationError.EMPTY),
        (None, 1, DesignationError.EMPTY),
    ],
)
def test_designation_rules_of_the_manual(value, max_posts, error):
    assert check_designation(value, max_posts) is error


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("526a", ("526a", True)),
        ("526A ", ("526a", True)),
        (" 38 8 b", ("388b", True)),
        ("526", ("526", False)),
        ("5261", ("5261", False)),
        ("52a", ("52a", False)),
        ("526ab", ("526ab", False)),
        ("a526", ("a526", False)),
        ("526é", ("526é", False)),
        ("", ("", False)),
        (None, ("", False)),
    ],
)
def test_pcs_code_format(value, expected):
    assert check_pcs_code(value) == expected
