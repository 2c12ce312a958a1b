"""The local outbox writes standard .eml files a mail client (or the email package) opens."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from sla_app.mail import DELIVERY_HEADER, Envelope, MailError, Outbox
from tests.app.test_graph_mail import ODS, ODS_TYPE, PDF, PNG, rendered

ENVELOPE = Envelope("enschede", "2026-10", 2, ("ict@enschede.example", "kcc@enschede.example"), "c0ffee")
NOW = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def parse(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(message, EmailMessage)
    return message


def test_the_message_is_written_as_tenant_month_version_eml(tmp_path: Path) -> None:
    receipt = Outbox(tmp_path / "outbox", "rapportage@example.org", lambda: NOW).send(ENVELOPE, rendered())
    path = tmp_path / "outbox" / "enschede-2026-10-v2.eml"
    assert receipt.mode == "outbox" and receipt.reference == str(path) and path.is_file()
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == ["enschede-2026-10-v2.eml"]


def test_the_eml_has_text_html_inline_images_by_content_id_and_the_attachments(tmp_path: Path) -> None:
    path = Path(Outbox(tmp_path, "rapportage@example.org", lambda: NOW).send(ENVELOPE, rendered()).reference)
    message = parse(path)

    assert message["From"] == "rapportage@example.org"
    assert message["To"] == "ict@enschede.example, kcc@enschede.example"
    assert message["Subject"] == "SLA-rapportage oktober 2026 — Enschede"
    assert message["Date"].datetime == NOW
    assert message[DELIVERY_HEADER] == "enschede/2026-10/v2/c0ffee"
    assert message["Message-ID"].endswith("@example.org>")
    assert message.get_content_type() == "multipart/mixed"

    alternative = message.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    plain, related = alternative.get_payload()
    assert plain.get_content_type() == "text/plain" and "99,95 %" in plain.get_content()
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html" and 'src="cid:chart-availability"' in html.get_content()
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == "<chart-availability>"
    assert image.get_content_disposition() == "inline"
    assert image.get_content() == PNG

    assert message.get_body(preferencelist=("html",)) is html
    assert message.get_body(preferencelist=("plain",)) is plain
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(attachments) == {"sla-enschede-2026-10.pdf", "sla-enschede-2026-10.ods"}
    assert attachments["sla-enschede-2026-10.pdf"].get_content_type() == "application/pdf"
    assert attachments["sla-enschede-2026-10.pdf"].get_content() == PDF
    assert attachments["sla-enschede-2026-10.ods"].get_content_type() == ODS_TYPE
    assert attachments["sla-enschede-2026-10.ods"].get_content() == ODS


def test_an_earlier_file_is_never_overwritten(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path, "rapportage@example.org", lambda: NOW)
    first = Path(outbox.send(ENVELOPE, rendered()).reference)
    before = first.read_bytes()
    second = Path(outbox.send(ENVELOPE, rendered()).reference)
    assert second.name == "enschede-2026-10-v2-2.eml" and first.read_bytes() == before


def test_unsafe_characters_do_not_reach_the_file_name(tmp_path: Path) -> None:
    envelope = Envelope("../etc/passwd", "2026-10", 1, ("a@example.org",), "x")
    path = Path(Outbox(tmp_path, "rapportage@example.org", lambda: NOW).send(envelope, rendered()).reference)
    assert path.parent == tmp_path and path.name == "_etc_passwd-2026-10-v1.eml"


def test_a_message_without_recipients_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MailError):
        Outbox(tmp_path, "rapportage@example.org").send(Envelope("enschede", "2026-10", 1, (), "x"), rendered())
    assert list(tmp_path.iterdir()) == []


def test_replies_go_to_the_reply_to_of_the_report(tmp_path: Path) -> None:
    from dataclasses import replace

    report = replace(rendered(), reply_to="servicedesk@stratech.example")
    message = parse(Path(Outbox(tmp_path, "rapportage@example.org", lambda: NOW).send(ENVELOPE, report).reference))
    assert message["Reply-To"] == "servicedesk@stratech.example"
    plain = parse(
        Path(Outbox(tmp_path / "b", "rapportage@example.org", lambda: NOW).send(ENVELOPE, rendered()).reference)
    )
    assert plain["Reply-To"] is None
