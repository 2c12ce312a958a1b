"""The delivery state machine over in-memory ports: outcome unknown, an operator's confirmation, corrections.

Fast (no Azurite): :mod:`tests.support.delivery_fakes` stands in for the
tenants, report versions, delivery records and the mailer. The same rules
over Table Storage and through the HTTP route: ``tests/app/test_delivery*.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from sla_app.documents import RenderedReport
from sla_app.errors import BadRequest, Conflict, NotFound, Unprocessable
from sla_app.mail.message import MailError
from sla_app.records import CORRECTION, OVERVIEW, SUPPLIER, DeliveryRecord
from sla_app.services.delivery import DeliveryService
from sla_app.services.delivery_confirm import Confirmation, parse_confirmation
from sla_core.periods import Month
from tests.support.app import FixedClock
from tests.support.delivery_fakes import MemoryAdmin, MemoryDeliveries, MemoryMailer, MemoryReports

OCTOBER = Month(2026, 10)
MORNING = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # the 1st working day of November
AFTER_DEADLINE = datetime(2026, 11, 4, 11, 0, tzinfo=UTC)  # 12:00 local on the 3rd working day
OPERATOR = "beheerder@stratech.example"
CHANGED = {"service_levels": [{"metric": "availability", "before": 100.0, "after": 99.5}], "outcomes": [], "cause": []}
UNCHANGED: dict[str, Any] = {"service_levels": [], "outcomes": [], "cause": []}
GATEWAY_LOST_202 = MailError("504 Gateway Timeout", outcome="unknown", status=504)


def render(body: dict[str, Any]) -> RenderedReport:
    return RenderedReport(subject=f"SLA-rapportage {body['month']}", html="<p>rapport</p>", text="rapport")


class World:
    """One tenant (enschede) with recipients, the in-memory ports and the service over them."""

    def __init__(self, *errors: Exception, now: datetime = MORNING) -> None:
        self.admin, self.reports, self.deliveries = MemoryAdmin(), MemoryReports(), MemoryDeliveries()
        self.mailer = MemoryMailer(*errors)
        self.clock = FixedClock(now)
        self.admin.add("enschede", date(2025, 9, 15), "ict@enschede.example")
        self.service = DeliveryService(self.admin, self.reports, self.deliveries, self.mailer, render, self.clock)

    def deliver(self, *, force: bool = False) -> str:
        return self.service.deliver("enschede", OCTOBER, force=force).outcome

    def confirm(self, sent: bool, tenant: str = "enschede", **where: Any) -> DeliveryRecord:
        confirmation = Confirmation(sent, "Sent Items searched", **where)
        return self.service.confirm(tenant, OCTOBER, confirmation, actor=OPERATOR)

    def record(self, kind: str = "report", version: int | None = None) -> DeliveryRecord:
        record = self.deliveries.get("enschede", "2026-10", kind, version)
        assert record is not None
        return record


def flagged(*errors: Exception) -> World:
    """A world whose October report e-mail went out with an unknown outcome (a 504 after Graph accepted it)."""
    world = World(GATEWAY_LOST_202, *errors)
    world.reports.save("enschede", "2026-10")
    assert world.deliver() == "unknown"
    return world


# -- outcome unknown ---------------------------------------------------------------------------------------------


def test_an_unknown_outcome_is_flagged_and_never_sent_again_by_a_run() -> None:
    world = flagged()
    record = world.record()
    assert (record.state, record.needs_manual_check, record.attempts) == ("failed", True, 1)
    assert [world.deliver() for _ in range(3)] == ["needs_manual_check"] * 3
    assert world.mailer.sent == [] and world.admin.actions() == ["delivery.failed"]


def test_a_run_that_died_while_sending_is_flagged_once_its_claim_is_stale() -> None:
    world = World()
    world.reports.save("enschede", "2026-10")
    claim = DeliveryRecord("enschede", "2026-10", "sending", 1, 1, claim_id="dead", claimed_at=MORNING.isoformat())
    world.deliveries.create(claim)
    assert world.deliver() == "in_progress", "a fresh claim of another run is left alone"
    world.clock.now += timedelta(hours=1)
    assert world.deliver() == "needs_manual_check" and world.mailer.sent == []
    assert world.confirm(True).state == "sent"


# -- the operator's confirmation ----------------------------------------------------------------------------------


def test_confirmed_sent_counts_as_delivered_with_who_and_why() -> None:
    world = flagged()
    claimed = world.record().claimed_at
    world.clock.now += timedelta(hours=3)
    settled = world.confirm(True)
    assert (settled.state, settled.needs_manual_check, settled.actor) == ("sent", False, OPERATOR)
    assert settled.sent_at == claimed and settled.note == "Sent Items searched" and settled.error == ""
    assert world.record() == settled
    assert world.deliver() == "already_sent" and world.mailer.sent == []
    action, tenant, actor, detail = world.admin.entries[-1]
    assert (action, tenant, actor) == ("delivery.confirmed_sent", "enschede", OPERATOR)
    assert detail["note"] == "Sent Items searched" and "504" in detail["flagged"] and detail["version"] == 1


def test_confirmed_not_sent_is_sent_once_by_the_next_run() -> None:
    world = flagged()
    released = world.confirm(False)
    assert (released.state, released.needs_manual_check) == ("failed", False) and OPERATOR in released.error
    assert world.admin.actions()[-1] == "delivery.confirmed_not_sent"
    assert [world.deliver() for _ in range(2)] == ["sent", "already_sent"]
    assert world.mailer.kinds() == [("enschede", "report", 1)] and world.record().attempts == 2


def test_a_correction_follows_a_report_confirmed_sent() -> None:
    world = flagged()
    world.reports.save("enschede", "2026-10", changes=CHANGED)
    assert world.deliver() == "needs_manual_check", "before the confirmation nothing moves"
    world.confirm(True)
    assert [world.deliver() for _ in range(2)] == ["sent", "already_sent"]
    assert world.mailer.kinds() == [("enschede", CORRECTION, 2)]


def test_a_correction_whose_outcome_is_unknown_is_confirmed_by_its_kind_and_version() -> None:
    world = World()
    world.reports.save("enschede", "2026-10")
    assert world.deliver() == "sent"
    world.mailer.errors.append(GATEWAY_LOST_202)
    world.reports.save("enschede", "2026-10", changes=CHANGED)
    assert world.deliver() == "unknown" and world.record(CORRECTION, 2).needs_manual_check
    with pytest.raises(Conflict):  # the report e-mail itself was sent: nothing to confirm
        world.confirm(True)
    assert world.confirm(True, kind=CORRECTION, version=2).state == "sent"
    world.reports.save("enschede", "2026-10", changes=CHANGED)
    assert world.deliver() == "sent" and world.mailer.kinds()[-1] == ("enschede", CORRECTION, 3)


def test_a_supplier_notice_is_confirmed_under_the_supplier() -> None:
    world = World()
    notice = DeliveryRecord(SUPPLIER, "2026-10", "failed", 1, kind=OVERVIEW, needs_manual_check=True, error="504")
    world.deliveries.create(notice)
    settled = world.confirm(True, tenant=SUPPLIER, kind=OVERVIEW)
    assert (settled.tenant, settled.kind, settled.state) == (SUPPLIER, OVERVIEW, "sent")
    assert world.admin.entries[-1][:2] == ("delivery.confirmed_sent", None)


def settled_by(*steps: str) -> World:
    """A world after ``steps``: ``sent`` (delivered without a fault), ``flagged``, ``released``, ``confirmed``."""
    if "sent" in steps:
        world = World()
        world.reports.save("enschede", "2026-10")
        world.deliver()
        return world
    world = flagged()
    if "released" in steps:
        world.confirm(False)
    if "confirmed" in steps:
        world.confirm(True)
    return world


@pytest.mark.parametrize(
    ("world", "tenant", "error"),
    [
        pytest.param(World, "enschede", NotFound, id="no delivery record: 404"),
        pytest.param(flagged, "atlantis", NotFound, id="an unknown tenant: 404"),
        pytest.param(flagged, "../enschede", NotFound, id="a tenant id that cannot exist: 404"),
        pytest.param(lambda: settled_by("sent"), "enschede", Conflict, id="a report e-mail that was sent: 409"),
        pytest.param(lambda: settled_by("released"), "enschede", Conflict, id="one released already: 409"),
        pytest.param(lambda: settled_by("confirmed"), "enschede", Conflict, id="one confirmed already: 409"),
    ],
)
def test_only_an_e_mail_waiting_for_a_manual_check_can_be_confirmed(world: Any, tenant: str, error: type) -> None:
    made = world()
    before = dict(made.deliveries.rows)
    with pytest.raises(error):
        made.confirm(True, tenant=tenant)
    assert made.deliveries.rows == before


def test_a_record_changed_since_it_was_read_is_a_conflict() -> None:
    world = flagged()
    stale = world.record()
    world.deliveries.replace(stale, stale.etag)  # another writer: a new ETag
    real_get = world.deliveries.get
    world.deliveries.get = lambda *args: stale  # type: ignore[method-assign]  # read before that write
    with pytest.raises(Conflict):
        world.confirm(True)
    world.deliveries.get = real_get  # type: ignore[method-assign]
    assert world.record().needs_manual_check


def test_months_without_a_report_are_flagged_together_or_not_at_all() -> None:
    world = World()
    flagged = world.service.flag_without_report("enschede", ["2026-08", "2026-09"])
    assert [(o.month, o.outcome) for o in flagged] == [("2026-08", "no_report"), ("2026-09", "no_report")]
    assert world.admin.actions() == ["delivery.skipped_no_report"] * 2
    assert world.service.flag_without_report("enschede", ["2026-07", "2026-08"]) == [], "2026-08 has a record now"
    assert world.deliveries.get("enschede", "2026-07") is None and len(world.admin.actions()) == 2
    assert world.service.deliver("enschede", Month(2026, 7)).outcome == "no_report", "then one by one"
    with pytest.raises(NotFound):
        world.service.flag_without_report("almelo", ["2026-10"])


# -- provisional after the deadline --------------------------------------------------------------------------------


def test_a_provisional_report_waits_for_the_deadline_then_goes_out_and_the_final_one_follows() -> None:
    world = World()
    world.reports.save("enschede", "2026-10", status="provisional")
    assert world.deliver() == "not_final" and world.mailer.sent == []
    world.clock.now = AFTER_DEADLINE
    assert world.deliver() == "sent" and world.record().report_status == "provisional"
    assert world.mailer.sent[0][1].subject.startswith("VOORLOPIG")
    world.reports.save("enschede", "2026-10", changes=UNCHANGED)
    assert [world.deliver() for _ in range(2)] == ["sent", "already_sent"]
    assert world.mailer.kinds() == [("enschede", "report", 1), ("enschede", CORRECTION, 2)]


def test_a_provisional_report_confirmed_sent_after_the_deadline_gets_its_final_correction() -> None:
    world = World(GATEWAY_LOST_202, now=AFTER_DEADLINE)
    world.reports.save("enschede", "2026-10", status="provisional")
    assert world.deliver() == "unknown"
    world.confirm(True)
    world.reports.save("enschede", "2026-10", changes=UNCHANGED)
    assert world.deliver() == "sent" and world.mailer.kinds() == [("enschede", CORRECTION, 2)]


# -- the request body ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({"sent": True, "note": " found "}, Confirmation(True, "found"), id="sent, note trimmed"),
        pytest.param(
            {"sent": False, "note": "absent", "kind": "correction", "version": 3},
            Confirmation(False, "absent", CORRECTION, 3),
            id="a correction names its version",
        ),
        pytest.param({"sent": True, "note": "x", "kind": "overview"}, Confirmation(True, "x", OVERVIEW), id="a notice"),
        pytest.param([{"sent": True}], BadRequest, id="not an object: 400"),
        pytest.param({"note": "x"}, "sent", id="sent missing"),
        pytest.param({"sent": "true", "note": "x"}, "sent", id="sent as a string"),
        pytest.param({"sent": True}, "note", id="note missing"),
        pytest.param({"sent": True, "note": "  "}, "note", id="note blank"),
        pytest.param({"sent": True, "note": "a\nb"}, "note", id="note with a control character"),
        pytest.param({"sent": True, "note": "x" * 501}, "note", id="note too long"),
        pytest.param({"sent": True, "note": "x", "kind": "letter"}, "kind", id="unknown kind"),
        pytest.param({"sent": True, "note": "x", "kind": "correction"}, "version", id="a correction without version"),
        pytest.param({"sent": True, "note": "x", "kind": "correction", "version": True}, "version", id="version bool"),
        pytest.param({"sent": True, "note": "x", "version": 2}, "version", id="a version for the report e-mail"),
        pytest.param({"sent": True, "note": "x", "force": True}, "force", id="an unknown field"),
    ],
)
def test_the_confirmation_body_is_read_strictly(body: Any, expected: Any) -> None:
    if isinstance(expected, Confirmation):
        assert parse_confirmation(body) == expected
    elif expected is BadRequest:
        with pytest.raises(BadRequest):
            parse_confirmation(body)
    else:
        with pytest.raises(Unprocessable) as refused:
            parse_confirmation(body)
        assert refused.value.field == expected
