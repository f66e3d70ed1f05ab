"""Portal: "Nos centres médicaux" (issue 12): every centre of the database under its sector in the
reference data's order, the mobile centre apart, the member's own centre and health team first,
tel: and geo: links, a summary counted from the rows, a cost in statements that does not grow with
the centres, and the rights: every member user opens it, the service's staff do not.

Expected values are computed here from the Centre rows, independently of app.services.centres."""

import re
from urllib.parse import unquote

from lxml import html as lxml_html
from sqlalchemy import select

from app.extensions import db
from app.models.centre import Centre, HealthTeam
from app.models.member import Member
from tests.views.test_employees import logged_in
from tests.views.test_member_home import set_rights
from tests.views.test_same_work import statements_of

URL = "/centres/"


def page_of(client):
    response = client.get(URL)
    assert response.status_code == 200
    return lxml_html.fromstring(response.text)


def _text(element) -> str:
    return " ".join(element.text_content().split())


def centres_in_db(app) -> list[Centre]:
    with app.app_context():
        rows = db.session.scalars(select(Centre).order_by(Centre.id)).all()
        db.session.expunge_all()
        return rows


def expected_sectors(app) -> dict[str, list[int]]:
    """{sector: [centre ids]} in order of first appearance, the mobile centre excluded."""
    sectors: dict[str, list[int]] = {}
    for centre in centres_in_db(app):
        if centre.sector != "MOBILE":
            sectors.setdefault(centre.sector, []).append(centre.id)
    return sectors


def listed_sectors(tree) -> dict[str, list[int]]:
    return {
        section.get("data-sector"): [
            int(article.get("data-centre-id")) for article in section.xpath(".//article")
        ]
        for section in tree.xpath("//section[@data-sector]")
    }


def member_of(app, number: str) -> Member:
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == number))
        db.session.expunge(member)
        return member


def test_every_centre_is_listed_under_its_sector_in_the_reference_order(app, member):
    tree = page_of(member)

    assert listed_sectors(tree) == expected_sectors(app)
    assert list(listed_sectors(tree))[:2] == ["SOMME OUEST", "SOMME NORD-EST"]
    mobile = tree.xpath("//section[contains(@class, 'centre-mobile')]//article")
    assert [_text(a.xpath(".//*[@class='centre-name']")[0]) for a in mobile] == ["CENTRE MOBILE"]
    beaucamps = tree.xpath("//section[@data-sector]//article[.//h4[.='BEAUCAMPS-LE-VIEUX']]")[0]
    assert "Secrétariat assuré par le centre de Dury" in _text(beaucamps)
    assert "10 rue Pierre Gaudefroy" in _text(beaucamps)
    assert not beaucamps.xpath(".//a[starts-with(@href, 'tel:')]")  # no phone of its own


def test_the_members_own_centre_and_team_come_first(app, member):
    own = member_of(app, "10250")
    tree = page_of(member)

    sections = tree.xpath("//section")
    assert "own-centre" in sections[0].get("class")
    first = sections[0]
    assert [int(a.get("data-centre-id")) for a in first.xpath(".//article")] == [own.centre_id]
    with app.app_context():
        team = db.session.get(HealthTeam, own.health_team_id)
        names = [f"{p.first_name} {p.last_name}" for p in team.professionals]
        team_name = team.name
    text = _text(first)
    assert team_name in text
    assert names and all(name in text for name in names)


def test_another_member_sees_its_own_centre_first(app):
    own = member_of(app, "10251")
    tree = page_of(logged_in(app, "ets10251"))

    first = tree.xpath("//section[contains(@class, 'own-centre')]")[0]
    assert [int(a.get("data-centre-id")) for a in first.xpath(".//article")] == [own.centre_id]
    assert own.centre_id != member_of(app, "10250").centre_id


def test_phones_are_tel_links_and_addresses_geo_links(app, member):
    tree = page_of(member)
    for centre in centres_in_db(app):
        article = tree.xpath(f"//section[@data-sector]//article[@data-centre-id='{centre.id}']")
        article = article or tree.xpath(f"//section//article[@data-centre-id='{centre.id}']")
        article = article[-1]
        tel = article.xpath(".//a[starts-with(@href, 'tel:')]")
        if centre.phone:
            digits = re.sub(r"\D", "", centre.phone)
            assert tel[0].get("href") == "tel:+33" + digits[1:]
            assert _text(tel[0]) == centre.phone
        else:
            assert not tel
        geo = article.xpath(".//a[starts-with(@href, 'geo:0,0?q=')]")
        if centre.address:
            href = geo[0].get("href")
            assert " " not in href
            query = unquote(href.removeprefix("geo:0,0?q="))
            assert query == f"{centre.address}, {centre.postal_code} {centre.city}"
            assert geo[0].get("title")  # says it opens the map application
        else:
            assert not geo
    assert not tree.xpath("//iframe")  # no embedded third-party map


def test_the_summary_counts_the_sites_and_the_mobile_centre_from_the_rows(app, member):
    def summary() -> list[int]:
        text = _text(page_of(member).xpath("//p[@class='centres-summary']")[0])
        return [int(number) for number in re.findall(r"\d+", text)]

    centres = centres_in_db(app)
    fixed = len([c for c in centres if c.sector != "MOBILE"])
    assert summary() == [fixed, 1]
    with app.app_context():
        db.session.add(Centre(name="NOUVEAU SITE", sector="SOMME NORD", city="RUE"))
        db.session.commit()
    assert summary() == [fixed + 1, 1]


def test_a_member_without_a_team_or_centre_still_gets_the_directory(app, member):
    own = member_of(app, "10250")
    with app.app_context():
        row = db.session.get(Member, own.id)
        row.centre_id = row.health_team_id = None
        db.session.commit()
    tree = page_of(member)
    first = tree.xpath("//section[contains(@class, 'own-centre')]")[0]
    assert not first.xpath(".//article")
    assert listed_sectors(tree) == expected_sectors(app)


def test_the_statements_do_not_grow_with_the_centres(app, member):
    member.get(URL)  # warm the caches of the session
    few = statements_of(app, lambda: member.get(URL))
    with app.app_context():
        for n in range(20):
            sector = "NOUVEAU SECTEUR" if n % 2 else "SOMME SUD-EST"
            db.session.add(
                Centre(
                    name=f"SITE {n}",
                    sector=sector,
                    address=f"{n} rue du Test",
                    postal_code="80000",
                    city="AMIENS",
                    phone="03 22 00 00 00",
                )
            )
        db.session.commit()
    many = statements_of(app, lambda: member.get(URL))
    assert many == few
    tree = page_of(member)
    assert len(listed_sectors(tree)["NOUVEAU SECTEUR"]) == 10
    assert listed_sectors(tree) == expected_sectors(app)


def test_a_collaborator_without_any_right_opens_it_from_its_home(app):
    set_rights(app, "ets10250.2")
    client = logged_in(app, "ets10250.2")
    home = lxml_html.fromstring(client.get("/").text)
    assert home.xpath("//div[contains(@class, 'portal-section')]//a[@href='/centres/']")
    # Not in the navbar (no room at 1280 px): in the footer of every page.
    assert not home.xpath("//nav[contains(@class, 'navbar')]//a[@href='/centres/']")
    assert home.xpath("//footer//p[@class='footer-centres']/a[@href='/centres/']")
    assert listed_sectors(page_of(client)) == expected_sectors(app)


def test_the_services_staff_and_anonymous_users_do_not_get_it(app, client):
    for username in ("gestion", "admin"):
        staff = logged_in(app, username)
        assert staff.get(URL).status_code in {403, 404}, username
        assert "/centres/" not in staff.get("/").text
    anonymous = client.get(URL)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_company_page_shows_the_same_health_team(app, member):
    page = member.get("/portalcompanyview/mine/", follow_redirects=True).text
    tree = lxml_html.fromstring(page)
    team = _text(tree.xpath("//div[contains(@class, 'health-team')]//ul")[0])
    own = _text(page_of(member).xpath("//section[contains(@class, 'own-centre')]//ul")[0])
    assert team == own and "MARTIN" in team
