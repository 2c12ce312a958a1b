"""The drill's verdict and its stand-ins for Azure Monitor and Graph, on their own (no Azurite)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from sla_app.adapters.monitor_logs import MonitorResultsSource
from sla_app.mail import Envelope, GraphMailer, MailError
from sla_core.periods import Month, day_bounds
from tests.drill.drill_check import Verdict, delivery_deadline, judge
from tests.drill.drill_graph import FAULTS, TIMEOUT_SECONDS, DrillGraph, Mail, drill_render, figures
from tests.drill.drill_monitor import logs_client
from tests.drill.drill_world import SCENARIOS, ZONE, Tenant, World, build
from tests.support.fake_graph import FakeCredential

JUNE = SCENARIOS["june-2026"]
A = {"service_levels": {"availability": {"value": 99.5}}, "outcomes": []}
B = {"service_levels": {"availability": {"value": 100.0}}, "outcomes": []}
AFTER_DEADLINE = datetime(2026, 7, 3, 12, 30, tzinfo=ZONE)
MORNING = datetime(2026, 7, 1, 8, 0, tzinfo=ZONE)


def mail(
    tenant: str, version: int, report: dict[str, Any], at: datetime = MORNING, status: str | None = "final"
) -> Mail:
    return Mail(tenant, "2026-06", version, f"{tenant}/2026-06/v{version}/c", "s", (), status, figures(report), at)


def world() -> World:
    tenants = [
        Tenant("a", date(2025, 1, 6), None, "A", True),
        Tenant("b", date(2025, 1, 6), None, "B", True),
        Tenant("later", date(2026, 6, 10), None, "L", False),
    ]
    return World(JUNE, tenants, [], [])


EXPECTED = {"a": A, "b": A}


@pytest.mark.parametrize(
    ("mails", "counts"),
    [
        pytest.param([mail("a", 1, A), mail("b", 1, A)], (2, 0, 0, 0, 0), id="one report each with the CLI figures"),
        pytest.param([mail("a", 1, A)], (1, 0, 1, 0, 0), id="a tenant without an e-mail is missing"),
        pytest.param(
            [mail("a", 1, A), mail("a", 1, A), mail("b", 1, A)],
            (2, 1, 0, 0, 0),
            id="the same version twice is a duplicate",
        ),
        pytest.param(
            [mail("a", 1, B), mail("a", 2, A), mail("b", 1, A)],
            (2, 0, 0, 0, 1),
            id="a later version with changed figures is a correction",
        ),
        pytest.param(
            [mail("a", 1, A), mail("a", 2, A), mail("b", 1, A)],
            (2, 1, 0, 0, 0),
            id="a later version with the same figures is a duplicate",
        ),
        pytest.param([mail("a", 1, B), mail("b", 1, A)], (2, 0, 0, 1, 0), id="figures unlike the CLI are wrong"),
        pytest.param(
            [mail("a", 1, A), mail("b", 1, A), mail("later", 1, A)],
            (2, 0, 0, 1, 0),
            id="an e-mail to a tenant outside its window is wrong",
        ),
        pytest.param(
            [mail("a", 1, B, status="provisional"), mail("a", 2, A), mail("b", 1, A)],
            (2, 0, 0, 1, 1),
            id="a provisional report before the deadline is wrong",
        ),
        pytest.param(
            [mail("a", 1, B, AFTER_DEADLINE, "provisional"), mail("a", 2, A, AFTER_DEADLINE), mail("b", 1, A)],
            (2, 0, 0, 0, 1),
            id="a provisional report after the deadline, then the final one, is right",
        ),
    ],
)
def test_the_verdict_counts(mails: list[Mail], counts: tuple[int, int, int, int, int]) -> None:
    verdict = judge(world(), mails, EXPECTED)
    assert (verdict.delivered, verdict.duplicates, verdict.missing, verdict.wrong, verdict.corrections) == counts
    assert verdict.ok == (counts[1:4] == (0, 0, 0) and counts[0] == 2)


def test_the_closing_line_names_the_last_delivery_in_local_time() -> None:
    verdict = Verdict(tenants=400, delivered=400, last_delivered=datetime(2026, 7, 1, 6, 7, tzinfo=UTC))
    assert verdict.line() == (
        "drill: 400 tenants, delivered 400, duplicates 0, missing 0, wrong 0, last delivered 2026-07-01 08:07 CEST"
    )


@pytest.mark.parametrize(
    ("month", "deadline"),
    [
        pytest.param(Month(2026, 6), "2026-07-03T12:00", id="June: Friday 3 July"),
        pytest.param(Month(2026, 10), "2026-11-04T12:00", id="October: 1 November is a Sunday"),
        pytest.param(Month(2026, 12), "2027-01-06T12:00", id="December: New Year's Day is a holiday"),
    ],
)
def test_the_delivery_deadline_is_the_third_working_day_at_noon(month: Month, deadline: str) -> None:
    assert delivery_deadline(month) == datetime.fromisoformat(deadline).replace(tzinfo=ZONE)


# -- Azure Monitor: rows only once they arrived -----------------------------------------------------


def test_monitor_serves_a_day_only_after_its_rows_arrived_and_the_late_day_a_day_later() -> None:
    late = SCENARIOS["late-day-2026-07"].sized(1)
    now = [datetime(2026, 7, 30, 3, 30, tzinfo=UTC)]
    client, _ = logs_client(build(late), lambda: now[0])
    source = MonitorResultsSource(lambda: client, "workspace")
    rows, complete, _ = source.fetch(*day_bounds(date(2026, 7, 29), ZONE))
    assert complete and len(rows) == 288 * 3
    now[0] = datetime(2026, 7, 31, 21, 0, tzinfo=UTC)  # 23:00 local: most of the 31st has happened
    assert source.fetch(*day_bounds(date(2026, 7, 31), ZONE)) == ([], True, ""), "nothing of the late day yet"
    now[0] = datetime(2026, 8, 2, 3, 30, tzinfo=UTC)
    rows, complete, _ = source.fetch(*day_bounds(date(2026, 7, 31), ZONE))
    assert complete and len(rows) == 288 * 3 and sum(not r.success for r in rows) == 9 * 3


def test_monitor_answers_the_partial_day_once_with_a_partial_error() -> None:
    client, logs = logs_client(build(JUNE.sized(1)), lambda: datetime(2026, 6, 28, 3, 30, tzinfo=UTC))
    source = MonitorResultsSource(lambda: client, "workspace")
    first = source.fetch(*day_bounds(date(2026, 6, 27), ZONE))
    second = source.fetch(*day_bounds(date(2026, 6, 27), ZONE))
    assert (first[1], len(first[0])) == (False, 432) and first[2].startswith("PartialError")
    assert (second[1], len(second[0])) == (True, 864)
    assert [q[4] for q in logs.queries] == [False, True]


def test_the_outage_of_june_fails_every_location_for_100_minutes() -> None:
    rows = build(JUNE.sized(1)).rows
    failed = [r for r in rows if not r.success]
    assert len(failed) == 20 * 3 and {r.location for r in failed} == {"West Europe", "North Europe", "France Central"}
    assert min(r.at for r in failed).astimezone(ZONE).strftime("%H:%M") == "14:00"
    assert max(r.at for r in failed) - min(r.at for r in failed) < timedelta(minutes=100)


# -- Graph: accepted or not, whatever the client hears ----------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "accepted", "outcome"),
    [
        pytest.param("429", True, None, id="429 is retried and the retry is accepted"),
        pytest.param("503", None, "any", id="503 before acceptance: nothing was sent (the client may retry)"),
        pytest.param("429x4", False, "not_sent", id="429 four times: the client gives up, nothing was sent"),
        pytest.param("504-after", True, "any", id="504 after acceptance: the message is out"),
        pytest.param("timeout-after", True, "unknown", id="a timeout after acceptance: the message is out"),
        pytest.param("reset-after", True, "unknown", id="a reset after acceptance: the message is out"),
        pytest.param("reset-before", False, "unknown", id="a reset before acceptance: nothing was sent"),
    ],
)
def test_graph_faults(fault: str, accepted: bool | None, outcome: str | None) -> None:
    now = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    graph = DrillGraph(lambda: now, {"drill-001": [fault]}).start()
    try:
        mailer = GraphMailer(
            "sender@example.org",
            credential=FakeCredential(),
            base_url=graph.graph_url,
            sleep=lambda s: None,
            timeout=httpx.Timeout(TIMEOUT_SECONDS),
        )
        report = {"tenant": "drill-001", "month": "2026-06", "status": "final", **A}
        envelope = Envelope("drill-001", "2026-06", 1, ("x@drill-001.example",), "claim")
        try:
            mailer.send(envelope, drill_render(report))
            raised = None
        except MailError as exc:
            raised = exc.outcome
        first = graph.sent[:1]
        assert accepted is None or bool(first) == accepted
        assert graph.faults_applied
        assert outcome in ("any", raised)
        if first:
            assert (first[0].tenant, first[0].version, first[0].figures) == ("drill-001", 1, figures(A))
    finally:
        graph.stop()
    assert fault in FAULTS
