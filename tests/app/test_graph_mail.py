"""The Graph mail client against a local stand-in for graph.microsoft.com.

:class:`FakeGraph` (``tests/support/fake_graph.py``) is a ``ThreadingHTTPServer`` on 127.0.0.1: the real
``httpx`` client sends real requests to it, and it records each one (method,
path, headers, body). It answers like Graph (sendMail 202, draft 201 with an
id, attachments 201, upload sessions with an ``uploadUrl`` on itself whose
PUTs it reassembles, send 202) unless a test scripts other answers first.
No request leaves this machine; the credential is a fake.
"""

from __future__ import annotations

import base64
import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from azure.core.credentials import AccessToken

from sla_app.documents import Attachment, RenderedReport
from sla_app.mail import DELIVERY_HEADER, Envelope, GraphMailer, MailError
from sla_app.mail.graph_client import GRAPH_SCOPE, UPLOAD_UNIT, RetryPolicy
from tests.support.fake_graph import DRAFT_ID, TOKEN, Answer, FakeCredential, FakeGraph, running

SENDER = "rapportage@example.org"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n" + b"pdf body " * 200
ODS = b"PK\x03\x04" + b"ods body " * 100
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"


def rendered(pdf: bytes = PDF) -> RenderedReport:
    """A report as the renderer would produce it: HTML with a cid: chart, text, PDF and ODS."""
    return RenderedReport(
        subject="SLA-rapportage oktober 2026 — Enschede",
        html='<html><body><h1>Oktober 2026</h1><img src="cid:chart-availability" alt="Beschikbaarheid"></body></html>',
        text="SLA-rapportage oktober 2026\nBeschikbaarheid: 99,95 %",
        inline_images={"chart-availability": PNG},
        attachments=(
            Attachment("sla-enschede-2026-10.pdf", "application/pdf", pdf),
            Attachment("sla-enschede-2026-10.ods", ODS_TYPE, ODS),
        ),
    )


ENVELOPE = Envelope("enschede", "2026-10", 3, ("ict@enschede.example", "kcc@enschede.example"), "claim0001")


class BrokenCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise RuntimeError("managed identity endpoint not available")


@pytest.fixture
def fake_graph() -> Iterator[FakeGraph]:
    yield from running(FakeGraph())


@dataclass
class Made:
    mailer: GraphMailer
    credential: FakeCredential
    sleeps: list[float]


def make_mailer(graph: FakeGraph, **kwargs: Any) -> Made:
    credential, sleeps = FakeCredential(), []
    mailer = GraphMailer(SENDER, credential=credential, base_url=graph.graph_url, sleep=sleeps.append, **kwargs)
    return Made(mailer, credential, sleeps)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- sendMail ----------------------------------------------------------------------------------------


def test_a_report_is_sent_with_one_sendmail_request_as_graph_documents_it(fake_graph: FakeGraph) -> None:
    made = make_mailer(fake_graph)
    receipt = made.mailer.send(ENVELOPE, rendered())

    [request] = fake_graph.requests
    assert (request.method, request.path) == ("POST", f"/v1.0/users/{SENDER}/sendMail")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert uuid.UUID(request.headers["client-request-id"])
    assert made.credential.scopes == [(GRAPH_SCOPE,)] and GRAPH_SCOPE == "https://graph.microsoft.com/.default"

    body = request.json()
    assert body["saveToSentItems"] is True
    message = body["message"]
    assert message["subject"] == "SLA-rapportage oktober 2026 — Enschede"
    assert message["body"] == {"contentType": "HTML", "content": rendered().html}
    assert message["toRecipients"] == [
        {"emailAddress": {"address": "ict@enschede.example"}},
        {"emailAddress": {"address": "kcc@enschede.example"}},
    ]
    assert message["internetMessageHeaders"] == [{"name": DELIVERY_HEADER, "value": "enschede/2026-10/v3/claim0001"}]
    inline, pdf, ods = message["attachments"]
    assert inline == {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": "chart-availability.png",
        "contentType": "image/png",
        "contentBytes": b64(PNG),
        "isInline": True,
        "contentId": "chart-availability",
    }
    assert 'src="cid:chart-availability"' in message["body"]["content"]
    assert pdf == {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": "sla-enschede-2026-10.pdf",
        "contentType": "application/pdf",
        "contentBytes": b64(PDF),
    }
    assert base64.b64decode(ods["contentBytes"]) == ODS and ods["contentType"] == ODS_TYPE and "isInline" not in ods

    assert receipt.mode == "graph" and receipt.reference == fake_graph.request_ids[0]
    assert receipt.detail["client_request_id"] == request.headers["client-request-id"]
    assert made.sleeps == []


def test_the_token_is_asked_for_lazily_and_no_default_credential_is_built_up_front() -> None:
    mailer = GraphMailer(SENDER)  # no credential, no client: nothing is created yet
    assert mailer._credential is None and mailer._client is None
    credential = FakeCredential()
    GraphMailer(SENDER, credential=credential)
    assert credential.scopes == []


def test_a_credential_failure_is_a_failure_before_anything_is_sent(fake_graph: FakeGraph) -> None:
    mailer = GraphMailer(SENDER, credential=BrokenCredential(), base_url=fake_graph.graph_url, sleep=lambda s: None)
    with pytest.raises(MailError) as caught:
        mailer.send(ENVELOPE, rendered())
    assert caught.value.outcome == "not_sent" and "access token" in str(caught.value)
    assert fake_graph.requests == []


# -- retries -----------------------------------------------------------------------------------------------


def test_throttling_429_is_retried_after_the_retry_after_seconds(fake_graph: FakeGraph) -> None:
    fake_graph.script("POST", "/sendMail$", Answer(429, {"Retry-After": "2"}))
    made = make_mailer(fake_graph)
    receipt = made.mailer.send(ENVELOPE, rendered())
    assert made.sleeps == [2.0]
    first, second = fake_graph.of("POST", "/sendMail$")
    assert first.body == second.body and second.headers["authorization"] == f"Bearer {TOKEN}"
    assert receipt.reference == fake_graph.request_ids[1]


def test_a_503_twice_on_a_request_that_sends_no_mail_is_retried_with_backoff(fake_graph: FakeGraph) -> None:
    fake_graph.script("POST", "/messages$", Answer(503), Answer(503))  # creating the draft of a large report
    made = make_mailer(fake_graph)
    made.mailer.send(ENVELOPE, rendered(pdf=b"x" * 3_500_000))
    assert len(fake_graph.of("POST", "/messages$")) == 3 and len(fake_graph.delivered) == 1
    assert made.sleeps == [1.0, 2.0]  # no Retry-After: exponential back-off


def test_retry_after_is_capped_and_may_be_an_http_date(fake_graph: FakeGraph) -> None:
    now = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    later = format_datetime(datetime(2026, 11, 1, 6, 0, 5, tzinfo=UTC), usegmt=True)
    fake_graph.script("POST", "/sendMail$", Answer(429, {"Retry-After": "3600"}), Answer(429, {"Retry-After": later}))
    made = make_mailer(fake_graph, now=lambda: now)
    made.mailer.send(ENVELOPE, rendered())
    assert made.sleeps == [120.0, 5.0]


def test_a_400_is_not_retried_and_fails_as_not_sent(fake_graph: FakeGraph) -> None:
    error = {"error": {"code": "ErrorInvalidRecipients", "message": "At least one recipient is not valid."}}
    fake_graph.script(
        "POST", "/sendMail$", Answer(400, {"Content-Type": "application/json"}, json.dumps(error).encode())
    )
    made = make_mailer(fake_graph)
    with pytest.raises(MailError) as caught:
        made.mailer.send(ENVELOPE, rendered())
    failure = caught.value
    assert (failure.outcome, failure.status, failure.code, failure.attempts) == (
        "not_sent",
        400,
        "ErrorInvalidRecipients",
        1,
    )
    assert failure.request_id == fake_graph.request_ids[0] and "not valid" in str(failure)
    assert len(fake_graph.requests) == 1 and made.sleeps == []


def test_retries_are_bounded(fake_graph: FakeGraph) -> None:
    fake_graph.script("POST", "/sendMail$", *[Answer(429)] * 10)
    made = make_mailer(fake_graph, retry=RetryPolicy(max_attempts=4))
    with pytest.raises(MailError) as caught:
        made.mailer.send(ENVELOPE, rendered())
    assert caught.value.status == 429 and caught.value.attempts == 4 and caught.value.outcome == "not_sent"
    assert len(fake_graph.requests) == 4 and made.sleeps == [1.0, 2.0, 4.0]


def test_the_total_wait_is_bounded(fake_graph: FakeGraph) -> None:
    fake_graph.script("POST", "/sendMail$", *[Answer(429, {"Retry-After": "100"})] * 5)
    made = make_mailer(fake_graph, retry=RetryPolicy(max_attempts=10, max_total_wait=250))
    with pytest.raises(MailError) as caught:
        made.mailer.send(ENVELOPE, rendered())
    assert made.sleeps == [100.0, 100.0] and "budget" in str(caught.value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_is_retried_because_nothing_was_sent() -> None:
    sleeps: list[float] = []
    mailer = GraphMailer(
        SENDER,
        credential=FakeCredential(),
        base_url=f"http://127.0.0.1:{free_port()}/v1.0",
        sleep=sleeps.append,
        retry=RetryPolicy(max_attempts=3),
    )
    with pytest.raises(MailError) as caught:
        mailer.send(ENVELOPE, rendered())
    assert caught.value.outcome == "not_sent" and "ConnectError" in str(caught.value)
    assert sleeps == [1.0, 2.0]


def test_no_answer_to_a_send_is_an_unknown_outcome_and_is_not_retried(fake_graph: FakeGraph) -> None:
    fake_graph.script("POST", "/sendMail$", Answer(202, delay=1.5))
    made = make_mailer(fake_graph, timeout=httpx.Timeout(0.5))
    with pytest.raises(MailError) as caught:
        made.mailer.send(ENVELOPE, rendered())
    assert caught.value.outcome == "unknown" and caught.value.unknown
    assert len(fake_graph.requests) == 1 and made.sleeps == []


# -- outcome unknown: a send that may have reached Graph is never repeated --------------------------


UNKNOWN_OUTCOMES = [
    pytest.param([Answer(504, accepted=True), Answer(202)], id="504 after Graph accepted the message, then 202"),
    pytest.param([Answer(502, accepted=True)] * 3 + [Answer(202)], id="502 three times after acceptance, then 202"),
    pytest.param([Answer(500), Answer(202)], id="500 internal server error"),
    pytest.param([Answer(503, {"Retry-After": "1"}), Answer(202)], id="503 even with Retry-After"),
    pytest.param([Answer(202, reset=True), Answer(202)], id="connection reset after the request was sent"),
]


@pytest.mark.parametrize("answers", UNKNOWN_OUTCOMES)
def test_a_send_that_may_have_reached_graph_is_an_unknown_outcome_and_never_repeated(
    fake_graph: FakeGraph, answers: list[Answer]
) -> None:
    fake_graph.script("POST", "/sendMail$", *answers)
    made = make_mailer(fake_graph)
    with pytest.raises(MailError) as caught:
        made.mailer.send(ENVELOPE, rendered())
    assert caught.value.outcome == "unknown" and caught.value.unknown and "may have been sent" in str(caught.value)
    assert len(fake_graph.of("POST", "/sendMail$")) == 1, "never retried automatically"
    assert len(fake_graph.delivered) <= 1 and made.sleeps == []


def test_a_504_to_sending_a_draft_is_an_unknown_outcome_and_the_draft_is_kept(fake_graph: FakeGraph) -> None:
    fake_graph.script("POST", "/send$", Answer(504, accepted=True), Answer(202))
    made = make_mailer(fake_graph)
    with pytest.raises(MailError) as caught:
        made.mailer.send(ENVELOPE, rendered(pdf=b"x" * 3_500_000))
    assert caught.value.outcome == "unknown" and caught.value.status == 504
    assert len(fake_graph.of("POST", "/send$")) == 1 and len(fake_graph.delivered) == 1
    assert fake_graph.of("DELETE", "/messages/") == [], "the draft may be the sent message: never deleted"


PROVEN_NOT_ACCEPTED = [
    pytest.param([Answer(429, {"Retry-After": "3"})], [3.0], id="429 with Retry-After"),
    pytest.param([Answer(429), Answer(429)], [1.0, 2.0], id="429 twice without Retry-After"),
]


@pytest.mark.parametrize(("answers", "sleeps"), PROVEN_NOT_ACCEPTED)
def test_an_answer_that_proves_the_message_was_not_accepted_is_retried_and_sends_once(
    fake_graph: FakeGraph, answers: list[Answer], sleeps: list[float]
) -> None:
    fake_graph.script("POST", "/sendMail$", *answers)
    made = make_mailer(fake_graph)
    made.mailer.send(ENVELOPE, rendered())
    assert len(fake_graph.delivered) == 1 and made.sleeps == sleeps


# -- large attachments: draft + upload session -------------------------------------------------------------


def test_a_4_mb_attachment_goes_through_a_draft_and_an_upload_session(fake_graph: FakeGraph) -> None:
    big = bytes(range(256)) * (4 * 1024 * 1024 // 256)  # 4 MiB
    made = make_mailer(fake_graph)
    receipt = made.mailer.send(ENVELOPE, rendered(pdf=big))

    steps = [(r.method, r.path.split("?")[0]) for r in fake_graph.requests]
    base = f"/v1.0/users/{SENDER}/messages"
    assert steps == [
        ("POST", base),
        ("POST", f"{base}/{DRAFT_ID}/attachments"),  # the inline chart (small)
        ("POST", f"{base}/{DRAFT_ID}/attachments/createUploadSession"),  # the 4 MiB PDF
        ("PUT", "/upload/s1"),
        ("PUT", "/upload/s1"),
        ("POST", f"{base}/{DRAFT_ID}/attachments"),  # the ODS (small)
        ("POST", f"{base}/{DRAFT_ID}/send"),
    ]
    draft, chart, session, put1, put2, ods, send = fake_graph.requests
    assert draft.json()["subject"] == rendered().subject and "attachments" not in draft.json()
    assert draft.json()["internetMessageHeaders"][0]["name"] == DELIVERY_HEADER
    assert chart.json()["isInline"] is True and chart.json()["contentId"] == "chart-availability"
    assert session.json() == {
        "AttachmentItem": {
            "attachmentType": "file",
            "name": "sla-enschede-2026-10.pdf",
            "size": len(big),
            "contentType": "application/pdf",
        }
    }
    assert put1.headers["content-range"] == f"bytes 0-3276799/{len(big)}"
    assert put2.headers["content-range"] == f"bytes 3276800-{len(big) - 1}/{len(big)}"
    assert len(put1.body) % UPLOAD_UNIT == 0 and len(put1.body) < 4 * 1024 * 1024
    for put in (put1, put2):
        assert "authorization" not in put.headers, "the upload URL is pre-authenticated: no token there"
        assert put.headers["content-type"] == "application/octet-stream"
        assert int(put.headers["content-length"]) == len(put.body)
    assert put1.path.endswith("?authtoken=opaque"), "the uploadUrl is used as returned"
    assert bytes(fake_graph.uploads["s1"]) == big
    assert base64.b64decode(ods.json()["contentBytes"]) == ODS
    for request in (draft, chart, session, ods, send):
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert send.body == b"" and send.headers["content-length"] == "0"
    assert receipt.detail["via"] == "draft" and receipt.detail["message_id"] == DRAFT_ID
    assert receipt.reference == fake_graph.request_ids[-1]


def test_a_failed_upload_deletes_the_draft_and_sends_nothing(fake_graph: FakeGraph) -> None:
    big = b"x" * (3_500_000)
    fake_graph.script(
        "PUT",
        "^/upload/",
        Answer(400, {"Content-Type": "application/json"}, b'{"error":{"code":"invalidRequest","message":"no"}}'),
    )
    made = make_mailer(fake_graph)
    with pytest.raises(MailError) as caught:
        made.mailer.send(ENVELOPE, rendered(pdf=big))
    assert caught.value.outcome == "not_sent"
    assert fake_graph.of("POST", "/send$") == []
    [delete] = fake_graph.of("DELETE", f"/messages/{DRAFT_ID}$")
    assert delete.headers["authorization"] == f"Bearer {TOKEN}"


def test_chunk_sizes_must_be_multiples_of_320_kib() -> None:
    with pytest.raises(ValueError, match="320"):
        GraphMailer(SENDER, chunk_size=1_000_000)


def test_the_reply_to_of_the_report_is_the_messages_reply_to() -> None:
    from dataclasses import replace

    from sla_app.mail.graph_payload import graph_message

    report = replace(rendered(), reply_to="servicedesk@stratech.example")
    message = graph_message(ENVELOPE, report, None)
    assert message["replyTo"] == [{"emailAddress": {"address": "servicedesk@stratech.example"}}]
    assert "replyTo" not in graph_message(ENVELOPE, rendered(), None)
