"""Work posts: the designation rules, and the description (free text, except the 3 posts of a
temporary-work agency)."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.employee import WorkPost
from app.models.member import Member
from app.services import ServiceError, employees


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def test_a_pcs_label_with_a_slash_is_a_valid_description_for_any_member(app):
    with app.app_context():
        post = employees.create_work_post(_member("10250"), "488a", "Chef de cuisine", "")
        assert post.description == "Maîtrise de restauration : cuisine/production"


def test_an_agency_lists_three_posts_at_most_in_the_description(app):
    with app.app_context():
        agency = _member("10252")
        three = employees.create_work_post(
            agency, "676a", "Préparateur de commandes", "Cariste/Magasinier/Manutentionnaire"
        )
        assert three.id is not None
        with pytest.raises(ServiceError) as refused:
            employees.create_work_post(
                agency, "676a", "Emballeur", "Cariste/Magasinier/Manutentionnaire/Emballeur"
            )
        assert refused.value.code == "too_many_posts_in_description"
        assert (
            db.session.scalar(select(WorkPost).where(WorkPost.designation == "Emballeur")) is None
        )


@pytest.mark.parametrize(
    ("designation", "code"),
    [("Resp. magasin", "designation_abbreviation"), ("", "designation_empty")],
)
def test_a_bad_designation_is_refused(app, designation, code):
    with app.app_context(), pytest.raises(ServiceError) as refused:
        employees.create_work_post(_member("10250"), "636c", designation, "")
    assert refused.value.code == code
