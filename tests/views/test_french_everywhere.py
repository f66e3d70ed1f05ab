"""No English and no raw code on the pages a French user sees (issue 9, "English and raw codes
left"): the administrator, service staff, a member's portal administrator and a collaborator each
walk every page their menus lead to, and one page of each kind those pages link to (a record, a
form, the next page of a list), and every visible text and every text given to assistive
technologies (title, aria-label, alt, placeholder) is checked against English words of FAB's and
ours and against raw codes (snake_case, a role's `right.x.y`, an enum's repr, "None")."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html as lxml_html

from tests.views.test_employees import logged_in

USERS = ("admin", "gestion", "ets10250", "ets10250.2")

# English words FAB or an untranslated msgid would show (whole words, case-sensitive: "Actions",
# "Contacts", "Code", "Documents", "Message" or "Page" are French too and are not listed).
ENGLISH = re.compile(
    r"(?<![\w-])(Cancel|None|True|False|Search|Add|Edit|Delete|Show|Save|Back|Home|Login|Logout|"
    r"Log in|Sign In|Profile|Users?|Roles?|Password|Please|Record|Records|Select|Submit|Filters?|"
    r"Yes|No|List|Detail|Details|Security|Previous|Next|First|Last|Page size|Order by|Not found|"
    r"Access is Denied|Email|Name|Status|Employees?|Members?|Visits?|Requests?|Reports?|Company|"
    r"Settings|Language|Welcome|Error|Unlock|Reset|Change|New|Loading|Close|Open|Download|"
    r"Export|Import|Upload|Required|Optional|Invalid|the|and|of|with|your|for|to|from|is|are|"
    r"this|that|has|been)(?![\w-])"
)
RAW_CODE = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b"  # snake_case: member_to_service, rights_changed
    r"|\bright\.[a-z_.]+"  # a role's name: right.employees.read
    r"|\b[A-Z][A-Za-z]+\.[A-Z][A-Z_]+\b"  # an enum's repr: RequestStatus.SUBMITTED
    r"|\bMemberAdmin\b|^(?:Member|Staff|Admin|Public)$"  # role names
)
SKIPPED_TEXT = {"script", "style", "noscript", "template"}
ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")
# Routes never followed: they act (GET delete and action routes are CSRF-protected anyway),
# download files, switch the language or end the session.
SKIPPED = re.compile(
    r"/(delete|action|action_post|logout|lang|download|export|static|appbuilder)(/|\.|$)"
    r"|\.(xlsx|xml|pdf|csv)$|/access/"
)
PER_USER = 120  # pages walked per user at most (the whole menu and one page of each kind)


def visible_texts(tree) -> list[str]:
    texts = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in SKIPPED_TEXT:
            continue
        if element.get("class") and "hidden" in element.get("class").split():
            continue
        for attribute in ATTRIBUTES:
            if element.get(attribute):
                texts.append(element.get(attribute))
        if element.tag == "input" and element.get("type") in {"submit", "button"}:
            texts.append(element.get("value") or "")
        if element.tag == "option" or element.text:
            texts.append(element.text or "")
        parent = element.getparent()
        if element.tail and parent is not None and parent.tag not in SKIPPED_TEXT:
            texts.append(element.tail)
    return [" ".join(text.split()) for text in texts if text and text.strip()]


UNACCENTED = re.compile(r"\b(Etablissement|Echeance|Element|Equipe)s?\b")  # É lost


def problems(text: str) -> list[str]:
    found = [f"English {m.group(0)!r}" for m in ENGLISH.finditer(text)]
    found += [f"accent missing {m.group(0)!r}" for m in UNACCENTED.finditer(text)]
    found += [f"raw code {m.group(0)!r}" for m in RAW_CODE.finditer(text)]
    return found


def _kind(path: str) -> str:
    """Pages of one kind differ by their ids: /employees/12/edit and /employees/13/edit."""
    return re.sub(r"\d+", "N", path)


def _links(tree, base: str) -> list[str]:
    found = []
    for href in tree.xpath("//a/@href"):
        url = urlsplit(urljoin(base, href))
        if url.netloc not in ("", "localhost") or not url.path.startswith("/"):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def walk(client) -> dict[str, list[str]]:
    """Every page reached from the home page (breadth first, one page of each kind), with the
    English and raw codes found on it."""
    queue, seen_kinds, report = ["/"], set(), {}
    while queue and len(report) < PER_USER:
        url = queue.pop(0)
        kind = _kind(urlsplit(url).path) + ("?" if "?" in url else "")
        if kind in seen_kinds or SKIPPED.search(urlsplit(url).path):
            continue
        seen_kinds.add(kind)
        response = client.get(url, follow_redirects=True)
        if response.mimetype != "text/html":
            continue
        tree = lxml_html.fromstring(response.get_data(as_text=True))
        found = [f"{p} in {t!r}" for t in visible_texts(tree) for p in problems(t)]
        title = tree.findtext(".//title") or ""
        found += [f"{p} in <title>" for p in problems(title)]
        report[url] = found
        queue.extend(_links(tree, url))
    return report


def test_problems_are_found():
    """The checks themselves: FAB's English, enum codes and role names are caught; French is not."""
    assert problems("Cancel") and problems("None") and problems("member_to_service")
    assert problems("right.employees.read") and problems("RequestStatus.SUBMITTED")
    assert problems("Record Count") and problems("MemberAdmin") and problems("Admin")
    assert not problems("Back-office") and not problems("Admin Salariés")
    assert problems("Etablissement") and not problems("Établissement")
    assert not problems("Annuler la demande de visite — 3 salariés, Établissement : Amiens")
    tree = lxml_html.fromstring('<div><a title="Delete">x</a><script>var None;</script></div>')
    assert visible_texts(tree) == ["Delete", "x"]


@pytest.mark.parametrize("username", USERS)
def test_every_page_is_in_french(app, username):
    report = walk(logged_in(app, username))
    assert len(report) > 3, f"{username} reached only {list(report)}"
    bad = {url: found for url, found in report.items() if found}
    listing = "\n".join(f"{url}: {'; '.join(sorted(set(found)))}" for url, found in bad.items())
    assert not bad, f"{username} sees English or raw codes:\n{listing}"
