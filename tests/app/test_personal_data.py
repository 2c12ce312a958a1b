"""No personal data anywhere (measurement §8.3, SLA §5.2.1, AVG).

The defect: unmapped statuses were stored verbatim ("Wachten op Piet de Vries
(p.devries@…)"), ticket ids carried names ("TEST-2 Jansen"), and 19 of 107
stored fields held personal data, which flowed into the report JSON, the
e-mail and the PDF.

Here a TOPdesk incident with every field of TOPdesk's incident API (the
public API's incident object) and Jira issues are posted with names, e-mail
addresses, phone numbers, a BSN and an IBAN in every free-text field, in the
status and in the id; a canonical event carries them in its status; an
admin whose name is an e-mail address records an exclusion. Then every table,
the report JSON, the reader API, the e-mail (``.eml``, every part decoded),
the PDF (its text) and the spreadsheet are scanned: no hit. Ids carrying a
name are refused (422), statuses are kept as their class.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from sla_app.bootstrap import AppContext
from sla_app.http.auth import encode_principal, sign_timestamped
from sla_app.mail import Outbox
from sla_app.records import TenantRecord
from sla_core.periods import Month
from tests.app import test_jira as jira
from tests.app import test_topdesk as topdesk
from tests.support.app import FixedClock, call_http

OCTOBER = Month(2026, 10)
NAME, OPERATOR, EMAIL = "Jan Jansen", "Piet de Vries", "jan.jansen@enschede.nl"
PHONE, MOBILE, BSN, IBAN = "053 481 0000", "06-12345678", "123456782", "NL91ABNA0417164300"
ADMIN_EMAIL = "p.devries@stratech.example"
PERSONAL = (NAME, OPERATOR, EMAIL, PHONE, MOBILE, BSN, IBAN)
ALL_OF_IT = f"{NAME} ({EMAIL}, tel. {PHONE} / {MOBILE}, BSN {BSN}, IBAN {IBAN}); behandelaar {OPERATOR}"


def hits(text: str, needles: tuple[str, ...] = PERSONAL) -> list[str]:
    """The personal data found in ``text`` (case-insensitive; digits also with spaces and dashes removed)."""
    folded = text.casefold()
    digits = re.sub(r"[\s-]", "", text)
    found = [n for n in needles if n.casefold() in folded]
    found += [n for n in needles if re.fullmatch(r"[\d\s-]+", n) and re.sub(r"[\s-]", "", n) in digits]
    found += [n for n in ("Jansen", "de Vries") if n.casefold() in folded]
    return sorted(set(found))


def person(with_ids: bool = True) -> dict[str, Any]:
    data = {
        "dynamicName": ALL_OF_IT,
        "phoneNumber": PHONE,
        "mobileNumber": MOBILE,
        "fax": PHONE,
        "email": EMAIL,
        "employeeNumber": BSN,
        "networkLoginName": "jjansen",
        "department": {"id": "d-1", "name": ALL_OF_IT},
        "budgetHolder": {"id": "b-1", "name": ALL_OF_IT},
        "location": {"id": "l-1", "name": ALL_OF_IT},
        "branch": {"id": "br-1", "name": "Gemeente Enschede", "clientReferenceNumber": IBAN},
        "personExtraFieldA": {"id": "x", "name": ALL_OF_IT},
        "personExtraFieldB": {"id": "y", "name": ALL_OF_IT},
    }
    return {"id": "c-1", **data} if with_ids else data


def topdesk_incident(modified: str, **changes: Any) -> dict[str, Any]:
    """Every field of TOPdesk's incident object, free text full of personal data."""
    named = {"id": "n-1", "name": ALL_OF_IT}
    optional = {
        f"{kind}{i}": value
        for i in range(1, 6)
        for kind, value in (
            ("boolean", False),
            ("number", 0),
            ("date", None),
            ("text", ALL_OF_IT),
            ("memo", ALL_OF_IT),
            ("searchlist", named),
        )
    }
    data = topdesk.incident(
        status="secondLine",
        request=ALL_OF_IT,
        requests="/tas/api/incidents/id/x/requests",
        action=ALL_OF_IT,
        attachments="/tas/api/incidents/id/x/attachments",
        caller=person(),
        callerBranch={"id": "br-1", "name": "Gemeente Enschede", "clientReferenceNumber": IBAN},
        callerLocation=named,
        branchExtraFieldA=named,
        branchExtraFieldB=named,
        briefDescription=f"{NAME} {MOBILE} kan niet inloggen",
        externalNumber=BSN,
        subcategory=named,
        entryType={"id": "e-1", "name": "E-mail"},
        object={"id": "o-1", "name": ALL_OF_IT},
        asset={"id": "a-1"},
        branch={"id": "br-1", "name": "Gemeente Enschede"},
        location=named,
        impact={"id": "i-1", "name": "Persoon"},
        urgency={"id": "u-1", "name": "Kan niet werken"},
        duration={"id": "du-1", "name": "4 uur"},
        targetDate=topdesk.td("2026-10-05 17:00"),
        sla={"id": "s-1"},
        onHoldDuration=0,
        feedbackMessage=ALL_OF_IT,
        feedbackRating=None,
        operator={"id": "op-1", "status": "operator", "name": ALL_OF_IT},
        operatorGroup={"id": "og-1", "name": ALL_OF_IT},
        supplier={"id": "sup-1", "name": ALL_OF_IT},
        closureCode={"id": "cc-1", "name": ALL_OF_IT},
        timeSpent=0,
        timeSpentFirstLine=0,
        timeSpentSecondLineAndPartials=0,
        costs=0,
        escalationStatus=None,
        escalationReason=named,
        escalationOperator=named,
        creator={"id": "cr-1", "name": ALL_OF_IT},
        modifier={"id": "m-1", "name": ALL_OF_IT},
        majorCall=False,
        majorCallObject=None,
        publishToSsd=False,
        monitored=False,
        expectedTimeSpent=0,
        mainIncident=None,
        partialIncidents=[],
        optionalFields1=optional,
        optionalFields2={**optional, "boolean1": False},
        externalLinks=[{"id": ALL_OF_IT, "type": 1, "date": topdesk.td("2026-10-05 09:00")}],
        modificationDate=topdesk.td(modified),
    )
    data.update(changes)
    return data


def topdesk_story() -> list[dict[str, Any]]:
    """Opened; waiting on a named person (an unmapped status full of personal data); responded; completed."""
    waiting = {"id": "ps-9", "name": f"Wachten op {ALL_OF_IT}"}
    return [
        topdesk_incident("2026-10-05 09:00"),
        topdesk_incident(
            "2026-10-05 09:20", processingStatus=waiting, responded=True, responseDate=topdesk.td("2026-10-05 09:20")
        ),
        topdesk_incident(
            "2026-10-05 11:00",
            processingStatus={"id": "ps-3", "name": f"Doorgezet naar {ALL_OF_IT}"},
            responded=True,
            responseDate=topdesk.td("2026-10-05 09:20"),
        ),
        topdesk_incident(
            "2026-10-05 12:00",
            processingStatus=topdesk.named("Afgemeld"),
            responded=True,
            responseDate=topdesk.td("2026-10-05 09:20"),
            completed=True,
            completedDate=topdesk.td("2026-10-05 12:00"),
        ),
    ]


def jira_issue(at: str, status: str, **kwargs: Any) -> dict[str, Any]:
    data = jira.issue(at, status=status, **{"key": "SD-77", **kwargs})
    fields = data["issue"]["fields"]
    fields.update(
        summary=ALL_OF_IT,
        description=ALL_OF_IT,
        environment=ALL_OF_IT,
        reporter={"displayName": ALL_OF_IT, "emailAddress": EMAIL},
        comment={"comments": [{"body": ALL_OF_IT, "author": {"displayName": OPERATOR}}]},
        customfield_10010={"requestType": {"name": ALL_OF_IT}},
        labels=[f"belt-{MOBILE}"],
    )
    data["user"] = {"displayName": ALL_OF_IT, "emailAddress": EMAIL}
    data["changelog"] = {"items": [{"field": "status", "fromString": ALL_OF_IT, "toString": ALL_OF_IT}]}
    return data


def jira_story() -> list[dict[str, Any]]:
    return [
        jira_issue("2026-10-06 09:00", "Open", webhook_event="jira:issue_created"),
        jira_issue("2026-10-06 09:10", f"Wachten op {NAME} ({EMAIL})"),
        jira_issue("2026-10-06 10:00", "In Progress"),
        jira_issue("2026-10-06 11:00", "Resolved", resolved="2026-10-06 11:00"),
    ]


def canonical_events() -> list[dict[str, Any]]:
    base = {
        "tenant": "enschede",
        "ticket_id": "M2610-0077",
        "type": "incident",
        "priority": "hoog",
        "scope": "applicatie",
    }
    return [
        {**base, "event_id": "c-1", "kind": "opened", "occurred_at": "2026-10-07T09:00:00+02:00", "status": "nieuw"},
        {
            **base,
            "event_id": "c-2",
            "kind": "updated",
            "occurred_at": "2026-10-07T09:30:00+02:00",
            "status": f"Wachten op {NAME}, {MOBILE}",
        },
        {
            **base,
            "event_id": "c-3",
            "kind": "responded",
            "occurred_at": "2026-10-07T10:00:00+02:00",
            "status": f"Bij {OPERATOR} ({IBAN})",
        },
    ]


def every_table(ctx: AppContext) -> dict[str, list[dict[str, Any]]]:
    """Every entity of every table of this test's ctx."""
    prefix = ctx.store._prefix
    tables = [t.name for t in ctx.store._service.list_tables() if t.name.startswith(prefix)]
    assert len(tables) >= 4, tables
    return {name: [dict(e) for e in ctx.store._service.get_table_client(name).list_entities()] for name in tables}


def eml_texts(path: Path) -> list[str]:
    """Every part of an e-mail decoded: headers, HTML and text bodies, the PDF's text, the spreadsheet's XML."""
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    texts = ["\n".join(f"{k}: {v}" for k, v in message.items())]
    for part in message.walk():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        kind = part.get_content_type()
        if kind == "application/pdf":
            texts.append(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
        elif kind == "application/vnd.oasis.opendocument.spreadsheet":
            with zipfile.ZipFile(io.BytesIO(data)) as ods:
                texts.extend(
                    ods.read(name).decode("utf-8", "replace") for name in ods.namelist() if name.endswith(".xml")
                )
        elif kind.startswith("text/"):
            texts.append(data.decode(part.get_content_charset() or "utf-8", "replace"))
    return texts


@pytest.fixture
def posted(ctx: AppContext, tenants: list[str], clock: FixedClock) -> None:
    """Everything posted through the real routes, with personal data wherever a sender could put it."""
    for payload in topdesk_story():
        reply = topdesk.post(payload)
        assert reply.status == 200, reply.body
    for payload in jira_story():
        reply = jira.post(payload)
        assert reply.status == 200, reply.body
    clock.now = datetime(2026, 10, 7, 9, 0, tzinfo=UTC)
    body = json.dumps(canonical_events()).encode()
    headers = sign_timestamped(ctx.settings.webhook_secret_events, body, int(clock.now.timestamp()))
    assert call_http("post_ticket_events", body=body, headers=headers).status == 200
    admin = {"X-MS-CLIENT-PRINCIPAL": encode_principal(ADMIN_EMAIL, ["SLA.Admin"])}
    exclusion = {"start": "2026-10-08T10:00:00+02:00", "end": "2026-10-08T11:00:00+02:00", "reason": "storing Azure"}
    reply = call_http("tenant_exclusions", body=exclusion, headers=admin, route_params={"tenant": "enschede"})
    assert reply.status == 201, reply.body
    record = ctx.admin.tenant("enschede")
    assert record is not None
    ctx.admin.put_tenant(
        TenantRecord(tenant="enschede", go_live=record.go_live, recipients=("contractbeheer@enschede.example",))
    )


def test_ids_carrying_names_are_refused_and_nothing_is_stored(ctx: AppContext, tenants: list[str]) -> None:
    assert topdesk.post(topdesk_incident("2026-10-05 09:00", number="I 2610 042 Jansen")).body["field"] == "number"
    reply = jira.post(jira_issue("2026-10-06 09:00", "Open", webhook_event="jira:issue_created", key="TEST-2 Jansen"))
    assert (reply.status, reply.body["field"]) == (422, "issue.key")
    assert ctx.events.of_tenant("enschede") == [] and topdesk.stored_readings(ctx) == []


def test_no_personal_data_in_any_table_report_email_or_pdf(
    ctx: AppContext, posted: None, clock: FixedClock, tmp_path: Path
) -> None:
    assert hits(ALL_OF_IT) == sorted({*PERSONAL, "Jansen", "de Vries"})  # the scanner finds what it looks for
    stored = every_table(ctx)
    ticket_rows = stored[ctx.store._prefix + "ticketevents"]
    statuses = {row.get("status") for row in ticket_rows} - {None}
    assert statuses <= {"nieuw", "in behandeling", "opgelost", "wachten op …", "overig"}, statuses
    assert {"wachten op …", "overig"} <= statuses  # the personal statuses were classed, not dropped
    assert {row["ticket_id"] for row in ticket_rows if "ticket_id" in row} == {"I-2610-042", "SD-77", "M2610-0077"}
    audit = ctx.store._prefix + "audit"
    for table, rows in stored.items():
        assert hits(json.dumps(rows, default=str)) == [], table
        if table != audit:
            assert hits(json.dumps(rows, default=str), (ADMIN_EMAIL,)) == [], table

    clock.now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # well after the delivery deadline
    ctx.monthly.compute("enschede", OCTOBER)
    report = ctx.reports.latest("enschede", str(OCTOBER))
    assert report is not None
    measured = {o["ticket_id"] for o in report.body["outcomes"]}
    assert measured == {"I-2610-042", "SD-77", "M2610-0077"}, report.body["outcomes"]
    reader = {"X-MS-CLIENT-PRINCIPAL": encode_principal("lezer@enschede.example", ["SLA.Reader"], ["enschede"])}
    api = call_http(
        "get_report", method="GET", headers=reader, route_params={"tenant": "enschede", "month": str(OCTOBER)}
    )
    assert api.status == 200
    for name, text in (("report JSON", json.dumps(report.body)), ("reader API", json.dumps(api.body))):
        assert hits(text, (*PERSONAL, ADMIN_EMAIL)) == [], name
    assert api.body["report"]["exclusions"][0]["recorded_by"] == "SLA.Admin"

    ctx.mailer = Outbox(tmp_path, ctx.settings.mail_sender, ctx.clock)
    outcomes = ctx.delivery.deliver_month(OCTOBER, tenants=["enschede"])
    assert [o.outcome for o in outcomes] == ["sent"], outcomes
    [eml] = list(tmp_path.glob("*.eml"))
    texts = eml_texts(eml)
    assert sum("I-2610-042" in t for t in texts) >= 2  # the tickets are in the mail and its attachments
    for text in texts:
        assert hits(text, (*PERSONAL, ADMIN_EMAIL)) == [], text[:200]
