"""Ticket outcomes: met, breached or pending, and the decision instant (measurement §2).

Rules quoted (docs/measurement.md §2):

* Clocks: "response_time: opened → first responded (or resolved/closed if no
  response came before)"; "restore: opened → resolved (see reopen)". Targets
  (business clock): response 1h / 2h / 4h / 8h, restore platform 2h / 4h / 8h /
  16h, restore application 4h / 8h / 1 month / 2 months (urgent / hoog /
  gemiddeld / laag).
* "Targets in months run on the calendar clock: all wall time counts. The
  target of "1 month" for a ticket opened at local time t is the wall time from
  t to the same local time one calendar month later (day clamped to the
  month's last day)."
* "Pauses (§7.2). On both clocks, time does not count while the ticket's
  current status matches a pause pattern. Default patterns, case-insensitive,
  `*` as wildcard: `wachten op*`, `onvoldoende documentatie*`."
* "Priority changes (§5.2.2). The target is the one of the priority in effect
  when the outcome is decided (the latest priority at that instant); elapsed
  time always counts from `opened`, with all pauses kept."
* "Reopen. `reopened` after `resolved` means the restore was not real: the
  restore clock resumes from the `reopened` instant; time between `resolved`
  and `reopened` does not count. `closed` while the restore clock runs [...]
  counts as `resolved` at that instant. A ticket without an `opened` event is
  not measured; the report lists it as incomplete."
* "If the clock stopped at S with E(S) ≤ T the outcome is met, decided at S.
  Otherwise it is breached, decided at D — also when the ticket is still open.
  [...] when the target is reached at 19:00 on a Friday, the breach is decided
  at that Friday 19:00. A ticket whose clock still runs (or is paused) before
  its deadline is pending and not counted."
* §6 "Optional on every kind: type, priority, status, scope, attributable —
  each sets the ticket's latest value from that instant on."
* `--as-of` "is the instant up to which events are known".

All cases use the default contract (07:00–19:00 Europe/Amsterdam, Atw holidays).
Monday 19 October 2026 is a plain working day.
"""

from __future__ import annotations

import pytest

from sla_core.outcomes import Incomplete
from tests.support.core import (
    contract_with,
    describe,
    event,
    hours,
    iso,
    opened,
    outcome_of,
    outcomes_of,
    report_of,
    us,
)

LATER = "2026-12-01T00:00:00+01:00"  # an as_of after every case of October


def case(events, as_of, metric, outcome, decided_at, priority, *, id):
    return pytest.param(events, as_of, metric, outcome, decided_at, priority, id=id)


def check(events, as_of, metric, outcome, decided_at, priority, rule):
    got = outcome_of(events, as_of, metric)
    expected = (outcome, None if decided_at is None else us(decided_at), priority)
    assert (got.outcome, got.decided_at, got.priority) == expected, (
        f"{rule}: expected {outcome} decided at {decided_at} (priority {priority}); got {describe(got)}"
    )
    return got


# -- the response clock: weekend, holidays, DST, Friday 19:00 -------------------------

RESPONSE_CASES = [
    case(
        [opened("2026-10-23T18:30:00+02:00", "hoog"), event("responded", "2026-10-26T08:30:00+01:00")],
        LATER,
        "response_time",
        "met",
        "2026-10-26T08:30:00+01:00",
        "hoog",
        id="a hoog ticket opened Friday 18:30 and answered Monday 08:30 is met (2 h across weekend and DST)",
    ),
    case(
        [opened("2026-10-23T18:30:00+02:00", "hoog"), event("responded", "2026-10-26T08:30:01+01:00")],
        LATER,
        "response_time",
        "breached",
        "2026-10-26T08:30:00+01:00",
        "hoog",
        id="answered one second after Monday 08:30 it is breached at Monday 08:30",
    ),
    case(
        [opened("2026-10-23T15:00:00+02:00", "gemiddeld")],
        LATER,
        "response_time",
        "breached",
        "2026-10-23T19:00:00+02:00",
        "gemiddeld",
        id="a gemiddeld ticket opened Friday 15:00 and never answered is breached Friday 19:00, not Monday 07:00",
    ),
    case(
        [opened("2026-10-23T15:00:00+02:00", "gemiddeld")],
        "2026-10-23T19:00:00+02:00",
        "response_time",
        "breached",
        "2026-10-23T19:00:00+02:00",
        "gemiddeld",
        id="with as_of exactly Friday 19:00 the breach is already decided",
    ),
    case(
        [opened("2026-10-23T15:00:00+02:00", "gemiddeld")],
        "2026-10-23T18:59:59+02:00",
        "response_time",
        "pending",
        None,
        "gemiddeld",
        id="with as_of Friday 18:59:59 the ticket is pending",
    ),
    case(
        [opened("2026-10-23T15:00:00+02:00", "gemiddeld"), event("responded", "2026-10-23T19:00:00+02:00")],
        LATER,
        "response_time",
        "met",
        "2026-10-23T19:00:00+02:00",
        "gemiddeld",
        id="answered exactly at the deadline Friday 19:00 it is met (E(S) = T)",
    ),
    case(
        [opened("2026-04-24T18:00:00+02:00", "hoog")],
        "2026-05-01T00:00:00+02:00",
        "response_time",
        "breached",
        "2026-04-28T08:00:00+02:00",
        "hoog",
        id="opened Friday 24 April 2026 18:00 (hoog): Koningsdag Monday does not count, breached Tuesday 08:00",
    ),
    case(
        [opened("2025-04-25T18:00:00+02:00", "hoog")],
        "2025-05-01T00:00:00+02:00",
        "response_time",
        "breached",
        "2025-04-28T08:00:00+02:00",
        "hoog",
        id="opened Friday 25 April 2025 18:00 (hoog): Koningsdag is Saturday 26 April, breached Monday 08:00",
    ),
    case(
        [opened("2026-05-04T18:00:00+02:00", "hoog")],
        "2026-06-01T00:00:00+02:00",
        "response_time",
        "breached",
        "2026-05-06T08:00:00+02:00",
        "hoog",
        id="opened Monday 4 May 2026 18:00 (hoog): Bevrijdingsdag (not a lustrum year) is skipped",
    ),
    case(
        [opened("2026-04-02T17:00:00+02:00", "laag")],
        "2026-05-01T00:00:00+02:00",
        "response_time",
        "breached",
        "2026-04-07T13:00:00+02:00",
        "laag",
        id="opened Thursday 2 April 2026 17:00 (laag, 8 h): Goede Vrijdag and Tweede Paasdag skipped, Tuesday 13:00",
    ),
    case(
        [opened("2026-03-27T17:00:00+01:00", "gemiddeld")],
        "2026-04-01T00:00:00+02:00",
        "response_time",
        "breached",
        "2026-03-30T09:00:00+02:00",
        "gemiddeld",
        id="opened Friday 27 March 2026 17:00 (gemiddeld, 4 h): due Monday 09:00 summer time",
    ),
    case(
        [opened("2026-10-19T09:00:00+02:00", "hoog"), event("resolved", "2026-10-19T10:00:00+02:00")],
        LATER,
        "response_time",
        "met",
        "2026-10-19T10:00:00+02:00",
        "hoog",
        id="resolved without a response stops the response clock",
    ),
    case(
        [opened("2026-10-19T09:00:00+02:00", "hoog"), event("closed", "2026-10-19T10:30:00+02:00")],
        LATER,
        "response_time",
        "met",
        "2026-10-19T10:30:00+02:00",
        "hoog",
        id="closed without a response or resolve stops the response clock",
    ),
    case(
        [opened("2026-10-19T09:00:00+02:00", "hoog"), event("resolved", "2026-10-19T11:30:00+02:00")],
        LATER,
        "response_time",
        "breached",
        "2026-10-19T11:00:00+02:00",
        "hoog",
        id="resolved after the response deadline without a response is breached at the deadline",
    ),
    case(
        [
            opened("2026-10-19T09:00:00+02:00", "hoog"),
            event("resolved", "2026-10-19T10:00:00+02:00"),
            event("responded", "2026-10-19T12:00:00+02:00"),
        ],
        LATER,
        "response_time",
        "met",
        "2026-10-19T10:00:00+02:00",
        "hoog",
        id="a response after resolved does not move the response stop",
    ),
    case(
        [
            opened("2026-10-19T09:00:00+02:00", "hoog"),
            event("responded", "2026-10-19T09:30:00+02:00"),
            event("responded", "2026-10-19T12:00:00+02:00"),
        ],
        LATER,
        "response_time",
        "met",
        "2026-10-19T09:30:00+02:00",
        "hoog",
        id="the first response stops the clock, later ones do not matter",
    ),
    case(
        [opened("2026-10-19T09:00:00+02:00", "urgent"), event("responded", "2026-10-19T09:00:00+02:00")],
        LATER,
        "response_time",
        "met",
        "2026-10-19T09:00:00+02:00",
        "urgent",
        id="a response at the opening instant is met with 0 elapsed",
    ),
]


@pytest.mark.parametrize(("events", "as_of", "metric", "outcome", "decided_at", "priority"), RESPONSE_CASES)
def test_response_time(events, as_of, metric, outcome, decided_at, priority):
    check(events, as_of, metric, outcome, decided_at, priority, "measurement §2 response_time")


def test_a_breach_is_decided_with_elapsed_equal_to_target_and_a_met_outcome_keeps_its_elapsed():
    breached = outcome_of([opened("2026-10-23T15:00:00+02:00", "gemiddeld")], LATER, "response_time")
    assert (breached.elapsed, breached.target, breached.clock) == (hours(4), hours(4), "business")
    met = outcome_of(
        [opened("2026-10-23T18:30:00+02:00", "hoog"), event("responded", "2026-10-26T08:00:00+01:00")],
        LATER,
        "response_time",
    )
    assert (met.elapsed, met.target, met.stopped_at) == (hours(1.5), hours(2), us("2026-10-26T08:00:00+01:00"))


# -- pauses ---------------------------------------------------------------------------


def paused(status, *, resume="2026-10-19T12:00:00+02:00"):
    """Hoog ticket opened Monday 09:00 (status nieuw), ``status`` from 09:30, back in behandeling at ``resume``."""
    events = [opened("2026-10-19T09:00:00+02:00", "hoog"), event("updated", "2026-10-19T09:30:00+02:00", status=status)]
    if resume:
        events.append(event("updated", resume, status="in behandeling"))
    return events


PAUSE_CASES = [
    case(
        paused("wachten op klant"),
        LATER,
        "response_time",
        "breached",
        "2026-10-19T13:30:00+02:00",
        "hoog",
        id="'wachten op klant' pauses: 30 min before, 1.5 h after 12:00, breached 13:30",
    ),
    case(
        paused("Wachten op klant"),
        LATER,
        "response_time",
        "breached",
        "2026-10-19T13:30:00+02:00",
        "hoog",
        id="'Wachten op klant' (capital W) pauses",
    ),
    case(
        paused("WACHTEN OP LEVERANCIER"),
        LATER,
        "response_time",
        "breached",
        "2026-10-19T13:30:00+02:00",
        "hoog",
        id="'WACHTEN OP LEVERANCIER' (upper case, other suffix) pauses",
    ),
    case(
        paused("Onvoldoende documentatie"),
        LATER,
        "response_time",
        "breached",
        "2026-10-19T13:30:00+02:00",
        "hoog",
        id="'Onvoldoende documentatie' pauses",
    ),
    case(
        paused("ONVOLDOENDE DOCUMENTATIE ontvangen"),
        LATER,
        "response_time",
        "breached",
        "2026-10-19T13:30:00+02:00",
        "hoog",
        id="'ONVOLDOENDE DOCUMENTATIE ontvangen' pauses (wildcard suffix)",
    ),
    case(
        paused("klant wacht op ons"),
        LATER,
        "response_time",
        "breached",
        "2026-10-19T11:00:00+02:00",
        "hoog",
        id="'klant wacht op ons' does not match a pattern and does not pause",
    ),
    case(
        paused("in afwachting van klant"),
        LATER,
        "response_time",
        "breached",
        "2026-10-19T11:00:00+02:00",
        "hoog",
        id="'in afwachting van klant' does not pause",
    ),
    case(
        paused("wachten op klant", resume=None),
        LATER,
        "response_time",
        "pending",
        None,
        "hoog",
        id="a ticket still paused before its deadline is pending",
    ),
    case(
        paused("wachten op klant") + [event("responded", "2026-10-19T11:30:00+02:00")],
        LATER,
        "response_time",
        "met",
        "2026-10-19T11:30:00+02:00",
        "hoog",
        id="a response while paused is met with only the unpaused time elapsed",
    ),
    case(
        [
            opened("2026-10-19T09:00:00+02:00", "hoog", status="Wachten op klant"),
            event("updated", "2026-10-19T10:00:00+02:00", status="in behandeling"),
            event("responded", "2026-10-19T11:30:00+02:00"),
        ],
        LATER,
        "response_time",
        "met",
        "2026-10-19T11:30:00+02:00",
        "hoog",
        id="paused from the opening instant: only 1.5 h elapsed at 11:30",
    ),
    case(
        [
            opened("2026-10-19T17:00:00+02:00", "hoog"),
            event("updated", "2026-10-19T18:00:00+02:00", status="wachten op klant"),
            event("updated", "2026-10-20T10:00:00+02:00", status="in behandeling"),
        ],
        LATER,
        "response_time",
        "breached",
        "2026-10-20T11:00:00+02:00",
        "hoog",
        id="paused Monday 18:00 to Tuesday 10:00: the Tuesday morning does not count, breached 11:00",
    ),
    case(
        [
            opened("2026-10-19T09:00:00+02:00", "hoog", scope="platform"),
            event("updated", "2026-10-19T10:00:00+02:00", status="wachten op klant"),
            event("updated", "2026-10-20T10:00:00+02:00", status="in behandeling"),
        ],
        LATER,
        "restore_time_platform",
        "breached",
        "2026-10-20T13:00:00+02:00",
        "hoog",
        id="the pause holds the restore clock as well: 1 h Monday, 3 h from Tuesday 10:00",
    ),
]


@pytest.mark.parametrize(("events", "as_of", "metric", "outcome", "decided_at", "priority"), PAUSE_CASES)
def test_pauses(events, as_of, metric, outcome, decided_at, priority):
    got = check(events, as_of, metric, outcome, decided_at, priority, "measurement §2 pauses")
    if outcome == "pending":
        assert got.pauses and got.pauses[-1].end is None, "the open pause is listed as evidence"


def test_a_status_set_after_opening_pauses_from_that_instant_not_from_opening():
    events = [
        event("opened", "2026-10-19T09:00:00+02:00", type="incident", priority="hoog"),  # no status yet
        event("updated", "2026-10-19T10:00:00+02:00", status="Wachten op klant"),
        event("updated", "2026-10-19T12:00:00+02:00", status="in behandeling"),
    ]
    check(
        events,
        LATER,
        "response_time",
        "breached",
        "2026-10-19T13:00:00+02:00",
        "hoog",
        "measurement §6 'each sets the ticket's latest value from that instant on' and §2 pauses: the clock runs "
        "09:00-10:00 (no status yet, not paused), pauses 10:00-12:00, so 2 h are reached at 13:00 "
        "(14:00 would mean the first status was back-dated to the opening)",
    )


def test_pauses_are_listed_as_evidence():
    got = outcome_of(paused("wachten op klant"), LATER, "response_time")
    assert [(iso(p.start), iso(p.end), p.status) for p in got.pauses] == [
        ("2026-10-19T09:30:00+02:00", "2026-10-19T12:00:00+02:00", "wachten op klant")
    ]


def test_pause_patterns_are_a_contract_setting():
    contract = contract_with(pause_patterns=["in afwachting*"])
    got = outcome_of(paused("In afwachting van klant"), LATER, "response_time", contract)
    assert got.decided_at == us("2026-10-19T13:30:00+02:00"), describe(got)
    got = outcome_of(paused("wachten op klant"), LATER, "response_time", contract)
    assert got.decided_at == us("2026-10-19T11:00:00+02:00"), "the default patterns are replaced: " + describe(got)


# -- restore clock: reopen, closed without resolved, scope -----------------------------

MON = "2026-10-19T09:00:00+02:00"

RESTORE_CASES = [
    case(
        [opened(MON, "urgent", scope="platform"), event("resolved", "2026-10-19T10:59:00+02:00")],
        LATER,
        "restore_time_platform",
        "met",
        "2026-10-19T10:59:00+02:00",
        "urgent",
        id="platform urgent (2 h) resolved after 1 h 59 is met",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("resolved", "2026-10-19T10:00:00+02:00"),
            event("reopened", "2026-10-20T09:00:00+02:00"),
            event("resolved", "2026-10-20T12:00:00+02:00"),
        ],
        LATER,
        "restore_time_platform",
        "met",
        "2026-10-20T12:00:00+02:00",
        "hoog",
        id="reopened: the clock resumes at reopened; 1 h + 3 h = 4 h is met at the second resolve",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("resolved", "2026-10-19T10:00:00+02:00"),
            event("reopened", "2026-10-20T09:00:00+02:00"),
            event("resolved", "2026-10-20T12:00:01+02:00"),
        ],
        LATER,
        "restore_time_platform",
        "breached",
        "2026-10-20T12:00:00+02:00",
        "hoog",
        id="reopened and resolved one second too late: breached at Tuesday 12:00",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("resolved", "2026-10-19T10:00:00+02:00"),
            event("reopened", "2026-10-20T09:00:00+02:00"),
        ],
        LATER,
        "restore_time_platform",
        "breached",
        "2026-10-20T12:00:00+02:00",
        "hoog",
        id="reopened and still open: breached at the deadline while open",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("resolved", "2026-10-19T10:00:00+02:00"),
            event("reopened", "2026-10-20T09:00:00+02:00"),
        ],
        "2026-10-20T11:00:00+02:00",
        "restore_time_platform",
        "pending",
        None,
        "hoog",
        id="reopened, as_of before the new deadline: pending",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("resolved", "2026-10-19T10:00:00+02:00"),
            event("reopened", "2026-10-19T15:00:00+02:00"),
        ],
        LATER,
        "restore_time_platform",
        "breached",
        "2026-10-19T18:00:00+02:00",
        "hoog",
        id="resolved 10:00 to reopened 15:00 does not count although inside service hours",
    ),
    case(
        [opened(MON, "hoog", scope="platform"), event("closed", "2026-10-19T12:00:00+02:00")],
        LATER,
        "restore_time_platform",
        "met",
        "2026-10-19T12:00:00+02:00",
        "hoog",
        id="closed without resolved counts as resolved (met at 12:00)",
    ),
    case(
        [opened(MON, "hoog", scope="platform"), event("closed", "2026-10-19T13:30:00+02:00")],
        LATER,
        "restore_time_platform",
        "breached",
        "2026-10-19T13:00:00+02:00",
        "hoog",
        id="closed without resolved after the deadline is breached at the deadline",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("resolved", "2026-10-19T10:00:00+02:00"),
            event("reopened", "2026-10-20T09:00:00+02:00"),
            event("closed", "2026-10-20T11:00:00+02:00"),
        ],
        LATER,
        "restore_time_platform",
        "met",
        "2026-10-20T11:00:00+02:00",
        "hoog",
        id="closed after a reopen without a new resolve counts as resolved",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("resolved", "2026-10-19T10:00:00+02:00"),
            event("closed", "2026-10-22T10:00:00+02:00"),
        ],
        LATER,
        "restore_time_platform",
        "met",
        "2026-10-19T10:00:00+02:00",
        "hoog",
        id="closed after resolved does not move the restore stop",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("resolved", "2026-10-19T10:00:00+02:00"),
            event("reopened", "2026-10-20T09:00:00+02:00"),
        ],
        LATER,
        "response_time",
        "met",
        "2026-10-19T10:00:00+02:00",
        "hoog",
        id="a reopen does not restart the response clock",
    ),
    case(
        [event("opened", MON, type="incident", priority="hoog", status="nieuw")],
        LATER,
        "restore_time_application",
        "breached",
        "2026-10-19T17:00:00+02:00",
        "hoog",
        id="without a scope the application restore applies (hoog 8 h: Monday 17:00)",
    ),
    case(
        [opened(MON, "hoog", scope="applicatie"), event("updated", "2026-10-20T09:00:00+02:00", scope="platform")],
        LATER,
        "restore_time_platform",
        "breached",
        "2026-10-19T13:00:00+02:00",
        "hoog",
        id="the latest scope decides the restore metric (changed to platform: 4 h)",
    ),
]


@pytest.mark.parametrize(("events", "as_of", "metric", "outcome", "decided_at", "priority"), RESTORE_CASES)
def test_restore_time(events, as_of, metric, outcome, decided_at, priority):
    check(events, as_of, metric, outcome, decided_at, priority, "measurement §2 restore and reopen")


def test_a_ticket_has_one_restore_metric_only():
    metrics = {o.metric for o in outcomes_of([opened(MON, "hoog", scope="platform")], LATER)}
    assert metrics == {"response_time", "restore_time_platform"}


# -- targets in months: the calendar clock -------------------------------------------------

MONTH_CASES = [
    case(
        [opened("2026-01-31T10:00:00+01:00", "gemiddeld")],
        "2026-03-10T00:00:00+01:00",
        "restore_time_application",
        "breached",
        "2026-02-28T10:00:00+01:00",
        "gemiddeld",
        id="gemiddeld application restore opened 31 Jan 2026 10:00 is due 28 Feb 2026 10:00 (day clamped)",
    ),
    case(
        [opened("2026-01-31T10:00:00+01:00", "gemiddeld"), event("resolved", "2026-02-28T09:59:00+01:00")],
        "2026-03-10T00:00:00+01:00",
        "restore_time_application",
        "met",
        "2026-02-28T09:59:00+01:00",
        "gemiddeld",
        id="resolved 28 Feb 09:59 is met",
    ),
    case(
        [opened("2026-01-31T10:00:00+01:00", "gemiddeld"), event("resolved", "2026-02-28T10:00:00+01:00")],
        "2026-03-10T00:00:00+01:00",
        "restore_time_application",
        "met",
        "2026-02-28T10:00:00+01:00",
        "gemiddeld",
        id="resolved exactly 28 Feb 10:00 is met (E(S) = T)",
    ),
    case(
        [opened("2026-01-31T10:00:00+01:00", "gemiddeld")],
        "2026-02-28T09:00:00+01:00",
        "restore_time_application",
        "pending",
        None,
        "gemiddeld",
        id="as_of 28 Feb 09:00, before the deadline: pending",
    ),
    case(
        [
            opened("2026-01-31T10:00:00+01:00", "gemiddeld"),
            event("updated", "2026-02-02T10:00:00+01:00", status="wachten op klant"),
            event("updated", "2026-02-04T10:00:00+01:00", status="in behandeling"),
        ],
        "2026-03-10T00:00:00+01:00",
        "restore_time_application",
        "breached",
        "2026-03-02T10:00:00+01:00",
        "gemiddeld",
        id="a two-day pause pushes the month deadline out to 2 March 10:00",
    ),
    case(
        [
            opened("2026-01-31T10:00:00+01:00", "gemiddeld"),
            event("updated", "2026-02-06T19:00:00+01:00", status="Onvoldoende documentatie"),
            event("updated", "2026-02-07T07:00:00+01:00", status="in behandeling"),
        ],
        "2026-03-10T00:00:00+01:00",
        "restore_time_application",
        "breached",
        "2026-02-28T22:00:00+01:00",
        "gemiddeld",
        id="on the calendar clock a pause at night counts too: 12 h pause, due 28 Feb 22:00",
    ),
    case(
        [
            opened("2026-01-31T10:00:00+01:00", "gemiddeld"),
            event("updated", "2026-02-27T10:00:00+01:00", status="wachten op klant"),
        ],
        "2026-03-10T00:00:00+01:00",
        "restore_time_application",
        "pending",
        None,
        "gemiddeld",
        id="paused the day before the month deadline and still paused: pending",
    ),
    case(
        [opened("2025-12-31T10:00:00+01:00", "laag")],
        "2026-03-10T00:00:00+01:00",
        "restore_time_application",
        "breached",
        "2026-02-28T10:00:00+01:00",
        "laag",
        id="laag (2 months) opened 31 Dec 2025 10:00 is due 28 Feb 2026 10:00",
    ),
    case(
        [opened("2026-03-15T10:00:00+01:00", "gemiddeld")],
        "2026-05-01T00:00:00+02:00",
        "restore_time_application",
        "breached",
        "2026-04-15T10:00:00+02:00",
        "gemiddeld",
        id="opened 15 March 10:00 winter time is due 15 April 10:00 summer time",
    ),
    case(
        [opened("2026-10-10T10:00:00+02:00", "gemiddeld")],
        "2026-12-01T00:00:00+01:00",
        "restore_time_application",
        "breached",
        "2026-11-10T10:00:00+01:00",
        "gemiddeld",
        id="opened 10 October 10:00 summer time is due 10 November 10:00 winter time",
    ),
    case(
        [opened("2028-01-31T10:00:00+01:00", "gemiddeld")],
        "2028-03-10T00:00:00+01:00",
        "restore_time_application",
        "breached",
        "2028-02-29T10:00:00+01:00",
        "gemiddeld",
        id="opened 31 Jan 2028 10:00 is due 29 Feb 2028 10:00 (leap year)",
    ),
    case(
        [opened("2026-01-31T10:00:00+01:00", "gemiddeld")],
        "2026-03-10T00:00:00+01:00",
        "response_time",
        "breached",
        "2026-02-02T11:00:00+01:00",
        "gemiddeld",
        id="the response clock of the same ticket stays on business hours (31 Jan is a Saturday: Monday 11:00)",
    ),
]


@pytest.mark.parametrize(("events", "as_of", "metric", "outcome", "decided_at", "priority"), MONTH_CASES)
def test_month_targets_run_on_the_calendar_clock(events, as_of, metric, outcome, decided_at, priority):
    check(events, as_of, metric, outcome, decided_at, priority, "measurement §2 targets in months")


def test_a_month_target_is_wall_time_across_the_dst_change():
    got = outcome_of([opened("2026-03-15T10:00:00+01:00", "gemiddeld")], LATER, "restore_time_application")
    assert (got.clock, got.target, got.elapsed) == ("calendar", hours(31 * 24 - 1), hours(31 * 24 - 1)), describe(got)


# -- priority changes -----------------------------------------------------------------------

PRIORITY_CASES = [
    case(
        [
            opened(MON, "laag"),
            event("updated", "2026-10-19T09:30:00+02:00", priority="urgent"),
            event("responded", "2026-10-19T09:50:00+02:00"),
        ],
        LATER,
        "response_time",
        "met",
        "2026-10-19T09:50:00+02:00",
        "urgent",
        id="upgraded laag to urgent at 09:30, answered 09:50: met against urgent (50 min from opened)",
    ),
    case(
        [
            opened(MON, "laag"),
            event("updated", "2026-10-19T09:30:00+02:00", priority="urgent"),
            event("responded", "2026-10-19T10:30:00+02:00"),
        ],
        LATER,
        "response_time",
        "breached",
        "2026-10-19T10:00:00+02:00",
        "urgent",
        id="upgraded laag to urgent at 09:30, answered 10:30: breached at opened + 1 h",
    ),
    case(
        [
            opened(MON, "laag"),
            event("updated", "2026-10-19T11:00:00+02:00", priority="urgent"),
            event("responded", "2026-10-19T11:30:00+02:00"),
        ],
        LATER,
        "response_time",
        "breached",
        "2026-10-19T11:00:00+02:00",
        "urgent",
        id="upgraded to urgent at 11:00 when 2 h had passed: breached at the upgrade instant",
    ),
    case(
        [opened(MON, "laag"), event("updated", "2026-10-19T11:00:00+02:00", priority="urgent")],
        LATER,
        "response_time",
        "breached",
        "2026-10-19T11:00:00+02:00",
        "urgent",
        id="upgraded to urgent at 11:00 and still open: breached at the upgrade instant",
    ),
    case(
        [
            opened(MON, "urgent"),
            event("updated", "2026-10-19T09:30:00+02:00", priority="laag"),
            event("responded", "2026-10-19T11:00:00+02:00"),
        ],
        LATER,
        "response_time",
        "met",
        "2026-10-19T11:00:00+02:00",
        "laag",
        id="downgraded urgent to laag before the urgent deadline: the laag target decides (met)",
    ),
    case(
        [
            opened(MON, "laag"),
            event("updated", "2026-10-19T09:15:00+02:00", status="wachten op klant"),
            event("updated", "2026-10-19T10:15:00+02:00", status="in behandeling"),
            event("updated", "2026-10-19T10:30:00+02:00", priority="urgent"),
        ],
        LATER,
        "response_time",
        "breached",
        "2026-10-19T11:00:00+02:00",
        "urgent",
        id="elapsed counts from opened with the pause kept: 30 min at the upgrade, breached 11:00",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("updated", "2026-10-19T10:00:00+02:00", priority="urgent"),
            event("resolved", "2026-10-19T10:30:00+02:00"),
        ],
        LATER,
        "restore_time_platform",
        "met",
        "2026-10-19T10:30:00+02:00",
        "urgent",
        id="platform restore upgraded hoog to urgent, resolved after 1.5 h: met against 2 h",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("updated", "2026-10-19T10:00:00+02:00", priority="urgent"),
            event("resolved", "2026-10-19T11:30:00+02:00"),
        ],
        LATER,
        "restore_time_platform",
        "breached",
        "2026-10-19T11:00:00+02:00",
        "urgent",
        id="platform restore upgraded hoog to urgent, resolved after 2.5 h: breached at 11:00",
    ),
    case(
        [opened(MON, "gemiddeld"), event("updated", "2026-10-19T12:00:00+02:00", priority="urgent")],
        LATER,
        "restore_time_application",
        "breached",
        "2026-10-19T13:00:00+02:00",
        "urgent",
        id="application restore upgraded gemiddeld (1 month) to urgent (4 h) at 12:00: breached 13:00",
    ),
    case(
        [opened(MON, "gemiddeld"), event("updated", "2026-10-20T09:00:00+02:00", priority="urgent")],
        LATER,
        "restore_time_application",
        "breached",
        "2026-10-20T09:00:00+02:00",
        "urgent",
        id="upgraded gemiddeld to urgent a day later (12 business hours passed): breached at the upgrade",
    ),
    case(
        [opened(MON, "gemiddeld"), event("updated", "2026-10-19T10:00:00+02:00", priority="laag")],
        "2026-12-31T00:00:00+01:00",
        "restore_time_application",
        "breached",
        "2026-12-19T09:00:00+01:00",
        "laag",
        id="downgraded gemiddeld to laag: 2 months from opened, 19 December 09:00 winter time",
    ),
]


@pytest.mark.parametrize(("events", "as_of", "metric", "outcome", "decided_at", "priority"), PRIORITY_CASES)
def test_priority_changes(events, as_of, metric, outcome, decided_at, priority):
    check(events, as_of, metric, outcome, decided_at, priority, "measurement §2 priority changes")


# -- as_of: pending outcomes, later events ignored ----------------------------------------------

AS_OF_CASES = [
    case(
        [opened(MON, "hoog"), event("responded", "2026-10-19T12:00:00+02:00")],
        "2026-10-19T10:30:00+02:00",
        "response_time",
        "pending",
        None,
        "hoog",
        id="a response after as_of is not known yet: pending before the deadline",
    ),
    case(
        [opened(MON, "hoog"), event("responded", "2026-10-19T12:00:00+02:00")],
        "2026-10-19T11:30:00+02:00",
        "response_time",
        "breached",
        "2026-10-19T11:00:00+02:00",
        "hoog",
        id="a response after as_of is not known yet: breached once the deadline passed",
    ),
    case(
        [opened(MON, "laag"), event("updated", "2026-10-19T09:30:00+02:00", priority="urgent")],
        "2026-10-19T09:20:00+02:00",
        "response_time",
        "pending",
        None,
        "laag",
        id="an upgrade after as_of is ignored: pending with priority laag",
    ),
    case(
        [opened(MON, "hoog", scope="platform"), event("resolved", "2026-10-19T12:00:00+02:00")],
        "2026-10-19T11:00:00+02:00",
        "restore_time_platform",
        "pending",
        None,
        "hoog",
        id="a resolve after as_of does not stop the restore clock",
    ),
    case(
        [
            opened(MON, "hoog", scope="platform"),
            event("resolved", "2026-10-19T10:00:00+02:00"),
            event("reopened", "2026-10-19T14:00:00+02:00"),
        ],
        "2026-10-19T13:00:00+02:00",
        "restore_time_platform",
        "met",
        "2026-10-19T10:00:00+02:00",
        "hoog",
        id="a reopen after as_of is ignored: met at the resolve",
    ),
    case(
        [opened(MON, "hoog"), event("updated", "2026-10-19T09:30:00+02:00", status="wachten op klant")],
        LATER,
        "response_time",
        "pending",
        None,
        "hoog",
        id="a paused ticket is pending however late as_of is",
    ),
]


@pytest.mark.parametrize(("events", "as_of", "metric", "outcome", "decided_at", "priority"), AS_OF_CASES)
def test_as_of(events, as_of, metric, outcome, decided_at, priority):
    check(events, as_of, metric, outcome, decided_at, priority, "measurement §2 pending, §7 as_of")


def test_a_ticket_opened_after_as_of_is_not_there_at_all():
    assert outcomes_of([opened("2026-10-19T09:00:00+02:00", "hoog")], "2026-10-19T08:00:00+02:00") == []


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        pytest.param(
            [event("updated", MON, type="incident", priority="hoog"), event("resolved", "2026-10-19T10:00:00+02:00")],
            "opened",
            id="a ticket without an opened event is incomplete",
        ),
        pytest.param(
            [event("opened", MON, type="incident", status="nieuw")],
            "prioriteit",
            id="a ticket without any priority is incomplete",
        ),
    ],
)
def test_tickets_that_cannot_be_measured_are_incomplete(events, reason):
    (item,) = outcomes_of(events, LATER)
    assert isinstance(item, Incomplete) and reason in item.reason, f"measurement §2: listed as incomplete, got {item}"


# -- a decided outcome is final ---------------------------------------------------------------
#
# Measurement §2: "Otherwise it is breached, decided at D — also when the ticket is still
# open. [...] when the target is reached at 19:00 on a Friday, the breach is
# decided at that Friday 19:00." and "A breach therefore counts in the month it
# happened, even if the ticket is closed much later; it is never counted twice."
# Once D has passed without a stop, later events may not turn the breach into a
# met outcome decided later.

FINAL_CASES = [
    pytest.param(
        [opened("2026-10-23T15:00:00+02:00", "gemiddeld"), event("responded", "2026-10-24T10:00:00+02:00")],
        "2026-10-23T20:00:00+02:00",
        id="deadline reached Friday 19:00, answered Saturday 10:00: stays breached at Friday 19:00",
    ),
    pytest.param(
        [
            opened("2026-10-23T15:00:00+02:00", "urgent"),
            event("updated", "2026-10-23T17:00:00+02:00", priority="laag"),
            event("responded", "2026-10-23T17:30:00+02:00"),
        ],
        "2026-10-23T16:30:00+02:00",
        id="urgent breached at 16:00, downgraded to laag at 17:00 and answered: stays breached at 16:00",
    ),
]


@pytest.mark.parametrize(("events", "early_as_of"), FINAL_CASES)
def test_a_decided_breach_is_not_undone_by_later_events(events, early_as_of):
    early = outcome_of(events, early_as_of, "response_time")
    assert early.outcome == "breached", describe(early)
    late = outcome_of(events, LATER, "response_time")
    assert (late.outcome, late.decided_at) == (early.outcome, early.decided_at), (
        "measurement §2: a breach is decided at D (also while open) and never counted twice; "
        f"with as_of {early_as_of} it is {describe(early)}, with all events it became {describe(late)}"
    )


# -- which tickets are counted, and in which month (Reporter) ---------------------------------
#
# Measurement §2: "Only tickets that are type `incident` and attributable (the latest
# value of `attributable`, default true) are measured (SLA §7.2, §5.2.2). Tickets
# of other types are stored but never counted." and "Month attribution. An
# outcome counts in the local calendar month that contains its decision instant."

OCT = "2026-10"
AS_OF_NOV = "2026-11-05T00:00:00+01:00"


def decided(report, metric="response_time"):
    level = report.tickets[metric]
    return level.total.decided, level.total.within


COUNTING_CASES = [
    pytest.param(
        [opened(MON, "hoog")],
        (1, 0),
        {"niet_incident": 0, "niet_toerekenbaar": 0},
        id="an attributable incident is counted",
    ),
    pytest.param(
        [opened(MON, "hoog", type="informatieverzoek")],
        (0, 0),
        {"niet_incident": 1, "niet_toerekenbaar": 0},
        id="an informatieverzoek is stored but never counted",
    ),
    pytest.param(
        [opened(MON, "hoog", type="wijzigingsverzoek")],
        (0, 0),
        {"niet_incident": 1, "niet_toerekenbaar": 0},
        id="a wijzigingsverzoek is never counted",
    ),
    pytest.param(
        [opened(MON, "hoog"), event("updated", "2026-10-19T09:10:00+02:00", type="serviceverzoek")],
        (0, 0),
        {"niet_incident": 1, "niet_toerekenbaar": 0},
        id="an incident retyped to serviceverzoek is not counted (latest type)",
    ),
    pytest.param(
        [opened(MON, "hoog", type="serviceverzoek"), event("updated", "2026-10-19T09:10:00+02:00", type="incident")],
        (1, 0),
        {"niet_incident": 0, "niet_toerekenbaar": 0},
        id="a serviceverzoek retyped to incident is counted (latest type)",
    ),
    pytest.param(
        [opened(MON, "hoog", attributable=False)],
        (0, 0),
        {"niet_incident": 0, "niet_toerekenbaar": 1},
        id="a non-attributable incident is not counted",
    ),
    pytest.param(
        [opened(MON, "hoog"), event("updated", "2026-10-22T09:00:00+02:00", attributable=False)],
        (0, 0),
        {"niet_incident": 0, "niet_toerekenbaar": 1},
        id="an incident later marked non-attributable is not counted (latest value)",
    ),
    pytest.param(
        [opened(MON, "hoog", attributable=False), event("updated", "2026-10-22T09:00:00+02:00", attributable=True)],
        (1, 0),
        {"niet_incident": 0, "niet_toerekenbaar": 0},
        id="non-attributable set back to attributable is counted (latest value)",
    ),
]


@pytest.mark.parametrize(("events", "response", "not_measured"), COUNTING_CASES)
def test_only_attributable_incidents_are_counted(events, response, not_measured):
    report = report_of(events, OCT, AS_OF_NOV)
    assert decided(report) == response, "measurement §2: only attributable incidents are measured"
    assert report.not_measured == not_measured


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        pytest.param([event("opened", MON, priority="hoog")], "type", id="a ticket without a type is incomplete"),
        pytest.param(
            [event("updated", MON, type="incident", priority="hoog")],
            "opened",
            id="an incident without an opened event is incomplete",
        ),
    ],
)
def test_incomplete_tickets_are_listed_not_counted(events, reason):
    report = report_of(events, OCT, AS_OF_NOV)
    assert decided(report) == (0, 0)
    assert [i.ticket_id for i in report.incomplete] == ["M2610-0001"] and reason in report.incomplete[0].reason


def test_an_open_ticket_breached_before_month_end_counts_in_that_month():
    events = [opened("2026-10-29T09:00:00+01:00", "hoog", scope="platform")]  # never resolved
    october = report_of(events, OCT, AS_OF_NOV)
    assert decided(october, "restore_time_platform") == (1, 0), "measurement §2: breached at D, also while open"
    assert decided(october, "response_time") == (1, 0)
    assert [iso(o.decided_at) for o in october.outcomes] == ["2026-10-29T11:00:00+01:00", "2026-10-29T13:00:00+01:00"]
    november = report_of(events, "2026-11", "2026-12-01T00:00:00+01:00")
    assert decided(november, "restore_time_platform") == (0, 0), "never counted twice"


def test_a_breach_counts_in_its_month_even_when_closed_much_later():
    events = [
        opened("2026-10-29T09:00:00+01:00", "hoog", scope="platform"),
        event("closed", "2026-11-20T10:00:00+01:00"),
    ]
    assert decided(report_of(events, OCT, "2026-12-01T00:00:00+01:00"), "restore_time_platform") == (1, 0)
    assert decided(report_of(events, "2026-11", "2026-12-01T00:00:00+01:00"), "restore_time_platform") == (0, 0)


def test_a_deadline_in_the_next_month_counts_in_the_next_month():
    events = [opened("2026-10-30T18:00:00+01:00", "hoog")]  # Friday 18:00: due Monday 2 November 08:00
    october = report_of(events, OCT, AS_OF_NOV)
    assert decided(october) == (0, 0)
    november = report_of(events, "2026-11", AS_OF_NOV)
    assert decided(november) == (1, 0)
    assert iso(november.outcomes[0].decided_at) == "2026-11-02T08:00:00+01:00"


def test_a_pending_outcome_is_reported_but_not_counted():
    events = [opened("2026-10-30T18:00:00+01:00", "hoog")]
    october = report_of(events, OCT, "2026-10-31T12:00:00+01:00")
    assert decided(october) == (0, 0)
    assert {p.metric for p in october.pending} == {"response_time", "restore_time_application"}
    assert october.tickets["response_time"].total.value is None and october.tickets["response_time"].met, (
        "measurement §2: with no decided outcomes the value is null and the norm counts as met"
    )


def test_percentage_and_per_priority_counts_by_the_deciding_priority():
    events = [
        opened(MON, "hoog", ticket="T-1"),
        event("responded", "2026-10-19T09:30:00+02:00", ticket="T-1"),
        opened(MON, "hoog", ticket="T-2"),
        event("responded", "2026-10-19T10:00:00+02:00", ticket="T-2"),
        opened(MON, "laag", ticket="T-3"),
        event("responded", "2026-10-19T10:00:00+02:00", ticket="T-3"),
        opened(MON, "laag", ticket="T-4"),
        event("updated", "2026-10-19T11:00:00+02:00", priority="urgent", ticket="T-4"),
    ]
    level = report_of(events, OCT, AS_OF_NOV).tickets["response_time"]
    assert (level.total.decided, level.total.within, level.total.value, level.met) == (4, 3, 75.0, False)
    assert {p: (t.decided, t.within) for p, t in level.by_priority.items()} == {
        "urgent": (1, 0),
        "hoog": (2, 2),
        "laag": (1, 1),
    }, "measurement §2: per priority by the priority that decided the outcome"


def test_events_of_other_tenants_are_ignored():
    events = [opened(MON, "hoog", tenant="hengelo")]
    assert decided(report_of(events, OCT, AS_OF_NOV)) == (0, 0)


@pytest.mark.parametrize(
    ("events", "early_as_of", "later_month"),
    [
        pytest.param(
            [opened("2026-10-30T15:00:00+01:00", "gemiddeld"), event("responded", "2026-11-02T07:00:00+01:00")],
            "2026-11-01T12:00:00+01:00",
            "2026-11",
            id="deadline Friday 30 October 19:00, answered Monday 2 November 07:00: not counted again in November",
        ),
        pytest.param(
            [
                opened("2026-10-30T14:00:00+01:00", "urgent"),
                event("updated", "2026-11-02T07:00:00+01:00", priority="laag"),
                event("responded", "2026-11-02T07:30:00+01:00"),
            ],
            "2026-11-01T12:00:00+01:00",
            "2026-11",
            id="urgent breached 30 October 15:00, downgraded and answered 2 November: not counted again in November",
        ),
    ],
)
def test_a_breach_is_never_counted_twice(events, early_as_of, later_month):
    october = report_of(events, OCT, early_as_of)
    assert decided(october) == (1, 0), "breached in October per the October report"
    november = report_of(events, later_month, "2026-12-01T00:00:00+01:00")
    assert decided(november) == (0, 0), (
        "measurement §2: 'A breach therefore counts in the month it happened [...]; it is never counted twice' — "
        f"the October report counted a breach, the November report counts {decided(november)} (decided, within): "
        + "; ".join(describe(o) for o in november.outcomes)
    )
