"""Duplicate visit requests (issue 8 item 9, issue 9 "Duplicate requests"): a second request
in progress (submitted, acknowledged or scheduled) for the same employee and exam type is refused
with a link to the first, and leaves no row, file or mail. Two identical forms posted at the same
moment give one request and one mail: the service checks first, the partial unique index
`uq_visit_request_open_exam` decides the race, and its violation gets the same message."""

import io
import threading

from lxml import html as lxml_html

from app.domain.visit_workflow import RequestStatus
from app.models.visit import VisitEvent, VisitRequest
from app.services import visits
from app.views.messages import MESSAGES
from tests.conftest import csrf_token
from tests.views.test_employees import alerts, logged_in
from tests.views.test_visit_attachments import wording
from tests.views.test_visits import (
    LIST,
    NEW,
    TEAM_EMAIL,
    count,
    outbox_mails,
    pdf_file,
    request_visit,
    requests_for,
    set_in_db,
    stored_contents,
)
from tests.views.test_visits import setting as setting  # noqa: F401 - fixture

SEE_IT = "See the request in progress"


def links(page: str) -> list[str]:
    """The links inside the flashed messages."""
    tree = lxml_html.fromstring(page)
    return tree.xpath("//div[contains(concat(' ', @class, ' '), ' alert ')]//a/@href")


def assert_refused_as_duplicate(app, response, first_id: int) -> None:
    assert response.status_code == 200
    (link,) = links(response.text)  # the list on the request's status, at its row
    assert link.startswith(f"{LIST}?status=") and link.endswith(f"#request-{first_id}")
    (shown,) = [a for a in alerts(response.text) if wording(MESSAGES["visit_duplicate"]) in a]
    assert wording(SEE_IT) in shown


def test_second_request_in_progress_is_refused_with_a_link_to_the_first(app, member, setting):
    exam = setting.exams["VIP_PER"]
    first = request_visit(member, setting.employee.id, exam, "", ("a.pdf", pdf_file()))
    assert first.status_code == 302
    (row,) = requests_for(app, setting.employee.id)
    files_before, events_before = stored_contents(app), count(app, VisitEvent)

    for status in (RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED, RequestStatus.SCHEDULED):
        set_in_db(app, VisitRequest, row.id, status=status)
        again = request_visit(member, setting.employee.id, exam, "", ("b.pdf", pdf_file("b")))
        assert_refused_as_duplicate(app, again, row.id)

    assert [r.id for r in requests_for(app, setting.employee.id)] == [row.id]
    assert (stored_contents(app), count(app, VisitEvent)) == (files_before, events_before)
    assert [m.recipient for m in outbox_mails(app)] == [TEAM_EMAIL]
    # The link lands on the first request in the member's list.
    listing = member.get(links(again.text)[0]).text
    assert lxml_html.fromstring(listing).xpath(f"//tr[@id='request-{row.id}']/@data-request")


def test_another_exam_or_a_closed_request_does_not_block(app, member, setting):
    vip, demande = setting.exams["VIP_PER"], setting.exams["DEMANDE"]
    assert request_visit(member, setting.employee.id, vip).status_code == 302
    assert request_visit(member, setting.employee.id, demande).status_code == 302
    first = requests_for(app, setting.employee.id)[0]

    for status in (RequestStatus.CANCELLED, RequestStatus.DONE, RequestStatus.ABSENT):
        set_in_db(app, VisitRequest, first.id, status=status)
        response = request_visit(member, setting.employee.id, vip)
        assert response.status_code == 302, alerts(response.text)
        newest = requests_for(app, setting.employee.id)[-1]
        set_in_db(app, VisitRequest, newest.id, status=status)

    assert len(requests_for(app, setting.employee.id)) == 5


def test_lost_race_at_the_index_gets_the_same_message_and_leaves_nothing(
    app, member, setting, monkeypatch
):
    """As if the second form had passed the check before the first was committed."""
    exam = setting.exams["VIP_PER"]
    assert request_visit(member, setting.employee.id, exam).status_code == 302
    (row,) = requests_for(app, setting.employee.id)
    files_before = stored_contents(app)
    check = visits.open_request_id
    calls = []

    def first_check_misses(employee_id, exam_type_id):
        calls.append(employee_id)
        return None if len(calls) == 1 else check(employee_id, exam_type_id)

    monkeypatch.setattr(visits, "open_request_id", first_check_misses)
    again = request_visit(member, setting.employee.id, exam, "", ("b.pdf", pdf_file()))

    assert len(calls) == 2  # the service's check, then the view's look-up after the rollback
    assert_refused_as_duplicate(app, again, row.id)
    assert [r.id for r in requests_for(app, setting.employee.id)] == [row.id]
    assert stored_contents(app) == files_before
    assert len(outbox_mails(app)) == 1


def test_two_identical_requests_posted_at_once_make_one_request_and_one_mail(app, setting):
    url = f"{NEW}?employee_id={setting.employee.id}"
    clients = [logged_in(app, "ets10250") for _ in range(2)]
    tokens = [csrf_token(client.get(url).text) for client in clients]
    files_before = stored_contents(app)
    barrier = threading.Barrier(2, timeout=30)
    responses, errors = [None, None], []

    def post(index: int) -> None:
        data = {
            "exam_type_id": str(setting.exams["VIP_PER"]),
            "description": "Reprise",
            "attachment": (io.BytesIO(pdf_file()), "a.pdf", "application/pdf"),
            "csrf_token": tokens[index],
        }
        try:
            barrier.wait()
            responses[index] = clients[index].post(url, data=data)
        except Exception as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=post, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(r.status_code for r in responses) == [200, 302]
    (row,) = requests_for(app, setting.employee.id)
    assert row.status is RequestStatus.SUBMITTED
    assert stored_contents(app) - files_before == {row.attachment_content_id}
    assert [m.recipient for m in outbox_mails(app)] == [TEAM_EMAIL]
    (refused,) = [r for r in responses if r.status_code == 200]
    assert_refused_as_duplicate(app, refused, row.id)
